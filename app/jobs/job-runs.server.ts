// Claiming scheduled ticks (docs/domain.md "Scheduled jobs", decision 0017). Before a job's
// tick runs, the process inserts (job, scheduled instant) into job_runs in a write transaction;
// the unique key lets exactly one process in, however many serve the same database. The claim
// is never released: a tick whose run failed stays claimed (its outcome says so) and the next
// tick does the work, since every job is idempotent.
import os from "node:os";
import { randomBytes } from "node:crypto";
import { and, desc, eq, lt } from "drizzle-orm";
import { jobRuns, type JobRun } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";

/** This process's name in job_runs.claimed_by. */
export function processWorkerId() {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/**
 * A tick still 'running' this long after it started belongs to a process that died mid-run:
 * another process may take it over (the jobs are idempotent, so running it again is safe).
 */
export const STALE_TICK_MS = 6 * 60 * 60 * 1000;

/** Claims the tick for `workerId`: the row's id, or null when another process has it. */
export function claimTick(db: DB, job: string, scheduledAt: Date, workerId: string, now = new Date()): number | null {
  // Most passes find the tick taken: say so from a read, without queueing for the write lock.
  const existing = db
    .select({ outcome: jobRuns.outcome, startedAt: jobRuns.startedAt })
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job), eq(jobRuns.scheduledAt, scheduledAt)))
    .get();
  if (existing && !(existing.outcome === "running" && existing.startedAt.getTime() < now.getTime() - STALE_TICK_MS))
    return null;
  return writeTransaction(db, (tx) => {
    const row = tx
      .insert(jobRuns)
      .values({ job, scheduledAt, claimedBy: workerId, startedAt: now })
      .onConflictDoNothing()
      .returning({ id: jobRuns.id })
      .get();
    if (row) return row.id;
    const takenOver = tx
      .update(jobRuns)
      .set({ claimedBy: workerId, startedAt: now })
      .where(
        and(
          eq(jobRuns.job, job),
          eq(jobRuns.scheduledAt, scheduledAt),
          eq(jobRuns.outcome, "running"),
          lt(jobRuns.startedAt, new Date(now.getTime() - STALE_TICK_MS)),
        ),
      )
      .returning({ id: jobRuns.id })
      .get();
    return takenOver?.id ?? null;
  });
}

export function finishTick(db: DB, id: number, outcome: "succeeded" | "failed", detail: string | null, now = new Date()) {
  writeTransaction(db, (tx) =>
    tx
      .update(jobRuns)
      .set({ outcome, detail: detail?.slice(0, 2000) ?? null, finishedAt: now })
      .where(eq(jobRuns.id, id))
      .run(),
  );
}

/** The ticks recorded for a job, newest first. */
export function jobRunsOf(db: DB, job: string, limit = 20): JobRun[] {
  return db.select().from(jobRuns).where(eq(jobRuns.job, job)).orderBy(desc(jobRuns.scheduledAt)).limit(limit).all();
}
