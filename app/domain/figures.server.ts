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
import { calendarWindow } from "./periods";
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
 * One partner's period figures over `window`. Credited revenue and deals won are the
 * attribution engine's (creditPartnerDeals, the attribution page's own computation); win rate
 * and registrations count the deals it registered.
 */
export function partnerFigures(db: DB, partnerId: number, window: Window, model: AttributionModel = programModel(db)): PartnerFigures {
  const credited = creditPartnerDeals(db, partnerId, window, [model]).filter((d) => d.credit[model] > 0);
  const [from, to] = [window.from.getTime(), window.to.getTime()];
  const row = db.$client
    .prepare(
      `SELECT
         sum(stage = 'won' AND closed_at >= @from AND closed_at < @to) AS won,
         sum(stage = 'lost' AND closed_at >= @from AND closed_at < @to) AS lost,
         sum(submitted_at >= @from AND submitted_at < @to) AS submitted,
         sum(stage NOT IN ('submitted', 'rejected') AND decided_at >= @from AND decided_at < @to) AS approved,
         sum(stage = 'rejected' AND decided_at >= @from AND decided_at < @to) AS rejected
       FROM deals
      WHERE partner_id = @partnerId
        AND ((submitted_at >= @from AND submitted_at < @to) OR (decided_at >= @from AND decided_at < @to)
             OR (closed_at >= @from AND closed_at < @to))`,
    )
    .get({ partnerId, from, to }) as Record<"won" | "lost" | "submitted" | "approved" | "rejected", number | null>;
  const won = row.won ?? 0;
  const lost = row.lost ?? 0;
  return {
    window,
    model,
    currency: programCurrency(db),
    creditedRevenue: credited.reduce((s, d) => s + d.credit[model], 0),
    dealsWon: credited.length,
    won,
    lost,
    winRate: winRateBp(won, lost),
    registrationsSubmitted: row.submitted ?? 0,
    registrationsApproved: row.approved ?? 0,
    registrationsRejected: row.rejected ?? 0,
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
