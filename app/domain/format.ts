// Display formatting shared by every renderer (pages, emails, PDFs): money from integer cents,
// dates in UTC, stage labels.
export function formatMoney(cents: number, currency = "USD", options: { compact?: boolean } = {}) {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    notation: options.compact ? "compact" : "standard",
    maximumFractionDigits: options.compact ? 1 : cents % 100 === 0 ? 0 : 2,
    minimumFractionDigits: options.compact || cents % 100 === 0 ? 0 : 2,
  }).format(cents / 100);
}

export function formatDate(value: Date | number | string | null | undefined) {
  if (value === null || value === undefined) return "—";
  const d = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

export function formatPercent(share: number, digits = 1) {
  return `${(share * 100).toFixed(digits)}%`;
}

export function daysBetween(from: Date | number, to: Date | number) {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / 86_400_000);
}
