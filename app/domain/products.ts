// What a deal is registered for and in: the product lines a partner can register, the
// currencies a deal may be priced in, and amounts as people type them ("12,500.50") turned
// into integer cents and back — by string arithmetic only, so no float ever touches money.
// Pure; safe in the browser (form validation) and on the server.

export const PRODUCT_LINES = ["Platform", "Analytics", "Security", "Integrations", "Services"] as const;
export type ProductLine = (typeof PRODUCT_LINES)[number];

/** Every one of these has two minor-unit digits, which `parseAmountToCents` relies on. */
export const DEAL_CURRENCIES = ["USD", "EUR", "GBP"] as const;
export type DealCurrency = (typeof DEAL_CURRENCIES)[number];

export const isDealCurrency = (value: string): value is DealCurrency =>
  (DEAL_CURRENCIES as readonly string[]).includes(value);

/** Beyond this (a trillion cents) it is a typo, and still far inside Number.MAX_SAFE_INTEGER. */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;

export type AmountParse =
  | { ok: true; cents: number }
  | { ok: false; reason: "empty" | "format" | "decimals" | "zero" | "too_large" };

/**
 * "12,500.5" → 1_250_050 cents. Accepts digits with optional thousands separators (commas, or
 * spaces/underscores between groups of three), at most two decimals after a dot, an optional
 * leading currency symbol; refuses signs, exponents, and more than two decimals.
 */
export function parseAmountToCents(input: string): AmountParse {
  let s = input.trim().replace(/^[$€£]\s*/, "");
  if (!s) return { ok: false, reason: "empty" };
  // Thousands separators only where they really separate thousands: "1,000" yes, "1,00" no.
  if (/^\d{1,3}([,\s_]\d{3})+(\.\d*)?$/.test(s)) s = s.replace(/[,\s_]/g, "");
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (!m[1] && !m[2])) return { ok: false, reason: "format" };
  const whole = (m[1] ?? "").replace(/^0+(?=\d)/, "") || "0";
  const fraction = m[2] ?? "";
  if (fraction.length > 2) return { ok: false, reason: "decimals" };
  // 13 whole digits already exceed MAX_AMOUNT_CENTS; checking length first keeps Number exact.
  if (whole.length > 13) return { ok: false, reason: "too_large" };
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (cents === 0) return { ok: false, reason: "zero" };
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, reason: "too_large" };
  return { ok: true, cents };
}

/** 1_250_050 → "12500.50": plain decimal currency units, for CSV cells and form values. */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
