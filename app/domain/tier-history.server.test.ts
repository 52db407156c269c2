import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { User } from "../../db/schema";
import {
  partnerOn,
  pendingUpgrade,
  startTierProgram,
  stopTierProgram,
  type TierLadder,
} from "../../tests/support/tier-program";
import type { DB } from "../db.server";
import { actorOf } from "./audit.server";
import { latestEvaluation, listDecidedReviews, listPendingReviews, partnerTierHistory } from "./tier-history.server";
import { decideTierReview, type TierContext } from "./tier-reviews.server";

let db: DB, ctx: TierContext, ladder: TierLadder, manager: User;

beforeEach(() => {
  ({ db, ctx, ladder, manager } = startTierProgram());
});
afterEach(stopTierProgram);

describe("reading", () => {
  it("lists pending reviews with names and metrics, decided ones, and the latest evaluation", async () => {
    const { partner, review } = await pendingUpgrade();
    const pending = listPendingReviews(db);
    expect(pending).toEqual([
      expect.objectContaining({
        id: review.id,
        partnerName: partner.name,
        partnerSlug: partner.slug,
        fromTier: expect.objectContaining({ name: "Registered" }),
        toTier: expect.objectContaining({ name: "Silver" }),
        metrics: expect.objectContaining({ wonDeals: 3, revenueCents: 6_000_000 }),
        stale: false,
        superseded: false,
        newerEvaluation: null,
      }),
    ]);
    expect(latestEvaluation(db, partner.id)).toMatchObject({ period: "2024-05", outcome: "propose_upgrade" });
    expect(latestEvaluation(db, 987_654)).toBeNull();

    await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve", note: "Well done." });
    expect(listPendingReviews(db)).toEqual([]);
    expect(listDecidedReviews(db)).toEqual([
      expect.objectContaining({ status: "approved", reviewerName: "Morgan Manager", resultTier: "Silver" }),
    ]);
    expect(partnerTierHistory(db, partner.id)).toEqual([
      expect.objectContaining({
        status: "approved",
        fromTier: "Registered",
        toTier: "Silver",
        note: "Well done.",
        metrics: expect.objectContaining({ wonDeals: 3 }),
      }),
    ]);
    const other = partnerOn(ladder.Registered);
    expect(partnerTierHistory(db, other.partner.id)).toEqual([]);
  });
});
