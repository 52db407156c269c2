// What the tier records say (docs/domain.md "Tier evaluation"): the proposals waiting for the
// partner team and the latest decisions, one partner's tier history and latest evaluation (its
// tier page), and which months have been evaluated. Read-only; every per-partner read takes the
// partner id. Also what a monthly report says about tiers as of a period's end: the tier a
// partner held at an instant and the outcome of the period's evaluation.
import { and, asc, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { partners, tierEvaluations, tierReviews, tiers, users } from "../../db/schema";
import type { DB } from "../db.server";
import type { TierSnapshot } from "./tier-snapshot";
import type { EvaluationOutcome } from "./tiers";

type TierRef = { id: number; name: string; rank: number };

export type PendingReview = {
  id: number;
  partnerId: number;
  partnerName: string;
  partnerSlug: string;
  period: string;
  direction: "upgrade" | "downgrade";
  fromTier: TierRef;
  toTier: TierRef;
  metrics: TierSnapshot;
  createdAt: Date;
  /**
   * Set when the proposal cannot be approved: the partner's tier is no longer the one it starts
   * from, or a newer evaluation superseded it.
   */
  stale: boolean;
  /** A newer evaluation of the partner does not propose this same move. */
  superseded: boolean;
  /** The partner's latest evaluation when it is newer than the proposal. */
  newerEvaluation: { period: string; outcome: string; qualifyingTier: string } | null;
};

function reviewQuery(db: DB) {
  const fromTier = alias(tiers, "from_tier");
  const toTier = alias(tiers, "to_tier");
  return db
    .select({
      id: tierReviews.id,
      partnerId: tierReviews.partnerId,
      partnerName: partners.name,
      partnerSlug: partners.slug,
      partnerTierId: partners.tierId,
      period: tierReviews.period,
      direction: tierReviews.direction,
      status: tierReviews.status,
      note: tierReviews.note,
      metrics: tierReviews.metrics,
      createdAt: tierReviews.createdAt,
      decidedAt: tierReviews.decidedAt,
      reviewerName: users.name,
      fromTier: { id: fromTier.id, name: fromTier.name, rank: fromTier.rank },
      toTier: { id: toTier.id, name: toTier.name, rank: toTier.rank },
    })
    .from(tierReviews)
    .innerJoin(partners, eq(partners.id, tierReviews.partnerId))
    .innerJoin(fromTier, eq(fromTier.id, tierReviews.fromTierId))
    .innerJoin(toTier, eq(toTier.id, tierReviews.toTierId))
    .leftJoin(users, eq(users.id, tierReviews.reviewerId));
}

/** Proposals waiting for the partner team, oldest first. */
export function listPendingReviews(db: DB, options: { limit?: number } = {}): PendingReview[] {
  const rows = reviewQuery(db)
    .where(eq(tierReviews.status, "pending"))
    .orderBy(asc(tierReviews.createdAt), asc(tierReviews.id))
    .limit(options.limit ?? 1000)
    .all();
  if (rows.length === 0) return [];
  const latest = new Map(
    db
      .select({
        partnerId: tierEvaluations.partnerId,
        period: tierEvaluations.period,
        outcome: tierEvaluations.outcome,
        qualifyingTier: tiers.name,
        currentTierId: tierEvaluations.currentTierId,
        qualifyingTierId: tierEvaluations.qualifyingTierId,
      })
      .from(tierEvaluations)
      .innerJoin(tiers, eq(tiers.id, tierEvaluations.qualifyingTierId))
      .where(
        and(
          inArray(tierEvaluations.partnerId, [...new Set(rows.map((r) => r.partnerId))]),
          sql`${tierEvaluations.period} = (SELECT max(e2.period) FROM ${tierEvaluations} e2 WHERE e2.partner_id = ${tierEvaluations.partnerId})`
        )
      )
      .all()
      .map((e) => [e.partnerId, e])
  );
  return rows.map((r) => {
    const latestEval = latest.get(r.partnerId);
    const newer = latestEval && latestEval.period > r.period ? latestEval : null;
    // As supersedingEvaluation (tier-reviews.server.ts) judges it at decision time.
    const superseded =
      newer !== null &&
      !(
        (newer.outcome === "propose_upgrade" || newer.outcome === "propose_downgrade") &&
        newer.currentTierId === r.fromTier.id &&
        newer.qualifyingTierId === r.toTier.id
      );
    return {
      id: r.id,
      partnerId: r.partnerId,
      partnerName: r.partnerName,
      partnerSlug: r.partnerSlug,
      period: r.period,
      direction: r.direction,
      fromTier: r.fromTier,
      toTier: r.toTier,
      metrics: r.metrics as TierSnapshot,
      createdAt: r.createdAt,
      stale: r.partnerTierId !== r.fromTier.id || superseded,
      superseded,
      newerEvaluation: newer
        ? { period: newer.period, outcome: newer.outcome, qualifyingTier: newer.qualifyingTier }
        : null,
    };
  });
}

export function countPendingReviews(db: DB): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(tierReviews)
      .where(eq(tierReviews.status, "pending"))
      .get()?.n ?? 0
  );
}

/** The latest decisions across the program, for the partner team. */
export function listDecidedReviews(db: DB, limit = 20) {
  return reviewQuery(db)
    .where(sql`${tierReviews.status} <> 'pending'`)
    .orderBy(desc(tierReviews.decidedAt), desc(tierReviews.id))
    .limit(limit)
    .all()
    .map((r) => ({
      id: r.id,
      partnerName: r.partnerName,
      partnerSlug: r.partnerSlug,
      period: r.period,
      direction: r.direction,
      status: r.status as "approved" | "rejected" | "overridden",
      fromTier: r.fromTier.name,
      toTier: r.toTier.name,
      resultTier: r.status === "rejected" ? r.fromTier.name : r.toTier.name,
      note: r.note,
      reviewerName: r.reviewerName,
      decidedAt: r.decidedAt,
    }));
}

export type TierHistoryEntry = {
  id: number;
  period: string;
  status: "approved" | "rejected" | "overridden";
  direction: "upgrade" | "downgrade";
  fromTier: string;
  /** The tier proposed (approved, rejected) or set (overridden). */
  toTier: string;
  /** The partner's tier after the decision. */
  resultTier: string;
  note: string | null;
  decidedAt: Date | null;
  metrics: TierSnapshot;
};

/**
 * One partner's decided tier reviews, newest first: what the partner sees as its tier history.
 * Tenant-scoped by `partnerId`; no reviewer identity.
 */
export function partnerTierHistory(db: DB, partnerId: number): TierHistoryEntry[] {
  return reviewQuery(db)
    .where(and(eq(tierReviews.partnerId, partnerId), sql`${tierReviews.status} <> 'pending'`))
    .orderBy(desc(tierReviews.decidedAt), desc(tierReviews.id))
    .all()
    .map((r) => ({
      id: r.id,
      period: r.period,
      status: r.status as TierHistoryEntry["status"],
      direction: r.direction,
      fromTier: r.fromTier.name,
      toTier: r.toTier.name,
      resultTier: r.status === "rejected" ? r.fromTier.name : r.toTier.name,
      note: r.note,
      decidedAt: r.decidedAt,
      metrics: r.metrics as TierSnapshot,
    }));
}

export type LatestEvaluation = {
  period: string;
  outcome: EvaluationOutcome;
  currentTierId: number;
  qualifyingTierId: number;
  metrics: TierSnapshot;
  createdAt: Date;
};

/** A partner's most recent evaluation (tenant-scoped by `partnerId`), or null. */
export function latestEvaluation(db: DB, partnerId: number): LatestEvaluation | null {
  const row = db
    .select()
    .from(tierEvaluations)
    .where(eq(tierEvaluations.partnerId, partnerId))
    .orderBy(desc(tierEvaluations.period))
    .limit(1)
    .get();
  if (!row) return null;
  return {
    period: row.period,
    outcome: row.outcome as EvaluationOutcome,
    currentTierId: row.currentTierId,
    qualifyingTierId: row.qualifyingTierId,
    metrics: row.metrics as TierSnapshot,
    createdAt: row.createdAt,
  };
}

/** How many partners each period has evaluated, newest first. */
export function evaluatedPeriods(db: DB): Map<string, number> {
  return new Map(
    db
      .select({ period: tierEvaluations.period, n: sql<number>`count(*)` })
      .from(tierEvaluations)
      .groupBy(tierEvaluations.period)
      .orderBy(desc(tierEvaluations.period))
      .all()
      .map((r) => [r.period, r.n])
  );
}

/**
 * The partner's tier at `end`. Only a decided review changes a tier, so the tier then is
 * where the first change after `end` started from; with no later change it is the partner's
 * tier today.
 */
export function tierIdAt(db: DB, partnerId: number, currentTierId: number, end: Date): number {
  const later = db
    .select({ fromTierId: tierReviews.fromTierId })
    .from(tierReviews)
    .where(
      and(
        eq(tierReviews.partnerId, partnerId),
        inArray(tierReviews.status, ["approved", "overridden"]),
        gte(tierReviews.decidedAt, end),
      ),
    )
    .orderBy(asc(tierReviews.decidedAt), asc(tierReviews.id))
    .limit(1)
    .get();
  return later?.fromTierId ?? currentTierId;
}

/** The outcome of the partner's month-end evaluation of `period`, when it has run. */
export function evaluationOutcome(db: DB, partnerId: number, period: string): string | null {
  return (
    db
      .select({ outcome: tierEvaluations.outcome })
      .from(tierEvaluations)
      .where(and(eq(tierEvaluations.partnerId, partnerId), eq(tierEvaluations.period, period)))
      .get()?.outcome ?? null
  );
}
