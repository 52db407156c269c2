import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, ensureDefaultProgram } from "../../db/factories";
import { programSettings, type AttributionModel, type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { creditDeal, MODELS, type CreditDeal } from "./attribution";
import { parsePeriod, partnerAttribution, PeriodError, type PeriodInput } from "./partner-attribution.server";
import { getPartnerDashboard } from "./partners.server";
import { tierMetricsForPartner } from "./tier-metrics.server";

const DAY = 86_400_000;
const AS_OF = new Date("2025-06-15T12:00:00Z");

let db: DB;
let alpha: Partner;
let beta: Partner;
/** What the test inserted, in the engine's shape: the independent basis of every expectation. */
const inserted = new Map<number, CreditDeal & { title: string }>();
const ids: Record<string, number> = {};
const betaTouchIds: number[] = [];

function wonDeal(key: string, registeredBy: Partner | null, closedAt: string, amountCents: number) {
  const closed = new Date(closedAt);
  const customer = createCustomer(db, { name: `Customer ${key} Ltd`, domain: `customer-${key}.test` });
  const deal = createDeal(db, {
    customerId: customer.id,
    partnerId: registeredBy?.id ?? null,
    stage: "won",
    amountCents,
    title: `Deal ${key}`,
    submittedAt: new Date(closed.getTime() - 40 * DAY),
    closedAt: closed,
  });
  ids[key] = deal.id;
  inserted.set(deal.id, {
    title: deal.title,
    amountCents,
    partnerId: registeredBy?.id ?? null,
    closedAt: closed.getTime(),
    touches: [],
  });
  return deal;
}

function touch(
  key: string,
  partner: Partner,
  occurredAt: string,
  kind: "referral" | "co_sell_meeting" | "implementation" = "co_sell_meeting"
) {
  const t = createTouch(db, {
    dealId: ids[key],
    partnerId: partner.id,
    occurredAt: new Date(occurredAt),
    kind,
    journeyStage: kind === "implementation" ? "onboarding" : "decision",
  });
  inserted.get(ids[key])!.touches.push({ id: t.id, partnerId: partner.id, occurredAt: t.occurredAt.getTime() });
  if (partner.id === beta.id) betaTouchIds.push(t.id);
  return t;
}

/** Alpha's credit per model over the deals whose keys are given, by the pure engine. */
function engineTotals(keys: string[]): Record<AttributionModel, number> {
  return Object.fromEntries(
    MODELS.map((m) => [
      m,
      keys.reduce((sum, key) => {
        const deal = inserted.get(ids[key])!;
        return sum + (creditDeal(deal, m).find((c) => c.partnerId === alpha.id)?.cents ?? 0);
      }, 0),
    ])
  ) as Record<AttributionModel, number>;
}

function setProgramModel(model: AttributionModel) {
  db.update(programSettings).set({ attributionModel: model }).where(eq(programSettings.id, 1)).run();
}

beforeAll(() => {
  ({ db } = createTestDatabase());
  ensureDefaultProgram(db);
  alpha = createPartner(db, { name: "Alpha Resellers", slug: "alpha-resellers" });
  beta = createPartner(db, { name: "Beta Confidential Agency", slug: "beta-confidential" });

  // Registered by Alpha, co-sold with Beta, in June 2025 (the month of AS_OF).
  wonDeal("june-alpha", alpha, "2025-06-03T10:00:00Z", 1_000_001);
  touch("june-alpha", alpha, "2025-04-24T10:00:00Z", "referral");
  touch("june-alpha", beta, "2025-05-20T10:00:00Z");
  touch("june-alpha", alpha, "2025-06-01T10:00:00Z", "implementation");
  // Registered by Beta; Alpha helped once: influenced for Alpha.
  wonDeal("may-beta", beta, "2025-05-20T10:00:00Z", 777_777);
  touch("may-beta", beta, "2025-04-10T10:00:00Z", "referral");
  touch("may-beta", alpha, "2025-05-01T10:00:00Z");
  touch("may-beta", beta, "2025-05-15T10:00:00Z");
  // Direct deal Alpha and Beta both touched.
  wonDeal("april-direct", null, "2025-04-01T00:00:00Z", 500_000);
  touch("april-direct", beta, "2025-03-01T10:00:00Z");
  touch("april-direct", alpha, "2025-03-20T10:00:00Z");
  // Quarter boundaries: the last instant of Q1 belongs to Q1.
  wonDeal("q1-last-instant", alpha, "2025-03-31T23:59:59.999Z", 300_000);
  // Alpha's own deal without touches: sourced credit only.
  wonDeal("aug-alpha", alpha, "2024-08-01T09:00:00Z", 2_000_000);
  // Trailing-12-month boundaries (window from 2024-06-15T00:00Z to AS_OF).
  wonDeal("ttm-first-instant", alpha, "2024-06-15T00:00:00Z", 110_000);
  wonDeal("before-ttm", alpha, "2024-06-14T23:59:59.999Z", 990_000);
  // Beta's alone: Alpha never sees it.
  wonDeal("beta-only", beta, "2025-06-01T10:00:00Z", 4_444_444);
  touch("beta-only", beta, "2025-05-25T10:00:00Z");
  // Not won: never credited.
  createDeal(db, {
    partnerId: alpha.id,
    stage: "lost",
    submittedAt: new Date("2025-04-01T00:00:00Z"),
    closedAt: new Date("2025-05-01T00:00:00Z"),
  });
  createDeal(db, { partnerId: alpha.id, stage: "approved", submittedAt: new Date("2025-05-01T00:00:00Z") });
});
afterAll(() => closeDatabase(db));

const WINDOWS: { period: PeriodInput; keys: string[] }[] = [
  { period: { kind: "month", value: "2025-06" }, keys: ["june-alpha"] },
  { period: { kind: "month", value: "2025-05" }, keys: ["may-beta"] },
  { period: { kind: "month", value: "2025-03" }, keys: ["q1-last-instant"] },
  { period: { kind: "month", value: "2024-06" }, keys: ["ttm-first-instant", "before-ttm"] },
  { period: { kind: "quarter", value: "2025-Q2" }, keys: ["june-alpha", "may-beta", "april-direct"] },
  { period: { kind: "quarter", value: "2025-Q1" }, keys: ["q1-last-instant"] },
  { period: { kind: "quarter", value: "2024-Q3" }, keys: ["aug-alpha"] },
  {
    period: { kind: "ttm", value: null },
    keys: ["june-alpha", "may-beta", "april-direct", "q1-last-instant", "aug-alpha", "ttm-first-instant"],
  },
];

describe("partnerAttribution", () => {
  for (const { period, keys } of WINDOWS) {
    it(`${period.kind} ${period.value ?? ""} holds exactly the right won deals`, () => {
      const result = partnerAttribution(db, alpha.id, period, AS_OF);
      expect(result.deals.map((d) => d.dealId).sort((a, b) => a - b)).toEqual(
        keys.map((k) => ids[k]).sort((a, b) => a - b)
      );
    });
  }

  for (const model of ["position", "sourced", "time_decay"] as const) {
    it(`totals equal the pure engine's sums, and sourced + influenced the ${model} total`, () => {
      setProgramModel(model);
      for (const { period, keys } of WINDOWS) {
        const result = partnerAttribution(db, alpha.id, period, AS_OF);
        const expected = engineTotals(keys);
        expect(result.model).toBe(model);
        expect(result.totals).toEqual(expected);
        expect(result.creditedCents).toBe(expected[model]);
        expect(result.sourcedCents + result.influencedCents).toBe(result.totals[model]);
        const registered = keys.filter((k) => inserted.get(ids[k])!.partnerId === alpha.id);
        expect(result.sourcedCents).toBe(engineTotals(registered)[model]);
        // Per deal, too: every model, straight from the engine.
        for (const deal of result.deals) {
          const row = inserted.get(deal.dealId)!;
          for (const m of MODELS) {
            expect(deal.credit[m]).toBe(creditDeal(row, m).find((c) => c.partnerId === alpha.id)?.cents ?? 0);
          }
          expect(deal.amountCents).toBe(row.amountCents);
          expect(deal.source).toBe(row.partnerId === alpha.id ? "sourced" : "influenced");
        }
      }
    });
  }

  it("agrees with the tier metrics over the trailing 12 months", () => {
    setProgramModel("linear");
    const result = partnerAttribution(db, alpha.id, { kind: "ttm", value: null }, AS_OF);
    const metrics = tierMetricsForPartner(db, alpha.id, AS_OF);
    expect(result.creditedCents).toBe(metrics.revenueCents);
    expect(result.creditedDeals).toBe(metrics.wonDeals);
  });

  it("feeds the dashboard the same month and trailing-12-month figures", () => {
    setProgramModel("position");
    const dashboard = getPartnerDashboard(db, alpha.id, AS_OF);
    const month = partnerAttribution(db, alpha.id, { kind: "month", value: "2025-06" }, AS_OF);
    const ttm = partnerAttribution(db, alpha.id, { kind: "ttm", value: null }, AS_OF);
    expect(dashboard.model).toBe("position");
    expect(dashboard.month).toBe("2025-06");
    expect(dashboard.figures.month.creditedRevenue).toBe(month.creditedCents);
    expect(dashboard.figures.month.dealsWon).toBe(month.creditedDeals);
    expect(dashboard.figures.ttm.creditedRevenue).toBe(ttm.creditedCents);
    expect(dashboard.figures.ttm.dealsWon).toBe(ttm.creditedDeals);
    // Registered, so Silver (any of $50k or 3 wins) is next.
    const next = dashboard.progress!.nextThresholds;
    expect(dashboard.progress!.next!.name).toBe("Silver");
    expect(next.find((t) => t.key === "wonDeals")!.have).toBe(ttm.creditedDeals);
    expect(next.find((t) => t.key === "revenue")!.have).toBe(ttm.creditedCents);
  });

  it("charts the window's months for ttm and the 12 months ending with a month or quarter", () => {
    setProgramModel("position");
    const ttm = partnerAttribution(db, alpha.id, { kind: "ttm", value: null }, AS_OF);
    expect(ttm.monthly.map((m) => m.month)).toEqual([
      "2024-06",
      "2024-07",
      "2024-08",
      "2024-09",
      "2024-10",
      "2024-11",
      "2024-12",
      "2025-01",
      "2025-02",
      "2025-03",
      "2025-04",
      "2025-05",
      "2025-06",
    ]);
    expect(ttm.monthly.every((m) => m.inPeriod)).toBe(true);
    expect(ttm.monthly[0].partial && ttm.monthly[12].partial && !ttm.monthly[6].partial).toBe(true);
    expect(ttm.monthly.reduce((s, m) => s + m.cents, 0)).toBe(ttm.creditedCents);
    const may = ttm.monthly.find((m) => m.month === "2025-05")!;
    expect(may.cents).toBe(engineTotals(["may-beta"]).position);

    const quarter = partnerAttribution(db, alpha.id, { kind: "quarter", value: "2025-Q2" }, AS_OF);
    expect(quarter.monthly).toHaveLength(12);
    expect(quarter.monthly[0].month).toBe("2024-07");
    expect(quarter.monthly.filter((m) => m.inPeriod).map((m) => m.month)).toEqual(["2025-04", "2025-05", "2025-06"]);
    expect(quarter.monthly.filter((m) => m.inPeriod).reduce((s, m) => s + m.cents, 0)).toBe(quarter.creditedCents);
    // Context months outside the quarter carry their own credit (sourced-only deals there).
    setProgramModel("sourced");
    const context = partnerAttribution(db, alpha.id, { kind: "quarter", value: "2025-Q2" }, AS_OF).monthly;
    expect(context.find((m) => m.month === "2024-08")!.cents).toBe(2_000_000);
    expect(context.find((m) => m.month === "2025-03")!.cents).toBe(300_000);
    setProgramModel("position");

    const month = partnerAttribution(db, alpha.id, { kind: "month", value: "2025-05" }, AS_OF);
    expect(month.monthly.map((m) => m.month).at(-1)).toBe("2025-05");
    expect(month.monthly[0].month).toBe("2024-06");
    expect(month.monthly.filter((m) => m.inPeriod).map((m) => m.month)).toEqual(["2025-05"]);
  });

  it("lists the partner's own touches with their details and counts the others'", () => {
    const result = partnerAttribution(db, alpha.id, { kind: "quarter", value: "2025-Q2" }, AS_OF);
    const june = result.deals.find((d) => d.dealId === ids["june-alpha"])!;
    expect(june.ownTouches.map((t) => [t.date, t.kind, t.pillar, t.journeyStage])).toEqual([
      ["2025-04-24", "referral", "sell", "decision"],
      ["2025-06-01", "implementation", "serve", "onboarding"],
    ]);
    expect(june.otherPartnerTouches).toBe(1);
    const may = result.deals.find((d) => d.dealId === ids["may-beta"])!;
    expect(may.ownTouches).toHaveLength(1);
    expect(may.otherPartnerTouches).toBe(2);
    expect(result.deals.map((d) => d.closedOn)).toEqual(["2025-06-03", "2025-05-20", "2025-04-01"]);
  });

  it("never names or identifies another partner", () => {
    for (const { period } of WINDOWS) {
      const json = JSON.stringify(partnerAttribution(db, alpha.id, period, AS_OF));
      expect(json).not.toContain(beta.name);
      expect(json).not.toContain(beta.slug);
      expect(json).not.toMatch(/partnerId/i);
      expect(json).not.toContain("Deal beta-only");
      for (const id of betaTouchIds) expect(json).not.toContain(`"touchId":${id},`);
    }
    // Beta's view of the same deals is its own.
    const betaView = partnerAttribution(db, beta.id, { kind: "quarter", value: "2025-Q2" }, AS_OF);
    expect(JSON.stringify(betaView)).not.toContain(alpha.name);
    expect(betaView.deals.find((d) => d.dealId === ids["june-alpha"])!.otherPartnerTouches).toBe(2);
  });

  it("names a deal it did not register by domain and product line, never by the registrant's words", () => {
    const result = partnerAttribution(db, alpha.id, { kind: "quarter", value: "2025-Q2" }, AS_OF);
    const title = (key: string) => result.deals.find((d) => d.dealId === ids[key])!.title;
    expect(title("june-alpha")).toBe("Deal june-alpha");
    expect(title("may-beta")).toBe("customer-may-beta.test — Platform");
    expect(title("april-direct")).toBe("customer-april-direct.test — Platform");
    const json = JSON.stringify(result);
    expect(json).not.toContain("Deal may-beta");
    expect(json).not.toContain("Customer may-beta Ltd");
  });

  it("is empty for a period without won deals", () => {
    const result = partnerAttribution(db, alpha.id, { kind: "month", value: "2025-02" }, AS_OF);
    expect(result.deals).toEqual([]);
    expect(result.creditedCents).toBe(0);
    expect(Object.values(result.totals).every((c) => c === 0)).toBe(true);
  });

  it("finds the deals a partner touched through a covering index, in deal order", () => {
    // The trailing 12 months of the largest partner (84,043 touches) read its touched deals by
    // primary key: from touches_partner_deal_idx alone, in deal order, not row by row.
    const plan = (db.$client
      .prepare(
        `EXPLAIN QUERY PLAN SELECT d.id FROM deals d WHERE d.stage = 'won' AND d.closed_at >= 0 AND d.closed_at < 1
           AND (d.partner_id = ? OR d.id IN (SELECT deal_id FROM touches WHERE partner_id = ?))`,
      )
      .all(alpha.id, alpha.id) as { detail: string }[])
      .map((p) => p.detail)
      .join("\n");
    expect(plan).toMatch(/SEARCH touches USING COVERING INDEX touches_partner_deal_idx \(partner_id=\?\)/);
    const ttm = partnerAttribution(db, alpha.id, { kind: "ttm", value: null }, AS_OF);
    expect(ttm.deals.length).toBeGreaterThan(0);
  });
});

describe("parsePeriod", () => {
  it("reads the form and defaults to the trailing 12 months", () => {
    expect(parsePeriod(new URLSearchParams())).toEqual({ kind: "ttm", value: null });
    expect(parsePeriod(new URLSearchParams("kind=ttm&month=2025-01"))).toEqual({ kind: "ttm", value: null });
    expect(parsePeriod(new URLSearchParams("kind=month&month=2025-04&quarter=junk"))).toEqual({
      kind: "month",
      value: "2025-04",
    });
    expect(parsePeriod(new URLSearchParams("kind=quarter&quarter=2025-q3"))).toEqual({
      kind: "quarter",
      value: "2025-Q3",
    });
  });

  it.each([
    ["kind=year", "kind"],
    ["kind=month", "month"],
    ["kind=month&month=2025-13", "month"],
    ["kind=month&month=2025-4", "month"],
    ["kind=month&month=2025-04-01", "month"],
    ["kind=quarter&quarter=2025-Q5", "quarter"],
    ["kind=quarter&quarter=2025-04", "quarter"],
  ])("refuses %s with a 400 PeriodError on the %s field", (query, field) => {
    let error: unknown;
    try {
      parsePeriod(new URLSearchParams(query));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PeriodError);
    expect((error as PeriodError).status).toBe(400);
    expect((error as PeriodError).field).toBe(field);
    expect((error as PeriodError).message.length).toBeGreaterThan(5);
  });

  it("refuses a malformed or future period passed to partnerAttribution", () => {
    expect(() => partnerAttribution(db, alpha.id, { kind: "month", value: "2025-13" }, AS_OF)).toThrow(PeriodError);
    expect(() => partnerAttribution(db, alpha.id, { kind: "quarter", value: "2025-Q3" }, AS_OF)).toThrow(/not started/);
    expect(() => partnerAttribution(db, alpha.id, { kind: "bogus" as "ttm", value: null }, AS_OF)).toThrow(PeriodError);
  });
});
