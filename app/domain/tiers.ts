// Tier rules (docs/domain.md "Tiers") as pure functions: which tier a partner's trailing-12-month
// figures qualify for, how far it is from the next one, and what an evaluation proposes (upgrade
// at once; downgrade only after one period of grace).

import { figureLabel } from "./figures";

export type TierRule = {
  id: number;
  name: string;
  rank: number;
  minRevenueCents: number;
  minWonDeals: number;
  /** Basis points; null = no win-rate threshold. */
  minWinRateBp: number | null;
  thresholdRule: "all" | "any";
};

export type TierMetrics = {
  revenueCents: number;
  wonDeals: number;
  closedDeals: number;
  /** Basis points of won over closed (won + lost); null when nothing closed. */
  winRateBp: number | null;
};

export type Threshold = {
  key: "revenue" | "wonDeals" | "winRate";
  label: string;
  have: number;
  need: number;
  met: boolean;
  /** 0…1 for a progress bar. */
  fraction: number;
  /** What is still needed (0 when met), in the threshold's unit. */
  remaining: number;
};

export function thresholdsOf(tier: TierRule, m: TierMetrics): Threshold[] {
  const list: Threshold[] = [];
  const add = (key: Threshold["key"], label: string, have: number, need: number) =>
    list.push({
      key,
      label,
      have,
      need,
      met: have >= need,
      fraction: need <= 0 ? 1 : Math.min(1, Math.max(0, have / need)),
      remaining: Math.max(0, need - have),
    });
  // Tiers judge the catalogue's figures (figures.ts) over the trailing 12 months.
  const ttm = { kind: "ttm" } as const;
  if (tier.minRevenueCents > 0) add("revenue", figureLabel("creditedRevenue", ttm), m.revenueCents, tier.minRevenueCents);
  if (tier.minWonDeals > 0) add("wonDeals", figureLabel("dealsWon", ttm), m.wonDeals, tier.minWonDeals);
  if (tier.minWinRateBp !== null && tier.minWinRateBp > 0) add("winRate", figureLabel("winRate", ttm), m.winRateBp ?? 0, tier.minWinRateBp);
  return list;
}

export function qualifies(tier: TierRule, m: TierMetrics): boolean {
  const t = thresholdsOf(tier, m);
  if (t.length === 0) return true;
  return tier.thresholdRule === "any" ? t.some((x) => x.met) : t.every((x) => x.met);
}

export function sortLadder<T extends TierRule>(ladder: readonly T[]): T[] {
  return [...ladder].sort((a, b) => a.rank - b.rank);
}

/** The highest tier whose thresholds are met (the lowest tier when none is). */
export function qualifyingTier<T extends TierRule>(ladder: readonly T[], m: TierMetrics): T {
  const sorted = sortLadder(ladder);
  if (sorted.length === 0) throw new Error("The program has no tiers.");
  let best = sorted[0];
  for (const tier of sorted) if (qualifies(tier, m)) best = tier;
  return best;
}

export function nextTier<T extends TierRule>(ladder: readonly T[], currentRank: number): T | null {
  return sortLadder(ladder).find((t) => t.rank > currentRank) ?? null;
}

export type EvaluationOutcome = "hold" | "propose_upgrade" | "warn_downgrade" | "propose_downgrade";

/**
 * What an evaluation does. `previous` is the outcome of the partner's evaluation for the
 * period before (undefined when there was none).
 */
export function decideEvaluation(currentRank: number, qualifyingRank: number, previous?: EvaluationOutcome | null): EvaluationOutcome {
  if (qualifyingRank > currentRank) return "propose_upgrade";
  if (qualifyingRank < currentRank) {
    return previous === "warn_downgrade" || previous === "propose_downgrade" ? "propose_downgrade" : "warn_downgrade";
  }
  return "hold";
}

export function winRateBp(won: number, lost: number): number | null {
  const closed = won + lost;
  return closed === 0 ? null : Math.round((won / closed) * 10_000);
}

export type LadderProblem = { index: number; message: string };

/** A ladder is valid when names and ranks are unique and every threshold rises with rank. */
export function validateLadder(ladder: readonly TierRule[]): LadderProblem[] {
  const problems: LadderProblem[] = [];
  const sorted = ladder.map((t, index) => ({ t, index })).sort((a, b) => a.t.rank - b.t.rank);
  const seenRanks = new Set<number>();
  const seenNames = new Set<string>();
  for (const { t, index } of sorted) {
    if (seenRanks.has(t.rank)) problems.push({ index, message: `Rank ${t.rank} is used twice; give each tier its own rank.` });
    seenRanks.add(t.rank);
    const name = t.name.trim().toLowerCase();
    if (!name) problems.push({ index, message: "Give the tier a name." });
    else if (seenNames.has(name)) problems.push({ index, message: `The name "${t.name}" is used twice.` });
    seenNames.add(name);
  }
  for (let i = 1; i < sorted.length; i++) {
    const lower = sorted[i - 1].t;
    const { t, index } = sorted[i];
    if (t.minRevenueCents < lower.minRevenueCents) {
      problems.push({ index, message: `${t.name} needs less revenue than ${lower.name}, which ranks below it.` });
    }
    if (t.minWonDeals < lower.minWonDeals) {
      problems.push({ index, message: `${t.name} needs fewer won deals than ${lower.name}, which ranks below it.` });
    }
    if ((t.minWinRateBp ?? 0) < (lower.minWinRateBp ?? 0)) {
      problems.push({ index, message: `${t.name} needs a lower win rate than ${lower.name}, which ranks below it.` });
    }
  }
  return problems;
}
