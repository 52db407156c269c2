// The attribution page explains itself, through real HTTP against the built server: each model
// in one sentence, the deal table lists credited deals only unless the $0 switch is on (and
// then says why each gives nothing), paging counts the deals listed, and "Other models" says
// how much more or less and why — the same totals on the managers' partner page.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createTouch } from "../../db/factories";
import { programSettings } from "../../db/schema";
import { MODEL_DESCRIPTION } from "../../app/domain/attribution";
import { formatMoney } from "../../app/domain/format";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
const now = Date.now();
const MANY = 30;
let server: TestServer;
let world: World;
let alpha: Client;
let manager: Client;

async function page(client: Client, path: string, status = 200) {
  const res = await client.get(path);
  const html = (await res.text()).replaceAll("<!-- -->", "");
  expect(res.status, `${path}: ${html.slice(0, 300)}`).toBe(status);
  return html;
}

/** Which of the many deals partner A only touched a page lists. */
const manyListed = (html: string) => new Set([...html.matchAll(/customer-many-(\d+)\.test/g)].map((m) => m[1]));

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const { db } = server;
  db.update(programSettings).set({ attributionModel: "sourced" }).where(eq(programSettings.id, 1)).run();
  const A = world.partnerA.id;
  const B = world.partnerB.id;
  const deal = (key: string, registeredBy: number | null, daysAgo: number, amountCents: number, touchList: [number, number][]) => {
    const closedAt = now - daysAgo * DAY;
    const customer = createCustomer(db, { name: `Customer ${key}`, domain: `customer-${key}.test` });
    const d = createDeal(db, {
      customerId: customer.id,
      partnerId: registeredBy,
      stage: "won",
      title: `Deal ${key}`,
      amountCents,
      submittedAt: new Date(closedAt - 120 * DAY),
      closedAt: new Date(closedAt),
    });
    for (const [partnerId, before] of touchList) {
      createTouch(db, { dealId: d.id, partnerId, occurredAt: new Date(closedAt - before * DAY) });
    }
  };
  // Registered by A, nobody touched it: full credit under Sourced, nothing under touch models.
  deal("own", A, 10, 1_000_000, []);
  // Registered by A; B touched first, A last: First touch gives it to B.
  deal("shared", A, 20, 2_000_000, [
    [B, 30],
    [A, 5],
  ]);
  // Touched by A only, registered by B or by nobody: nothing under Sourced.
  deal("direct", null, 25, 300_000, [[A, 8]]);
  for (let i = 0; i < MANY; i++) deal(`many-${String(i).padStart(2, "0")}`, B, 30 + i, 100_000, [[A, 3]]);

  alpha = new Client(server.url);
  await alpha.signIn(world.userA.email, TEST_PASSWORD);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});
afterAll(() => server?.close());

// Under Last touch: the 31 deals A only touched count (+$30,000 + $3,000); the deal A
// registered without touches gives nothing (−$10,000); "shared" stays with A (its touch is last).
const LAST_SENTENCE =
  `Under Last touch you would be credited ${formatMoney(2_000_000 + 300_000 + MANY * 100_000)} (+${formatMoney(2_300_000)}): ` +
  `31 won deals you influenced but did not register count under Last touch, which credits touches (+${formatMoney(3_300_000)}); ` +
  `1 deal you registered without any logged touch gives nothing under Last touch, which credits only touches (−${formatMoney(1_000_000)}).`;

describe("/attribution explains itself", () => {
  it("describes the program's model and lists only the deals that credit the partner", async () => {
    const html = await page(alpha, "/attribution");
    expect(html).toContain(MODEL_DESCRIPTION.sourced);
    expect(html).toContain("Deal own");
    expect(html).toContain("Deal shared");
    expect(html).not.toContain("customer-direct.test");
    expect(manyListed(html).size).toBe(0);
    // The switch is a link (works without JS, reachable by keyboard) and says what it hides.
    expect(html).toMatch(/<a[^>]*href="\/attribution\?zero=show"[^>]*>Show the 31 deals that give you no credit<\/a>/);
    expect(html).not.toContain("Page 1 of");
  });

  it("explains each other model's difference in words counted from the deals", async () => {
    const html = await page(alpha, "/attribution");
    expect(html).toContain(LAST_SENTENCE);
    expect(html).toContain(
      `1 deal you registered gives part of its credit to partners who touched it under First touch (−${formatMoney(2_000_000)})`
    );
    expect(html).toContain(MODEL_DESCRIPTION.last);
  });

  it("shows the $0 deals with the reason when switched on, and pages them", async () => {
    const first = await page(alpha, "/attribution?zero=show");
    expect(first).toContain("You touched it but another partner registered it");
    expect(first).toContain("You touched it but no partner registered it");
    expect(first).toContain("customer-direct.test");
    const link = (html: string, rel: string) => /<a[^>]*>/g[Symbol.match](html)?.find((a) => a.includes(`rel="${rel}"`)) ?? "";
    const next = /href="\/attribution\?zero=show&amp;after=([A-Za-z0-9_-]+)"/.exec(link(first, "next"));
    expect(next, "a link to the older deals").not.toBeNull();
    expect(first).not.toMatch(/rel="prev"/);
    expect(first).toMatch(/<a[^>]*href="\/attribution"[^>]*>Hide the deals that give you no credit<\/a>/);
    const second = await page(alpha, `/attribution?zero=show&after=${next![1]}`);
    expect(second).not.toMatch(/rel="next"/);
    const prev = /href="\/attribution\?zero=show&amp;before=([A-Za-z0-9_-]+)"/.exec(link(second, "prev"));
    expect(prev, "a link back to the newer deals").not.toBeNull();
    // 33 deals listed: 25 on the first page, 8 on the second, none twice.
    const a = manyListed(first);
    const b = manyListed(second);
    const onFirst = a.size + ["Deal own", "Deal shared", "customer-direct.test"].filter((t) => first.includes(t)).length;
    const onSecond = b.size + ["Deal own", "Deal shared", "customer-direct.test"].filter((t) => second.includes(t)).length;
    expect([onFirst, onSecond]).toEqual([25, 8]);
    expect([...a].filter((x) => b.has(x))).toEqual([]);
    expect(a.size + b.size).toBe(MANY);
    // Back from the second page: the first page's deals again.
    const back = await page(alpha, `/attribution?zero=show&before=${prev![1]}`);
    expect(manyListed(back)).toEqual(a);
  });

  it("starts the table over for a cursor it did not write", async () => {
    const first = await page(alpha, "/attribution?zero=show");
    for (const junk of ["x", "1.2.3", "-5.1"]) {
      const html = await page(alpha, `/attribution?zero=show&after=${junk}`);
      expect(manyListed(html)).toEqual(manyListed(first));
    }
  });

  it("gives the managers' partner page the model and every other model's total (from the rollups)", async () => {
    const html = await page(manager, "/internal/partners/alpha");
    expect(html).toContain(MODEL_DESCRIPTION.sourced);
    // The same totals as the partner's sentences; the why is the partner's Attribution page's.
    expect(html).toContain(`Last touch: ${formatMoney(5_300_000)} (32 deals) · ${formatMoney(2_300_000)} more than Sourced`);
  });
});
