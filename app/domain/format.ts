// Display formatting shared by every renderer (pages, emails, PDFs): money from integer cents,
// dates in UTC, stage labels.
// Building an Intl formatter costs far more than using one, and reports format thousands of
// figures: one formatter per (currency, style) is kept.
const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, compact: boolean, cents: boolean) {
  const key = `${currency}|${compact}|${cents}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      notation: compact ? "compact" : "standard",
      maximumFractionDigits: compact ? 1 : cents ? 2 : 0,
      minimumFractionDigits: compact || !cents ? 0 : 2,
    });
    moneyFormats.set(key, format);
  }
  return format;
}

export function formatMoney(cents: number, currency = "USD", options: { compact?: boolean } = {}) {
  return moneyFormat(currency, !!options.compact, cents % 100 !== 0).format(cents / 100);
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function formatDate(value: Date | number | string | null | undefined) {
  if (value === null || value === undefined) return "—";
  const d = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return Number.isNaN(d.getTime()) ? "—" : dateFormat.format(d);
}

export function formatPercent(share: number, digits = 1) {
  return `${(share * 100).toFixed(digits)}%`;
}

export function daysBetween(from: Date | number, to: Date | number) {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / 86_400_000);
}
