// The analytics rollups (db/schema.ts, "Analytics rollups"): per-month sums that the ecosystem
// and program-metrics pages read instead of a million deals. Each closed deal's contribution is
// kept in a ledger (deal_rollups), so `refreshDealRollups` — called inside the transaction of
// every write that can change a closed deal — takes the old contribution out and puts the new
// one in, whatever changed (stage, amount, close date, touches). `rebuildRollups` recomputes
// everything from the deals; `ensureRollups` does so once on a database that never had them.
import type Database from "better-sqlite3";
import { PARTNER_KINDS, PILLARS, type AttributionModel, type PartnerKind } from "../../db/schema";
import { sqliteOf, type DB, type Tx } from "../db.server";
import { DEAL_SOURCES, MODELS, creditDeal, dealSource, orderTouches, type CreditDeal, type DealSource } from "./attribution";
import { involvementOf } from "./attribution-explain";
import { closedDealReportingCentsSql } from "./money.server";
import { addMonths, periodOf as monthOf } from "./periods";

const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Segments (pure).

/** The source segments are dealSource's (attribution.ts). */
export const SOURCE_SEGMENTS = DEAL_SOURCES;
export type SourceSegment = DealSource;
export const KIND_SEGMENTS = PARTNER_KINDS.map((k) => `kind:${k}` as const);
export const PILLAR_SEGMENTS = PILLARS.map((p) => `pillar:${p}` as const);
/**
 * A closed deal belongs to one source segment, to the kind of every partner that registered or
 * touched it, and to the pillar of every partner touch on it. The order fixes the bit numbers
 * stored in deal_rollups.segments and customer_first_wins.segments: append, never reorder.
 */
export const SEGMENTS: readonly string[] = [...SOURCE_SEGMENTS, ...KIND_SEGMENTS, ...PILLAR_SEGMENTS];
const BIT = new Map(SEGMENTS.map((s, i) => [s, 1 << i]));

export function segmentsOf(mask: number): string[] {
  return SEGMENTS.filter((_, i) => mask & (1 << i));
}

/** The source segment of a mask (every closed deal has exactly one). */
export function sourceOf(mask: number): SourceSegment {
  return SOURCE_SEGMENTS.find((_, i) => mask & (1 << i)) ?? "direct";
}

export type DealFacts = {
  id: number;
  stage: string;
  partnerId: number | null;
  customerId: number;
  /** In reporting-currency cents at the close date; null when that currency has no rate then. */
  amountCents: number | null;
  submittedAt: number;
  closedAt: number | null;
};
export type TouchFacts = { id: number; partnerId: number; occurredAt: number; pillar: string };

export type Contribution = {
  month: string;
  stage: "won" | "lost";
  partnerId: number | null;
  customerId: number;
  segments: number;
  amountCents: number;
  cycleDays: number | null;
  credits: Partial<Record<AttributionModel, [number, number][]>> | null;
};

/**
 * What a deal contributes to the rollups: nothing unless it is won or lost. A won deal whose
 * amount has no rate still counts as won, with 0 revenue and 0 credit (missingRates warns).
 */
export function contributionOf(
  deal: DealFacts,
  touchList: readonly TouchFacts[],
  kindOf: (partnerId: number) => PartnerKind | undefined,
): Contribution | null {
  if ((deal.stage !== "won" && deal.stage !== "lost") || deal.closedAt === null) return null;
  let mask = BIT.get(dealSource({ partnerId: deal.partnerId, touches: touchList as TouchFacts[] }))!;
  const kind = (pid: number) => {
    const k = kindOf(pid);
    if (k) mask |= BIT.get(`kind:${k}`)!;
  };
  if (deal.partnerId !== null) kind(deal.partnerId);
  for (const t of touchList) {
    kind(t.partnerId);
    mask |= BIT.get(`pillar:${t.pillar}`) ?? 0;
  }
  const won = deal.stage === "won";
  let credits: Contribution["credits"] = null;
  if (won) {
    const input: CreditDeal = {
      amountCents: deal.amountCents ?? 0,
      partnerId: deal.partnerId,
      closedAt: deal.closedAt,
      touches: touchList.map((t) => ({ id: t.id, partnerId: t.partnerId, occurredAt: t.occurredAt })),
    };
    credits = {};
    for (const model of MODELS) {
      const c = creditDeal(input, model);
      if (c.length) credits[model] = c.map((x) => [x.partnerId, x.cents]);
    }
  }
  return {
    month: monthOf(deal.closedAt),
    stage: won ? "won" : "lost",
    partnerId: deal.partnerId,
    customerId: deal.customerId,
    segments: mask,
    amountCents: won ? (deal.amountCents ?? 0) : 0,
    cycleDays: won ? Math.max(0, Math.floor((deal.closedAt - deal.submittedAt) / DAY)) : null,
    credits,
  };
}

/** A row of partner_deal_credits: [partnerId, dealId, closedAt, registered, involvement, ...cents in MODELS order]. */
export type PartnerDealRow = [number, number, number, number, string, ...number[]];

/**
 * A won deal's rows of partner_deal_credits: one per partner that registered or touched it,
 * with its credit under every model (from the contribution, i.e. the engine) and how it is
 * involved (attribution-explain.ts involvementOf). Nothing for a deal that is not won.
 */
export function partnerDealRows(deal: DealFacts, touchList: readonly TouchFacts[], k: Contribution | null): PartnerDealRow[] {
  if (!k || k.stage !== "won" || deal.closedAt === null) return [];
  const partners = new Set<number>();
  if (deal.partnerId !== null) partners.add(deal.partnerId);
  for (const t of touchList) partners.add(t.partnerId);
  const ordered = orderTouches(touchList);
  return [...partners].map((pid) => {
    const registrant = deal.partnerId === pid ? "you" : deal.partnerId === null ? "nobody" : "another_partner";
    const involvement = involvementOf({ registrant, touchOrder: ordered.map((t) => (t.partnerId === pid ? "you" : "other")) });
    const cents = MODELS.map((m) => k.credits?.[m]?.find(([p]) => p === pid)?.[1] ?? 0);
    return [pid, deal.id, deal.closedAt!, deal.partnerId === pid ? 1 : 0, involvement, ...cents] as PartnerDealRow;
  });
}

// ---------------------------------------------------------------------------------------------
// Statements.

/**
 * A deal's registration as the cost figures count it: submission month, source segment (the
 * rule of attribution.ts dealSource, in SQL) and won (1/0). Every deal has one, open or closed.
 */
const REGISTRATION_SQL = `strftime('%Y-%m', d.submitted_at / 1000, 'unixepoch') AS month,
  CASE WHEN d.partner_id IS NOT NULL THEN 'sourced'
       WHEN EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id) THEN 'influenced' ELSE 'direct' END AS segment,
  d.stage = 'won' AS won`;

type Client = Database.Database;

/** The better-sqlite3 connection under a drizzle database or transaction (same connection). */
export const clientOf: (db: DB | Tx | Pick<DB, "select">) => Client = sqliteOf;

function prepareStatements(c: Client) {
  return {
    deal: c.prepare(
      `SELECT id, stage, partner_id AS partnerId, customer_id AS customerId,
              ${closedDealReportingCentsSql("d")} AS amountCents,
              submitted_at AS submittedAt, closed_at AS closedAt FROM deals d WHERE id = ?`,
    ),
    touches: c.prepare(`SELECT id, partner_id AS partnerId, occurred_at AS occurredAt, pillar FROM touches WHERE deal_id = ?`),
    kind: c.prepare(`SELECT kind FROM partners WHERE id = ?`).pluck(),
    ledger: c.prepare(
      `SELECT month, stage, partner_id AS partnerId, customer_id AS customerId, segments,
              amount_cents AS amountCents, cycle_days AS cycleDays, credits FROM deal_rollups WHERE deal_id = ?`,
    ),
    putLedger: c.prepare(
      `INSERT INTO deal_rollups (deal_id, month, stage, partner_id, customer_id, segments, amount_cents, cycle_days, credits)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (deal_id) DO UPDATE SET month = excluded.month, stage = excluded.stage,
         partner_id = excluded.partner_id, customer_id = excluded.customer_id, segments = excluded.segments,
         amount_cents = excluded.amount_cents, cycle_days = excluded.cycle_days, credits = excluded.credits`,
    ),
    deleteLedger: c.prepare(`DELETE FROM deal_rollups WHERE deal_id = ?`),
    deletePartnerDeals: c.prepare(`DELETE FROM partner_deal_credits WHERE deal_id = ?`),
    partnerDeals: c
      .prepare(
        `SELECT partner_id, deal_id, closed_at, registered, involvement, ${MODELS.map((m) => `${m}_cents`).join(", ")}
           FROM partner_deal_credits WHERE deal_id = ? ORDER BY partner_id`,
      )
      .raw(true),
    putPartnerDeal: c.prepare(
      `INSERT INTO partner_deal_credits (partner_id, deal_id, closed_at, registered, involvement,
         ${MODELS.map((m) => `${m}_cents`).join(", ")}) VALUES (?, ?, ?, ?, ?, ${MODELS.map(() => "?").join(", ")})`,
    ),
    addCredit: c.prepare(
      `INSERT INTO partner_month_credit (model, month, partner_id, credited_cents, credited_deals) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model, month, partner_id) DO UPDATE SET
         credited_cents = credited_cents + excluded.credited_cents, credited_deals = credited_deals + excluded.credited_deals`,
    ),
    pruneCredit: c.prepare(
      `DELETE FROM partner_month_credit WHERE model = ? AND month = ? AND partner_id = ? AND credited_cents = 0 AND credited_deals = 0`,
    ),
    addOutcome: c.prepare(
      `INSERT INTO partner_month_outcomes (month, partner_id, won_deals, lost_deals) VALUES (?, ?, ?, ?)
       ON CONFLICT (month, partner_id) DO UPDATE SET
         won_deals = won_deals + excluded.won_deals, lost_deals = lost_deals + excluded.lost_deals`,
    ),
    pruneOutcome: c.prepare(`DELETE FROM partner_month_outcomes WHERE month = ? AND partner_id = ? AND won_deals = 0 AND lost_deals = 0`),
    addStats: c.prepare(
      `INSERT INTO program_month_stats (month, segment, won_deals, lost_deals, won_cents) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (month, segment) DO UPDATE SET won_deals = won_deals + excluded.won_deals,
         lost_deals = lost_deals + excluded.lost_deals, won_cents = won_cents + excluded.won_cents`,
    ),
    pruneStats: c.prepare(
      `DELETE FROM program_month_stats WHERE month = ? AND segment = ? AND won_deals = 0 AND lost_deals = 0 AND won_cents = 0`,
    ),
    addCycle: c.prepare(
      `INSERT INTO program_month_cycles (month, segment, cycle_days, won_deals) VALUES (?, ?, ?, ?)
       ON CONFLICT (month, segment, cycle_days) DO UPDATE SET won_deals = won_deals + excluded.won_deals`,
    ),
    pruneCycle: c.prepare(`DELETE FROM program_month_cycles WHERE month = ? AND segment = ? AND cycle_days = ? AND won_deals = 0`),
    addRetention: c.prepare(
      `INSERT INTO program_month_retention (month, segment, cohort_customers, churned_customers, mrr_then_cents, mrr_now_cents)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (month, segment) DO UPDATE SET cohort_customers = cohort_customers + excluded.cohort_customers,
         churned_customers = churned_customers + excluded.churned_customers,
         mrr_then_cents = mrr_then_cents + excluded.mrr_then_cents, mrr_now_cents = mrr_now_cents + excluded.mrr_now_cents`,
    ),
    pruneRetention: c.prepare(
      `DELETE FROM program_month_retention WHERE month = ? AND segment = ? AND cohort_customers = 0
         AND churned_customers = 0 AND mrr_then_cents = 0 AND mrr_now_cents = 0`,
    ),
    bumpMonth: c.prepare(
      `INSERT INTO rollup_months (month, version) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET version = version + 1`,
    ),
    firstWonDeal: c
      .prepare(
        `SELECT id FROM deals WHERE customer_id = ? AND stage = 'won' AND closed_at IS NOT NULL
        ORDER BY closed_at, id LIMIT 1`,
      )
      .pluck(),
    firstWin: c.prepare(`SELECT deal_id AS dealId, segments, month FROM customer_first_wins WHERE customer_id = ?`),
    putFirstWin: c.prepare(
      `INSERT INTO customer_first_wins (customer_id, deal_id, segments, month) VALUES (?, ?, ?, ?)
       ON CONFLICT (customer_id) DO UPDATE SET deal_id = excluded.deal_id, segments = excluded.segments, month = excluded.month`,
    ),
    deleteFirstWin: c.prepare(`DELETE FROM customer_first_wins WHERE customer_id = ?`),
    addNewCustomers: c.prepare(
      `INSERT INTO program_month_new_customers (month, segment, customers) VALUES (?, ?, ?)
       ON CONFLICT (month, segment) DO UPDATE SET customers = customers + excluded.customers`,
    ),
    pruneNewCustomers: c.prepare(`DELETE FROM program_month_new_customers WHERE month = ? AND segment = ? AND customers = 0`),
    customerMrr: c.prepare(`SELECT month, mrr_cents AS mrrCents FROM customer_mrr WHERE customer_id = ?`),
    mrrAt: c.prepare(`SELECT mrr_cents FROM customer_mrr WHERE customer_id = ? AND month = ?`).pluck(),
    built: c.prepare(`SELECT built_at FROM rollup_state WHERE id = 1`).pluck(),
    registrationNow: c.prepare(`SELECT ${REGISTRATION_SQL} FROM deals d WHERE d.id = ?`),
    registration: c.prepare(`SELECT month, segment, won FROM deal_registrations WHERE deal_id = ?`),
    putRegistration: c.prepare(
      `INSERT INTO deal_registrations (deal_id, month, segment, won) VALUES (?, ?, ?, ?)
       ON CONFLICT (deal_id) DO UPDATE SET month = excluded.month, segment = excluded.segment, won = excluded.won`,
    ),
    deleteRegistration: c.prepare(`DELETE FROM deal_registrations WHERE deal_id = ?`),
    addRegistrations: c.prepare(
      `INSERT INTO program_month_registrations (month, segment, registered, won_deals) VALUES (?, ?, ?, ?)
       ON CONFLICT (month, segment) DO UPDATE SET registered = registered + excluded.registered, won_deals = won_deals + excluded.won_deals`,
    ),
    pruneRegistrations: c.prepare(
      `DELETE FROM program_month_registrations WHERE month = ? AND segment = ? AND registered = 0 AND won_deals = 0`,
    ),
  };
}
type Statements = ReturnType<typeof prepareStatements>;
const statementCache = new WeakMap<Client, Statements>();

function statements(c: Client): Statements {
  let s = statementCache.get(c);
  if (!s) statementCache.set(c, (s = prepareStatements(c)));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Applying contributions.

function applyContribution(s: Statements, k: Contribution, sign: 1 | -1) {
  const won = k.stage === "won" ? sign : 0;
  const lost = k.stage === "lost" ? sign : 0;
  for (const segment of segmentsOf(k.segments)) {
    s.addStats.run(k.month, segment, won, lost, won ? sign * k.amountCents : 0);
    if (sign < 0) s.pruneStats.run(k.month, segment);
    if (won && k.cycleDays !== null) {
      s.addCycle.run(k.month, segment, k.cycleDays, sign);
      if (sign < 0) s.pruneCycle.run(k.month, segment, k.cycleDays);
    }
  }
  if (k.partnerId !== null) {
    s.addOutcome.run(k.month, k.partnerId, won, lost);
    if (sign < 0) s.pruneOutcome.run(k.month, k.partnerId);
  }
  for (const [model, list] of Object.entries(k.credits ?? {}) as [AttributionModel, [number, number][]][]) {
    for (const [partnerId, cents] of list) {
      s.addCredit.run(model, k.month, partnerId, sign * cents, sign);
      if (sign < 0) s.pruneCredit.run(model, k.month, partnerId);
    }
  }
  s.bumpMonth.run(k.month);
}

function readLedger(s: Statements, dealId: number): Contribution | null {
  const row = s.ledger.get(dealId) as (Omit<Contribution, "credits"> & { credits: string | null }) | undefined;
  if (!row) return null;
  return { ...row, credits: row.credits ? JSON.parse(row.credits) : null };
}

function writeLedger(s: Statements, dealId: number, k: Contribution | null) {
  if (!k) s.deleteLedger.run(dealId);
  else
    s.putLedger.run(
      dealId,
      k.month,
      k.stage,
      k.partnerId,
      k.customerId,
      k.segments,
      k.amountCents,
      k.cycleDays,
      k.credits ? JSON.stringify(k.credits) : null,
    );
}

function currentContribution(s: Statements, dealId: number): Contribution | null {
  return currentFacts(s, dealId).contribution;
}

function currentFacts(s: Statements, dealId: number) {
  const deal = s.deal.get(dealId) as DealFacts | undefined;
  if (!deal) return { deal: null, touchList: [], contribution: null };
  const touchList = s.touches.all(dealId) as TouchFacts[];
  return { deal, touchList, contribution: contributionOf(deal, touchList, (pid) => s.kind.get(pid) as PartnerKind | undefined) };
}

/**
 * Replaces a deal's partner_deal_credits rows when they change (who is involved can change with
 * equal credits), and then moves the version of the months they were and are in: the
 * attribution summary memoizes a partner's month of these rows on it (partner-attribution.server.ts).
 */
function writePartnerDeals(s: Statements, dealId: number, rows: readonly PartnerDealRow[]) {
  const before = s.partnerDeals.all(dealId) as PartnerDealRow[];
  const after = [...rows].sort((a, b) => a[0] - b[0]);
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  s.deletePartnerDeals.run(dealId);
  for (const row of after) s.putPartnerDeal.run(...row);
  for (const month of new Set([...before, ...after].map((row) => monthOf(row[2])))) s.bumpMonth.run(month);
}

const sameContribution = (a: Contribution | null, b: Contribution | null) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------------------------------------
// Retention: a customer's part of program_month_retention for the months its MRR reaches.

type RetentionPart = { month: string; churned: number; thenCents: number; nowCents: number };

/** For each month M in `months` (or every month its MRR implies): the customer's cohort part. */
function retentionParts(s: Statements, customerId: number, months?: Iterable<string>): RetentionPart[] {
  const parts: RetentionPart[] = [];
  if (months) {
    for (const m of months) {
      const then = (s.mrrAt.get(customerId, addMonths(m, -12)) as number | undefined) ?? 0;
      if (then <= 0) continue;
      const now = (s.mrrAt.get(customerId, m) as number | undefined) ?? 0;
      parts.push({ month: m, churned: now > 0 ? 0 : 1, thenCents: then, nowCents: now });
    }
    return parts;
  }
  const series = new Map((s.customerMrr.all(customerId) as { month: string; mrrCents: number }[]).map((r) => [r.month, r.mrrCents]));
  for (const [month, then] of series) {
    if (then <= 0) continue;
    const m = addMonths(month, 12);
    const now = series.get(m) ?? 0;
    parts.push({ month: m, churned: now > 0 ? 0 : 1, thenCents: then, nowCents: now });
  }
  return parts;
}

function applyRetention(s: Statements, segments: number, parts: RetentionPart[], sign: 1 | -1) {
  const sourceAndGroups = segmentsOf(segments);
  for (const p of parts) {
    for (const segment of sourceAndGroups) {
      s.addRetention.run(p.month, segment, sign, sign * p.churned, sign * p.thenCents, sign * p.nowCents);
      if (sign < 0) s.pruneRetention.run(p.month, segment);
    }
  }
}

/**
 * Re-derives a customer's first won deal (and its close month, which moves when the deal's close
 * date does); moves its retention to the new segments if they changed.
 */
function refreshFirstWin(s: Statements, customerId: number) {
  const before = s.firstWin.get(customerId) as { dealId: number; segments: number; month: string | null } | undefined;
  const dealId = s.firstWonDeal.get(customerId) as number | undefined;
  let segments = 0;
  let month: string | null = null;
  if (dealId !== undefined) {
    const k = readLedger(s, dealId) ?? currentContribution(s, dealId);
    segments = k?.segments ?? 0;
    month = k?.month ?? null;
  }
  if (before?.dealId === dealId && (before?.segments ?? 0) === segments && (before?.month ?? null) === month) return;
  if (dealId === undefined) s.deleteFirstWin.run(customerId);
  else s.putFirstWin.run(customerId, dealId, segments, month);
  if (before?.month) {
    const source = sourceOf(before.segments);
    s.addNewCustomers.run(before.month, source, -1);
    s.pruneNewCustomers.run(before.month, source);
  }
  if (dealId !== undefined && month) s.addNewCustomers.run(month, sourceOf(segments), 1);
  if ((before?.segments ?? 0) === segments) return;
  const parts = retentionParts(s, customerId);
  if (before) applyRetention(s, before.segments, parts, -1);
  applyRetention(s, segments, parts, 1);
}

// ---------------------------------------------------------------------------------------------
// Registrations: every deal, by submission month and channel (cost-metrics lead quality).

type Registration = { month: string; segment: string; won: number };

function refreshRegistration(s: Statements, dealId: number) {
  const before = s.registration.get(dealId) as Registration | undefined;
  const after = s.registrationNow.get(dealId) as Registration | undefined;
  if (before?.month === after?.month && before?.segment === after?.segment && before?.won === after?.won) return;
  if (before) {
    s.addRegistrations.run(before.month, before.segment, -1, -before.won);
    s.pruneRegistrations.run(before.month, before.segment);
  }
  if (after) {
    s.addRegistrations.run(after.month, after.segment, 1, after.won);
    s.putRegistration.run(dealId, after.month, after.segment, after.won);
  } else s.deleteRegistration.run(dealId);
}

// ---------------------------------------------------------------------------------------------
// The write-path hooks.

/**
 * Brings the rollups in line with one deal as it is now. Call inside the transaction of any
 * write that creates a deal or can change a closed deal (outcome, amount, close date, touches).
 * Cheap when the deal contributes nothing or nothing changed; never reads more than the deal,
 * its touches, its registration row and its customer's first win.
 */
export function refreshDealRollups(tx: DB | Tx, dealId: number): void {
  const s = statements(clientOf(tx));
  refreshRegistration(s, dealId);
  const before = readLedger(s, dealId);
  const { deal, touchList, contribution: after } = currentFacts(s, dealId);
  writePartnerDeals(s, dealId, deal ? partnerDealRows(deal, touchList, after) : []);
  if (sameContribution(before, after)) return;
  if (before) applyContribution(s, before, -1);
  if (after) applyContribution(s, after, 1);
  writeLedger(s, dealId, after);
  for (const customerId of new Set([before?.customerId, after?.customerId])) {
    if (customerId !== undefined) refreshFirstWin(s, customerId);
  }
}

/**
 * Runs `write` (which changes customer_mrr rows for the given customers and months) and moves
 * program_month_retention by exactly the difference it made: each touched month counts as a
 * "now" month and as the "then" of the month a year later.
 */
export function refreshMrrRollups<T>(tx: DB | Tx, changes: readonly { customerId: number; month: string }[], write: () => T): T {
  const s = statements(clientOf(tx));
  const months = new Map<number, Set<string>>();
  for (const { customerId, month } of changes) {
    let set = months.get(customerId);
    if (!set) months.set(customerId, (set = new Set()));
    set.add(month).add(addMonths(month, 12));
  }
  const segmentsOfCustomer = new Map<number, number>();
  const before = new Map<number, RetentionPart[]>();
  for (const [customerId, set] of months) {
    const segments = (s.firstWin.get(customerId) as { segments: number } | undefined)?.segments;
    if (segments === undefined) continue;
    segmentsOfCustomer.set(customerId, segments);
    before.set(customerId, retentionParts(s, customerId, set));
  }
  const result = write();
  for (const [customerId, segments] of segmentsOfCustomer) {
    applyRetention(s, segments, before.get(customerId)!, -1);
    applyRetention(s, segments, retentionParts(s, customerId, months.get(customerId)!), 1);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Rebuild.

const ROLLUP_TABLES = [
  "deal_rollups",
  "partner_month_credit",
  "partner_month_outcomes",
  "program_month_stats",
  "program_month_cycles",
  "customer_first_wins",
  "program_month_new_customers",
  "program_month_retention",
  "deal_registrations",
  "program_month_registrations",
  "partner_deal_credits",
];

export type RebuildSummary = { closedDeals: number; months: number; ms: number };
type RebuildOptions = {
  onProgress?: (done: number, total: number) => void;
  /** Do nothing (return null) if the rollups were built meanwhile: checked under the write lock. */
  onlyIfNeverBuilt?: boolean;
};

/**
 * Recomputes every rollup from deals, touches, partners and customer MRR in one IMMEDIATE
 * transaction: one streaming pass over closed deals with their touches and one over MRR.
 */
export function rebuildRollups(db: DB, options: RebuildOptions & { onlyIfNeverBuilt: true }): RebuildSummary | null;
export function rebuildRollups(db: DB, options?: RebuildOptions): RebuildSummary;
export function rebuildRollups(db: DB, options: RebuildOptions = {}): RebuildSummary | null {
  const started = performance.now();
  const c = clientOf(db);
  const run = c.transaction(() => {
    if (options.onlyIfNeverBuilt && statements(c).built.get() !== undefined) return null;
    for (const table of ROLLUP_TABLES) c.exec(`DELETE FROM ${table}`);
    const kinds = new Map(
      (c.prepare(`SELECT id, kind FROM partners`).raw(true).all() as [number, PartnerKind][]).map(([id, k]) => [id, k]),
    );
    const kindOf = (pid: number) => kinds.get(pid);
    const total = c.prepare(`SELECT count(*) FROM deals WHERE stage IN ('won', 'lost')`).pluck().get() as number;

    const credit = new Map<string, number[]>();
    const outcomes = new Map<string, number[]>();
    const stats = new Map<string, number[]>();
    const cycles = new Map<string, number[]>();
    const firstWin = new Map<number, { closedAt: number; dealId: number; segments: number; month: string }>();
    const months = new Set<string>();
    const bump = (map: Map<string, number[]>, key: string, values: number[]) => {
      const cur = map.get(key);
      if (cur) for (let i = 0; i < values.length; i++) cur[i]! += values[i]!;
      else map.set(key, [...values]);
    };

    const putLedger = statements(c).putLedger;
    const putPartnerDeal = statements(c).putPartnerDeal;
    // In id ranges: better-sqlite3 cannot write while a statement is still iterating.
    const chunk = c
      .prepare(
        `SELECT d.id, d.stage, d.partner_id, d.customer_id, ${closedDealReportingCentsSql("d")}, d.submitted_at, d.closed_at,
                t.id, t.partner_id, t.occurred_at, t.pillar
           FROM deals d LEFT JOIN touches t ON t.deal_id = d.id
          WHERE d.id > ? AND d.id <= ? AND d.stage IN ('won', 'lost') AND d.closed_at IS NOT NULL
          ORDER BY d.id`,
      )
      .raw(true);
    const maxId = (c.prepare(`SELECT coalesce(max(id), 0) FROM deals`).pluck().get() as number) ?? 0;
    let deal: DealFacts | null = null;
    let touchList: TouchFacts[] = [];
    let done = 0;
    const flush = () => {
      if (!deal) return;
      const k = contributionOf(deal, touchList, kindOf);
      if (!k) return;
      months.add(k.month);
      for (const row of partnerDealRows(deal, touchList, k)) putPartnerDeal.run(...row);
      putLedger.run(
        deal.id,
        k.month,
        k.stage,
        k.partnerId,
        k.customerId,
        k.segments,
        k.amountCents,
        k.cycleDays,
        k.credits ? JSON.stringify(k.credits) : null,
      );
      const won = k.stage === "won" ? 1 : 0;
      for (const segment of segmentsOf(k.segments)) {
        bump(stats, `${k.month}|${segment}`, [won, 1 - won, k.amountCents]);
        if (won) bump(cycles, `${k.month}|${segment}|${k.cycleDays}`, [1]);
      }
      if (k.partnerId !== null) bump(outcomes, `${k.month}|${k.partnerId}`, [won, 1 - won]);
      for (const [model, list] of Object.entries(k.credits ?? {})) {
        for (const [pid, cents] of list) bump(credit, `${model}|${k.month}|${pid}`, [cents, 1]);
      }
      if (won) {
        const first = firstWin.get(k.customerId);
        if (!first || deal.closedAt! < first.closedAt || (deal.closedAt === first.closedAt && deal.id < first.dealId)) {
          firstWin.set(k.customerId, { closedAt: deal.closedAt!, dealId: deal.id, segments: k.segments, month: k.month });
        }
      }
      if (++done % 20_000 === 0) options.onProgress?.(done, total);
    };
    const STEP = 50_000;
    for (let from = 0; from < maxId; from += STEP) {
      for (const row of chunk.all(from, from + STEP) as unknown[][]) {
        const id = row[0] as number;
        if (!deal || deal.id !== id) {
          flush();
          deal = {
            id,
            stage: row[1] as string,
            partnerId: row[2] as number | null,
            customerId: row[3] as number,
            amountCents: row[4] as number | null,
            submittedAt: row[5] as number,
            closedAt: row[6] as number,
          };
          touchList = [];
        }
        if (row[7] !== null) {
          touchList.push({ id: row[7] as number, partnerId: row[8] as number, occurredAt: row[9] as number, pillar: row[10] as string });
        }
      }
    }
    flush();
    options.onProgress?.(done, total);

    const insCredit = c.prepare(
      `INSERT INTO partner_month_credit (model, month, partner_id, credited_cents, credited_deals) VALUES (?, ?, ?, ?, ?)`,
    );
    for (const [key, [cents, n]] of credit) {
      const [model, month, pid] = key.split("|");
      insCredit.run(model, month, Number(pid), cents, n);
    }
    const insOutcome = c.prepare(`INSERT INTO partner_month_outcomes (month, partner_id, won_deals, lost_deals) VALUES (?, ?, ?, ?)`);
    for (const [key, [won, lost]] of outcomes) {
      const [month, pid] = key.split("|");
      insOutcome.run(month, Number(pid), won, lost);
    }
    const insStats = c.prepare(`INSERT INTO program_month_stats (month, segment, won_deals, lost_deals, won_cents) VALUES (?, ?, ?, ?, ?)`);
    for (const [key, [won, lost, cents]] of stats) {
      const [month, segment] = key.split("|");
      insStats.run(month, segment, won, lost, cents);
    }
    const insCycle = c.prepare(`INSERT INTO program_month_cycles (month, segment, cycle_days, won_deals) VALUES (?, ?, ?, ?)`);
    for (const [key, [n]] of cycles) {
      const [month, segment, days] = key.split("|");
      insCycle.run(month, segment, Number(days), n);
    }
    const insFirst = c.prepare(`INSERT INTO customer_first_wins (customer_id, deal_id, segments, month) VALUES (?, ?, ?, ?)`);
    const newCustomers = new Map<string, number[]>();
    for (const [customerId, f] of firstWin) {
      insFirst.run(customerId, f.dealId, f.segments, f.month);
      bump(newCustomers, `${f.month}|${sourceOf(f.segments)}`, [1]);
    }
    const insNew = c.prepare(`INSERT INTO program_month_new_customers (month, segment, customers) VALUES (?, ?, ?)`);
    for (const [key, [n]] of newCustomers) {
      const [month, segment] = key.split("|");
      insNew.run(month, segment, n);
    }

    // Retention: one pass over MRR in (customer, month) order.
    const retention = new Map<string, number[]>();
    const addCustomer = (customerId: number, series: Map<string, number>) => {
      const segments = firstWin.get(customerId)?.segments;
      if (segments === undefined) return;
      const names = segmentsOf(segments);
      for (const [month, then] of series) {
        if (then <= 0) continue;
        const m = addMonths(month, 12);
        const now = series.get(m) ?? 0;
        for (const segment of names) bump(retention, `${m}|${segment}`, [1, now > 0 ? 0 : 1, then, now]);
      }
    };
    let customer = -1;
    let series = new Map<string, number>();
    for (const [cid, month, cents] of c
      .prepare(`SELECT customer_id, month, mrr_cents FROM customer_mrr ORDER BY customer_id, month`)
      .raw(true)
      .iterate() as Iterable<[number, string, number]>) {
      if (cid !== customer) {
        if (customer !== -1) addCustomer(customer, series);
        customer = cid;
        series = new Map();
      }
      series.set(month, cents);
    }
    if (customer !== -1) addCustomer(customer, series);
    const insRetention = c.prepare(
      `INSERT INTO program_month_retention (month, segment, cohort_customers, churned_customers, mrr_then_cents, mrr_now_cents) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const [key, [n, churned, then, now]] of retention) {
      const [month, segment] = key.split("|");
      insRetention.run(month, segment, n, churned, then, now);
    }

    // Registrations: every deal, in SQL (no per-deal logic beyond the channel rule).
    c.exec(`INSERT INTO deal_registrations (deal_id, month, segment, won) SELECT d.id, ${REGISTRATION_SQL} FROM deals d`);
    c.exec(
      `INSERT INTO program_month_registrations (month, segment, registered, won_deals)
       SELECT month, segment, count(*), sum(won) FROM deal_registrations GROUP BY 1, 2`,
    );

    // New versions for every month (cache keys built on the old ones must not match again).
    const version = Date.now();
    const putMonth = c.prepare(
      `INSERT INTO rollup_months (month, version) VALUES (?, ?) ON CONFLICT (month) DO UPDATE SET version = version + excluded.version`,
    );
    for (const month of months) putMonth.run(month, version);
    c.prepare(`UPDATE rollup_months SET version = version + 1 WHERE month NOT IN (SELECT value FROM json_each(?))`).run(
      JSON.stringify([...months]),
    );
    c.prepare(`INSERT INTO rollup_state (id, built_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET built_at = excluded.built_at`).run(
      Date.now(),
    );
    return { closedDeals: done, months: months.size };
  });
  const result = run.immediate();
  return result && { ...result, ms: performance.now() - started };
}

/**
 * Builds the rollups once on a database that never had them (a fresh migration over existing
 * deals). Returns whether it rebuilt. Cheap to call on every request: one primary-key lookup.
 */
export function ensureRollups(db: DB): boolean {
  const s = statements(clientOf(db));
  if (s.built.get() !== undefined) return false;
  // Two processes may both get here: the second finds the rollups built under the write lock.
  return rebuildRollups(db, { onlyIfNeverBuilt: true }) !== null;
}

/** Each month's rollup version ('YYYY-MM' → version), for cache keys. */
export function rollupVersions(db: DB | Pick<DB, "select">): Map<string, number> {
  return new Map(clientOf(db).prepare(`SELECT month, version FROM rollup_months`).raw(true).all() as [string, number][]);
}
