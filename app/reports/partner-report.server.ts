// The partner's monthly report (docs/domain.md "Reports"): every figure of it, computed once
// into the PartnerReport of contract.ts that the portal page, the PDF and the email render.
// It carries only that partner's data. Figures are "as of the end of the period", so a report
// regenerated later (a re-send, a download next year) shows what the month looked like.
import type { AttributionModel } from "../../db/schema";
import type { DB } from "../db.server";
import { MODEL_LABEL, MODELS } from "../domain/attribution";
import { creditPartnerDeals, programModel } from "../domain/attribution.server";
import { firstRegistrationAt, openRegistrationsAt, openRegistrationTotalsAt, partnerTouchCounts } from "../domain/deal-activity.server";
import { EXPIRY_WARNING_DAYS } from "../domain/deals";
import { formatMoney } from "../domain/format";
import { partnerAttributionSummary } from "../domain/partner-attribution.server";
import { clientOf } from "../domain/rollups.server";
import { reportPartner } from "../domain/partner-roster.server";
import { explainFigure, FIGURES } from "../domain/figures";
import { partnerFigures } from "../domain/figures.server";
import { addMonths, periodEnd, periodLabel, periodStart, shortMonthLabel } from "../domain/periods";
import { programProfile } from "../domain/program-settings.server";
import { describeThreshold, formatWinRate } from "../domain/tier-snapshot";
import { evaluationOutcome, tierIdAt } from "../domain/tier-history.server";
import { loadLadder, tierMetricsForPartner } from "../domain/tier-metrics.server";
import { nextTier, qualifies, thresholdsOf, type Threshold } from "../domain/tiers";
import {
  countText,
  KIND_LABEL,
  PIPELINE_ROW_LIMIT,
  ReportError,
  WON_DEAL_ROW_LIMIT,
  validateReportPeriod,
  type Kpi,
  type KpiKey,
  type PartnerReport,
  type ReportAction,
  type ReportPipelineDeal,
  type ReportThreshold,
  type ReportWonDeal,
  type TierProgress,
  type Trend,
  type TrendMonth,
  type ModelTotal,
} from "./contract";

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const EVALUATION_TEXT: Record<string, string> = {
  hold: "Your tier was confirmed at the month-end evaluation.",
  propose_upgrade: "The month-end evaluation proposed an upgrade: the partner team is reviewing it.",
  warn_downgrade: "The month-end evaluation found your figures below your tier's thresholds: nothing changes yet.",
  propose_downgrade: "The month-end evaluation proposed a downgrade: the partner team is reviewing it.",
};

function trendOf(value: number | null, previous: number | null): Trend {
  if (value === null || previous === null) return "none";
  return value > previous ? "up" : value < previous ? "down" : "flat";
}

function signed(delta: number, show: (abs: number) => string) {
  return delta === 0 ? "±0" : `${delta > 0 ? "+" : "−"}${show(Math.abs(delta))}`;
}

function kpi(
  key: KpiKey,
  label: string,
  unit: Kpi["unit"],
  value: number | null,
  previous: number | null,
  currency: string,
  note: string | null,
  explanation: string,
): Kpi {
  const show = (v: number | null) =>
    v === null ? "—" : unit === "money" ? formatMoney(v, currency) : unit === "percent" ? formatWinRate(v) : countText(v);
  const delta = value === null || previous === null ? null : value - previous;
  const deltaText =
    delta === null
      ? "—"
      : unit === "money"
        ? signed(delta, (v) => formatMoney(v, currency))
        : unit === "percent"
          ? signed(delta, (v) => `${(v / 100).toFixed(v % 100 === 0 ? 0 : 1)} pts`)
          : signed(delta, (v) => countText(v));
  return {
    key,
    label,
    unit,
    value,
    previous,
    delta,
    trend: trendOf(value, previous),
    text: { value: show(value), previous: show(previous), delta: deltaText },
    note,
    explanation,
  };
}



/**
 * The partner's open registrations as they stood at `end`. The stage is the one it had at
 * `end`.
 */
function pipelineAt(db: DB, partnerId: number, end: Date, currency: string): PartnerReport["pipeline"] {
  const e = end.getTime();
  const soon = e + EXPIRY_WARNING_DAYS * DAY;
  // Counts and the total over every open registration in one aggregate; names and rates only
  // for the rows listed.
  const totals = openRegistrationTotalsAt(db, partnerId, end, soon);
  const rows = openRegistrationsAt(db, partnerId, end, PIPELINE_ROW_LIMIT);
  const deals: ReportPipelineDeal[] = rows.map((r) => {
    // A registration decided after the period end (approved or rejected) was still waiting then.
    const approved = r.decidedAt !== null && r.decidedAt < e && r.stage !== "rejected";
    const ends = approved ? r.protectionEndsAt : null;
    return {
      dealId: r.id,
      title: r.title,
      customer: r.customer,
      amountCents: r.amountCents,
      currency: r.currency,
      stage: approved ? "approved" : "submitted",
      submittedOn: isoDay(r.submittedAt),
      protectionEndsOn: ends === null ? null : isoDay(ends),
      expiresSoon: ends !== null && ends <= soon,
    };
  });
  return {
    missingRates: totals.missingRates,
    deals,
    count: totals.count,
    totalCents: totals.totalCents,
    // Says the conversion rule wherever the total is shown (page, PDF), and what it leaves out.
    totalText: `${formatMoney(totals.totalCents, currency)} (in ${currency} at ${isoDay(e - 1)} rates${
      totals.missingRates > 0 ? `; ${totals.missingRates} without an exchange rate left out` : ""
    })`,
    expiringSoon: totals.expiringSoon,
    more: Math.max(0, totals.count - deals.length),
  };
}

/**
 * The month's won deals with the largest credit to this partner under the program model
 * (WON_DEAL_ROW_LIMIT of them, ties newest first), chosen from its partner_deal_credits rows;
 * only those go through the engine for their titles and amounts.
 */
function topWonDeals(db: DB, partnerId: number, window: { from: Date; to: Date }, model: AttributionModel): ReportWonDeal[] {
  const top = clientOf(db)
    .prepare(
      `SELECT deal_id FROM partner_deal_credits
        WHERE partner_id = ? AND closed_at >= ? AND closed_at < ? AND ${model}_cents > 0
        ORDER BY ${model}_cents DESC, closed_at DESC, deal_id DESC LIMIT ?`,
    )
    .pluck()
    .all(partnerId, window.from.getTime(), window.to.getTime(), WON_DEAL_ROW_LIMIT) as number[];
  if (top.length === 0) return [];
  const rank = new Map(top.map((id, i) => [id, i]));
  return creditPartnerDeals(db, partnerId, window, [model], { onlyDealIds: top })
    .sort((a, b) => rank.get(a.dealId)! - rank.get(b.dealId)!)
    .map((d) => ({
      dealId: d.dealId,
      title: d.title,
      closedOn: isoDay(d.closedAt),
      amountCents: d.amountCents,
      currency: d.currency,
      creditCents: d.credit[model],
      source: d.source === "sourced" ? "sourced" : "influenced",
    }));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function recommendedActions(input: {
  expiring: number;
  tier: TierProgress;
  submitted: number;
  loggedTouches: number;
  model: AttributionModel;
  protectionDays: number;
}): ReportAction[] {
  const actions: ReportAction[] = [];
  const { tier } = input;
  if (input.expiring > 0) {
    actions.push({
      key: "expiring",
      text: `${plural(input.expiring, "registration")} ${input.expiring === 1 ? "expires" : "expire"} within ${EXPIRY_WARNING_DAYS} days: close or update ${input.expiring === 1 ? "it" : "them"}.`,
    });
  }
  if (tier.belowCurrent && tier.current.rank > 0) {
    actions.push({
      key: "tier_at_risk",
      text: `Your 12-month figures are below what ${tier.current.name} needs: deals you win in the coming months count towards keeping it.`,
    });
  }
  if (tier.next) {
    if (tier.nextQualifies) {
      actions.push({
        key: "next_tier",
        text: `Your figures meet ${tier.next.name}'s thresholds: the partner team reviews tier changes at each month-end evaluation.`,
      });
    } else {
      const missing = tier.thresholds.filter((t) => !t.met).map((t) => t.remainingText);
      actions.push({
        key: "next_tier",
        text: `You need ${missing.join(tier.next.rule === "any" ? " or " : " and ")} to reach ${tier.next.name}.`,
      });
    }
  }
  if (input.submitted === 0) {
    actions.push({
      key: "no_registrations",
      text: `No registrations this month: register your next opportunity to protect it for ${input.protectionDays} days.`,
    });
  }
  if (input.model !== "sourced" && input.loggedTouches === 0) {
    actions.push({
      key: "log_touches",
      text: `Log touches (meetings, technical validation, implementation) on the deals you help win to get influence credit under the ${MODEL_LABEL[input.model]} model.`,
    });
  }
  return actions;
}

/**
 * The partner's monthly report for `period` ('YYYY-MM'). Throws ReportError for a malformed
 * or future period (400) and for a partner that does not exist (404).
 */
export function buildPartnerReport(db: DB, partnerId: number, period: string, options: { now?: Date } = {}): PartnerReport {
  const now = options.now ?? new Date();
  validateReportPeriod(period, now);
  const partner = reportPartner(db, partnerId);
  if (!partner) throw new ReportError("No such partner.", 404);

  const { currency, programName, protectionDays, paperSize } = programProfile(db);
  const model = programModel(db);
  const from = periodStart(period);
  const end = periodEnd(period);
  const previousPeriod = addMonths(period, -1);
  const prevFrom = periodStart(previousPeriod);

  // The month under every model and the 12-month chart: the attribution page's own figures
  // (summed from the rollup rows), so the report and the page never disagree.
  const attribution = partnerAttributionSummary(db, partnerId, { kind: "month", value: period }, now);
  // The catalogue's figures (domain/figures.ts) for the month and the month before: the same
  // functions the dashboard, tier and attribution pages call.
  const month = partnerFigures(db, partnerId, { from, to: end }, model);
  const previous = partnerFigures(db, partnerId, { from: prevFrom, to: from }, model);
  const ctx = { model, currency };
  const figure = (key: KpiKey, note: string | null = null) =>
    kpi(key, FIGURES[key].label, FIGURES[key].unit, month[key], previous[key], currency, note, explainFigure(key, ctx));
  const kpis: Kpi[] = [
    figure("creditedRevenue", MODEL_LABEL[model]),
    figure("dealsWon", "credited to you"),
    figure("registrationsSubmitted"),
    figure("registrationsApproved"),
    figure(
      "winRate",
      month.won + month.lost === 0 ? "no deal closed" : `${month.won} of ${plural(month.won + month.lost, "closed deal")}`,
    ),
  ];

  const months: TrendMonth[] = attribution.monthly.map((m) => ({
    period: m.month,
    shortLabel: shortMonthLabel(m.month),
    label: periodLabel(m.month),
    year: Number(m.month.slice(0, 4)),
    cents: m.cents,
    text: formatMoney(m.cents, currency),
    current: m.month === period,
  }));
  const trendTotal = months.reduce((s, m) => s + m.cents, 0);

  const attributionByModel: ModelTotal[] = [model, ...MODELS.filter((m) => m !== model)].map((m) => ({
    model: m,
    label: MODEL_LABEL[m],
    cents: attribution.totals[m],
    text: formatMoney(attribution.totals[m], currency),
    programModel: m === model,
  }));

  // Tier progress as of the period end.
  const ladder = loadLadder(db);
  const tierId = tierIdAt(db, partnerId, partner.tierId, end);
  const current = ladder.find((t) => t.id === tierId) ?? ladder.find((t) => t.id === partner.tierId)!;
  const next = nextTier(ladder, current.rank);
  const metrics = tierMetricsForPartner(db, partnerId, end);
  const outcome = evaluationOutcome(db, partnerId, period);
  const tier: TierProgress = {
    asOf: end.toISOString(),
    current: { name: current.name, rank: current.rank, benefits: current.benefits },
    next: next ? { name: next.name, rank: next.rank, rule: next.thresholdRule, benefits: next.benefits } : null,
    metrics: {
      ...metrics,
      text: {
        revenue: formatMoney(metrics.revenueCents, currency),
        wonDeals: String(metrics.wonDeals),
        winRate: formatWinRate(metrics.winRateBp),
      },
    },
    thresholds: next ? thresholdsOf(next, metrics).map((t) => describeThreshold(t, currency)) : [],
    nextQualifies: next ? qualifies(next, metrics) : false,
    belowCurrent: !qualifies(current, metrics),
    evaluation: outcome ? { outcome, text: EVALUATION_TEXT[outcome] ?? outcome } : null,
  };

  // The deals the "Deals won" figure counts, bounded: the largest credits; the others are a
  // count with a pointer to the Attribution page, the $0 ones a sentence.
  const wonDeals = topWonDeals(db, partnerId, { from, to: end }, model);
  const moreWonDeals = attribution.creditedDeals - wonDeals.length;

  const pipeline = pipelineAt(db, partnerId, end, currency);
  const touchesInMonth = partnerTouchCounts(db, partnerId, from, end);
  const hasActivity =
    month.registrationsSubmitted + month.registrationsApproved + month.registrationsRejected + month.won + month.lost > 0 ||
    attribution.dealCount > 0 ||
    touchesInMonth.all > 0;

  return {
    kind: "partner",
    version: 1,
    generatedAt: now.toISOString(),
    programName,
    currency,
    paperSize,
    partner: {
      id: partner.id,
      name: partner.name,
      slug: partner.slug,
      kind: partner.kind,
      kindLabel: KIND_LABEL[partner.kind],
      tier: current.name,
    },
    period,
    periodLabel: periodLabel(period),
    previousPeriod,
    previousPeriodLabel: periodLabel(previousPeriod),
    previousPeriodShortLabel: shortMonthLabel(previousPeriod),
    window: { from: from.toISOString(), to: end.toISOString() },
    model,
    modelLabel: MODEL_LABEL[model],
    kpis,
    trend: { months, totalCents: trendTotal, totalText: formatMoney(trendTotal, currency), maxCents: Math.max(0, ...months.map((m) => m.cents)) },
    attribution: attributionByModel,
    tier,
    wonDeals,
    moreWonDeals,
    uncreditedWonDeals: attribution.zeroCreditDeals,
    pipeline,
    actions: recommendedActions({
      expiring: pipeline.expiringSoon,
      tier,
      submitted: month.registrationsSubmitted,
      loggedTouches: touchesInMonth.logged,
      model,
      protectionDays,
    }),
    hasActivity,
  };
}

/**
 * The months a partner has reports for, newest first: from its join month (or its first
 * registration, when imported history goes back further) up to the month before `now`.
 */
export function partnerReportPeriods(db: DB, partnerId: number, now = new Date()): string[] {
  const partner = reportPartner(db, partnerId);
  if (!partner) return [];
  const first = firstRegistrationAt(db, partnerId);
  let start = partner.joinedOn.slice(0, 7);
  if (first != null) {
    const firstData = new Date(first).toISOString().slice(0, 7);
    if (firstData < start) start = firstData;
  }
  const last = addMonths(now.toISOString().slice(0, 7), -1);
  const periods: string[] = [];
  for (let p = last; p >= start && periods.length < 600; p = addMonths(p, -1)) periods.push(p);
  return periods;
}

