// The metrics snapshot stored with every tier evaluation and review — the figures, how they were
// computed, and the thresholds they were judged against — so a decision can be explained later
// even after the ladder or the model changed (docs/domain.md "Tier evaluation"). Pure: also how
// those figures and thresholds read in pages and emails.
import type { AttributionModel } from "../../db/schema";
import type { ThresholdLine } from "../../emails/tier-downgrade-warning";
import { MODEL_LABEL } from "./attribution";
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
    `Attributed revenue (12 months, ${MODEL_LABEL[s.model] ?? s.model}): ${formatMoney(s.revenueCents, currency)}`,
    `Won deals (12 months): ${s.wonDeals}`,
    `Win rate (12 months): ${formatWinRate(s.winRateBp)} of ${s.closedDeals} closed deal${
      s.closedDeals === 1 ? "" : "s"
    }`,
  ];
}
