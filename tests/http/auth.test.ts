// Sign-in, sessions and the cross-site guard, through real HTTP against the built server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../app/auth/tokens.server";
import { sessions, signInFailures, users } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
});
afterAll(() => server.close());

function sessionToken(res: Response) {
  const line = res.headers.getSetCookie().find((c) => c.startsWith("pp_session="));
  return line?.split(";")[0].split("=")[1] ?? null;
}

describe("sign-in", () => {
  it("sends an anonymous visitor to sign-in and each role to its own side", async () => {
    const anon = new Client(server.url);
    const root = await anon.get("/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/login");

    for (const [email, home] of [
      ["sales@alpha.test", "/dashboard"],
      ["admin@beta.test", "/dashboard"],
      ["manager@world.test", "/internal"],
      ["admin@world.test", "/internal"],
    ] as const) {
      const client = new Client(server.url);
      const res = await client.signIn(email, TEST_PASSWORD);
      expect(res.headers.get("location")).toBe(home);
      const page = await client.get(home);
      expect(page.status).toBe(200);
    }
  });

  it("gives the same answer for an unknown email and a wrong password", async () => {
    const client = new Client(server.url);
    const unknown = await client.post("/login", { email: "nobody@nowhere.test", password: "whatever-123" });
    const wrong = await client.post("/login", { email: "admin@beta.test", password: "wrong-password-1" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const a = await unknown.text();
    const b = await wrong.text();
    expect(a).toContain("That email and password do not match an account.");
    expect(b).toContain("That email and password do not match an account.");
    expect(client.hasSession()).toBe(false);
  });

  it("keeps the typed email but never echoes the password after a failed sign-in", async () => {
    const client = new Client(server.url);
    const res = await client.post("/login", { email: "Admin@Beta.test", password: "typed-secret-999" });
    const html = await res.text();
    expect(html).toContain("Admin@Beta.test");
    expect(html).not.toContain("typed-secret-999");
  });

  it("validates the form with messages that say what to fix", async () => {
    const client = new Client(server.url);
    const res = await client.post("/login", { email: "not-an-email", password: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Enter a valid email address.");
  });

  it("throttles an account after repeated failures with a clear wait time", async () => {
    const client = new Client(server.url);
    for (let i = 0; i < 5; i++) {
      const res = await client.post("/login", { email: "sales@alpha.test", password: `bad-guess-${i}` });
      expect(res.status).toBe(401);
    }
    // Even the right password is refused while locked.
    const locked = await client.post("/login", { email: "sales@alpha.test", password: TEST_PASSWORD });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toMatch(/Try again in 1[45] minutes\./);
    server.db.delete(signInFailures).run();
  });

  it("stores only a hash of the session token and starts a new session on every sign-in", async () => {
    const client = new Client(server.url);
    const first = sessionToken(await client.signIn("admin@alpha.test", TEST_PASSWORD));
    const second = sessionToken(await client.signIn("admin@alpha.test", TEST_PASSWORD));
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(first).not.toBe(second);
    const rows = server.db.select().from(sessions).where(eq(sessions.userId, world.adminA.id)).all();
    const ids = rows.map((r) => r.id);
    expect(ids).toContain(hashToken(first!));
    expect(ids).toContain(hashToken(second!));
    expect(ids).not.toContain(first);
    expect(ids).not.toContain(second);
  });

  it("sets an HttpOnly, SameSite=Lax cookie (Secure only for https APP_URL)", async () => {
    const client = new Client(server.url);
    const res = await client.post("/login", { email: "admin@alpha.test", password: TEST_PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("pp_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("ends the session on sign-out", async () => {
    const client = new Client(server.url);
    await client.signIn("admin@beta.test", TEST_PASSWORD);
    expect((await client.get("/dashboard")).status).toBe(200);
    const out = await client.post("/logout", {});
    expect(out.status).toBe(302);
    const after = await client.get("/dashboard");
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/login/);
  });

  it("refuses a session past its absolute lifetime even when recently used", async () => {
    const client = new Client(server.url);
    await client.signIn("manager@world.test", TEST_PASSWORD);
    expect((await client.get("/internal")).status).toBe(200);
    server.db
      .update(sessions)
      .set({ absoluteExpiresAt: Date.now() - 1000 })
      .where(eq(sessions.userId, world.manager.id))
      .run();
    const res = await client.get("/internal");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it("ends every session of a user that is disabled", async () => {
    const client = new Client(server.url);
    await client.signIn("sales@alpha.test", TEST_PASSWORD);
    expect((await client.get("/dashboard")).status).toBe(200);
    server.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, world.userA.id)).run();
    const res = await client.get("/dashboard");
    expect(res.status).toBe(302);
    const again = await new Client(server.url).post("/login", { email: "sales@alpha.test", password: TEST_PASSWORD });
    expect(again.status).toBe(403);
    expect(await again.text()).toContain("This account is disabled");
    server.db.update(users).set({ disabledAt: null }).where(eq(users.id, world.userA.id)).run();
  });
});

describe("cross-site requests", () => {
  it("answers a POST from a foreign Origin with 403, not 500", async () => {
    const client = new Client(server.url);
    const res = await client.post(
      "/login",
      { email: "admin@alpha.test", password: TEST_PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(client.hasSession()).toBe(false);
  });

  it("answers an opaque (null) Origin and Sec-Fetch-Site: cross-site with 403", async () => {
    const client = new Client(server.url);
    expect((await client.post("/login", { email: "a@b.test", password: "x" }, { origin: "null" })).status).toBe(403);
    expect(
      (await client.post("/login", { email: "a@b.test", password: "x" }, { "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
  });

  it("lets a same-origin POST through", async () => {
    const client = new Client(server.url);
    const res = await client.post("/login", { email: "admin@alpha.test", password: TEST_PASSWORD });
    expect(res.status).toBe(302);
  });
});
