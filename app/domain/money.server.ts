// The one home of currency conversion over the database (docs/domain.md "Money and
// currencies"). Deals keep their amount in their own currency; every total is in the program's
// reporting currency (program_settings.currency), converted in SQL by `convertedCentsSql`:
// integer arithmetic, rounded half up, NULL when no rate applies — never a silent 1:1. The date
// rule: won and lost deals at their close date, everything else (open pipeline) at `asOf`.
// `missingRates` says what a scope lacks so pages can warn.
import type { DB, Tx } from "../db.server";
import { dayOf, isCalendarDay, RATE_SCALE } from "./money";
import { clientOf } from "./rollups.server";

/** The reporting currency, inside SQL. */
export const REPORTING_CURRENCY_SQL = `coalesce((SELECT currency FROM program_settings WHERE id = 1), 'USD')`;

/**
 * SQL: `amount` cents in `currency` as reporting-currency cents at the 'YYYY-MM-DD' `day`, using
 * the latest rate on or before that day; NULL when there is none. A deal already in the
 * reporting currency is never looked up. Arguments are SQL expressions. amount × rate is split
 * at a million so no product leaves SQLite's 64-bit integers (which would turn it into a float):
 * a·r/1e6 = ⌊a/1e6⌋·r + (a mod 1e6)·r/1e6, rounded half up in the second term only.
 */
export function convertedCentsSql(amount: string, currency: string, day: string): string {
  return `(CASE WHEN ${currency} = ${REPORTING_CURRENCY_SQL} THEN ${amount}
    ELSE (SELECT ${amount} / ${RATE_SCALE} * xr.rate_micros + (${amount} % ${RATE_SCALE} * xr.rate_micros + ${RATE_SCALE / 2}) / ${RATE_SCALE}
            FROM exchange_rates xr
           WHERE xr.currency = ${currency} AND xr.quote_currency = ${REPORTING_CURRENCY_SQL} AND xr.valid_from <= ${day}
           ORDER BY xr.valid_from DESC LIMIT 1) END)`;
}

/** A literal SQL day for `asOf` (always a real day: built from a Date). */
function dayLiteral(asOf: Date | string): string {
  const day = typeof asOf === "string" ? asOf : dayOf(asOf);
  if (!isCalendarDay(day)) throw new Error(`money: ${day} is not a calendar day`);
  return `'${day}'`;
}

/** SQL: the day whose rate converts the deal aliased `d`: its close date once won or lost, else `asOf`. */
export function dealRateDaySql(d: string, asOf: Date | string): string {
  return `(CASE WHEN ${d}.stage IN ('won', 'lost') AND ${d}.closed_at IS NOT NULL
    THEN date(${d}.closed_at / 1000, 'unixepoch') ELSE ${dayLiteral(asOf)} END)`;
}

/** SQL: the deal aliased `d` in reporting cents under the date rule; NULL when its rate is missing. */
export function dealReportingCentsSql(d: string, asOf: Date | string = new Date()): string {
  return convertedCentsSql(`${d}.amount_cents`, `${d}.currency`, dealRateDaySql(d, asOf));
}

/** SQL: a won/lost deal aliased `d` in reporting cents at its close date (what the rollups keep). */
export function closedDealReportingCentsSql(d: string): string {
  return convertedCentsSql(`${d}.amount_cents`, `${d}.currency`, `date(${d}.closed_at / 1000, 'unixepoch')`);
}

export type MissingRates = {
  /** Deals whose amount is left out of totals for want of a rate. */
  deals: number;
  currencies: string[];
  /** The earliest day a rate is needed from ('YYYY-MM-DD'), or null when nothing is missing. */
  earliestDay: string | null;
  reportingCurrency: string;
};

/** The stages whose amounts make totals (rejected and expired registrations make none). */
const COUNTED_STAGES = `('submitted', 'approved', 'won', 'lost')`;

/**
 * What rates the totals of a scope lack: deals (registered by the partner, or touched by it,
 * when `partnerId` is given; else the whole program) whose currency has no rate on their day.
 */
export function missingRates(db: DB | Tx, scope: { partnerId?: number } = {}, asOf: Date = new Date()): MissingRates {
  const c = clientOf(db);
  const reportingCurrency = c.prepare(`SELECT ${REPORTING_CURRENCY_SQL}`).pluck().get() as string;
  // Which deals can lack a rate at all: a currency's rates apply from its first rate on, so only
  // its deals whose day comes before that first rate (every deal of a currency with no rate).
  // Those candidates come from deals_currency_closed_idx; the rule itself (a NULL conversion)
  // then decides, so a healthy program reads no deals and a partner never its whole history.
  const firsts = c
    .prepare(
      `SELECT cur.currency, (SELECT min(valid_from) FROM exchange_rates xr WHERE xr.currency = cur.currency AND xr.quote_currency = @reporting) AS first
         FROM (WITH RECURSIVE cur(currency) AS (
                 SELECT min(currency) FROM deals
                 UNION ALL SELECT (SELECT min(currency) FROM deals WHERE currency > cur.currency) FROM cur WHERE cur.currency IS NOT NULL)
               SELECT currency FROM cur WHERE currency IS NOT NULL) cur
        WHERE cur.currency <> @reporting`,
    )
    .all({ reporting: reportingCurrency }) as { currency: string; first: string | null }[];
  const today = dayOf(asOf);
  const ranges: string[] = [];
  const params: Record<string, unknown> = {};
  firsts.forEach(({ currency, first }, i) => {
    params[`c${i}`] = currency;
    // Before the first rate, even deals converted at asOf (open ones) lack it: every deal is a candidate.
    if (first === null || today < first) ranges.push(`SELECT id FROM deals WHERE currency = @c${i}`);
    else {
      params[`f${i}`] = Date.parse(`${first}T00:00:00Z`);
      ranges.push(`SELECT id FROM deals WHERE currency = @c${i} AND closed_at < @f${i}`);
    }
  });
  if (ranges.length === 0) return { deals: 0, currencies: [], earliestDay: null, reportingCurrency };
  const partnerWhere =
    scope.partnerId === undefined
      ? ""
      : `AND (d.partner_id = @partnerId OR EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id AND t.partner_id = @partnerId))`;
  if (scope.partnerId !== undefined) params.partnerId = scope.partnerId;
  const rows = c
    .prepare(
      `SELECT d.currency AS currency, count(*) AS deals, min(${dealRateDaySql("d", asOf)}) AS earliestDay
         FROM deals d
        WHERE d.id IN (${ranges.join(" UNION ALL ")})
          AND d.stage IN ${COUNTED_STAGES} AND d.currency <> ${REPORTING_CURRENCY_SQL}
          AND ${dealReportingCentsSql("d", asOf)} IS NULL ${partnerWhere}
        GROUP BY d.currency ORDER BY d.currency`,
    )
    .all(params) as { currency: string; deals: number; earliestDay: string }[];
  return {
    deals: rows.reduce((n, r) => n + r.deals, 0),
    currencies: rows.map((r) => r.currency),
    earliestDay: rows.length ? rows.map((r) => r.earliestDay).sort()[0]! : null,
    reportingCurrency,
  };
}
