// The report models against a real migrated SQLite: every figure checked against the rows the
// test inserted (worked out by hand or recomputed here from those rows), as of the period end.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, createUser, ensureDefaultProgram } from "../../db/factories";
import { partners, programSettings, tierReviews, type Deal, type Partner, type Tier } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { computeConcentration } from "../domain/concentration";
import { ecosystemReport } from "../domain/ecosystem.server";
import { programMetrics } from "../domain/program-metrics.server";
import { buildEcosystemReport, buildPartnerReport, partnerReportPeriods, ReportError, validateReportPeriod } from "./model.server";

const NOW = new Date("2026-11-15T12:00:00Z");
const PERIOD = "2026-10";
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

let db: DB;
let ladder: Record<string, Tier>;
let a: Partner;
let b: Partner;
let quiet: Partner;
const rowsOfA: Deal[] = [];

function dealOf(partnerId: number | null, values: Partial<Deal> & { title: string }, touch = true) {
  const customer = createCustomer(db, { name: `${values.title} Customer`, domain: `${values.title.toLowerCase().replace(/\W+/g, "-")}.test` });
  const deal = createDeal(db, { partnerId, customerId: customer.id, ...values }, { now: NOW, withSubmissionTouch: touch });
  if (partnerId === a?.id) rowsOfA.push(deal);
  return deal;
}

beforeEach(() => {
  db = createTestDatabase().db;
  ladder = Object.fromEntries(ensureDefaultProgram(db).tiers.map((t) => [t.name, t]));
  rowsOfA.length = 0;
  a = createPartner(db, { name: "Łódź Systems", slug: "lodz", tierId: ladder.Silver.id, joinedOn: "2025-01-01" });
  b = createPartner(db, { name: "Bravo Rival Networks", slug: "bravo", kind: "agency", joinedOn: "2025-01-01" });
  quiet = createPartner(db, { name: "Quiet Harbour Partners", slug: "quiet", joinedOn: "2025-01-01" });

  const won = (title: string, submitted: string, decided: string, closed: string, amountCents: number) =>
    dealOf(a.id, { title, stage: "won", submittedAt: at(submitted), decidedAt: at(decided), closedAt: at(closed), amountCents });
  won("Won Oct One", "2026-08-01", "2026-08-03", "2026-10-10", 3_000_000);
  won("Won Oct Two", "2026-09-05", "2026-09-07", "2026-10-20", 2_000_000);
  dealOf(a.id, { title: "Lost Oct", stage: "lost", submittedAt: at("2026-08-10"), decidedAt: at("2026-08-12"), closedAt: at("2026-10-05") });
  won("Won Sep", "2026-07-01", "2026-07-03", "2026-09-12", 1_500_000);
  won("Won Dec", "2025-11-01", "2025-11-03", "2025-12-15", 500_000);
  won("Won Long Ago", "2025-08-01", "2025-08-02", "2025-10-20", 9_900_000);
  dealOf(a.id, { title: "Submitted Oct", stage: "submitted", submittedAt: at("2026-10-03"), amountCents: 700_000 });
  dealOf(a.id, {
    title: "Approved Oct",
    stage: "approved",
    submittedAt: at("2026-10-05"),
    decidedAt: at("2026-10-07"),
    protectionEndsAt: at("2027-01-05"),
    amountCents: 800_000,
  });
  dealOf(a.id, { title: "Rejected Oct", stage: "rejected", submittedAt: at("2026-10-08"), decidedAt: at("2026-10-09") });
  dealOf(a.id, {
    title: "Expiring Soon",
    stage: "approved",
    submittedAt: at("2026-07-01"),
    decidedAt: at("2026-07-20"),
    protectionEndsAt: at("2026-11-08"),
    amountCents: 900_000,
  });
  // Decided after the period end: still waiting at the end of October.
  dealOf(a.id, { title: "Approved Later", stage: "approved", submittedAt: at("2026-10-28"), decidedAt: at("2026-11-03"), amountCents: 1_100_000 });
  // Won after the period end: still open (approved) at the end of October.
  won("Won Later", "2026-09-20", "2026-09-22", "2026-11-05", 1_200_000);

  // A direct deal A only touched (influenced) and a deal B registered that A touched too.
  const direct = dealOf(null, { title: "Direct Touched", stage: "won", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-02"), closedAt: at("2026-10-15"), amountCents: 1_000_000 });
  createTouch(db, { dealId: direct.id, partnerId: a.id, occurredAt: at("2026-09-10"), kind: "technical_validation" });
  const shared = dealOf(b.id, { title: "Shared Win", stage: "won", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-02"), closedAt: at("2026-10-25"), amountCents: 4_000_000 });
  createTouch(db, { dealId: shared.id, partnerId: a.id, occurredAt: at("2026-10-01"), kind: "co_sell_meeting" });
  // B's own business, which must not leak into A's figures.
  dealOf(b.id, { title: "Bravo Big Win", stage: "won", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-02"), closedAt: at("2026-10-02"), amountCents: 7_777_700 });
  dealOf(b.id, { title: "Bravo Pending", stage: "submitted", submittedAt: at("2026-10-11") });
  // Direct, untouched.
  dealOf(null, { title: "Pure Direct", stage: "won", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-02"), closedAt: at("2026-10-30"), amountCents: 500_000 }, false);
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

    expect(report.wonDeals.map((d) => [d.title, d.creditCents, d.source])).toEqual([
      ["Shared Win", 0, "influenced"],
      ["Won Oct Two", 2_000_000, "sourced"],
      ["Direct Touched", 0, "influenced"],
      ["Won Oct One", 3_000_000, "sourced"],
    ]);
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
      "You need $180,000 more attributed revenue and 6 more won deals to reach Gold.",
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
      "You need $50,000 more attributed revenue or 3 more won deals to reach Silver.",
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

describe("buildEcosystemReport", () => {
  it("has the program's figures for the month", () => {
    createPartner(db, { name: "Newcomer Ltd", slug: "newcomer", joinedOn: "2026-10-12" });
    createPartner(db, { name: "Applicant Co", slug: "applicant", status: "applied", joinedOn: "2026-10-13" });
    createPartner(db, { name: "Gone Away", slug: "gone", status: "churned", joinedOn: "2025-01-01" });
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });

    expect(report.partners).toEqual({ active: 4, joined: 1, joinedNames: ["Newcomer Ltd"] });
    // A: 4 submitted, 1 approved, 1 rejected in October; B: 1 submitted.
    expect(report.registrations).toMatchObject({ submitted: 5, approved: 1, rejected: 1 });
    expect(report.registrations.previous).toMatchObject({ submitted: 4, approved: 4, rejected: 0 });

    expect(report.revenue.sourced).toMatchObject({ cents: 3_000_000 + 2_000_000 + 4_000_000 + 7_777_700, deals: 4 });
    expect(report.revenue.influenced).toMatchObject({ cents: 1_000_000, deals: 1 });
    expect(report.revenue.direct).toMatchObject({ cents: 500_000, deals: 1 });
    expect(report.revenue.totalCents).toBe(18_277_700);

    // Trailing 12 months to Nov 1, sourced: A 70,000; B 117,777; the others nothing.
    expect(report.topPartners.rows.map((r) => [r.rank, r.name, r.cents, r.deals])).toEqual([
      [1, "Bravo Rival Networks", 11_777_700, 2],
      [2, "Łódź Systems", 7_000_000, 4],
    ]);
    const expected = computeConcentration([7_000_000, 11_777_700, 0, 0]);
    expect(report.concentration).toMatchObject({ n: 4, revenueCents: 18_777_700, hhi: expected.hhi, n80: 2, top20Count: 1 });
    // Shares 62.7% and 37.3%: HHI = 62.7² + 37.3² ≈ 5,324, highly concentrated.
    expect(report.concentration.hhi).toBeCloseTo((11_777_700 / 187_777) ** 2 + (7_000_000 / 187_777) ** 2, 6);
    expect(report.concentration).toMatchObject({ band: "highly_concentrated", bandLabel: "Highly concentrated", largestShareAlert: true });
    expect(report.queue).toMatchObject({ pendingTierReviews: 0, pendingApplications: 0 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("takes its 12-month sections from the ecosystem page's computation as of the first instant after the period", () => {
    createPartner(db, { name: "Newcomer Ltd", slug: "newcomer", joinedOn: "2026-10-12" });
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });
    const page = ecosystemReport(db, new Date("2026-11-01T00:00:00Z"));

    // November 2025 … October 2026: what the page shows on 1 November 2026.
    expect(report.asOf).toBe("2026-11-01T00:00:00.000Z");
    expect(report.analyticsWindow).toEqual({
      from: "2025-11-01T00:00:00.000Z",
      to: "2026-11-01T00:00:00.000Z",
      lastDay: "2026-10-31",
      fromMonth: "2025-11",
      endMonth: "2026-11",
    });
    expect(report.concentration.window).toEqual({ from: page.snapshot.period.from, to: page.snapshot.period.to });
    const c = page.snapshot.concentration;
    expect(report.concentration).toMatchObject({ n: c.n, hhi: c.hhi, top20Share: c.top20Share, n80: c.n80, gini: c.gini, largestShare: c.largestShare });
    expect(report.concentration.text).toEqual({
      hhi: Number(c.hhi!.toFixed(0)).toLocaleString("en-US"),
      effectivePartners: c.effectivePartners!.toFixed(1),
      top20Share: "62.7%",
      n80: "2",
      gini: c.gini.toFixed(3),
      largestShare: "62.7%",
    });
    expect(report.concentration.largestPartner).toEqual({ name: "Bravo Rival Networks", slug: "bravo" });
    // The trend's last point is the snapshot; at the end of September only A had revenue
    // ("Won Long Ago" was still in the window), so HHI 10,000: no move into a higher band.
    expect(report.concentration.trend).toHaveLength(12);
    expect(report.concentration.trend.at(-1)).toMatchObject({ monthEnd: "2026-10-31", hhi: c.hhi, n80: 2 });
    expect(report.concentration.trend.at(-2)).toMatchObject({ monthEnd: "2026-09-30", hhi: 10_000, n80: 1, text: { hhi: "10,000" } });
    expect(report.alerts).toEqual([
      {
        kind: "largest_share",
        partner: { slug: "bravo", name: "Bravo Rival Networks" },
        share: 11_777_700 / 18_777_700,
        text: "Bravo Rival Networks brings 62.7% of credited revenue, above the 25% alert line.",
      },
    ]);

    // Head: B and A; tail: the two partners without revenue.
    expect(report.headTail.head).toMatchObject({ partners: 2, revenueCents: 18_777_700, share: 1 });
    expect(report.headTail.tail).toMatchObject({ partners: 2, revenueCents: 0, share: 0 });
    // Quiet has had no registration or touch since it joined: dormant. The newcomer joined 20
    // days before the as-of and has registered nothing: neither ramping nor dormant yet.
    expect(report.longTail).toMatchObject({ partners: 2, flagged: 1, more: 0 });
    expect(report.longTail.flagCounts).toEqual([
      { flag: "rising", label: "Rising", count: 0 },
      { flag: "efficient", label: "Efficient", count: 0 },
      { flag: "ramping", label: "Ramping", count: 0 },
      { flag: "dormant", label: "Dormant", count: 1 },
    ]);
    expect(report.longTail.top).toHaveLength(1);
    expect(report.longTail.top[0]).toMatchObject({ name: "Quiet Harbour Partners", revenueCents: 0, kindLabel: "Reseller" });
    expect(report.longTail.top[0].flags).toEqual([
      {
        flag: "dormant",
        label: "Dormant",
        text: "no registration or touch yet",
        evidence: { flag: "dormant", lastActivityOn: null, daysSinceActivity: null },
      },
    ]);

    // Closed Nov 2025 … Oct 2026. Partner-involved: A's four wins and one loss, B's two wins
    // (sourced), the touched direct deal (influenced). Direct: the untouched one.
    const metric = Object.fromEntries(report.program.metrics.map((m) => [m.key, m]));
    expect(Object.keys(metric)).toEqual(["winRate", "acv", "medianCycleDays", "nrr", "logoChurn"]);
    expect(metric.winRate.involved).toMatchObject({ value: 7 / 8, n: 8, lowSample: true, text: "87.5%", sampleText: "n = 8 closed deals" });
    expect(metric.winRate.direct).toMatchObject({ value: 1, n: 1, lowSample: true, text: "100.0%" });
    const involvedWon = 3_000_000 + 2_000_000 + 1_500_000 + 500_000 + 4_000_000 + 7_777_700 + 1_000_000;
    expect(metric.acv.involved).toMatchObject({ value: involvedWon / 7, n: 7, text: "$28,254" });
    expect(metric.acv.direct).toMatchObject({ value: 500_000, n: 1, text: "$5,000" });
    expect(metric.nrr.involved).toMatchObject({ value: null, n: 0, lowSample: true, text: "—" });
    expect(report.program.revenueSplit.totalCents).toBe(involvedWon + 500_000);
    expect(report.program.revenueSplit.parts.map((p) => [p.source, p.cents, p.wonDeals.n])).toEqual([
      ["sourced", involvedWon - 1_000_000, 6],
      ["influenced", 1_000_000, 1],
      ["direct", 500_000, 1],
    ]);
    const program = programMetrics(db, new Date("2026-11-01T00:00:00Z"));
    expect(metric.medianCycleDays.involved.value).toBe(program.involved.medianCycleDays.value);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
