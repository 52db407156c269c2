// The rollups stay equal to a from-scratch computation when deals change through the app's
// write paths (markWon, markLost, the outcome and MRR imports, a touch on a closed deal), and
// their credit sums equal the attribution engine's over the deals.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, createUser, ensureDefaultProgram } from "../../db/factories";
import { customerMrr, type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { MODELS } from "./attribution";
import { creditAllPartners, creditPartnerDeals } from "./attribution.server";
import { involvementOf } from "./attribution-explain";
import { actorOf, type Actor } from "./audit.server";
import { markLost, markWon } from "./deals.server";
import { addPartnerTouch } from "./partner-deals.server";
import { applyMrrImport, applyOutcomeImport } from "./imports.server";
import { addMonths, periodOf as monthOf, periodStart as monthStart } from "./periods";
import { ensureRollups, rebuildRollups, refreshDealRollups } from "./rollups.server";

const DAY = 86_400_000;
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY);
const dayAgo = (days: number) => ago(days).toISOString().slice(0, 10);

let db: DB;
let actor: Actor;
let reseller: Partner;
let agency: Partner;
let tech: Partner;

const TABLES = [
  "deal_rollups",
  "partner_month_credit",
  "partner_month_outcomes",
  "program_month_stats",
  "program_month_cycles",
  "customer_first_wins",
  "program_month_new_customers",
  "program_month_retention",
  "deal_registrations",
  "program_month_registrations",
  "partner_deal_credits",
];

/** Every rollup row, in a stable order (versions and the build time left out: they are cache keys). */
function dump() {
  return Object.fromEntries(TABLES.map((t) => [t, db.$client.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()]));
}

/** The rollups as the write paths left them must equal a rebuild from scratch. */
function expectRebuildUnchanged() {
  const incremental = dump();
  rebuildRollups(db);
  expect(dump()).toEqual(incremental);
}

function mrr(customerId: number, month: string, cents: number) {
  db.insert(customerMrr).values({ customerId, month, mrrCents: cents }).run();
}

beforeAll(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
  actor = actorOf(createUser(db, { role: "partner_manager", email: "rollups@vendor.test" }));
  reseller = createPartner(db, { kind: "reseller" });
  agency = createPartner(db, { kind: "agency" });
  tech = createPartner(db, { kind: "technology" });

  // Closed deals of every source, in different months, with touches of several pillars.
  const wonSourced = createDeal(
    db,
    { partnerId: reseller.id, stage: "won", amountCents: 4_000_000, submittedAt: ago(150), closedAt: ago(100) },
    { withSubmissionTouch: true },
  );
  createTouch(db, { dealId: wonSourced.id, partnerId: agency.id, kind: "co_marketing", occurredAt: ago(120) });
  createDeal(db, { partnerId: agency.id, stage: "lost", submittedAt: ago(90), closedAt: ago(40) }, { withSubmissionTouch: true });
  const influenced = createDeal(db, { partnerId: null, stage: "won", amountCents: 1_234_567, submittedAt: ago(80), closedAt: ago(35) });
  createTouch(db, { dealId: influenced.id, partnerId: tech.id, kind: "integration", occurredAt: ago(60) });
  createTouch(db, { dealId: influenced.id, partnerId: agency.id, kind: "co_sell_meeting", occurredAt: ago(50) });
  const direct = createDeal(db, { partnerId: null, stage: "won", amountCents: 999_999, submittedAt: ago(400), closedAt: ago(380) });
  // MRR for the won customers, a year apart, so retention has a cohort.
  for (const d of [wonSourced, influenced, direct]) {
    mrr(d.customerId, monthOf(ago(390).getTime()), 50_000);
    mrr(d.customerId, monthOf(ago(20).getTime()), d === direct ? 0 : 70_000);
  }
  rebuildRollups(db);
});

afterAll(() => closeDatabase(db));

describe("rollups", () => {
  it("are built once on a database that never had them", () => {
    expect(ensureRollups(db)).toBe(false);
    const other = createTestDatabase().db;
    try {
      ensureDefaultProgram(other);
      createDeal(other, { stage: "won", amountCents: 100_000 });
      expect(ensureRollups(other)).toBe(true);
      expect(other.$client.prepare("SELECT count(*) FROM partner_month_credit").pluck().get()).toBeGreaterThan(0);
      expect(ensureRollups(other)).toBe(false);
    } finally {
      closeDatabase(other);
    }
  });

  it("follow a deal won through markWon, with its customer's first win and retention", () => {
    const customer = createCustomer(db);
    mrr(customer.id, monthOf(ago(400).getTime()), 80_000);
    mrr(customer.id, monthOf(ago(20).getTime()), 90_000);
    const deal = createDeal(
      db,
      { partnerId: tech.id, customerId: customer.id, stage: "approved", submittedAt: ago(30) },
      { withSubmissionTouch: true },
    );
    markWon(db, actor, deal.id, 2_500_001, ago(3));
    const row = db.$client.prepare("SELECT * FROM deal_rollups WHERE deal_id = ?").get(deal.id) as { cycle_days: number; stage: string };
    expect(row).toMatchObject({ stage: "won", cycle_days: 27 });
    expect(db.$client.prepare("SELECT deal_id FROM customer_first_wins WHERE customer_id = ?").pluck().get(customer.id)).toBe(deal.id);
    expectRebuildUnchanged();
  });

  it("follow a deal lost through markLost", () => {
    const deal = createDeal(db, { partnerId: reseller.id, stage: "approved", submittedAt: ago(20) }, { withSubmissionTouch: true });
    markLost(db, actor, deal.id, "Budget cut", ago(1));
    expectRebuildUnchanged();
  });

  it("follow deals won and lost through the outcome import, back-dated into earlier months", () => {
    const won = createDeal(db, { partnerId: agency.id, stage: "approved", submittedAt: ago(200) }, { withSubmissionTouch: true });
    createTouch(db, { dealId: won.id, partnerId: reseller.id, kind: "technical_validation", occurredAt: ago(150) });
    const lost = createDeal(db, { partnerId: tech.id, stage: "approved", submittedAt: ago(100) }, { withSubmissionTouch: true });
    const csv = [
      "deal_id,stage,amount,close_date,reason",
      `${won.id},won,"15,000.25",${dayAgo(70)},`,
      `${lost.id},lost,,${dayAgo(65)},No budget`,
    ].join("\n");
    const result = applyOutcomeImport(db, actor, csv);
    expect(result.won).toHaveLength(1);
    expect(result.lost).toHaveLength(1);
    expectRebuildUnchanged();
  });

  it("follow a touch added to a won deal (touch-based models re-credit it)", () => {
    const partnerUser = createUser(db, { role: "partner_user", partnerId: reseller.id });
    const deal = createDeal(db, { partnerId: reseller.id, stage: "approved", submittedAt: ago(60) }, { withSubmissionTouch: true });
    markWon(db, actor, deal.id, 3_000_000, ago(10));
    addPartnerTouch(db, { userId: partnerUser.id, partnerId: reseller.id, actor: actorOf(partnerUser) }, deal.id, {
      occurredAt: ago(9),
      kind: "implementation",
      pillar: "serve",
      journeyStage: "onboarding",
      note: "Kick-off",
    });
    expectRebuildUnchanged();
  });

  it("follow MRR imports (as 'now' and as 'a year before')", () => {
    const domains = db.$client
      .prepare("SELECT domain FROM customers c JOIN customer_first_wins f ON f.customer_id = c.id LIMIT 3")
      .pluck()
      .all() as string[];
    expect(domains.length).toBeGreaterThan(1);
    const now = monthOf(ago(20).getTime());
    const csv = [
      "domain,month,mrr",
      `${domains[0]},${now},0`,
      `${domains[1]},${addMonths(now, -12)},123.45`,
      `${domains[1]},${now},200`,
      ...(domains[2] ? [`${domains[2]},${addMonths(now, -1)},77`] : []),
    ].join("\n");
    applyMrrImport(db, actor, csv);
    expectRebuildUnchanged();
  });

  it("are unmoved by a refresh of a deal that did not change", () => {
    const before = dump();
    for (const id of db.$client.prepare("SELECT id FROM deals").pluck().all() as number[]) refreshDealRollups(db, id);
    expect(dump()).toEqual(before);
  });

  it("sum per partner to what the attribution engine credits, for every model", () => {
    const first = monthOf(ago(420).getTime());
    const end = addMonths(monthOf(NOW), 1);
    const window = { from: monthStart(first), to: monthStart(end) };
    const engine = creditAllPartners(db, window, MODELS);
    for (const model of MODELS) {
      const rollup = db.$client
        .prepare(
          `SELECT partner_id, sum(credited_cents) AS cents, sum(credited_deals) AS deals FROM partner_month_credit
            WHERE model = ? AND month >= ? AND month < ? GROUP BY partner_id ORDER BY partner_id`,
        )
        .all(model, first, end) as { partner_id: number; cents: number; deals: number }[];
      const expected = [...engine.get(model)!]
        .map(([pid, c]) => ({ partner_id: pid, cents: c.cents, deals: c.deals }))
        .sort((a, b) => a.partner_id - b.partner_id);
      expect(rollup, model).toEqual(expected);
    }
  });

  it("hold each partner's credit per won deal as the engine computes it (partner_deal_credits)", () => {
    const window = { from: ago(2000), to: new Date(NOW + 400 * DAY) };
    const partners = db.$client.prepare("SELECT id FROM partners ORDER BY id").pluck().all() as number[];
    let compared = 0;
    for (const pid of partners) {
      const expected = creditPartnerDeals(db, pid, window, MODELS)
        .map((d) => [pid, d.dealId, d.closedAt, d.registrant === "you" ? 1 : 0, involvementOf(d), ...MODELS.map((m) => d.credit[m])])
        .sort((a, b) => (a[1] as number) - (b[1] as number));
      const rows = db.$client
        .prepare(
          `SELECT partner_id, deal_id, closed_at, registered, involvement, ${MODELS.map((m) => `${m}_cents`).join(", ")}
             FROM partner_deal_credits WHERE partner_id = ? ORDER BY deal_id`,
        )
        .raw(true)
        .all(pid);
      expect(rows, `partner ${pid}`).toEqual(expected);
      compared += rows.length;
    }
    expect(compared).toBeGreaterThan(5);
  });

  it("drop a won deal's partner rows when it is no longer won", () => {
    const deal = createDeal(db, { partnerId: null, stage: "won", amountCents: 50_000, submittedAt: ago(40), closedAt: ago(5) });
    createTouch(db, { dealId: deal.id, partnerId: tech.id, kind: "integration", occurredAt: ago(20) });
    const rows = () => db.$client.prepare("SELECT partner_id FROM partner_deal_credits WHERE deal_id = ?").pluck().all(deal.id);
    expect(rows()).toEqual([tech.id]);
    db.$client.prepare("UPDATE deals SET stage = 'lost' WHERE id = ?").run(deal.id);
    refreshDealRollups(db, deal.id);
    expect(rows()).toEqual([]);
    expectRebuildUnchanged();
  });

  it("are backfilled by migration 0018's hand-written SQL exactly as a rebuild computes them", () => {
    const file = fs.readdirSync("db/migrations").find((f) => f.endsWith("_partner_deal_credits.sql"))!;
    const backfill = fs.readFileSync(`db/migrations/${file}`, "utf8").split("-- hand-written")[1]!;
    rebuildRollups(db);
    const rebuilt = dump().partner_deal_credits;
    expect(rebuilt.length).toBeGreaterThan(5);
    db.$client.exec("DELETE FROM partner_deal_credits");
    db.$client.exec(backfill);
    expect(dump().partner_deal_credits).toEqual(rebuilt);
  });
});
