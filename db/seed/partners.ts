// The demo partners: names, slugs, kinds, regions, statuses, tenure and managers, and the
// heavy tail of who sells how much (Pareto rank weights, a few rising partners), which the
// deals draw from through `partnerAt`.
import { slugify } from "../../app/domain/customers";
import { PARTNER_KINDS, type PartnerKind } from "../schema";
import { PARTNER_CORE, PARTNER_PREFIX, PARTNER_SUFFIX, SPECIAL_PARTNERS } from "./demo-text";
import { pick, shuffle, weighted, type Rng } from "./random";
import { DAY } from "./time";

export type PartnerRoster = {
  count: number;
  names: string[];
  slugs: string[];
  kinds: PartnerKind[];
  regions: string[];
  statuses: string[];
  formats: string[];
  managers: (string | null)[];
  joinedAt: Float64Array;
  /** Churned and suspended partners stop registering here. */
  activeUntil: Float64Array;
  /** Big partners sell bigger deals (see dealSizeFactor). */
  sizeFactor: Float64Array;
  winFactor: Float64Array;
  /** A partner active at `t`, by weight and trend; -1 if none accepts (the deal goes direct). */
  partnerAt(rng: Rng, t: number): number;
};

/** Big partners sell bigger deals: 1.5× the median deal size at the top, 0.8× in the tail. */
const dealSizeFactor = (rank: number, n: number) => 0.8 + 0.7 * (1 - rank / n) ** 4;

/**
 * Registration weight by revenue rank: (rank/n)^(−1/α). Order statistics concentrate as n
 * grows, so α is solved for each n (bisection) to give the top 20% 77% of the
 * expected revenue; tenure, churn and chance then put the realized share near 80%.
 */
function paretoRankWeights(n: number): number[] {
  const TARGET = 0.77;
  const weights = (alpha: number) => Array.from({ length: n }, (_, r) => ((r + 0.5) / n) ** (-1 / alpha));
  const topShare = (alpha: number) => {
    const w = weights(alpha);
    let top = 0;
    let all = 0;
    for (let r = 0; r < n; r++) {
      const revenue = w[r]! * dealSizeFactor(r, n);
      all += revenue;
      if (r < Math.ceil(0.2 * n)) top += revenue;
    }
    return top / all;
  };
  let lo = 1.01; // share falls as α rises
  let hi = 4;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (topShare(mid) > TARGET) lo = mid;
    else hi = mid;
  }
  return weights((lo + hi) / 2);
}

export function planPartners(
  rngPartners: Rng,
  options: { partners: number; months: number; asOf: number; windowStart: number; managerIds: string[] }
): PartnerRoster {
  const N = options.partners;
  const { months, asOf, managerIds } = options;
  const span = asOf - options.windowStart;

  // The first partners take every kind once, in the schema's order.
  const KINDS: readonly PartnerKind[] = PARTNER_KINDS;
  const names: string[] = [];
  const slugs: string[] = [];
  const kinds: PartnerKind[] = [];
  const regions: string[] = [];
  const statuses: string[] = [];
  const formats: string[] = [];
  const managers: (string | null)[] = [];
  const joinedAt = new Float64Array(N);
  const activeUntil = new Float64Array(N); // churned/suspended partners stop registering
  const usedNames = new Set<string>();
  const usedSlugs = new Set<string>();
  const specialAt = new Map(SPECIAL_PARTNERS.map((s) => [s.at, s]));
  const joinSpan = Math.max(4 * 365, months * 31 + 180) * DAY;

  for (let i = 0; i < N; i++) {
    const kind =
      i < KINDS.length
        ? KINDS[i]!
        : weighted(rngPartners, [
            ["reseller", 30],
            ["referral", 25],
            ["agency", 15],
            ["affiliate", 10],
            ["technology", 12],
            ["strategic", 8],
          ] as const);
    const special = specialAt.get(i);
    let name = special?.name;
    for (let attempt = 0; !name || usedNames.has(name); attempt++) {
      name = `${pick(rngPartners, PARTNER_PREFIX)}${pick(rngPartners, PARTNER_CORE)} ${pick(
        rngPartners,
        PARTNER_SUFFIX[kind]
      )}`;
      if (attempt > 20)
        name += ` ${pick(rngPartners, ["Europe", "Americas", "Pacific", "Nordic", "West", "East"])}`;
      if (attempt > 40) name += ` ${attempt}`;
    }
    usedNames.add(name);
    let slug = slugify(name);
    for (let n = 2; usedSlugs.has(slug); n++) slug = `${slugify(name)}-${n}`;
    usedSlugs.add(slug);

    const region =
      special?.region ??
      (i < 4
        ? (["North America", "EMEA", "APAC", "Latin America"] as const)[i]!
        : weighted(rngPartners, [
            ["North America", 40],
            ["EMEA", 30],
            ["APAC", 18],
            ["Latin America", 12],
          ] as const));
    let status =
      i === 0
        ? "active"
        : weighted(rngPartners, [
            ["active", 90],
            ["suspended", 3],
            ["churned", 5],
            ["applied", 2],
          ] as const);
    // Every status shows up in any demo big enough to have a long tail.
    if (N >= 20 && i >= N - 3) status = (["suspended", "churned", "applied"] as const)[N - 1 - i]!;
    const format =
      i === 1
        ? "email"
        : i === 4
        ? "off"
        : weighted(rngPartners, [
            ["pdf", 75],
            ["email", 18],
            ["off", 7],
          ] as const);

    // Tenure skewed to older partners; a handful ramping (joined in the last 180 days).
    let joined = asOf - (30 + (joinSpan / DAY - 30) * rngPartners() ** 0.8) * DAY;
    if (i === 0) joined = asOf - (900 + 300 * rngPartners()) * DAY;
    if (i === 5 || i === 11 || i === 19) joined = asOf - (40 + 130 * rngPartners()) * DAY;
    if (status === "applied") joined = asOf - (2 + 25 * rngPartners()) * DAY;
    joined = Math.floor(joined / DAY) * DAY;
    let until = asOf;
    if (status === "churned") until = Math.max(joined + 60 * DAY, asOf - (60 + 240 * rngPartners()) * DAY);
    if (status === "suspended") until = Math.max(joined + 30 * DAY, asOf - (20 + 100 * rngPartners()) * DAY);
    if (until >= asOf) {
      until = asOf;
      if (status !== "applied") status = "active";
    }
    const manager = rngPartners() < 0.12 ? pick(rngPartners, managerIds) : managerIds[i % managerIds.length]!;

    names.push(name);
    slugs.push(slug);
    kinds.push(kind);
    regions.push(region);
    statuses.push(status);
    formats.push(format);
    managers.push(status === "applied" ? null : manager);
    joinedAt[i] = joined;
    activeUntil[i] = until;
  }

  // Heavy tail: weights are the expected order statistics of a Pareto distribution (not random
  // draws), so even 60 partners land near the 80/20 split. The largest weights go to
  // established active partners; partner 0 (the first demo login) is third, and big partners
  // also sell bigger deals.
  const rankWeights = paretoRankWeights(N);
  const established = (i: number) => statuses[i] === "active" && joinedAt[i]! <= asOf - 540 * DAY;
  const head = shuffle(
    rngPartners,
    [...Array(N).keys()].filter((i) => i !== 0 && established(i))
  );
  const rest = shuffle(
    rngPartners,
    [...Array(N).keys()].filter((i) => i !== 0 && !established(i) && statuses[i] !== "applied")
  );
  const order = [...head.slice(0, 2), 0, ...head.slice(2), ...rest];
  const weight = new Float64Array(N);
  const sizeFactor = new Float64Array(N).fill(1);
  const rankOf = new Int32Array(N).fill(N);
  order.forEach((p, r) => {
    weight[p] = rankWeights[r]!;
    rankOf[p] = r;
    sizeFactor[p] = dealSizeFactor(r, N);
  });
  const winFactor = new Float64Array(N);
  const trend = new Float64Array(N); // per-year log growth of the registration rate
  for (let p = 0; p < N; p++) {
    winFactor[p] = 0.8 + 0.4 * rngPartners();
    const rising = rankOf[p]! > N * 0.2 && rngPartners() < 0.1;
    trend[p] = rising ? 2 + 1.5 * rngPartners() : -0.3 + 0.6 * rngPartners();
  }
  const cumulative = new Float64Array(N);
  for (let p = 0, s = 0; p < N; p++) cumulative[p] = s += weight[p]!;
  const totalWeight = cumulative[N - 1]!;

  /** A partner active at `t`, by weight and trend; -1 if none accepts (the deal goes direct). */
  function partnerAt(rng: Rng, t: number): number {
    if (totalWeight <= 0) return -1;
    for (let attempt = 0; attempt < 12; attempt++) {
      const x = rng() * totalWeight;
      let lo = 0;
      let hi = N - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > x) hi = mid;
        else lo = mid + 1;
      }
      if (t < joinedAt[lo]! || t > activeUntil[lo]!) continue;
      const k = trend[lo]!;
      const f = Math.exp((k * (t - asOf)) / (365 * DAY));
      if (rng() * (k > 0 ? 1 : Math.exp((-k * span) / (365 * DAY))) < f) return lo;
    }
    return -1;
  }

  return {
    count: N,
    names,
    slugs,
    kinds,
    regions,
    statuses,
    formats,
    managers,
    joinedAt,
    activeUntil,
    sizeFactor,
    winFactor,
    partnerAt,
  };
}
