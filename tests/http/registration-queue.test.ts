// The registration queue through real HTTP against the built server: a bounded page, Next and
// Previous links (plain links: no JavaScript needed) that together show every waiting
// registration exactly once, filters kept in the URL, a forged cursor that only starts over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeal, createPartner } from "../../db/factories";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
let server: TestServer;
let world: World;
let manager: Client;
let waiting: number[];

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const unmanaged = createPartner(server.db, { name: "Nobody's Partner" });
  const now = Date.now();
  for (let i = 0; i < 120; i++) {
    createDeal(server.db, {
      partnerId: i % 4 === 0 ? unmanaged.id : world.partnerA.id,
      stage: "submitted",
      submittedAt: new Date(now - (10 * DAY * (120 - Math.floor(i / 3))) / 120),
    });
  }
  waiting = (
    server.db.$client.prepare(`SELECT id FROM deals WHERE stage = 'submitted' ORDER BY submitted_at, id`).all() as { id: number }[]
  ).map((r) => r.id);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const idsOf = (html: string) => [...html.matchAll(/href="\/internal\/registrations\/(\d+)"/g)].map((m) => Number(m[1]));
const link = (html: string, rel: "next" | "prev") => {
  const tag = [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`rel="${rel}"`));
  const href = tag ? /href="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&") : null;
};

async function walk(first: string) {
  const pages: number[][] = [];
  let url: string | null = first;
  let html = "";
  while (url) {
    const res = await manager.get(url);
    expect(res.status).toBe(200);
    html = await res.text();
    pages.push(idsOf(html));
    url = link(html, "next");
  }
  return { pages, last: html };
}

describe("the registration queue", () => {
  it("shows a bounded page and links through every waiting registration exactly once, and back", async () => {
    const { pages, last } = await walk("/internal/registrations");
    expect(pages.length).toBe(Math.ceil(waiting.length / 50));
    expect(pages.every((p) => p.length <= 50)).toBe(true);
    expect(pages.flat()).toEqual(waiting);
    const firstHtml = await (await manager.get("/internal/registrations")).text();
    expect(firstHtml).toContain(`Waiting (${waiting.length})`);
    expect(link(firstHtml, "prev")).toBeNull();
    // Previous links from the last page lead back over the same pages.
    const back: number[][] = [];
    let html = last;
    let prev = link(html, "prev");
    while (prev) {
      html = await (await manager.get(prev)).text();
      back.unshift(idsOf(html));
      prev = link(html, "prev");
    }
    expect([...back, pages[pages.length - 1]!]).toEqual(pages);
  });

  it("keeps the filters in the page links: my partners only, waiting at least 7 days", async () => {
    const mine = (await walk("/internal/registrations?mine=1")).pages.flat();
    const managed = new Set(
      (
        server.db.$client
          .prepare(`SELECT d.id FROM deals d JOIN partners p ON p.id = d.partner_id WHERE d.stage = 'submitted' AND p.manager_id = ?`)
          .all(world.manager.id) as { id: number }[]
      ).map((r) => r.id),
    );
    expect(mine).toEqual(waiting.filter((id) => managed.has(id)));
    expect(mine.length).toBeLessThan(waiting.length);
    const old = (await walk("/internal/registrations?age=7")).pages.flat();
    const cutoff = Date.now() - 7 * DAY;
    const submitted = new Map(
      (server.db.$client.prepare(`SELECT id, submitted_at AS at FROM deals WHERE stage = 'submitted'`).all() as { id: number; at: number }[]).map(
        (r) => [r.id, r.at],
      ),
    );
    expect(old).toEqual(waiting.filter((id) => submitted.get(id)! <= cutoff));
    expect(old.length).toBeGreaterThan(0);
    expect(old.length).toBeLessThan(waiting.length);
  });

  it("starts over on a forged or malformed cursor, never errs", async () => {
    for (const q of ["after=abc", "before=1.2.3", "after=abc&age=bogus", "conflicts=yes"]) {
      const res = await manager.get(`/internal/registrations?${q}`);
      expect(res.status, q).toBe(200);
      const ids = idsOf(await res.text());
      expect(ids.length, q).toBeGreaterThan(0);
    }
    const res = await manager.get(`/internal/registrations?after=abc`);
    expect(idsOf(await res.text())[0]).toBe(waiting[0]);
    // Past the end: an empty page whose Previous link leads to the last rows.
    const past = await (await manager.get(`/internal/registrations?after=99999999999999.1`)).text();
    expect(idsOf(past)).toEqual([]);
    const back = await (await manager.get(link(past, "prev")!)).text();
    expect(idsOf(back)).toEqual(waiting.slice(-50));
  });
});
