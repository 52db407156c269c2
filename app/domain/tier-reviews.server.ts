// Tier reviews (docs/domain.md "Tier evaluation"): the partner team's decisions on the changes
// month-end evaluations propose — approve, reject or override, one by one or approved in bulk —
// an admin's direct tier change, and the email that tells the partner's admins. Nothing else
// changes a partner's tier. What the screens read about reviews is in tier-history.server.ts.
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { emitTierChanged } from "../webhooks/events.server";
import { alias } from "drizzle-orm/sqlite-core";
import { partners, tierEvaluations, tierReviews, tiers, users, type Tier } from "../../db/schema";
import { tierReviewDecidedEmail } from "../../emails/tier-review-decided";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { deliverQueued, queueMessage } from "../mail/outbox.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { programModel, trailing12Months } from "./attribution.server";
import { recordAudit, type Actor } from "./audit.server";
import { periodLabel, periodOf } from "./periods";
import { programCurrency } from "./program-settings.server";
import { tierMetricsForPartner } from "./tier-metrics.server";
import { formatThreshold, snapshotFigures, snapshotOf, type TierSnapshot } from "./tier-snapshot";
import { nextTier, qualifyingTier, thresholdsOf } from "./tiers";

export type TierContext = { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> };

/** A refusal written for the staff member who asked; `status` is the HTTP status to answer. */
export class TierReviewError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 409) {
    super(message);
  }
}

/**
 * A downgrade the staff member has not confirmed yet: nothing was written. `consequence` says
 * what confirming does, for the second step of the form (docs/domain.md "Tier evaluation").
 */
export class TierDowngradeUnconfirmed extends TierReviewError {
  constructor(readonly consequence: string) {
    super(consequence, 409);
  }
}

/** Throws TierDowngradeUnconfirmed when moving from `current` to `result` is a downgrade not yet confirmed. */
function requireDowngradeConfirmed(
  db: Pick<DB, "select">,
  partner: { id: number; name: string },
  current: Tier,
  result: Tier,
  confirmed: boolean | undefined
) {
  if (confirmed || result.rank >= current.rank) return;
  const admins = partnerAdminEmails(db as DB, partner.id).length;
  throw new TierDowngradeUnconfirmed(
    `${partner.name} moves down from ${current.name} to ${result.name} at once, with ${result.name}'s benefits and thresholds. ` +
      (admins
        ? `Its ${admins === 1 ? "admin is" : `${admins} admins are`} emailed the change with your note.`
        : "It has no admin to email.")
  );
}

/** Where a partner reads its tier, progress and history. */
export const partnerTierUrl = (ctx: TierContext) => `${ctx.config.APP_URL}/tier`;

/** Active partner admins: the people tier news goes to. */
export function partnerAdminEmails(db: DB, partnerId: number): string[] {
  return db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, "partner_admin"), sql`${users.disabledAt} IS NULL`))
    .orderBy(asc(users.email))
    .all()
    .map((u) => u.email);
}

// ---------------------------------------------------------------------------------------------
// Decisions.

export type ReviewDecisionInput = {
  decision: "approve" | "reject" | "override";
  note?: string | null;
  overrideTierId?: number | null;
  /** An override down a tier goes through only once confirmed (the second step of the form). */
  confirmed?: boolean;
};

export type DecidedReview = {
  reviewId: number;
  partnerId: number;
  status: "approved" | "rejected" | "overridden";
  fromTier: string;
  resultTier: string;
  /** Whether the partner's admins were emailed (false: none to email, or the mailer failed). */
  emailed: boolean;
};

const STATUS_OF = { approve: "approved", reject: "rejected", override: "overridden" } as const;

function tierOrThrow(ladder: Map<number, Tier>, id: number | null | undefined): Tier {
  const tier = id == null ? undefined : ladder.get(id);
  if (!tier) throw new TierReviewError("Choose a tier of the program's ladder.", 400);
  return tier;
}

/**
 * Approve (the partner moves to the proposed tier), reject (it keeps its tier; note required)
 * or override (it moves to the tier the reviewer picks; note required) a pending review. A
 * decided review is never decided again. The partner's admins are emailed after the commit.
 */
export async function decideTierReview(
  ctx: TierContext,
  actor: Actor,
  reviewId: number,
  input: ReviewDecisionInput,
  now = new Date()
): Promise<DecidedReview> {
  const { db } = ctx;
  const note = input.note?.trim() || null;
  const status = STATUS_OF[input.decision];
  // The decision and its email (an outbox row) commit together (decision 0018).
  const { emailed, ...decided } = writeTransaction(db, (outer) => {
    const done = writeTransaction(db, (tx) => {
    const review = tx.select().from(tierReviews).where(eq(tierReviews.id, reviewId)).get();
    if (!review) throw new TierReviewError("No such tier review.", 404);
    if (review.status !== "pending") {
      const reviewer = review.reviewerId
        ? tx.select({ name: users.name }).from(users).where(eq(users.id, review.reviewerId)).get()?.name
        : null;
      const when = review.decidedAt ? ` on ${review.decidedAt.toISOString().slice(0, 10)}` : "";
      throw new TierReviewError(
        `This proposal was already ${review.status}${when}${
          reviewer ? ` by ${reviewer}` : ""
        }: a decided review cannot be decided again.`
      );
    }
    if (input.decision !== "approve" && !note) {
      throw new TierReviewError(
        input.decision === "reject"
          ? "Write a note saying why the proposal is rejected: the partner sees it."
          : "Write a note saying why you override the proposal: the partner sees it.",
        400
      );
    }
    const ladder = new Map(
      tx
        .select()
        .from(tiers)
        .all()
        .map((t) => [t.id, t])
    );
    const partner = tx
      .select({ id: partners.id, name: partners.name, tierId: partners.tierId })
      .from(partners)
      .where(eq(partners.id, review.partnerId))
      .get()!;
    const current = ladder.get(partner.tierId)!;
    const proposed = ladder.get(review.toTierId)!;
    let result: Tier;
    if (input.decision === "approve") {
      const superseded = supersedingEvaluation(tx, review);
      if (superseded) {
        throw new TierReviewError(
          `This proposal is out of date: the newer ${periodLabel(superseded.period)} evaluation ${
            superseded.qualifyingTierId === superseded.currentTierId
              ? `keeps the partner on ${ladder.get(superseded.qualifyingTierId)?.name}`
              : `qualifies the partner for ${ladder.get(superseded.qualifyingTierId)?.name}`
          }, not ${proposed.name}. Reject it, or override with the tier you want.`
        );
      }
      if (partner.tierId !== review.fromTierId) {
        throw new TierReviewError(
          `The partner's tier changed since this was proposed: it is now ${current.name}, the proposal starts from ${
            ladder.get(review.fromTierId)?.name
          }. Reject it, or override with the tier you want.`
        );
      }
      result = proposed;
    } else if (input.decision === "override") {
      result = tierOrThrow(ladder, input.overrideTierId);
      if (result.id === partner.tierId) {
        throw new TierReviewError(`${result.name} is already the partner's tier: reject the proposal to keep it.`, 400);
      }
      requireDowngradeConfirmed(tx, { id: partner.id, name: partner.name }, current, result, input.confirmed);
    } else result = current;

    if (result.id !== partner.tierId) {
      tx.update(partners).set({ tierId: result.id }).where(eq(partners.id, partner.id)).run();
      emitTierChanged(tx, partner.id, partner.tierId, result.id);
    }
    const changed = tx
      .update(tierReviews)
      .set({
        status,
        reviewerId: actor === "system" ? null : actor.id,
        note,
        decidedAt: now,
        // An override records what actually happened: from the tier the partner was on to the
        // one it was set to (the proposal stays in the audit event).
        ...(input.decision === "override"
          ? {
              fromTierId: current.id,
              toTierId: result.id,
              direction: result.rank > current.rank ? ("upgrade" as const) : ("downgrade" as const),
            }
          : {}),
      })
      .where(and(eq(tierReviews.id, review.id), eq(tierReviews.status, "pending")))
      .run().changes;
    if (changed !== 1) throw new TierReviewError("Someone decided this proposal a moment ago: reload the page.");
    recordAudit(tx, {
      actor,
      action: `tier_review.${status}`,
      entityType: "tier_review",
      entityId: review.id,
      partnerId: partner.id,
      before: { status: "pending", tierId: current.id, tier: current.name, proposedTier: proposed.name },
      after: { status, tierId: result.id, tier: result.name, note },
      at: now,
    });
    return { reviewId: review.id, partnerId: partner.id, status, fromTier: current.name, resultTier: result.name };
    });
    return { ...done, emailed: queueTierDecision(ctx, outer, done.reviewId) };
  });
  if (emailed) await deliverQueued(ctx);
  return { ...decided, emailed };
}

/**
 * The partner's latest evaluation when it is newer than the review's and does not propose the
 * same move: the proposal is then out of date and cannot be approved. (A newer evaluation that
 * proposes the very same change leaves it current: that run opened no review of its own because
 * this one was still waiting.)
 */
export function supersedingEvaluation(
  db: Pick<DB, "select">,
  review: { partnerId: number; period: string; fromTierId: number; toTierId: number }
) {
  const newer = db
    .select({
      period: tierEvaluations.period,
      currentTierId: tierEvaluations.currentTierId,
      qualifyingTierId: tierEvaluations.qualifyingTierId,
      outcome: tierEvaluations.outcome,
    })
    .from(tierEvaluations)
    .where(and(eq(tierEvaluations.partnerId, review.partnerId), gt(tierEvaluations.period, review.period)))
    .orderBy(desc(tierEvaluations.period))
    .limit(1)
    .get();
  if (!newer) return null;
  const same =
    (newer.outcome === "propose_upgrade" || newer.outcome === "propose_downgrade") &&
    newer.currentTierId === review.fromTierId &&
    newer.qualifyingTierId === review.toTierId;
  return same ? null : newer;
}

export type BulkApproval = {
  approved: { reviewId: number; partnerName: string | null; resultTier: string; emailed: boolean }[];
  refused: { reviewId: number; partnerName: string | null; reason: string }[];
};

/**
 * Approves each review in turn, each checked and committed on its own (decideTierReview): one
 * that cannot be approved (decided meanwhile, stale, gone) is refused with the reason and the
 * others still go through. Partner names are those of the proposals pending at the start (null
 * for an id that was not pending).
 */
export async function approveTierReviews(
  ctx: TierContext,
  actor: Actor,
  reviewIds: readonly number[]
): Promise<BulkApproval> {
  const names = new Map(
    ctx.db
      .select({ id: tierReviews.id, partnerName: partners.name })
      .from(tierReviews)
      .innerJoin(partners, eq(partners.id, tierReviews.partnerId))
      .where(eq(tierReviews.status, "pending"))
      .all()
      .map((r) => [r.id, r.partnerName])
  );
  const result: BulkApproval = { approved: [], refused: [] };
  for (const reviewId of reviewIds) {
    const partnerName = names.get(reviewId) ?? null;
    try {
      const r = await decideTierReview(ctx, actor, reviewId, { decision: "approve" });
      result.approved.push({ reviewId, partnerName, resultTier: r.resultTier, emailed: r.emailed });
    } catch (error) {
      if (!(error instanceof TierReviewError)) throw error;
      result.refused.push({ reviewId, partnerName, reason: error.message });
    }
  }
  return result;
}

/**
 * An admin sets a partner's tier outside a proposal (note required). Recorded as an
 * 'overridden' review of the current month, so there is at most one such change per partner
 * and month, and it appears in the partner's tier history like any other decision.
 */
export async function adminSetTier(
  ctx: TierContext,
  actor: Actor,
  partnerId: number,
  tierId: number,
  note: string,
  now = new Date(),
  options: { confirmed?: boolean } = {}
): Promise<DecidedReview> {
  const { db } = ctx;
  const reason = note.trim();
  if (!reason) throw new TierReviewError("Write a note saying why you set the tier: the partner sees it.", 400);
  const period = periodOf(now);
  const window = trailing12Months(now);
  const model = programModel(db);
  const m = tierMetricsForPartner(db, partnerId, now);
  // The decision and its email (an outbox row) commit together (decision 0018).
  const { emailed, ...decided } = writeTransaction(db, (outer) => {
    const done = writeTransaction(db, (tx) => {
    const partner = tx
      .select({ id: partners.id, name: partners.name, tierId: partners.tierId })
      .from(partners)
      .where(eq(partners.id, partnerId))
      .get();
    if (!partner) throw new TierReviewError("No such partner.", 404);
    const ladderRows = tx.select().from(tiers).all();
    const ladder = new Map(ladderRows.map((t) => [t.id, t]));
    const target = tierOrThrow(ladder, tierId);
    const current = ladder.get(partner.tierId)!;
    if (target.id === current.id) throw new TierReviewError(`${partner.name} is already ${target.name}.`, 400);
    const existing = tx
      .select({ status: tierReviews.status })
      .from(tierReviews)
      .where(and(eq(tierReviews.partnerId, partnerId), eq(tierReviews.period, period)))
      .get();
    if (existing) {
      throw new TierReviewError(
        existing.status === "pending"
          ? `${partner.name} has a pending tier proposal for ${periodLabel(
              period
            )}: decide it instead (override lets you pick the tier).`
          : `${partner.name}'s tier was already decided for ${periodLabel(period)} (${
              existing.status
            }); a direct change can be made once per month.`
      );
    }
    requireDowngradeConfirmed(tx, partner, current, target, options.confirmed);
    const review = tx
      .insert(tierReviews)
      .values({
        partnerId,
        period,
        fromTierId: current.id,
        toTierId: target.id,
        direction: target.rank > current.rank ? "upgrade" : "downgrade",
        metrics: snapshotOf(current, qualifyingTier(ladderRows, m), m, model, window),
        status: "overridden",
        reviewerId: actor === "system" ? null : actor.id,
        note: reason,
        decidedAt: now,
      })
      .returning({ id: tierReviews.id })
      .get();
    tx.update(partners).set({ tierId: target.id }).where(eq(partners.id, partnerId)).run();
    emitTierChanged(tx, partnerId, current.id, target.id, now);
    recordAudit(tx, {
      actor,
      action: "tier_review.overridden",
      entityType: "tier_review",
      entityId: review.id,
      partnerId,
      before: { tierId: current.id, tier: current.name },
      after: { status: "overridden", tierId: target.id, tier: target.name, note: reason, direct: true },
      at: now,
    });
    return {
      reviewId: review.id,
      partnerId,
      status: "overridden" as const,
      fromTier: current.name,
      resultTier: target.name,
    };
    });
    return { ...done, emailed: queueTierDecision(ctx, outer, done.reviewId) };
  });
  if (emailed) await deliverQueued(ctx);
  return { ...decided, emailed };
}

/**
 * Queues the email of a decided review to the partner's admins in `tx`, the decision's
 * transaction, under the identity partner.period.review; false when nobody is to be told.
 */
function queueTierDecision(ctx: TierContext, tx: Tx, reviewId: number): boolean {
  {
    const fromTier = alias(tiers, "from_tier");
    const toTier = alias(tiers, "to_tier");
    const row = ctx.db
      .select({
        partnerId: tierReviews.partnerId,
        partnerName: partners.name,
        status: tierReviews.status,
        direction: tierReviews.direction,
        period: tierReviews.period,
        note: tierReviews.note,
        metrics: tierReviews.metrics,
        fromTier: fromTier.name,
        toTier: toTier.name,
        fromTierId: tierReviews.fromTierId,
        toTierId: tierReviews.toTierId,
      })
      .from(tierReviews)
      .innerJoin(partners, eq(partners.id, tierReviews.partnerId))
      .innerJoin(fromTier, eq(fromTier.id, tierReviews.fromTierId))
      .innerJoin(toTier, eq(toTier.id, tierReviews.toTierId))
      .where(eq(tierReviews.id, reviewId))
      .get();
    if (!row || row.status === "pending") return false;
    const to = partnerAdminEmails(ctx.db, row.partnerId);
    if (to.length === 0) return false;
    const s = row.metrics as TierSnapshot;
    const currency = programCurrency(ctx.db);
    const ladder = ctx.db.select().from(tiers).all();
    const resultTier = row.status === "rejected" ? row.fromTier : row.toTier;
    const result = ladder.find((t) => t.id === (row.status === "rejected" ? row.fromTierId : row.toTierId));
    const next = result ? nextTier(ladder, result.rank) : null;
    const email = tierReviewDecidedEmail({
      partnerName: row.partnerName,
      status: row.status,
      direction: row.direction,
      fromTier: row.fromTier,
      proposedTier: row.status === "overridden" ? s.qualifyingTier : row.toTier,
      resultTier,
      note: row.note,
      figures: snapshotFigures(s, currency),
      nextTier: next
        ? { name: next.name, thresholds: thresholdsOf(next, s).map((t) => formatThreshold(t, currency)) }
        : null,
      periodLabel: periodLabel(row.period),
      url: partnerTierUrl(ctx),
    });
    return queueMessage(tx, {
      to,
      ...email,
      identity: { kind: "tier-change", key: `${row.partnerId}.${row.period}.${reviewId}`, partnerId: row.partnerId },
    });
  }
}

/** For the admin's direct tier change, which names the partner by slug. */
export function findPartnerBySlug(db: DB, slug: string): { id: number; name: string } | null {
  return (
    db.select({ id: partners.id, name: partners.name }).from(partners).where(eq(partners.slug, slug)).get() ?? null
  );
}
