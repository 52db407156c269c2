// Cost and return on a small program built by hand (window 2025-07 … 2026-06), where every
// figure is worked out in the comments, and on an empty one (every figure "—" with a reason).
import { eq } from "drizzle-orm";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, createUser, ensureDefaultProgram } from "../../db/factories";
import { programSpend, tiers } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "./audit.server";
import { costMetrics, type CostMetrics } from "./cost-metrics.server";
import { approveClaim, claimMdf, decideMdf, requestMdf } from "./mdf.server";
import { rebuildRollups } from "./rollups.server";

const AS_OF = new Date("2026-07-10T08:00:00Z");
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

let db: DB;
let m: CostMetrics;

beforeAll(() => {
  const created = createTestDatabase();
  db = created.db;
  ensureDefaultProgram(db);
  const gold = db.select().from(tiers).where(eq(tiers.name, "Gold")).get()!;
  const p = createPartner(db, { name: "Alpha", slug: "alpha", tierId: gold.id });
  const tech = createPartner(db, { name: "Tech", slug: "tech", kind: "technology" });
  const admin = actorOf(createUser(db, { role: "partner_admin", partnerId: p.id }));
  const manager = actorOf(createUser(db, { role: "partner_manager" }));
  const won = (values: Parameters<typeof createDeal>[1]) => createDeal(db, { stage: "won", ...values }, { withSubmissionTouch: values?.partnerId != null });

  // c1: sourced, $10,000 won in 30 days — a new sourced customer.
  const c1deal = won({ partnerId: p.id, amountCents: 1_000_000, submittedAt: at("2026-01-01"), closedAt: at("2026-01-31") });
  // c2: a direct registration with a partner touch, $20,000 in 10 days — a new influenced customer.
  const c2deal = won({ partnerId: null, amountCents: 2_000_000, submittedAt: at("2026-03-01"), closedAt: at("2026-03-11") });
  createTouch(db, { dealId: c2deal.id, partnerId: tech.id, kind: "integration", occurredAt: at("2026-03-05") });
  // c3, c4: direct, won in 30 and 10 days — two new direct customers.
  won({ partnerId: null, amountCents: 500_000, submittedAt: at("2026-04-01"), closedAt: at("2026-05-01") });
  won({ partnerId: null, amountCents: 100_000, submittedAt: at("2026-01-22"), closedAt: at("2026-02-01") });
  // c5: first won directly before the window, then a sourced $2,000 in 10 days: not new.
  const c5 = createCustomer(db);
  won({ partnerId: null, customerId: c5.id, amountCents: 300_000, submittedAt: at("2025-04-01"), closedAt: at("2025-05-01") });
  won({ partnerId: p.id, customerId: c5.id, amountCents: 200_000, submittedAt: at("2026-02-10"), closedAt: at("2026-02-20") });
  // A sourced loss and an open sourced registration ($4,000).
  createDeal(db, { partnerId: p.id, stage: "lost", submittedAt: at("2026-02-01"), closedAt: at("2026-02-15") }, { withSubmissionTouch: true });
  const open = createDeal(db, { partnerId: p.id, stage: "approved", amountCents: 400_000, submittedAt: at("2026-03-01") }, { withSubmissionTouch: true });

  // Spend: partner $3,000 + $6,000, direct $12,000; one row before the window.
  db.insert(programSpend)
    .values([
      { month: "2026-01", category: "commissions", amountCents: 300_000 },
      { month: "2026-02", category: "team", amountCents: 600_000 },
      { month: "2026-03", category: "direct_sales_marketing", amountCents: 1_200_000 },
      { month: "2025-06", category: "team", amountCents: 9_999_900 },
    ])
    .run();
  // MDF: $1,000 paid in 2026-03 for a "market" activity linking c1's won deal and the open one.
  const id = requestMdf(db, admin, p.id, { activityType: "market", title: "Roadshow", plannedOn: "2026-03-01", amount: "1000", expectedOutcome: "Leads" }, at("2026-02-01"));
  decideMdf(db, manager, id, { approve: true }, at("2026-02-02"));
  claimMdf(db, admin, p.id, id, { amount: "1000", leads: "30", results: "Done", dealIds: [c1deal.id, open.id] }, [{ fileName: "i.pdf", bytes: new TextEncoder().encode("%PDF-1.7") }], path.join(path.dirname(created.file), `proofs-${path.basename(created.file)}`), at("2026-03-10"));
  approveClaim(db, manager, id, at("2026-03-15"));

  rebuildRollups(db);
  m = costMetrics(db, AS_OF);
});
afterAll(() => closeDatabase(db));

describe("cost and return on a hand-computed program", () => {
  it("adds MDF paid to recorded partner spend and counts new customers by their first won deal", () => {
    expect(m.inputs).toEqual({
      recordedPartnerSpendCents: 900_000,
      mdfPaidCents: 100_000,
      partnerSpendCents: 1_000_000,
      directSpendCents: 1_200_000,
      newCustomers: { sourced: 1, influenced: 1, direct: 2 },
      partnerWonCents: 3_200_000,
      grossMarginBp: 7500,
    });
    expect(m.months.find((x) => x.month === "2026-03")).toMatchObject({ mdfPaidCents: 100_000, directSpendCents: 1_200_000 });
  });

  it("computes blended CAC per channel and the partner ÷ direct ratio", () => {
    // $10,000 / 2 partner customers; all of it on the 1 sourced; $12,000 / 2 direct.
    expect(m.cac.partner.valueCents).toBe(500_000);
    expect(m.cac.sourcedOnly.valueCents).toBe(1_000_000);
    expect(m.cac.direct.valueCents).toBe(600_000);
    expect(m.cacRatio.value).toBeCloseTo(5 / 6, 10);
    expect(m.cacRatio.partner.n).toBe(2);
    expect(m.cacRatio.direct.n).toBe(2);
  });

  it("computes MDF ROI and pipeline per partner and per activity type", () => {
    // Won $10,000 of linked deals ÷ $1,000 paid = 10×; pipeline $10,000 + $4,000.
    expect(m.mdf.total).toMatchObject({ activities: 1, paidCents: 100_000, wonCents: 1_000_000, pipelineCents: 1_400_000, linkedDeals: 2 });
    expect(m.mdf.total.roi.value).toBe(10);
    expect(m.mdf.byPartner).toEqual([expect.objectContaining({ partnerName: "Alpha", paidCents: 100_000 })]);
    expect(m.mdf.byActivity.find((a) => a.activityType === "market")!.roi.value).toBe(10);
    expect(m.mdf.byActivity.find((a) => a.activityType === "build")!.roi).toMatchObject({ value: null, reason: expect.stringMatching(/No MDF paid/) });
  });

  it("computes lead quality per channel", () => {
    // Sourced: won after 30 and 10 days; 2 of 4 registrations in the window won.
    expect(m.leadQuality.sourced).toMatchObject({ medianDaysToWon: 20, meanDaysToWon: 20, registered: 4, registeredWon: 2 });
    expect(m.leadQuality.sourced.winRate.value).toBe(0.5);
    expect(m.leadQuality.direct).toMatchObject({ medianDaysToWon: 20, registered: 2, registeredWon: 2 });
    expect(m.leadQuality.influenced).toMatchObject({ medianDaysToWon: 10, registered: 1 });
  });

  it("computes program ROIC from partner revenue, gross margin and partner spend", () => {
    // $32,000 × 75% = $24,000 ÷ $10,000 = 2.4×.
    expect(m.roic).toMatchObject({ grossProfitCents: 2_400_000, partnerSpendCents: 1_000_000, value: 2.4, reason: null });
  });
});

describe("an empty program", () => {
  it("shows no figure, each with a reason, and never divides by zero", () => {
    const empty = createTestDatabase().db;
    ensureDefaultProgram(empty);
    const e = costMetrics(empty, AS_OF);
    expect(e.cac.partner).toMatchObject({ valueCents: null, reason: expect.stringMatching(/No spend/) });
    expect(e.cacRatio.value).toBeNull();
    expect(e.roic).toMatchObject({ value: null, reason: expect.stringMatching(/No partner program spend/) });
    expect(e.mdf.total.roi.value).toBeNull();
    expect(e.leadQuality.direct.winRate.reason).toMatch(/No registrations/);
    closeDatabase(empty);
  });
});
