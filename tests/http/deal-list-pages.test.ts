// The partner's deal list through real HTTP against the built server: keyset pages (newest
// submission first) whose Next/Previous links show every matching deal exactly once, filters
// kept in the links, and cursors — garbage, or forged from another partner's deal — that never
// show anything but the partner's own deals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { encodeDealCursor } from "../../app/domain/partner-deals.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
let server: TestServer;
let world: World;
let alpha: Client;
const betaDeals: { id: number; submittedAt: Date }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const base = Date.UTC(2026, 0, 1, 12);
  // Alpha's and Beta's deals interleaved in time; some of Alpha's share a submission instant (the id breaks the tie).
  for (let i = 0; i < 60; i++) {
    const mine = i % 3 !== 0;
    const customer = createCustomer(server.db, { name: `Paged ${i}`, domain: `paged-${i}.test` });
    const deal = createDeal(server.db, {
      customerId: customer.id,
      partnerId: mine ? world.partnerA.id : world.partnerB.id,
      title: mine ? `Alpha Paged Deal ${i}` : `Beta Secret Deal ${i}`,
      stage: i % 4 === 0 ? "approved" : "submitted",
      submittedAt: new Date(base + Math.floor(i / 2) * DAY),
    });
    if (!mine) betaDeals.push({ id: deal.id, submittedAt: new Date(base + Math.floor(i / 2) * DAY) });
  }
  alpha = new Client(server.url);
  await alpha.signIn(world.userA.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const idsOf = (html: string) => [...html.matchAll(/href="\/deals\/(\d+)"/g)].map((m) => Number(m[1]));
const link = (html: string, rel: "next" | "prev") => {
  const tag = [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`rel="${rel}"`));
  const href = tag ? /href="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&") : null;
};
const expected = (where = "1 = 1") =>
  (
    server.db.$client
      .prepare(`SELECT id FROM deals WHERE partner_id = ? AND ${where} ORDER BY submitted_at DESC, id DESC`)
      .all(world.partnerA.id) as { id: number }[]
  ).map((r) => r.id);

async function walk(first: string) {
  const pages: number[][] = [];
  let url: string | null = first;
  let html = "";
  while (url) {
    const res = await alpha.get(url);
    expect(res.status, url).toBe(200);
    html = await res.text();
    pages.push(idsOf(html));
    url = link(html, "next");
  }
  return { pages, last: html };
}

describe("the partner's deal list", () => {
  it("pages newest first through every own deal exactly once, 25 at a time, and back", async () => {
    const all = expected();
    expect(all).toHaveLength(40);
    const { pages, last } = await walk("/deals");
    expect(pages.map((p) => p.length)).toEqual([25, 15]);
    expect(pages.flat()).toEqual(all);
    expect(last).not.toContain("Beta Secret");
    const back = await (await alpha.get(link(last, "prev")!)).text();
    expect(idsOf(back)).toEqual(pages[0]);
    expect(link(back, "prev")).toBeNull();
    expect((await (await alpha.get("/deals")).text()).replaceAll("<!-- -->", "")).toContain("40 deals");
  });

  it("keeps the filters in the page links", async () => {
    const submitted = expected(`stage = 'submitted'`);
    const { pages } = await walk("/deals?stage=submitted");
    expect(pages.flat()).toEqual(submitted);
    expect(pages.length).toBeGreaterThan(1);
    const first = await (await alpha.get("/deals?stage=submitted")).text();
    expect(link(first, "next")).toMatch(/^\/deals\?stage=submitted&after=/);
  });

  it("never shows another partner's deal, whatever the cursor", async () => {
    const own = new Set(expected());
    let shown = 0;
    for (const b of betaDeals) {
      for (const dir of ["after", "before"]) {
        const cursor = encodeDealCursor({ submittedAt: b.submittedAt.getTime(), id: b.id });
        const res = await alpha.get(`/deals?${dir}=${cursor}`);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).not.toContain("Beta Secret");
        const ids = idsOf(html);
        expect(ids.every((id) => own.has(id))).toBe(true);
        shown += ids.length;
      }
    }
    // The cursors did position the list (only past the oldest deal is there nothing to show).
    expect(shown).toBeGreaterThan(betaDeals.length * 10);
  });

  it("starts over on a cursor it did not write, and on an old page number", async () => {
    const firstPage = idsOf(await (await alpha.get("/deals")).text());
    for (const q of ["after=not-a-cursor", "before=%22%22", `after=${Buffer.from('["x",1]').toString("base64url")}`, "page=3"]) {
      const res = await alpha.get(`/deals?${q}`);
      expect(res.status, q).toBe(200);
      expect(idsOf(await res.text()), q).toEqual(firstPage);
    }
  });
});
