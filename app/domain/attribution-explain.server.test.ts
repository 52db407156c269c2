// Attribution in words over a real migrated database: deals built so that each reason and each
// count of "Other models" is known in advance, read back through partnerAttribution.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, ensureDefaultProgram } from "../../db/factories";
import { programSettings, type AttributionModel, type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, openDatabase, type DB } from "../db.server";
import { MODEL_DESCRIPTION, MODELS } from "./attribution";
import { creditTotals, describeModelDifferences, modelDifferenceGroups, zeroCreditReason, type ComparedDeal } from "./attribution-explain";
import { formatMoney } from "./format";
import { attributionDealPage, partnerAttribution, partnerAttributionSummary } from "./partner-attribution.server";

const DAY = 86_400_000;
const AS_OF = new Date("2025-06-15T12:00:00Z");
const TTM = { kind: "ttm", value: null } as const;

let db: DB;
let file: string;
let alpha: Partner;
let beta: Partner;
let gamma: Partner;
const ids: Record<string, number> = {};

function won(key: string, registeredBy: Partner | null, daysAgo: number, amountCents: number, touchedBy: Partner[]) {
  const closedAt = AS_OF.getTime() - daysAgo * DAY;
  const customer = createCustomer(db, { name: `Customer ${key}`, domain: `${key}.test` });
  const deal = createDeal(db, {
    customerId: customer.id,
    partnerId: registeredBy?.id ?? null,
    stage: "won",
    title: `Deal ${key}`,
    amountCents,
    submittedAt: new Date(closedAt - 60 * DAY),
    closedAt: new Date(closedAt),
  });
  ids[key] = deal.id;
  // Touches a day apart, in the order given, the last one two days before the close.
  touchedBy.forEach((p, i) =>
    createTouch(db, { dealId: deal.id, partnerId: p.id, occurredAt: new Date(closedAt - (touchedBy.length - i + 1) * DAY) })
  );
}

function setModel(model: AttributionModel) {
  db.update(programSettings).set({ attributionModel: model }).where(eq(programSettings.id, 1)).run();
}

beforeAll(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
  alpha = createPartner(db, { name: "Alpha", slug: "alpha" });
  beta = createPartner(db, { name: "Beta", slug: "beta" });
  won("reg-untouched", alpha, 10, 1_000_000, []);
  won("reg-shared", alpha, 20, 2_000_000, [beta, alpha]);
  won("reg-own", alpha, 30, 500_000, [alpha]);
  won("infl-1", beta, 40, 100_000, [alpha]);
  won("infl-2", beta, 50, 100_000, [alpha]);
  won("direct", null, 60, 300_000, [beta, alpha]);
  won("beta-only", beta, 70, 9_000_000, [beta]);
  gamma = createPartner(db, { name: "Gamma", slug: "gamma" });
  won("gamma-own", gamma, 10, 400_000, [gamma]);
});
afterAll(() => closeDatabase(db));

const byModel = (report: ReturnType<typeof partnerAttribution>, m: AttributionModel) =>
  report.comparisons.find((c) => c.model === m)!;

describe("attribution in words", () => {
  it("has one sentence for every model", () => {
    for (const m of MODELS) expect(MODEL_DESCRIPTION[m]).toMatch(/^[A-Z].+\.$/);
  });

  it("says why each $0 deal gives nothing under Sourced", () => {
    setModel("sourced");
    const report = partnerAttribution(db, alpha.id, TTM, AS_OF);
    expect(report.deals).toHaveLength(6);
    expect(report.zeroCreditDeals).toBe(3);
    const reason = (key: string) => report.deals.find((d) => d.dealId === ids[key])!.zeroReason;
    expect(reason("infl-1")).toContain("another partner registered it");
    expect(reason("direct")).toContain("no partner registered it");
    for (const key of ["reg-untouched", "reg-shared", "reg-own"]) expect(reason(key)).toBeNull();
  });

  it("says why each $0 deal gives nothing under First touch", () => {
    setModel("first");
    const report = partnerAttribution(db, alpha.id, TTM, AS_OF);
    const reason = (key: string) => report.deals.find((d) => d.dealId === ids[key])!.zeroReason;
    expect(reason("reg-untouched")).toContain("nobody logged a touch on it");
    expect(reason("reg-shared")).toContain("Another partner's touch came before your first one");
    expect(reason("direct")).toContain("Another partner's touch came before your first one");
    expect(report.zeroCreditDeals).toBe(3);
  });

  it("explains Sourced against the touch models with counted deals", () => {
    setModel("sourced");
    const report = partnerAttribution(db, alpha.id, TTM, AS_OF);
    expect(report.creditedCents).toBe(3_500_000);

    const first = byModel(report, "first");
    expect(first.cents).toBe(700_000);
    expect(first.deltaCents).toBe(-2_800_000);
    expect(first.parts.map((p) => [p.category, p.more, p.deals, p.deltaCents])).toEqual([
      ["registered_shared", false, 1, -2_000_000],
      ["registered_untouched", false, 1, -1_000_000],
      ["influenced", true, 2, 200_000],
    ]);

    const last = byModel(report, "last");
    expect(last.parts.map((p) => [p.category, p.more, p.deals, p.deltaCents])).toEqual([
      ["registered_untouched", false, 1, -1_000_000],
      ["influenced", true, 3, 500_000],
    ]);
    expect(last.sentence).toBe(
      `Under Last touch you would be credited ${formatMoney(3_000_000)} (−${formatMoney(500_000)}): ` +
        `1 deal you registered without any logged touch gives nothing under Last touch, which credits only touches (−${formatMoney(1_000_000)}); ` +
        `3 won deals you influenced but did not register count under Last touch, which credits touches (+${formatMoney(500_000)}).`
    );

    const linear = byModel(report, "linear");
    expect(linear.parts.map((p) => [p.category, p.more, p.deals, p.deltaCents])).toEqual([
      ["registered_shared", false, 1, -1_000_000],
      ["registered_untouched", false, 1, -1_000_000],
      ["influenced", true, 3, 350_000],
    ]);
    expect(linear.sentence).toContain("1 deal you registered gives part of its credit to partners who touched it under Linear");
    for (const c of report.comparisons) {
      expect(c.parts.reduce((s, p) => s + p.deltaCents, 0), c.model).toBe(c.deltaCents);
      expect(c.cents, c.model).toBe(report.totals[c.model]);
    }
    expect(report.comparisons.map((c) => c.model)).not.toContain("sourced");
  });

  it("explains touch models against each other, and Sourced against a touch program", () => {
    setModel("linear");
    const report = partnerAttribution(db, alpha.id, TTM, AS_OF);
    expect(report.creditedCents).toBe(1_850_000);
    const first = byModel(report, "first");
    expect(first.parts.map((p) => [p.category, p.more, p.deals, p.deltaCents])).toEqual([
      ["registered_shared", false, 1, -1_000_000],
      ["influenced", false, 1, -150_000],
    ]);
    expect(first.sentence).toContain(
      "on 1 deal you registered your touches earn less than under Linear, as under First touch only the first touch earns credit"
    );
    const sourced = byModel(report, "sourced");
    expect(sourced.parts.map((p) => [p.category, p.more, p.deals, p.deltaCents])).toEqual([
      ["registered_shared", true, 1, 1_000_000],
      ["registered_untouched", true, 1, 1_000_000],
      ["influenced", false, 3, -350_000],
    ]);
    expect(sourced.sentence).toContain("3 won deals you influenced but did not register give nothing under Sourced");
  });

  it("says the totals agree when no deal differs", () => {
    setModel("sourced");
    // Gamma registered its one deal and is its only toucher: every model credits it in full.
    const report = partnerAttribution(db, gamma.id, TTM, AS_OF);
    expect(byModel(report, "last").sentence).toBe(
      `Under Last touch you would be credited ${formatMoney(400_000)} (±${formatMoney(0)}): every deal credits you the same as under Sourced.`
    );
  });

  it("never names the other partner", () => {
    setModel("sourced");
    const text = JSON.stringify(partnerAttribution(db, alpha.id, TTM, AS_OF));
    expect(text).not.toContain("Beta");
    expect(text).not.toContain("beta-only");
  });
});

describe("attributionDealPage", () => {
  it("lists credited deals by default and every deal with zero=show", () => {
    setModel("sourced");
    const report = partnerAttributionSummary(db, alpha.id, TTM, AS_OF);
    const hidden = attributionDealPage(db, alpha.id, report, new URLSearchParams());
    expect(hidden).toMatchObject({ showZero: false, total: 3, next: null, prev: null });
    expect(hidden.deals.every((d) => d.credit.sourced > 0)).toBe(true);
    const shown = attributionDealPage(db, alpha.id, report, new URLSearchParams("zero=show"));
    expect(shown).toMatchObject({ showZero: true, total: 6 });
    expect(shown.deals).toEqual(partnerAttribution(db, alpha.id, TTM, AS_OF).deals);
  });

  it("starts over from a cursor it did not write", () => {
    const report = partnerAttributionSummary(db, alpha.id, TTM, AS_OF);
    const first = attributionDealPage(db, alpha.id, report, new URLSearchParams());
    for (const after of ["x", "1.5.6", "-1.2", "9".repeat(20) + ".1"]) {
      expect(attributionDealPage(db, alpha.id, report, new URLSearchParams({ after })).deals).toEqual(first.deals);
    }
  });
});

describe("partnerAttributionSummary", () => {
  it("equals the engine's figures deal by deal, under every program model and period", () => {
    const periods = [TTM, { kind: "month", value: "2025-05" }, { kind: "quarter", value: "2025-Q2" }] as const;
    for (const model of MODELS) {
      setModel(model);
      for (const partner of [alpha, beta, gamma]) {
        for (const period of periods) {
          const { deals, ...engine } = partnerAttribution(db, partner.id, period, AS_OF);
          expect(partnerAttributionSummary(db, partner.id, period, AS_OF), `${model} ${partner.name} ${period.kind}`).toEqual({
            ...engine,
            dealCount: deals.length,
          });
        }
      }
    }
    setModel("sourced");
  });

  it("follows another connection's change to a month it has summed, and keeps nothing read in a transaction", () => {
    const engine = (p: Partner) => {
      const { deals, ...figures } = partnerAttribution(db, p.id, TTM, AS_OF);
      return { ...figures, dealCount: deals.length };
    };
    // A deal won at 0 in May (a whole month of the window): a touch by another partner gives
    // that partner a $0 row, while no credit anywhere changes.
    won("zero", alpha, 45, 0, [alpha]);
    const before = partnerAttributionSummary(db, beta.id, TTM, AS_OF);
    expect(before).toEqual(engine(beta));
    const other = openDatabase(file);
    try {
      createTouch(other, { dealId: ids["zero"]!, partnerId: beta.id, occurredAt: new Date(AS_OF.getTime() - 50 * DAY) });
    } finally {
      closeDatabase(other);
    }
    const after = partnerAttributionSummary(db, beta.id, TTM, AS_OF);
    expect(after.dealCount).toBe(before.dealCount + 1);
    expect(after).toEqual(engine(beta));

    const rollback = new Error("rolled back");
    expect(() =>
      db.transaction(() => {
        won("uncommitted", beta, 60, 750_000, [beta]);
        expect(partnerAttributionSummary(db, beta.id, TTM, AS_OF)).toEqual(engine(beta));
        throw rollback;
      })
    ).toThrow(rollback);
    expect(partnerAttributionSummary(db, beta.id, TTM, AS_OF)).toEqual(after);
  });
});

describe("zeroCreditReason", () => {
  const deal = (over: Partial<Parameters<typeof zeroCreditReason>[1]>) => ({
    amountCents: 1000,
    registrant: "you" as const,
    touchOrder: [] as ("you" | "other")[],
    credit: { sourced: 0, first: 0, last: 0, linear: 0, time_decay: 0, position: 0 },
    ...over,
  });
  it("is null when the deal credits the partner", () => {
    expect(zeroCreditReason("last", deal({ credit: { sourced: 1, first: 0, last: 5, linear: 0, time_decay: 0, position: 0 } }))).toBeNull();
  });
  it("names the rule that leaves the partner out", () => {
    expect(zeroCreditReason("last", deal({ registrant: "another_partner", touchOrder: ["you", "other"] }))).toContain(
      "Another partner's touch came after your last one"
    );
    expect(zeroCreditReason("linear", deal({ touchOrder: ["other"] }))).toContain("logged no touch on it");
    expect(zeroCreditReason("time_decay", deal({ registrant: "nobody", touchOrder: ["you", "other"] }))).toContain(
      "so long before the close"
    );
    expect(zeroCreditReason("sourced", deal({ amountCents: 0 }))).toContain("won at 0");
  });
});

describe("the other models in words", () => {
  const compareModels = (list: readonly ComparedDeal[], program: AttributionModel, currency: string) =>
    describeModelDifferences(creditTotals(list), modelDifferenceGroups(list, program), program, currency);
  const credit = (first: number, last: number) => ({ sourced: 0, first, last, linear: first, time_decay: first, position: first });
  it("says parts of equal size in a fixed order, whatever the order of the deals", () => {
    // Two shared deals that differ by the same $5 under Last touch, one each way, and a larger
    // influenced difference: the larger part first, then "more" before "less".
    const list = [
      { involvement: "registered_shared" as const, credit: credit(1000, 500) },
      { involvement: "registered_shared" as const, credit: credit(500, 1000) },
      { involvement: "influenced" as const, credit: credit(0, 2000) },
    ];
    const [forward] = compareModels(list, "first", "USD").filter((c) => c.model === "last");
    expect(forward!.parts.map((p) => [p.category, p.more, p.deltaCents])).toEqual([
      ["influenced", true, 2000],
      ["registered_shared", true, 500],
      ["registered_shared", false, -500],
    ]);
    for (let k = 1; k < list.length; k++) {
      const rotated = [...list.slice(k), ...list.slice(0, k)];
      expect(compareModels(rotated, "first", "USD")).toEqual(compareModels(list, "first", "USD"));
    }
  });
});
