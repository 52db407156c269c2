// Time in the generator, all UTC. Instants are milliseconds and months are indexes
// (year*12 + month) because the generator keeps a million deals in typed arrays; the labels it
// writes are the app's YYYY-MM periods (app/domain/periods.ts owns what a period means).
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** The same day of the month `months` later (JavaScript's overflow rules: Jan 31 + 1 → Mar 3). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}
export const monthIndex = (ms: number) => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
export const monthLabel = (index: number) =>
  `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function todayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
