// Report delivery against a real migrated SQLite database and a real SMTP server (smtp-server,
// messages parsed back with mailparser, PDFs read back with pdfjs): exactly one message per
// eligible partner, retries and dead letters, and the crash and concurrency cases run as real
// OS processes.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { auditEvents, programSettings, reportDeliveries, webhookDeliveries, type Partner } from "../../db/schema";
import { insertWebhookEndpoint } from "../webhooks/endpoints.server";
import { createTestDatabase } from "../../tests/support/db";
import { startSmtpServer, type ReceivedMessage, type TestSmtpServer } from "../../tests/support/smtp";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "../domain/audit.server";
import { jobs } from "../jobs/scheduler.server";
import { createMailer, type Mailer } from "../mailer.server";
import { catchUpMonthlyReports, lastScheduledRun, previousPeriodIn } from "./delivery-schedule.server";
import { backgroundConcurrency, backoffMs, classifyError, deliverOne, kickDeliveries, runDeliveries } from "./delivery-worker.server";
import { claimNext, deliveryCounts, DeliveryError, enqueuePeriod, listDeliveries, MAX_ATTEMPTS, retryDelivery, type DeliveryContext } from "./delivery.server";
import { reportMessageId } from "./render.server";
import { pdfText } from "../../tests/support/pdf";

const APP_URL = "http://portal.test";
const MAIL_FROM = "Partner Program <partners@portal.test>";
const DOMAIN = "portal.test";
const APP_SECRET = "delivery-test-secret-0123456789abcdef0123";
/** A month that has ended, with a won deal in it for the KPI check. */
const PERIOD = "2025-06";
const IN_PERIOD = new Date("2025-06-12T10:00:00Z");

let db: DB;
let file: string;
let smtp: TestSmtpServer | null = null;
let mailer: Mailer | null = null;

beforeEach(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
});

afterEach(async () => {
  mailer?.close();
  mailer = null;
  await smtp?.close();
  smtp = null;
  closeDatabase(db);
});

async function smtpContext(options: Parameters<typeof startSmtpServer>[0] = {}, extra: Partial<DeliveryContext> = {}) {
  smtp = await startSmtpServer(options);
  mailer = createMailer({ SMTP_URL: smtp.url, MAIL_FROM, OUTBOX_DIR: path.join(path.dirname(file), "unused-outbox") });
  const ctx: DeliveryContext = { db, mailer, config: { APP_URL, APP_SECRET, MAIL_FROM }, backoff: { baseMs: 20, capMs: 80 }, ...extra };
  return { ctx, smtp };
}

/** A partner with an admin who opted in to the report, and a deal won in PERIOD. */
function reportingPartner(values: Partial<Partner> & { name: string; slug: string }, wonCents = 1_234_500) {
  const partner = createPartner(db, { joinedOn: "2024-01-01", ...values });
  const admin = createUser(db, {
    role: "partner_admin",
    partnerId: partner.id,
    email: `admin@${partner.slug}.test`,
    reportOptIn: true,
  });
  createDeal(
    db,
    { partnerId: partner.id, stage: "won", amountCents: wonCents, submittedAt: new Date("2025-05-01T09:00:00Z") },
    { now: IN_PERIOD, withSubmissionTouch: true },
  );
  return { partner, admin };
}

function messagesTo(email: string, messages: ReceivedMessage[]) {
  return messages.filter((m) => m.envelope.to.includes(email));
}

function rowsByPartner() {
  return new Map(
    db
      .select()
      .from(reportDeliveries)
      .all()
      .map((r) => [r.partnerId, r]),
  );
}

/** Drains the queue, waiting out the (short, in tests) backoff of retried rows. */
async function drain(ctx: DeliveryContext, concurrency = 2) {
  const total = { sent: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
  for (let round = 0; round < 50; round++) {
    const summary = await runDeliveries(ctx, { concurrency });
    total.sent += summary.sent;
    total.skipped += summary.skipped;
    total.failed += summary.failed;
    total.lost += summary.lost;
    total.retrying = summary.retrying;
    const waiting = deliveryCounts(db, PERIOD).queued;
    if (waiting === 0) return total;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error("the queue did not drain");
}

describe("monthly delivery through SMTP", () => {
  it("sends each eligible partner exactly one message, by its preference, and nothing on a second run", async () => {
    const { ctx, smtp } = await smtpContext();
    createUser(db, { role: "admin", email: "ada@vendor.test", name: "Ada Admin", reportOptIn: true });
    const pdfA = reportingPartner({ name: "Northwind Solutions", slug: "northwind", reportFormat: "pdf" });
    const pdfB = reportingPartner({ name: "Bluegate Systems", slug: "bluegate", reportFormat: "pdf" }, 777_700);
    const email = reportingPartner({ name: "Summit Consulting", slug: "summit", reportFormat: "email" });
    const off = reportingPartner({ name: "Harborline Digital", slug: "harborline", reportFormat: "off" });
    const nobody = createPartner(db, { name: "Cedarpoint Advisors", slug: "cedarpoint", reportFormat: "pdf" });
    createUser(db, { role: "partner_user", partnerId: nobody.id, email: "sales@cedarpoint.test", reportOptIn: false });
    const suspended = reportingPartner({ name: "Ironforge Labs", slug: "ironforge", status: "suspended" });

    const enqueued = enqueuePeriod(db, PERIOD);
    // Five active partners (two of them skipped at once) and the internal ecosystem report.
    expect(enqueued).toEqual({ period: PERIOD, queued: 4, skipped: 2, existing: 0 });

    const summary = await runDeliveries(ctx, { concurrency: 3 });
    expect(summary).toMatchObject({ sent: 4, failed: 0, retrying: 0, lost: 0 });

    const rows = rowsByPartner();
    expect(rows.get(off.partner.id)).toMatchObject({ status: "skipped", error: expect.stringMatching(/off/) });
    expect(rows.get(nobody.id)).toMatchObject({ status: "skipped", error: expect.stringMatching(/recipients/i) });
    expect(rows.has(suspended.partner.id)).toBe(false);
    expect(rows.get(null)).toMatchObject({ kind: "ecosystem", status: "sent" });

    for (const [{ partner, admin }, cents] of [
      [pdfA, "$12,345"],
      [pdfB, "$7,777"],
    ] as const) {
      const received = messagesTo(admin.email, smtp.messages);
      expect(received).toHaveLength(1);
      const message = received[0]!.parsed;
      const expectedId = reportMessageId(partner.id, PERIOD, DOMAIN, admin.id);
      expect(message.messageId).toBe(expectedId);
      expect(rows.get(partner.id)).toMatchObject({ status: "sent", attempts: 1, messageId: expectedId, lockedBy: null });
      expect(message.attachments).toHaveLength(1);
      const [attachment] = message.attachments;
      expect(attachment!.filename).toBe(`report-${partner.slug}-${PERIOD}.pdf`);
      expect(attachment!.contentType).toBe("application/pdf");
      const text = await pdfText(attachment!.content);
      expect(text).toContain(partner.name);
      expect(text).toContain(cents);
      // The email carries the same figure as the PDF: one computation, several renderers.
      expect(message.text).toContain(cents);
    }

    const emailOnly = messagesTo(email.admin.email, smtp.messages);
    expect(emailOnly).toHaveLength(1);
    expect(emailOnly[0]!.parsed.attachments).toHaveLength(0);
    expect(emailOnly[0]!.parsed.text).toContain(APP_URL);
    expect(String(emailOnly[0]!.parsed.html)).toContain(`href="${APP_URL}`);

    expect(messagesTo(off.admin.email, smtp.messages)).toHaveLength(0);
    expect(messagesTo(suspended.admin.email, smtp.messages)).toHaveLength(0);
    expect(messagesTo("ada@vendor.test", smtp.messages)).toHaveLength(1);
    // No partner's report went to anyone else.
    for (const m of smtp.messages) expect(m.envelope.to).toHaveLength(1);
    expect(smtp.messages).toHaveLength(4);

    // A second run (or a second enqueue of the same month) sends nothing.
    expect(enqueuePeriod(db, PERIOD)).toEqual({ period: PERIOD, queued: 0, skipped: 0, existing: 6 });
    expect(await runDeliveries(ctx, { concurrency: 3 })).toEqual({
      sent: 0,
      partial: 0,
      skipped: 0,
      failed: 0,
      retrying: 0,
      lost: 0,
    });
    expect(smtp.messages).toHaveLength(4);
    expect(deliveryCounts(db, PERIOD)).toMatchObject({ sent: 4, skipped: 2, total: 6 });
  });

  it("never turns a line break in a partner's name into a header", async () => {
    const { ctx, smtp } = await smtpContext();
    const evil = reportingPartner({ name: "Evil\r\nBcc: x@y.test\r\nX-Injected: 1", slug: "evil" });
    enqueuePeriod(db, PERIOD);
    await runDeliveries(ctx);
    expect(smtp.messages).toHaveLength(1);
    const [message] = smtp.messages;
    expect(message!.envelope.to).toEqual([evil.admin.email]);
    expect(message!.parsed.headers.has("bcc")).toBe(false);
    expect(message!.parsed.headers.has("x-injected")).toBe(false);
    expect(message!.parsed.subject ?? "").not.toMatch(/[\r\n]/);
    const head = message!.raw.toString("utf8").split(/\r?\n\r?\n/)[0]!;
    expect(head).not.toMatch(/^bcc:/im);
    expect(head).not.toMatch(/^x-injected:/im);
  });

  it("inside the server works on one report fewer than the machine has cores, leaving requests a core", async () => {
    const { ctx, smtp } = await smtpContext({ replyDelayMs: 150 });
    const admins = Array.from({ length: 6 }, (_, i) => reportingPartner({ name: `Partner ${i + 1}`, slug: `partner-${i + 1}` }).admin);
    enqueuePeriod(db, PERIOD);
    let most = 0;
    const watch = setInterval(() => {
      const sending = db.$client.prepare("SELECT count(*) FROM report_deliveries WHERE status = 'sending'").pluck().get() as number;
      most = Math.max(most, sending);
    }, 5);
    try {
      await kickDeliveries(ctx);
    } finally {
      clearInterval(watch);
    }
    for (const admin of admins) expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
    expect(most).toBe(backgroundConcurrency());
    expect(backgroundConcurrency(1)).toBe(1);
    expect(backgroundConcurrency(8)).toBe(7);
  });

  it("retries a temporary 4xx with backoff and then sends once", async () => {
    let now = Date.parse("2025-07-01T06:00:00Z");
    // Real backoff (60 s ± 25 % for the first retry) on a clock the test moves.
    const { ctx, smtp } = await smtpContext({ failFirst: 2 }, { clock: () => now, backoff: {} });
    const { partner, admin } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    createUser(db, { role: "admin", email: "ada@vendor.test" });
    enqueuePeriod(db, PERIOD, { now });

    const firstPass = await runDeliveries(ctx, { concurrency: 1 });
    expect(firstPass).toMatchObject({ sent: 0, retrying: 2, failed: 0 });
    const waiting = rowsByPartner().get(partner.id)!;
    expect(waiting).toMatchObject({ status: "queued", attempts: 1, lockedBy: null });
    expect(waiting.error).toMatch(/Attempt 1 failed, will retry: SMTP 451/);
    expect(waiting.nextAttemptAt).toBeGreaterThanOrEqual(now + 45_000);
    expect(waiting.nextAttemptAt).toBeLessThanOrEqual(now + 75_000);

    // Not due yet: nothing happens.
    expect(await runDeliveries(ctx)).toMatchObject({ sent: 0, retrying: 0 });
    now += 80_000;
    expect(await runDeliveries(ctx)).toMatchObject({ sent: 2, retrying: 0, failed: 0 });

    expect(smtp.refused).toBe(2);
    expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
    expect(messagesTo("ada@vendor.test", smtp.messages)).toHaveLength(1);
    const rows = [...rowsByPartner().values()];
    expect(rows.map((r) => [r.status, r.attempts, r.error])).toEqual([
      ["sent", 2, null],
      ["sent", 2, null],
    ]);
  });

  it("marks a permanent 5xx failed at once, with the reason, and an admin can retry it", async () => {
    const { ctx, smtp } = await smtpContext({ rejectAll: true });
    const { partner } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    const admin = createUser(db, { role: "admin", email: "ada@vendor.test" });
    enqueuePeriod(db, PERIOD);
    const summary = await runDeliveries(ctx);
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(summary.retrying).toBe(0);
    const row = rowsByPartner().get(partner.id)!;
    expect(row).toMatchObject({ status: "failed", attempts: 1, lockedBy: null });
    expect(row.error).toMatch(/550/);
    expect(row.error).toMatch(/Mailbox unavailable/);
    expect(smtp.messages).toHaveLength(0);

    const listed = listDeliveries(db, PERIOD);
    expect(listed.map((r) => [r.kind, r.status, r.partnerName])).toEqual([
      ["ecosystem", "failed", null],
      ["monthly", "failed", "Northwind Solutions"],
    ]);

    retryDelivery(db, actorOf(admin), row.id);
    expect(rowsByPartner().get(partner.id)).toMatchObject({ status: "queued", attempts: 0, error: null });
    const audit = db.select().from(auditEvents).where(eq(auditEvents.action, "report_delivery.retry")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, partnerId: partner.id, entityId: String(row.id) });
    expect(() => retryDelivery(db, actorOf(admin), row.id)).toThrow(DeliveryError);
  });

  it("gives up after maxAttempts (MAIL_MAX_ATTEMPTS) temporary failures", async () => {
    const { ctx } = await smtpContext({ failFirst: 1000 }, { maxAttempts: 4 });
    const { partner } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "northwind" });
    await drain(ctx, 1);
    const row = rowsByPartner().get(partner.id)!;
    expect(row).toMatchObject({ status: "failed", attempts: 4 });
    expect(row.error).toMatch(/Gave up after 4 attempts.*451/);
  });
});

describe("the report.sent webhook", () => {
  it("is emitted with the sent mark, once per delivery, with partner, period, recipients and Message-ID", async () => {
    const { ctx } = await smtpContext();
    insertWebhookEndpoint(db, "system", { url: "https://hooks.example/portal", description: "", eventTypes: ["report.sent"] });
    insertWebhookEndpoint(db, "system", { url: "https://hooks.example/deals", description: "", eventTypes: ["deal.won"] });
    const { partner } = reportingPartner({ name: "Northwind Solutions", slug: "northwind", reportFormat: "email" });
    createUser(db, { role: "partner_user", partnerId: partner.id, email: "sales@northwind.test", reportOptIn: true });
    enqueuePeriod(db, PERIOD);
    await drain(ctx);
    await drain(ctx);
    const events = db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventType, "report.sent")).all();
    const row = rowsByPartner().get(partner.id)!;
    expect(row.status).toBe("sent");
    const forPartner = events.filter((e) => e.partnerId === partner.id);
    expect(forPartner).toHaveLength(1);
    expect(JSON.parse(forPartner[0]!.payload)).toMatchObject({
      type: "report.sent",
      data: { partnerId: partner.id, period: PERIOD, recipients: 2, messageId: row.messageId, status: "sent" },
    });
    // Only the subscribed endpoint gets it.
    expect(db.select().from(webhookDeliveries).all().every((d) => d.eventType === "report.sent")).toBe(true);
  });
});

describe("the queue", () => {
  it("lets exactly one worker hold a row, takes over an expired lease, and fences out the old holder", async () => {
    const { ctx, smtp } = await smtpContext();
    reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    reportingPartner({ name: "Bluegate Systems", slug: "bluegate" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "northwind" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "bluegate" });
    const t0 = Date.now();
    const a = claimNext(db, "worker-a", t0, 1000)!;
    const b = claimNext(db, "worker-b", t0 + 10, 1000)!;
    expect(a.id).not.toBe(b.id);
    expect(claimNext(db, "worker-c", t0 + 20, 1000)).toBeNull();

    // worker-a stalls past its lease; worker-c takes the row over.
    const c = claimNext(db, "worker-c", t0 + 1500, 1000)!;
    expect(c).toMatchObject({ id: a.id, attempts: 2, lockedBy: "worker-c" });
    // worker-a wakes up: it no longer holds the claim, so it neither sends nor records.
    expect(await deliverOne(ctx, a)).toBe("lost");
    expect(smtp.messages).toHaveLength(0);
    expect(await deliverOne(ctx, c)).toBe("sent");
    expect(await deliverOne(ctx, b)).toBe("sent");
    expect(smtp.messages).toHaveLength(2);
    expect(new Set(smtp.messages.map((m) => m.parsed.messageId)).size).toBe(2);
  });

  it("validates the period and the partner", () => {
    expect(() => enqueuePeriod(db, "2025-13")).toThrow(/YYYY-MM/);
    expect(() => enqueuePeriod(db, PERIOD, { partnerSlug: "nope" })).toThrow(/No partner/);
  });

  it("classifies SMTP errors and backs off exponentially with jitter, capped", () => {
    expect(classifyError(Object.assign(new Error("x"), { responseCode: 451 }))).toBe("temporary");
    expect(classifyError(Object.assign(new Error("x"), { responseCode: 550 }))).toBe("permanent");
    expect(classifyError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("temporary");
    expect(classifyError(Object.assign(new Error("x"), { code: "EENVELOPE", responseCode: 452 }))).toBe("temporary");
    expect(classifyError(Object.assign(new Error("x"), { code: "EENVELOPE" }))).toBe("permanent");
    expect(backoffMs(1, {}, () => 0.5)).toBe(60_000);
    expect(backoffMs(3, {}, () => 0.5)).toBe(240_000);
    expect(backoffMs(3, {}, () => 0)).toBe(180_000);
    expect(backoffMs(3, {}, () => 1)).toBe(300_000);
    expect(backoffMs(12, {}, () => 1)).toBe(6 * 3_600_000);
    // The default MAX_ATTEMPTS (20) spreads its 19 waits over about three days.
    let waited = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) waited += backoffMs(attempt, {}, () => 0.5);
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(20);
    expect(waited / 86_400_000).toBeGreaterThan(2.5);
    expect(waited / 86_400_000).toBeLessThan(3.5);
  });
});

describe("the schedule", () => {
  it("reports on the month before the run, in the schedule's time zone", () => {
    expect(previousPeriodIn(new Date("2025-03-01T06:00:00Z"), "UTC")).toBe("2025-02");
    // 03:00 UTC on 1 March is still 28 February in New York.
    expect(previousPeriodIn(new Date("2025-03-01T03:00:00Z"), "America/New_York")).toBe("2025-01");
    expect(previousPeriodIn(new Date("2025-01-01T06:00:00Z"), "UTC")).toBe("2024-12");
    expect(lastScheduledRun("0 6 1 * *", "UTC", new Date("2025-03-15T00:00:00Z"))).toEqual(
      new Date("2025-03-01T06:00:00Z"),
    );
    expect(lastScheduledRun("0 6 1 * *", "UTC", new Date("2025-03-01T05:59:00Z"))).toEqual(
      new Date("2025-02-01T06:00:00Z"),
    );
  });

  it("takes the cron and time zone from program settings", () => {
    db.update(programSettings).set({ reportCron: "30 7 2 * *", reportTimeZone: "Europe/Berlin" }).run();
    const job = jobs.find((j) => j.name === "monthly-reports")!;
    expect(job.schedule({ db } as never)).toEqual({ cron: "30 7 2 * *", timezone: "Europe/Berlin" });
    expect(jobs.find((j) => j.name === "report-retries")!.schedule({ db } as never).cron).toBe("* * * * *");
  });

  it("catches up a missed period at start, once", async () => {
    const { ctx, smtp } = await smtpContext();
    const { admin } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    // The server was down on 1 July 06:00: at 09:00 it starts and catches up June.
    const first = await catchUpMonthlyReports(ctx, new Date("2025-07-01T09:00:00Z"));
    expect(first.period).toBe(PERIOD);
    expect(first.enqueued).toMatchObject({ queued: 2 });
    expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
    const again = await catchUpMonthlyReports(ctx, new Date("2025-07-01T10:00:00Z"));
    expect(again.enqueued).toBeNull();
    expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
  });

  it("resumes rows a dead worker left sending once their lease has expired", async () => {
    const { ctx, smtp } = await smtpContext({}, { leaseMs: 50 });
    const { admin } = reportingPartner({ name: "Northwind Solutions", slug: "northwind" });
    enqueuePeriod(db, PERIOD, { partnerSlug: "northwind" });
    const orphan = claimNext(db, "dead-worker", Date.now(), 50)!;
    expect(orphan.attempts).toBe(1);
    expect((await runDeliveries(ctx)).sent).toBe(0); // lease still valid
    await new Promise((r) => setTimeout(r, 80));
    expect((await runDeliveries(ctx)).sent).toBe(1);
    expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
    expect(rowsByPartner().get(orphan.partnerId)).toMatchObject({ status: "sent", attempts: 2 });
  });
});

// ---------------------------------------------------------------------------------------------
// Separate OS processes on one database file and one SMTP server.

type Batch = {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  exit: Promise<number | null>;
  out: () => string;
  err: () => string;
};

function startBatch(port: number, workerId: string, leaseMs: number, concurrency: number): Batch {
  const script = path.resolve("tests/support/report-batch-process.ts");
  // detached: its own process group, so a SIGKILL reaches npx, tsx and the node process alike.
  const child = spawn(
    "npx",
    ["tsx", script, file, String(port), PERIOD, workerId, String(leaseMs), String(concurrency)],
    { stdio: ["pipe", "pipe", "pipe"], detached: true },
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  // stdout: "ready", progress lines, then the JSON summary; stderr: npm's and node's noise.
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`batch exited before ready (${code}): ${err}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, ready, exit, out: () => out, err: () => err };
}

function seedMany(n: number) {
  createUser(db, { role: "admin", email: "ada@vendor.test" });
  return Array.from({ length: n }, (_, i) =>
    reportingPartner({ name: `Process Partner ${String(i + 1).padStart(2, "0")}`, slug: `process-${i + 1}` }),
  );
}

describe("batch processes", () => {
  it("two batch processes at once send no duplicate", async () => {
    const { smtp } = await smtpContext();
    const partners = seedMany(12);
    const batches = [startBatch(smtp.port, "proc-a", 60_000, 2), startBatch(smtp.port, "proc-b", 60_000, 2)];
    await Promise.all(batches.map((b) => b.ready));
    for (const b of batches) b.child.stdin.write("go\n");
    const codes = await Promise.all(batches.map((b) => b.exit));
    expect(codes, batches.map((b) => b.err()).join("\n")).toEqual([0, 0]);

    const results = batches.map((b) => JSON.parse(b.out().trim().split("\n").at(-1)!));
    expect(results[0].summary.sent + results[1].summary.sent).toBe(13);
    // Both really worked the queue at the same time.
    expect(results[0].summary.sent).toBeGreaterThan(0);
    expect(results[1].summary.sent).toBeGreaterThan(0);
    for (const { admin } of partners) expect(messagesTo(admin.email, smtp.messages)).toHaveLength(1);
    const ids = smtp.messages.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(deliveryCounts(db, PERIOD)).toMatchObject({ sent: 13, total: 13 });
  }, 90_000);

  it("a batch killed mid-way and restarted leaves nobody missing and nobody with two different messages", async () => {
    const leaseMs = 1500;
    let victim: Batch | null = null;
    const { smtp } = await smtpContext({
      // Kill the sender after the server took its 4th message but before the sender heard
      // "250": the worst moment, between SMTP acceptance and the database update.
      beforeReply: async (_message, index) => {
        if (index !== 3 || !victim) return;
        process.kill(-victim.child.pid!, "SIGKILL");
        await victim.exit;
      },
    });
    const partners = seedMany(10);
    victim = startBatch(smtp.port, "doomed", leaseMs, 1);
    await victim.ready;
    victim.child.stdin.write("go\n");
    await victim.exit;
    expect(smtp.messages).toHaveLength(4);
    const counts = deliveryCounts(db, PERIOD);
    expect(counts.sending).toBe(1);
    expect(counts.sent).toBe(3);

    // Restart once the dead process's lease has run out.
    await new Promise((r) => setTimeout(r, leaseMs + 200));
    const rescue = startBatch(smtp.port, "rescue", leaseMs, 2);
    await rescue.ready;
    rescue.child.stdin.write("go\n");
    expect(await rescue.exit, rescue.err()).toBe(0);

    expect(deliveryCounts(db, PERIOD)).toMatchObject({ sent: 11, total: 11 });
    const twice: string[] = [];
    for (const { partner, admin } of partners) {
      const received = messagesTo(admin.email, smtp.messages);
      expect(received.length).toBeGreaterThanOrEqual(1);
      const ids = new Set(received.map((m) => m.parsed.messageId));
      expect(ids).toEqual(new Set([reportMessageId(partner.id, PERIOD, DOMAIN, admin.id)]));
      if (received.length > 1) twice.push(partner.slug);
    }
    // Only the report in flight at the kill went out twice, under its one Message-ID.
    expect(twice).toHaveLength(1);
    expect(smtp.messages).toHaveLength(12);
  }, 90_000);
});
