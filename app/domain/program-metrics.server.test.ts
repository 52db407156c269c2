// Program metrics on hand-built deals and MRR, where every figure can be worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, ensureDefaultProgram } from "../../db/factories";
import { customerMrr } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { programMetrics, type ProgramMetrics } from "./program-metrics.server";
import { rebuildRollups } from "./rollups.server";

// Window: 2025-07 … 2026-06; retention compares 2026-06 with 2025-06.
const AS_OF = new Date("2026-07-10T08:00:00Z");
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

let db: DB;
let m: ProgramMetrics;

beforeAll(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
  const reseller = createPartner(db, { kind: "reseller" });
  const agency = createPartner(db, { kind: "agency" });
  const tech = createPartner(db, { kind: "technology" });
  const won = (values: Parameters<typeof createDeal>[1], touch = true) =>
    createDeal(db, { stage: "won", ...values }, { withSubmissionTouch: touch });
  const mrr = (customerId: number, month: string, cents: number) =>
    db.insert(customerMrr).values({ customerId, month, mrrCents: cents }).run();

  // In the window. Sourced: won $10,000 in 30 days, and a loss.
  won({ partnerId: reseller.id, amountCents: 1_000_000, submittedAt: at("2026-01-01"), closedAt: at("2026-01-31") });
  createDeal(
    db,
    { partnerId: reseller.id, stage: "lost", submittedAt: at("2026-02-01"), closedAt: at("2026-02-10") },
    { withSubmissionTouch: true },
  );
  // Influenced: direct registration with an integration touch by a technology partner; $20,000 in 10 days.
  const influenced = won({ partnerId: null, amountCents: 2_000_000, submittedAt: at("2026-03-01"), closedAt: at("2026-03-11") });
  createTouch(db, { dealId: influenced.id, partnerId: tech.id, kind: "integration", occurredAt: at("2026-03-05") });
  // Direct: won $5,000 in 30 days, and a loss.
  won({ partnerId: null, amountCents: 500_000, submittedAt: at("2026-04-01"), closedAt: at("2026-05-01") });
  createDeal(db, { partnerId: null, stage: "lost", submittedAt: at("2026-04-02"), closedAt: at("2026-05-05") });
  // Outside the window: not counted.
  won({ partnerId: null, amountCents: 9_900_000, submittedAt: at("2025-04-01"), closedAt: at("2025-05-01") });
  won({ partnerId: agency.id, amountCents: 9_900_000, submittedAt: at("2026-06-20"), closedAt: at("2026-07-02") });

  // Retention: customers whose FIRST won deal was partner-involved (c1 sourced, c2 influenced)
  // or direct (c3, c4), with MRR in 2025-06; c5 had none then (not in the cohort).
  const c = Array.from({ length: 6 }, () => createCustomer(db));
  won({ partnerId: agency.id, customerId: c[1]!.id, amountCents: 100_000, submittedAt: at("2025-02-01"), closedAt: at("2025-03-15") });
  won({ partnerId: null, customerId: c[1]!.id, amountCents: 100_000, submittedAt: at("2025-08-01"), closedAt: at("2025-09-01") }); // later, direct
  const c2first = won({
    partnerId: null,
    customerId: c[2]!.id,
    amountCents: 100_000,
    submittedAt: at("2025-03-01"),
    closedAt: at("2025-04-01"),
  });
  createTouch(db, { dealId: c2first.id, partnerId: reseller.id, kind: "co_sell_meeting", occurredAt: at("2025-03-10") });
  won({ partnerId: null, customerId: c[3]!.id, amountCents: 100_000, submittedAt: at("2025-01-01"), closedAt: at("2025-02-01") });
  won({ partnerId: null, customerId: c[4]!.id, amountCents: 100_000, submittedAt: at("2025-01-01"), closedAt: at("2025-02-01") });
  won({ partnerId: reseller.id, customerId: c[5]!.id, amountCents: 100_000, submittedAt: at("2025-01-01"), closedAt: at("2025-02-01") });
  mrr(c[1]!.id, "2025-06", 100_000);
  mrr(c[1]!.id, "2026-06", 150_000);
  mrr(c[2]!.id, "2025-06", 200_000);
  mrr(c[2]!.id, "2026-06", 0); // churned (a zero row)
  mrr(c[3]!.id, "2025-06", 50_000); // churned (no row now)
  mrr(c[4]!.id, "2025-06", 100_000);
  mrr(c[4]!.id, "2026-06", 110_000);
  mrr(c[5]!.id, "2026-06", 999_999);

  rebuildRollups(db);
  m = programMetrics(db, AS_OF);
});

afterAll(() => closeDatabase(db));

describe("programMetrics", () => {
  it("covers the 12 months before the as-of month", () => {
    expect(m.period).toMatchObject({ fromMonth: "2025-07", endMonth: "2026-07" });
    expect(m.retentionMonths).toEqual({ now: "2026-06", then: "2025-06" });
  });

  it("gives win rate, ACV and median cycle, partner-involved vs direct, with sample sizes", () => {
    // Involved in the window: sourced won (30 d), sourced lost, influenced won (10 d), and c1's
    // direct 2025-09 deal is direct. Direct: won (30 d), lost, c1's won (31 d).
    expect(m.involved.winRate).toEqual({ value: 2 / 3, n: 3, lowSample: true });
    expect(m.involved.acvCents).toEqual({ value: 1_500_000, n: 2, lowSample: true });
    expect(m.involved.medianCycleDays).toEqual({ value: 20, n: 2, lowSample: true });
    expect(m.direct.winRate).toEqual({ value: 2 / 3, n: 3, lowSample: true });
    expect(m.direct.acvCents).toEqual({ value: 300_000, n: 2, lowSample: true });
    expect(m.direct.medianCycleDays).toEqual({ value: 30.5, n: 2, lowSample: true });
  });

  it("splits revenue into sourced, influenced and direct", () => {
    expect(m.revenueSplit.totalCents).toBe(3_600_000);
    expect(m.revenueSplit.parts.map((p) => [p.source, p.cents, p.wonDeals.n])).toEqual([
      ["sourced", 1_000_000, 1],
      ["influenced", 2_000_000, 1],
      ["direct", 600_000, 2],
    ]);
    expect(m.revenueSplit.parts[1]!.share).toBeCloseTo(2 / 3.6, 12);
  });

  it("gives NRR and logo churn by how each customer's first won deal came in", () => {
    // Involved cohort: c1 100k → 150k, c2 200k → 0. Direct cohort: c3 50k → none, c4 100k → 110k.
    expect(m.involved.nrr).toEqual({ value: 150_000 / 300_000, n: 2, lowSample: true });
    expect(m.involved.logoChurn).toEqual({ value: 0.5, n: 2, lowSample: true });
    expect(m.direct.nrr.value).toBeCloseTo(110_000 / 150_000, 12);
    expect(m.direct.logoChurn).toEqual({ value: 0.5, n: 2, lowSample: true });
  });

  it("breaks the figures down by partner kind and by pillar", () => {
    const kind = Object.fromEntries(m.byKind.map((k) => [k.kind, k]));
    expect(kind.reseller!.winRate).toEqual({ value: 0.5, n: 2, lowSample: true });
    expect(kind.technology!.acvCents.value).toBe(2_000_000);
    expect(kind.agency!.closedDeals).toBe(0);
    expect(kind.agency!.winRate).toEqual({ value: null, n: 0, lowSample: true });
    // NRR by the kinds on the first won deal: c1 agency, c2 reseller (touch).
    expect(kind.agency!.nrr.value).toBe(1.5);
    expect(kind.reseller!.nrr.value).toBe(0);
    const pillar = Object.fromEntries(m.byPillar.map((p) => [p.pillar, p]));
    expect(pillar.sell!.winRate).toEqual({ value: 0.5, n: 2, lowSample: true });
    expect(pillar.build!.medianCycleDays.value).toBe(10);
    expect(pillar.serve!.closedDeals).toBe(0);
  });
});
