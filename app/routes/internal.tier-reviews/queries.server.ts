// What the tier reviews page shows, read in one go for its loader: the pending proposals as
// cards (the figures against what the current and proposed tier need, and the partner's monthly
// trend), the latest decisions, the ladder, and the months an evaluation can be run for.
import type { DB } from "../../db.server";
import { MODEL_LABEL } from "../../domain/attribution";
import { formatMoney } from "../../domain/format";
import { addMonths, lastCompletedPeriod, periodLabel } from "../../domain/periods";
import { getProgramSettings } from "../../domain/program-settings.server";
import { latestEvaluatedPeriod } from "../../domain/tier-evaluation.server";
import { countPendingReviews, evaluatedPeriods, listDecidedReviews, listPendingReviews } from "../../domain/tier-history.server";
import { loadLadder, monthlyCreditedRevenue } from "../../domain/tier-metrics.server";
import { formatThreshold, formatWinRate, type ThresholdSet, type TierSnapshot } from "../../domain/tier-snapshot";
import type { Threshold } from "../../domain/tiers";
import { FIGURES } from "../../domain/figures";

/** Each card computes a 12-month trend; past this many the rest wait for the oldest. */
const PENDING_LIMIT = 50;

/** The months an evaluation can be run for: the last 12 that have ended, newest first. */
function evaluablePeriods(now: Date) {
  const last = lastCompletedPeriod(now);
  return Array.from({ length: 12 }, (_, i) => addMonths(last, -i));
}

export function tierReviewsPage(db: DB, now = new Date()) {
  const { currency } = getProgramSettings(db);
  const pending = listPendingReviews(db, { limit: PENDING_LIMIT });
  const evaluated = evaluatedPeriods(db);
  const periods = evaluablePeriods(now);
  const latest = latestEvaluatedPeriod(db);
  return {
    currency,
    totalPending: countPendingReviews(db),
    ladder: loadLadder(db).map((t) => ({ id: t.id, name: t.name, rank: t.rank })),
    pending: pending.map((r) => ({
      id: r.id,
      partnerName: r.partnerName,
      partnerSlug: r.partnerSlug,
      periodLabel: periodLabel(r.period),
      direction: r.direction,
      fromTier: r.fromTier,
      toTier: r.toTier,
      model: MODEL_LABEL[r.metrics.model] ?? r.metrics.model,
      window: {
        from: r.metrics.window.from,
        // The window's end is exclusive: show its last day.
        to: new Date(new Date(r.metrics.window.to).getTime() - 1).toISOString(),
      },
      figures: figuresView(r.metrics, currency),
      createdAt: r.createdAt.toISOString(),
      stale: r.stale,
      superseded: r.superseded,
      newerEvaluation: r.newerEvaluation
        ? { periodLabel: periodLabel(r.newerEvaluation.period), qualifyingTier: r.newerEvaluation.qualifyingTier }
        : null,
      trend: monthlyCreditedRevenue(
        db,
        r.partnerId,
        { from: new Date(r.metrics.window.from), to: new Date(r.metrics.window.to) },
        r.metrics.model
      ).map((m) => ({ label: periodLabel(m.period), cents: m.cents })),
    })),
    decided: listDecidedReviews(db, 20).map((r) => ({
      ...r,
      periodLabel: periodLabel(r.period),
      decidedAt: r.decidedAt?.toISOString() ?? null,
    })),
    periods: periods.map((p) => ({
      value: p,
      label: periodLabel(p),
      evaluated: evaluated.get(p) ?? 0,
      // Older than the latest evaluated month: a run only previews (tier-evaluation.server.ts).
      previewOnly: latest !== null && p < latest,
    })),
    latestPeriodLabel: latest ? periodLabel(latest) : null,
    defaultPeriod: periods[0],
  };
}

export type TierReviewsPage = ReturnType<typeof tierReviewsPage>;
export type PendingCard = TierReviewsPage["pending"][number];
export type DecidedRow = TierReviewsPage["decided"][number];
export type LadderOption = TierReviewsPage["ladder"][number];

/** The snapshot as the card shows it: each figure with what the current and proposed tier need. */
function figuresView(m: TierSnapshot, currency: string) {
  const { current, qualifying } = m.thresholds;
  const need = (set: ThresholdSet, key: Threshold["key"]) => {
    const t = set.items.find((x) => x.key === key);
    return t ? { need: formatThreshold(t, currency).need, met: t.met } : null;
  };
  const rule = (set: ThresholdSet) => (set.items.length > 1 ? (set.rule === "any" ? "any one" : "all") : null);
  const row = (key: Threshold["key"], label: string, value: string, detail: string | null) => ({
    key,
    label,
    value,
    detail,
    current: need(current, key),
    proposed: qualifying.tier === current.tier ? null : need(qualifying, key),
  });
  return {
    currentTier: { name: current.tier, rule: rule(current) },
    proposedTier: qualifying.tier === current.tier ? null : { name: qualifying.tier, rule: rule(qualifying) },
    rows: [
      row("revenue", FIGURES.creditedRevenue.label, formatMoney(m.revenueCents, currency), null),
      row("wonDeals", FIGURES.dealsWon.label, String(m.wonDeals), null),
      row("winRate", FIGURES.winRate.label, formatWinRate(m.winRateBp), `of ${m.closedDeals} closed`),
    ],
  };
}
