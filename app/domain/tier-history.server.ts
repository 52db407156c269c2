// A partner's tier as it stood at a past instant, and the month-end evaluation of a period:
// what a monthly report says about tiers "as of the end of the period" (docs/domain.md
// "Tier evaluation"). Reads only.
import { and, asc, eq, gte, inArray } from "drizzle-orm";
import { tierEvaluations, tierReviews } from "../../db/schema";
import type { DB } from "../db.server";

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
