// The figures tiers are judged on, per partner, over the trailing 12 months: credited revenue
// and credited won deals under the program's attribution model, and the win rate of the deals
// it registered. One definition for the tier page, the evaluation job and the settings preview
// (docs/domain.md "Tier evaluation"); also the month-by-month trend of the credited revenue.
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { deals, partners, tiers, type AttributionModel, type Tier } from "../../db/schema";
import type { DB } from "../db.server";
import { creditAllPartners, creditPartnerDeals, programModel, trailing12Months } from "./attribution.server";
import { partnerFigures, type PartnerFigures } from "./figures.server";
import { addMonths, periodOf, periodStart } from "./periods";
import { winRateBp, type TierMetrics } from "./tiers";

export function loadLadder(db: DB): Tier[] {
  return db.select().from(tiers).orderBy(asc(tiers.rank)).all();
}

function closedCounts(db: DB, from: Date, to: Date) {
  return db
    .select({
      partnerId: deals.partnerId,
      won: sql<number>`sum(case when ${deals.stage} = 'won' then 1 else 0 end)`,
      lost: sql<number>`sum(case when ${deals.stage} = 'lost' then 1 else 0 end)`,
    })
    .from(deals)
    .where(
      and(
        inArray(deals.stage, ["won", "lost"]),
        gte(deals.closedAt, from),
        lt(deals.closedAt, to),
        sql`${deals.partnerId} IS NOT NULL`,
      ),
    )
    .groupBy(deals.partnerId)
    .all();
}

/**
 * Metrics of every active partner (zeros included), keyed by partner id, under the program's
 * attribution model — or under `model`, which is how the settings preview asks "what if", so a
 * preview and a real run can never count differently.
 */
export function tierMetricsForAll(
  db: DB,
  asOf: Date,
  model: AttributionModel = programModel(db)
): Map<number, TierMetrics> {
  const window = trailing12Months(asOf);
  const credits = creditAllPartners(db, window, [model]).get(model)!;
  const closed = new Map(closedCounts(db, window.from, window.to).map((r) => [r.partnerId!, r]));
  const active = db.select({ id: partners.id }).from(partners).where(eq(partners.status, "active")).all();
  const out = new Map<number, TierMetrics>();
  for (const { id } of active) {
    const c = credits.get(id);
    const k = closed.get(id);
    out.set(id, {
      revenueCents: c?.cents ?? 0,
      wonDeals: c?.deals ?? 0,
      closedDeals: (k?.won ?? 0) + (k?.lost ?? 0),
      winRateBp: winRateBp(k?.won ?? 0, k?.lost ?? 0),
    });
  }
  return out;
}

/** One partner's metrics: the same definition as tierMetricsForAll, computed for it alone. */
export function tierMetricsForPartner(db: DB, partnerId: number, asOf: Date): TierMetrics {
  return tierMetricsOf(partnerFigures(db, partnerId, trailing12Months(asOf)));
}

/** The tier's view of a partner's trailing-12-month figures (figures.ts). */
export function tierMetricsOf(f: PartnerFigures): TierMetrics {
  return { revenueCents: f.creditedRevenue, wonDeals: f.dealsWon, closedDeals: f.won + f.lost, winRateBp: f.winRate };
}

/**
 * A partner's credited revenue per calendar month over a 12-month window, under one model:
 * one pass over the partner's own credited deals, bucketed by close month.
 */
export function monthlyCreditedRevenue(
  db: DB,
  partnerId: number,
  window: { from: Date; to: Date },
  model: AttributionModel
): { period: string; cents: number }[] {
  const months: { period: string; cents: number }[] = [];
  for (let p = periodOf(window.from); periodStart(p) < window.to; p = addMonths(p, 1))
    months.push({ period: p, cents: 0 });
  const index = new Map(months.map((m, i) => [m.period, i]));
  for (const d of creditPartnerDeals(db, partnerId, window, [model])) {
    const i = index.get(periodOf(new Date(d.closedAt)));
    if (i !== undefined) months[i].cents += d.credit[model];
  }
  return months;
}
