// Issue 14's fault trials as tests: real OS processes killed with SIGKILL at random points and
// rerun at once, a stalled SMTP server, and a 550 for one recipient of four. Real migrated
// SQLite, real smtp-server, messages parsed back with mailparser.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { reportDeliveries, type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { startSmtpServer, type TestSmtpServer } from "../../tests/support/smtp";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "../domain/audit.server";
import { createMailer, type Mailer, type RecipientOutcome } from "../mailer.server";
import { runDeliveries } from "./delivery-worker.server";
import { deliveryCounts, enqueuePeriod, listDeliveries, retryDelivery, type DeliveryContext } from "./delivery.server";
import { reportMessageId } from "./render.server";

const MAIL_FROM = "Partner Program <partners@portal.test>";
const DOMAIN = "portal.test";
const APP_SECRET = "faults-test-secret-0123456789abcdef012345";
const PERIOD = "2025-06";

let db: DB;
let file: string;
let smtp: TestSmtpServer | null = null;
const mailers: Mailer[] = [];

beforeEach(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
});

afterEach(async () => {
  for (const m of mailers.splice(0)) m.close();
  await smtp?.close();
  smtp = null;
  closeDatabase(db);
});

function context(extra: Partial<DeliveryContext> & { timeoutMs?: number } = {}): DeliveryContext {
  const mailer = createMailer({
    SMTP_URL: smtp!.url,
    MAIL_FROM,
    OUTBOX_DIR: path.join(path.dirname(file), "unused-outbox"),
    MAIL_SMTP_TIMEOUT_MS: extra.timeoutMs,
  });
  mailers.push(mailer);
  return { db, mailer, config: { APP_URL: "http://localhost:3000", APP_SECRET, MAIL_FROM }, backoff: { baseMs: 60_000 }, ...extra };
}

function reportingPartner(values: Partial<Partner> & { name: string; slug: string }, people = 1) {
  const partner = createPartner(db, { joinedOn: "2024-01-01", reportFormat: "email", ...values });
  const users = Array.from({ length: people }, (_, i) =>
    createUser(db, { role: "partner_admin", partnerId: partner.id, email: `person${i + 1}@${partner.slug}.test`, reportOptIn: true }),
  );
  createDeal(
    db,
    { partnerId: partner.id, stage: "won", amountCents: 1_000_000, submittedAt: new Date("2025-05-01T09:00:00Z") },
    { now: new Date("2025-06-12T10:00:00Z"), withSubmissionTouch: true },
  );
  return { partner, users };
}

type Batch = { child: ChildProcessWithoutNullStreams; ready: Promise<void>; exit: Promise<number | null>; out: () => string; err: () => string };

function startBatch(workerId: string, leaseMs: number): Batch {
  const script = path.resolve("tests/support/report-batch-process.ts");
  // node --import tsx directly (no npx): a process starts in about a second. detached: its own
  // process group, so the SIGKILL reaches it whatever it is doing.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", script, file, String(smtp!.port), PERIOD, workerId, String(leaseMs), "2"],
    { stdio: ["pipe", "pipe", "pipe"], detached: true },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`batch exited before ready (${code}): ${err}`)));
  });
  ready.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, ready, exit, out: () => out, err: () => err };
}

/** Partners in the kill test; +1 report for the ecosystem. */
const PARTNERS = 70;

describe("crashes", () => {
  it("a batch killed with SIGKILL at random points 15 times and rerun at once delivers every report, duplicates under one Message-ID", async () => {
    smtp = await startSmtpServer({ replyDelayMs: 40 });
    const staff = createUser(db, { role: "admin", email: "ada@vendor.test", reportOptIn: true });
    // Enough reports that no run drains the queue before its kill (with 40, one run in a CI
    // run finished the last reports and left only 14 kills).
    const partners = Array.from({ length: PARTNERS }, (_, i) =>
      reportingPartner({
        name: `Crash Partner ${i + 1}`,
        slug: `crash-${i + 1}`,
        // Two PDFs: the slow render is a kill point too.
        reportFormat: i < 2 ? "pdf" : "email",
      }),
    );
    const leaseMs = 800;
    const kills: number[] = [];
    let inFlightAtKill = 0;
    // Processes are started a few ahead and wait for "go", so each rerun begins the moment the
    // previous one is killed (starting node with tsx takes seconds on a busy machine).
    const runs = 16;
    const started: Batch[] = [];
    const startAhead = (upTo: number) => {
      while (started.length < Math.min(runs, upTo)) {
        started.push(startBatch(started.length === runs - 1 ? "rescue" : `victim-${started.length}`, leaseMs));
      }
    };
    startAhead(4);
    for (let run = 0; run < runs - 1; run++) {
      const batch = started[run]!;
      await batch.ready;
      batch.child.stdin.write("go\n");
      startAhead(run + 5);
      // A random point: after 0–2 reports of this run finished, plus 0–300 ms (mid-render,
      // mid-SMTP, between the server's "250" and our UPDATE…).
      const target = Math.floor(Math.random() * 3);
      const t0 = Date.now();
      while (batch.out().split("\nprogress").length - 1 < target && Date.now() - t0 < 8000 && batch.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
      const at = Date.now() - t0;
      try {
        process.kill(-batch.child.pid!, "SIGKILL");
        kills.push(at);
        inFlightAtKill += deliveryCounts(db, PERIOD).sending;
      } catch {
        // It had already finished: nothing left to kill.
      }
      await batch.exit;
    }
    expect(kills.length).toBeGreaterThanOrEqual(15);

    // The kills hit real work: messages went out and rows were left mid-send.
    const sentByVictims = smtp.messages.length;
    expect(sentByVictims).toBeGreaterThan(0);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // The rerun right after the last kill: waits out the dead holders' leases, then delivers.
    const rescue = started[runs - 1]!;
    await rescue.ready;
    rescue.child.stdin.write("go\n");
    expect(await rescue.exit, rescue.err()).toBe(0);

    expect(deliveryCounts(db, PERIOD)).toMatchObject({ sent: PARTNERS + 1, total: PARTNERS + 1 });
    let duplicates = 0;
    for (const { partner, users } of partners) {
      const received = smtp.messages.filter((m) => m.envelope.to.includes(users[0]!.email));
      expect(received.length, partner.slug).toBeGreaterThanOrEqual(1);
      expect(new Set(received.map((m) => m.parsed.messageId))).toEqual(
        new Set([reportMessageId(partner.id, PERIOD, DOMAIN, users[0]!.id)]),
      );
      duplicates += received.length - 1;
    }
    const ecosystem = smtp.messages.filter((m) => m.envelope.to.includes(staff.email));
    expect(ecosystem.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ecosystem.map((m) => m.parsed.messageId))).toEqual(new Set([reportMessageId(null, PERIOD, DOMAIN)]));
    console.info(
      `[faults] 15 kills at ${kills.join(", ")} ms; ${inFlightAtKill} rows left mid-send; ${sentByVictims} messages ` +
        `sent by killed runs; ${smtp.messages.length} messages for ${PARTNERS + 1} reports, ${duplicates} partner duplicates`,
    );
  }, 120_000);
});

describe("a stalled SMTP server", () => {
  it("keeps the lease alive while the sender waits (heartbeat), so a second worker never sends the message again", async () => {
    smtp = await startSmtpServer({ stallData: true });
    reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "northwind" });
    // The SMTP timeout (2.5 s) is longer than the lease (0.6 s) here on purpose: only the
    // heartbeat keeps the row ours while the server stalls.
    const holder = context({ leaseMs: 600, timeoutMs: 2500 });
    const rival = context({ leaseMs: 600, timeoutMs: 2500 });
    const stop = new AbortController();
    const holding = runDeliveries(holder, { workerId: "holder", concurrency: 1 });
    const rivalRun = runDeliveries(rival, { workerId: "rival", stopWhenIdle: false, pollMs: 100, signal: stop.signal });
    const held = await holding;
    stop.abort();
    const rivalSummary = await rivalRun;

    expect(smtp.stalled).toBe(1);
    expect(held).toMatchObject({ retrying: 1, sent: 0, lost: 0 });
    expect(rivalSummary).toMatchObject({ sent: 0, retrying: 0, lost: 0, failed: 0 });
    const row = db.select().from(reportDeliveries).get()!;
    expect(row).toMatchObject({ status: "queued", attempts: 1, lockedBy: null });
    expect(row.error).toMatch(/Attempt 1 failed, will retry: .*timeout/i);
    // Backoff, not an immediate second send.
    expect(row.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
  }, 30_000);
});

describe("per-recipient outcomes", () => {
  it("records a 550 for one of four recipients: the row is partial, names the address and the reply, and a retry sends only to it", async () => {
    smtp = await startSmtpServer({ rejectRecipients: ["person3@northwind.test"] });
    const { partner, users } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" }, 4);
    const admin = createUser(db, { role: "admin", email: "ada@vendor.test" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "northwind" });

    const summary = await runDeliveries(context(), { concurrency: 1 });
    expect(summary).toMatchObject({ partial: 1, sent: 0, failed: 0 });
    expect(smtp.messages.map((m) => m.envelope.to[0]).sort()).toEqual(
      ["person1@northwind.test", "person2@northwind.test", "person4@northwind.test"],
    );
    const [row] = listDeliveries(db, PERIOD);
    expect(row).toMatchObject({ partnerId: partner.id, status: "partial" });
    expect(row!.error).toMatch(/Refused 1 of 4: person3@northwind\.test: 550 5\.1\.1/);
    const outcomes = JSON.parse(row!.outcomes!) as RecipientOutcome[];
    expect(outcomes.filter((o) => o.outcome === "accepted").map((o) => o.address).sort()).toEqual(
      users.filter((_, i) => i !== 2).map((u) => u.email).sort(),
    );
    expect(outcomes.find((o) => o.outcome === "rejected")).toMatchObject({
      address: "person3@northwind.test",
      reply: expect.stringMatching(/^550 5\.1\.1 <person3@northwind\.test>: mailbox unavailable/),
    });

    // The admin retries it: the three who have it are not sent it again.
    retryDelivery(db, actorOf(admin), row!.id);
    expect(await runDeliveries(context(), { concurrency: 1 })).toMatchObject({ partial: 1 });
    expect(smtp.messages).toHaveLength(3);
  }, 30_000);
});
