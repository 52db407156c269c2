// The report contract (docs/domain.md "Reports"): the shape of a partner's monthly report and
// of the internal ecosystem report, plus the small pure helpers every renderer shares (period
// checks, figure texts, chart axis scale). The builders (partner-report.server.ts,
// ecosystem-report.server.ts) fill these objects once; the portal page, the internal pages, the
// PDFs, the emails and the CLI only render them. Pure: no database, safe in the browser bundle.
import type { AttributionModel, PartnerKind } from "../../db/schema";
import type { DealSource } from "../domain/attribution";
import type { HhiBand } from "../domain/concentration";
import type { EcosystemAlert } from "../domain/ecosystem.server";
import type { FlagEvidence, LongTailFlag, ProgramBaselines } from "../domain/long-tail";
import type { SampledFigure } from "../domain/program-metrics";
import { isPeriod, periodLabel, periodStart } from "../domain/periods";
import type { Threshold } from "../domain/tiers";

/** The paper the report PDFs are printed on (program setting, default A4). */
export const PAPER_SIZES = ["A4", "Letter"] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

/** Rows of the pipeline table; the rest is counted, so a huge pipeline cannot blow up a PDF. */
export const PIPELINE_ROW_LIMIT = 250;
/** Won deals listed (the largest credits); the rest is counted and listed on the Attribution page. */
export const WON_DEAL_ROW_LIMIT = 25;
/** Rows of the flagged long-tail table; the rest is counted. */
export const FLAGGED_ROW_LIMIT = 20;

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

// ---------------------------------------------------------------------------------------------
// Figure texts shared by the builders and the renderers that show a figure the report carries
// in another form (the page's KPI tile prints HHI without separators).

/** Same text as Number#toLocaleString("en-US"), without building a formatter per call. */
const countFormat = new Intl.NumberFormat("en-US");
export const countText = (n: number) => countFormat.format(n);

/** "—" for a figure there is nothing to measure for. */
export const orDash = <T>(v: T | null, show: (v: T) => string) => (v === null ? "—" : show(v));

/** HHI rounded to a whole number, as a KPI tile prints it ("1561"). */
export const hhiWhole = (hhi: number | null) => orDash(hhi, (v) => v.toFixed(0));
/** HHI rounded to a whole number with thousands separators, as the reports print it ("1,561"). */
export const hhiText = (hhi: number | null) => orDash(hhi, (v) => Number(v.toFixed(0)).toLocaleString("en-US"));

export const KIND_LABEL: Record<PartnerKind, string> = {
  reseller: "Reseller",
  referral: "Referral partner",
  agency: "Agency",
  affiliate: "Affiliate",
  technology: "Technology partner",
  strategic: "Strategic partner",
};

export const SOURCE_LABEL: Record<DealSource, string> = { sourced: "Partner-sourced", influenced: "Partner-influenced", direct: "Direct" };

// ---------------------------------------------------------------------------------------------
// Chart axes: the report page, the attribution page and the partner PDF draw the same bars.

/**
 * The top of a money axis: the smallest 1/2/2.5/5 × 10^k at or above `value`, so the ticks
 * fall on round numbers. `empty` is the top when there is nothing to draw.
 */
export function niceCeiling(value: number, empty = 100_000): number {
  if (value <= 0) return empty;
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** `divisions + 1` evenly spaced tick values from 0 to `max`. */
export function axisTicks(max: number, divisions: number): number[] {
  return Array.from({ length: divisions + 1 }, (_, i) => max * (i / divisions));
}

export type ChartPadding = { top: number; right: number; bottom: number; left: number };

/**
 * Where the bars of a monthly bar chart go, in the chart's own units (SVG user units or PDF
 * points): one slot per bar, bars centred in their slot, a non-zero value at least 1 unit tall.
 */
export function barChartGeometry(o: {
  width: number;
  height: number;
  pad: ChartPadding;
  bars: number;
  /** The top of the value axis, e.g. from niceCeiling. */
  max: number;
  /** The share of its slot a bar fills. */
  barShare: number;
  minBarWidth?: number;
}) {
  const plotW = o.width - o.pad.left - o.pad.right;
  const plotH = o.height - o.pad.top - o.pad.bottom;
  const baseline = o.pad.top + plotH;
  const slot = plotW / Math.max(1, o.bars);
  const barW = Math.max(o.minBarWidth ?? 0, slot * o.barShare);
  return {
    plotH,
    baseline,
    slot,
    barW,
    /** The vertical position of a value. */
    y: (value: number) => o.pad.top + plotH - (value / o.max) * plotH,
    /** A bar's height: 0 for nothing, at least 1 for anything. */
    barHeight: (value: number) => (value > 0 ? Math.max(1, (value / o.max) * plotH) : 0),
    /** The left edge of bar i. */
    barX: (i: number) => o.pad.left + i * slot + (slot - barW) / 2,
    /** The centre of slot i, where its labels go. */
    slotCentre: (i: number) => o.pad.left + i * slot + slot / 2,
  };
}

// ---------------------------------------------------------------------------------------------
// The partner report: only that partner's data; other partners are never named, counted or
// summed in it. Figures are "as of the end of the period".

export type Trend = "up" | "down" | "flat" | "none";

/** The line under the won deals for those that give no credit under the program's model. */
/** The line under a bounded won-deal table: how many more, and where the full list is. */
export function moreWonDealsSentence(report: Pick<PartnerReport, "moreWonDeals" | "periodLabel">): string {
  const n = report.moreWonDeals;
  return `…and ${n} more won ${n === 1 ? "deal" : "deals"} that credit you, with smaller credits: the full list is on the Attribution page of the portal for ${report.periodLabel}.`;
}

export function uncreditedSentence(report: Pick<PartnerReport, "uncreditedWonDeals" | "modelLabel">): string {
  const n = report.uncreditedWonDeals;
  return `${n} more won ${n === 1 ? "deal" : "deals"} you registered or touched ${n === 1 ? "gives" : "give"} you no credit under the ${report.modelLabel} model; other models may credit ${n === 1 ? "it" : "them"} (see Attribution by model).`;
}

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
  /** The catalogue's sentence for this figure (domain/figures.ts). */
  explanation: string;
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
  /** In the deal's own currency. */
  amountCents: number;
  currency: string;
  /** This partner's credit under the program model. */
  creditCents: number;
  source: "sourced" | "influenced";
};

export type ReportPipelineDeal = {
  dealId: number;
  title: string;
  customer: string;
  /** In the deal's own currency. */
  amountCents: number;
  currency: string;
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
  /** The program's paper size: every page of the PDF has it. */
  paperSize: PaperSize;
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
  /** Won deals closed in the month that credit this partner under the program model: the
   *  WON_DEAL_ROW_LIMIT largest credits, largest first (ties: newest first). */
  wonDeals: ReportWonDeal[];
  /** Crediting won deals beyond the limit (wonDeals.length + moreWonDeals = the "Deals won"
   *  figure); the full list is the Attribution page for the month. */
  moreWonDeals: number;
  /** Won deals of the month it registered or touched that give it no credit under the program
   *  model (they may under others: see `attribution`); listed on the Attribution page. */
  uncreditedWonDeals: number;
  pipeline: {
    deals: ReportPipelineDeal[];
    /** All open registrations, also those beyond the row limit. */
    count: number;
    /** In the report's currency at the period end's rates; deals without a rate left out. */
    totalCents: number;
    totalText: string;
    /** Open registrations left out of totalCents for want of an exchange rate. */
    missingRates: number;
    expiringSoon: number;
    /** Rows left out of `deals` (PIPELINE_ROW_LIMIT). */
    more: number;
  };
  actions: ReportAction[];
  /** Anything happened in the month: registrations, decisions, closes, credit or touches. */
  hasActivity: boolean;
};

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

/** The "Cost and return" section (decision 0022): each figure as text with the inputs behind it. */
export type CostAndReturnSection = {
  window: { from: string; lastDay: string };
  rows: { label: string; value: string; detail: string }[];
  mdfByActivity: { activity: string; paid: string; won: string; pipeline: string; roi: string }[];
};

export type EcosystemReport = {
  kind: "ecosystem";
  /** Absent in reports built before program spend existed. */
  costAndReturn?: CostAndReturnSection;
  /** 2: the concentration sections come from the ecosystem page's computation. */
  version: 2;
  generatedAt: string;
  programName: string;
  currency: string;
  /** The program's paper size: every page of the PDF has it. */
  paperSize: PaperSize;
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
  /** Won deals closed in the month, by source (docs/domain.md "Attribution": sourced / influenced / direct, by dealSource). */
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
      parts: { source: DealSource; label: string; cents: number; text: string; share: number | null; shareText: string; wonDeals: ReportFigure }[];
    };
  };
};
