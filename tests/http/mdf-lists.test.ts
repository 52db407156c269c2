// The MDF lists through the real server, 50 a page (keyset, decision 0019): the partner's /mdf
// and the staff's /internal/mdf page forward and back with the status filter kept in the URL,
// and no cursor — forged, out of range or garbage — ever shows another partner's MDF rows;
// the recorded spend on /internal/spend pages the same way, newest month first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeMdfCursor } from "../../app/domain/mdf.server";
import { mdfRequests, programSpend, SPEND_CATEGORIES } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
const c = {} as Record<"adminA" | "manager" | "admin", Client>;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const row = (partnerId: number, title: string, status: "requested" | "approved" | "paid") => ({
    partnerId,
    activityType: "market" as const,
    title,
    plannedOn: "2026-05-20",
    quarter: "2026-Q2",
    amountCents: 10_000,
    expectedOutcome: "leads",
    status,
    paidCents: status === "paid" ? 10_000 : null,
    claimedCents: status === "paid" ? 10_000 : null,
  });
  // Beta's rows interleave with Alpha's ids, so a cursor between them would show them if the
  // partner were not in the WHERE clause.
  for (let i = 1; i <= 60; i++) {
    server.db.insert(mdfRequests).values(row(world.partnerA.id, `Alpha activity ${String(i).padStart(2, "0")}`, i % 3 === 0 ? "paid" : "approved")).run();
    if (i % 10 === 0) server.db.insert(mdfRequests).values(row(world.partnerB.id, `Beta secret ${i}`, "requested")).run();
  }
  // 14 months × 5 categories of spend: 70 rows.
  for (let m = 0; m < 14; m++) {
    const month = `${2025 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
    for (const category of SPEND_CATEGORIES) server.db.insert(programSpend).values({ month, category, amountCents: 100_000 + m, note: "" }).run();
  }
  for (const [who, email] of [["adminA", world.adminA.email], ["manager", world.manager.email], ["admin", world.admin.email]] as const) {
    c[who] = new Client(server.url);
    await c[who].signIn(email, TEST_PASSWORD);
  }
});
afterAll(() => server.close());

const titles = (html: string) => [...html.matchAll(/>((?:Alpha activity|Beta secret) \d+)</g)].map((m) => m[1]!);
const link = (html: string, rel: "next" | "prev") => {
  const a = new RegExp(`<a [^>]*rel="${rel}"[^>]*>`).exec(html)?.[0];
  const href = a ? /href="([^"]+)"/.exec(a)?.[1] : undefined;
  return href ? href.replace(/&amp;/g, "&") : null;
};

describe("the partner's MDF list", () => {
  it("shows 50 a page, newest first, and pages forward and back", async () => {
    const first = await (await c.adminA.get("/mdf")).text();
    const page1 = titles(first);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toBe("Alpha activity 60");
    expect(page1.some((t) => t.startsWith("Beta"))).toBe(false);
    const next = link(first, "next")!;
    expect(next).toMatch(/^\/mdf\?after=/);
    const second = await (await c.adminA.get(next)).text();
    expect(titles(second)).toEqual(Array.from({ length: 10 }, (_, i) => `Alpha activity ${String(10 - i).padStart(2, "0")}`));
    expect(link(second, "next")).toBeNull();
    const back = await (await c.adminA.get(link(second, "prev")!)).text();
    expect(titles(back)).toEqual(page1);
  });

  it("keeps the status filter in the URL and its pages", async () => {
    const paid = await (await c.adminA.get("/mdf?status=paid")).text();
    expect(titles(paid)).toHaveLength(20);
    expect(paid).toContain('<option value="paid" selected="">');
    // An unknown status is no filter, not an error.
    expect((await c.adminA.get("/mdf?status=bogus")).status).toBe(200);
  });

  it("never shows another partner's rows, whatever cursor is forged", async () => {
    const betaIds = server.db.select({ id: mdfRequests.id, partnerId: mdfRequests.partnerId }).from(mdfRequests).all().filter((r) => r.partnerId === world.partnerB.id).map((r) => r.id);
    const cursors = [
      ...betaIds.flatMap((id) => [encodeMdfCursor({ rank: 0, id: id + 1 }), encodeMdfCursor({ rank: 0, id: id - 1 })]),
      encodeMdfCursor({ rank: -1, id: 1 }),
      encodeMdfCursor({ rank: 5, id: 1_000_000 }),
      Buffer.from(JSON.stringify([0, "1) OR 1=1 --"])).toString("base64url"),
      "not-a-cursor",
    ];
    for (const cursor of cursors) {
      for (const dir of ["after", "before"]) {
        const res = await c.adminA.get(`/mdf?${dir}=${encodeURIComponent(cursor)}`);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).not.toContain("Beta secret");
        expect(titles(html).every((t) => t.startsWith("Alpha"))).toBe(true);
      }
    }
  });
});

describe("the staff MDF list", () => {
  it("puts what waits for a decision first, pages by 50 and filters by status in the URL", async () => {
    const first = await (await c.manager.get("/internal/mdf")).text();
    const page1 = titles(first);
    expect(page1).toHaveLength(50);
    // Beta's six requests wait for a decision: first, newest first.
    expect(page1.slice(0, 6)).toEqual(["Beta secret 60", "Beta secret 50", "Beta secret 40", "Beta secret 30", "Beta secret 20", "Beta secret 10"]);
    const second = await (await c.manager.get(link(first, "next")!)).text();
    expect(titles(second)).toHaveLength(16);
    expect(new Set([...page1, ...titles(second)]).size).toBe(66);
    const requested = await (await c.manager.get("/internal/mdf?status=requested")).text();
    expect(titles(requested)).toHaveLength(6);
    expect(link(requested, "next")).toBeNull();
  });
});

describe("the recorded spend", () => {
  const spendRows = (html: string) => [...html.matchAll(/<tr><td>(\d{4}-\d{2})<\/td><td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);

  it("shows 50 a page, newest month first, with the category filter in the URL", async () => {
    const first = await (await c.admin.get("/internal/spend")).text();
    const page1 = spendRows(first);
    expect(page1).toHaveLength(50);
    expect(page1[0]).toMatch(/^2026-02 /);
    const second = await (await c.admin.get(link(first, "next")!)).text();
    const page2 = spendRows(second);
    expect(page2).toHaveLength(20);
    expect(page2[page2.length - 1]).toMatch(/^2025-01 /);
    expect(new Set([...page1, ...page2]).size).toBe(70);
    expect(spendRows(await (await c.admin.get(link(second, "prev")!)).text())).toEqual(page1);

    const tools = await (await c.admin.get("/internal/spend?category=tools")).text();
    expect(spendRows(tools)).toHaveLength(14);
    expect(link(tools, "next")).toBeNull();
    expect((await c.admin.get("/internal/spend?category=nope&after=garbage")).status).toBe(200);
  });
});
