// Market development funds (docs/domain.md "Market development funds"): a partner admin
// requests funds for an activity, a partner manager approves it within the partner's tier
// allowance for the activity's quarter or rejects it with a reason, the partner claims with
// proof files and results, and the manager approves the claim for payment. Every partner-side
// function takes the partner id from the guard: another partner's request is simply not found.
// Each change is one transaction with its audit event; emails go after (mdf-notifications).
import { and, asc, desc, eq, gte, inArray, sql } from "drizzle-orm";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { deals, mdfClaimDeals, mdfProofFiles, mdfRequests, partners, PILLARS, tiers, users, type MdfStatus } from "../../db/schema";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { recordAudit, type Actor } from "./audit.server";
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";
import { mdfRemaining } from "./cost-metrics";
import { quarterOf } from "./periods";
import { parseAmountToCents } from "./products";
import { decodeKeyset, encodeKeyset } from "./keyset";

import { LINKABLE_DEALS } from "./mdf";

export { ACTIVITY_LABELS, type Pillar } from "./mdf";

export const STATUS_LABELS: Record<MdfStatus, string> = {
  requested: "Awaiting decision",
  approved: "Approved — claim after the activity",
  rejected: "Rejected",
  claimed: "Claim awaiting approval",
  paid: "Claim approved for payment",
};

/** Proof files: PDF, PNG or JPEG, recognised by their first bytes, at most this size each. */
export const MAX_PROOF_BYTES = 10 * 1024 * 1024;
export const MAX_PROOF_FILES = 5;

export class MdfError extends Error {
  constructor(
    message: string,
    readonly problems: Record<string, string> = {},
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

/** The type a file really is, from its magic bytes; null for anything else. */
export function proofFileType(bytes: Uint8Array): { contentType: string; extension: string } | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return { contentType: "application/pdf", extension: "pdf" };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { contentType: "image/png", extension: "png" };
  if (starts(0xff, 0xd8, 0xff)) return { contentType: "image/jpeg", extension: "jpg" };
  return null;
}

/** Where proof files live: a folder beside the database (the data folder), never under public/. */
export function proofFolder(databasePath: string): string {
  return path.join(path.dirname(path.resolve(databasePath)), "mdf-proofs");
}

// ---------------------------------------------------------------------------------------------
// Budget

export type MdfBudget = {
  quarter: string;
  tierName: string;
  allowanceCents: number;
  /** Approved, claimed and paid amounts of the quarter (a paid claim counts what was paid). */
  committedCents: number;
  /** Requests still awaiting a decision. */
  pendingCents: number;
  remainingCents: number;
  paidCents: number;
};

export function mdfBudget(db: DB | Tx, partnerId: number, quarter: string): MdfBudget {
  const tier = db
    .select({ name: tiers.name, allowance: tiers.mdfQuarterCents })
    .from(partners)
    .innerJoin(tiers, eq(tiers.id, partners.tierId))
    .where(eq(partners.id, partnerId))
    .get();
  const sums = db
    .select({
      committed: sql<number>`coalesce(sum(CASE WHEN ${mdfRequests.status} IN ('approved','claimed') THEN ${mdfRequests.amountCents}
                                              WHEN ${mdfRequests.status} = 'paid' THEN ${mdfRequests.paidCents} END), 0)`,
      pending: sql<number>`coalesce(sum(CASE WHEN ${mdfRequests.status} = 'requested' THEN ${mdfRequests.amountCents} END), 0)`,
      paid: sql<number>`coalesce(sum(CASE WHEN ${mdfRequests.status} = 'paid' THEN ${mdfRequests.paidCents} END), 0)`,
    })
    .from(mdfRequests)
    .where(and(eq(mdfRequests.partnerId, partnerId), eq(mdfRequests.quarter, quarter)))
    .get()!;
  const allowanceCents = tier?.allowance ?? 0;
  return {
    quarter,
    tierName: tier?.name ?? "",
    allowanceCents,
    committedCents: sums.committed,
    pendingCents: sums.pending,
    paidCents: sums.paid,
    remainingCents: mdfRemaining(allowanceCents, sums.committed),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

const listColumns = {
  id: mdfRequests.id,
  partnerId: mdfRequests.partnerId,
  activityType: mdfRequests.activityType,
  title: mdfRequests.title,
  plannedOn: mdfRequests.plannedOn,
  quarter: mdfRequests.quarter,
  amountCents: mdfRequests.amountCents,
  status: mdfRequests.status,
  claimedCents: mdfRequests.claimedCents,
  paidCents: mdfRequests.paidCents,
  createdAt: mdfRequests.createdAt,
};

export const MDF_PAGE_SIZE = 50;

/** A position in an MDF list: the (rank, id) of a row, opaque in the URL. */
export type MdfCursor = { rank: number; id: number };

export function encodeMdfCursor(c: MdfCursor): string {
  return encodeKeyset([c.rank, c.id]);
}

/** null for anything that is not a cursor this module wrote (the list then starts over). */
export function decodeMdfCursor(value: string | null | undefined): MdfCursor | null {
  const key = decodeKeyset(value, ["number", "number"] as const);
  return key ? { rank: key[0], id: key[1] } : null;
}

export type MdfListFilters = { status?: MdfStatus };
export type MdfPageDirection = { after?: MdfCursor | null; before?: MdfCursor | null };

/**
 * One page of MDF requests (keyset on rank, id; decision 0019): a partner's own — the scope's
 * partner id is always in the WHERE clause, so a cursor (which carries only a rank and an id)
 * can never reach another partner's rows — newest first; or, for staff (partnerId null), every
 * partner's with what waits for a decision first (requests, then claims), then the rest newest
 * first. With how many match and the cursors of the pages around it.
 */
export function listMdfPage(db: DB, scope: { partnerId: number | null }, filters: MdfListFilters = {}, dir: MdfPageDirection = {}, pageSize = MDF_PAGE_SIZE) {
  const rank = scope.partnerId === null ? sql<number>`(CASE ${mdfRequests.status} WHEN 'requested' THEN 0 WHEN 'claimed' THEN 1 ELSE 2 END)` : sql<number>`0`;
  const conditions = [];
  if (scope.partnerId !== null) conditions.push(eq(mdfRequests.partnerId, scope.partnerId));
  if (filters.status) conditions.push(eq(mdfRequests.status, filters.status));
  const total = db.select({ n: sql<number>`count(*)` }).from(mdfRequests).where(conditions.length ? and(...conditions) : undefined).get()?.n ?? 0;
  const backwards = !!dir.before;
  const cursor = dir.before ?? dir.after;
  const paged = [...conditions];
  if (cursor) {
    paged.push(
      backwards
        ? sql`(${rank} < ${cursor.rank} OR (${rank} = ${cursor.rank} AND ${mdfRequests.id} > ${cursor.id}))`
        : sql`(${rank} > ${cursor.rank} OR (${rank} = ${cursor.rank} AND ${mdfRequests.id} < ${cursor.id}))`,
    );
  }
  const found = db
    .select({ ...listColumns, rank, partnerName: partners.name, claimReturned: sql<number>`${mdfRequests.claimReturnReason} IS NOT NULL` })
    .from(mdfRequests)
    .innerJoin(partners, eq(partners.id, mdfRequests.partnerId))
    .where(paged.length ? and(...paged) : undefined)
    // (A partner's rank is the constant 0: not in ORDER BY, where SQLite reads 0 as a column number.)
    .orderBy(...(scope.partnerId === null ? [backwards ? sql`${rank} DESC` : sql`${rank} ASC`] : []), backwards ? asc(mdfRequests.id) : desc(mdfRequests.id))
    .limit(pageSize + 1)
    .all();
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return listMdfPage(db, scope, filters, {}, pageSize);
  const ordered = backwards ? found.slice(0, pageSize).reverse() : found.slice(0, pageSize);
  const at = (r: (typeof ordered)[number] | undefined) => (r ? encodeMdfCursor({ rank: r.rank, id: r.id }) : null);
  const rows = ordered.map(({ rank: _rank, claimReturned, ...r }) => ({ ...r, claimReturned: !!claimReturned }));
  return {
    rows,
    total,
    next: backwards || more ? at(ordered[ordered.length - 1]) : null,
    prev: backwards ? at(ordered[0]) : dir.after ? (at(ordered[0]) ?? encodeMdfCursor(dir.after)) : null,
  };
}

export type MdfListRow = ReturnType<typeof listMdfPage>["rows"][number];

/** How many requests wait for a staff decision (requests and claims). */
export function countMdfWaiting(db: DB): number {
  return db.select({ n: sql<number>`count(*)` }).from(mdfRequests).where(inArray(mdfRequests.status, ["requested", "claimed"])).get()?.n ?? 0;
}

function detail(db: DB, where: ReturnType<typeof eq>) {
  const request = db
    .select({
      ...listColumns,
      expectedOutcome: mdfRequests.expectedOutcome,
      rejectionReason: mdfRequests.rejectionReason,
      decidedAt: mdfRequests.decidedAt,
      claimLeads: mdfRequests.claimLeads,
      claimResults: mdfRequests.claimResults,
      claimedAt: mdfRequests.claimedAt,
      claimReturnReason: mdfRequests.claimReturnReason,
      claimReturnedAt: mdfRequests.claimReturnedAt,
      paidAt: mdfRequests.paidAt,
      partnerName: partners.name,
      requestedByName: users.name,
    })
    .from(mdfRequests)
    .innerJoin(partners, eq(partners.id, mdfRequests.partnerId))
    .leftJoin(users, eq(users.id, mdfRequests.requestedBy))
    .where(where)
    .get();
  if (!request) return null;
  const proofs = db
    .select({ id: mdfProofFiles.id, fileName: mdfProofFiles.fileName, contentType: mdfProofFiles.contentType, sizeBytes: mdfProofFiles.sizeBytes })
    .from(mdfProofFiles)
    .where(eq(mdfProofFiles.requestId, request.id))
    .orderBy(asc(mdfProofFiles.id))
    .all();
  const linked = db
    .select({ id: deals.id, title: deals.title, stage: deals.stage, amountCents: deals.amountCents, currency: deals.currency })
    .from(mdfClaimDeals)
    .innerJoin(deals, eq(deals.id, mdfClaimDeals.dealId))
    .where(eq(mdfClaimDeals.requestId, request.id))
    .orderBy(asc(deals.id))
    .all();
  return { ...request, proofs, linked };
}

export type MdfDetail = NonNullable<ReturnType<typeof detail>>;

export function getPartnerMdf(db: DB, partnerId: number, id: number) {
  return detail(db, and(eq(mdfRequests.id, id), eq(mdfRequests.partnerId, partnerId))!);
}

export function getMdfForStaff(db: DB, id: number) {
  return detail(db, eq(mdfRequests.id, id));
}

/** The partner's registrations a claim may link: its own, not rejected. */
/** How long before an activity a registration it produced may have been submitted (early sign-ups). */
const LINK_LEAD_DAYS = 30;

/**
 * The registrations a claim can link: the partner's own, not rejected, submitted from a month
 * before the activity on (what it can have produced), newest first, at most LINKABLE_DEALS.
 */
export function linkableDeals(db: DB, partnerId: number, plannedOn: string) {
  const since = Date.parse(`${plannedOn}T00:00:00Z`) - LINK_LEAD_DAYS * 86_400_000;
  return db
    .select({ id: deals.id, title: deals.title, stage: deals.stage, customerName: deals.customerName })
    .from(deals)
    .where(and(eq(deals.partnerId, partnerId), sql`${deals.stage} <> 'rejected'`, gte(deals.submittedAt, new Date(since))))
    .orderBy(desc(deals.submittedAt))
    .limit(LINKABLE_DEALS)
    .all();
}

export function getProofFile(db: DB, scope: { partnerId: number | null }, requestId: number, fileId: number) {
  const row = db
    .select({ fileName: mdfProofFiles.fileName, contentType: mdfProofFiles.contentType, storedName: mdfProofFiles.storedName, partnerId: mdfProofFiles.partnerId })
    .from(mdfProofFiles)
    .where(and(eq(mdfProofFiles.id, fileId), eq(mdfProofFiles.requestId, requestId)))
    .get();
  if (!row) return null;
  if (scope.partnerId !== null && row.partnerId !== scope.partnerId) return null;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Writing

export type MdfRequestInput = { activityType: string; title: string; plannedOn: string; amount: string; expectedOutcome: string };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => ISO_DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

function amountProblem(raw: string, what: string): { cents: number } | { problem: string } {
  const parsed = parseAmountToCents(raw);
  if (parsed.ok) return { cents: parsed.cents };
  const why = {
    empty: `Enter the ${what}, like 2500 or 2,500.00.`,
    format: `Write the ${what} as a number, like 2500 or 2,500.00.`,
    decimals: `The ${what} has more than two decimals: amounts are exact to the cent.`,
    zero: `The ${what} must be more than zero.`,
    too_large: `The ${what} is too large.`,
  }[parsed.reason];
  return { problem: why };
}

/**
 * A new request; with an idempotency key (the form's token) a repeat of the same submission
 * returns the request the first one created and creates nothing.
 */
export function requestMdf(db: DB, actor: Actor, partnerId: number, input: MdfRequestInput, now = new Date(), key: IdempotencyKey | null = null): number {
  const problems: Record<string, string> = {};
  const activityType = PILLARS.find((p) => p === input.activityType);
  if (!activityType) problems.activityType = "Choose the activity type: build, market, sell or serve.";
  const title = input.title.trim();
  if (!title) problems.title = "Name the activity, like “Joint webinar with Acme”.";
  else if (title.length > 200) problems.title = "Keep the activity name under 200 characters.";
  const plannedOn = input.plannedOn.trim();
  if (!isDay(plannedOn)) problems.plannedOn = "Enter the planned date as YYYY-MM-DD.";
  else if (plannedOn < now.toISOString().slice(0, 10)) problems.plannedOn = "The planned date is in the past: request funds before the activity.";
  const amount = amountProblem(input.amount, "amount");
  if ("problem" in amount) problems.amount = amount.problem;
  const expectedOutcome = input.expectedOutcome.trim();
  if (!expectedOutcome) problems.expectedOutcome = "Say what you expect the activity to bring, like “40 leads, 5 registrations”.";
  else if (expectedOutcome.length > 2000) problems.expectedOutcome = "Keep the expected outcome under 2,000 characters.";
  if (Object.keys(problems).length) throw new MdfError("Fix the highlighted fields.", problems);
  const quarter = quarterOf(new Date(`${plannedOn}T00:00:00Z`));
  return writeTransaction(db, (tx) => {
    const earlier = replayOf(tx, key);
    if (earlier) return Number(earlier);
    const budget = mdfBudget(tx, partnerId, quarter);
    const cents = (amount as { cents: number }).cents;
    if (cents > budget.remainingCents) {
      throw new MdfError("The amount is more than your remaining allowance.", {
        amount: `Your ${budget.tierName} allowance for ${quarter} has ${formatCents(budget.remainingCents)} left; request at most that.`,
      });
    }
    const row = tx
      .insert(mdfRequests)
      .values({ partnerId, activityType: activityType!, title, plannedOn, quarter, amountCents: cents, expectedOutcome, requestedBy: actor === "system" ? null : actor.id })
      .returning({ id: mdfRequests.id })
      .get();
    recordAudit(tx, { actor, action: "mdf.requested", entityType: "mdf_request", entityId: row.id, partnerId, after: { activityType, title, plannedOn, amountCents: cents } });
    rememberResult(tx, key, String(row.id), now);
    return row.id;
  });
}

const formatCents = (cents: number) => (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function loadForChange(tx: Tx, id: number, expected: MdfStatus, scope: { partnerId?: number } = {}) {
  const row = tx.select().from(mdfRequests).where(eq(mdfRequests.id, id)).get();
  if (!row || (scope.partnerId !== undefined && row.partnerId !== scope.partnerId)) throw new MdfError("That MDF request was not found.", {}, 404);
  if (row.status !== expected) {
    throw new MdfError(`This request is “${STATUS_LABELS[row.status]}” now, so it cannot be changed that way; reload the page.`, {}, 409);
  }
  return row;
}

export function decideMdf(db: DB, actor: Actor, id: number, decision: { approve: boolean; reason?: string }, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const row = loadForChange(tx, id, "requested");
    if (decision.approve) {
      const budget = mdfBudget(tx, row.partnerId, row.quarter);
      if (row.amountCents > budget.remainingCents) {
        throw new MdfError(
          `Approving would exceed the partner's ${budget.tierName} allowance for ${row.quarter}: ${formatCents(budget.remainingCents)} of ${formatCents(budget.allowanceCents)} left. Reject it with a reason, or raise the tier allowance first.`,
          {},
          409,
        );
      }
    } else if (!decision.reason?.trim()) {
      throw new MdfError("Give the partner a reason for the rejection.", { reason: "Say why, so the partner can ask again with a better plan." });
    }
    const status: MdfStatus = decision.approve ? "approved" : "rejected";
    tx.update(mdfRequests)
      .set({ status, decidedAt: now, decidedBy: actor === "system" ? null : actor.id, rejectionReason: decision.approve ? null : decision.reason!.trim() })
      .where(eq(mdfRequests.id, id))
      .run();
    recordAudit(tx, { actor, action: `mdf.${status}`, entityType: "mdf_request", entityId: id, partnerId: row.partnerId, before: { status: row.status }, after: { status, reason: decision.reason ?? null } });
    return { partnerId: row.partnerId, status };
  });
}

export type ClaimInput = { amount: string; leads: string; results: string; dealIds: number[] };
export type ProofUpload = { fileName: string; bytes: Uint8Array };

/**
 * The claim: amount (at most what was approved), leads, results, linked registrations of this
 * partner, and 1–5 proof files. Files are checked first, written under random names, and
 * removed again when the transaction refuses the claim, so nothing is half-written.
 */
export function claimMdf(
  db: DB,
  actor: Actor,
  partnerId: number,
  id: number,
  input: ClaimInput,
  files: ProofUpload[],
  folder: string,
  now = new Date(),
  key: IdempotencyKey | null = null,
): { claimedCents: number } {
  // A repeat of a claim that went through (double click): its answer, and no files written.
  const earlier = replayOf(db, key);
  if (earlier) return { claimedCents: Number(earlier) };
  const problems: Record<string, string> = {};
  const amount = amountProblem(input.amount, "claimed amount");
  if ("problem" in amount) problems.amount = amount.problem;
  const leads = input.leads.trim() === "" ? 0 : Number(input.leads.trim());
  if (!Number.isInteger(leads) || leads < 0 || leads > 1_000_000) problems.leads = "Enter the number of leads as a whole number (0 or more).";
  const results = input.results.trim();
  if (!results) problems.results = "Describe what the activity achieved.";
  else if (results.length > 4000) problems.results = "Keep the results under 4,000 characters.";
  const typed = files.filter((f) => f.bytes.length > 0).map((f) => ({ ...f, type: proofFileType(f.bytes) }));
  if (typed.length === 0) problems.proof = "Attach at least one proof file: a PDF, PNG or JPEG (invoice, photos, attendee list).";
  else if (typed.length > MAX_PROOF_FILES) problems.proof = `Attach at most ${MAX_PROOF_FILES} files.`;
  else {
    const bad = typed.find((f) => !f.type);
    const big = typed.find((f) => f.bytes.length > MAX_PROOF_BYTES);
    if (bad) problems.proof = `“${bad.fileName}” is not a PDF, PNG or JPEG file. Export it as PDF or take a PNG/JPEG screenshot.`;
    else if (big) problems.proof = `“${big.fileName}” is larger than 10 MB: compress it or split it.`;
  }
  if (Object.keys(problems).length) throw new MdfError("Fix the highlighted fields.", problems);

  fs.mkdirSync(folder, { recursive: true });
  const written: string[] = [];
  try {
    const stored = typed.map((f) => {
      const storedName = `${crypto.randomUUID()}.${f.type!.extension}`;
      fs.writeFileSync(path.join(folder, storedName), f.bytes, { flag: "wx" });
      written.push(path.join(folder, storedName));
      return { fileName: path.basename(f.fileName).slice(0, 200) || `proof.${f.type!.extension}`, contentType: f.type!.contentType, sizeBytes: f.bytes.length, storedName };
    });
    const outcome = writeTransaction(db, (tx) => {
      // The same repeat arriving while the first was writing its files: it waited for the lock.
      const replayed = replayOf(tx, key);
      if (replayed) return { claimedCents: Number(replayed), replayed: true };
      const row = loadForChange(tx, id, "approved", { partnerId });
      const cents = (amount as { cents: number }).cents;
      if (cents > row.amountCents) {
        throw new MdfError("The claim is more than was approved.", { amount: `At most ${formatCents(row.amountCents)} was approved for this activity.` });
      }
      const dealIds = [...new Set(input.dealIds)];
      if (dealIds.length) {
        const own = tx
          .select({ id: deals.id })
          .from(deals)
          .where(and(inArray(deals.id, dealIds), eq(deals.partnerId, partnerId), sql`${deals.stage} <> 'rejected'`))
          .all();
        if (own.length !== dealIds.length) throw new MdfError("Link only your own registrations.", { dealIds: "One of the chosen registrations is not yours or was rejected; choose from the list." });
        tx.insert(mdfClaimDeals).values(dealIds.map((dealId) => ({ requestId: id, dealId }))).run();
      }
      for (const s of stored) tx.insert(mdfProofFiles).values({ requestId: id, partnerId, ...s }).run();
      tx.update(mdfRequests)
        .set({ status: "claimed", claimedCents: cents, claimLeads: leads, claimResults: results, claimedAt: now, claimReturnReason: null, claimReturnedAt: null }).where(eq(mdfRequests.id, id)).run();
      recordAudit(tx, { actor, action: "mdf.claimed", entityType: "mdf_request", entityId: id, partnerId, before: { status: "approved" }, after: { status: "claimed", claimedCents: cents, leads, dealIds, files: stored.map((s) => s.fileName) } });
      rememberResult(tx, key, String(cents), now);
      return { claimedCents: cents, replayed: false };
    });
    if (outcome.replayed) for (const file of written) fs.rmSync(file, { force: true });
    return { claimedCents: outcome.claimedCents };
  } catch (error) {
    for (const file of written) fs.rmSync(file, { force: true });
    throw error;
  }
}

export function approveClaim(db: DB, actor: Actor, id: number, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const row = loadForChange(tx, id, "claimed");
    tx.update(mdfRequests).set({ status: "paid", paidCents: row.claimedCents, paidAt: now, paidBy: actor === "system" ? null : actor.id }).where(eq(mdfRequests.id, id)).run();
    recordAudit(tx, { actor, action: "mdf.paid", entityType: "mdf_request", entityId: id, partnerId: row.partnerId, before: { status: "claimed" }, after: { status: "paid", paidCents: row.claimedCents } });
    return { partnerId: row.partnerId, paidCents: row.claimedCents! };
  });
}

/**
 * A claim returned for changes (what partner teams expect, rather than a final rejection): the
 * request goes back to approved — its amount stays committed in the quarter's budget — with the
 * reason the partner sees, the claimed figures and linked registrations are cleared, and the
 * partner claims again with new proof. The earlier proof files stay listed (they are evidence
 * of what was submitted); the audit row keeps the returned claim's figures.
 */
export function returnClaim(db: DB, actor: Actor, id: number, reason: string, now = new Date()) {
  const why = reason.trim();
  if (!why) throw new MdfError("Give the partner a reason for returning the claim.", { reason: "Say what to change or add, like “the invoice is missing”." });
  if (why.length > 2000) throw new MdfError("Keep the reason under 2,000 characters.", { reason: "Keep the reason under 2,000 characters." });
  return writeTransaction(db, (tx) => {
    const row = loadForChange(tx, id, "claimed");
    const linked = tx.select({ dealId: mdfClaimDeals.dealId }).from(mdfClaimDeals).where(eq(mdfClaimDeals.requestId, id)).all().map((d) => d.dealId);
    tx.delete(mdfClaimDeals).where(eq(mdfClaimDeals.requestId, id)).run();
    tx.update(mdfRequests)
      .set({ status: "approved", claimedCents: null, claimLeads: null, claimResults: null, claimedAt: null, claimReturnReason: why, claimReturnedAt: now })
      .where(eq(mdfRequests.id, id))
      .run();
    recordAudit(tx, {
      actor,
      action: "mdf.claim_returned",
      entityType: "mdf_request",
      entityId: id,
      partnerId: row.partnerId,
      before: { status: "claimed", claimedCents: row.claimedCents, leads: row.claimLeads, results: row.claimResults, dealIds: linked },
      after: { status: "approved", reason: why },
    });
    return { partnerId: row.partnerId };
  });
}
