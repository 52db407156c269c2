// Issue 13 item 8: the monthly report email carries a signed one-click unsubscribe link
// (List-Unsubscribe + List-Unsubscribe-Post, RFC 8058) that works without signing in and turns
// the recipient's report opt-in off. The report goes out through a real SMTP server; the link
// is read from the received message's headers and used against the real built server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, users } from "../../db/schema";
import { lastCompletedPeriod } from "../../app/domain/periods";
import { createMailer, type Mailer } from "../../app/mailer.server";
import { enqueuePeriod } from "../../app/reports/delivery.server";
import { runDeliveries } from "../../app/reports/delivery-worker.server";
import { startSmtpServer, type ReceivedMessage, type TestSmtpServer } from "../support/smtp";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const APP_SECRET = "unsubscribe-test-secret-0123456789abcdef";
let server: TestServer;
let smtp: TestSmtpServer;
let mailer: Mailer;
let world: World;

beforeAll(async () => {
  server = await startTestServer({ APP_SECRET });
  world = await createWorld(server.db);
  // Sam (a partner user of Alpha) opted in too: two recipients, two messages, two links.
  server.db.update(users).set({ reportOptIn: true }).where(eq(users.id, world.userA.id)).run();
  smtp = await startSmtpServer();
  mailer = createMailer({ SMTP_URL: smtp.url, MAIL_FROM: "Partners <partners@portal.test>", OUTBOX_DIR: server.outboxDir });
  enqueuePeriod(server.db, lastCompletedPeriod(new Date()));
  await runDeliveries({ db: server.db, mailer, config: { APP_URL: server.url, APP_SECRET, MAIL_FROM: "Partners <partners@portal.test>" } });
}, 60_000);
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await server?.close();
});

function header(message: ReceivedMessage, name: string) {
  return message.parsed.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");
}

function messageTo(email: string) {
  const found = smtp.messages.filter((m) => m.envelope.to.includes(email));
  expect(found, `one report email to ${email}`).toHaveLength(1);
  return found[0]!;
}

/** The https/http link of List-Unsubscribe, as a path on the test server. */
function unsubscribePath(message: ReceivedMessage) {
  const value = header(message, "list-unsubscribe") ?? "";
  const url = /<(https?:\/\/[^>]+)>/.exec(value)?.[1];
  expect(url, `List-Unsubscribe carries a web link: ${value}`).toBeDefined();
  expect(url!.startsWith(`${server.url}/unsubscribe/`)).toBe(true);
  return new URL(url!).pathname;
}

const optedIn = (userId: string) =>
  server.db.select({ optIn: users.reportOptIn }).from(users).where(eq(users.id, userId)).get()!.optIn;

describe("report emails: one-click unsubscribe", () => {
  it("sends each recipient their own message with List-Unsubscribe and List-Unsubscribe-Post", () => {
    const toAdmin = messageTo(world.adminA.email);
    const toUser = messageTo(world.userA.email);
    expect(toAdmin.envelope.to).toEqual([world.adminA.email]);
    expect(header(toAdmin, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(header(toUser, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(unsubscribePath(toAdmin)).not.toBe(unsubscribePath(toUser));
  });

  it("shows a confirmation page without signing in, and the one-click POST turns the opt-in off", async () => {
    const path = unsubscribePath(messageTo(world.userA.email));
    const page = await new Client(server.url).get(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`Unsubscribe ${world.userA.email}`);
    expect(html).toContain('method="post"');
    expect(optedIn(world.userA.id)).toBe(true);

    // What a mail provider sends (RFC 8058): no cookie, no CSRF token, its own Origin.
    const res = await fetch(server.url + path, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://mail.example.net" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`${world.userA.email} no longer receives the monthly report`);
    expect(optedIn(world.userA.id)).toBe(false);
    expect(optedIn(world.adminA.id)).toBe(true);
    const audit = server.db.select().from(auditEvents).where(eq(auditEvents.action, "user.report_unsubscribed")).all();
    expect(audit.map((a) => a.entityId)).toEqual([world.userA.id]);

    // A second click says the same and changes nothing.
    const again = await new Client(server.url).post(path, { "List-Unsubscribe": "One-Click" });
    expect(again.status).toBe(200);
    expect(optedIn(world.userA.id)).toBe(false);
  });

  it("refuses a tampered link with a page that says what to do, and changes nothing", async () => {
    const path = unsubscribePath(messageTo(world.adminA.email));
    const [, , token] = path.split("/");
    const signature = token!.slice(token!.lastIndexOf(".") + 1);
    // Someone else's id with the admin's signature, and the admin's id with a changed signature.
    const forged = [
      `/unsubscribe/${world.adminB.id}.${signature}`,
      `${path.slice(0, -1)}${path.endsWith("A") ? "B" : "A"}`,
    ];
    for (const url of forged) {
      const page = await new Client(server.url).get(url);
      expect(page.status).toBe(400);
      expect(await page.text()).toContain("This unsubscribe link is not valid");
      const post = await fetch(server.url + url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(post.status).toBe(400);
    }
    expect(optedIn(world.adminA.id)).toBe(true);
    expect(optedIn(world.adminB.id)).toBe(true);
  });

  it("still refuses a cross-site POST to any other route", async () => {
    const res = await fetch(`${server.url}/forgot-password`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://mail.example.net" },
      body: "email=x%40y.test",
    });
    expect(res.status).toBe(403);
  });
});
