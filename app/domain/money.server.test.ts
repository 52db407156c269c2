// Conversion to the reporting currency: mixed currencies across dates, the latest-on-or-before
// rule, a missing rate flagged and excluded (never 1:1), and the rollups following a rate change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { creditAllPartners, creditPartnerDeals } from "./attribution.server";
import { actorOf, listAuditTrail, type Actor } from "./audit.server";
import { addExchangeRate, deleteExchangeRate, listExchangeRates, RateError, uploadExchangeRates } from "./exchange-rates.server";
import { convertCents, formatRate, parseRateToMicros } from "./money";
import { convertedCentsSql, missingRates } from "./money.server";
import { dealsByStage } from "./partners.server";
import { clientOf, rebuildRollups } from "./rollups.server";

let db: DB;
let actor: Actor;
let partner: Partner;
const at = (day: string) => new Date(`${day}T12:00:00Z`);
const ASOF = at("2026-11-20");
const YEAR = { from: new Date("2025-11-01T00:00:00Z"), to: new Date("2026-11-30T00:00:00Z") };

function won(currency: string, cents: number, day: string, p = partner) {
  return createDeal(
    db,
    { partnerId: p.id, customerId: createCustomer(db).id, stage: "won", currency, amountCents: cents, submittedAt: at("2025-11-02"), decidedAt: at("2025-11-03"), closedAt: at(day) },
  );
}

const rollupCredit = (partnerId: number) =>
  clientOf(db)
    .prepare(`SELECT coalesce(sum(credited_cents), 0) FROM partner_month_credit WHERE model = 'sourced' AND partner_id = ?`)
    .pluck()
    .get(partnerId) as number;
const rollupWonCents = () =>
  clientOf(db).prepare(`SELECT coalesce(sum(won_cents), 0) FROM program_month_stats WHERE segment = 'sourced'`).pluck().get() as number;

beforeAll(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db); // reporting currency USD
  actor = actorOf(createUser(db, { role: "admin", email: "rates@vendor.test" }));
  partner = createPartner(db, { name: "Mixed Currency Partner" });
  won("USD", 100_000, "2026-02-10"); // $1,000.00, never looked up
  won("EUR", 100_000, "2026-02-28"); // €1,000 at 1.10 → $1,100.00
  won("EUR", 10_000, "2026-03-01"); // €100 on the day the 1.20 rate starts → $120.00
  won("EUR", 333, "2026-03-05"); // €3.33 × 1.205 = 4.01265 → $4.01 ... see the rate below
  won("EUR", 50_000, "2025-12-20"); // before any EUR rate: missing
  createDeal(db, { partnerId: partner.id, customerId: createCustomer(db).id, stage: "approved", currency: "GBP", amountCents: 50_000 });
  createDeal(db, { partnerId: partner.id, customerId: createCustomer(db).id, stage: "approved", currency: "EUR", amountCents: 20_000 });
  addExchangeRate(db, actor, { currency: "EUR", validFrom: "2026-01-01", rate: "1.10" });
  addExchangeRate(db, actor, { currency: "EUR", validFrom: "2026-03-01", rate: "1.205" });
  rebuildRollups(db);
});
afterAll(() => closeDatabase(db));

describe("rates as typed", () => {
  it("parses exact micro-units and refuses what is not a rate, saying what to fix", () => {
    expect(parseRateToMicros("1.0842")).toEqual({ ok: true, micros: 1_084_200 });
    expect(parseRateToMicros("0.000001")).toEqual({ ok: true, micros: 1 });
    expect(formatRate(1_084_200)).toBe("1.0842");
    expect(parseRateToMicros("1,08")).toMatchObject({ ok: false, message: expect.stringMatching(/digits and a dot/) });
    expect(parseRateToMicros("1.1234567")).toMatchObject({ ok: false, message: expect.stringMatching(/more than 6 decimals/) });
    expect(parseRateToMicros("0")).toMatchObject({ ok: false, message: expect.stringMatching(/more than 0/) });
  });

  it("rounds half up, and SQLite's integer arithmetic agrees with the pure function", () => {
    const cases: [number, number][] = [[333, 1_205_000], [1, 500_000], [3, 1_500_000], [1_000_000_000_000, 999_999_999], [250, 1_002_000], [1_234_567, 1]];
    const c = clientOf(db);
    for (const [cents, micros] of cases) {
      c.prepare(`DELETE FROM exchange_rates WHERE currency = 'XTS'`).run();
      c.prepare(`INSERT INTO exchange_rates (currency, quote_currency, valid_from, rate_micros) VALUES ('XTS', 'USD', '2000-01-01', ?)`).run(micros);
      const sqlValue = c.prepare(`SELECT ${convertedCentsSql(String(cents), "'XTS'", "'2026-01-01'")}`).pluck().get();
      expect(sqlValue, `${cents} × ${micros}`).toBe(convertCents(cents, micros));
    }
    c.prepare(`DELETE FROM exchange_rates WHERE currency = 'XTS'`).run();
    expect(convertCents(1, 500_000)).toBe(1); // 0.5 → 1
    expect(convertCents(333, 1_205_000)).toBe(401); // 4.01265 → 4.01
  });
});

describe("conversion at the date rule", () => {
  it("converts mixed currencies at the latest rate on or before each close date; the reporting currency is never looked up", () => {
    const deals = creditPartnerDeals(db, partner.id, YEAR, ["sourced"]);
    const byDay = Object.fromEntries(deals.map((d) => [new Date(d.closedAt).toISOString().slice(0, 10), d]));
    expect(byDay["2026-02-10"]).toMatchObject({ currency: "USD", amountCents: 100_000, reportingCents: 100_000 });
    expect(byDay["2026-02-28"]).toMatchObject({ currency: "EUR", amountCents: 100_000, reportingCents: 110_000 });
    expect(byDay["2026-03-01"]).toMatchObject({ currency: "EUR", amountCents: 10_000, reportingCents: 12_050 });
    expect(byDay["2026-03-05"]).toMatchObject({ reportingCents: 401 });
    const usd = clientOf(db).prepare(`SELECT ${convertedCentsSql("12345", "'USD'", "'1900-01-01'")}`).pluck().get();
    expect(usd).toBe(12_345);
  });

  it("leaves a deal without a rate out of the totals (not 1:1) and says what is missing", () => {
    const deals = creditPartnerDeals(db, partner.id, YEAR, ["sourced"]);
    const early = deals.find((d) => new Date(d.closedAt).toISOString().startsWith("2025-12-20"))!;
    expect(early).toMatchObject({ currency: "EUR", amountCents: 50_000, reportingCents: null });
    expect(early.credit.sourced).toBe(0);
    const total = 100_000 + 110_000 + 12_050 + 401;
    expect(creditAllPartners(db, YEAR, ["sourced"]).get("sourced")!.get(partner.id)).toEqual({ cents: total, deals: 5 });
    expect(creditAllPartners(db, YEAR, ["sourced", "linear"]).get("sourced")!.get(partner.id)?.cents).toBe(total);

    const stages = dealsByStage(db, partner.id, ASOF);
    expect(stages.find((s) => s.stage === "won")).toEqual({ stage: "won", deals: 5, amountCents: total });
    // Pipeline at asOf: the EUR deal at 1.205, the GBP deal has no rate at all.
    expect(stages.find((s) => s.stage === "approved")).toEqual({ stage: "approved", deals: 2, amountCents: 24_100 });

    expect(missingRates(db, { partnerId: partner.id }, ASOF)).toEqual({
      deals: 2,
      currencies: ["EUR", "GBP"],
      earliestDay: "2025-12-20",
      reportingCurrency: "USD",
    });
    // The rollups count the rate-less won deal as won, with no revenue.
    expect(rollupCredit(partner.id)).toBe(total);
    const wonDeals = clientOf(db).prepare(`SELECT sum(won_deals) FROM partner_month_outcomes WHERE partner_id = ?`).pluck().get(partner.id);
    expect(wonDeals).toBe(5);
  });
});

describe("changing rates", () => {
  it("refreshes the affected rollups in the same write, as a rebuild would, and audits it", () => {
    const before = rollupCredit(partner.id);
    const wonBefore = rollupWonCents();
    addExchangeRate(db, actor, { currency: "EUR", validFrom: "2025-12-01", rate: "1" });
    expect(rollupCredit(partner.id)).toBe(before + 50_000);
    expect(rollupWonCents()).toBe(wonBefore + 50_000);
    const incremental = rollupCredit(partner.id);
    rebuildRollups(db);
    expect(rollupCredit(partner.id)).toBe(incremental);
    expect(missingRates(db, { partnerId: partner.id }, ASOF)).toMatchObject({ deals: 1, currencies: ["GBP"], earliestDay: "2026-11-20" });

    const id = listExchangeRates(db).find((r) => r.validFrom === "2025-12-01")!.id;
    expect(deleteExchangeRate(db, actor, id)).toBe(true);
    expect(rollupCredit(partner.id)).toBe(before);
    expect(listAuditTrail(db, "exchange_rate", id).map((e) => e.action)).toEqual(["exchange_rate.added", "exchange_rate.deleted"]);
  });

  it("refuses a bad rate by field with what to fix", () => {
    let error: unknown;
    try {
      addExchangeRate(db, actor, { currency: "USD", validFrom: "2026-02-30", rate: "-1" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RateError);
    expect((error as RateError).problems).toEqual({
      currency: expect.stringMatching(/USD is the reporting currency/),
      validFrom: expect.stringMatching(/"2026-02-30" is not a date: write it as YYYY-MM-DD/),
      rate: expect.stringMatching(/not a rate/),
    });
  });

  it("applies an uploaded CSV all-or-nothing, naming each bad line", () => {
    const count = listExchangeRates(db).length;
    const bad = uploadExchangeRates(db, actor, "currency,valid_from,rate\nGBP,2026-01-01,1.27\nJPY,2026-01-01,0.0067\nGBP,2026-13-01,1.3\n");
    expect(bad).toEqual({
      ok: false,
      errors: [
        { line: 3, message: expect.stringMatching(/"JPY" is not a deal currency: use one of EUR, GBP/) },
        { line: 4, message: expect.stringMatching(/"2026-13-01" is not a date/) },
      ],
    });
    expect(listExchangeRates(db).length).toBe(count);
    expect(uploadExchangeRates(db, actor, "currency,valid_from,rate\nGBP,2026-01-01,1.27\n")).toEqual({ ok: true, applied: 1 });
    // GBP is covered now; the EUR deal of 2025-12-20 lost its rate with the deletion above.
    expect(missingRates(db, { partnerId: partner.id }, ASOF)).toMatchObject({ deals: 1, currencies: ["EUR"], earliestDay: "2025-12-20" });
  });
});
