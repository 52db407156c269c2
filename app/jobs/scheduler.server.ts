// The in-process scheduler (docs/domain.md "Scheduled jobs", decision 0017). Every server
// process may host it; a heartbeat each minute works out, for every job, the latest tick its
// schedule had at or before now and claims that tick in job_runs before running it, so any
// number of processes on one database run each tick exactly once. The schedule is read on every
// heartbeat, so a report schedule saved in Settings takes effect without a restart. At start
// the same pass claims a tick that was missed while no process was up (the job's catch-up).
import { Cron } from "croner";
import { kickWebhooks } from "../webhooks/drain.server";
import type { DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { deleteExpiredSessions } from "../auth/session.server";
import { runDealLifecycle } from "./deal-lifecycle.server";
import { claimTick, finishTick, processWorkerId } from "./job-runs.server";
import { catchUpTierEvaluation, evaluateTiers } from "../domain/tier-evaluation.server";
import { lastCompletedPeriod } from "../domain/periods";
import {
  catchUpMonthlyReports,
  lastScheduledRun,
  reportSchedule,
  runMonthlyReports,
} from "../reports/delivery-schedule.server";
import { kickDeliveries, stopDeliveries } from "../reports/delivery-worker.server";
import { kickOutbox, transportOf } from "../mail/outbox.server";

export type JobContext = { db: DB; config: Config; mailer: Mailer };

/** A tick: the instant the schedule named, and the clock when it actually runs. */
export type Tick = { at: Date; now: Date };

export type Job = {
  name: string;
  /** Cron expression and time zone; read again on every heartbeat. */
  schedule: (ctx: JobContext) => { cron: string; timezone: string };
  /** A tick that came due while this process was up. */
  run: (ctx: JobContext, tick: Tick) => Promise<unknown> | unknown;
  /** A tick that came due before the process started (missed while no process was up). */
  catchUp?: (ctx: JobContext, tick: Tick) => Promise<unknown> | unknown;
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
    run: (ctx, { now }) => runDealLifecycle(ctx, now),
  },
  {
    // Month-end tier evaluation of the month that ended before the tick; re-running it adds
    // nothing. A missed tick evaluates that month at start unless someone already did.
    name: "tier-evaluation",
    schedule: () => ({ cron: "30 0 1 * *", timezone: "UTC" }),
    run: (ctx, { at, now }) => evaluateTiers(ctx, { period: lastCompletedPeriod(at), actor: "system", now }),
    catchUp: (ctx, { at }) => catchUpTierEvaluation(ctx, at),
  },
  {
    // The monthly partner reports, on the schedule in program settings: enqueue the month that
    // ended before the tick in that time zone and send. A missed tick catches up at start.
    name: "monthly-reports",
    schedule: (ctx) => reportSchedule(ctx.db),
    run: (ctx, { at }) => runMonthlyReports(ctx, at),
    catchUp: (ctx, { at }) => catchUpMonthlyReports(ctx, at),
  },
  {
    // Reports whose backoff has elapsed, and rows a dead worker left 'sending' (its 30 s lease
    // expired): every minute, so a crashed sender's reports go out within about a minute.
    name: "report-retries",
    schedule: () => ({ cron: "* * * * *", timezone: "UTC" }),
    run: (ctx) => kickDeliveries(ctx),
  },
  {
    // Webhook deliveries whose backoff has elapsed, and rows a dead worker left 'sending'.
    name: "webhook-retries",
    schedule: () => ({ cron: "* * * * *", timezone: "UTC" }),
    run: (ctx) => kickWebhooks(ctx),
  },
  {
    // The email outbox's sweep (decision 0018): what no after-commit kick sent — due retries,
    // rows a crashed sender held, messages enqueued by a process that died before its drain.
    name: "outbox-sweep",
    schedule: () => ({ cron: "* * * * *", timezone: "UTC" }),
    run: (ctx) => kickOutbox({ db: ctx.db, config: ctx.config, transport: transportOf(ctx.mailer) }),
  },
];

export type TickResult = {
  job: string;
  at: Date;
  /** False: another process (or an earlier pass) has this tick. */
  claimed: boolean;
  outcome?: "succeeded" | "failed";
  result?: unknown;
  error?: string;
};

export type TickOptions = {
  /** The clock for this pass (tests and the heartbeat pass it). */
  now: Date;
  /** When this process's scheduler started: earlier ticks are catch-ups. */
  startedAt: Date;
  workerId: string;
  /** Only these jobs (tests). */
  only?: string[];
};

const running = new Set<string>();

/**
 * One pass: for each job, the latest tick at or before `now` by its current schedule; claims it
 * and runs it. A job still running in this process from an earlier pass is left alone (its tick
 * stays unclaimed until the next pass). Jobs run side by side; failures are recorded, not thrown.
 */
export async function runDueTicks(ctx: JobContext, options: TickOptions): Promise<TickResult[]> {
  const { now, startedAt, workerId } = options;
  const selected = options.only ? jobs.filter((j) => options.only!.includes(j.name)) : jobs;
  const results = await Promise.all(
    selected.map(async (job): Promise<TickResult | null> => {
      if (running.has(job.name)) return null;
      const { cron, timezone } = job.schedule(ctx);
      const at = lastScheduledRun(cron, timezone, now);
      if (!at) return null;
      const id = claimTick(ctx.db, job.name, at, workerId, now);
      if (id === null) return { job: job.name, at, claimed: false };
      running.add(job.name);
      try {
        const fn = at.getTime() < startedAt.getTime() && job.catchUp ? job.catchUp : job.run;
        const result = await fn(ctx, { at, now });
        finishTick(ctx.db, id, "succeeded", summarize(result));
        return { job: job.name, at, claimed: true, outcome: "succeeded", result };
      } catch (error) {
        console.error(`[scheduler] ${job.name} (tick ${at.toISOString()}) failed:`, error);
        const message = error instanceof Error ? error.message : String(error);
        finishTick(ctx.db, id, "failed", message);
        return { job: job.name, at, claimed: true, outcome: "failed", error: message };
      } finally {
        running.delete(job.name);
      }
    }),
  );
  return results.filter((r): r is TickResult => r !== null);
}

function summarize(result: unknown): string | null {
  if (result === undefined || result === null) return null;
  try {
    return JSON.stringify(result);
  } catch {
    return String(result);
  }
}

export function startScheduler(ctx: JobContext, options: { workerId?: string } = {}) {
  const startedAt = new Date();
  const workerId = options.workerId ?? processWorkerId();
  const pass = async () => {
    try {
      await runDueTicks(ctx, { now: new Date(), startedAt, workerId });
    } catch (error) {
      console.error("[scheduler] heartbeat failed:", error);
    }
  };
  // Every minute, on the minute. Passes may overlap (a report run can take minutes): a job
  // still running in this process is skipped by the next pass, the others go ahead.
  const heartbeat = new Cron("* * * * *", { timezone: "UTC", name: "scheduler" }, pass);
  // Catch-up: ticks missed while no process was up.
  void pass();
  return {
    workerId,
    next: (name: string) => {
      const job = jobs.find((j) => j.name === name);
      if (!job) return null;
      const { cron, timezone } = job.schedule(ctx);
      const c = new Cron(cron, { timezone, paused: true });
      try {
        return c.nextRun();
      } finally {
        c.stop();
      }
    },
    stop: () => {
      heartbeat.stop();
      void stopDeliveries();
    },
  };
}
