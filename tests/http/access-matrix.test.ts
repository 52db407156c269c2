// The access-control matrix: every route in the app's route manifest, requested by each kind
// of user, answers as designed. A route missing from the matrix fails the test, so a new page
// cannot ship without deciding who may see it.
import type { ServerBuild } from "@remix-run/node";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/api/keys.server";
import { operations } from "../../app/api/schemas";
import { proofFolder } from "../../app/domain/mdf.server";
import { lastCompletedPeriod } from "../../app/domain/periods";
import { API_SCOPES, mdfProofFiles, mdfRequests } from "../../db/schema";
import { createCustomer, createDeal } from "../../db/factories";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const PERSONAS = ["anonymous", "partnerUserA", "partnerAdminB", "manager", "admin"] as const;
type Persona = (typeof PERSONAS)[number];
/** A status code, or "login" (redirect to sign-in), or "->/path" (redirect elsewhere). */
type Expect = number | "login" | `->${string}`;
type Row = {
  url: (w: Fixtures) => string;
  get: Record<Persona, Expect>;
  /** Who may POST: the others must be refused before the action runs. */
  post?: { body?: Record<string, string>; expect: Partial<Record<Persona, Expect>> };
};
type Fixtures = World & { dealA: number; dealB: number; mdfA: number; proofA: number };

const partnerSide = (ownAnswer: Expect = 200): Record<Persona, Expect> => ({
  anonymous: "login",
  partnerUserA: ownAnswer,
  partnerAdminB: ownAnswer,
  manager: 403,
  admin: 403,
});
const partnerAdminOnly: Record<Persona, Expect> = {
  anonymous: "login",
  partnerUserA: 403,
  partnerAdminB: 200,
  manager: 403,
  admin: 403,
};
/** An object of partner A: B must not be able to tell it exists. */
const partnerAObject: Record<Persona, Expect> = {
  anonymous: "login",
  partnerUserA: 200,
  partnerAdminB: 404,
  manager: 403,
  admin: 403,
};
const staffOnly: Record<Persona, Expect> = {
  anonymous: "login",
  partnerUserA: 403,
  partnerAdminB: 403,
  manager: 200,
  admin: 200,
};
const adminOnly: Record<Persona, Expect> = { ...staffOnly, manager: 403 };
const everyone: Record<Persona, Expect> = {
  anonymous: 200,
  partnerUserA: 200,
  partnerAdminB: 200,
  manager: 200,
  admin: 200,
};
const signedIn: Record<Persona, Expect> = { ...everyone, anonymous: "login" };
const refusedForPartners = { partnerUserA: 403, partnerAdminB: 403, anonymous: "login" } as const;
const refusedForStaff = { manager: 403, admin: 403, anonymous: "login" } as const;

/** Layouts are reached through their children; listing them here is a decision too. */
const LAYOUTS = new Set(["root", "routes/_portal", "routes/internal"]);

const MATRIX: Record<string, Row> = {
  "routes/_index": {
    url: () => "/",
    get: { anonymous: "->/login", partnerUserA: "->/dashboard", partnerAdminB: "->/dashboard", manager: "->/internal", admin: "->/internal" },
  },
  "routes/login": {
    url: () => "/login",
    get: { anonymous: 200, partnerUserA: "->/dashboard", partnerAdminB: "->/dashboard", manager: "->/internal", admin: "->/internal" },
  },
  "routes/logout": { url: () => "/logout", get: { anonymous: "->/", partnerUserA: "->/", partnerAdminB: "->/", manager: "->/", admin: "->/" } },
  "routes/healthz": { url: () => "/healthz", get: everyone },
  "routes/apply": { url: () => "/apply", get: everyone },
  "routes/forgot-password": { url: () => "/forgot-password", get: everyone },
  "routes/reset-password.$token": {
    url: () => "/reset-password/not-a-real-token",
    get: { anonymous: 404, partnerUserA: 404, partnerAdminB: 404, manager: 404, admin: 404 },
  },
  "routes/invite.$token": {
    url: () => "/invite/not-a-real-token",
    get: { anonymous: 404, partnerUserA: 404, partnerAdminB: 404, manager: 404, admin: 404 },
  },
  // Public: the signed link is the credential; a made-up one is refused the same for everyone.
  "routes/unsubscribe.$token": {
    url: () => "/unsubscribe/not-a-real-token",
    get: { anonymous: 400, partnerUserA: 400, partnerAdminB: 400, manager: 400, admin: 400 },
  },
  "routes/account": { url: () => "/account", get: signedIn },
  "routes/account_.two-factor": {
    url: () => "/account/two-factor",
    get: signedIn,
    post: { body: { intent: "disable", password: "wrong" }, expect: { anonymous: "login" } },
  },
  // Only a pending sign-in (password right, code to come) reaches it; signed-in users go home.
  "routes/login_.two-factor": {
    url: () => "/login/two-factor",
    get: { anonymous: "->/login", partnerUserA: "->/dashboard", partnerAdminB: "->/dashboard", manager: "->/internal", admin: "->/internal" },
    post: {
      body: { intent: "verify", code: "123456" },
      expect: { anonymous: "->/login", partnerUserA: "->/dashboard", partnerAdminB: "->/dashboard", manager: "->/internal", admin: "->/internal" },
    },
  },
  "routes/_portal.dashboard": { url: () => "/dashboard", get: partnerSide(), post: undefined },
  "routes/_portal.team": {
    url: () => "/team",
    get: partnerAdminOnly,
    post: { body: { intent: "invite", name: "X", email: "x@x.test", role: "partner_user" }, expect: { ...refusedForStaff, partnerUserA: 403 } },
  },
  "routes/_portal.deals._index": { url: () => "/deals", get: partnerSide() },
  "routes/_portal.deals.new": {
    url: () => "/deals/new",
    get: partnerSide(),
    post: { body: {}, expect: refusedForStaff },
  },
  // Fetched in the background by the deal form: signed out answers 401 JSON, never a redirect.
  "routes/_portal.deals.check-domain": {
    url: () => "/deals/check-domain?website=example.com",
    get: { ...partnerSide(), anonymous: 401 },
  },
  "routes/_portal.deals.$dealId": {
    url: (w) => `/deals/${w.dealA}`,
    get: partnerAObject,
    post: { body: { intent: "touch" }, expect: { ...refusedForStaff, partnerAdminB: 404 } },
  },
  "routes/_portal.mdf._index": {
    url: () => "/mdf",
    get: partnerAdminOnly,
    post: { body: { title: "X" }, expect: { ...refusedForStaff, partnerUserA: 403 } },
  },
  // Partner A's MDF request: admin B cannot tell it exists; A's sales user is not an admin.
  "routes/_portal.mdf.$id": {
    url: (w) => `/mdf/${w.mdfA}`,
    get: { ...partnerAObject, partnerUserA: 403 },
    post: { body: { amount: "1" }, expect: { ...refusedForStaff, partnerUserA: 403, partnerAdminB: 404 } },
  },
  "routes/_portal.mdf.$id.proof.$fileId": {
    url: (w) => `/mdf/${w.mdfA}/proof/${w.proofA}`,
    get: { ...partnerAObject, partnerUserA: 403 },
  },
  "routes/internal.mdf._index": { url: () => "/internal/mdf", get: staffOnly },
  "routes/internal.mdf.$id": {
    url: (w) => `/internal/mdf/${w.mdfA}`,
    get: staffOnly,
    post: { body: { intent: "approve" }, expect: refusedForPartners },
  },
  "routes/internal.mdf.$id.proof.$fileId": { url: (w) => `/internal/mdf/${w.mdfA}/proof/${w.proofA}`, get: staffOnly },
  "routes/internal.spend": {
    url: () => "/internal/spend",
    get: adminOnly,
    post: { body: { intent: "record" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/_portal.deals[.csv]": { url: () => "/deals.csv", get: partnerSide() },
  "routes/_portal.attribution": { url: () => "/attribution", get: partnerSide() },
  "routes/_portal.tier": { url: () => "/tier", get: partnerSide() },
  "routes/_portal.reports._index": {
    url: () => "/reports",
    get: partnerSide(),
    post: { body: { intent: "preferences", format: "pdf" }, expect: { ...refusedForStaff, partnerUserA: 403 } },
  },
  "routes/_portal.reports.$period": { url: () => `/reports/${lastCompletedPeriod()}`, get: partnerSide() },
  "routes/_portal.reports.$period[.pdf]": { url: () => `/reports/${lastCompletedPeriod()}.pdf`, get: partnerSide() },
  "routes/internal.reports.ecosystem.$period[.pdf]": {
    url: () => `/internal/reports/ecosystem/${lastCompletedPeriod()}.pdf`,
    get: staffOnly,
  },
  "routes/internal.reports": {
    url: () => "/internal/reports",
    get: staffOnly,
    // Send, retry and the bulk retry/discard of failed deliveries are the admins' alone.
    post: { body: { intent: "retry-failed", confirmed: "yes" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/internal._index": { url: () => "/internal", get: staffOnly },
  "routes/internal.ecosystem": {
    url: () => "/internal/ecosystem",
    get: staffOnly,
    post: { body: { intent: "play" }, expect: refusedForPartners },
  },
  "routes/internal.ecosystem[.csv]": { url: () => "/internal/ecosystem.csv", get: staffOnly },
  "routes/internal.metrics": { url: () => "/internal/metrics", get: staffOnly },
  "routes/internal.partners._index": { url: () => "/internal/partners", get: staffOnly },
  "routes/internal.partners.$slug": {
    url: (w) => `/internal/partners/${w.partnerA.slug}`,
    get: staffOnly,
    post: { body: { intent: "suspend" }, expect: refusedForPartners },
  },
  "routes/internal.applications": {
    url: () => "/internal/applications",
    get: staffOnly,
    post: { body: { intent: "approve", id: "1" }, expect: refusedForPartners },
  },
  "routes/internal.team": {
    // Managers see the partner team read-only; inviting, revoking and disabling staff is admins'.
    url: () => "/internal/team",
    get: staffOnly,
    post: { body: { intent: "invite" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/internal.outbox": {
    // Managers read the queue; retrying and discarding emails is admins'.
    url: () => "/internal/outbox",
    get: staffOnly,
    post: { body: { intent: "retry-dead" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/internal.outbox.$id[.eml]": {
    url: () => "/internal/outbox/missing.eml",
    get: { ...staffOnly, manager: 404, admin: 404 },
  },
  "routes/internal.registrations._index": {
    url: () => "/internal/registrations",
    get: staffOnly,
    post: { body: { intent: "bulk-approve" }, expect: refusedForPartners },
  },
  "routes/internal.registrations.$dealId": {
    url: (w) => `/internal/registrations/${w.dealB}`,
    get: staffOnly,
    post: { body: { intent: "approve" }, expect: refusedForPartners },
  },
  "routes/internal.tier-reviews": {
    url: () => "/internal/tier-reviews",
    get: staffOnly,
    post: { body: { intent: "bulk-approve" }, expect: refusedForPartners },
  },
  "routes/internal.settings": {
    url: () => "/internal/settings",
    get: adminOnly,
    post: { body: { intent: "preview" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/internal.settings_.exchange-rates": {
    url: () => "/internal/settings/exchange-rates",
    get: adminOnly,
    post: { body: { intent: "add" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/internal.settings_.api": {
    url: () => "/internal/settings/api",
    get: adminOnly,
    post: { body: { intent: "create-key", name: "x", scopes: "deals:read" }, expect: { ...refusedForPartners, manager: 403 } },
  },
  "routes/_portal.api-keys": {
    url: () => "/api-keys",
    get: partnerAdminOnly,
    post: { body: { intent: "create-key", name: "x", scopes: "deals:read" }, expect: { ...refusedForStaff, partnerUserA: 403 } },
  },
  "routes/internal.settings_.exchange-rates-template[.csv]": { url: () => "/internal/settings/exchange-rates-template.csv", get: adminOnly },
  "routes/internal.imports.outcomes-template[.csv]": { url: () => "/internal/imports/outcomes-template.csv", get: staffOnly },
  "routes/internal.imports.mrr-template[.csv]": { url: () => "/internal/imports/mrr-template.csv", get: staffOnly },
  "routes/internal.imports": {
    url: () => "/internal/imports",
    get: staffOnly,
    post: { body: { intent: "preview" }, expect: refusedForPartners },
  },
};

let server: TestServer;
let fixtures: Fixtures;
const clients = {} as Record<Persona, Client>;
let build: ServerBuild;

beforeAll(async () => {
  server = await startTestServer();
  const world = await createWorld(server.db);
  const customerA = createCustomer(server.db, { name: "Acme Widgets", domain: "acme-widgets.test" });
  const customerB = createCustomer(server.db, { name: "Globex", domain: "globex.test" });
  const dealA = createDeal(server.db, { customerId: customerA.id, partnerId: world.partnerA.id, stage: "submitted" });
  const dealB = createDeal(server.db, { customerId: customerB.id, partnerId: world.partnerB.id, stage: "submitted" });
  // An MDF request of partner A with one proof file on disk.
  const mdfA = server.db
    .insert(mdfRequests)
    .values({ partnerId: world.partnerA.id, activityType: "market", title: "A's webinar", plannedOn: "2030-01-10", quarter: "2030-Q1", amountCents: 100_000, expectedOutcome: "Leads", status: "claimed", claimedCents: 100_000 })
    .returning()
    .get();
  const folder = proofFolder(server.db.$client.name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "matrix-proof.pdf"), "%PDF-1.4\n");
  const proofA = server.db
    .insert(mdfProofFiles)
    .values({ requestId: mdfA.id, partnerId: world.partnerA.id, fileName: "invoice.pdf", contentType: "application/pdf", sizeBytes: 9, storedName: "matrix-proof.pdf" })
    .returning()
    .get();
  fixtures = { ...world, dealA: dealA.id, dealB: dealB.id, mdfA: mdfA.id, proofA: proofA.id };
  build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  const logins: Record<Exclude<Persona, "anonymous">, string> = {
    partnerUserA: world.userA.email,
    partnerAdminB: world.adminB.email,
    manager: world.manager.email,
    admin: world.admin.email,
  };
  clients.anonymous = new Client(server.url);
  for (const [persona, email] of Object.entries(logins)) {
    const client = new Client(server.url);
    await client.signIn(email, TEST_PASSWORD);
    clients[persona as Persona] = client;
  }
});
afterAll(() => server.close());

function describeAnswer(res: Response): Expect {
  if (res.status >= 300 && res.status < 400) {
    return `->${res.headers.get("location") ?? ""}` as Expect;
  }
  return res.status;
}

function matches(actual: Expect, expected: Expect) {
  if (expected === "login") return typeof actual === "string" && /^->\/login\?redirectTo=/.test(actual);
  return actual === expected;
}

describe("access-control matrix", () => {
  it("covers every route in the manifest", () => {
    const ids = Object.keys(build.routes).filter((id) => !LAYOUTS.has(id));
    const missing = ids.filter((id) => !(id in MATRIX));
    expect(missing, `routes without a row in the access matrix: ${missing.join(", ")}`).toEqual([]);
    const stale = Object.keys(MATRIX).filter((id) => !(id in build.routes));
    expect(stale, `matrix rows for routes that no longer exist: ${stale.join(", ")}`).toEqual([]);
  });

  it("answers every GET as designed for every persona", async () => {
    const failures: string[] = [];
    for (const [id, row] of Object.entries(MATRIX)) {
      if (!(id in build.routes)) continue;
      for (const persona of PERSONAS) {
        const res = await clients[persona].get(row.url(fixtures));
        const actual = describeAnswer(res);
        if (!matches(actual, row.get[persona])) {
          failures.push(`GET ${row.url(fixtures)} as ${persona}: expected ${row.get[persona]}, got ${actual}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses POSTs from users who may not act", async () => {
    const failures: string[] = [];
    for (const [id, row] of Object.entries(MATRIX)) {
      if (!row.post || !(id in build.routes)) continue;
      for (const [persona, expected] of Object.entries(row.post.expect) as [Persona, Expect][]) {
        const res = await clients[persona].post(row.url(fixtures), row.post.body ?? {});
        const actual = describeAnswer(res);
        if (!matches(actual, expected)) {
          failures.push(`POST ${row.url(fixtures)} as ${persona}: expected ${expected}, got ${actual}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("never shows partner B's names to partner A on any partner page", async () => {
    const pages = ["/dashboard", "/deals", "/deals.csv", `/deals/${fixtures.dealA}`, "/attribution", "/tier", "/reports", `/reports/${lastCompletedPeriod()}`];
    for (const page of pages) {
      const body = await (await clients.partnerUserA.get(page)).text();
      expect(body, page).not.toContain(fixtures.partnerB.name);
      expect(body, page).not.toContain("globex");
    }
  });
});

// The API (/api/v1, an Express router outside the route manifest): every operation, called with
// no key, with only a staff session cookie, with a program key holding every scope, with one
// lacking this operation's scope, and with partner A's and partner B's partner-scoped keys.
const KEY_PERSONAS = ["noKey", "cookieOnly", "programKey", "missingScope", "partnerKeyA", "partnerKeyB"] as const;
type KeyPersona = (typeof KEY_PERSONAS)[number];
type ApiRow = { method: "GET" | "POST"; url: (f: Fixtures) => string; body?: unknown; expect: Record<KeyPersona, number> };
const unauthenticated = { noKey: 401, cookieOnly: 401 } as const;
const programOnly = (ok: number) => ({ ...unauthenticated, programKey: ok, missingScope: 403, partnerKeyA: 403, partnerKeyB: 403 });
// Empty bodies: authorised callers get the validation answer (400) and nothing is written.
const API_MATRIX: Record<string, ApiRow> = {
  listDeals: { method: "GET", url: () => "/api/v1/deals", expect: { ...unauthenticated, programKey: 200, missingScope: 403, partnerKeyA: 200, partnerKeyB: 200 } },
  getDeal: { method: "GET", url: (f) => `/api/v1/deals/${f.dealA}`, expect: { ...unauthenticated, programKey: 200, missingScope: 403, partnerKeyA: 200, partnerKeyB: 404 } },
  registerDeal: { method: "POST", url: () => "/api/v1/deals", body: {}, expect: { ...unauthenticated, programKey: 400, missingScope: 403, partnerKeyA: 400, partnerKeyB: 400 } },
  recordDealOutcome: { method: "POST", url: (f) => `/api/v1/deals/${f.dealA}/outcome`, body: {}, expect: programOnly(400) },
  recordMrr: { method: "POST", url: () => "/api/v1/mrr", body: {}, expect: programOnly(400) },
  getDealAttribution: { method: "GET", url: (f) => `/api/v1/deals/${f.dealA}/attribution`, expect: { ...unauthenticated, programKey: 200, missingScope: 403, partnerKeyA: 200, partnerKeyB: 404 } },
  listPartners: { method: "GET", url: () => "/api/v1/partners", expect: programOnly(200) },
  getPartner: { method: "GET", url: () => "/api/v1/partners/alpha", expect: programOnly(200) },
  getPartnerTierHistory: { method: "GET", url: () => "/api/v1/partners/alpha/tier-history", expect: programOnly(200) },
  listWebhookEndpoints: { method: "GET", url: () => "/api/v1/webhook-endpoints", expect: programOnly(200) },
  createWebhookEndpoint: { method: "POST", url: () => "/api/v1/webhook-endpoints", body: {}, expect: programOnly(400) },
  getOpenApiDocument: { method: "GET", url: () => "/api/v1/openapi.json", expect: { noKey: 200, cookieOnly: 200, programKey: 200, missingScope: 200, partnerKeyA: 200, partnerKeyB: 200 } },
};

describe("access-control matrix: the API", () => {
  it("covers every documented operation", () => {
    expect(Object.keys(API_MATRIX).sort()).toEqual(operations.map((o) => o.operationId).sort());
  });

  it("answers every operation as designed for every kind of caller", async () => {
    const actor = { id: null, label: "matrix" };
    const all = createApiKey(server.db, actor, { name: "matrix-all", scopes: API_SCOPES }).key;
    const partnerScopes = "deals:read,deals:write,attribution:read";
    const partnerKeyA = createApiKey(server.db, actor, { name: "matrix-a", scopes: partnerScopes, partnerId: fixtures.partnerA.id }).key;
    const partnerKeyB = createApiKey(server.db, actor, { name: "matrix-b", scopes: partnerScopes, partnerId: fixtures.partnerB.id }).key;
    const allBut = Object.fromEntries(
      API_SCOPES.map((s) => [s, createApiKey(server.db, actor, { name: `matrix-no-${s}`, scopes: API_SCOPES.filter((x) => x !== s) }).key]),
    );
    const failures: string[] = [];
    for (const op of operations) {
      const row = API_MATRIX[op.operationId]!;
      for (const persona of KEY_PERSONAS) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        const key = { noKey: null, cookieOnly: null, programKey: all, missingScope: op.scope ? allBut[op.scope]! : all, partnerKeyA, partnerKeyB }[persona];
        if (key) headers.authorization = `Bearer ${key}`;
        const url = row.url(fixtures);
        let res: Response;
        if (persona === "cookieOnly") {
          res = row.method === "GET" ? await clients.admin.get(url) : await clients.admin.post(url, {}, { "content-type": "application/json" });
        } else {
          res = await fetch(server.url + url, { method: row.method, headers, body: row.body === undefined ? undefined : JSON.stringify(row.body) });
        }
        if (res.status !== row.expect[persona]) failures.push(`${row.method} ${url} as ${persona}: expected ${row.expect[persona]}, got ${res.status}`);
        if (res.status >= 400) expect(res.headers.get("content-type"), `${url} ${persona}`).toMatch(/application\/problem\+json/);
        // Partner B's key never learns anything of partner A's deal.
        if (persona === "partnerKeyB") expect(await res.text()).not.toContain("acme-widgets");
      }
    }
    expect(failures).toEqual([]);
  });
});
