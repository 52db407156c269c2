// One partner's attribution page model: what it was credited with in a period (a calendar
// month, a quarter or the trailing 12 months), under the program's model and every other,
// month by month and deal by deal. Built on creditPartnerDeals, so other partners only ever
// appear as a count of their touches — never by id, name or amount.
import { and, eq, inArray } from "drizzle-orm";
import { touches, type AttributionModel } from "../../db/schema";
import type { DB } from "../db.server";
import { MODELS } from "./attribution";
import {
  creditTotals,
  describeModelDifferences,
  modelDifferenceGroups,
  zeroCreditReason,
  type ComparedDeal,
  type ModelComparison,
  type ModelDifferenceGroup,
  type Registrant,
} from "./attribution-explain";
import type { DealInvolvement } from "../../db/schema";
import { creditPartnerDeals, programModel, trailing12Months, type CreditedDeal, type Window } from "./attribution.server";
import { calendarWindow as windowOf, isPeriod, isQuarter, monthsIn, periodOf, quarterLabel, shortPeriodLabel } from "./periods";
import { programCurrency } from "./program-settings.server";
import { connectionMemo } from "./memo.server";
import { clientOf, rollupVersions } from "./rollups.server";
import { decodeKeyset, encodeKeyset } from "./keyset";

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

/** The chart's range: the window itself, or the 12 months ending with a month or quarter. */
function chartWindowOf(period: Period, window: Window): Window {
  return period.kind === "ttm"
    ? window
    : { from: new Date(Date.UTC(window.to.getUTCFullYear(), window.to.getUTCMonth() - 12, 1)), to: window.to };
}

/**
 * The chart's months: the period's own months from `perMonth` (credited cents of its deals by
 * close month); a month or quarter's context months (whole months before it) from the program
 * model's month rollup (partner_month_credit, kept in every write's transaction).
 */
function monthlyCredits(
  db: DB,
  partnerId: number,
  model: AttributionModel,
  window: Window,
  chartWindow: Window,
  perMonth: Map<string, number>
): MonthCredit[] {
  const periodMonths = new Set(monthsIn(window));
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
  return chartMonths.map((month, i) => {
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
}

/** A won deal of the period as the summary needs it: close, side and credit per model. */
type SummaryDeal = ComparedDeal & { closedAt: number; sourced: boolean };

/** A period's figures, summed: what the summary is made of besides the chart's context months. */
type PeriodFigures = {
  /** Credited cents per model. */
  totals: Record<AttributionModel, number>;
  /** Of totals[program model], on deals the partner registered / only touched. */
  sourcedCents: number;
  influencedCents: number;
  /** Deals crediting the partner under the program model, and all of them. */
  creditedDeals: number;
  dealCount: number;
  /** Program-model cents per month (YYYY-MM, UTC) that has a deal. */
  perMonth: Map<string, number>;
  groups: ModelDifferenceGroup[];
};

/** The figures deal by deal (the engine's reference; partnerAttributionSummary sums them in SQL). */
function figuresOf(list: readonly SummaryDeal[], model: AttributionModel): PeriodFigures {
  const figures = { totals: creditTotals(list), sourcedCents: 0, influencedCents: 0, creditedDeals: 0, dealCount: list.length, perMonth: new Map<string, number>() };
  for (const d of list) {
    const cents = d.credit[model];
    if (d.sourced) figures.sourcedCents += cents;
    else figures.influencedCents += cents;
    if (cents > 0) figures.creditedDeals++;
    const month = periodOf(d.closedAt);
    figures.perMonth.set(month, (figures.perMonth.get(month) ?? 0) + cents);
  }
  return { ...figures, groups: modelDifferenceGroups(list, model) };
}

/** Everything but the deal list, from the period's figures. */
function summarize(
  db: DB,
  partnerId: number,
  valid: Period,
  window: Window,
  model: AttributionModel,
  currency: string,
  figures: PeriodFigures
): AttributionSummary {
  const chartWindow = chartWindowOf(valid, window);
  return {
    period: valid,
    periodLabel: periodLabel(valid),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    chartWindow: { from: chartWindow.from.toISOString(), to: chartWindow.to.toISOString() },
    model,
    currency,
    totals: figures.totals,
    creditedCents: figures.totals[model],
    sourcedCents: figures.sourcedCents,
    influencedCents: figures.influencedCents,
    creditedDeals: figures.creditedDeals,
    monthly: monthlyCredits(db, partnerId, model, window, chartWindow, figures.perMonth),
    dealCount: figures.dealCount,
    zeroCreditDeals: figures.dealCount - figures.creditedDeals,
    comparisons: describeModelDifferences(figures.totals, figures.groups, model, currency),
  };
}

/** The attribution page's figures without its deal list (see partnerAttributionSummary). */
export type AttributionSummary = Omit<PartnerAttribution, "deals"> & {
  /** Won deals in the window this partner registered or touched. */
  dealCount: number;
};

/** The models compared with the program's, in the order figuresSql sums their differences. */
const otherModels = (model: AttributionModel) => MODELS.filter((m) => m !== model);

/** One row per (month, involvement) of a period's partner_deal_credits, summed for the program model. */
function figuresSql(model: AttributionModel): string {
  const p = `${model}_cents`;
  const differences = otherModels(model).flatMap((m) => [
    `sum(${m}_cents > ${p})`,
    `sum(CASE WHEN ${m}_cents > ${p} THEN ${m}_cents - ${p} ELSE 0 END)`,
    `sum(${m}_cents < ${p})`,
    `sum(CASE WHEN ${m}_cents < ${p} THEN ${m}_cents - ${p} ELSE 0 END)`,
  ]);
  return `SELECT strftime('%Y-%m', closed_at / 1000, 'unixepoch'), involvement, count(*), sum(${p} > 0),
            sum(CASE WHEN registered = 1 THEN ${p} ELSE 0 END), sum(CASE WHEN registered = 0 THEN ${p} ELSE 0 END),
            ${MODELS.map((m) => `sum(${m}_cents)`).join(", ")}, ${differences.join(", ")}
            FROM partner_deal_credits WHERE partner_id = ? AND closed_at >= ? AND closed_at < ?
           GROUP BY 1, 2`;
}

/** A row of figuresSql: month, involvement, then its sums. */
type FigureRow = [string, DealInvolvement, ...number[]];

/** How many partner-months of summed rows each connection keeps (a few KB each). */
export const SUMMARY_MONTH_MEMO_LIMIT = 5_000;

/**
 * figuresSql's rows for a window. A whole calendar month's rows are kept per (partner, model,
 * month) and reused while the month's rollup version (rollup_months, moved in the same
 * transaction as any change to its partner_deal_credits rows) is unchanged, so the trailing 12
 * months of the largest partner sum only the two part-months at its ends again (17 → 2 ms).
 * Nothing read inside a transaction is kept (see memo.server.ts).
 */
function periodFigureRows(db: DB, partnerId: number, model: AttributionModel, window: Window): FigureRow[] {
  const c = clientOf(db);
  const statement = c.prepare(figuresSql(model)).raw(true);
  const query = (from: number, to: number) => statement.all(partnerId, from, to) as FigureRow[];
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (c.inTransaction) return query(from, to);
  const versions = rollupVersions(db);
  const memo = connectionMemo(c);
  let kept = memo.get("attribution-months")?.value as Map<string, { version: number; rows: FigureRow[] }> | undefined;
  if (!kept) memo.set("attribution-months", { key: null, value: (kept = new Map()) });
  const rows: FigureRow[] = [];
  // Consecutive spans not answered from the memo are summed in one query each.
  let spanFrom: number | null = null;
  let spanTo = from;
  const flush = () => {
    if (spanFrom !== null && spanTo > spanFrom) rows.push(...query(spanFrom, spanTo));
    spanFrom = null;
  };
  for (const month of monthsIn(window)) {
    const bounds = windowOf(month);
    const lo = Math.max(from, bounds.from.getTime());
    const hi = Math.min(to, bounds.to.getTime());
    const version = versions.get(month);
    const whole = lo === bounds.from.getTime() && hi === bounds.to.getTime() && version !== undefined;
    const key = `${partnerId}:${model}:${month}`;
    const hit = whole ? kept.get(key) : undefined;
    if (hit && hit.version === version) {
      flush();
      kept.delete(key);
      kept.set(key, hit); // most recently used last
      rows.push(...hit.rows);
    } else if (whole) {
      flush();
      const monthRows = query(lo, hi);
      kept.delete(key);
      kept.set(key, { version: version!, rows: monthRows });
      if (kept.size > SUMMARY_MONTH_MEMO_LIMIT) kept.delete(kept.keys().next().value!);
      rows.push(...monthRows);
    } else {
      spanFrom ??= lo;
      spanTo = hi;
    }
  }
  flush();
  return rows;
}

/**
 * The attribution page's figures for a period — totals under every model, the sourced /
 * influenced split, the credited and $0 counts, the chart and the model comparisons — summed
 * by SQLite from the period's rows of partner_deal_credits (one per won deal the partner
 * registered or touched, the engine's credit kept by the rollups; read from its covering index)
 * into one row per month and involvement, instead of crediting every deal again or reading each
 * into JavaScript (the largest partner's year is ~12,000 rows: 30 ms of the event loop, half of
 * it garbage collection, before). Equal to partnerAttribution's, which the tests hold it to.
 */
export function partnerAttributionSummary(
  db: DB,
  partnerId: number,
  period: PeriodInput,
  asOf: Date = new Date()
): AttributionSummary {
  const { period: valid, window } = periodWindow(period, asOf);
  const model = programModel(db);
  const currency = programCurrency(db);
  const others = otherModels(model);
  const rows = periodFigureRows(db, partnerId, model, window);
  const totals = Object.fromEntries(MODELS.map((m) => [m, 0])) as Record<AttributionModel, number>;
  const figures: PeriodFigures = { totals, sourcedCents: 0, influencedCents: 0, creditedDeals: 0, dealCount: 0, perMonth: new Map(), groups: [] };
  const groups = new Map<string, ModelDifferenceGroup>();
  for (const [month, category, ...n] of rows) {
    const [count, credited, sourced, influenced] = n as [number, number, number, number];
    figures.dealCount += count;
    figures.creditedDeals += credited;
    figures.sourcedCents += sourced;
    figures.influencedCents += influenced;
    figures.perMonth.set(month, (figures.perMonth.get(month) ?? 0) + sourced + influenced);
    MODELS.forEach((m, i) => (totals[m] += n[4 + i]!));
    others.forEach((m, i) => {
      const at = 4 + MODELS.length + 4 * i;
      for (const [more, deals, deltaCents] of [[true, n[at]!, n[at + 1]!], [false, n[at + 2]!, n[at + 3]!]] as const) {
        if (deals === 0) continue;
        const key = `${m}:${category}:${more}`;
        const group = groups.get(key);
        if (group) {
          group.deals += deals;
          group.deltaCents += deltaCents;
        } else groups.set(key, { model: m, category, more, deals, deltaCents });
      }
    });
  }
  figures.groups = [...groups.values()];
  return summarize(db, partnerId, valid, window, model, currency, figures);
}

/**
 * The whole attribution model with every deal of the period, crediting each deal with the
 * engine: the reference partnerAttributionSummary is tested against, and for callers that need
 * every deal of a short period.
 */
export function partnerAttribution(
  db: DB,
  partnerId: number,
  period: PeriodInput,
  asOf: Date = new Date()
): PartnerAttribution {
  const { period: valid, window } = periodWindow(period, asOf);
  const model = programModel(db);
  const currency = programCurrency(db);
  const inWindow = creditPartnerDeals(db, partnerId, window, MODELS);
  const list = inWindow.map((d) => ({ ...d, sourced: d.source === "sourced" }));
  const { dealCount: _count, ...summary } = summarize(db, partnerId, valid, window, model, currency, figuresOf(list, model));
  const newestFirst = [...inWindow].sort((a, b) => b.closedAt - a.closedAt || b.dealId - a.dealId);
  const deals = attributionDeals(db, partnerId, model, newestFirst);
  return { ...summary, deals };
}

/** The deal table's rows for credited deals: this partner's own touches in detail. */
function attributionDeals(db: DB, partnerId: number, model: AttributionModel, credited: readonly CreditedDeal[]): AttributionDeal[] {
  // The details of this partner's own touches: the engine only carries ids and dates.
  const ownIds = credited.flatMap((d) => d.ownTouches.map((t) => t.id));
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
  return credited.map((d) => ({
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
  }));
}

/** How many deals one page of the attribution page's table lists. */
export const DEALS_PER_PAGE = 25;

/** A position in the deal table: the (closed_at, deal id) of a row, as "<ms>.<id>" in the URL. */
export type DealCursor = { closedAt: number; dealId: number };

export function encodeDealCursor(c: DealCursor): string {
  return encodeKeyset([c.closedAt, c.dealId]);
}

/** null for anything that is not a cursor this module wrote (the table then starts over). */
export function decodeDealCursor(value: string | null | undefined): DealCursor | null {
  const key = decodeKeyset(value, ["number", "number"] as const);
  return key ? { closedAt: key[0], dealId: key[1] } : null;
}

export type DealPage = {
  /** `zero=show` in the URL: deals that give no credit under the program model are listed too. */
  showZero: boolean;
  /** How many deals the table lists over all its pages. */
  total: number;
  deals: AttributionDeal[];
  /** Cursor of the next page (older deals), null on the last page. */
  next: string | null;
  /** Cursor of the previous page (newer deals), null on the first page. */
  prev: string | null;
};

/**
 * One page of the deal table (`?zero=show&after=…` / `before=…`), most recent close first,
 * keyset-paged on (closed_at, deal id) over this partner's rows of partner_deal_credits in the
 * period; only the page's deals go through the attribution engine (for their touches and the
 * reasons for $0). By default only deals that credit the partner under the program model. The
 * partner id comes from the guard: a cursor only says where to start, never whose deals.
 */
export function attributionDealPage(
  db: DB,
  partnerId: number,
  summary: Pick<AttributionSummary, "window" | "model" | "zeroCreditDeals" | "dealCount">,
  searchParams: URLSearchParams
): DealPage {
  const showZero = searchParams.get("zero") === "show";
  const model = summary.model;
  const window = { from: new Date(summary.window.from), to: new Date(summary.window.to) };
  const total = showZero ? summary.dealCount : summary.dealCount - summary.zeroCreditDeals;
  const before = decodeDealCursor(searchParams.get("before"));
  const after = before ? null : decodeDealCursor(searchParams.get("after"));
  const cursor = before ?? after;
  const rows = clientOf(db)
    .prepare(
      `SELECT deal_id, closed_at FROM partner_deal_credits
        WHERE partner_id = ? AND closed_at >= ? AND closed_at < ?
          ${showZero ? "" : `AND ${model}_cents > 0`}
          ${cursor ? `AND (closed_at, deal_id) ${before ? ">" : "<"} (?, ?)` : ""}
        ORDER BY closed_at ${before ? "ASC" : "DESC"}, deal_id ${before ? "ASC" : "DESC"} LIMIT ?`
    )
    .raw(true)
    .all(
      partnerId,
      window.from.getTime(),
      window.to.getTime(),
      ...(cursor ? [cursor.closedAt, cursor.dealId] : []),
      DEALS_PER_PAGE + 1
    ) as [number, number][];
  const more = rows.length > DEALS_PER_PAGE;
  const page = rows.slice(0, DEALS_PER_PAGE);
  if (before) page.reverse();
  const cursorOf = (r: [number, number] | undefined) => (r ? encodeDealCursor({ dealId: r[0], closedAt: r[1] }) : null);
  const first = page[0];
  const last = page[page.length - 1];
  const next = before ? (last ? cursorOf(last) : encodeDealCursor(before)) : more ? cursorOf(last) : null;
  const prev = before ? (more ? cursorOf(first) : null) : after ? (first ? cursorOf(first) : encodeDealCursor(after)) : null;
  const ids = page.map((r) => r[0]);
  const credited = ids.length ? creditPartnerDeals(db, partnerId, window, MODELS, { onlyDealIds: ids }) : [];
  const order = new Map(ids.map((id, i) => [id, i]));
  credited.sort((a, b) => order.get(a.dealId)! - order.get(b.dealId)!);
  return { showZero, total, deals: attributionDeals(db, partnerId, model, credited), next, prev };
}
