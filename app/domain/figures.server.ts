// The figures of the catalogue (figures.ts) for one partner, computed once per span. Every
// surface that shows a partner's figures calls these functions; the program-wide computations
// (the tier evaluation over the rollups, the ecosystem page) follow the same definitions and a
// test holds them to the same results (figures.server.test.ts).
import { and, eq, inArray, sql } from "drizzle-orm";
import { deals, type AttributionModel } from "../../db/schema";
import type { DB } from "../db.server";
import { creditPartnerDeals, programModel, trailing12Months, type Window } from "./attribution.server";
import { type FigureKey, type Span } from "./figures";
import { dealReportingCentsSql } from "./money.server";
import { calendarWindow, monthsIn, periodEnd, periodOf, periodStart } from "./periods";
import { clientOf } from "./rollups.server";
import { programCurrency } from "./program-settings.server";
import { winRateBp } from "./tiers";

/** A partner's figures over one window. */
export type PartnerFigures = {
  window: Window;
  model: AttributionModel;
  currency: string;
  /** Credited cents under the program model, deals closed in the window. */
  creditedRevenue: number;
  /** Won deals closed in the window that credit the partner under the program model. */
  dealsWon: number;
  /** Deals the partner registered, closed in the window. */
  won: number;
  lost: number;
  /** Basis points; null when none of its registrations closed in the window. */
  winRate: number | null;
  registrationsSubmitted: number;
  registrationsApproved: number;
  /** Not a figure of its own: whether the month had any activity at all (reports). */
  registrationsRejected: number;
};

/** The window a span covers at `asOf` (a month or quarter: the calendar period; now: empty). */
export function spanWindow(span: Span, asOf: Date): Window {
  switch (span.kind) {
    case "ttm":
      return trailing12Months(asOf);
    case "month":
    case "quarter":
      return calendarWindow(span.value);
    case "now":
      return { from: asOf, to: asOf };
  }
}

/**
 * A window cut at month boundaries: the whole UTC months inside it (answered by the rollups)
 * and the at most two partial months at its ends (answered from the deals themselves).
 */
export function splitAtMonths(window: Window): { months: string[]; edges: Window[] } {
  const [from, to] = [window.from.getTime(), window.to.getTime()];
  const months: string[] = [];
  const edges: Window[] = [];
  if (to <= from) return { months, edges };
  for (const m of monthsIn(window)) {
    const [start, end] = [periodStart(m).getTime(), periodEnd(m).getTime()];
    if (start >= from && end <= to) months.push(m);
    else edges.push({ from: new Date(Math.max(start, from)), to: new Date(Math.min(end, to)) });
  }
  return { months, edges };
}

/**
 * One partner's period figures over `window`. Credited revenue and deals won are the
 * attribution engine's: whole months from its per-month rollup (partner_month_credit, kept by
 * refreshDealRollups in every write's transaction), partial months at the window's ends from
 * creditPartnerDeals, the attribution page's own computation. Win rate and registrations count
 * the deals it registered, each through a covering index on the partner's deals.
 */
export function partnerFigures(db: DB, partnerId: number, window: Window, model: AttributionModel = programModel(db)): PartnerFigures {
  const credit = partnerCredit(db, partnerId, window, [model]).totals[model];
  return { ...partnerOutcomes(db, partnerId, window, model), creditedRevenue: credit.cents, dealsWon: credit.deals };
}

/** partnerFigures less its credit (the counts of the deals it registered), for a caller that has partnerCredit already. */
export function partnerOutcomes(db: DB, partnerId: number, window: Window, model: AttributionModel): Omit<PartnerFigures, "creditedRevenue" | "dealsWon"> {
  const [from, to] = [window.from.getTime(), window.to.getTime()];
  const row = clientOf(db)
    .prepare(
      `SELECT
         (SELECT count(*) FROM deals WHERE partner_id = @partnerId AND stage = 'won' AND closed_at >= @from AND closed_at < @to) AS won,
         (SELECT count(*) FROM deals WHERE partner_id = @partnerId AND stage = 'lost' AND closed_at >= @from AND closed_at < @to) AS lost,
         (SELECT count(*) FROM deals WHERE partner_id = @partnerId AND submitted_at >= @from AND submitted_at < @to) AS submitted,
         (SELECT count(*) FROM deals INDEXED BY deals_partner_decided_idx
           WHERE partner_id = @partnerId AND decided_at >= @from AND decided_at < @to AND stage NOT IN ('submitted', 'rejected')) AS approved,
         (SELECT count(*) FROM deals INDEXED BY deals_partner_decided_idx
           WHERE partner_id = @partnerId AND decided_at >= @from AND decided_at < @to AND stage = 'rejected') AS rejected`,
    )
    .get({ partnerId, from, to }) as Record<"won" | "lost" | "submitted" | "approved" | "rejected", number>;
  return {
    window,
    model,
    currency: programCurrency(db),
    won: row.won,
    lost: row.lost,
    winRate: winRateBp(row.won, row.lost),
    registrationsSubmitted: row.submitted,
    registrationsApproved: row.approved,
    registrationsRejected: row.rejected,
  };
}

/** The figures of a span at `asOf`: the trailing 12 months up to it, or a calendar month or quarter. */
export function partnerFiguresFor(db: DB, partnerId: number, span: Exclude<Span, { kind: "now" }>, asOf: Date = new Date()): PartnerFigures {
  return partnerFigures(db, partnerId, spanWindow(span, asOf));
}

/**
 * The partner's open registrations at `asOf`: how many and their value in the reporting
 * currency at that day's rates (money.server.ts; a deal without a rate is left out of the value
 * and reported by missingRates).
 */
export function openPipeline(db: DB, partnerId: number, asOf: Date = new Date()): { openRegistrations: number; openPipeline: number; currency: string } {
  const row = db
    .select({ n: sql<number>`count(*)`, cents: sql<number>`coalesce(sum(${sql.raw(dealReportingCentsSql('"deals"', asOf))}), 0)` })
    .from(deals)
    .where(and(eq(deals.partnerId, partnerId), inArray(deals.stage, ["submitted", "approved"])))
    .get();
  return { openRegistrations: row?.n ?? 0, openPipeline: row?.cents ?? 0, currency: programCurrency(db) };
}

/** The value of a period figure, by key (null: a win rate with nothing closed). */
export function figureValue(f: PartnerFigures, key: Exclude<FigureKey, "openRegistrations" | "openPipeline">): number | null {
  return f[key];
}

/** One partner's credit over a window under every model, by month, with its sourced share. */
export type PartnerCredit = {
  /** Per model: credited cents and credited won deals per 'YYYY-MM' of the window (months with none absent). */
  byMonth: Record<AttributionModel, Map<string, { cents: number; deals: number }>>;
  totals: Record<AttributionModel, { cents: number; deals: number }>;
  /** Under `sourcedModel`: the credit from deals the partner registered (the rest it influenced); null when not asked for. */
  sourcedCents: number | null;
};

/**
 * partnerFigures' credited revenue and deals won, under several models at once and kept per
 * month (the partner page's chart and its "other models"): whole months from
 * partner_month_credit, the window's partial months from the engine over the shorter part,
 * exactly as partnerFigures cuts them. The sourced share reads the partner's own won deals of
 * the window through deals_partner_stage_closed_idx and their credit in deal_rollups — never
 * its touched deals one by one.
 */
export function partnerCredit(
  db: DB,
  partnerId: number,
  window: Window,
  models: readonly AttributionModel[],
  sourcedModel: AttributionModel | null = null,
): PartnerCredit {
  const c = clientOf(db);
  const { months, edges } = splitAtMonths(window);
  const byMonth = Object.fromEntries(models.map((m) => [m, new Map()])) as PartnerCredit["byMonth"];
  const bump = (model: AttributionModel, month: string, cents: number, deals: number) => {
    const at = byMonth[model].get(month) ?? { cents: 0, deals: 0 };
    byMonth[model].set(month, { cents: at.cents + cents, deals: at.deals + deals });
  };
  // Each edge: the engine over the edge itself, or the month's rollup less the engine over the rest.
  const rolledMonths = [...months];
  const engineParts: { window: Window; sign: 1 | -1 }[] = [];
  for (const edge of edges) {
    const month = periodOf(edge.from);
    const [start, end] = [periodStart(month), periodEnd(month)];
    const rest: Window | null =
      edge.from.getTime() === start.getTime() ? { from: edge.to, to: end } : edge.to.getTime() === end.getTime() ? { from: start, to: edge.from } : null;
    const length = (w: Window) => w.to.getTime() - w.from.getTime();
    if (rest && length(rest) < length(edge)) {
      rolledMonths.push(month);
      engineParts.push({ window: rest, sign: -1 });
    } else engineParts.push({ window: edge, sign: 1 });
  }
  if (rolledMonths.length) {
    const rows = c
      .prepare(
        `SELECT model, month, credited_cents, credited_deals FROM partner_month_credit
          WHERE partner_id = ? AND model IN (SELECT value FROM json_each(?)) AND month IN (SELECT value FROM json_each(?))`,
      )
      .raw(true)
      .all(partnerId, JSON.stringify(models), JSON.stringify(rolledMonths)) as [AttributionModel, string, number, number][];
    for (const [model, month, cents, deals] of rows) bump(model, month, cents, deals);
  }
  for (const part of engineParts) {
    for (const d of creditPartnerDeals(db, partnerId, part.window, models)) {
      for (const model of models) {
        if (d.credit[model] <= 0) continue;
        bump(model, periodOf(new Date(d.closedAt)), part.sign * d.credit[model], part.sign);
      }
    }
  }
  const totals = Object.fromEntries(
    models.map((m) => {
      let cents = 0;
      let deals = 0;
      for (const v of byMonth[m].values()) {
        cents += v.cents;
        deals += v.deals;
      }
      return [m, { cents, deals }];
    }),
  ) as PartnerCredit["totals"];
  if (sourcedModel === null) return { byMonth, totals, sourcedCents: null };
  // Under the Sourced model only the registrant is credited: all of it is sourced.
  if (sourcedModel === "sourced" && totals.sourced) return { byMonth, totals, sourcedCents: totals.sourced.cents };
  const sourced = c
    .prepare(
      `SELECT coalesce(sum(j.value ->> 1), 0) FROM deals d INDEXED BY deals_partner_stage_closed_idx
         JOIN deal_rollups r ON r.deal_id = d.id, json_each(r.credits, '$.' || ?) j
        WHERE d.partner_id = ? AND d.stage = 'won' AND d.closed_at >= ? AND d.closed_at < ? AND j.value ->> 0 = ?`,
    )
    .pluck()
    .get(sourcedModel, partnerId, window.from.getTime(), window.to.getTime(), partnerId) as number;
  return { byMonth, totals, sourcedCents: sourced };
}
