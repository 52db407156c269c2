// One partner's attribution page model: what it was credited with in a period (a calendar
// month, a quarter or the trailing 12 months), under the program's model and every other,
// month by month and deal by deal. Built on creditPartnerDeals, so other partners only ever
// appear as a count of their touches — never by id, name or amount.
import { and, eq, inArray } from "drizzle-orm";
import { touches, type AttributionModel } from "../../db/schema";
import type { DB } from "../db.server";
import { MODELS } from "./attribution";
import { compareModels, zeroCreditReason, type ModelComparison, type Registrant } from "./attribution-explain";
import { creditPartnerDeals, programModel, trailing12Months, type Window } from "./attribution.server";
import { calendarWindow as windowOf, isPeriod, isQuarter, monthsIn, periodOf, quarterLabel, shortPeriodLabel } from "./periods";
import { programCurrency } from "./program-settings.server";
import { clientOf } from "./rollups.server";

export type PeriodKind = "month" | "quarter" | "ttm";
export type Period =
  | { kind: "month"; value: string }
  | { kind: "quarter"; value: string }
  | { kind: "ttm"; value: null };
export type PeriodInput = { kind: PeriodKind; value: string | null };

/** A period the partner cannot ask for; `field` names the form control it came from. */
export class PeriodError extends Error {
  readonly status = 400;
  constructor(message: string, readonly field: "kind" | "month" | "quarter") {
    super(message);
  }
}

export const PERIOD_KINDS: readonly PeriodKind[] = ["ttm", "month", "quarter"];
export const PERIOD_KIND_LABEL: Record<PeriodKind, string> = {
  ttm: "Trailing 12 months",
  month: "Month",
  quarter: "Quarter",
};


/**
 * The period of the attribution page's GET form: `kind` (ttm when absent) and, for a month,
 * `month=YYYY-MM`, for a quarter `quarter=YYYY-Qn`. Throws PeriodError for anything else.
 */
export function parsePeriod(searchParams: URLSearchParams): Period {
  const kind = searchParams.get("kind") || "ttm";
  if (kind === "ttm") return { kind, value: null };
  if (kind === "month") return validatePeriod({ kind, value: (searchParams.get("month") ?? "").trim() });
  if (kind === "quarter")
    return validatePeriod({ kind, value: (searchParams.get("quarter") ?? "").trim().toUpperCase() });
  throw new PeriodError("Choose a period: trailing 12 months, a month or a quarter.", "kind");
}

export function validatePeriod(period: PeriodInput): Period {
  switch (period.kind) {
    case "ttm":
      return { kind: "ttm", value: null };
    case "month":
      if (!period.value) throw new PeriodError("Choose a month.", "month");
      if (!isPeriod(period.value)) {
        throw new PeriodError(`"${period.value.slice(0, 20)}" is not a month: use YYYY-MM, e.g. 2025-04.`, "month");
      }
      return { kind: "month", value: period.value };
    case "quarter":
      if (!period.value) throw new PeriodError("Choose a quarter.", "quarter");
      if (!isQuarter(period.value)) {
        throw new PeriodError(`"${period.value.slice(0, 20)}" is not a quarter: use YYYY-Qn, e.g. 2025-Q2.`, "quarter");
      }
      return { kind: "quarter", value: period.value };
    default:
      throw new PeriodError("Choose a period: trailing 12 months, a month or a quarter.", "kind");
  }
}

/** The [from, to) window of a month or quarter in UTC. */
export function calendarWindow(period: Exclude<Period, { kind: "ttm" }>): Window {
  return windowOf(period.value);
}

export function periodLabel(period: Period): string {
  if (period.kind === "ttm") return "Trailing 12 months";
  if (period.kind === "month") return shortPeriodLabel(period.value);
  return quarterLabel(period.value);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export type MonthCredit = {
  month: string;
  label: string;
  /** Credited cents under the program model for deals closed that month (inside the chart range). */
  cents: number;
  /** The month belongs to the selected period (the others are context). */
  inPeriod: boolean;
  /** Only part of the month is inside the range (the ends of a trailing-12-month window). */
  partial: boolean;
};

export type AttributionTouch = {
  touchId: number;
  date: string;
  kind: string;
  pillar: string;
  journeyStage: string;
};

export type AttributionDeal = {
  dealId: number;
  title: string;
  closedOn: string;
  /** In the deal's own currency (credit is in the reporting currency). */
  amountCents: number;
  currency: string;
  /** From this partner's point of view: it registered the deal, or it only touched it. */
  source: "sourced" | "influenced";
  /** This partner's credit on the deal under every model. */
  credit: Record<AttributionModel, number>;
  ownTouches: AttributionTouch[];
  /** How many touches other partners logged on the deal; who they are is never said. */
  otherPartnerTouches: number;
  registrant: Registrant;
  /** Why the deal gives no credit under the program model; null when it gives some. */
  zeroReason: string | null;
};

export type PartnerAttribution = {
  period: Period;
  periodLabel: string;
  /** ISO instants; `to` is exclusive. */
  window: { from: string; to: string };
  /** The chart's range: the window itself, or the 12 months ending with a month/quarter. */
  chartWindow: { from: string; to: string };
  model: AttributionModel;
  currency: string;
  /** Credited cents per model over the window. */
  totals: Record<AttributionModel, number>;
  /** totals[model], for convenience. */
  creditedCents: number;
  /** Split of creditedCents: deals this partner registered vs deals it only touched. */
  sourcedCents: number;
  influencedCents: number;
  /** Won deals that credit this partner under the program model (the tier's "won deals"). */
  creditedDeals: number;
  monthly: MonthCredit[];
  /** Won deals in the window this partner registered or touched, most recent close first. */
  deals: AttributionDeal[];
  /** Of `deals`, those that give no credit under the program model. */
  zeroCreditDeals: number;
  /** Every other model against the program's: total, difference and why, in words. */
  comparisons: ModelComparison[];
};

/** The window a period covers at `asOf`; throws PeriodError for a malformed or future one. */
export function periodWindow(period: PeriodInput, asOf: Date): { period: Period; window: Window } {
  const valid = validatePeriod(period);
  if (valid.kind === "ttm") return { period: valid, window: trailing12Months(asOf) };
  const window = calendarWindow(valid);
  if (window.from.getTime() > asOf.getTime()) {
    throw new PeriodError(`${periodLabel(valid)} has not started yet: choose a period up to today.`, valid.kind);
  }
  return { period: valid, window };
}

export function partnerAttribution(
  db: DB,
  partnerId: number,
  period: PeriodInput,
  asOf: Date = new Date()
): PartnerAttribution {
  const { period: valid, window } = periodWindow(period, asOf);
  const model = programModel(db);
  const currency = programCurrency(db);

  // A month or quarter alone makes a thin chart: show the 12 months ending with it.
  const chartWindow: Window =
    valid.kind === "ttm"
      ? window
      : { from: new Date(Date.UTC(window.to.getUTCFullYear(), window.to.getUTCMonth() - 12, 1)), to: window.to };
  // The deals are credited one by one over the period only; the chart's context months (whole
  // months before a month or quarter) come from the program model's month rollup
  // (partner_month_credit, kept in every write's transaction), so a month or quarter costs a
  // month or quarter of deals, not twelve.
  const inWindow = creditPartnerDeals(db, partnerId, window, MODELS);

  const totals = Object.fromEntries(MODELS.map((m) => [m, inWindow.reduce((s, d) => s + d.credit[m], 0)])) as Record<
    AttributionModel,
    number
  >;
  let sourcedCents = 0;
  let influencedCents = 0;
  for (const d of inWindow) {
    if (d.source === "sourced") sourcedCents += d.credit[model];
    else influencedCents += d.credit[model];
  }

  const periodMonths = new Set(monthsIn(window));
  const perMonth = new Map<string, number>();
  for (const d of inWindow)
    perMonth.set(periodOf(d.closedAt), (perMonth.get(periodOf(d.closedAt)) ?? 0) + d.credit[model]);
  const chartMonths = monthsIn(chartWindow);
  const contextMonths = chartMonths.filter((m) => !periodMonths.has(m));
  if (contextMonths.length) {
    const rows = clientOf(db)
      .prepare(
        `SELECT month, credited_cents FROM partner_month_credit
          WHERE model = ? AND partner_id = ? AND month IN (SELECT value FROM json_each(?))`
      )
      .raw(true)
      .all(model, partnerId, JSON.stringify(contextMonths)) as [string, number][];
    for (const [month, cents] of rows) perMonth.set(month, cents);
  }
  const monthly: MonthCredit[] = chartMonths.map((month, i) => {
    const { from, to } = windowOf(month);
    const partial =
      (i === 0 && chartWindow.from.getTime() > from.getTime()) ||
      (i === chartMonths.length - 1 && chartWindow.to.getTime() < to.getTime());
    return {
      month,
      label: shortPeriodLabel(month),
      cents: perMonth.get(month) ?? 0,
      inPeriod: periodMonths.has(month),
      partial,
    };
  });

  // The details of this partner's own touches: the engine only carries ids and dates.
  const ownIds = inWindow.flatMap((d) => d.ownTouches.map((t) => t.id));
  const details = new Map(
    (ownIds.length
      ? db
          .select({
            id: touches.id,
            kind: touches.kind,
            pillar: touches.pillar,
            journeyStage: touches.journeyStage,
          })
          .from(touches)
          .where(and(eq(touches.partnerId, partnerId), inArray(touches.id, ownIds)))
          .all()
      : []
    ).map((t) => [t.id, t])
  );

  const dealsOut: AttributionDeal[] = inWindow
    .map((d) => ({
      dealId: d.dealId,
      title: d.title,
      closedOn: isoDay(d.closedAt),
      amountCents: d.amountCents,
      currency: d.currency,
      source: d.source === "sourced" ? ("sourced" as const) : ("influenced" as const),
      credit: d.credit,
      ownTouches: d.ownTouches.map((t) => {
        const detail = details.get(t.id);
        return {
          touchId: t.id,
          date: isoDay(t.occurredAt),
          kind: detail?.kind ?? "",
          pillar: detail?.pillar ?? "",
          journeyStage: detail?.journeyStage ?? "",
        };
      }),
      otherPartnerTouches: d.otherPartnerTouches,
      registrant: d.registrant,
      zeroReason: zeroCreditReason(model, d),
      closedAt: d.closedAt,
    }))
    .sort((a, b) => b.closedAt - a.closedAt || b.dealId - a.dealId)
    .map(({ closedAt: _closedAt, ...deal }) => deal);

  return {
    period: valid,
    periodLabel: periodLabel(valid),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    chartWindow: { from: chartWindow.from.toISOString(), to: chartWindow.to.toISOString() },
    model,
    currency,
    totals,
    creditedCents: totals[model],
    sourcedCents,
    influencedCents,
    creditedDeals: inWindow.filter((d) => d.credit[model] > 0).length,
    monthly,
    deals: dealsOut,
    zeroCreditDeals: dealsOut.filter((d) => d.credit[model] === 0).length,
    comparisons: compareModels(inWindow, model, currency),
  };
}

/** How many deals one page of the attribution page's table lists. */
export const DEALS_PER_PAGE = 25;

/** A page of the deal table the partner cannot ask for. */
export class DealPageError extends Error {
  readonly status = 400;
  readonly field = "page";
}

export type DealPage = {
  /** `zero=show` in the URL: deals that give no credit under the program model are listed too. */
  showZero: boolean;
  page: number;
  pages: number;
  /** How many deals the table lists over all its pages. */
  total: number;
  deals: AttributionDeal[];
};

/**
 * The deal table's rows for `?zero=show&page=n`: by default only deals that credit the partner
 * under the program model; pages count the deals listed, so both views page correctly.
 */
export function dealPage(report: Pick<PartnerAttribution, "deals" | "model">, searchParams: URLSearchParams): DealPage {
  const showZero = searchParams.get("zero") === "show";
  const listed = showZero ? report.deals : report.deals.filter((d) => d.credit[report.model] > 0);
  const pages = Math.max(1, Math.ceil(listed.length / DEALS_PER_PAGE));
  const raw = (searchParams.get("page") ?? "").trim();
  const page = raw === "" ? 1 : Number(raw);
  if (!Number.isInteger(page) || page < 1 || page > pages) {
    throw new DealPageError(
      `"${raw.slice(0, 20)}" is not a page of this table: choose a page from 1 to ${pages}.`
    );
  }
  return {
    showZero,
    page,
    pages,
    total: listed.length,
    deals: listed.slice((page - 1) * DEALS_PER_PAGE, page * DEALS_PER_PAGE),
  };
}
