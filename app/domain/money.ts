// Exchange rates as people type them and the conversion rule, in integers only: "1.0842" →
// 1_084_200 micro-units, and cents × micros / 1e6 rounded half up. Pure; the SQL twin of
// `convertCents` is money.server.ts's convertedCentsSql (the two must agree; a test checks).
import { DEAL_CURRENCIES } from "./products";

export const RATE_SCALE = 1_000_000;
/** No deal currency is worth a thousand reporting units; beyond that it is a typo (and it keeps
 *  the conversion's products inside 64-bit integers, see convertedCentsSql). */
export const MAX_RATE_MICROS = 1_000 * RATE_SCALE;

export type RateParse = { ok: true; micros: number } | { ok: false; message: string };

/** "1.0842" → 1_084_200. Up to six decimals, no signs or exponents, more than zero. */
export function parseRateToMicros(input: string): RateParse {
  const s = input.trim();
  if (!s) return { ok: false, message: "Enter the rate, e.g. 1.0842." };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false, message: `"${s}" is not a rate: use digits and a dot, e.g. 1.0842.` };
  const decimals = m[2] ?? "";
  if (decimals.length > 6) return { ok: false, message: `"${s}" has more than 6 decimals: round it to 6.` };
  const micros = Number(m[1]) * RATE_SCALE + Number(decimals.padEnd(6, "0") || "0");
  if (micros <= 0) return { ok: false, message: "The rate must be more than 0." };
  if (micros > MAX_RATE_MICROS) return { ok: false, message: `"${s}" is too large for a rate: check the digits.` };
  return { ok: true, micros };
}

/** 1_084_200 → "1.0842". */
export function formatRate(micros: number): string {
  const whole = Math.floor(micros / RATE_SCALE);
  const frac = String(micros % RATE_SCALE).padStart(6, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}

/** Cents in a currency → cents in the reporting currency at `micros`, rounded half up. */
export function convertCents(cents: number, micros: number): number {
  // BigInt: cents (≤ 1e12) × micros (≤ 1e12) leaves Number's exact range.
  return Number((BigInt(cents) * BigInt(micros) + BigInt(RATE_SCALE / 2)) / BigInt(RATE_SCALE));
}

/** 'YYYY-MM-DD' that is a real calendar day. */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The UTC calendar day of an instant. */
export const dayOf = (at: Date | number): string => new Date(at).toISOString().slice(0, 10);

export type RateInput = { currency: string; validFrom: string; rate: string };
export type RateProblems = Partial<Record<keyof RateInput, string>>;

/** What is wrong with a rate as typed, by field; empty when it can be saved. */
export function rateProblems(input: RateInput, reportingCurrency: string): RateProblems {
  const problems: RateProblems = {};
  const currency = input.currency.trim().toUpperCase();
  const others = DEAL_CURRENCIES.filter((c) => c !== reportingCurrency);
  if (!currency) problems.currency = `Choose the currency: one of ${others.join(", ")}.`;
  else if (currency === reportingCurrency)
    problems.currency = `${currency} is the reporting currency: its deals are never converted. Choose one of ${others.join(", ")}.`;
  else if (!(DEAL_CURRENCIES as readonly string[]).includes(currency))
    problems.currency = `"${input.currency.trim()}" is not a deal currency: use one of ${others.join(", ")}.`;
  if (!input.validFrom.trim()) problems.validFrom = "Enter the day the rate applies from, as YYYY-MM-DD.";
  else if (!isCalendarDay(input.validFrom.trim()))
    problems.validFrom = `"${input.validFrom.trim()}" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.`;
  const rate = parseRateToMicros(input.rate);
  if (!rate.ok) problems.rate = rate.message;
  return problems;
}

/** The sentence every converted total carries. */
export function conversionNote(reportingCurrency: string): string {
  return `In ${reportingCurrency}; won and lost deals at the rate of their close date, open pipeline at today's rate.`;
}
