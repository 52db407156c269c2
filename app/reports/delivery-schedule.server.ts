// When monthly reports go out (docs/domain.md "Reports"): the report cron and time zone from
// program settings, which period a run reports on, and catching up a run the server missed.
import { Cron } from "croner";
import { sql } from "drizzle-orm";
import { programSettings } from "../../db/schema";
import type { DB } from "../db.server";
import { addMonths } from "../domain/periods";
import { DEFAULT_REPORT_SCHEDULE, enqueuePeriod, type DeliveryContext, type EnqueueResult } from "./delivery.server";
import { kickDeliveries } from "./delivery-worker.server";

// ---------------------------------------------------------------------------------------------
// Schedule: which period a run reports on, and catching up a missed run

/** The report cron and time zone from program settings (the default when unset or invalid). */
export function reportSchedule(db: DB): { cron: string; timezone: string } {
  const row = db
    .select({ cron: programSettings.reportCron, timezone: programSettings.reportTimeZone })
    .from(programSettings)
    .where(sql`${programSettings.id} = 1`)
    .get();
  if (!row) return { ...DEFAULT_REPORT_SCHEDULE };
  try {
    new Cron(row.cron, { timezone: row.timezone, paused: true }).stop();
    return row;
  } catch (error) {
    console.error(
      `[reports] invalid report schedule ${JSON.stringify(row)} (${(error as Error).message}); using the default`,
    );
    return { ...DEFAULT_REPORT_SCHEDULE };
  }
}

/** The calendar month before the one `instant` falls in, in `timeZone`. */
export function previousPeriodIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(
    instant,
  );
  const year = parts.find((p) => p.type === "year")!.value;
  const month = parts.find((p) => p.type === "month")!.value;
  return addMonths(`${year}-${month}`, -1);
}

/** The latest time the cron fired (or should have) at or before `now`; null if none in ~a year. */
export function lastScheduledRun(cron: string, timezone: string, now: Date): Date | null {
  const job = new Cron(cron, { timezone, paused: true });
  try {
    for (const days of [2, 35, 400]) {
      let last: Date | null = null;
      let next = job.nextRun(new Date(now.getTime() - days * 86_400_000));
      while (next && next.getTime() <= now.getTime()) {
        last = next;
        next = job.nextRun(next);
      }
      if (last) return last;
    }
    return null;
  } finally {
    job.stop();
  }
}

function periodWasEnqueued(db: DB, period: string) {
  return (
    db.$client
      .prepare("SELECT 1 FROM report_deliveries WHERE partner_key = 0 AND period = ? AND kind = 'ecosystem'")
      .get(period) !== undefined
  );
}

/** The scheduled job: enqueue the month before now (in the schedule's time zone) and send. */
export async function runMonthlyReports(ctx: DeliveryContext, now = new Date()) {
  const { timezone } = reportSchedule(ctx.db);
  const period = previousPeriodIn(now, timezone);
  const enqueued = enqueuePeriod(ctx.db, period, { now: now.getTime() });
  const summary = await kickDeliveries(ctx);
  return { period, enqueued, summary };
}

/**
 * At scheduler start: if the last scheduled run is in the past and its period was never
 * enqueued (the server was down at the time), run it now; in any case resume rows that are
 * due or whose worker died (expired lease).
 */
export async function catchUpMonthlyReports(ctx: DeliveryContext, now = new Date()) {
  const { cron, timezone } = reportSchedule(ctx.db);
  const last = lastScheduledRun(cron, timezone, now);
  const period = last ? previousPeriodIn(last, timezone) : null;
  let enqueued: EnqueueResult | null = null;
  if (period && !periodWasEnqueued(ctx.db, period)) enqueued = enqueuePeriod(ctx.db, period, { now: now.getTime() });
  const summary = await kickDeliveries(ctx);
  return { period, enqueued, summary };
}

/** The next scheduled report run after `now` and the month it reports on (for the Reports page). */
export function nextReportRun(db: DB, now = new Date()): { at: Date; timezone: string; period: string } | null {
  const { cron, timezone } = reportSchedule(db);
  const job = new Cron(cron, { timezone, paused: true });
  try {
    const at = job.nextRun(now);
    return at ? { at, timezone, period: previousPeriodIn(at, timezone) } : null;
  } finally {
    job.stop();
  }
}
