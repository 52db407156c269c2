// Program metrics arithmetic (docs/domain.md "Program metrics"): rates, means and medians over the
// monthly rollups, each figure with the sample it stands on, labelled low below 10.

export const LOW_SAMPLE = 10;

/** A figure and how many deals or customers it is computed over. */
export type SampledFigure = { value: number | null; n: number; lowSample: boolean };

export function sampled(value: number | null, n: number): SampledFigure {
  return { value: n > 0 ? value : null, n, lowSample: n < LOW_SAMPLE };
}

/** Counts of won deals closed per segment, summed over months. */
export type DealCounts = { wonDeals: number; lostDeals: number; wonCents: number };
/** Cohort of customers with MRR a year before the "now" month. */
export type RetentionCounts = { cohortCustomers: number; churnedCustomers: number; mrrThenCents: number; mrrNowCents: number };

export const NO_DEALS: DealCounts = { wonDeals: 0, lostDeals: 0, wonCents: 0 };
export const NO_RETENTION: RetentionCounts = { cohortCustomers: 0, churnedCustomers: 0, mrrThenCents: 0, mrrNowCents: 0 };

export function addDealCounts(a: DealCounts, b: DealCounts): DealCounts {
  return { wonDeals: a.wonDeals + b.wonDeals, lostDeals: a.lostDeals + b.lostDeals, wonCents: a.wonCents + b.wonCents };
}

export function addRetention(a: RetentionCounts, b: RetentionCounts): RetentionCounts {
  return {
    cohortCustomers: a.cohortCustomers + b.cohortCustomers,
    churnedCustomers: a.churnedCustomers + b.churnedCustomers,
    mrrThenCents: a.mrrThenCents + b.mrrThenCents,
    mrrNowCents: a.mrrNowCents + b.mrrNowCents,
  };
}

/** Merges histograms of value → count. */
export function addHistograms(...histograms: ReadonlyMap<number, number>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const h of histograms) for (const [v, n] of h) out.set(v, (out.get(v) ?? 0) + n);
  return out;
}

/** The median of a multiset given as value → count (the mean of the two middle values when even). */
export function medianOfHistogram(histogram: ReadonlyMap<number, number>): number | null {
  const entries = [...histogram].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const lo = Math.floor((total - 1) / 2);
  const hi = Math.floor(total / 2);
  let seen = 0;
  let loValue: number | null = null;
  for (const [value, n] of entries) {
    if (loValue === null && lo < seen + n) loValue = value;
    if (hi < seen + n) return (loValue! + value) / 2;
    seen += n;
  }
  return null;
}

export type SegmentMetrics = {
  /** Won ÷ closed (won + lost); n = closed deals. */
  winRate: SampledFigure;
  /** Mean won amount (cents); n = won deals. */
  acvCents: SampledFigure;
  /** Median whole days from submission to close of won deals; n = won deals. */
  medianCycleDays: SampledFigure;
  revenueCents: number;
  wonDeals: number;
  closedDeals: number;
  /** MRR now ÷ MRR a year ago of the customers that had MRR then; n = those customers. */
  nrr: SampledFigure;
  /** Share of those customers without MRR now; n = those customers. */
  logoChurn: SampledFigure;
};

export function segmentMetrics(deals: DealCounts, cycles: ReadonlyMap<number, number>, retention: RetentionCounts): SegmentMetrics {
  const closed = deals.wonDeals + deals.lostDeals;
  const cohort = retention.cohortCustomers;
  return {
    winRate: sampled(closed ? deals.wonDeals / closed : null, closed),
    acvCents: sampled(deals.wonDeals ? deals.wonCents / deals.wonDeals : null, deals.wonDeals),
    medianCycleDays: sampled(medianOfHistogram(cycles), deals.wonDeals),
    revenueCents: deals.wonCents,
    wonDeals: deals.wonDeals,
    closedDeals: closed,
    nrr: sampled(retention.mrrThenCents > 0 ? retention.mrrNowCents / retention.mrrThenCents : null, cohort),
    logoChurn: sampled(cohort ? retention.churnedCustomers / cohort : null, cohort),
  };
}
