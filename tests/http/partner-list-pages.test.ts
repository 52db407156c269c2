// The internal partner list through real HTTP against the built server: bounded pages by name
// whose Next/Previous links show every matching partner exactly once, filters kept in the
// links, and a forged cursor that only starts the list over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartner } from "../../db/factories";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let manager: Client;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  for (let i = 0; i < 110; i++) {
    // Some names repeat: the id breaks the tie.
    createPartner(server.db, { name: `Paged Partner ${String(i % 40).padStart(3, "0")}`, slug: `paged-${i}`, status: i % 5 === 0 ? "suspended" : "active" });
  }
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const slugsOf = (html: string) => [...html.matchAll(/href="\/internal\/partners\/([a-z0-9-]+)"/g)].map((m) => m[1]!);
const link = (html: string, rel: "next" | "prev") => {
  const tag = [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`rel="${rel}"`));
  const href = tag ? /href="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&") : null;
};
const expected = (where = "1 = 1") =>
  (server.db.$client.prepare(`SELECT slug FROM partners WHERE ${where} ORDER BY name, id`).all() as { slug: string }[]).map((r) => r.slug);

async function walk(first: string) {
  const pages: string[][] = [];
  let url: string | null = first;
  let html = "";
  while (url) {
    const res = await manager.get(url);
    expect(res.status).toBe(200);
    html = await res.text();
    pages.push(slugsOf(html));
    url = link(html, "next");
  }
  return { pages, last: html };
}

describe("the partner list", () => {
  it("pages by name through every partner exactly once, 50 at a time, and back", async () => {
    const all = expected();
    const { pages, last } = await walk("/internal/partners");
    expect(pages.every((p) => p.length <= 50)).toBe(true);
    expect(pages.flat()).toEqual(all);
    expect(await (await manager.get("/internal/partners")).text()).toMatch(new RegExp(`${all.length}(<!-- -->)? (<!-- -->)?partners(<!-- -->)? in the program`));
    const back: string[][] = [];
    let prev = link(last, "prev");
    while (prev) {
      const html = await (await manager.get(prev)).text();
      back.unshift(slugsOf(html));
      prev = link(html, "prev");
    }
    expect([...back, pages[pages.length - 1]!]).toEqual(pages);
  });

  it("keeps the filters in the page links", async () => {
    const { pages } = await walk("/internal/partners?status=active&q=paged");
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat()).toEqual(expected(`status = 'active' AND (name LIKE '%paged%' OR slug LIKE '%paged%')`));
  });

  it("starts over on a forged cursor", async () => {
    for (const c of ["after=bm9wZQ", "before=%%%", `after=${Buffer.from('["zzz", "x"]').toString("base64url")}`]) {
      const res = await manager.get(`/internal/partners?${c}`);
      expect(res.status, c).toBe(200);
      expect(slugsOf(await res.text()).slice(0, 3), c).toEqual(expected().slice(0, 3));
    }
  });
});
