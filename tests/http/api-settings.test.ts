// The API pages through the real server: an admin creates a key (shown once, stored hashed),
// sees it listed with its last use, revokes it; adds a webhook endpoint (a loopback URL refused
// with what to do, the secret shown once); a partner admin's key is limited to their partner.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await createWorld(server.db);
});
afterAll(() => server?.close());

const keyIn = (html: string) => /value="(ppk_[A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? null;

describe("Settings → API", () => {
  it("creates a key shown once, usable, listed with its last use, and revocable", async () => {
    const admin = new Client(server.url);
    await admin.signIn("admin@world.test", TEST_PASSWORD);
    const bad = await admin.post("/internal/settings/api", { intent: "create-key", name: "crm" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose at least one scope");
    const body = new URLSearchParams([["intent", "create-key"], ["name", "crm"], ["scopes", "deals:read"], ["scopes", "partners:read"]]);
    const res = await fetch(server.url + "/internal/settings/api", {
      method: "POST",
      headers: { cookie: (admin as unknown as { cookieHeader(): string }).cookieHeader(), origin: server.url, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const html = await res.text();
    const key = keyIn(html);
    expect(key).not.toBeNull();
    const stored = server.db.select().from(apiKeys).where(eq(apiKeys.name, "crm")).get()!;
    expect(stored.hash).not.toContain(key!);
    expect(stored.scopes).toEqual(["deals:read", "partners:read"]);
    expect((await fetch(`${server.url}/api/v1/partners`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const page = await (await admin.get("/internal/settings/api")).text();
    expect(page).toContain(stored.prefix);
    expect(keyIn(page)).toBeNull();
    expect(page).not.toContain("Never");
    expect((await admin.post("/internal/settings/api", { intent: "revoke-key", id: String(stored.id) })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/partners`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it("refuses a loopback webhook URL saying what to do, and shows a new endpoint's secret once", async () => {
    const admin = new Client(server.url);
    await admin.signIn("admin@world.test", TEST_PASSWORD);
    const refused = await admin.post("/internal/settings/api", { intent: "add-endpoint", url: "http://localhost:9/x", eventTypes: "deal.won" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/private, loopback or link-local address.*allow private webhook URLs/s);
    await admin.post("/internal/settings/api", { intent: "private-urls", allow: "1" });
    const added = await (await admin.post("/internal/settings/api", { intent: "add-endpoint", url: "http://localhost:9/x", eventTypes: "deal.won" })).text();
    expect(added).toMatch(/value="whsec_[A-Za-z0-9+/=]+"/);
    expect(await (await admin.get("/internal/settings/api")).text()).not.toMatch(/whsec_/);
  });
});

describe("a partner admin's API keys", () => {
  it("are limited to their own partner and to the partner scopes", async () => {
    const adminB = new Client(server.url);
    await adminB.signIn("admin@beta.test", TEST_PASSWORD);
    const wide = await adminB.post("/api-keys", { intent: "create-key", name: "beta-crm", scopes: "partners:read" });
    expect(wide.status).toBe(400);
    expect(await wide.text()).toMatch(/not allowed scope partners:read/);
    const html = await (await adminB.post("/api-keys", { intent: "create-key", name: "beta-crm", scopes: "deals:read" })).text();
    const key = keyIn(html)!;
    const row = server.db.select().from(apiKeys).where(eq(apiKeys.name, "beta-crm")).get()!;
    expect(row.partnerId).not.toBeNull();
    const deals = await (await fetch(`${server.url}/api/v1/deals`, { headers: { authorization: `Bearer ${key}` } })).json();
    expect(deals.data.every((d: { partnerSlug: string }) => d.partnerSlug === "beta")).toBe(true);
    // Another partner's (or a program) key cannot be revoked from here: the same answer as none.
    const programKey = server.db.select().from(apiKeys).where(eq(apiKeys.name, "crm")).get()!;
    expect((await adminB.post("/api-keys", { intent: "revoke-key", id: String(programKey.id) })).status).toBe(404);
    expect(await (await adminB.get("/api-keys")).text()).not.toContain(programKey.prefix);
  });
});
