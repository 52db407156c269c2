// Webhooks end to end through the real server: a key registers a deal for a partner and records
// it won over the API, staff approve it on the page; a local receiver that answers 500 at first
// gets deal.registered, deal.approved and deal.won once each (the first after a retry), signed
// so that the reference `standardwebhooks` library verifies them. Then the delivery log, a
// replay, and an endpoint disabled after failing for days.
import { eq } from "drizzle-orm";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/api/keys.server";
import { runWebhookDeliveries, WEBHOOK_DISABLE_AFTER_MS } from "../../app/webhooks/drain.server";
import { endpointDeliveries, replayWebhookDelivery, setAllowPrivateWebhookUrls } from "../../app/webhooks/endpoints.server";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

type Received = { headers: Record<string, string>; body: string; answered: number };

let server: TestServer;
let world: World;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
let failFirst = 1;
let key: string;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function until(what: string, check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  key = createApiKey(server.db, { id: null, label: "test" }, { name: "crm", scopes: "deals:read,deals:write,webhooks:manage" }).key;
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const answered = failFirst-- > 0 ? 500 : 204;
      received.push({ headers: req.headers as Record<string, string>, body, answered });
      res.writeHead(answered).end(answered === 500 ? "receiver down" : "");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await server?.close();
});

describe("webhooks end to end", () => {
  let endpointId: number;
  let secret: string;
  let dealId: number;

  it("delivers deal.registered, deal.approved and deal.won once each, signed, after retrying a 500", async () => {
    setAllowPrivateWebhookUrls(server.db, { id: null, label: "test" }, true);
    const endpoint = await api("POST", "/webhook-endpoints", { url: receiverUrl, eventTypes: ["deal.registered", "deal.approved", "deal.won"] });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.json.id;
    secret = endpoint.json.secret;

    const future = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const registered = await api("POST", "/deals", {
      partner: "alpha",
      companyName: "Hook Industries",
      domain: "hook-industries.com",
      contactName: "Hana Hook",
      contactEmail: "hana@hook-industries.com",
      amountCents: 4_200_000,
      currency: "USD",
      expectedCloseOn: future,
      productLine: "Analytics",
    });
    expect(registered.status).toBe(201);
    dealId = registered.json.id;

    // The drain ran after the commit; the receiver answered 500; the row waits for its backoff.
    await until("the first attempt", () => received.length === 1);
    await until("the retry to be scheduled", () => server.db.select().from(webhookDeliveries).get()?.status === "queued");
    const waiting = server.db.select().from(webhookDeliveries).get()!;
    expect(waiting).toMatchObject({ attempts: 1, lastStatusCode: 500 });
    expect(waiting.nextAttemptAt).toBeGreaterThan(Date.now() + 15_000);
    // The scheduler's sweep once the backoff has passed.
    expect(await runWebhookDeliveries({ db: server.db, clock: () => Date.now() + 3_600_000 })).toMatchObject({ delivered: 1 });

    const manager = new Client(server.url);
    await manager.signIn("manager@world.test", TEST_PASSWORD);
    expect((await manager.post(`/internal/registrations/${dealId}`, { intent: "approve" })).status).toBe(200);
    await until("deal.approved", () => received.length === 3);

    const won = await api("POST", `/deals/${dealId}/outcome`, { stage: "won", amountCents: 4_500_000, closedOn: new Date().toISOString().slice(0, 10) });
    expect(won.status).toBe(200);
    await until("deal.won", () => received.length === 4);

    const delivered = received.filter((r) => r.answered === 204);
    const verifier = new Webhook(secret);
    const events = delivered.map((r) => verifier.verify(r.body, r.headers) as { type: string; data: { deal: { id: number; stage: string } } });
    expect(events.map((e) => e.type)).toEqual(["deal.registered", "deal.approved", "deal.won"]);
    expect(events.map((e) => e.data.deal.stage)).toEqual(["submitted", "approved", "won"]);
    expect(events.every((e) => e.data.deal.id === dealId)).toBe(true);
    expect(new Set(delivered.map((r) => r.headers["webhook-id"])).size).toBe(3);
    // The 500 and its retry carried the same webhook-id: the receiver can tell it is one event.
    expect(received[0]!.headers["webhook-id"]).toBe(received[1]!.headers["webhook-id"]);
    expect(received[0]!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    // The partner sees the deal on its pages.
    const partner = new Client(server.url);
    await partner.signIn("sales@alpha.test", TEST_PASSWORD);
    const page = await (await partner.get(`/deals/${dealId}`)).text();
    expect(page).toContain("Hook Industries");
  });

  it("keeps a delivery log with response codes and replays one delivery", async () => {
    const log = endpointDeliveries(server.db, endpointId);
    const first = log.find((d) => d.eventType === "deal.registered")!;
    expect(first.status).toBe("delivered");
    expect(first.attemptLog.map((a) => a.statusCode)).toEqual([204, 500]);
    const before = received.length;
    replayWebhookDelivery(server.db, { id: null, label: "test" }, first.id);
    await runWebhookDeliveries({ db: server.db });
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)!.headers["webhook-id"]).toBe(received[0]!.headers["webhook-id"]);
    expect(endpointDeliveries(server.db, endpointId).find((d) => d.id === first.id)!.attemptLog).toHaveLength(3);
  });

  it("disables an endpoint that has failed for days, and delivers nothing to it", async () => {
    const dead = await api("POST", "/webhook-endpoints", { url: "http://127.0.0.1:9/closed", eventTypes: ["deal.registered"] });
    const reg = await api("POST", "/deals", {
      partner: "beta",
      companyName: "Dead Letter Co",
      domain: "dead-letter.test",
      contactName: "Dee Letter",
      contactEmail: "dee@dead-letter.test",
      amountCents: 100_000,
      currency: "USD",
      expectedCloseOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
      productLine: "Platform",
    });
    expect(reg.status).toBe(201);
    await until("the failed attempt", () => endpointDeliveries(server.db, dead.json.id)[0]?.attempts === 1);
    const endpoint = () => server.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, dead.json.id)).get()!;
    expect(endpoint().failingSince).not.toBeNull();
    expect(endpoint().disabledAt).toBeNull();
    const later = endpoint().failingSince!.getTime() + WEBHOOK_DISABLE_AFTER_MS + 60_000;
    await runWebhookDeliveries({ db: server.db, clock: () => later });
    expect(endpoint().disabledAt).not.toBeNull();
    expect(endpoint().disabledReason).toMatch(/no successful delivery since/);
    expect(endpointDeliveries(server.db, dead.json.id)[0]!.status).toBe("failed");
    // A disabled endpoint is not offered new events.
    expect(server.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, dead.json.id)).all()).toHaveLength(1);
  });
});
