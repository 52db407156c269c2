// The metrics snapshot stored with every tier evaluation and review — the figures, how they were
// computed, and the thresholds they were judged against — so a decision can be explained later
// even after the ladder or the model changed (docs/domain.md "Tier evaluation"). Pure: also how
// those figures and thresholds read in pages and emails.
import type { AttributionModel } from "../../db/schema";
import type { ThresholdLine } from "../../emails/tier-downgrade-warning";
import { MODEL_LABEL } from "./attribution";
import { figureLabel } from "./figures";
import { formatMoney } from "./format";
import { thresholdsOf, type Threshold, type TierMetrics, type TierRule } from "./tiers";

export type ThresholdSet = { tier: string; rule: "all" | "any"; items: Threshold[] };

export type TierSnapshot = TierMetrics & {
  model: AttributionModel;
  /** ISO instants; `to` is exclusive (the first instant after the evaluated period). */
  window: { from: string; to: string };
  currentTier: string;
  qualifyingTier: string;
  thresholds: { current: ThresholdSet; qualifying: ThresholdSet };
};

function thresholdSet(tier: TierRule, m: TierMetrics): ThresholdSet {
  return { tier: tier.name, rule: tier.thresholdRule, items: thresholdsOf(tier, m) };
}

export function snapshotOf(
  current: TierRule,
  qualifying: TierRule,
  m: TierMetrics,
  model: AttributionModel,
  window: { from: Date; to: Date }
): TierSnapshot {
  return {
    revenueCents: m.revenueCents,
    wonDeals: m.wonDeals,
    closedDeals: m.closedDeals,
    winRateBp: m.winRateBp,
    model,
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    currentTier: current.name,
    qualifyingTier: qualifying.name,
    thresholds: { current: thresholdSet(current, m), qualifying: thresholdSet(qualifying, m) },
  };
}

const TTM = { kind: "ttm" } as const;

/** A threshold as the partner reads it: the figures formatted and what is still needed in words. */
export type ThresholdProgress = Threshold & { haveText: string; needText: string; remainingText: string };

export function describeThreshold(t: Threshold, currency: string): ThresholdProgress {
  const show = (v: number) => (t.key === "revenue" ? formatMoney(v, currency) : t.key === "winRate" ? formatWinRate(v) : String(v));
  let remainingText = "Met";
  if (!t.met) {
    if (t.key === "revenue") remainingText = `${formatMoney(t.remaining, currency)} more credited revenue`;
    else if (t.key === "wonDeals") remainingText = `${t.remaining} more won ${t.remaining === 1 ? "deal" : "deals"}`;
    else remainingText = `${(t.remaining / 100).toFixed(1)} percentage points more win rate`;
  }
  return { ...t, haveText: show(t.have), needText: show(t.need), remainingText };
}

export function formatWinRate(bp: number | null): string {
  return bp === null ? "—" : `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 1)}%`;
}

/** A threshold as people read it: money, a count or a percentage. */
export function formatThreshold(t: Threshold, currency = "USD"): ThresholdLine {
  const show = (v: number) =>
    t.key === "revenue" ? formatMoney(v, currency) : t.key === "winRate" ? formatWinRate(v) : String(v);
  return { label: t.label, have: show(t.have), need: show(t.need), met: t.met };
}

export function snapshotFigures(s: TierSnapshot, currency = "USD"): string[] {
  return [
    `${figureLabel("creditedRevenue", TTM)} (${MODEL_LABEL[s.model] ?? s.model} model): ${formatMoney(s.revenueCents, currency)}`,
    `${figureLabel("dealsWon", TTM)}: ${s.wonDeals}`,
    `${figureLabel("winRate", TTM)}: ${formatWinRate(s.winRateBp)} of ${s.closedDeals} closed deal${
      s.closedDeals === 1 ? "" : "s"
    }`,
  ];
}
