// Program metrics over the database (docs/domain.md "Program metrics"): over the 12 months before
// the as-of month, partner-involved vs direct deals — win rate, ACV, median sales cycle, the
// revenue split sourced / influenced / direct, and logo churn and NRR of customers by how their
// first won deal came in — with the same figures by partner kind and by pillar. All of it from
// the monthly rollups (rollups.server.ts): a few hundred rows, whatever the number of deals.
//
// Segments: a closed deal is partner-involved when a partner registered it (sourced) or touched
// it (influenced), direct otherwise; it counts for the kind of every partner that registered or
// touched it and for the pillar of every partner touch on it. Retention compares the last month
// of the window ("now") with the same month a year earlier.
import { PARTNER_KINDS, PILLARS, type PartnerKind } from "../../db/schema";
import type { DB } from "../db.server";
import { analyticsPeriod, type AnalyticsPeriod } from "./ecosystem.server";
import {
  addDealCounts,
  addHistograms,
  addRetention,
  NO_DEALS,
  NO_RETENTION,
  sampled,
  segmentMetrics,
  type DealCounts,
  type RetentionCounts,
  type SampledFigure,
  type SegmentMetrics,
} from "./program-metrics";
import { addMonths } from "./periods";
import { clientOf, ensureRollups, SOURCE_SEGMENTS, type SourceSegment } from "./rollups.server";

export type RevenueSplitPart = { source: SourceSegment; cents: number; share: number | null; wonDeals: SampledFigure };

export type ProgramMetrics = {
  period: AnalyticsPeriod;
  retentionMonths: { now: string; then: string };
  involved: SegmentMetrics;
  direct: SegmentMetrics;
  revenueSplit: { totalCents: number; parts: RevenueSplitPart[] };
  byKind: ({ kind: PartnerKind } & SegmentMetrics)[];
  byPillar: ({ pillar: (typeof PILLARS)[number] } & SegmentMetrics)[];
};

/**
 * Won deals and won revenue of one month ('YYYY-MM', by close date) per source segment: the
 * rollups' sourced / influenced / direct, so the rule is dealSource's (attribution.ts) alone.
 */
export function monthRevenueBySource(db: DB, month: string): Record<SourceSegment, { deals: number; cents: number }> {
  ensureRollups(db);
  const rows = clientOf(db)
    .prepare(`SELECT segment, won_deals, won_cents FROM program_month_stats WHERE month = ?`)
    .raw(true)
    .all(month) as [string, number, number][];
  const of = (segment: SourceSegment) => {
    const row = rows.find(([s]) => s === segment);
    return { deals: row?.[1] ?? 0, cents: row?.[2] ?? 0 };
  };
  return { sourced: of("sourced"), influenced: of("influenced"), direct: of("direct") };
}

export function programMetrics(db: DB, asOf: Date = new Date()): ProgramMetrics {
  ensureRollups(db);
  const c = clientOf(db);
  const period = analyticsPeriod(asOf);
  const now = addMonths(period.endMonth, -1);
  const then = addMonths(now, -12);

  const deals = new Map<string, DealCounts>();
  for (const [segment, wonDeals, lostDeals, wonCents] of c
    .prepare(
      `SELECT segment, sum(won_deals), sum(lost_deals), sum(won_cents) FROM program_month_stats
        WHERE month >= ? AND month < ? GROUP BY segment`,
    )
    .raw(true)
    .all(period.fromMonth, period.endMonth) as [string, number, number, number][]) {
    deals.set(segment, { wonDeals, lostDeals, wonCents });
  }
  const cycles = new Map<string, Map<number, number>>();
  for (const [segment, days, n] of c
    .prepare(
      `SELECT segment, cycle_days, sum(won_deals) FROM program_month_cycles
        WHERE month >= ? AND month < ? GROUP BY segment, cycle_days`,
    )
    .raw(true)
    .all(period.fromMonth, period.endMonth) as [string, number, number][]) {
    let h = cycles.get(segment);
    if (!h) cycles.set(segment, (h = new Map()));
    h.set(days, n);
  }
  const retention = new Map<string, RetentionCounts>();
  for (const [segment, cohortCustomers, churnedCustomers, mrrThenCents, mrrNowCents] of c
    .prepare(
      `SELECT segment, cohort_customers, churned_customers, mrr_then_cents, mrr_now_cents
         FROM program_month_retention WHERE month = ?`,
    )
    .raw(true)
    .all(now) as [string, number, number, number, number][]) {
    retention.set(segment, { cohortCustomers, churnedCustomers, mrrThenCents, mrrNowCents });
  }

  const of = (segment: string) =>
    segmentMetrics(deals.get(segment) ?? NO_DEALS, cycles.get(segment) ?? new Map(), retention.get(segment) ?? NO_RETENTION);
  const involvedDeals = addDealCounts(deals.get("sourced") ?? NO_DEALS, deals.get("influenced") ?? NO_DEALS);
  const involved = segmentMetrics(
    involvedDeals,
    addHistograms(cycles.get("sourced") ?? new Map(), cycles.get("influenced") ?? new Map()),
    addRetention(retention.get("sourced") ?? NO_RETENTION, retention.get("influenced") ?? NO_RETENTION),
  );
  const totalCents = SOURCE_SEGMENTS.reduce((s, seg) => s + (deals.get(seg)?.wonCents ?? 0), 0);
  return {
    period,
    retentionMonths: { now, then },
    involved,
    direct: of("direct"),
    revenueSplit: {
      totalCents,
      parts: SOURCE_SEGMENTS.map((source) => {
        const d = deals.get(source) ?? NO_DEALS;
        return {
          source,
          cents: d.wonCents,
          share: totalCents > 0 ? d.wonCents / totalCents : null,
          wonDeals: sampled(d.wonDeals, d.wonDeals),
        };
      }),
    },
    byKind: PARTNER_KINDS.map((kind) => ({ kind, ...of(`kind:${kind}`) })),
    byPillar: PILLARS.map((pillar) => ({ pillar, ...of(`pillar:${pillar}`) })),
  };
}
