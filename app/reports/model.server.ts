// The monthly report models (DESIGN.md "Reports"): every figure of a partner's monthly report
// and of the internal ecosystem report, computed once into a plain JSON-serializable object.
// The portal page, the PDF and the email render these objects and compute nothing themselves.
// A partner report carries only that partner's data: other partners are never named, counted
// or summed in it. Figures are "as of the end of the period", so a report regenerated later
// (a re-send, a download next year) shows what the month looked like.
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import {
  deals,
  partnerApplications,
  partners,
  programSettings,
  tierEvaluations,
  tierReviews,
  tiers,
  touches,
  type AttributionModel,
  type PartnerKind,
} from "../../db/schema";
import type { DB } from "../db.server";
import { MODEL_LABEL, MODELS } from "../domain/attribution";
import { creditPartnerDeals, programModel } from "../domain/attribution.server";
import { HHI_BAND_LABEL, type HhiBand } from "../domain/concentration";
import { EXPIRY_WARNING_DAYS } from "../domain/deals";
import { ecosystemReport, filterLongTail, type EcosystemAlert } from "../domain/ecosystem.server";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { describeEvidence, FLAG_LABEL, LONG_TAIL_FLAGS, type FlagEvidence, type LongTailFlag, type ProgramBaselines } from "../domain/long-tail";
import { partnerAttribution } from "../domain/partner-attribution.server";
import { LOW_SAMPLE, type SampledFigure, type SegmentMetrics } from "../domain/program-metrics";
import { programMetrics, type ProgramMetrics } from "../domain/program-metrics.server";
import { countPendingReviews } from "../domain/tier-history.server";
import { formatWinRate } from "../domain/tier-snapshot";
import { addMonths, isPeriod, periodEnd, periodLabel as longPeriodLabel, periodStart } from "../domain/periods";
import { loadLadder, tierMetricsForPartner } from "../domain/tier-metrics.server";
import { nextTier, qualifies, thresholdsOf, type Threshold } from "../domain/tiers";

const DAY = 86_400_000;
/** Rows of the pipeline table; the rest is counted, so a huge pipeline cannot blow up a PDF. */
export const PIPELINE_ROW_LIMIT = 250;

// ---------------------------------------------------------------------------------------------
// Periods.

/** A period nobody can have a report for; `status` is the HTTP answer. */
export class ReportError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

/** The period as given, when it is a 'YYYY-MM' month that has started at `now`. */
export function validateReportPeriod(period: string, now = new Date()): string {
  if (!isPeriod(period)) throw new ReportError(`"${period.slice(0, 20)}" is not a month: use YYYY-MM, e.g. 2026-10.`);
  if (Number(period.slice(0, 4)) < 2000) throw new ReportError(`There are no reports before the year 2000.`);
  if (periodStart(period).getTime() > now.getTime()) {
    throw new ReportError(`${periodLabel(period)} has not started yet: choose a month up to the current one.`);
  }
  return period;
}

// Month labels, memoised: toLocaleDateString builds an Intl formatter on every call, and each
// report labels a dozen months (a few percent of building the model).
function memoByPeriod(label: (period: string) => string) {
  const cache = new Map<string, string>();
  return (period: string) => {
    let text = cache.get(period);
    if (text === undefined) {
      if (cache.size >= 1_000) cache.clear();
      text = label(period);
      cache.set(period, text);
    }
    return text;
  };
}
const periodLabel = memoByPeriod(longPeriodLabel);
const shortMonth = memoByPeriod((period) => periodStart(period).toLocaleDateString("en-US", { month: "short", timeZone: "UTC" }));
/** Same text as Number#toLocaleString("en-US"), without building a formatter per call. */
const countFormat = new Intl.NumberFormat("en-US");
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function programInfo(db: DB) {
  const row = db
    .select({ name: programSettings.programName, currency: programSettings.currency, protectionDays: programSettings.protectionDays })
    .from(programSettings)
    .get();
  return { programName: row?.name ?? "Partner Program", currency: row?.currency ?? "USD", protectionDays: row?.protectionDays ?? 90 };
}

// ---------------------------------------------------------------------------------------------
// The partner report.

export type Trend = "up" | "down" | "flat" | "none";

export type KpiKey = "creditedRevenue" | "dealsWon" | "registrationsSubmitted" | "registrationsApproved" | "winRate";

export type Kpi = {
  key: KpiKey;
  label: string;
  /** money: cents; count; percent: basis points (win rate). */
  unit: "money" | "count" | "percent";
  /** Null when there is nothing to measure (a win rate with no closed deal). */
  value: number | null;
  previous: number | null;
  /** value − previous, in the same unit (basis points for the win rate); null when either is. */
  delta: number | null;
  trend: Trend;
  /** The figures as every renderer shows them. */
  text: { value: string; previous: string; delta: string };
  /** What the figure is over, e.g. "3 of 5 closed deals". */
  note: string | null;
};

export type TrendMonth = {
  period: string;
  /** "Oct" */
  shortLabel: string;
  /** "October 2026" */
  label: string;
  year: number;
  cents: number;
  text: string;
  /** The report's own month (the last bar). */
  current: boolean;
};

export type ModelTotal = { model: AttributionModel; label: string; cents: number; text: string; programModel: boolean };

export type ReportThreshold = Threshold & { haveText: string; needText: string; remainingText: string };

export type TierProgress = {
  /** ISO instant: the figures are the trailing 12 months up to (excluding) it. */
  asOf: string;
  current: { name: string; rank: number; benefits: string };
  /** Null at the top of the ladder. */
  next: { name: string; rank: number; rule: "all" | "any"; benefits: string } | null;
  metrics: {
    revenueCents: number;
    wonDeals: number;
    closedDeals: number;
    winRateBp: number | null;
    text: { revenue: string; wonDeals: string; winRate: string };
  };
  /** The next tier's thresholds against the figures (empty at the top). */
  thresholds: ReportThreshold[];
  nextQualifies: boolean;
  /** The figures no longer meet the current tier's own thresholds. */
  belowCurrent: boolean;
  /** The month-end evaluation of this period, when it has run. */
  evaluation: { outcome: string; text: string } | null;
};

export type ReportWonDeal = {
  dealId: number;
  title: string;
  closedOn: string;
  amountCents: number;
  /** This partner's credit under the program model. */
  creditCents: number;
  source: "sourced" | "influenced";
};

export type ReportPipelineDeal = {
  dealId: number;
  title: string;
  customer: string;
  amountCents: number;
  /** The stage at the end of the period. */
  stage: "submitted" | "approved";
  submittedOn: string;
  /** 'YYYY-MM-DD' (UTC) of an approved registration's protection end. */
  protectionEndsOn: string | null;
  /** Protection ends within 14 days of the period end (or already has). */
  expiresSoon: boolean;
};

export type ReportAction = {
  key: "expiring" | "next_tier" | "tier_at_risk" | "no_registrations" | "log_touches";
  text: string;
};

export type PartnerReport = {
  kind: "partner";
  /** Bumped when the shape changes: a stored report says which shape it has. */
  version: 1;
  generatedAt: string;
  programName: string;
  currency: string;
  partner: { id: number; name: string; slug: string; kind: PartnerKind; kindLabel: string; tier: string };
  period: string;
  periodLabel: string;
  previousPeriod: string;
  previousPeriodLabel: string;
  /** "Sep" */
  previousPeriodShortLabel: string;
  /** ISO instants of the month; `to` is exclusive. */
  window: { from: string; to: string };
  model: AttributionModel;
  modelLabel: string;
  kpis: Kpi[];
  /** Credited revenue (program model) per month, the 12 months ending with the period. */
  trend: { months: TrendMonth[]; totalCents: number; totalText: string; maxCents: number };
  /** The month's credited revenue under every model, the program model first. */
  attribution: ModelTotal[];
  tier: TierProgress;
  /** Won deals closed in the month that this partner registered or touched, newest first. */
  wonDeals: ReportWonDeal[];
  pipeline: {
    deals: ReportPipelineDeal[];
    /** All open registrations, also those beyond the row limit. */
    count: number;
    totalCents: number;
    totalText: string;
    expiringSoon: number;
    /** Rows left out of `deals` (PIPELINE_ROW_LIMIT). */
    more: number;
  };
  actions: ReportAction[];
  /** Anything happened in the month: registrations, decisions, closes, credit or touches. */
  hasActivity: boolean;
};

const KIND_LABEL: Record<PartnerKind, string> = {
  reseller: "Reseller",
  referral: "Referral partner",
  agency: "Agency",
  affiliate: "Affiliate",
  technology: "Technology partner",
  strategic: "Strategic partner",
};

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
  note: string | null = null,
): Kpi {
  const show = (v: number | null) =>
    v === null ? "—" : unit === "money" ? formatMoney(v, currency) : unit === "percent" ? formatWinRate(v) : countFormat.format(v);
  const delta = value === null || previous === null ? null : value - previous;
  const deltaText =
    delta === null
      ? "—"
      : unit === "money"
        ? signed(delta, (v) => formatMoney(v, currency))
        : unit === "percent"
          ? signed(delta, (v) => `${(v / 100).toFixed(v % 100 === 0 ? 0 : 1)} pts`)
          : signed(delta, (v) => countFormat.format(v));
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
  };
}

function describeThreshold(t: Threshold, currency: string): ReportThreshold {
  const show = (v: number) => (t.key === "revenue" ? formatMoney(v, currency) : t.key === "winRate" ? formatWinRate(v) : String(v));
  let remainingText = "Met";
  if (!t.met) {
    if (t.key === "revenue") remainingText = `${formatMoney(t.remaining, currency)} more attributed revenue`;
    else if (t.key === "wonDeals") remainingText = `${t.remaining} more won ${t.remaining === 1 ? "deal" : "deals"}`;
    else remainingText = `${(t.remaining / 100).toFixed(1)} percentage points more win rate`;
  }
  return { ...t, haveText: show(t.have), needText: show(t.need), remainingText };
}

/**
 * The partner's tier at `end`. Only a decided review changes a tier (DESIGN.md), so the tier
 * then is where the first change after `end` started from; with no later change it is the
 * partner's tier today.
 */
function tierIdAt(db: DB, partnerId: number, currentTierId: number, end: Date): number {
  const later = db
    .select({ fromTierId: tierReviews.fromTierId })
    .from(tierReviews)
    .where(
      and(
        eq(tierReviews.partnerId, partnerId),
        inArray(tierReviews.status, ["approved", "overridden"]),
        gte(tierReviews.decidedAt, end),
      ),
    )
    .orderBy(asc(tierReviews.decidedAt), asc(tierReviews.id))
    .limit(1)
    .get();
  return later?.fromTierId ?? currentTierId;
}

/** Registration counts of one partner in two consecutive months [p0, p1) and [p1, p2). */
function registrationCounts(db: DB, partnerId: number, p0: Date, p1: Date, p2: Date) {
  const [a, b, c] = [p0.getTime(), p1.getTime(), p2.getTime()];
  const row = db.$client
    .prepare(
      `SELECT
         sum(submitted_at >= @a AND submitted_at < @b) AS prevSubmitted,
         sum(submitted_at >= @b AND submitted_at < @c) AS submitted,
         sum(stage NOT IN ('submitted','rejected') AND decided_at >= @a AND decided_at < @b) AS prevApproved,
         sum(stage NOT IN ('submitted','rejected') AND decided_at >= @b AND decided_at < @c) AS approved,
         sum(stage = 'rejected' AND decided_at >= @b AND decided_at < @c) AS rejected,
         sum(stage = 'won' AND closed_at >= @a AND closed_at < @b) AS prevWon,
         sum(stage = 'lost' AND closed_at >= @a AND closed_at < @b) AS prevLost,
         sum(stage = 'won' AND closed_at >= @b AND closed_at < @c) AS won,
         sum(stage = 'lost' AND closed_at >= @b AND closed_at < @c) AS lost
       FROM deals
      WHERE partner_id = @partnerId
        AND ((submitted_at >= @a AND submitted_at < @c) OR (decided_at >= @a AND decided_at < @c) OR (closed_at >= @a AND closed_at < @c))`,
    )
    .get({ partnerId, a, b, c }) as Record<string, number | null>;
  const n = (k: string) => row[k] ?? 0;
  return {
    submitted: n("submitted"),
    prevSubmitted: n("prevSubmitted"),
    approved: n("approved"),
    prevApproved: n("prevApproved"),
    rejected: n("rejected"),
    won: n("won"),
    lost: n("lost"),
    prevWon: n("prevWon"),
    prevLost: n("prevLost"),
  };
}

/**
 * The partner's open registrations as they stood at `end`: submitted before it and not yet
 * rejected, closed or expired by then. The stage is the one it had at `end`.
 */
function pipelineAt(db: DB, partnerId: number, end: Date, currency: string): PartnerReport["pipeline"] {
  const e = end.getTime();
  const rows = db.$client
    .prepare(
      `SELECT d.id, d.title, c.name AS customer, d.amount_cents AS amountCents, d.submitted_at AS submittedAt,
              d.decided_at AS decidedAt, d.stage, d.protection_ends_at AS protectionEndsAt
         FROM deals d JOIN customers c ON c.id = d.customer_id
        WHERE d.partner_id = @partnerId AND d.submitted_at < @e
          AND NOT (d.stage = 'rejected' AND d.decided_at < @e)
          AND NOT (d.stage IN ('won','lost') AND d.closed_at < @e)
          AND NOT (d.stage = 'expired' AND (d.protection_ends_at IS NULL OR d.protection_ends_at < @e))
        ORDER BY d.protection_ends_at IS NULL, d.protection_ends_at, d.submitted_at, d.id`,
    )
    .all({ partnerId, e }) as {
    id: number;
    title: string;
    customer: string;
    amountCents: number;
    submittedAt: number;
    decidedAt: number | null;
    stage: string;
    protectionEndsAt: number | null;
  }[];
  const soon = e + EXPIRY_WARNING_DAYS * DAY;
  const all: ReportPipelineDeal[] = rows.map((r) => {
    // A registration decided after the period end (approved or rejected) was still waiting then.
    const approved = r.decidedAt !== null && r.decidedAt < e && r.stage !== "rejected";
    const ends = approved ? r.protectionEndsAt : null;
    return {
      dealId: r.id,
      title: r.title,
      customer: r.customer,
      amountCents: r.amountCents,
      stage: approved ? "approved" : "submitted",
      submittedOn: isoDay(r.submittedAt),
      protectionEndsOn: ends === null ? null : isoDay(ends),
      expiresSoon: ends !== null && ends <= soon,
    };
  });
  const totalCents = all.reduce((s, d) => s + d.amountCents, 0);
  return {
    deals: all.slice(0, PIPELINE_ROW_LIMIT),
    count: all.length,
    totalCents,
    totalText: formatMoney(totalCents, currency),
    expiringSoon: all.filter((d) => d.expiresSoon).length,
    more: Math.max(0, all.length - PIPELINE_ROW_LIMIT),
  };
}

function touchCounts(db: DB, partnerId: number, from: Date, to: Date) {
  const row = db
    .select({
      all: sql<number>`count(*)`,
      // The registration itself is recorded as a referral touch: "logged" means the others.
      logged: sql<number>`coalesce(sum(${touches.kind} <> 'referral'), 0)`,
    })
    .from(touches)
    .where(and(eq(touches.partnerId, partnerId), gte(touches.occurredAt, from), lt(touches.occurredAt, to)))
    .get();
  return { all: row?.all ?? 0, logged: row?.logged ?? 0 };
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
  const partner = db
    .select({ id: partners.id, name: partners.name, slug: partners.slug, kind: partners.kind, tierId: partners.tierId })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .get();
  if (!partner) throw new ReportError("No such partner.", 404);

  const { currency, programName, protectionDays } = programInfo(db);
  const model = programModel(db);
  const from = periodStart(period);
  const end = periodEnd(period);
  const previousPeriod = addMonths(period, -1);
  const prevFrom = periodStart(previousPeriod);

  // The month under every model, the 12-month chart and the month's deals: the attribution
  // page's own computation, so the report and the page never disagree.
  const attribution = partnerAttribution(db, partnerId, { kind: "month", value: period }, now);
  const previousCredited = creditPartnerDeals(db, partnerId, { from: prevFrom, to: from }, [model]).filter((d) => d.credit[model] > 0);
  const prevCents = previousCredited.reduce((s, d) => s + d.credit[model], 0);
  const counts = registrationCounts(db, partnerId, prevFrom, from, end);
  const winRate = (won: number, lost: number) => (won + lost === 0 ? null : Math.round((won / (won + lost)) * 10_000));

  const kpis: Kpi[] = [
    kpi("creditedRevenue", "Credited revenue", "money", attribution.creditedCents, prevCents, currency, MODEL_LABEL[model]),
    kpi("dealsWon", "Deals won", "count", attribution.creditedDeals, previousCredited.length, currency, "credited to you"),
    kpi("registrationsSubmitted", "Registrations submitted", "count", counts.submitted, counts.prevSubmitted, currency),
    kpi("registrationsApproved", "Registrations approved", "count", counts.approved, counts.prevApproved, currency),
    kpi(
      "winRate",
      "Win rate",
      "percent",
      winRate(counts.won, counts.lost),
      winRate(counts.prevWon, counts.prevLost),
      currency,
      counts.won + counts.lost === 0 ? "no deal closed" : `${counts.won} of ${plural(counts.won + counts.lost, "closed deal")}`,
    ),
  ];

  const months: TrendMonth[] = attribution.monthly.map((m) => ({
    period: m.month,
    shortLabel: shortMonth(m.month),
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
  const evaluation = db
    .select({ outcome: tierEvaluations.outcome })
    .from(tierEvaluations)
    .where(and(eq(tierEvaluations.partnerId, partnerId), eq(tierEvaluations.period, period)))
    .get();
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
    evaluation: evaluation ? { outcome: evaluation.outcome, text: EVALUATION_TEXT[evaluation.outcome] ?? evaluation.outcome } : null,
  };

  const wonDeals: ReportWonDeal[] = attribution.deals.map((d) => ({
    dealId: d.dealId,
    title: d.title,
    closedOn: d.closedOn,
    amountCents: d.amountCents,
    creditCents: d.credit[model],
    source: d.source,
  }));

  const pipeline = pipelineAt(db, partnerId, end, currency);
  const touchesInMonth = touchCounts(db, partnerId, from, end);
  const hasActivity =
    counts.submitted + counts.approved + counts.rejected + counts.won + counts.lost > 0 ||
    wonDeals.length > 0 ||
    touchesInMonth.all > 0;

  return {
    kind: "partner",
    version: 1,
    generatedAt: now.toISOString(),
    programName,
    currency,
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
    previousPeriodShortLabel: shortMonth(previousPeriod),
    window: { from: from.toISOString(), to: end.toISOString() },
    model,
    modelLabel: MODEL_LABEL[model],
    kpis,
    trend: { months, totalCents: trendTotal, totalText: formatMoney(trendTotal, currency), maxCents: Math.max(0, ...months.map((m) => m.cents)) },
    attribution: attributionByModel,
    tier,
    wonDeals,
    pipeline,
    actions: recommendedActions({
      expiring: pipeline.expiringSoon,
      tier,
      submitted: counts.submitted,
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
  const partner = db.select({ joinedOn: partners.joinedOn }).from(partners).where(eq(partners.id, partnerId)).get();
  if (!partner) return [];
  const first = db
    .select({ at: sql<number | null>`min(${deals.submittedAt})` })
    .from(deals)
    .where(eq(deals.partnerId, partnerId))
    .get()?.at;
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

// ---------------------------------------------------------------------------------------------
// The internal ecosystem report.
//
// The concentration, head/tail, long-tail and program-metrics sections are the ecosystem
// page's own figures (domain/ecosystem.server.ts, domain/program-metrics.server.ts) as of the
// first instant after the period: for October 2026 the window is November 2025 … October
// 2026, what /internal/ecosystem shows on 1 November 2026 and what `npm run analytics -- --as-of
// 2026-11-01` prints. The month's registrations and won revenue are the period's own.

export type RegistrationFigures = { submitted: number; approved: number; rejected: number };
export type SourceFigures = { cents: number; deals: number; share: number | null; text: string };

/** The 12 whole months the analytics sections cover (analyticsPeriod of the report's as-of). */
export type AnalyticsWindow = {
  /** ISO instants; `to` is exclusive (the first instant after the period). */
  from: string;
  to: string;
  /** 'YYYY-MM-DD', the last day included. */
  lastDay: string;
  /** 'YYYY-MM' of the first month and of the month after the last. */
  fromMonth: string;
  endMonth: string;
};

export type ConcentrationFigures = {
  n: number;
  revenueCents: number;
  hhi: number | null;
  band: HhiBand | null;
  bandLabel: string | null;
  effectivePartners: number | null;
  top20Count: number;
  top20Share: number | null;
  n80: number | null;
  gini: number;
  largestShare: number | null;
  largestShareAlert: boolean;
  /** The figures as every renderer shows them ("—" when there is no revenue). */
  text: { hhi: string; effectivePartners: string; top20Share: string; n80: string; gini: string; largestShare: string };
};

export type ConcentrationTrendPoint = {
  /** 'YYYY-MM' of the last month of the point's window and its last day. */
  month: string;
  monthEnd: string;
  hhi: number | null;
  band: HhiBand | null;
  bandLabel: string | null;
  top20Share: number | null;
  n80: number | null;
  gini: number;
  largestShare: number | null;
  text: Pick<ConcentrationFigures["text"], "hhi" | "top20Share" | "n80" | "gini" | "largestShare">;
};

export type ReportAlert = EcosystemAlert & { text: string };

/** A figure with its sample: `lowSample` below LOW_SAMPLE deals or customers. */
export type ReportFigure = SampledFigure & { text: string; sampleText: string };

export type ProgramMetricKey = "winRate" | "acv" | "medianCycleDays" | "nrr" | "logoChurn";

export type ReportFlaggedPartner = {
  partnerId: number;
  name: string;
  slug: string;
  kind: PartnerKind;
  kindLabel: string;
  region: string;
  revenueCents: number;
  revenueText: string;
  share: number;
  flags: { flag: LongTailFlag; label: string; text: string; evidence: FlagEvidence }[];
};

export type EcosystemReport = {
  kind: "ecosystem";
  /** 2: the concentration sections come from the ecosystem page's computation. */
  version: 2;
  generatedAt: string;
  programName: string;
  currency: string;
  period: string;
  periodLabel: string;
  previousPeriodLabel: string;
  previousPeriodShortLabel: string;
  window: { from: string; to: string };
  model: AttributionModel;
  modelLabel: string;
  partners: {
    /** Active partners that had joined by the period end. */
    active: number;
    /** Partners that joined in the month (any status today). */
    joined: number;
    joinedNames: string[];
  };
  registrations: RegistrationFigures & { previous: RegistrationFigures };
  /** Won deals closed in the month, by source (DESIGN.md: sourced / influenced / direct). */
  revenue: {
    totalCents: number;
    totalText: string;
    deals: number;
    sourced: SourceFigures;
    influenced: SourceFigures;
    direct: SourceFigures;
  };
  /** "As of" for every analytics section: the first instant after the period (ISO). */
  asOf: string;
  /** The analytics window: the 12 whole months ending with the period. */
  analyticsWindow: AnalyticsWindow;
  /** The 10 largest active partners by credited revenue (program model) in the analytics window. */
  topPartners: {
    window: { from: string; to: string };
    rows: {
      rank: number;
      partnerId: number;
      name: string;
      slug: string;
      tier: string;
      cents: number;
      text: string;
      /** Deals the partner registered that closed won in the window. */
      deals: number;
      share: number | null;
    }[];
  };
  /** The partner team's queue when the report was generated (not as of the period end). */
  queue: { asOf: string; pendingTierReviews: number; pendingApplications: number };
  /** Concentration of the active partners' credited revenue (ecosystemSnapshot). */
  concentration: ConcentrationFigures & {
    window: { from: string; to: string };
    revenueText: string;
    largestPartner: { name: string; slug: string } | null;
    /** The last 12 month-ends, oldest first; the last is the period's own. */
    trend: ConcentrationTrendPoint[];
  };
  /** HHI moved up a band at the period end; one partner above 25% (ecosystemAlerts). */
  alerts: ReportAlert[];
  /** The N80 head and the long tail (everyone else, zeros included). */
  headTail: {
    head: { partners: number; revenueCents: number; text: string; share: number | null };
    tail: { partners: number; revenueCents: number; text: string; share: number | null };
  };
  /** The long tail's flags (internal: names partners), each with the numbers behind it. */
  longTail: {
    partners: number;
    flagged: number;
    flagCounts: { flag: LongTailFlag; label: string; count: number }[];
    baselines: ProgramBaselines & { text: { medianWinRate: string; medianClosedDeals: string } };
    /** The first flagged partners in the page's order (most flags, then revenue). */
    top: ReportFlaggedPartner[];
    /** Flagged partners beyond `top`. */
    more: number;
  };
  /** Partner-involved vs direct over the analytics window (programMetrics). */
  program: {
    window: { from: string; to: string; lastDay: string };
    /** Retention compares `now` with `then` ('YYYY-MM'). */
    retentionMonths: { now: string; then: string };
    lowSampleBelow: number;
    metrics: { key: ProgramMetricKey; label: string; involved: ReportFigure; direct: ReportFigure }[];
    revenueSplit: {
      totalCents: number;
      totalText: string;
      parts: { source: "sourced" | "influenced" | "direct"; label: string; cents: number; text: string; share: number | null; shareText: string; wonDeals: ReportFigure }[];
    };
  };
};

/** Rows of the flagged long-tail table; the rest is counted. */
export const FLAGGED_ROW_LIMIT = 20;

const SOURCE_LABEL = { sourced: "Partner-sourced", influenced: "Partner-influenced", direct: "Direct" } as const;

function registrationFigures(db: DB, from: Date, to: Date): RegistrationFigures {
  const row = db.$client
    .prepare(
      `SELECT
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND submitted_at >= @a AND submitted_at < @b) AS submitted,
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND stage NOT IN ('submitted','rejected')
             AND decided_at >= @a AND decided_at < @b) AS approved,
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND stage = 'rejected'
             AND decided_at >= @a AND decided_at < @b) AS rejected`,
    )
    .get({ a: from.getTime(), b: to.getTime() }) as RegistrationFigures;
  return { submitted: row.submitted, approved: row.approved, rejected: row.rejected };
}

const orDash = <T>(v: T | null, show: (v: T) => string) => (v === null ? "—" : show(v));
/** HHI as the page shows it (whole number), with thousands separators. */
const hhiText = (hhi: number | null) => orDash(hhi, (v) => Number(v.toFixed(0)).toLocaleString("en-US"));

function concentrationFigures(c: {
  n: number;
  revenueCents: number;
  hhi: number | null;
  band: HhiBand | null;
  effectivePartners: number | null;
  top20Count: number;
  top20Share: number | null;
  n80: number | null;
  gini: number;
  largestShare: number | null;
  largestShareAlert: boolean;
}): ConcentrationFigures {
  return {
    n: c.n,
    revenueCents: c.revenueCents,
    hhi: c.hhi,
    band: c.band,
    bandLabel: c.band ? HHI_BAND_LABEL[c.band] : null,
    effectivePartners: c.effectivePartners,
    top20Count: c.top20Count,
    top20Share: c.top20Share,
    n80: c.n80,
    gini: c.gini,
    largestShare: c.largestShare,
    largestShareAlert: c.largestShareAlert,
    text: {
      hhi: hhiText(c.hhi),
      effectivePartners: orDash(c.effectivePartners, (v) => v.toFixed(1)),
      top20Share: orDash(c.top20Share, (v) => formatPercent(v)),
      n80: orDash(c.n80, (v) => countFormat.format(v)),
      gini: c.gini.toFixed(3),
      largestShare: orDash(c.largestShare, (v) => formatPercent(v)),
    },
  };
}

function alertText(a: EcosystemAlert): string {
  return a.kind === "hhi_band_up"
    ? `Concentration rose into a higher band at ${formatDate(a.monthEnd)}: HHI ${hhiText(a.previousHhi)} → ${hhiText(a.hhi)}, now ${HHI_BAND_LABEL[
        a.to
      ].toLowerCase()} (was ${HHI_BAND_LABEL[a.from].toLowerCase()}).`
    : `${a.partner.name} brings ${formatPercent(a.share)} of credited revenue, above the 25% alert line.`;
}

function reportFigure(f: SampledFigure, show: (v: number) => string, unit: string): ReportFigure {
  return { ...f, text: f.value === null ? "—" : show(f.value), sampleText: `n = ${countFormat.format(f.n)} ${unit}` };
}

function programSection(program: ProgramMetrics, currency: string): EcosystemReport["program"] {
  // A mean amount, to the whole currency unit.
  const money = (v: number) => formatMoney(Math.round(v / 100) * 100, currency);
  const days = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)} days`;
  const metric = (key: ProgramMetricKey, label: string, pick: (m: SegmentMetrics) => SampledFigure, show: (v: number) => string, unit: string) => ({
    key,
    label,
    involved: reportFigure(pick(program.involved), show, unit),
    direct: reportFigure(pick(program.direct), show, unit),
  });
  return {
    window: { from: program.period.from, to: program.period.to, lastDay: program.period.lastDay },
    retentionMonths: program.retentionMonths,
    lowSampleBelow: LOW_SAMPLE,
    metrics: [
      metric("winRate", "Win rate", (m) => m.winRate, (v) => formatPercent(v), "closed deals"),
      metric("acv", "ACV (mean won amount)", (m) => m.acvCents, money, "won deals"),
      metric("medianCycleDays", "Median sales cycle", (m) => m.medianCycleDays, days, "won deals"),
      metric("nrr", "Net revenue retention", (m) => m.nrr, (v) => formatPercent(v), "customers"),
      metric("logoChurn", "Logo churn", (m) => m.logoChurn, (v) => formatPercent(v), "customers"),
    ],
    revenueSplit: {
      totalCents: program.revenueSplit.totalCents,
      totalText: formatMoney(program.revenueSplit.totalCents, currency),
      parts: program.revenueSplit.parts.map((p) => ({
        source: p.source,
        label: SOURCE_LABEL[p.source],
        cents: p.cents,
        text: formatMoney(p.cents, currency),
        share: p.share,
        shareText: orDash(p.share, (v) => formatPercent(v)),
        // The count itself, also when it is 0 (a sampled figure would say "—").
        wonDeals: { ...reportFigure(p.wonDeals, String, "won deals"), text: countFormat.format(p.wonDeals.n) },
      })),
    },
  };
}

/** The program's monthly figures for the partner team. */
export function buildEcosystemReport(db: DB, period: string, options: { now?: Date } = {}): EcosystemReport {
  const now = options.now ?? new Date();
  validateReportPeriod(period, now);
  const { currency, programName } = programInfo(db);
  const from = periodStart(period);
  const end = periodEnd(period);
  const previousPeriod = addMonths(period, -1);
  const endDay = isoDay(end.getTime());
  const fromDay = isoDay(from.getTime());

  const activeCount =
    db
      .select({ n: sql<number>`count(*)` })
      .from(partners)
      .where(and(eq(partners.status, "active"), lt(partners.joinedOn, endDay)))
      .get()?.n ?? 0;
  const joined = db
    .select({ name: partners.name })
    .from(partners)
    .where(and(gte(partners.joinedOn, fromDay), lt(partners.joinedOn, endDay), sql`${partners.status} <> 'applied'`))
    .orderBy(asc(partners.joinedOn), asc(partners.name))
    .all();

  // Won revenue of the month by source: one pass, deal by deal.
  const bySource = db.$client
    .prepare(
      `SELECT CASE WHEN d.partner_id IS NOT NULL THEN 'sourced'
                   WHEN EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id) THEN 'influenced'
                   ELSE 'direct' END AS source,
              count(*) AS deals, coalesce(sum(d.amount_cents), 0) AS cents
         FROM deals d
        WHERE d.stage = 'won' AND d.closed_at >= ? AND d.closed_at < ?
        GROUP BY source`,
    )
    .all(from.getTime(), end.getTime()) as { source: "sourced" | "influenced" | "direct"; deals: number; cents: number }[];
  const totalCents = bySource.reduce((s, r) => s + r.cents, 0);
  const source = (key: "sourced" | "influenced" | "direct"): SourceFigures => {
    const r = bySource.find((x) => x.source === key);
    const cents = r?.cents ?? 0;
    return { cents, deals: r?.deals ?? 0, share: totalCents > 0 ? cents / totalCents : null, text: formatMoney(cents, currency) };
  };

  // The ecosystem page's figures as of the first instant after the period: one computation.
  const eco = ecosystemReport(db, end);
  const { snapshot } = eco;
  const c = snapshot.concentration;
  const win = snapshot.period;
  const analyticsWindow: AnalyticsWindow = { from: win.from, to: win.to, lastDay: win.lastDay, fromMonth: win.fromMonth, endMonth: win.endMonth };

  const top = snapshot.partners.filter((p) => p.revenueCents > 0).slice(0, 10);
  const tierOf = new Map(
    top.length === 0
      ? []
      : db
          .select({ id: partners.id, tier: tiers.name })
          .from(partners)
          .innerJoin(tiers, eq(tiers.id, partners.tierId))
          .where(
            inArray(
              partners.id,
              top.map((p) => p.id),
            ),
          )
          .all()
          .map((r) => [r.id, r.tier]),
  );

  const share = (cents: number) => (c.revenueCents > 0 ? cents / c.revenueCents : null);
  const flagged = filterLongTail(eco.longTail.rows, {}).filter((r) => r.flags.length > 0);
  const { baselines } = eco.longTail;

  const pendingApplications =
    db.select({ n: sql<number>`count(*)` }).from(partnerApplications).where(eq(partnerApplications.status, "pending")).get()?.n ?? 0;

  return {
    kind: "ecosystem",
    version: 2,
    generatedAt: now.toISOString(),
    programName,
    currency,
    period,
    periodLabel: periodLabel(period),
    previousPeriodLabel: periodLabel(previousPeriod),
    previousPeriodShortLabel: shortMonth(previousPeriod),
    window: { from: from.toISOString(), to: end.toISOString() },
    model: snapshot.model,
    modelLabel: MODEL_LABEL[snapshot.model],
    partners: { active: activeCount, joined: joined.length, joinedNames: joined.slice(0, 20).map((p) => p.name) },
    registrations: { ...registrationFigures(db, from, end), previous: registrationFigures(db, periodStart(previousPeriod), from) },
    revenue: {
      totalCents,
      totalText: formatMoney(totalCents, currency),
      deals: bySource.reduce((s, r) => s + r.deals, 0),
      sourced: source("sourced"),
      influenced: source("influenced"),
      direct: source("direct"),
    },
    asOf: end.toISOString(),
    analyticsWindow,
    topPartners: {
      window: { from: win.from, to: win.to },
      rows: top.map((p) => ({
        rank: p.rank,
        partnerId: p.id,
        name: p.name,
        slug: p.slug,
        tier: tierOf.get(p.id) ?? "—",
        cents: p.revenueCents,
        text: formatMoney(p.revenueCents, currency),
        deals: p.wonDeals,
        share: share(p.revenueCents),
      })),
    },
    queue: { asOf: now.toISOString(), pendingTierReviews: countPendingReviews(db), pendingApplications },
    concentration: {
      window: { from: win.from, to: win.to },
      ...concentrationFigures(c),
      revenueText: formatMoney(c.revenueCents, currency),
      largestPartner: snapshot.partners[0] && c.revenueCents > 0 ? { name: snapshot.partners[0].name, slug: snapshot.partners[0].slug } : null,
      trend: eco.trend.map((p) => {
        const f = concentrationFigures({ ...p, top20Count: 0, largestShareAlert: false });
        return {
          month: p.month,
          monthEnd: p.monthEnd,
          hhi: f.hhi,
          band: f.band,
          bandLabel: f.bandLabel,
          top20Share: f.top20Share,
          n80: f.n80,
          gini: f.gini,
          largestShare: f.largestShare,
          text: { hhi: f.text.hhi, top20Share: f.text.top20Share, n80: f.text.n80, gini: f.text.gini, largestShare: f.text.largestShare },
        };
      }),
    },
    alerts: eco.alerts.map((a) => ({ ...a, text: alertText(a) })),
    headTail: {
      head: { ...snapshot.head, text: formatMoney(snapshot.head.revenueCents, currency), share: share(snapshot.head.revenueCents) },
      tail: { ...snapshot.tail, text: formatMoney(snapshot.tail.revenueCents, currency), share: share(snapshot.tail.revenueCents) },
    },
    longTail: {
      partners: eco.longTail.rows.length,
      flagged: flagged.length,
      flagCounts: LONG_TAIL_FLAGS.map((flag) => ({
        flag,
        label: FLAG_LABEL[flag],
        count: eco.longTail.rows.filter((r) => r.flags.some((e) => e.flag === flag)).length,
      })),
      baselines: {
        ...baselines,
        text: {
          medianWinRate: orDash(baselines.medianWinRate, (v) => formatPercent(v, 0)),
          medianClosedDeals: orDash(baselines.medianClosedDeals, (v) => String(v)),
        },
      },
      top: flagged.slice(0, FLAGGED_ROW_LIMIT).map((r) => ({
        partnerId: r.partner.id,
        name: r.partner.name,
        slug: r.partner.slug,
        kind: r.partner.kind,
        kindLabel: KIND_LABEL[r.partner.kind],
        region: r.partner.region,
        revenueCents: r.partner.revenueCents,
        revenueText: formatMoney(r.partner.revenueCents, currency),
        share: r.partner.share,
        flags: r.flags.map((e) => ({ flag: e.flag, label: FLAG_LABEL[e.flag], text: describeEvidence(e), evidence: e })),
      })),
      more: Math.max(0, flagged.length - FLAGGED_ROW_LIMIT),
    },
    program: programSection(programMetrics(db, end), currency),
  };
}
