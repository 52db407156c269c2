// A failed request writes one log line — method, path without query string, status, short
// reason — with no stack for an expected answer such as 404, and never a token from a link.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { generateToken } from "../../app/auth/tokens.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

let server: TestServer;
let logged: string[] = [];

beforeAll(async () => {
  // React Router prints a "No routes matched" warning in development builds only; the server
  // runs as in production.
  vi.stubEnv("NODE_ENV", "production");
  server = await startTestServer();
  await createWorld(server.db);
});
afterAll(async () => {
  await server.close();
  vi.unstubAllEnvs();
});

beforeEach(() => {
  logged = [];
  const capture = (...args: unknown[]) => {
    logged.push(...args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ").split("\n"));
  };
  vi.spyOn(console, "error").mockImplementation(capture);
  vi.spyOn(console, "warn").mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

/** Log lines arrive after the response in some paths: give the server a moment. */
const settle = () => new Promise((r) => setTimeout(r, 50));

describe("request error log", () => {
  it("logs a 404 as one line without a stack or the query string", async () => {
    const res = await fetch(`${server.url}/no-such-page?password=hunter22&next=/x`);
    expect(res.status).toBe(404);
    await settle();
    expect(logged).toEqual(["[request] GET /no-such-page 404 Not Found"]);
  });

  it("logs a thrown loader error as one line saying where it was thrown", async () => {
    const staff = new Client(server.url);
    await staff.signIn("manager@world.test", TEST_PASSWORD);
    server.db.$client.exec("alter table partner_applications rename to partner_applications_gone");
    try {
      const res = await staff.get("/internal/applications");
      expect(res.status).toBe(500);
      await settle();
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(
        /^\[request\] GET \/internal\/applications 500 SqliteError: no such table: partner_applications \(.*build\/server\/index\.js:\d+:\d+\)?\)$/,
      );
    } finally {
      server.db.$client.exec("alter table partner_applications_gone rename to partner_applications");
    }
  });

  it("never logs a reset or invitation token, whatever goes wrong with its link", async () => {
    const token = generateToken();
    const responses = [
      await fetch(`${server.url}/reset-password/${token}/extra?token=${token}`),
      await fetch(`${server.url}/invite/${token}.data/x`),
      await fetch(`${server.url}/reset-password/${token}`, {
        method: "POST",
        headers: { origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ password: "new-secret-password-1" }),
      }),
      await fetch(`${server.url}/invite/${token}`, {
        method: "POST",
        headers: { origin: server.url, "content-type": "multipart/form-data; boundary=B" },
        body: "--B\r\nbroken",
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([404, 404, 415, 400]);
    await settle();
    expect(logged).toEqual([
      "[request] GET /reset-password/[token]/extra 404 Not Found",
      "[request] GET /invite/[token]/x 404 Not Found",
      expect.stringMatching(/^\[request\] POST \/reset-password\/\[token\] 415 /),
      expect.stringMatching(/^\[request\] POST \/invite\/\[token\] 400 /),
    ]);
    expect(logged.join("\n")).not.toContain(token);
    expect(logged.join("\n")).not.toContain("new-secret-password-1");
  });

  it("logs nothing for an ordinary page, a redirect or a form answered with field errors", async () => {
    await fetch(`${server.url}/login`);
    await fetch(`${server.url}/`, { redirect: "manual" });
    const wrong = await new Client(server.url).post("/login", { email: "admin@alpha.test", password: "wrong-password-1" });
    expect(wrong.status).toBe(401);
    await settle();
    expect(logged).toEqual([]);
  });
});
