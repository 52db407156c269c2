// Ecosystem health against a real migrated SQLite: on a small generated program the figures
// equal computeConcentration over revenue summed independently by the attribution engine, the
// memoized report follows changes, alerts fire on hand-built programs, and the CLI agrees.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { partners, programSettings } from "../../db/schema";
import { DEMO_PASSWORD_HASH } from "../../db/seed/demo-accounts";
import { generateProgram } from "../../db/seed/program";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, openDatabase, type DB } from "../db.server";
import { creditAllPartners, programModel, trailing12Months } from "./attribution.server";
import { actorOf } from "./audit.server";
import { computeConcentration } from "./concentration";
import { markWon } from "./deals.server";
import { analyticsPeriod, concentrationTrend, ecosystemReport, ecosystemSnapshot, filterLongTail, partnerPlacement } from "./ecosystem.server";
import { rebuildRollups } from "./rollups.server";

const AS_OF = new Date("2026-03-17T09:30:00Z");
/** The as-of month's first instant: the window is the 12 months before it. */
const PERIOD_END = new Date("2026-03-01T00:00:00Z");

let db: DB;
let file: string;

/** Every active partner's revenue under the model, zeros included, from the attribution engine. */
function independentRevenue(end: Date, model = programModel(db)) {
  const credited = creditAllPartners(db, trailing12Months(end), [model]).get(model)!;
  const active = db.select({ id: partners.id, slug: partners.slug }).from(partners).where(eq(partners.status, "active")).all();
  return active.map((p) => ({ ...p, revenueCents: credited.get(p.id)?.cents ?? 0 }));
}

function expectSameFigures(actual: object, expected: ReturnType<typeof computeConcentration>) {
  const e = expected;
  expect(actual).toMatchObject({ n: e.n, revenueCents: e.revenueCents, n80: e.n80 });
  const a = actual as typeof e;
  expect(a.hhi).toBeCloseTo(e.hhi!, 9);
  expect(a.top20Share).toBeCloseTo(e.top20Share!, 12);
  expect(a.gini).toBeCloseTo(e.gini, 12);
  expect(a.largestShare).toBeCloseTo(e.largestShare!, 12);
}

beforeAll(() => {
  ({ db, file } = createTestDatabase());
  generateProgram(db, {
    seed: 11,
    partners: 45,
    deals: 2500,
    months: 26,
    asOf: new Date("2026-03-17T00:00:00Z"),
    passwordHash: DEMO_PASSWORD_HASH,
  });
});

afterAll(() => closeDatabase(db));

describe("analyticsPeriod", () => {
  it("is the 12 calendar months before the as-of month", () => {
    const p = analyticsPeriod(AS_OF);
    expect(p).toMatchObject({
      fromMonth: "2025-03",
      endMonth: "2026-03",
      from: "2025-03-01T00:00:00.000Z",
      to: "2026-03-01T00:00:00.000Z",
      lastDay: "2026-02-28",
    });
    expect(p.months).toHaveLength(12);
    expect(p.months[11]).toBe("2026-02");
    // On the 1st of a month it is exactly trailing12Months.
    const t = trailing12Months(PERIOD_END);
    expect([t.from.toISOString(), t.to.toISOString()]).toEqual([p.from, p.to]);
  });
});

describe("ecosystemSnapshot", () => {
  it("equals computeConcentration over independently summed revenue of the active partners", () => {
    const snapshot = ecosystemSnapshot(db, AS_OF);
    const revenue = independentRevenue(PERIOD_END);
    expectSameFigures(snapshot.concentration, computeConcentration(revenue.map((r) => r.revenueCents)));
    const bySlug = new Map(snapshot.partners.map((p) => [p.slug, p.revenueCents]));
    expect(Object.fromEntries(bySlug)).toEqual(Object.fromEntries(revenue.map((r) => [r.slug, r.revenueCents])));
    // Head = the N80 largest; the rest is the tail; together all of the revenue.
    expect(snapshot.head.partners).toBe(snapshot.concentration.n80);
    expect(snapshot.head.partners + snapshot.tail.partners).toBe(revenue.length);
    expect(snapshot.head.revenueCents + snapshot.tail.revenueCents).toBe(snapshot.concentration.revenueCents);
    expect(snapshot.lorenz[0]).toEqual({ partners: 0, revenue: 0 });
    expect(snapshot.pareto.at(-1)!.revenue).toBeCloseTo(1, 12);
  });

  it("follows the program model (every model is rolled up)", () => {
    db.update(programSettings).set({ attributionModel: "time_decay" }).where(eq(programSettings.id, 1)).run();
    try {
      const snapshot = ecosystemSnapshot(db, AS_OF);
      expect(snapshot.model).toBe("time_decay");
      expectSameFigures(
        snapshot.concentration,
        computeConcentration(independentRevenue(PERIOD_END, "time_decay").map((r) => r.revenueCents)),
      );
    } finally {
      db.update(programSettings).set({ attributionModel: "sourced" }).where(eq(programSettings.id, 1)).run();
    }
  });
});

describe("concentrationTrend", () => {
  it("gives the figures at each of the last 12 month-ends, the last being the snapshot's", () => {
    const trend = concentrationTrend(db, AS_OF);
    expect(trend.map((p) => p.monthEnd)).toEqual([
      "2025-03-31",
      "2025-04-30",
      "2025-05-31",
      "2025-06-30",
      "2025-07-31",
      "2025-08-31",
      "2025-09-30",
      "2025-10-31",
      "2025-11-30",
      "2025-12-31",
      "2026-01-31",
      "2026-02-28",
    ]);
    for (const [k, end] of [
      [0, "2025-04-01"],
      [6, "2025-10-01"],
      [11, "2026-03-01"],
    ] as const) {
      const expected = computeConcentration(independentRevenue(new Date(`${end}T00:00:00Z`)).map((r) => r.revenueCents));
      expectSameFigures(trend[k]!, expected);
    }
  });
});

describe("partnerPlacement (the partner page)", () => {
  it("gives each partner the rank and flags the ecosystem report gives it, and nothing for a partner outside it", () => {
    const report = ecosystemReport(db, AS_OF);
    const tail = new Map(report.longTail.rows.map((r) => [r.partner.id, r.flags]));
    let flagged = 0;
    for (const p of report.snapshot.partners) {
      const placed = partnerPlacement(db, p.id, AS_OF);
      expect({ id: p.id, rank: placed?.partner.rank, inHead: placed?.partner.inHead, flags: placed?.flags }).toEqual({
        id: p.id,
        rank: p.rank,
        inHead: p.inHead,
        flags: tail.get(p.id) ?? [],
      });
      if (placed?.flags.length) flagged++;
    }
    expect(flagged).toBeGreaterThan(0);
    const inactive = db.select({ id: partners.id }).from(partners).where(eq(partners.status, "applied")).get();
    if (inactive) expect(partnerPlacement(db, inactive.id, AS_OF)).toBeNull();
    expect(partnerPlacement(db, 9_999_999, AS_OF)).toBeNull();
  });
});

describe("ecosystemReport", () => {
  it("flags only tail partners, with the numbers behind each flag", () => {
    const report = ecosystemReport(db, AS_OF);
    const headIds = new Set(report.snapshot.partners.filter((p) => p.inHead).map((p) => p.id));
    expect(report.longTail.rows).toHaveLength(report.snapshot.tail.partners);
    expect(report.longTail.rows.every((r) => !headIds.has(r.partner.id))).toBe(true);
    for (const row of report.longTail.rows) {
      for (const e of row.flags) {
        if (e.flag === "rising") expect(e.last3Cents).toBe(row.partner.last3Cents);
        if (e.flag === "efficient") expect(e.closedDeals).toBe(row.partner.wonDeals + row.partner.lostDeals);
      }
    }
    const kind = report.longTail.rows[0]!.partner.kind;
    expect(filterLongTail(report.longTail.rows, { kind }).every((r) => r.partner.kind === kind)).toBe(true);
  });

  it("recomputes after a deal is won back-dated into the window (memo keyed on rollup versions)", () => {
    const before = ecosystemReport(db, AS_OF);
    const smallest = before.snapshot.partners.at(-1)!;
    const manager = createUser(db, { role: "partner_manager" });
    const deal = createDeal(db, { partnerId: smallest.id, stage: "approved", submittedAt: new Date("2025-12-01T00:00:00Z") });
    markWon(db, actorOf(manager), deal.id, 987_654_00, new Date("2026-01-15T12:00:00Z"));
    const after = ecosystemReport(db, AS_OF);
    expect(after.snapshot.partners.find((p) => p.id === smallest.id)!.revenueCents).toBe(smallest.revenueCents + 987_654_00);
    expectSameFigures(after.snapshot.concentration, computeConcentration(independentRevenue(PERIOD_END).map((r) => r.revenueCents)));
    expect(after.trend.at(-1)!.revenueCents).toBe(after.snapshot.concentration.revenueCents);
  });

  it("follows another connection's commit (another server process) and forgets what a rolled-back transaction read", () => {
    const first = ecosystemReport(db, AS_OF).snapshot.partners[0]!;
    const other = openDatabase(file);
    try {
      other.update(partners).set({ name: "Renamed Elsewhere Ltd" }).where(eq(partners.id, first.id)).run();
    } finally {
      closeDatabase(other);
    }
    const renamed = ecosystemReport(db, AS_OF);
    expect(renamed.snapshot.partners[0]).toMatchObject({ id: first.id, name: "Renamed Elsewhere Ltd" });

    const rollback = new Error("rolled back");
    expect(() =>
      db.transaction((tx) => {
        tx.update(partners).set({ name: "Never Committed Ltd" }).where(eq(partners.id, first.id)).run();
        expect(ecosystemReport(db, AS_OF).snapshot.partners[0]!.name).toBe("Never Committed Ltd");
        throw rollback;
      }),
    ).toThrow(rollback);
    expect(ecosystemReport(db, AS_OF).snapshot.partners[0]!.name).toBe("Renamed Elsewhere Ltd");
    db.update(partners).set({ name: first.name }).where(eq(partners.id, first.id)).run();
    expect(ecosystemReport(db, AS_OF).snapshot.partners[0]!.name).toBe(first.name);
  });

  it("names the caller's as-of instant, though the window's figures are shared", () => {
    const later = new Date(AS_OF.getTime() + 3_600_000);
    expect(ecosystemReport(db, AS_OF).snapshot.period.asOf).toBe(AS_OF.toISOString());
    expect(ecosystemReport(db, later).snapshot.period.asOf).toBe(later.toISOString());
  });

  it("agrees with the CLI's JSON", async () => {
    const { stdout } = await promisify(execFile)(
      "npx",
      ["tsx", "app/cli/analytics.ts", "--json", "--as-of", "2026-03-17", "--database", file],
      {
        maxBuffer: 32 * 1024 * 1024,
      },
    );
    const json = JSON.parse(stdout);
    const report = ecosystemReport(db, new Date("2026-03-17T00:00:00Z"));
    const c = report.snapshot.concentration;
    expect(json).toMatchObject({ asOf: "2026-03-17", model: "sourced", partners: c.n, revenueCents: c.revenueCents, n80: c.n80 });
    expect(json.hhi).toBeCloseTo(c.hhi!, 9);
    expect(json.top20Share).toBeCloseTo(c.top20Share!, 12);
    expect(json.gini).toBeCloseTo(c.gini, 12);
    expect(json.effectivePartners).toBeCloseTo(c.effectivePartners!, 9);
    expect(json.largestShare).toBeCloseTo(c.largestShare!, 12);
    expect(json.perPartner.map((p: { slug: string; revenueCents: number }) => [p.slug, p.revenueCents])).toEqual(
      report.snapshot.partners.map((p) => [p.slug, p.revenueCents]),
    );
    const flagged = new Map(report.longTail.rows.map((r) => [r.partner.slug, r.flags.map((f) => f.flag)]));
    for (const p of json.perPartner) expect(p.flags).toEqual(flagged.get(p.slug) ?? []);
    expect(json.program.involved.winRate).toHaveProperty("n");
    expect(json.program.involved.winRate).toHaveProperty("lowSample");
  }, 60_000);
});

describe("alerts", () => {
  it("name a partner above 25% and an HHI that entered a higher band", () => {
    const { db: small } = createTestDatabase();
    try {
      ensureDefaultProgram(small);
      const ps = Array.from({ length: 12 }, (_, i) => createPartner(small, { slug: `p${i}`, name: `Partner ${i}` }));
      // Equal partners for a year: unconcentrated (HHI 833). Then one partner's big January.
      for (const p of ps) {
        for (const month of ["2025-03", "2025-06", "2025-09"]) {
          createDeal(small, {
            partnerId: p.id,
            stage: "won",
            amountCents: 1_000_000,
            submittedAt: new Date(`${month}-01T00:00:00Z`),
            closedAt: new Date(`${month}-10T00:00:00Z`),
          });
        }
      }
      createDeal(small, {
        partnerId: ps[0]!.id,
        stage: "won",
        amountCents: 30_000_000,
        submittedAt: new Date("2026-02-01T00:00:00Z"),
        closedAt: new Date("2026-02-10T00:00:00Z"),
      });
      rebuildRollups(small);
      const report = ecosystemReport(small, AS_OF);
      expect(report.trend.at(-2)!.band).toBe("unconcentrated");
      expect(report.trend.at(-1)!.band).toBe("highly_concentrated");
      expect(report.alerts).toEqual([
        expect.objectContaining({ kind: "hhi_band_up", from: "unconcentrated", to: "highly_concentrated", monthEnd: "2026-02-28" }),
        expect.objectContaining({ kind: "largest_share", partner: { slug: "p0", name: "Partner 0" } }),
      ]);
      expect((report.alerts[1] as { share: number }).share).toBeCloseTo(33_000_000 / (33_000_000 + 11 * 3_000_000), 12);
    } finally {
      closeDatabase(small);
    }
  });
});
