// Attribution over the database: credited revenue per partner over a window, under one or
// several models, computed by the pure engine in attribution.ts. The program-wide computation
// streams every won deal of the window once, with its touches, in deal order.
import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { customers, deals, programSettings, touches, type AttributionModel } from "../../db/schema";
import type { DB } from "../db.server";
import { closedDealReportingCentsSql } from "./money.server";
import { creditDeal, dealSource, orderTouches, type CreditDeal, type CreditTouch, type DealSource } from "./attribution";

export type Window = { from: Date; to: Date };
const SHORT_WINDOW_MS = 32 * 86_400_000;
/** From this many touches on, a partner's short windows are read from the window's deals. */
const MANY_TOUCHES = 1000;

function hasManyTouches(db: DB, partnerId: number): boolean {
  const row = db.$client
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM touches WHERE partner_id = ? LIMIT ${MANY_TOUCHES})`)
    .get(partnerId) as { n: number };
  return row.n >= MANY_TOUCHES;
}

export type PartnerCredit = { cents: number; deals: number };
export type CreditTable = Map<AttributionModel, Map<number, PartnerCredit>>;

export function programModel(db: DB): AttributionModel {
  // A cached statement: pages ask several times a request.
  return (db.$client.prepare("SELECT attribution_model FROM program_settings LIMIT 1").pluck().get() as AttributionModel | undefined) ?? "sourced";
}

/** The trailing 12 months ending at (excluding) `asOf`. */
export function trailing12Months(asOf: Date): Window {
  const from = new Date(Date.UTC(asOf.getUTCFullYear() - 1, asOf.getUTCMonth(), asOf.getUTCDate()));
  return { from, to: asOf };
}

function add(table: CreditTable, model: AttributionModel, partnerId: number, cents: number) {
  let perPartner = table.get(model);
  if (!perPartner) table.set(model, (perPartner = new Map()));
  const current = perPartner.get(partnerId);
  if (current) {
    current.cents += cents;
    current.deals += 1;
  } else perPartner.set(partnerId, { cents, deals: 1 });
}

/**
 * Every partner's credited revenue and credited won deals in the window, per model. With only
 * `sourced` asked for, one GROUP BY answers; otherwise one streaming pass over won deals and
 * their touches.
 */
export function creditAllPartners(db: DB, window: Window, models: readonly AttributionModel[]): CreditTable {
  const table: CreditTable = new Map(models.map((m) => [m, new Map()]));
  if (models.length === 1 && models[0] === "sourced") {
    const rows = db
      .select({
        partnerId: deals.partnerId,
        cents: sql<number>`coalesce(sum(${sql.raw(closedDealReportingCentsSql('"deals"'))}), 0)`,
        n: sql<number>`count(*)`,
      })
      .from(deals)
      .where(and(eq(deals.stage, "won"), gte(deals.closedAt, window.from), lt(deals.closedAt, window.to), sql`${deals.partnerId} IS NOT NULL`))
      .groupBy(deals.partnerId)
      .all();
    const perPartner = table.get("sourced")!;
    for (const r of rows) perPartner.set(r.partnerId!, { cents: r.cents, deals: r.n });
    return table;
  }
  const stmt = db.$client
    .prepare(
      `SELECT d.id, d.partner_id, coalesce(${closedDealReportingCentsSql("d")}, 0), d.closed_at, t.id, t.partner_id, t.occurred_at
         FROM deals d LEFT JOIN touches t ON t.deal_id = d.id
        WHERE d.stage = 'won' AND d.closed_at >= ? AND d.closed_at < ?
        ORDER BY d.id`,
    )
    .raw(true);
  let current: (CreditDeal & { id: number }) | null = null;
  const flush = () => {
    if (!current) return;
    for (const model of models) for (const c of creditDeal(current, model)) add(table, model, c.partnerId, c.cents);
  };
  for (const row of stmt.iterate(window.from.getTime(), window.to.getTime()) as Iterable<unknown[]>) {
    const dealId = row[0] as number;
    if (!current || current.id !== dealId) {
      flush();
      current = {
        id: dealId,
        partnerId: row[1] as number | null,
        amountCents: row[2] as number,
        closedAt: row[3] as number,
        touches: [],
      };
    }
    if (row[4] !== null) {
      current.touches.push({ id: row[4] as number, partnerId: row[5] as number, occurredAt: row[6] as number });
    }
  }
  flush();
  return table;
}

export type CreditedDeal = {
  dealId: number;
  /** The deal's title when this partner registered it; otherwise "<domain> — <product line>". */
  title: string;
  closedAt: number;
  /** In the deal's own currency. */
  amountCents: number;
  currency: string;
  /** In the reporting currency at the close date; null when that currency has no rate then. */
  reportingCents: number | null;
  source: DealSource;
  /** This partner's credit under each model. */
  credit: Record<AttributionModel, number>;
  /** This partner's own touches; other partners' touches only as a count. */
  ownTouches: CreditTouch[];
  otherPartnerTouches: number;
  /** Who registered it, from this partner's point of view. */
  registrant: "you" | "another_partner" | "nobody";
  /** Who logged each touch, in credit order: enough to say why a model credits nothing. */
  touchOrder: ("you" | "other")[];
};

/**
 * One partner's won deals in the window that credit it under any model (registered by it or
 * touched by it), with its credit per model. Other partners are never named: their touches are
 * counted, not listed.
 */
export function creditPartnerDeals(
  db: DB,
  partnerId: number,
  window: Window,
  models: readonly AttributionModel[],
  options: {
    /** Only these deals (a page of a list); they are still checked against the partner and window. */
    onlyDealIds?: readonly number[];
    /** Tests compare both ways of finding the deals; the answer is the same. */
    start?: "auto" | "window" | "partner";
  } = {},
): CreditedDeal[] {
  const { onlyDealIds, start = "auto" } = options;
  // Which deals to start from: a partner with few touches, from its own deals and touches (a
  // few index lookups); one with many touches, over a window of a month or less, from the
  // program's won deals of the window, checking each (the largest partner has 84,000 touches,
  // a day of the 1M-deal program 600 won deals); a page of deals, from those deals.
  const scanWindow =
    start === "auto"
      ? onlyDealIds !== undefined || (window.to.getTime() - window.from.getTime() <= SHORT_WINDOW_MS && hasManyTouches(db, partnerId))
      : start === "window";
  // One cached statement per way (no query building per call: the dashboard asks twice a request).
  const involved = db.$client
    .prepare(
      `SELECT d.id, CASE WHEN d.partner_id = @partnerId THEN d.title ELSE c.domain || ' — ' || d.product_line END AS title,
              d.partner_id AS partnerId, d.amount_cents AS amountCents, d.currency,
              ${closedDealReportingCentsSql("d")} AS reportingCents, d.closed_at AS closedAt
         FROM deals d JOIN customers c ON c.id = d.customer_id
        WHERE d.stage = 'won' AND d.closed_at >= @from AND d.closed_at < @to
          ${onlyDealIds ? "AND d.id IN (SELECT value FROM json_each(@ids))" : ""}
          AND ${
            scanWindow
              ? `(d.partner_id = @partnerId OR EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id AND t.partner_id = @partnerId))`
              : `(d.partner_id = @partnerId OR d.id IN (SELECT t.deal_id FROM touches t WHERE t.partner_id = @partnerId))`
          }
        ORDER BY d.closed_at, d.id`,
    )
    .all({ partnerId, from: window.from.getTime(), to: window.to.getTime(), ...(onlyDealIds ? { ids: JSON.stringify(onlyDealIds) } : {}) }) as {
    id: number;
    // A deal another partner registered (or the vendor's own) carries words this partner did
    // not type (its title names the customer as the registrant wrote it): it is named by its
    // domain and product line instead.
    title: string;
    partnerId: number | null;
    amountCents: number;
    currency: string;
    reportingCents: number | null;
    closedAt: number;
  }[];
  if (involved.length === 0) return [];
  const touchRows = db.$client
    .prepare(
      `SELECT t.deal_id, t.id, t.partner_id, t.occurred_at FROM touches t
        WHERE t.deal_id IN (SELECT value FROM json_each(?))`,
    )
    .raw(true)
    .all(JSON.stringify(involved.map((d) => d.id))) as [number, number, number, number][];
  const byDeal = new Map<number, CreditTouch[]>();
  for (const [dealId, id, pid, at] of touchRows) {
    let list = byDeal.get(dealId);
    if (!list) byDeal.set(dealId, (list = []));
    list.push({ id, partnerId: pid, occurredAt: at });
  }
  return involved.map((d) => {
    const all = byDeal.get(d.id) ?? [];
    const creditDealInput: CreditDeal = { partnerId: d.partnerId, amountCents: d.reportingCents ?? 0, closedAt: d.closedAt, touches: all };
    const credit = Object.fromEntries(
      models.map((m) => [m, creditDeal(creditDealInput, m).find((c) => c.partnerId === partnerId)?.cents ?? 0]),
    ) as Record<AttributionModel, number>;
    const own = all.filter((t) => t.partnerId === partnerId).sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id);
    return {
      dealId: d.id,
      title: d.title,
      closedAt: d.closedAt,
      amountCents: d.amountCents,
      currency: d.currency,
      reportingCents: d.reportingCents,
      // From this partner's point of view: registered by it = sourced, else influenced.
      source: d.partnerId === partnerId ? "sourced" : dealSource({ partnerId: null, touches: all }),
      credit,
      ownTouches: own,
      otherPartnerTouches: all.length - own.length,
      registrant: d.partnerId === partnerId ? "you" : d.partnerId === null ? "nobody" : "another_partner",
      touchOrder: orderTouches(all).map((t) => (t.partnerId === partnerId ? "you" : "other")),
    };
  });
}
