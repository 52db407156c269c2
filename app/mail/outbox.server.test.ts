// The email outbox against a real migrated SQLite and a real SMTP server (smtp-server, parsed
// back with mailparser): a crash right after an import's commit loses no email (a real OS
// process killed with SIGKILL), enqueueing is idempotent per identity, the Message-ID follows
// the program's mail domain, and the dead-letter actions are audited.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { auditEvents, outboxMessages, programSettings } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { startSmtpServer, type TestSmtpServer } from "../../tests/support/smtp";
import { closeDatabase, writeTransaction, type DB } from "../db.server";
import { actorOf } from "../domain/audit.server";
import { enqueueDealWon, notifyRegistrationApproved } from "../domain/deal-notifications.server";
import { createMailer, type Mailer } from "../mailer.server";
import {
  createQueueMailer,
  discardMessages,
  enqueueEmail,
  kickOutbox,
  listOutboxMessages,
  outboxCounts,
  retryMessages,
  runOutbox,
  type OutboxContext,
} from "./outbox.server";

const MAIL_FROM = "Partner Program <partners@portal.test>";
const config = { APP_URL: "http://portal.test", MAIL_FROM };
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

let db: DB;
let file: string;
let smtp: TestSmtpServer;
let transport: Mailer;

beforeEach(async () => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
  smtp = await startSmtpServer();
  transport = createMailer({ SMTP_URL: smtp.url, MAIL_FROM, OUTBOX_DIR: path.join(path.dirname(file), "unused") });
});

afterEach(async () => {
  transport.close();
  await smtp.close();
  closeDatabase(db);
});

const outbox = (extra: Partial<OutboxContext> = {}): OutboxContext => ({ db, transport, config, ...extra });

function approvedDeal(slug: string) {
  const partner = createPartner(db, { slug, name: `Partner ${slug}` });
  const admin = createUser(db, { role: "partner_admin", partnerId: partner.id, email: `admin@${slug}.test` });
  const customer = createCustomer(db, { name: `${slug} customer`, domain: `${slug}-customer.com` });
  const deal = createDeal(db, { partnerId: partner.id, customerId: customer.id, stage: "approved", submittedBy: admin.id });
  return { partner, admin, deal };
}

describe("a crash between an import's commit and its emails", () => {
  it("loses no email: the won emails committed with the outcomes, and the drain sends them after the kill", async () => {
    const a = approvedDeal("alpha");
    const b = approvedDeal("bravo");
    const csvFile = path.join(path.dirname(file), `outcomes-${Date.now()}.csv`);
    fs.writeFileSync(csvFile, `deal_id,stage,amount,close_date,reason\n${a.deal.id},won,1200,${yesterday},\n${b.deal.id},won,800,${yesterday},\n`);

    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/support/outcome-import-process.ts"), file, csvFile], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => c.toString().includes("committed") && resolve());
      child.once("exit", (code) => reject(new Error(`import process exited (${code}): ${err}`)));
    });
    // Killed right after the commit: it never sent anything.
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(smtp.messages).toHaveLength(0);
    expect(outboxCounts(db)).toMatchObject({ queued: 2 });

    expect(await runOutbox(outbox())).toMatchObject({ sent: 2, failed: 0 });
    for (const { admin, deal } of [a, b]) {
      const received = smtp.messages.filter((m) => m.envelope.to.includes(admin.email));
      expect(received).toHaveLength(1);
      expect(received[0]!.parsed.messageId).toBe(`<deal-won.deal-${deal.id}@portal.test>`);
      expect(received[0]!.parsed.subject).toMatch(/won/i);
    }
    // The same outcome again enqueues nothing: the identity is taken.
    expect(writeTransaction(db, (tx) => enqueueDealWon({ db, config }, tx, a.deal.id))).toBe(false);
    expect(await runOutbox(outbox())).toMatchObject({ sent: 0 });
    expect(smtp.messages).toHaveLength(2);
  }, 60_000);
});

describe("the queue mailer", () => {
  it("enqueues instead of sending, once per identity, and the drain sends under the program's mail domain", async () => {
    const { admin, deal } = approvedDeal("charlie");
    db.update(programSettings).set({ mailDomain: "mail.vendor.example" }).run();
    const queue = createQueueMailer({ db, config }, transport);
    // Each send() enqueues and kicks the background drain; nothing waits for SMTP.
    expect((await notifyRegistrationApproved({ db, mailer: queue, config }, deal.id)).sent).toBe(true);
    expect((await notifyRegistrationApproved({ db, mailer: queue, config }, deal.id)).sent).toBe(true);
    expect(db.select().from(outboxMessages).all().filter((m) => m.kind === "deal-approved")).toHaveLength(1);
    await kickOutbox(outbox());
    const received = smtp.messages.filter((m) => m.envelope.to.includes(admin.email));
    expect(received).toHaveLength(1);
    expect(received[0]!.parsed.messageId).toBe(`<deal-approved.deal-${deal.id}@mail.vendor.example>`);
  });
});

describe("dead letters", () => {
  it("retries selected or all dead, discards with an audit entry each, and pages newest first by keyset", async () => {
    const staff = createUser(db, { role: "admin", email: "ada@vendor.test" });
    const actor = actorOf(staff);
    writeTransaction(db, (tx) => {
      for (let i = 1; i <= 5; i++)
        enqueueEmail(tx, { kind: "test", identity: `n-${i}`, to: [`p${i}@example.test`], subject: `Message ${i}`, text: "t", html: "<p>t</p>" });
    });
    // Every message refused for good: five dead letters.
    await smtp.close();
    smtp = await startSmtpServer({ rejectAll: true });
    transport.close();
    transport = createMailer({ SMTP_URL: smtp.url, MAIL_FROM, OUTBOX_DIR: "/nonexistent" });
    expect(await runOutbox(outbox())).toMatchObject({ failed: 5 });

    const first = listOutboxMessages(db, { status: "failed", limit: 2 });
    expect(first.rows.map((r) => r.subject)).toEqual(["Message 5", "Message 4"]);
    const second = listOutboxMessages(db, { status: "failed", limit: 2, before: first.next! });
    expect(second.rows.map((r) => r.subject)).toEqual(["Message 3", "Message 2"]);
    expect(second.rows[0]!.error).toMatch(/SMTP 550/);

    expect(discardMessages(db, actor, [first.rows[0]!.id])).toBe(1);
    expect(() => discardMessages(db, actor, [first.rows[0]!.id])).toThrow(/Only queued, failed or partly refused/);
    expect(retryMessages(db, actor, { ids: [first.rows[1]!.id] })).toBe(1);
    expect(retryMessages(db, actor, { allDead: true })).toBe(3);
    expect(outboxCounts(db)).toMatchObject({ queued: 4, skipped: 1, failed: 0 });
    const audits = db.select().from(auditEvents).all().filter((e) => e.action.startsWith("outbox_message."));
    expect(audits.map((e) => e.action).sort()).toEqual([
      "outbox_message.discard",
      ...Array(4).fill("outbox_message.retry"),
    ]);
    expect(audits.every((e) => e.actorId === staff.id)).toBe(true);
    expect(db.select().from(outboxMessages).where(eq(outboxMessages.id, first.rows[0]!.id)).get()!.error).toContain(
      `Discarded by ${staff.email}`,
    );
  });
});
