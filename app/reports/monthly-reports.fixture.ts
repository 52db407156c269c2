// The world both monthly-report builders are tested on (partner-report.server.test.ts,
// ecosystem-report.server.test.ts): three partners and the deals of autumn 2026 on a real
// migrated SQLite, each row's figures worked out by hand in the tests.
import { createCustomer, createDeal, createPartner, createTouch, ensureDefaultProgram } from "../../db/factories";
import type { Deal, Partner, Tier } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import type { DB } from "../db.server";

export const NOW = new Date("2026-11-15T12:00:00Z");
export const PERIOD = "2026-10";
export const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

export type ReportWorld = { db: DB; ladder: Record<string, Tier>; a: Partner; b: Partner; quiet: Partner; rowsOfA: Deal[] };

export function createReportWorld(): ReportWorld {
  const db = createTestDatabase().db;
  const rowsOfA: Deal[] = [];
  // Set once A exists: its rows are collected for the tests to recompute figures from.
  let aId: number | null = null;
  function dealOf(partnerId: number | null, values: Partial<Deal> & { title: string }, touch = true) {
    const customer = createCustomer(db, { name: `${values.title} Customer`, domain: `${values.title.toLowerCase().replace(/\W+/g, "-")}.test` });
    const deal = createDeal(db, { partnerId, customerId: customer.id, ...values }, { now: NOW, withSubmissionTouch: touch });
    if (partnerId !== null && partnerId === aId) rowsOfA.push(deal);
    return deal;
  }

  const ladder = Object.fromEntries(ensureDefaultProgram(db).tiers.map((t) => [t.name, t]));
  const a = createPartner(db, { name: "Łódź Systems", slug: "lodz", tierId: ladder.Silver.id, joinedOn: "2025-01-01" });
  aId = a.id;
  const b = createPartner(db, { name: "Bravo Rival Networks", slug: "bravo", kind: "agency", joinedOn: "2025-01-01" });
  const quiet = createPartner(db, { name: "Quiet Harbour Partners", slug: "quiet", joinedOn: "2025-01-01" });

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
  return { db, ladder, a, b, quiet, rowsOfA };
}
