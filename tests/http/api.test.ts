// The REST API through the real server: every documented operation, keys and scopes, partner-
// scoped keys' tenancy, cookies that must not authenticate, Idempotency-Key, problem+json with
// field lists, rate limits, and the OpenAPI document checked by a well-known validator.
import { Validator } from "@seriousme/openapi-schema-validator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/api/keys.server";
import { operations } from "../../app/api/schemas";
import { setAllowPrivateWebhookUrls } from "../../app/webhooks/endpoints.server";
import { auditEvents, customerMrr, deals, touches } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
const keys: Record<string, string> = {};
const ADMIN = { id: null, label: "test" };

async function api(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + "/api/v1" + path, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const registration = (over: Record<string, unknown> = {}) => ({
  partner: "alpha",
  companyName: "Acme Robotics",
  domain: "https://www.acme-robotics.com/about",
  contactName: "Jordan Lee",
  contactEmail: "jordan@acme-robotics.com",
  amountCents: 2_500_000,
  currency: "USD",
  expectedCloseOn: future(30),
  productLine: "Platform",
  ...over,
});

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const make = (name: string, scopes: string, partnerId: number | null = null) => (keys[name] = createApiKey(server.db, ADMIN, { name, scopes, partnerId }).key);
  make("crm", "deals:read,deals:write,partners:read,attribution:read,webhooks:manage");
  make("reader", "deals:read");
  make("alpha-crm", "deals:read,deals:write,attribution:read", world.partnerA.id);
  make("beta-crm", "deals:read,deals:write,attribution:read", world.partnerB.id);
});
afterAll(() => server?.close());

describe("authentication", () => {
  it("refuses calls without a key, with an unknown key, and with only a session cookie", async () => {
    const none = await api("GET", "/deals", null);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(none.headers.get("www-authenticate")).toMatch(/Bearer/);
    expect(none.json.detail).toMatch(/Authorization: Bearer/);
    expect((await api("GET", "/deals", "ppk_nope")).status).toBe(401);

    const browser = new Client(server.url);
    await browser.signIn("admin@world.test", TEST_PASSWORD);
    const res = await browser.get("/api/v1/deals");
    expect(res.status).toBe(401);
    // A cross-site POST with a bearer key is not a browser form: the origin check does not apply.
    const cross = await api("POST", "/deals", keys.crm, registration({ domain: "cross-origin.test" }), { origin: "https://evil.test", "sec-fetch-site": "cross-site" });
    expect(cross.status).toBe(201);
  });

  it("a revoked key stops working; the last use is recorded", async () => {
    const made = createApiKey(server.db, ADMIN, { name: "short-lived", scopes: "deals:read" });
    expect((await api("GET", "/deals", made.key)).status).toBe(200);
    const { revokeApiKey } = await import("../../app/api/keys.server");
    revokeApiKey(server.db, ADMIN, made.id, { partnerId: null });
    expect((await api("GET", "/deals", made.key)).status).toBe(401);
  });

  it("a key never does more than its scopes", async () => {
    const res = await api("POST", "/deals", keys.reader, registration());
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/deals:write/);
    expect((await api("GET", "/partners", keys.reader)).status).toBe(403);
    expect((await api("GET", "/webhook-endpoints", keys.reader)).status).toBe(403);
  });
});

describe("deals", () => {
  let dealId: number;

  it("registers a deal for a partner with the page's rules, audited with the key's name", async () => {
    const res = await api("POST", "/deals", keys.crm, registration());
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ partnerSlug: "alpha", domain: "acme-robotics.com", stage: "submitted", amountCents: 2_500_000 });
    dealId = res.json.id;
    const audit = server.db.select().from(auditEvents).where(eq(auditEvents.entityId, String(dealId))).all().filter((a) => a.entityType === "deal");
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([["deal.submitted", "api key crm"]]);
    expect(server.db.select().from(touches).where(eq(touches.dealId, dealId)).all()).toHaveLength(1);
  });

  it("a second registration of the account is a 409 asking for a conflictNote, then flagged", async () => {
    const again = await api("POST", "/deals", keys["beta-crm"], registration({ partner: undefined, domain: "acme-robotics.com" }));
    expect(again.status).toBe(409);
    expect(again.json.errors).toEqual([{ field: "conflictNote", message: expect.stringMatching(/already registered/) }]);
    // Never by whom.
    expect(JSON.stringify(again.json)).not.toMatch(/alpha/i);
    const flagged = await api("POST", "/deals", keys["beta-crm"], registration({ partner: undefined, domain: "acme-robotics.com", conflictNote: "We sourced a separate buying unit." }));
    expect(flagged.status).toBe(201);
    expect(flagged.json.partnerSlug).toBe("beta");
  });

  it("bad input answers 400 problem+json naming every field to fix, and writes nothing", async () => {
    const before = server.db.select().from(deals).all().length;
    const res = await api("POST", "/deals", keys.crm, registration({ amountCents: 12.5, currency: "JPY", expectedCloseOn: "2030-02-31", domain: "not a domain", partner: undefined }));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(["amountCents", "currency", "domain", "expectedCloseOn"]);
    const noPartner = await api("POST", "/deals", keys.crm, registration({ partner: undefined, domain: "other.test" }));
    expect(noPartner.json.errors).toEqual([{ field: "partner", message: expect.any(String) }]);
    const badJson = await api("POST", "/deals", keys.crm, "{not json");
    expect(badJson.status).toBe(400);
    expect(badJson.json.detail).toMatch(/not valid JSON/);
    expect(server.db.select().from(deals).all().length).toBe(before);
  });

  it("an Idempotency-Key makes a retried POST return the first result and create nothing", async () => {
    const headers = { "idempotency-key": "3c0d7f5e-retry-test-0001" };
    const first = await api("POST", "/deals", keys.crm, registration({ domain: "idem.test" }), headers);
    const retry = await api("POST", "/deals", keys.crm, registration({ domain: "idem.test" }), headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(server.db.select().from(deals).all().filter((d) => d.title.startsWith("Acme Robotics") && d.customerId === server.db.select().from(deals).where(eq(deals.id, first.json.id)).get()!.customerId)).toHaveLength(1);
    expect((await api("POST", "/deals", keys.crm, registration({ domain: "idem2.test" }), { "idempotency-key": "short" })).status).toBe(400);
  });

  it("lists with cursor pagination and filters; gets one", async () => {
    const page1 = await api("GET", "/deals?limit=2", keys.crm);
    expect(page1.status).toBe(200);
    expect(page1.json.data).toHaveLength(2);
    expect(page1.json.nextCursor).not.toBeNull();
    const page2 = await api("GET", `/deals?limit=2&cursor=${page1.json.nextCursor}`, keys.crm);
    expect(page2.json.data[0].id).toBeGreaterThan(page1.json.data[1].id);
    const beta = await api("GET", "/deals?partner=beta&stage=submitted", keys.crm);
    expect(beta.json.data.map((d: { partnerSlug: string }) => d.partnerSlug)).toEqual(["beta"]);
    const future = await api("GET", `/deals?updatedSince=${new Date(Date.now() + 3_600_000).toISOString()}`, keys.crm);
    expect(future.json.data).toEqual([]);
    const bad = await api("GET", "/deals?stage=open&limit=500", keys.crm);
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(["limit", "stage"]);
    const one = await api("GET", `/deals/${dealId}`, keys.crm);
    expect(one.json.id).toBe(dealId);
    expect((await api("GET", "/deals/999999", keys.crm)).status).toBe(404);
  });

  it("a partner-scoped key sees and registers only its own partner's deals", async () => {
    const own = await api("GET", "/deals", keys["alpha-crm"]);
    expect(own.json.data.length).toBeGreaterThan(0);
    expect(own.json.data.every((d: { partnerSlug: string }) => d.partnerSlug === "alpha")).toBe(true);
    expect((await api("GET", `/deals/${dealId}`, keys["beta-crm"])).status).toBe(404);
    expect((await api("GET", `/deals/${dealId}/attribution`, keys["beta-crm"])).status).toBe(404);
    expect((await api("GET", "/deals?partner=alpha", keys["beta-crm"])).json.data).toEqual([]);
    const forOther = await api("POST", "/deals", keys["beta-crm"], registration({ partner: "alpha", domain: "sneaky.test" }));
    expect(forOther.status).toBe(403);
    expect((await api("POST", `/deals/${dealId}/outcome`, keys["alpha-crm"], { stage: "won", amountCents: 100, closedOn: future(0) })).status).toBe(403);
  });

  it("records an outcome with the page's rules (only approved deals close), and MRR with the import's", async () => {
    const notYet = await api("POST", `/deals/${dealId}/outcome`, keys.crm, { stage: "won", amountCents: 3_000_000, closedOn: future(0) });
    expect(notYet.status).toBe(409);
    expect(notYet.json.detail).toMatch(/only approved deals/);
    const { approveRegistration } = await import("../../app/domain/deals.server");
    approveRegistration(server.db, { id: world.manager.id, label: "manager" }, dealId);
    const wrongCurrency = await api("POST", `/deals/${dealId}/outcome`, keys.crm, { stage: "won", amountCents: 3_000_000, currency: "EUR", closedOn: future(0) });
    expect(wrongCurrency.json.errors).toEqual([{ field: "currency", message: "must be USD" }]);
    const won = await api("POST", `/deals/${dealId}/outcome`, keys.crm, { stage: "won", amountCents: 3_000_000, closedOn: future(0) }, { "idempotency-key": "won-once-0001" });
    expect(won.status).toBe(200);
    expect(won.json).toMatchObject({ stage: "won", amountCents: 3_000_000 });
    const credit = await api("GET", `/deals/${dealId}/attribution`, keys.crm);
    expect(credit.status).toBe(200);
    const sourced = credit.json.models.find((m: { model: string }) => m.model === "sourced");
    expect(sourced.credits).toEqual([{ partnerId: world.partnerA.id, partnerSlug: "alpha", cents: 3_000_000 }]);
    expect(credit.json.models).toHaveLength(6);

    const month = new Date().toISOString().slice(0, 7);
    const mrr = await api("POST", "/mrr", keys.crm, { entries: [{ domain: "acme-robotics.com", month, mrrCents: 125_000 }] });
    expect(mrr.status).toBe(200);
    expect(mrr.json).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(server.db.select().from(customerMrr).all().map((r) => r.mrrCents)).toEqual([125_000]);
    const badMrr = await api("POST", "/mrr", keys.crm, { entries: [{ domain: "unknown-customer.test", month, mrrCents: 5 }] });
    expect(badMrr.status).toBe(400);
    expect(badMrr.json.errors[0].field).toBe("entries.0");
  });
});

describe("partners", () => {
  it("lists, gets (tier, status, manager) and gives the tier history", async () => {
    const list = await api("GET", "/partners?limit=1", keys.crm);
    expect(list.json.data).toHaveLength(1);
    expect(list.json.nextCursor).not.toBeNull();
    const alpha = await api("GET", "/partners/alpha", keys.crm);
    expect(alpha.json).toMatchObject({ slug: "alpha", status: "active", manager: { name: "Mia Manager", email: "manager@world.test" } });
    expect(typeof alpha.json.tier).toBe("string");
    const history = await api("GET", "/partners/alpha/tier-history", keys.crm);
    expect(history.json).toEqual({ data: [] });
    expect((await api("GET", "/partners/nobody", keys.crm)).status).toBe(404);
    expect((await api("GET", "/partners/nobody/tier-history", keys.crm)).status).toBe(404);
  });
});

describe("webhook endpoints", () => {
  it("refuses a loopback URL unless the admin setting allows it; returns the secret once", async () => {
    const refused = await api("POST", "/webhook-endpoints", keys.crm, { url: "http://127.0.0.1:9/hook", eventTypes: ["deal.won"] });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0]).toMatchObject({ field: "url", message: expect.stringMatching(/private, loopback or link-local/) });
    const metadata = await api("POST", "/webhook-endpoints", keys.crm, { url: "http://169.254.169.254/latest", eventTypes: ["deal.won"] });
    expect(metadata.status).toBe(400);
    setAllowPrivateWebhookUrls(server.db, ADMIN, true);
    const made = await api("POST", "/webhook-endpoints", keys.crm, { url: "http://127.0.0.1:9/hook", eventTypes: ["deal.won"] });
    expect(made.status).toBe(201);
    expect(made.json.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const list = await api("GET", "/webhook-endpoints", keys.crm);
    expect(list.json.data.find((e: { id: number }) => e.id === made.json.id)).toEqual({ id: made.json.id, url: "http://127.0.0.1:9/hook", description: "", eventTypes: ["deal.won"], disabledAt: null });
    expect(JSON.stringify(list.json)).not.toMatch(/whsec_/);
    const badType = await api("POST", "/webhook-endpoints", keys.crm, { url: "http://127.0.0.1:9/x", eventTypes: ["deal.exploded"] });
    expect(badType.json.errors[0].field).toBe("eventTypes.0");
    setAllowPrivateWebhookUrls(server.db, ADMIN, false);
  });
});

describe("the OpenAPI document and the reference page", () => {
  it("validates as OpenAPI 3.1 and documents exactly the operations the router serves", async () => {
    const res = await fetch(server.url + "/api/v1/openapi.json");
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([, m]) => Object.values(m).map((o) => o.operationId));
    expect(documented.sort()).toEqual(operations.map((o) => o.operationId).sort());
    // Each operation of this file's tests: listed so a new operation without a test fails here.
    expect(documented.sort()).toEqual(
      ["createWebhookEndpoint", "getDeal", "getDealAttribution", "getOpenApiDocument", "getPartner", "getPartnerTierHistory", "listDeals", "listPartners", "listWebhookEndpoints", "recordDealOutcome", "recordMrr", "registerDeal"].sort(),
    );
  });

  it("serves a readable reference page with no script", async () => {
    const res = await fetch(server.url + "/api/v1/docs");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("POST /api/v1/deals/{id}/outcome");
    expect(html).toContain("Idempotency-Key");
    expect(html).not.toMatch(/<script/i);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once a key has used its requests for the minute", async () => {
    const limited = await startTestServer({ API_RATE_LIMIT: "3" });
    try {
      await createWorld(limited.db);
      const key = createApiKey(limited.db, ADMIN, { name: "busy", scopes: "deals:read" }).key;
      const other = createApiKey(limited.db, ADMIN, { name: "calm", scopes: "deals:read" }).key;
      const statuses: number[] = [];
      let last: Response | null = null;
      for (let i = 0; i < 4; i++) {
        last = await fetch(limited.url + "/api/v1/deals", { headers: { authorization: `Bearer ${key}` } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(last!.headers.get("content-type")).toMatch(/problem\+json/);
      expect((await fetch(limited.url + "/api/v1/deals", { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

