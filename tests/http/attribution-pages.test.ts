// The partner's attribution, tier and dashboard pages through real HTTP against the built
// server: the figures on the pages are the engine's (recomputed here from the rows the test
// inserted), and nothing on partner A's pages names partner B.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createTouch } from "../../db/factories";
import { partners, programSettings, tierEvaluations, tierReviews, tiers, type AttributionModel } from "../../db/schema";
import { creditDeal, MODEL_LABEL, MODELS, type CreditDeal } from "../../app/domain/attribution";
import { formatMoney } from "../../app/domain/format";
import { snapshotFigures, snapshotOf } from "../../app/domain/tier-snapshot";
import { addMonths, lastCompletedPeriod, periodEnd } from "../../app/domain/periods";
import { tierMetricsForPartner } from "../../app/domain/tier-metrics.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
const MODEL: AttributionModel = "position";

let server: TestServer;
let world: World;
let alpha: Client;
let beta: Client;
const rows: (CreditDeal & { key: string; title: string })[] = [];
let gold: { id: number; name: string };
let silver: { id: number; name: string };
let historyFigures: string[];

function addDeal(
  key: string,
  registeredBy: number | null,
  closedAt: number,
  amountCents: number,
  touchList: [number, number][]
) {
  const customer = createCustomer(server.db, { name: `Customer ${key}`, domain: `customer-${key}.test` });
  const deal = createDeal(server.db, {
    customerId: customer.id,
    partnerId: registeredBy,
    stage: "won",
    title: `Deal ${key}`,
    amountCents,
    submittedAt: new Date(closedAt - 120 * DAY),
    closedAt: new Date(closedAt),
  });
  const row = {
    key,
    title: deal.title,
    partnerId: registeredBy,
    amountCents,
    closedAt,
    touches: [] as CreditDeal["touches"],
  };
  for (const [partnerId, at] of touchList) {
    const t = createTouch(server.db, { dealId: deal.id, partnerId, occurredAt: new Date(at) });
    row.touches.push({ id: t.id, partnerId, occurredAt: at });
  }
  rows.push(row);
}

/** Partner A's credit under `model` over the inserted deals accepted by `include`, by the pure engine. */
function engine(model: AttributionModel, include: (r: (typeof rows)[number]) => boolean) {
  return rows
    .filter(include)
    .reduce((sum, r) => sum + (creditDeal(r, model).find((c) => c.partnerId === world.partnerA.id)?.cents ?? 0), 0);
}

const now = Date.now();
const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
const thisMonthClose = Math.max(monthStart, now - 60_000);
const ttmFrom = Date.UTC(new Date(now).getUTCFullYear() - 1, new Date(now).getUTCMonth(), new Date(now).getUTCDate());
const inTtm = (r: { closedAt: number }) => r.closedAt >= ttmFrom;
const inThisMonth = (r: { closedAt: number }) => r.closedAt >= monthStart;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const { db } = server;
  db.update(programSettings).set({ attributionModel: MODEL }).where(eq(programSettings.id, 1)).run();
  const A = world.partnerA.id;
  const B = world.partnerB.id;
  addDeal("alpha-this-month", A, thisMonthClose, 3_012_345, [
    [A, thisMonthClose - 30 * DAY],
    [B, thisMonthClose - 10 * DAY],
    [A, thisMonthClose - 2 * DAY],
  ]);
  addDeal("alpha-spring", A, now - 45 * DAY, 2_500_000, [[A, now - 60 * DAY]]);
  addDeal("beta-helped", B, now - 70 * DAY, 4_000_000, [
    [B, now - 90 * DAY],
    [A, now - 80 * DAY],
    [B, now - 75 * DAY],
  ]);
  addDeal("direct-shared", null, now - 100 * DAY, 1_234_567, [
    [A, now - 130 * DAY],
    [B, now - 110 * DAY],
  ]);
  addDeal("alpha-old", A, now - 500 * DAY, 7_777_777, []);
  addDeal("globex-secret", B, now - 30 * DAY, 9_999_999, [[B, now - 40 * DAY]]);

  // A sits on Gold but its figures are below it: warned at the last month-end evaluation.
  const ladder = db.select().from(tiers).all();
  gold = ladder.find((t) => t.name === "Gold")!;
  silver = ladder.find((t) => t.name === "Silver")!;
  db.update(partners).set({ tierId: gold.id }).where(eq(partners.id, A)).run();
  const period = lastCompletedPeriod(new Date(now));
  const asOf = periodEnd(period);
  const metrics = tierMetricsForPartner(db, A, asOf);
  const goldRule = ladder.find((t) => t.id === gold.id)!;
  const silverRule = ladder.find((t) => t.id === silver.id)!;
  const window = { from: new Date(asOf.getTime() - 365 * DAY), to: asOf };
  db.insert(tierEvaluations)
    .values({
      partnerId: A,
      period,
      currentTierId: gold.id,
      qualifyingTierId: silver.id,
      outcome: "warn_downgrade",
      metrics: snapshotOf(goldRule, silverRule, metrics, MODEL, window),
    })
    .run();
  // And it got to Gold through an approved review half a year ago.
  const upgradeMetrics = { revenueCents: 26_000_000, wonDeals: 11, closedDeals: 12, winRateBp: 9167 };
  const upgradeSnapshot = snapshotOf(silverRule, goldRule, upgradeMetrics, MODEL, window);
  historyFigures = snapshotFigures(upgradeSnapshot);
  db.insert(tierReviews)
    .values({
      partnerId: A,
      period: addMonths(period, -6),
      fromTierId: silver.id,
      toTierId: gold.id,
      direction: "upgrade",
      metrics: upgradeSnapshot,
      status: "approved",
      reviewerId: world.manager.id,
      note: "Eleven wins in a year, approved at the quarterly review",
      decidedAt: new Date(now - 170 * DAY),
    })
    .run();

  alpha = new Client(server.url);
  await alpha.signIn(world.userA.email, TEST_PASSWORD);
  beta = new Client(server.url);
  await beta.signIn(world.adminB.email, TEST_PASSWORD);
});
afterAll(() => server?.close());

async function page(client: Client, path: string, status = 200) {
  const res = await client.get(path);
  // React separates adjacent text nodes with empty comments; read the text as a person would.
  const html = (await res.text()).replaceAll("<!-- -->", "");
  expect(res.status, `${path}: ${html.slice(0, 300)}`).toBe(status);
  return html;
}

function expectNoPartnerB(html: string) {
  expect(html).not.toContain(world.partnerB.name);
  expect(html).not.toContain(world.adminB.name);
  expect(html).not.toContain("globex-secret");
  expect(html).not.toContain(formatMoney(9_999_999));
}

describe("/attribution", () => {
  it("shows the engine's trailing-12-month figures under every model", async () => {
    const html = await page(alpha, "/attribution");
    const total = engine(MODEL, inTtm);
    expect(total).toBeGreaterThan(0);
    expect(html).toContain(formatMoney(total));
    expect(html).toContain(MODEL_LABEL[MODEL]);
    for (const m of MODELS) expect(html, m).toContain(formatMoney(engine(m, inTtm)));
    const sourced = engine(MODEL, (r) => inTtm(r) && r.partnerId === world.partnerA.id);
    const influenced = engine(MODEL, (r) => inTtm(r) && r.partnerId !== world.partnerA.id);
    expect(sourced + influenced).toBe(total);
    expect(html).toContain(formatMoney(sourced));
    expect(html).toContain(formatMoney(influenced));
    // Per deal, the program model's credit; other partners only as counts.
    // A deal A did not register is named by its domain and product line, not by its title
    // (another partner's, or the vendor's, words).
    for (const r of rows.filter((r) => inTtm(r) && r.key !== "globex-secret")) {
      if (r.partnerId === world.partnerA.id) expect(html).toContain(r.title);
      else {
        expect(html).toContain(`customer-${r.key}.test — Platform`);
        expect(html).not.toContain(r.title);
      }
      expect(html).toContain(formatMoney(engine(MODEL, (x) => x === r)));
    }
    expect(html).not.toContain("Deal alpha-old");
    expect(html).toContain("+ 2 touches by other partners");
    expect(html).toContain("+ 1 touch by another partner");
    // The chart is described and its numbers are in a table.
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-label="Bar chart of your credited revenue per month/);
    expectNoPartnerB(html);
  });

  it("shows a month and a quarter, and the 12 months around them in the chart", async () => {
    const month = new Date(now).toISOString().slice(0, 7);
    const html = await page(alpha, `/attribution?kind=month&month=${month}`);
    expect(html).toContain(formatMoney(engine(MODEL, inThisMonth)));
    expect(html).toContain("Deal alpha-this-month");
    expect(html).not.toContain("Deal alpha-spring");
    expectNoPartnerB(html);

    const old = new Date(now - 500 * DAY);
    const quarter = `${old.getUTCFullYear()}-Q${Math.floor(old.getUTCMonth() / 3) + 1}`;
    // Registered without touches, it gives nothing under Position: listed only with the $0 switch on.
    const oldHtml = await page(alpha, `/attribution?kind=quarter&quarter=${quarter}`);
    expect(oldHtml).not.toContain("Deal alpha-old");
    const allHtml = await page(alpha, `/attribution?kind=quarter&quarter=${quarter}&zero=show`);
    expect(allHtml).toContain("Deal alpha-old");
    expect(allHtml).toContain(formatMoney(7_777_777));
    expect(allHtml).toContain("nobody logged a touch on it");
  });

  it("says so when nothing was won in the period", async () => {
    const html = await page(alpha, "/attribution?kind=quarter&quarter=2001-Q1");
    expect(html).toContain("Nothing you registered or worked on was won in this period");
  });

  it("answers a bad period with 400 and a message, keeping the form", async () => {
    const html = await page(alpha, "/attribution?kind=month&month=2025-13", 400);
    expect(html).toContain("is not a month");
    expect(html).toContain('name="kind"');
    await page(alpha, "/attribution?kind=decade", 400);
  });

  it("shows partner B its own view without partner A's name", async () => {
    const html = await page(beta, "/attribution");
    expect(html).not.toContain(world.partnerA.name);
    expect(html).toContain("Deal globex-secret");
  });
});

describe("/tier", () => {
  it("shows the tier, the engine's figures, what Platinum still needs, the warning and the history", async () => {
    const html = await page(alpha, "/tier");
    const metrics = tierMetricsForPartner(server.db, world.partnerA.id, new Date());
    expect(metrics.revenueCents).toBe(engine(MODEL, inTtm));
    expect(html).toContain(formatMoney(metrics.revenueCents));
    expect(html).toContain(`<dd data-figure="dealsWon">${metrics.wonDeals}</dd>`);
    expect(html).toContain(MODEL_LABEL[MODEL]);
    expect(html).toContain("Gold benefits");
    expect(html).toContain("Progress to Platinum");
    expect(html).toContain(`${formatMoney(100_000_000 - metrics.revenueCents)} more credited revenue needed`);
    expect(html).toContain(`${25 - metrics.wonDeals} more won deals needed`);
    expect(html).toMatch(/role="progressbar"[^>]*aria-valuemin="0"[^>]*aria-valuemax="100"[^>]*aria-valuenow="\d+"/);
    // Warned at the last evaluation: the banner names the tier and the next evaluation.
    expect(html).toContain("a downgrade will be proposed");
    expect(html).toMatch(/below Gold&#x27;s thresholds/);
    // The approved upgrade, its reason and the figures behind it.
    expect(html).toContain("Eleven wins in a year, approved at the quarterly review");
    for (const line of historyFigures) expect(html).toContain(line);
    expect(html).not.toContain(world.manager.name);
    expectNoPartnerB(html);
  });

  it("says a top-tier partner has nowhere higher to go", async () => {
    const platinum = server.db.select().from(tiers).where(eq(tiers.name, "Platinum")).get()!;
    server.db.update(partners).set({ tierId: platinum.id }).where(eq(partners.id, world.partnerB.id)).run();
    const html = await page(beta, "/tier");
    expect(html).toContain("the program&#x27;s top tier");
    expect(html).not.toContain(world.partnerA.name);
  });
});

describe("/dashboard", () => {
  it("shows credited revenue this month and over 12 months, the tier and the progress bars", async () => {
    const html = await page(alpha, "/dashboard");
    expect(html).toContain(formatMoney(engine(MODEL, inThisMonth)));
    expect(html).toContain(formatMoney(engine(MODEL, inTtm)));
    expect(html).toContain("Gold partner");
    expect(html).toContain("Progress to Platinum");
    expect(html).toContain('href="/tier"');
    expect(html).toContain('role="progressbar"');
    expectNoPartnerB(html);
  });
});
