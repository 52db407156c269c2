// The row factories shared by the seed and the tests, against a real migrated SQLite file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, type DB } from "../app/db.server";
import { createTestDatabase } from "../tests/support/db";
import { createCustomer, createDeal, createPartner, createTier, createTouch, createUser, ensureDefaultProgram } from "./factories";

const DAY = 86_400_000;

const all = <T = Record<string, any>>(db: DB, query: string, ...params: unknown[]) =>
  db.$client.prepare(query).all(...params) as T[];

let db: DB;
beforeAll(() => {
  db = createTestDatabase().db;
});
afterAll(() => closeDatabase(db));

describe("factories", () => {
  it("ensureDefaultProgram is idempotent and leaves an edited ladder alone", () => {
    const first = ensureDefaultProgram(db);
    expect(first.tiers.map((t) => [t.name, t.rank, t.thresholdRule])).toEqual([
      ["Registered", 0, "all"],
      ["Silver", 1, "any"],
      ["Gold", 2, "all"],
      ["Platinum", 3, "all"],
    ]);
    expect(first.tiers[1]).toMatchObject({ minRevenueCents: 5_000_000, minWonDeals: 3 });
    expect(first.tiers[3]).toMatchObject({ minRevenueCents: 100_000_000, minWonDeals: 25 });
    for (const t of first.tiers) expect(t.benefits.length).toBeGreaterThan(10);
    const diamond = createTier(db, { name: "Diamond", minRevenueCents: 500_000_000 });
    expect(diamond.rank).toBe(4);
    const second = ensureDefaultProgram(db);
    expect(second.tiers).toHaveLength(5);
    expect(second.settings).toEqual(first.settings);
  });

  it("createUser lower-cases emails and enforces role ⇔ partner", () => {
    const partner = createPartner(db, { name: "Łódź Systems" });
    expect(partner.slug).toBe("lodz-systems");
    const user = createUser(db, {
      email: " Jane.Doe@Example.TEST ",
      role: "partner_admin",
      partnerId: partner.id,
      passwordHash: "h",
    });
    expect(user).toMatchObject({ email: "jane.doe@example.test", partnerId: partner.id, passwordHash: "h" });
    expect(user.passwordChangedAt).toBeInstanceOf(Date);
    expect(createUser(db).partnerId).not.toBeNull(); // a partner is created for a partner role
    expect(createUser(db, { role: "admin" })).toMatchObject({ partnerId: null, passwordHash: null });
    expect(() => createUser(db, { role: "partner_manager", partnerId: partner.id })).toThrow(/cannot belong/);
  });

  it("createCustomer normalizes the domain and the name", () => {
    const customer = createCustomer(db, {
      name: "Acme Widgets, Inc.",
      domain: "https://www.ACME-widgets.com/about",
    });
    expect(customer).toMatchObject({ domain: "acme-widgets.com", normalizedName: "acme widgets" });
    expect(() => createCustomer(db, { domain: "localhost" })).toThrow(/not a domain/);
  });

  it("createDeal derives coherent timestamps for every stage", () => {
    const now = new Date(Date.UTC(2025, 0, 15, 12));
    const partnerId = createPartner(db).id;
    const customerId = createCustomer(db).id;
    const submitted = createDeal(db, { partnerId, customerId }, { now });
    expect(submitted).toMatchObject({
      stage: "submitted",
      decidedAt: null,
      closedAt: null,
      protectionEndsAt: null,
      holdsClaim: true,
    });

    const approved = createDeal(db, { partnerId, customerId, stage: "approved" }, { now });
    expect(approved.holdsClaim).toBe(false); // the submitted one holds the claim
    expect(approved.decidedAt!.getTime()).toBeGreaterThan(approved.submittedAt.getTime());
    expect(approved.protectionEndsAt!.getTime() - approved.decidedAt!.getTime()).toBe(90 * DAY);

    for (const stage of ["won", "lost"] as const) {
      const deal = createDeal(db, { partnerId, stage }, { now });
      expect(deal.closedAt!.getTime()).toBeGreaterThan(deal.decidedAt!.getTime());
      expect(deal.closedAt!.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(deal.holdsClaim).toBe(false);
    }
    expect(createDeal(db, { partnerId, stage: "lost" }, { now }).lostReason).toBeTruthy();
    const rejected = createDeal(db, { partnerId, stage: "rejected" }, { now });
    expect(rejected).toMatchObject({ protectionEndsAt: null, closedAt: null });
    expect(rejected.rejectionReason).toBeTruthy();
    const expired = createDeal(db, { partnerId, stage: "expired" }, { now });
    expect(expired.protectionEndsAt!.getTime()).toBeLessThan(now.getTime());
    expect(expired.closedAt).toBeNull();

    const direct = createDeal(db, { partnerId: null, stage: "approved" }, { now });
    expect(direct).toMatchObject({ partnerId: null, holdsClaim: false, protectionEndsAt: null });

    expect(() => createDeal(db, { stage: "submitted", decidedAt: now })).toThrow(/no decision/);
    expect(() => createDeal(db, { stage: "approved", closedAt: now })).toThrow(/no closedAt/);
    expect(() =>
      createDeal(db, { stage: "won", submittedAt: now, decidedAt: new Date(now.getTime() - DAY) })
    ).toThrow(/before submittedAt/);
  });

  it("createDeal can record the submission touch; createTouch defaults to the registering partner", () => {
    const deal = createDeal(db, { stage: "won" }, { withSubmissionTouch: true });
    const rows = all(
      db,
      "SELECT partner_id, kind, pillar, occurred_at FROM touches WHERE deal_id = ?",
      deal.id
    );
    expect(rows).toEqual([
      {
        partner_id: deal.partnerId,
        kind: "referral",
        pillar: "sell",
        occurred_at: deal.submittedAt.getTime(),
      },
    ]);
    const touch = createTouch(db, { dealId: deal.id, kind: "technical_validation" });
    expect(touch).toMatchObject({ partnerId: deal.partnerId, pillar: "build" });
    expect(touch.occurredAt.getTime()).toBeGreaterThanOrEqual(deal.submittedAt.getTime());
    expect(touch.occurredAt.getTime()).toBeLessThanOrEqual(deal.closedAt!.getTime());
    // On a direct deal a touch comes from some partner: an influenced deal.
    const direct = createDeal(db, { partnerId: null, stage: "won" });
    expect(createTouch(db, { dealId: direct.id }).partnerId).not.toBeNull();
  });
});
