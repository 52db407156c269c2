// The in-process scheduler: cron jobs that run inside the server process. Each job is
// idempotent, so a restart or an overlap never does the work twice; croner's `protect` keeps
// one run of a job at a time.
import { Cron } from "croner";
import type { DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { deleteExpiredSessions } from "../auth/session.server";
import { runDealLifecycle } from "./deal-lifecycle.server";
import { catchUpTierEvaluation, evaluateTiers } from "../domain/tier-evaluation.server";
import { lastCompletedPeriod } from "../domain/periods";
import { catchUpMonthlyReports, reportSchedule, runMonthlyReports } from "../reports/delivery-schedule.server";
import { kickDeliveries, stopDeliveries } from "../reports/delivery-worker.server";

export type JobContext = { db: DB; config: Config; mailer: Mailer };

export type Job = {
  name: string;
  /** Cron expression and time zone. */
  schedule: (ctx: JobContext) => { cron: string; timezone: string };
  run: (ctx: JobContext) => Promise<unknown> | unknown;
  /** At scheduler start: do what a run missed while the server was down. */
  catchUp?: (ctx: JobContext) => Promise<unknown> | unknown;
};

export const jobs: Job[] = [
  {
    name: "session-cleanup",
    schedule: () => ({ cron: "17 3 * * *", timezone: "UTC" }),
    run: ({ db }) => deleteExpiredSessions(db),
  },
  {
    // Expire registrations whose protection ran out; warn partners 14 days ahead.
    name: "deal-lifecycle",
    schedule: () => ({ cron: "5 2 * * *", timezone: "UTC" }),
    run: (ctx) => runDealLifecycle(ctx, new Date()),
  },
  {
    // Month-end tier evaluation of the month that just ended; re-running it adds nothing. A
    // start after a missed run evaluates that month.
    name: "tier-evaluation",
    schedule: () => ({ cron: "30 0 1 * *", timezone: "UTC" }),
    run: (ctx) => evaluateTiers(ctx, { period: lastCompletedPeriod(new Date()), actor: "system" }),
    catchUp: (ctx) => catchUpTierEvaluation(ctx, new Date()),
  },
  {
    // The monthly partner reports, on the schedule in program settings: enqueue the month that
    // just ended in that time zone and send. A start after a missed run catches up.
    name: "monthly-reports",
    schedule: (ctx) => reportSchedule(ctx.db),
    run: (ctx) => runMonthlyReports(ctx, new Date()),
    catchUp: (ctx) => catchUpMonthlyReports(ctx, new Date()),
  },
  {
    // Reports whose backoff has elapsed, and rows a dead worker left 'sending' (expired lease).
    name: "report-retries",
    schedule: () => ({ cron: "*/5 * * * *", timezone: "UTC" }),
    run: (ctx) => kickDeliveries(ctx),
  },
];

export function startScheduler(ctx: JobContext) {
  const crons = jobs.map((job) => {
    const { cron, timezone } = job.schedule(ctx);
    return new Cron(cron, { timezone, protect: true, name: job.name }, async () => {
      try {
        await job.run(ctx);
      } catch (error) {
        console.error(`[scheduler] ${job.name} failed:`, error);
      }
    });
  });
  for (const job of jobs) {
    if (!job.catchUp) continue;
    Promise.resolve()
      .then(() => job.catchUp!(ctx))
      .catch((error) => console.error(`[scheduler] ${job.name} catch-up failed:`, error));
  }
  return {
    jobs: crons.map((c) => ({ name: c.name, next: c.nextRun() })),
    stop: () => {
      crons.forEach((c) => c.stop());
      void stopDeliveries();
    },
  };
}
