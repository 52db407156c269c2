// Calendar periods in UTC, the one place that knows how a month or a quarter is written and where
// it starts and ends (docs/domain.md, "Periods"). A month is 'YYYY-MM', a quarter 'YYYY-Qn'; a
// window is a half-open [from, to) pair of instants. Pure: no database, no clock unless passed.

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER_RE = /^(\d{4})-Q([1-4])$/;

const LONG_MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
] as const;
const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

export type Window = { from: Date; to: Date };

/** A value that is not a 'YYYY-MM' month; the message says how to write one. */
export class InvalidPeriodError extends Error {
  constructor(value: string) {
    super(`"${value.slice(0, 20)}" is not a month: write it as YYYY-MM, e.g. 2026-10.`);
    this.name = "InvalidPeriodError";
  }
}

export function isPeriod(value: string): boolean {
  return MONTH_RE.test(value);
}

export function isQuarter(value: string): boolean {
  return QUARTER_RE.test(value);
}

function parse(period: string): { year: number; month: number } {
  const m = MONTH_RE.exec(period);
  if (!m) throw new InvalidPeriodError(period);
  return { year: Number(m[1]), month: Number(m[2]) - 1 };
}

const utcMonth = (year: number, monthIndex: number) => new Date(Date.UTC(year, monthIndex, 1));

/** The first instant of the month. */
export function periodStart(period: string): Date {
  const { year, month } = parse(period);
  return utcMonth(year, month);
}

/** The first instant AFTER the month: figures "as of" a month are as of this instant. */
export function periodEnd(period: string): Date {
  const { year, month } = parse(period);
  return utcMonth(year, month + 1);
}

/** The month of an instant. */
export function periodOf(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** The month `months` after `period` (negative goes back). */
export function addMonths(period: string, months: number): string {
  const { year, month } = parse(period);
  return periodOf(utcMonth(year, month + months));
}

/** The last calendar month that has fully ended at `now`. */
export function lastCompletedPeriod(now = new Date()): string {
  return addMonths(periodOf(now), -1);
}

/** The quarter of an instant, 'YYYY-Qn'. */
export function quarterOf(at: Date | number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The [from, to) window of a 'YYYY-MM' month or a 'YYYY-Qn' quarter. */
export function calendarWindow(value: string): Window {
  const q = QUARTER_RE.exec(value);
  if (q) {
    const first = (Number(q[2]) - 1) * 3;
    return { from: utcMonth(Number(q[1]), first), to: utcMonth(Number(q[1]), first + 3) };
  }
  return { from: periodStart(value), to: periodEnd(value) };
}

/** The months that intersect [from, to), oldest first. */
export function monthsIn(window: Window): string[] {
  const months: string[] = [];
  const last = periodOf(window.to.getTime() - 1);
  for (let m = periodOf(window.from); m <= last; m = addMonths(m, 1)) months.push(m);
  return months;
}

/** The `count` months that end with `last`, oldest first. */
export function monthsEndingWith(last: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(last, i - count + 1));
}

/** "October 2026". */
export function periodLabel(period: string): string {
  const { year, month } = parse(period);
  return `${LONG_MONTHS[month]} ${year}`;
}

/** "Oct 2026", where a chart or a table has little room. */
export function shortPeriodLabel(period: string): string {
  const { year, month } = parse(period);
  return `${SHORT_MONTHS[month]} ${year}`;
}

/** "Oct", for a chart axis whose year is said elsewhere. */
export function shortMonthLabel(period: string): string {
  return SHORT_MONTHS[parse(period).month];
}

/** "Q3 2026". */
export function quarterLabel(quarter: string): string {
  const q = QUARTER_RE.exec(quarter);
  if (!q) throw new InvalidPeriodError(quarter);
  return `Q${q[2]} ${q[1]}`;
}
