// The partner report builder against a real migrated SQLite: every figure checked against the
// rows the test inserted (worked out by hand or recomputed here from those rows), as of the
// period end.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createUser, registrationInput } from "../../db/factories";
import { partners, programSettings, tierReviews, type Deal, type Partner, type Tier } from "../../db/schema";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "../domain/audit.server";
import { registerDeal, rejectRegistration } from "../domain/deals.server";
import { moreWonDealsSentence, ReportError, validateReportPeriod, WON_DEAL_ROW_LIMIT } from "./contract";
import { at, createReportWorld, NOW, PERIOD } from "./monthly-reports.fixture";
import { buildPartnerReport, partnerReportPeriods } from "./partner-report.server";
import { openRegistrationsAt, openRegistrationTotalsAt } from "../domain/deal-activity.server";

let db: DB;
let ladder: Record<string, Tier>;
let a: Partner;
let b: Partner;
let quiet: Partner;
let rowsOfA: Deal[];

beforeEach(() => {
  ({ db, ladder, a, b, quiet, rowsOfA } = createReportWorld());
});

afterEach(() => closeDatabase(db));

const inMonth = (d: Date | null, from: string, to: string) => d !== null && d >= new Date(from) && d < new Date(to);
const OCT = ["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"] as const;
const SEP = ["2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"] as const;

describe("buildPartnerReport", () => {
  it("computes the month's KPIs and their deltas from the inserted rows", () => {
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    const kpi = Object.fromEntries(report.kpis.map((k) => [k.key, k]));

    // Credited revenue under the program model (sourced): A's own won deals closed in the month.
    const credited = (range: readonly [string, string]) =>
      rowsOfA.filter((d) => d.stage === "won" && inMonth(d.closedAt, ...range)).reduce((s, d) => s + d.amountCents, 0);
    expect(kpi.creditedRevenue).toMatchObject({ value: credited(OCT), previous: credited(SEP), trend: "up" });
    expect(kpi.creditedRevenue.value).toBe(5_000_000);
    expect(kpi.creditedRevenue.delta).toBe(3_500_000);
    expect(kpi.creditedRevenue.text).toEqual({ value: "$50,000", previous: "$15,000", delta: "+$35,000" });

    expect(kpi.dealsWon).toMatchObject({ value: 2, previous: 1, delta: 1, trend: "up" });

    const submitted = (range: readonly [string, string]) => rowsOfA.filter((d) => inMonth(d.submittedAt, ...range)).length;
    expect(kpi.registrationsSubmitted).toMatchObject({ value: submitted(OCT), previous: submitted(SEP) });
    expect(kpi.registrationsSubmitted).toMatchObject({ value: 4, previous: 2, delta: 2 });

    const approved = (range: readonly [string, string]) =>
      rowsOfA.filter((d) => d.stage !== "rejected" && d.stage !== "submitted" && inMonth(d.decidedAt, ...range)).length;
    expect(kpi.registrationsApproved).toMatchObject({ value: approved(OCT), previous: approved(SEP) });
    expect(kpi.registrationsApproved).toMatchObject({ value: 1, previous: 2, delta: -1, trend: "down" });

    // Two won and one lost in October, one won in September.
    expect(kpi.winRate).toMatchObject({ value: 6667, previous: 10_000, delta: -3333, trend: "down", note: "2 of 3 closed deals" });
    expect(kpi.winRate.text).toEqual({ value: "66.7%", previous: "100%", delta: "−33.3 pts" });
    expect(report.hasActivity).toBe(true);
  });

  it("has the 12-month trend ending with the period and the month under every model", () => {
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    expect(report.periodLabel).toBe("October 2026");
    expect(report.previousPeriodLabel).toBe("September 2026");
    expect(report.trend.months.map((m) => m.period)).toEqual([
      "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
      "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
    ]);
    const byMonth = Object.fromEntries(report.trend.months.map((m) => [m.period, m.cents]));
    expect(byMonth).toMatchObject({ "2025-12": 500_000, "2026-09": 1_500_000, "2026-10": 5_000_000, "2026-01": 0 });
    expect(report.trend.totalCents).toBe(7_000_000); // "Won Long Ago" closed before the window
    expect(report.trend.months.at(-1)).toMatchObject({ current: true, shortLabel: "Oct" });

    const models = Object.fromEntries(report.attribution.map((m) => [m.model, m.cents]));
    expect(report.attribution[0]).toMatchObject({ model: "sourced", programModel: true });
    // sourced: A's two registrations. linear: those (one touch each), the direct deal (A's only
    // touch) and half of the shared win. first: the shared win's first touch is B's. last: A's.
    expect(models).toMatchObject({ sourced: 5_000_000, linear: 8_000_000, first: 6_000_000, last: 10_000_000, position: 8_000_000 });

    // A deal A did not register is named by its domain and product line: its title is the
    // registrant's (or the vendor's) wording, not A's.
    // Only the deals the "Deals won" figure counts are listed; the two touched deals that give
    // nothing under Sourced are one sentence.
    expect(report.wonDeals.map((d) => [d.title, d.creditCents, d.source])).toEqual([
      ["Won Oct One", 3_000_000, "sourced"],
      ["Won Oct Two", 2_000_000, "sourced"],
    ]);
    expect(report.wonDeals).toHaveLength(report.kpis.find((k) => k.key === "dealsWon")!.value!);
    expect(report.moreWonDeals).toBe(0);
    expect(report.uncreditedWonDeals).toBe(2);
  });

  it("lists only the largest credits of a busy month and counts the rest, pointing to the Attribution page", () => {
    const amounts = Array.from({ length: WON_DEAL_ROW_LIMIT + 7 }, (_, i) => 100_000 + ((i * 7919) % 97) * 1_000 + i);
    for (const [i, amountCents] of amounts.entries()) {
      createDeal(db, {
        partnerId: a.id,
        stage: "won",
        title: `Busy ${i}`,
        amountCents,
        submittedAt: new Date("2026-09-01T00:00:00Z"),
        closedAt: new Date(`2026-10-${String(2 + (i % 27)).padStart(2, "0")}T10:00:00Z`),
      });
    }
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    const dealsWon = report.kpis.find((k) => k.key === "dealsWon")!.value!;
    expect(dealsWon).toBe(2 + amounts.length);
    expect(report.wonDeals).toHaveLength(WON_DEAL_ROW_LIMIT);
    expect(report.moreWonDeals).toBe(dealsWon - WON_DEAL_ROW_LIMIT);
    // The largest credits, largest first: the two earlier October wins (3M, 2M) and the 23 biggest busy ones.
    const expected = [3_000_000, 2_000_000, ...amounts].sort((x, y) => y - x).slice(0, WON_DEAL_ROW_LIMIT);
    expect(report.wonDeals.map((d) => d.creditCents)).toEqual(expected);
    expect(moreWonDealsSentence(report)).toBe(
      `…and ${dealsWon - WON_DEAL_ROW_LIMIT} more won deals that credit you, with smaller credits: the full list is on the Attribution page of the portal for October 2026.`
    );
    // The credited figures still count every deal.
    expect(report.kpis.find((k) => k.key === "creditedRevenue")!.value).toBe(5_000_000 + amounts.reduce((x, y) => x + y, 0));
  });

  it("counts and totals the whole pipeline in one aggregate, listing only the first rows", () => {
    const end = new Date("2026-11-01T00:00:00Z");
    const soon = end.getTime() + 14 * 86_400_000;
    const all = openRegistrationsAt(db, a.id, end);
    expect(all.length).toBeGreaterThan(3);
    const expiring = all.filter((r) => r.decidedAt !== null && r.decidedAt < end.getTime() && r.stage !== "rejected" && r.protectionEndsAt !== null && r.protectionEndsAt <= soon);
    expect(openRegistrationTotalsAt(db, a.id, end, soon)).toEqual({
      count: all.length,
      totalCents: all.reduce((s, r) => s + (r.reportingCents ?? 0), 0),
      missingRates: all.filter((r) => r.reportingCents === null).length,
      expiringSoon: expiring.length,
    });
    expect(expiring.length).toBeGreaterThan(0);
    expect(openRegistrationsAt(db, a.id, end, 2)).toEqual(all.slice(0, 2));
  });

  it("shows the pipeline and tier as they stood at the period end", () => {
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    const pipeline = Object.fromEntries(report.pipeline.deals.map((d) => [d.title, d]));
    expect(Object.keys(pipeline).sort()).toEqual(["Approved Later", "Approved Oct", "Expiring Soon", "Submitted Oct", "Won Later"]);
    expect(pipeline["Approved Later"]).toMatchObject({ stage: "submitted", protectionEndsOn: null, expiresSoon: false });
    expect(pipeline["Won Later"]).toMatchObject({ stage: "approved", expiresSoon: false });
    expect(pipeline["Expiring Soon"]).toMatchObject({ stage: "approved", protectionEndsOn: "2026-11-08", expiresSoon: true });
    expect(report.pipeline.deals[0].title).toBe("Expiring Soon"); // soonest protection end first
    expect(report.pipeline).toMatchObject({ count: 5, expiringSoon: 1, more: 0, totalCents: 700_000 + 800_000 + 900_000 + 1_100_000 + 1_200_000 });

    // Trailing 12 months to Nov 1: Won Oct One, Won Oct Two, Won Sep, Won Dec; one loss.
    expect(report.tier.current.name).toBe("Silver");
    expect(report.tier.next).toMatchObject({ name: "Gold", rule: "all" });
    expect(report.tier.metrics).toMatchObject({ revenueCents: 7_000_000, wonDeals: 4, closedDeals: 5, winRateBp: 8000 });
    expect(report.tier.thresholds.map((t) => [t.key, t.have, t.need, t.remaining, t.fraction])).toEqual([
      ["revenue", 7_000_000, 25_000_000, 18_000_000, 0.28],
      ["wonDeals", 4, 10, 6, 0.4],
    ]);
    expect(report.actions.map((x) => x.text)).toEqual([
      "1 registration expires within 14 days: close or update it.",
      "You need $180,000 more credited revenue and 6 more won deals to reach Gold.",
    ]);
  });

  it("takes the tier the partner had at the period end, not today's", () => {
    db.insert(tierReviews)
      .values({
        partnerId: a.id,
        period: "2026-10",
        fromTierId: ladder.Registered.id,
        toTierId: ladder.Silver.id,
        direction: "upgrade",
        metrics: {},
        status: "approved",
        decidedAt: at("2026-11-02"),
      })
      .run();
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    expect(report.partner.tier).toBe("Registered");
    expect(report.tier).toMatchObject({ current: { name: "Registered" }, next: { name: "Silver" }, nextQualifies: true });
    expect(buildPartnerReport(db, a.id, "2026-11", { now: NOW }).partner.tier).toBe("Silver");
  });

  it("follows the program's attribution model", () => {
    db.update(programSettings).set({ attributionModel: "linear" }).where(eq(programSettings.id, 1)).run();
    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    expect(report.model).toBe("linear");
    expect(report.attribution[0]).toMatchObject({ model: "linear", cents: 8_000_000, programModel: true });
    expect(report.kpis[0]).toMatchObject({ key: "creditedRevenue", value: 8_000_000 });
    expect(report.kpis[1]).toMatchObject({ key: "dealsWon", value: 4 });
    // A logged a co-sell meeting in October: no nudge to log touches.
    expect(report.actions.map((x) => x.key)).not.toContain("log_touches");
    const empty = buildPartnerReport(db, quiet.id, PERIOD, { now: NOW });
    expect(empty.actions.map((x) => x.key)).toContain("log_touches");
  });

  it("gives a partner with no activity a report with zeros and sensible actions", () => {
    const report = buildPartnerReport(db, quiet.id, PERIOD, { now: NOW });
    expect(report.hasActivity).toBe(false);
    expect(report.kpis.map((k) => [k.key, k.value, k.previous])).toEqual([
      ["creditedRevenue", 0, 0],
      ["dealsWon", 0, 0],
      ["registrationsSubmitted", 0, 0],
      ["registrationsApproved", 0, 0],
      ["winRate", null, null],
    ]);
    expect(report.kpis[4]).toMatchObject({ trend: "none", text: { value: "—", delta: "—" }, note: "no deal closed" });
    expect(report.trend.totalCents).toBe(0);
    expect(report.wonDeals).toEqual([]);
    expect(report.pipeline.count).toBe(0);
    expect(report.tier).toMatchObject({ current: { name: "Registered" }, next: { name: "Silver", rule: "any" }, nextQualifies: false });
    expect(report.actions.map((x) => x.text)).toEqual([
      "You need $50,000 more credited revenue or 3 more won deals to reach Silver.",
      "No registrations this month: register your next opportunity to protect it for 90 days.",
    ]);
  });

  it("never carries another partner's name or figures", () => {
    createUser(db, { role: "partner_admin", partnerId: b.id, name: "Bob Bravo", email: "bob@bravo.test" });
    const json = JSON.stringify(buildPartnerReport(db, a.id, PERIOD, { now: NOW }));
    expect(json).toContain("Łódź Systems");
    for (const leak of ["Bravo", "bravo", "Quiet Harbour", "7777700", "$77,777"]) expect(json).not.toContain(leak);
    expect(JSON.parse(json)).toEqual(buildPartnerReport(db, a.id, PERIOD, { now: NOW }));
    const quietJson = JSON.stringify(buildPartnerReport(db, quiet.id, PERIOD, { now: NOW }));
    for (const leak of ["Łódź", "Bravo", "Shared Win", "Won Oct"]) expect(quietJson).not.toContain(leak);
  });

  it("refuses a malformed or future period and an unknown partner", () => {
    for (const bad of ["2026-13", "2026-1", "26-10", "2026-10-01", "", "2026-12"]) {
      expect(() => buildPartnerReport(db, a.id, bad, { now: NOW }), bad).toThrow(ReportError);
    }
    expect(() => validateReportPeriod("2026-11", NOW)).not.toThrow(); // the current month, so far
    expect(() => buildPartnerReport(db, 999_999, PERIOD, { now: NOW })).toThrow(expect.objectContaining({ status: 404 }));
  });

  it("lists the months from the partner's first month up to last month, newest first", () => {
    expect(partnerReportPeriods(db, quiet.id, NOW)).toHaveLength(22); // 2025-01 … 2026-10
    expect(partnerReportPeriods(db, quiet.id, NOW).slice(0, 2)).toEqual(["2026-10", "2026-09"]);
    expect(partnerReportPeriods(db, quiet.id, NOW).at(-1)).toBe("2025-01");
    // Imported history older than the join date counts.
    expect(partnerReportPeriods(db, a.id, NOW).at(-1)).toBe("2025-01");
    db.update(partners).set({ joinedOn: "2026-01-10" }).where(eq(partners.id, a.id)).run();
    expect(partnerReportPeriods(db, a.id, NOW).at(-1)).toBe("2025-08");
    const fresh = createPartner(db, { name: "Brand New", slug: "brand-new", joinedOn: "2026-11-02" });
    expect(partnerReportPeriods(db, fresh.id, NOW)).toEqual([]);
  });
});


describe("the customer names in a partner's report", () => {
  it("are the ones that partner typed, never another partner's wording on the shared customer record", () => {
    const aUser = createUser(db, { role: "partner_user", partnerId: a.id });
    const bUser = createUser(db, { role: "partner_user", partnerId: b.id });
    const staff = createUser(db, { role: "partner_manager" });
    // B registers first (its wording becomes the customer record's), A registers later.
    const first = registerDeal(
      db,
      { userId: bUser.id, partnerId: b.id, actor: actorOf(bUser) },
      registrationInput("typed-names.test", { companyName: "Codename Beta Corp" }),
      at("2026-10-02"),
    );
    if (first.status !== "registered") throw new Error("not registered");
    rejectRegistration(db, actorOf(staff), first.dealId, "Duplicate of a direct opportunity.", at("2026-10-03"));
    const own = registerDeal(
      db,
      { userId: aUser.id, partnerId: a.id, actor: actorOf(aUser) },
      registrationInput("typed-names.test", { companyName: "Alpha Typed Ltd" }),
      at("2026-10-04"),
    );
    if (own.status !== "registered") throw new Error("not registered");
    // A deal from before deals kept the typed name, on a record another partner worded.
    const legacyCustomer = createCustomer(db, { name: "Codename Legacy Corp", domain: "typed-legacy.test" });
    createDeal(db, { customerId: legacyCustomer.id, partnerId: b.id, stage: "rejected", submittedAt: at("2026-10-01") });
    createDeal(db, {
      customerId: legacyCustomer.id,
      partnerId: a.id,
      title: "Alpha Legacy Ltd — Platform",
      productLine: "Platform",
      customerName: "",
      submittedAt: at("2026-10-05"),
    });

    const report = buildPartnerReport(db, a.id, PERIOD, { now: NOW });
    const customers = report.pipeline.deals.map((d) => d.customer);
    expect(customers).toContain("Alpha Typed Ltd");
    expect(customers).toContain("Alpha Legacy Ltd");
    expect(JSON.stringify(report)).not.toContain("Codename");
  });
});
