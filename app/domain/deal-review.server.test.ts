// The partner team's review against a real migrated SQLite file.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { deals } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "./audit.server";
import { bulkApproveRegistrations } from "./deal-review.server";

const DAY = 86_400_000;

let db: DB;
beforeEach(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
});
afterEach(() => closeDatabase(db));

function world() {
  const reviewer = actorOf(createUser(db, { role: "partner_manager", email: "mia@vendor.test" }));
  const partner = createPartner(db, { name: "Alpha Resellers", slug: "alpha" });
  const other = createPartner(db, { name: "Beta Agency", slug: "beta" });
  return { reviewer, partner, other };
}

describe("bulkApproveRegistrations", () => {
  it("approves the conflict-free ones and says why it skipped the others", () => {
    const { reviewer, partner, other } = world();
    const clean = createDeal(db, { partnerId: partner.id, stage: "submitted" });
    // Another partner already holds the claim on this domain.
    const holder = createDeal(db, { partnerId: other.id, stage: "approved" });
    const contested = createDeal(db, { partnerId: partner.id, customerId: holder.customerId, stage: "submitted" });
    const decided = createDeal(db, { partnerId: partner.id, stage: "rejected" });

    const result = bulkApproveRegistrations(db, reviewer, [clean.id, contested.id, decided.id, 999_999, clean.id]);
    expect(result.approved.map((a) => a.dealId)).toEqual([clean.id]);
    expect(result.approved[0]!.protectionEndsAt.getTime()).toBeGreaterThan(Date.now() + 89 * DAY);
    expect(result.skipped).toEqual([
      { dealId: contested.id, reason: "it has conflicts now: review it on its own page." },
      { dealId: decided.id, reason: "it is already rejected." },
      { dealId: 999_999, reason: "it no longer exists." },
    ]);
    const stage = (id: number) => db.select({ stage: deals.stage }).from(deals).where(eq(deals.id, id)).get()!.stage;
    expect(stage(clean.id)).toBe("approved");
    expect(stage(contested.id)).toBe("submitted");
  });
});
