// The in-process scheduler: cron jobs that run inside the server process. Each job is
// idempotent, so a restart or an overlap never does the work twice; croner's `protect` keeps
// one run of a job at a time.
import { Cron } from "croner";
import type { DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../server/config";
import { deleteExpiredSessions } from "../auth/session.server";

export type JobContext = { db: DB; config: Config; mailer: Mailer };

export type Job = {
  name: string;
  /** Cron expression and time zone. */
  schedule: (ctx: JobContext) => { cron: string; timezone: string };
  run: (ctx: JobContext) => Promise<unknown> | unknown;
};

export const jobs: Job[] = [
  {
    name: "session-cleanup",
    schedule: () => ({ cron: "17 3 * * *", timezone: "UTC" }),
    run: ({ db }) => deleteExpiredSessions(db),
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
  return {
    jobs: crons.map((c) => ({ name: c.name, next: c.nextRun() })),
    stop: () => crons.forEach((c) => c.stop()),
  };
}
