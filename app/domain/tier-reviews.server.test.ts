import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, outboxMessages, partners, tierReviews, type User } from "../../db/schema";
import type { QueueMailer } from "../mail/outbox.server";
import type { Mailer } from "../mailer.server";
import {
  mailTo,
  partnerOn,
  pendingUpgrade,
  reviewsOf,
  startTierProgram,
  stopTierProgram,
  tierOf,
  type TierLadder,
} from "../../tests/support/tier-program";
import type { DB } from "../db.server";
import { actorOf } from "./audit.server";
import { listPendingReviews, partnerTierHistory } from "./tier-history.server";
import { adminSetTier, approveTierReviews, decideTierReview, type TierContext } from "./tier-reviews.server";

let db: DB, ctx: TierContext, ladder: TierLadder, manager: User, admin: User;

beforeEach(() => {
  ({ db, ctx, ladder, manager, admin } = startTierProgram());
});
afterEach(stopTierProgram);

describe("decideTierReview", () => {
  it("queues the decision's email in the decision's transaction: no SMTP in the call, one row however often it is decided", async () => {
    const { partner, review } = await pendingUpgrade();
    let smtpCalls = 0;
    const transport: Mailer = { ...ctx.mailer, send: async () => Promise.reject(new Error(`SMTP call #${++smtpCalls}`)) };
    // The queue mailer's shape with a drain that never runs: as if the process died at the commit.
    const queue: QueueMailer = { ...transport, transport, kick: () => {} };
    const result = await decideTierReview({ ...ctx, mailer: queue }, actorOf(manager), review.id, { decision: "approve" });
    expect(result).toMatchObject({ status: "approved", emailed: true });
    await expect(decideTierReview({ ...ctx, mailer: queue }, actorOf(manager), review.id, { decision: "approve" })).rejects.toThrow();
    const rows = db.select().from(outboxMessages).where(eq(outboxMessages.kind, "tier-change")).all();
    expect(rows).toMatchObject([{ identity: `${partner.id}.${review.period}.${review.id}`, partnerId: partner.id, status: "queued", attempts: 0 }]);
    expect(rows[0].subject).toContain("Your tier is now Silver");
    expect(smtpCalls).toBe(0);
  });

  it("approve moves the partner to the proposed tier, records the audit event and emails the partner's admins", async () => {
    const { partner, partnerAdmin, review } = await pendingUpgrade();
    const result = await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" });

    expect(result).toMatchObject({ status: "approved", fromTier: "Registered", resultTier: "Silver", emailed: true });
    expect(tierOf(partner.id)).toBe(ladder.Silver.id);
    const row = reviewsOf(partner.id)[0];
    expect(row).toMatchObject({ status: "approved", reviewerId: manager.id, note: null });
    expect(row.decidedAt).toBeInstanceOf(Date);
    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "tier_review"), eq(auditEvents.entityId, String(review.id))))
      .all();
    expect(audit).toEqual([
      expect.objectContaining({
        action: "tier_review.approved",
        actorId: manager.id,
        partnerId: partner.id,
        before: expect.objectContaining({ tier: "Registered", status: "pending" }),
        after: expect.objectContaining({ tier: "Silver", status: "approved" }),
      }),
    ]);
    const mails = mailTo(partnerAdmin.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain("Your tier is now Silver");
    expect(mails[0].text).toContain("Deals won · trailing 12 months: 3");
    expect(mails[0].text).toContain("$60,000");
    expect(mails[0].text).toContain("What Gold needs");
  });

  it("reject keeps the tier, needs a note, and tells the partner why", async () => {
    const { partner, partnerAdmin, review } = await pendingUpgrade();
    await expect(
      decideTierReview(ctx, actorOf(manager), review.id, { decision: "reject", note: "  " })
    ).rejects.toMatchObject({ status: 400 });
    expect(reviewsOf(partner.id)[0].status).toBe("pending");

    const result = await decideTierReview(ctx, actorOf(manager), review.id, {
      decision: "reject",
      note: "Two of the wins are one customer split in three.",
    });
    expect(result).toMatchObject({ status: "rejected", resultTier: "Registered" });
    expect(tierOf(partner.id)).toBe(ladder.Registered.id);
    expect(reviewsOf(partner.id)[0]).toMatchObject({
      status: "rejected",
      note: "Two of the wins are one customer split in three.",
    });
    const [mail] = mailTo(partnerAdmin.email);
    expect(mail.subject).toContain("Your tier stays Registered");
    expect(mail.text).toContain("Their reason: Two of the wins are one customer split in three.");
    expect(db.select().from(auditEvents).where(eq(auditEvents.action, "tier_review.rejected")).all()).toHaveLength(1);
  });

  it("override needs a note and a tier, and sets the tier the reviewer picked", async () => {
    const { partner, review } = await pendingUpgrade();
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, {
        decision: "override",
        note: "",
        overrideTierId: ladder.Gold.id,
      })
    ).rejects.toThrow(/Write a note/);
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, { decision: "override", note: "Strategic account." })
    ).rejects.toThrow(/Choose a tier/);
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, {
        decision: "override",
        note: "Keep.",
        overrideTierId: ladder.Registered.id,
      })
    ).rejects.toThrow(/already the partner's tier/);
    expect(tierOf(partner.id)).toBe(ladder.Registered.id);

    const result = await decideTierReview(ctx, actorOf(admin), review.id, {
      decision: "override",
      note: "Signed a 3-year strategic agreement.",
      overrideTierId: ladder.Gold.id,
    });
    expect(result).toMatchObject({ status: "overridden", resultTier: "Gold" });
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(reviewsOf(partner.id)[0]).toMatchObject({
      status: "overridden",
      toTierId: ladder.Gold.id,
      direction: "upgrade",
    });
    expect(partnerTierHistory(db, partner.id)).toEqual([
      expect.objectContaining({
        status: "overridden",
        fromTier: "Registered",
        toTier: "Gold",
        resultTier: "Gold",
        note: "Signed a 3-year strategic agreement.",
      }),
    ]);
  });

  it("refuses to decide a review twice", async () => {
    const { partner, review } = await pendingUpgrade();
    await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" });
    const again = decideTierReview(ctx, actorOf(admin), review.id, { decision: "reject", note: "Changed my mind." });
    await expect(again).rejects.toThrow(
      /already approved on \d{4}-\d{2}-\d{2} by Morgan Manager: a decided review cannot be decided again/
    );
    expect(tierOf(partner.id)).toBe(ladder.Silver.id);
    expect(db.select().from(auditEvents).where(eq(auditEvents.entityType, "tier_review")).all()).toHaveLength(1);
  });

  it("answers 404 for a review that does not exist", async () => {
    await expect(decideTierReview(ctx, actorOf(manager), 999_999, { decision: "approve" })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("refuses to approve a proposal whose starting tier is no longer the partner's", async () => {
    const { partner, review } = await pendingUpgrade();
    db.update(partners).set({ tierId: ladder.Gold.id }).where(eq(partners.id, partner.id)).run();
    await expect(decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" })).rejects.toThrow(
      /tier changed since this was proposed/
    );
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(listPendingReviews(db)).toEqual([expect.objectContaining({ id: review.id, stale: true })]);
  });
});

describe("adminSetTier", () => {
  it("sets a tier with a note once per month, as an overridden review", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Registered);
    const now = new Date("2024-06-10T12:00:00Z");
    await expect(adminSetTier(ctx, actorOf(admin), partner.id, ladder.Gold.id, " ", now)).rejects.toThrow(
      /Write a note/
    );
    const result = await adminSetTier(ctx, actorOf(admin), partner.id, ladder.Gold.id, "Acquired a Gold partner.", now);
    expect(result).toMatchObject({ status: "overridden", fromTier: "Registered", resultTier: "Gold", emailed: true });
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(reviewsOf(partner.id)).toEqual([
      expect.objectContaining({ period: "2024-06", status: "overridden", reviewerId: admin.id }),
    ]);
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
    await expect(adminSetTier(ctx, actorOf(admin), partner.id, ladder.Silver.id, "Oops.", now)).rejects.toThrow(
      /already decided for June 2024/
    );
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
  });
});

describe("approveTierReviews", () => {
  it("approves each selected proposal on its own and refuses, with the reason, those that cannot be approved", async () => {
    const ready = await pendingUpgrade();
    const stale = await pendingUpgrade();
    db.update(partners).set({ tierId: ladder.Gold.id }).where(eq(partners.id, stale.partner.id)).run();

    const result = await approveTierReviews(ctx, actorOf(manager), [ready.review.id, stale.review.id, 999_999]);

    expect(result.approved).toEqual([
      { reviewId: ready.review.id, partnerName: ready.partner.name, resultTier: "Silver", emailed: true },
    ]);
    expect(result.refused).toEqual([
      {
        reviewId: stale.review.id,
        partnerName: stale.partner.name,
        reason: expect.stringMatching(/tier changed since this was proposed/),
      },
      { reviewId: 999_999, partnerName: null, reason: "No such tier review." },
    ]);
    expect(tierOf(ready.partner.id)).toBe(ladder.Silver.id);
    expect(tierOf(stale.partner.id)).toBe(ladder.Gold.id);
    expect(mailTo(ready.partnerAdmin.email)).toHaveLength(1);
    expect(db.select().from(tierReviews).where(eq(tierReviews.status, "pending")).all()).toEqual([
      expect.objectContaining({ id: stale.review.id }),
    ]);

    // Approving it again is refused like any second decision, without changing anything.
    const again = await approveTierReviews(ctx, actorOf(admin), [ready.review.id]);
    expect(again).toEqual({
      approved: [],
      refused: [{ reviewId: ready.review.id, partnerName: null, reason: expect.stringMatching(/already approved/) }],
    });
  });
});
