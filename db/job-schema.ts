// Scheduled job ticks (docs/domain.md "Scheduled jobs", decision 0017): one row per job and
// scheduled instant, inserted by the process that runs the tick. The unique key is the claim:
// any number of server processes on the database run each tick once.
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const JOB_RUN_OUTCOMES = ["running", "succeeded", "failed"] as const;

export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    job: text("job").notNull(),
    /** The tick's scheduled instant (not when it actually ran). */
    scheduledAt: integer("scheduled_at", { mode: "timestamp_ms" }).notNull(),
    /** Which process claimed it: host, pid and a random suffix. */
    claimedBy: text("claimed_by").notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    outcome: text("outcome", { enum: JOB_RUN_OUTCOMES }).notNull().default("running"),
    /** What the run did (a short JSON summary) or why it failed. */
    detail: text("detail"),
  },
  (t) => [uniqueIndex("job_runs_job_tick_uq").on(t.job, t.scheduledAt)],
);

export type JobRun = typeof jobRuns.$inferSelect;
