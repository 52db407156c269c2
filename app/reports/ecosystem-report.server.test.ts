// The ecosystem report builder against a real migrated SQLite: the month's figures from the
// rows the test inserted, the 12-month sections from the ecosystem page's own computation.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPartner } from "../../db/factories";
import { closeDatabase, type DB } from "../db.server";
import { computeConcentration } from "../domain/concentration";
import { ecosystemReport } from "../domain/ecosystem.server";
import { programMetrics } from "../domain/program-metrics.server";
import { buildEcosystemReport } from "./ecosystem-report.server";
import { createReportWorld, NOW, PERIOD } from "./monthly-reports.fixture";

let db: DB;

beforeEach(() => {
  ({ db } = createReportWorld());
});

afterEach(() => closeDatabase(db));

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
