// "Forgot password" must not tell who has an account (issue 11, item 8): the request does the
// same work for every address and the reset email goes out after the answer, so neither the
// answer nor its timing depends on the account. Through real HTTP against the built server,
// with a real SMTP server on 127.0.0.1.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let smtp: TestSmtpServer;
let server: TestServer;
let world: World;
let releaseSmtp: () => void = () => {};
const smtpStalled = new Promise<void>((resolve) => (releaseSmtp = resolve));

beforeAll(async () => {
  // Accepts each message, then holds its "250" until the end of the file: a stalled mail server.
  smtp = await startSmtpServer({ beforeReply: () => smtpStalled });
  server = await startTestServer({ SMTP_URL: smtp.url });
  world = await createWorld(server.db);
});
afterAll(async () => {
  releaseSmtp();
  await server.close();
  await smtp.close();
});

/** The page without what legitimately differs per response: a CSP nonce, the typed address. */
const comparable = (html: string, email: string) => html.replace(/ nonce="[^"]*"/g, "").replaceAll(email, "EMAIL");

async function timedPost(email: string) {
  const started = performance.now();
  const res = await new Client(server.url).post("/forgot-password", { email });
  const body = await res.text();
  return { status: res.status, body: comparable(body, email), ms: performance.now() - started };
}

async function waitForMessageTo(address: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = smtp.messages.find((m) => m.envelope.to.includes(address));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no email to ${address} arrived`);
}

describe("forgot password", () => {
  it("answers a known and an unknown address with the same page", async () => {
    const known = await timedPost(world.userA.email);
    const unknown = await timedPost("nobody@nowhere.test");
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(known.body).toContain("If an account exists for that address");
    expect(known.body).toBe(unknown.body);
  });

  it("does no account-dependent work before answering: a busy database and a stalled mail server delay nothing", async () => {
    // Another connection holds the write lock: any write for the account made before the
    // answer would wait for it (SQLite's busy timeout) and show up in the answer's timing.
    const other = new Database(server.db.$client.name);
    other.exec("BEGIN IMMEDIATE");
    let known: Awaited<ReturnType<typeof timedPost>>;
    try {
      known = await timedPost(world.adminA.email);
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    const unknown = await timedPost("nobody-else@nowhere.test");
    expect(known.status).toBe(200);
    expect(known.body).toBe(unknown.body);
    expect(known.ms).toBeLessThan(1000);

    // The email still goes out, after the answer, even though the mail server never says "250".
    const mail = await waitForMessageTo(world.adminA.email);
    expect(mail.parsed.text).toMatch(/\/reset-password\/[a-z0-9]+/);
    expect(smtp.messages.some((m) => m.envelope.to.includes("nobody-else@nowhere.test"))).toBe(false);
  });
});
