// Scheduled jobs exactly once across processes (docs/domain.md "Scheduled jobs", decision
// 0017): two real OS processes on one database file run the same month-boundary ticks, and
// every tick runs once with one set of emails; a schedule saved in settings is used by the
// next pass without a restart. Real SQLite and a real SMTP server; no mocks.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { jobRuns, programSettings, tierEvaluations, tiers } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { startSmtpServer, type TestSmtpServer } from "../../tests/support/smtp";
import type { Config } from "../config.server";
import { closeDatabase, type DB } from "../db.server";
import { createMailer } from "../mailer.server";
import { claimTick, finishTick, STALE_TICK_MS } from "./job-runs.server";
import { runDueTicks } from "./scheduler.server";

let db: DB;
let file: string;
let smtp: TestSmtpServer | null = null;

beforeEach(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
});

afterEach(async () => {
  await smtp?.close();
  smtp = null;
  closeDatabase(db);
});

type TickLine = { job: string; at: string; claimed: boolean; outcome?: string; error?: string };

function startProcess(port: number, now: string, startedAt: string, workerId: string) {
  const script = path.resolve("tests/support/scheduler-tick-process.ts");
  const child = spawn("npx", ["tsx", script, file, String(port), now, startedAt, workerId], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`tick process exited before ready (${code}): ${err}`)));
  });
  const done = new Promise<TickLine[]>((resolve, reject) =>
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`tick process exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as TickLine[]);
    }),
  );
  return { child, ready, done };
}

describe("scheduled jobs across processes", () => {
  it("two processes at a month boundary run each tick once and send one set of emails", async () => {
    smtp = await startSmtpServer();
    const silver = db.select().from(tiers).where(eq(tiers.name, "Silver")).get()!;
    // On Silver with no deals: October's evaluation warns its admins of a downgrade.
    const partner = createPartner(db, { name: "Slipping Partners", slug: "slipping", tierId: silver.id, joinedOn: "2020-01-01", reportFormat: "email" });
    createUser(db, { role: "partner_admin", partnerId: partner.id, email: "admin@slipping.test", reportOptIn: true });

    // Both processes came up just after midnight on 1 November and pass at 06:00:30 UTC: the
    // tier evaluation (00:30) and the monthly reports (06:00, the default) are both due.
    const now = "2026-11-01T06:00:30.000Z";
    const startedAt = "2026-11-01T00:00:00.000Z";
    const a = startProcess(smtp.port, now, startedAt, "process-a");
    const b = startProcess(smtp.port, now, startedAt, "process-b");
    await Promise.all([a.ready, b.ready]);
    a.child.stdin.write("go\n");
    b.child.stdin.write("go\n");
    const [ra, rb] = await Promise.all([a.done, b.done]);

    const evaluations = db.select().from(tierEvaluations).where(eq(tierEvaluations.partnerId, partner.id)).all();
    expect(evaluations.map((e) => [e.period, e.outcome])).toEqual([["2026-10", "warn_downgrade"]]);

    // One set of emails: one downgrade warning and one October report, nothing twice.
    const toAdmin = smtp.messages.filter((m) => m.envelope.to.includes("admin@slipping.test"));
    const subjects = toAdmin.map((m) => m.parsed.subject ?? "");
    expect(subjects.filter((s) => /tier is at risk/.test(s))).toHaveLength(1);
    expect(toAdmin).toHaveLength(2);
    expect(new Set(subjects).size).toBe(2);

    // Every job's tick was claimed by exactly one of the two, and ran without error.
    const jobNames = ["session-cleanup", "deal-lifecycle", "tier-evaluation", "monthly-reports", "report-retries", "webhook-retries", "outbox-sweep"];
    for (const name of jobNames) {
      const claims = [...ra, ...rb].filter((r) => r.job === name && r.claimed);
      expect(claims, name).toHaveLength(1);
      expect(claims[0]!.outcome, `${name}: ${claims[0]!.error}`).toBe("succeeded");
    }
    const runs = db.select().from(jobRuns).orderBy(asc(jobRuns.job)).all();
    expect(runs.map((r) => r.job).sort()).toEqual([...jobNames].sort());
    expect(runs.every((r) => r.outcome === "succeeded" && r.finishedAt !== null)).toBe(true);
    expect(runs.find((r) => r.job === "tier-evaluation")!.scheduledAt.toISOString()).toBe("2026-11-01T00:30:00.000Z");
    expect(runs.find((r) => r.job === "monthly-reports")!.scheduledAt.toISOString()).toBe("2026-11-01T06:00:00.000Z");
  }, 90_000);
});

describe("the report schedule", () => {
  it("is read on every pass: a schedule saved in settings applies without a restart", async () => {
    const outbox = fs.mkdtempSync(path.join(os.tmpdir(), "ticks-outbox-"));
    const mailer = createMailer({ MAIL_FROM: "x <x@localhost>", OUTBOX_DIR: outbox });
    const ctx = { db, mailer, config: { APP_URL: "http://portal.test", APP_SECRET: "ticks-test-secret-0123456789abcdef0123" } as Config };
    const startedAt = new Date("2026-10-01T00:00:00Z");
    const pass = (now: string) => runDueTicks(ctx, { now: new Date(now), startedAt, workerId: "this-process", only: ["monthly-reports"] });
    try {
      const first = await pass("2026-10-01T06:00:10Z");
      expect(first).toMatchObject([{ job: "monthly-reports", claimed: true, outcome: "succeeded" }]);
      expect(first[0]!.at.toISOString()).toBe("2026-10-01T06:00:00.000Z");
      // The same tick again (the next heartbeat, or another process): already claimed.
      expect(await pass("2026-10-01T06:01:00Z")).toMatchObject([{ claimed: false }]);

      // Settings: the 2nd of the month at 07:30 in Berlin (05:30 UTC in summer time).
      db.update(programSettings).set({ reportCron: "30 7 2 * *", reportTimeZone: "Europe/Berlin" }).where(eq(programSettings.id, 1)).run();
      const second = await pass("2026-10-02T05:30:05Z");
      expect(second).toMatchObject([{ job: "monthly-reports", claimed: true, outcome: "succeeded" }]);
      expect(second[0]!.at.toISOString()).toBe("2026-10-02T05:30:00.000Z");
      expect(db.select().from(jobRuns).where(eq(jobRuns.job, "monthly-reports")).all()).toHaveLength(2);
    } finally {
      mailer.close();
      fs.rmSync(outbox, { recursive: true, force: true });
    }
  });
});

describe("claiming a tick", () => {
  it("is refused while another process holds it, and taken over once that run is 6 hours stale", () => {
    const at = new Date("2026-11-01T00:30:00Z");
    const start = new Date("2026-11-01T00:30:01Z");
    const id = claimTick(db, "tier-evaluation", at, "dead-process", start);
    expect(id).not.toBeNull();
    expect(claimTick(db, "tier-evaluation", at, "other", new Date(start.getTime() + 60_000))).toBeNull();
    // Still 'running' after 6 hours: the claimer died mid-run; the tick may run again.
    const later = new Date(start.getTime() + STALE_TICK_MS + 1000);
    expect(claimTick(db, "tier-evaluation", at, "other", later)).toBe(id);
    expect(db.select().from(jobRuns).all()).toMatchObject([{ claimedBy: "other", outcome: "running" }]);
    // A finished tick is never taken over.
    finishTick(db, id!, "succeeded", null, later);
    expect(claimTick(db, "tier-evaluation", at, "third", new Date(later.getTime() + 2 * STALE_TICK_MS))).toBeNull();
  });
});
