// The webhook delivery log on Settings → API through real HTTP against the built server: each
// endpoint's log 10 a page, newest first, in keyset pages whose links show every delivery
// exactly once and back; paging one endpoint leaves the others at their newest, and a cursor
// it did not write starts the log over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

let server: TestServer;
let admin: Client;
const ids: Record<"a" | "b", number[]> = { a: [], b: [] };
const endpointIds: Record<"a" | "b", number> = { a: 0, b: 0 };

beforeAll(async () => {
  server = await startTestServer();
  const world = await createWorld(server.db);
  const now = Date.now();
  for (const key of ["a", "b"] as const) {
    endpointIds[key] = server.db
      .insert(webhookEndpoints)
      .values({ url: `https://hooks-${key}.example/in`, secret: `whsec_${key}`, eventTypes: ["deal.registered"], createdAt: new Date(now) })
      .returning({ id: webhookEndpoints.id })
      .get().id;
  }
  // Interleaved: A's 25 deliveries and B's 3 share one id sequence.
  for (let i = 0; i < 28; i++) {
    const key = i % 9 === 4 ? "b" : "a";
    const row = server.db
      .insert(webhookDeliveries)
      .values({
        endpointId: endpointIds[key],
        eventId: `msg_${key}_${String(i).padStart(2, "0")}`,
        eventType: "deal.registered",
        payload: "{}",
        status: "delivered",
        createdAt: new Date(now - (28 - i) * 60_000),
      })
      .returning({ id: webhookDeliveries.id })
      .get();
    ids[key].push(row.id);
  }
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
});
afterAll(() => server.close());

// Each delivery names its event more than once (cell, replay label): each once, in page order.
const eventsOf = (html: string, key: "a" | "b") => [...new Set([...html.matchAll(new RegExp(`msg_${key}_(\\d\\d)`, "g"))].map((m) => m[0]))];
const link = (html: string, rel: "next" | "prev") => {
  const tag = [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`rel="${rel}"`));
  const href = tag ? /href="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&").replace(/#.*$/, "") : null;
};
const expected = (key: "a" | "b") =>
  (
    server.db.$client.prepare(`SELECT event_id FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC`).all(endpointIds[key]) as { event_id: string }[]
  ).map((r) => r.event_id);

describe("the webhook delivery log", () => {
  it("pages one endpoint's deliveries newest first, 10 at a time, every one once, and back; the other endpoint stays at its newest", async () => {
    expect(ids.a).toHaveLength(25);
    const pages: string[][] = [];
    let url: string | null = "/internal/settings/api";
    let html = "";
    while (url) {
      const res = await admin.get(url.startsWith("?") ? `/internal/settings/api${url}` : url);
      expect(res.status, url).toBe(200);
      html = await res.text();
      pages.push(eventsOf(html, "a"));
      // B's short log is on every page, whole.
      expect(eventsOf(html, "b")).toEqual(expected("b"));
      url = link(html, "next");
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(expected("a"));
    const prev = link(html, "prev")!;
    expect(prev).toMatch(new RegExp(`^/internal/settings/api\\?endpoint=${endpointIds.a}&before=`));
    const back = await (await admin.get(prev)).text();
    expect(eventsOf(back, "a")).toEqual(pages[1]);
  });

  it("starts the log over on a cursor it did not write", async () => {
    const first = eventsOf(await (await admin.get("/internal/settings/api")).text(), "a");
    for (const q of [`endpoint=${endpointIds.a}&after=nonsense`, `endpoint=${endpointIds.a}&before=${Buffer.from('["x"]').toString("base64url")}`, "endpoint=abc&after=1"]) {
      const res = await admin.get(`/internal/settings/api?${q}`);
      expect(res.status, q).toBe(200);
      expect(eventsOf(await res.text(), "a"), q).toEqual(first);
    }
  });
});
