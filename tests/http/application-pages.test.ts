// The partner applications page through real HTTP against the built server: one status at a
// time (the queue by default), 20 a page in keyset order — pending oldest first, approved and
// declined newest decision first — every application exactly once, and back; an unknown
// status or a cursor it did not write starts the queue over.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partnerApplications } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
let server: TestServer;
let world: World;
let manager: Client;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const base = Date.UTC(2026, 5, 1);
  const rows = Array.from({ length: 75 }, (_, i) => {
    const status = i % 3 === 0 ? ("approved" as const) : i % 5 === 0 ? ("declined" as const) : ("pending" as const);
    return {
      companyName: `Paged Applicant ${String(i).padStart(2, "0")}`,
      website: `paged-applicant-${i}.test`,
      kind: "reseller" as const,
      region: "EMEA",
      contactName: `Contact ${i}`,
      contactEmail: `contact-${i}@paged-applicant-${i}.test`,
      status,
      // Pairs share an instant: the id breaks the tie.
      createdAt: new Date(base + Math.floor(i / 2) * DAY),
      decidedAt: status === "pending" ? null : new Date(base + 40 * DAY + Math.floor(i / 2) * DAY),
      decidedBy: status === "pending" ? null : world.manager.id,
      declineReason: status === "declined" ? "Not a fit for the program right now." : null,
    };
  });
  server.db.insert(partnerApplications).values(rows).run();
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const namesOf = (html: string) => [...html.matchAll(/Paged Applicant (\d\d)/g)].map((m) => Number(m[1]));
const link = (html: string, rel: "next" | "prev") => {
  const tag = [...html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`rel="${rel}"`));
  const href = tag ? /href="([^"]*)"/.exec(tag)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&") : null;
};
const expected = (status: string, order: string) =>
  (
    server.db.$client
      .prepare(`SELECT company_name AS name FROM partner_applications WHERE status = ? ORDER BY ${order}`)
      .all(status) as { name: string }[]
  ).map((r) => Number(r.name.slice(-2)));

async function walk(first: string) {
  const pages: number[][] = [];
  let url: string | null = first;
  let html = "";
  while (url) {
    const res = await manager.get(url);
    expect(res.status, url).toBe(200);
    html = await res.text();
    // Each card names its company more than once: count each once, in page order.
    pages.push([...new Set(namesOf(html))]);
    url = link(html, "next");
  }
  return { pages, last: html };
}

describe("the applications page", () => {
  it("pages the queue oldest first, 20 at a time, through every pending application once, and back", async () => {
    const all = expected("pending", "created_at, id");
    expect(all.length).toBe(40);
    const { pages, last } = await walk("/internal/applications");
    expect(pages.map((p) => p.length)).toEqual([20, 20]);
    expect(pages.flat()).toEqual(all);
    const back = await (await manager.get(link(last, "prev")!)).text();
    expect([...new Set(namesOf(back))]).toEqual(pages[0]);
    expect((await (await manager.get("/internal/applications")).text()).replaceAll("<!-- -->", "")).toContain("Waiting for a decision (40)");
  });

  it("filters by status, newest decision first, keeping the status in the page links", async () => {
    for (const status of ["approved", "declined"]) {
      const all = expected(status, "decided_at DESC, id DESC");
      const { pages } = await walk(`/internal/applications?status=${status}`);
      expect(pages.flat(), status).toEqual(all);
      expect(pages.every((p) => p.length <= 20)).toBe(true);
    }
    const first = await (await manager.get("/internal/applications?status=approved")).text();
    expect(link(first, "next")).toMatch(/^\/internal\/applications\?status=approved&after=/);
    expect(first).toContain('<option value="approved" selected="">Approved</option>');
  });

  it("starts the queue over on an unknown status or a cursor it did not write", async () => {
    const firstPage = [...new Set(namesOf(await (await manager.get("/internal/applications")).text()))];
    for (const q of ["status=bogus", "after=not-a-cursor", `before=${Buffer.from('["x",1]').toString("base64url")}`]) {
      const res = await manager.get(`/internal/applications?${q}`);
      expect(res.status, q).toBe(200);
      expect([...new Set(namesOf(await res.text()))], q).toEqual(firstPage);
    }
  });
});
