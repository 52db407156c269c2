// The managers' partner page through real HTTP against the built server: the one place to
// prepare a partner call. Its credited revenue is the partner's own attribution page's (the
// two pages are fetched and compared), and it shows deals by stage (with the stage's deals),
// tier history, report deliveries, users and the long-tail placement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, createUser } from "../../db/factories";
import { eq } from "drizzle-orm";
import { programSettings, reportDeliveries, tierReviews, tiers } from "../../db/schema";
import { formatMoney } from "../../app/domain/format";
import { addMonths, lastCompletedPeriod, periodOf, shortPeriodLabel } from "../../app/domain/periods";
import { snapshotOf } from "../../app/domain/tier-snapshot";
import { TEST_PASSWORD, testPasswordHash } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
const now = Date.now();
let server: TestServer;
let world: World;
let manager: Client;
let partnerAdmin: Client;
const wonIds: number[] = [];
const lastPeriod = lastCompletedPeriod(new Date(now));

/** The page's HTML without the comments React puts between adjacent text nodes. */
async function page(client: Client, pathname: string) {
  return (await (await client.get(pathname)).text()).replaceAll("<!-- -->", "");
}

/** The text of the element carrying `data-figure="<name>"` (the partner page) or after `id="<id>"` (attribution). */
const figure = (html: string, marker: RegExp) => html.match(marker)?.[1]?.trim() ?? null;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const { db } = server;
  // Linear: the deal it only touched credits it half, so the influenced share is not zero.
  db.update(programSettings).set({ attributionModel: "linear" }).where(eq(programSettings.id, 1)).run();
  const harbor = createPartner(db, { name: "Harbor Systems", slug: "harbor", managerId: world.manager.id });
  createUser(db, {
    email: "pat@harbor.test",
    name: "Pat Harbor",
    role: "partner_admin",
    partnerId: harbor.id,
    passwordHash: await testPasswordHash(),
  });
  const deal = (title: string, stage: "won" | "lost" | "submitted", partnerId: number | null, closedAt: number | null, amountCents: number) => {
    const customer = createCustomer(db, { name: `${title} Inc`, domain: `${title.toLowerCase().replace(/\W+/g, "-")}.test` });
    return createDeal(db, {
      customerId: customer.id,
      partnerId,
      stage,
      title,
      amountCents,
      submittedAt: new Date((closedAt ?? now) - 90 * DAY),
      closedAt: closedAt === null ? null : new Date(closedAt),
    });
  };
  // Two wins it registered, one win of partner A's it only touched, a loss and an open one.
  const w1 = deal("Harbor Fleet Rollout", "won", harbor.id, now - 40 * DAY, 2_400_000);
  createTouch(db, { dealId: w1.id, partnerId: harbor.id, occurredAt: new Date(now - 60 * DAY) });
  const w2 = deal("Harbor Dock Upgrade", "won", harbor.id, now - 200 * DAY, 1_100_000);
  createTouch(db, { dealId: w2.id, partnerId: harbor.id, occurredAt: new Date(now - 230 * DAY) });
  wonIds.push(w1.id, w2.id);
  const helped = deal("Alpha Pier Project", "won", world.partnerA.id, now - 20 * DAY, 5_000_000);
  createTouch(db, { dealId: helped.id, partnerId: world.partnerA.id, occurredAt: new Date(now - 50 * DAY) });
  createTouch(db, { dealId: helped.id, partnerId: harbor.id, occurredAt: new Date(now - 30 * DAY) });
  deal("Harbor Lost Bid", "lost", harbor.id, now - 100 * DAY, 700_000);
  deal("Harbor New Lead", "submitted", harbor.id, null, 300_000);
  deal("Harbor Ancient Win", "won", harbor.id, now - 500 * DAY, 9_900_000); // outside the 12 months

  const ladder = db.select().from(tiers).all();
  const [lowest, second] = [...ladder].sort((a, b) => a.rank - b.rank);
  const m = { revenueCents: 3_500_000, wonDeals: 2, closedDeals: 3, winRateBp: 6667 };
  db.insert(tierReviews)
    .values({
      partnerId: harbor.id,
      period: addMonths(lastPeriod, -2),
      fromTierId: lowest.id,
      toTierId: second.id,
      direction: "upgrade",
      metrics: snapshotOf(lowest, second, m, "linear", { from: new Date(now - 400 * DAY), to: new Date(now - 35 * DAY) }),
      status: "rejected",
      reviewerId: world.manager.id,
      note: "Wait for the Q3 pipeline",
      decidedAt: new Date(now - 30 * DAY),
    })
    .run();
  db.insert(reportDeliveries)
    .values([
      { partnerId: harbor.id, period: lastPeriod, kind: "monthly", status: "failed", attempts: 6, error: "SMTP 550 mailbox unavailable" },
      { partnerId: harbor.id, period: addMonths(lastPeriod, -1), kind: "monthly", status: "sent", attempts: 1, sentAt: new Date(now - 25 * DAY) },
      // Another partner's delivery never shows here.
      { partnerId: world.partnerA.id, period: lastPeriod, kind: "monthly", status: "failed", attempts: 6, error: "Alpha only error" },
    ])
    .run();

  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
  partnerAdmin = new Client(server.url);
  await partnerAdmin.signIn("pat@harbor.test", TEST_PASSWORD);
});

afterAll(async () => {
  await server?.close();
});

describe("the managers' partner page", () => {
  it("shows the same trailing-12-month credited revenue, sourced and influenced as the partner's attribution page", async () => {
    const own = await page(partnerAdmin, "/attribution");
    const ownCredited = figure(own, /id="kpi-credited"[\s\S]*?class="value">([^<]+)</);
    const ownSourced = figure(own, /id="kpi-sourced"[\s\S]*?class="value">([^<]+)</);
    const ownInfluenced = figure(own, /id="kpi-influenced"[\s\S]*?class="value">([^<]+)</);
    expect(ownCredited).not.toBeNull();

    expect((await manager.get("/internal/partners/harbor")).status).toBe(200);
    const html = await page(manager, "/internal/partners/harbor");
    expect(html).toContain("Credited revenue · Trailing 12 months");
    expect(figure(html, /data-figure="credited">([^<]+)</)).toBe(ownCredited);
    expect(figure(html, /data-figure="sourced">([^<]+)</)).toBe(ownSourced);
    expect(figure(html, /data-figure="influenced">([^<]+)</)).toBe(ownInfluenced);
    // Its two registered wins in the window are wholly its own; the ancient one is outside.
    expect(ownSourced).toBe(formatMoney(3_500_000));
    expect(ownInfluenced).toBe(formatMoney(2_500_000));
    expect(ownCredited).toBe(formatMoney(6_000_000));

    // The monthly chart is an image with a summary, and its figures are in a table too.
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-label="Bar chart of credited revenue per month under the [^"]+ model/);
    const fleetMonth = shortPeriodLabel(periodOf(now - 40 * DAY));
    expect(html).toMatch(new RegExp(`<td>${fleetMonth}(<[^>]*>[^<]*</span>)?</td><td class="num">\\$[\\d,]+`));
  });

  it("shows deals by stage with counts and lists a stage's deals linking to their registration pages", async () => {
    const html = await page(manager, "/internal/partners/harbor");
    const count = (stage: string) => html.match(new RegExp(`data-stage="${stage}"[\\s\\S]*?</span>(\\d+)</td>`))?.[1];
    expect(count("won")).toBe("3");
    expect(count("lost")).toBe("1");
    expect(count("submitted")).toBe("1");
    expect(count("expired")).toBe("0");
    expect(html).toContain('href="/internal/partners/harbor?stage=won#deals"');

    const won = await page(manager, "/internal/partners/harbor?stage=won");
    for (const id of wonIds) expect(won).toContain(`href="/internal/registrations/${id}"`);
    expect(won).toContain("Harbor Fleet Rollout");
    expect(won).not.toContain("Harbor Lost Bid");

    const bad = await page(manager, "/internal/partners/harbor?stage=bogus");
    expect(bad).toMatch(/is not a stage: choose one of submitted/);
  });

  it("shows tier history, the latest report deliveries with their errors, users and the long-tail placement", async () => {
    const html = await page(manager, "/internal/partners/harbor");
    expect(html).toContain('id="tier-history-heading"');
    expect(html).toMatch(/Upgrade Registered → Silver: rejected/);
    expect(html).toContain("Wait for the Q3 pipeline");
    expect(html).toContain("Deals won · trailing 12 months: 2");

    expect(html).toContain(`data-delivery="${lastPeriod}"`);
    expect(html).toContain("SMTP 550 mailbox unavailable");
    expect(html).toMatch(new RegExp(`data-delivery="${addMonths(lastPeriod, -1)}"[\\s\\S]*?Sent`));
    expect(html).not.toContain("Alpha only error");

    expect(html).toContain("Pat Harbor");
    expect(html).toContain("pat@harbor.test");
    expect(html).toMatch(/In the head \(rank \d+\)|In the long tail \(rank \d+\)/);
  });

  it("is for the partner team only", async () => {
    const res = await partnerAdmin.get("/internal/partners/harbor");
    expect([403, 404]).toContain(res.status);
    const html = await res.text();
    expect(html).not.toContain("SMTP 550 mailbox unavailable");
  });
});
