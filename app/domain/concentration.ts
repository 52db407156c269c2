// Revenue concentration of the partner ecosystem (docs/domain.md "Ecosystem health"): HHI and its
// band, effective number of partners, top-20% share, N80 head/tail split, Gini, the largest
// single share and Lorenz/Pareto curve points. Pure functions over per-partner revenue.

export type HhiBand = "highly_concentrated" | "moderately_concentrated" | "unconcentrated";
export const HHI_BAND_LABEL: Record<HhiBand, string> = {
  highly_concentrated: "Highly concentrated",
  moderately_concentrated: "Moderately concentrated",
  unconcentrated: "Unconcentrated",
};
export const LARGEST_SHARE_ALERT = 0.25;

/** 2023 US Merger Guidelines: above 1,800 highly, 1,000–1,800 moderately, below 1,000 un-. */
export function hhiBand(hhi: number): HhiBand {
  if (hhi > 1800) return "highly_concentrated";
  if (hhi >= 1000) return "moderately_concentrated";
  return "unconcentrated";
}

export type Concentration = {
  n: number;
  revenueCents: number;
  /** 0…10,000; null when there is no revenue to share. */
  hhi: number | null;
  band: HhiBand | null;
  effectivePartners: number | null;
  top20Count: number;
  top20Share: number | null;
  n80: number | null;
  gini: number;
  largestShare: number | null;
  largestShareAlert: boolean;
};

const EPS = 1e-12;

export function computeConcentration(revenues: readonly number[]): Concentration {
  const n = revenues.length;
  const total = revenues.reduce((s, r) => s + r, 0);
  const top20Count = Math.ceil(0.2 * n);
  if (n === 0 || total <= 0) {
    return {
      n,
      revenueCents: total,
      hhi: null,
      band: null,
      effectivePartners: null,
      top20Count,
      top20Share: null,
      n80: null,
      gini: 0,
      largestShare: null,
      largestShareAlert: false,
    };
  }
  const desc = [...revenues].sort((a, b) => b - a);
  const shares = desc.map((r) => r / total);
  const hhi = shares.reduce((s, x) => s + (100 * x) ** 2, 0);
  let cumulative = 0;
  let n80 = n;
  for (let i = 0; i < n; i++) {
    cumulative += shares[i];
    if (cumulative >= 0.8 - EPS) {
      n80 = i + 1;
      break;
    }
  }
  const top20Share = shares.slice(0, top20Count).reduce((s, x) => s + x, 0);
  return {
    n,
    revenueCents: total,
    hhi,
    band: hhiBand(hhi),
    effectivePartners: 10_000 / hhi,
    top20Count,
    top20Share,
    n80,
    gini: gini(revenues),
    largestShare: shares[0],
    largestShareAlert: shares[0] > LARGEST_SHARE_ALERT,
  };
}

/** Σ (2i − n − 1)·x_i / (n·Σx), x ascending, i from 1; 0 for an empty or zero program. */
export function gini(values: readonly number[]): number {
  const n = values.length;
  const total = values.reduce((s, v) => s + v, 0);
  if (n === 0 || total <= 0) return 0;
  const asc = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += (2 * i - n - 1) * asc[i - 1];
  return sum / (n * total);
}

export type CurvePoint = { partners: number; revenue: number };

/**
 * Lorenz curve: cumulative share of partners (poorest first) against cumulative share of
 * revenue, from (0,0) to (1,1). At most `maxPoints` points, always keeping the ends.
 */
export function lorenzCurve(revenues: readonly number[], maxPoints = 101): CurvePoint[] {
  const n = revenues.length;
  const total = revenues.reduce((s, r) => s + r, 0);
  if (n === 0 || total <= 0) return [{ partners: 0, revenue: 0 }, { partners: 1, revenue: total > 0 ? 1 : 0 }];
  const asc = [...revenues].sort((a, b) => a - b);
  return sampleCumulative(asc, total, maxPoints);
}

/** Pareto curve: the same, richest first — "the top x% of partners bring y% of revenue". */
export function paretoCurve(revenues: readonly number[], maxPoints = 101): CurvePoint[] {
  const n = revenues.length;
  const total = revenues.reduce((s, r) => s + r, 0);
  if (n === 0 || total <= 0) return [{ partners: 0, revenue: 0 }, { partners: 1, revenue: total > 0 ? 1 : 0 }];
  const desc = [...revenues].sort((a, b) => b - a);
  return sampleCumulative(desc, total, maxPoints);
}

function sampleCumulative(sorted: number[], total: number, maxPoints: number): CurvePoint[] {
  const n = sorted.length;
  const step = Math.max(1, Math.ceil(n / (maxPoints - 1)));
  const points: CurvePoint[] = [{ partners: 0, revenue: 0 }];
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += sorted[i];
    if ((i + 1) % step === 0 || i === n - 1) points.push({ partners: (i + 1) / n, revenue: cumulative / total });
  }
  return points;
}

/** The head (the N80 partners) and the long tail, by id, from per-partner revenue. */
export function headAndTail<T extends { revenueCents: number }>(rows: readonly T[]): { head: T[]; tail: T[] } {
  const sorted = [...rows].sort((a, b) => b.revenueCents - a.revenueCents);
  const { n80 } = computeConcentration(sorted.map((r) => r.revenueCents));
  const k = n80 ?? 0;
  return { head: sorted.slice(0, k), tail: sorted.slice(k) };
}
