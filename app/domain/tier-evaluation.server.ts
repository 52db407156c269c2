// The month-end tier evaluation (docs/domain.md "Tier evaluation"): judges every active partner
// on its trailing-12-month figures against the ladder, records the result, opens a review for a
// proposed upgrade or downgrade, and warns a partner's admins by email when the partner falls
// below its tier. Also the catch-up at server start when the run was missed. It never changes a
// partner's tier: only a decided review does (tier-reviews.server.ts).
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { auditEvents, partners, tierEvaluations, tierReviews, tiers } from "../../db/schema";
import { tierDowngradeWarningEmail } from "../../emails/tier-downgrade-warning";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { deliverQueued, queueMessage } from "../mail/outbox.server";
import { programModel, trailing12Months } from "./attribution.server";
import { recordAudit, type Actor } from "./audit.server";
import { addMonths, isPeriod, lastCompletedPeriod, periodEnd, periodLabel } from "./periods";
import { programCurrency } from "./program-settings.server";
import { tierMetricsForAll } from "./tier-metrics.server";
import { partnerAdminEmails, partnerTierUrl, TierReviewError, type TierContext } from "./tier-reviews.server";
import { formatThreshold, snapshotOf, type TierSnapshot } from "./tier-snapshot";
import { decideEvaluation, qualifyingTier, type EvaluationOutcome } from "./tiers";

export type EvaluationCounts = {
  period: string;
  /** Partners evaluated by this run (new tier_evaluations rows). */
  evaluated: number;
  upgrades: number;
  downgrades: number;
  warnings: number;
  unchanged: number;
  /** Partners that already had an evaluation for the period: left exactly as they were. */
  alreadyEvaluated: number;
  /** Upgrade/downgrade outcomes that opened a new review (not when one is still pending). */
  reviewsCreated: number;
  warningEmailsSent: number;
  warningEmailsFailed: number;
  /**
   * The period is older than the latest evaluated one: the run was a read-only preview. The
   * counts say what it would have found; nothing was recorded, proposed or emailed.
   */
  preview: boolean;
  /** The latest period any evaluation exists for (before this run), or null. */
  latestPeriod: string | null;
};

const WARNING_EMAILED = "tier.downgrade_warning_emailed";

/** The latest month any evaluation was recorded for, or null before the first run. */
export function latestEvaluatedPeriod(db: Pick<DB, "select">): string | null {
  return (
    db
      .select({ period: sql<string | null>`max(${tierEvaluations.period})` })
      .from(tierEvaluations)
      .get()?.period ?? null
  );
}

/**
 * Evaluates every active partner for `period` as of the first instant after it (the trailing
 * 12 months ending at the period's end). A period older than the latest evaluated one is only
 * a preview: its warnings ("if still below at the next evaluation…") and proposals would speak
 * of an evaluation that has already happened, so nothing is recorded, proposed or emailed and
 * the counts say what the run would have found. Insert-if-absent per (partner, period): re-running a
 * period evaluates only partners it missed and never changes an earlier result. Upgrades and
 * downgrades open a pending review (one per partner and period, none while another is still
 * pending); a first evaluation below the current tier warns the partner's admins by email.
 *
 * The figures are computed before the write transaction (a read over the whole window, which
 * would otherwise hold the write lock); the evaluations, reviews and audit event commit
 * together, and the emails go out after the commit.
 */
export async function evaluateTiers(
  ctx: TierContext,
  options: { period: string; actor: Actor; now?: Date }
): Promise<EvaluationCounts> {
  const { db } = ctx;
  const { period, actor } = options;
  const now = options.now ?? new Date();
  if (!isPeriod(period)) throw new TierReviewError(`"${period.slice(0, 20)}" is not a month: write it as YYYY-MM.`, 400);
  const asOf = periodEnd(period);
  if (asOf.getTime() > now.getTime()) {
    throw new TierReviewError(
      `${periodLabel(period)} has not ended yet: evaluate it from ${asOf.toISOString().slice(0, 10)} on.`,
      400
    );
  }
  const window = trailing12Months(asOf);
  const model = programModel(db);
  const metrics = tierMetricsForAll(db, asOf);
  const previous = addMonths(period, -1);
  const asOfDate = asOf.toISOString().slice(0, 10);

  const counts: EvaluationCounts = {
    period,
    evaluated: 0,
    upgrades: 0,
    downgrades: 0,
    warnings: 0,
    unchanged: 0,
    alreadyEvaluated: 0,
    reviewsCreated: 0,
    warningEmailsSent: 0,
    warningEmailsFailed: 0,
    preview: false,
    latestPeriod: null,
  };

  writeTransaction(db, (tx) => {
    const ladder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();
    if (ladder.length === 0)
      throw new TierReviewError("The program has no tiers: set up the ladder in Settings first.");
    const tierById = new Map(ladder.map((t) => [t.id, t]));
    // Read inside the transaction, so a run of a newer month cannot slip in between.
    counts.latestPeriod = latestEvaluatedPeriod(tx);
    counts.preview = counts.latestPeriod !== null && period < counts.latestPeriod;
    const done = new Set(
      tx
        .select({ partnerId: tierEvaluations.partnerId })
        .from(tierEvaluations)
        .where(eq(tierEvaluations.period, period))
        .all()
        .map((r) => r.partnerId)
    );
    const before = new Map(
      tx
        .select({
          partnerId: tierEvaluations.partnerId,
          outcome: tierEvaluations.outcome,
          currentTierId: tierEvaluations.currentTierId,
        })
        .from(tierEvaluations)
        .where(eq(tierEvaluations.period, previous))
        .all()
        .map((r) => [r.partnerId, r])
    );
    const pending = new Set(
      tx
        .select({ partnerId: tierReviews.partnerId })
        .from(tierReviews)
        .where(eq(tierReviews.status, "pending"))
        .all()
        .map((r) => r.partnerId)
    );
    const active = tx
      .select({ id: partners.id, name: partners.name, tierId: partners.tierId, joinedOn: partners.joinedOn })
      .from(partners)
      .where(eq(partners.status, "active"))
      .orderBy(asc(partners.id))
      .all();

    for (const partner of active) {
      const m = metrics.get(partner.id);
      // Not in the program during the period, or activated after the figures were read (a
      // re-run picks the latter up).
      if (!m || partner.joinedOn >= asOfDate) continue;
      if (done.has(partner.id)) {
        counts.alreadyEvaluated++;
        continue;
      }
      const current = tierById.get(partner.tierId)!;
      const qualifying = qualifyingTier(ladder, m);
      // The grace period runs on the partner's current tier: a warning given on another tier
      // (before a decided change) does not count.
      const prev = before.get(partner.id);
      const prevOutcome = prev && prev.currentTierId === partner.tierId ? (prev.outcome as EvaluationOutcome) : null;
      const outcome = decideEvaluation(current.rank, qualifying.rank, prevOutcome);
      if (counts.preview) {
        counts.evaluated++;
        if (outcome === "propose_upgrade") counts.upgrades++;
        else if (outcome === "propose_downgrade") counts.downgrades++;
        else if (outcome === "warn_downgrade") counts.warnings++;
        else counts.unchanged++;
        continue;
      }
      const snapshot = snapshotOf(current, qualifying, m, model, window);
      const inserted = tx
        .insert(tierEvaluations)
        .values({
          partnerId: partner.id,
          period,
          currentTierId: current.id,
          qualifyingTierId: qualifying.id,
          outcome,
          metrics: snapshot,
        })
        .onConflictDoNothing()
        .returning({ id: tierEvaluations.id })
        .get();
      if (!inserted) {
        counts.alreadyEvaluated++;
        continue;
      }
      counts.evaluated++;
      if (outcome === "propose_upgrade" || outcome === "propose_downgrade") {
        if (outcome === "propose_upgrade") counts.upgrades++;
        else counts.downgrades++;
        // One open question per partner: a proposal still waiting is decided first.
        if (pending.has(partner.id)) continue;
        const review = tx
          .insert(tierReviews)
          .values({
            partnerId: partner.id,
            period,
            fromTierId: current.id,
            toTierId: qualifying.id,
            direction: outcome === "propose_upgrade" ? "upgrade" : "downgrade",
            metrics: snapshot,
          })
          .onConflictDoNothing()
          .returning({ id: tierReviews.id })
          .get();
        if (review) counts.reviewsCreated++;
      } else if (outcome === "warn_downgrade") {
        counts.warnings++;
        // The warning's email commits with the evaluation (an outbox row, decision 0018).
        const queued = queueDowngradeWarning(ctx, tx, actor, { id: inserted.id, partnerId: partner.id, partnerName: partner.name, period, metrics: snapshot });
        if (queued) counts.warningEmailsSent++;
      } else counts.unchanged++;
    }

    if (counts.evaluated > 0) {
      const { warningEmailsSent: _s, warningEmailsFailed: _f, preview: _p, latestPeriod: _l, ...summary } = counts;
      recordAudit(tx, {
        actor,
        action: "tier.evaluated",
        entityType: "tier_evaluation",
        entityId: period,
        after: { ...summary, model, asOf: asOf.toISOString() },
        at: now,
      });
    }
  });

  if (counts.preview) return counts;
  // Warnings of an earlier run that found nobody to tell (or predate the outbox) and carry no
  // "emailed" audit event yet: each is claimed, queued and recorded in one transaction, so a
  // re-run or two runs at once queue it once (its outbox identity is the partner and period).
  for (const warning of warningsToEmail(db, period)) {
    if (writeTransaction(db, (tx) => queueDowngradeWarning(ctx, tx, actor, warning))) counts.warningEmailsSent++;
  }
  if (counts.warningEmailsSent > 0) await deliverQueued(ctx);
  return counts;
}

/**
 * At server start: evaluates the month that last ended if the month-end run never happened
 * (the server was down at 00:30 on the 1st). A run commits all its evaluations at once, so one
 * evaluation of the period means the run took place.
 */
export async function catchUpTierEvaluation(ctx: TierContext, now = new Date()): Promise<EvaluationCounts | null> {
  const period = lastCompletedPeriod(now);
  const done = ctx.db
    .select({ id: tierEvaluations.id })
    .from(tierEvaluations)
    .where(eq(tierEvaluations.period, period))
    .limit(1)
    .get();
  if (done) return null;
  return evaluateTiers(ctx, { period, actor: "system", now });
}

function warningsToEmail(db: DB, period: string) {
  return db
    .select({
      id: tierEvaluations.id,
      partnerId: tierEvaluations.partnerId,
      partnerName: partners.name,
      period: tierEvaluations.period,
      metrics: tierEvaluations.metrics,
    })
    .from(tierEvaluations)
    .innerJoin(partners, eq(partners.id, tierEvaluations.partnerId))
    .where(
      and(
        eq(tierEvaluations.period, period),
        eq(tierEvaluations.outcome, "warn_downgrade"),
        isNull(tierEvaluations.warningClaimedAt),
        sql`NOT EXISTS (SELECT 1 FROM ${auditEvents} a WHERE a.entity_type = 'tier_evaluation'
              AND a.entity_id = CAST(${tierEvaluations.id} AS TEXT) AND a.action = ${WARNING_EMAILED})`
      )
    )
    .orderBy(asc(tierEvaluations.id))
    .all();
}

/**
 * Claims a downgrade warning (warning_claimed_at set while NULL), queues its email in `tx` and
 * records it as emailed: all or nothing. The recipients, or null when another run has it or
 * the partner has no admin to tell (then it stays unclaimed for a later run).
 */
function queueDowngradeWarning(
  ctx: TierContext,
  tx: Tx,
  actor: Actor,
  w: { id: number; partnerId: number; partnerName: string; period: string; metrics: unknown },
): string[] | null {
  const to = partnerAdminEmails(ctx.db, w.partnerId);
  if (to.length === 0) return null;
  const claimed = tx
    .update(tierEvaluations)
    .set({ warningClaimedAt: new Date() })
    .where(and(eq(tierEvaluations.id, w.id), isNull(tierEvaluations.warningClaimedAt)))
    .run();
  if (claimed.changes !== 1) return null;
  const s = w.metrics as TierSnapshot;
  const currency = programCurrency(ctx.db);
  const email = tierDowngradeWarningEmail({
    partnerName: w.partnerName,
    periodLabel: periodLabel(w.period),
    nextPeriodLabel: periodLabel(addMonths(w.period, 1)),
    currentTier: s.currentTier,
    qualifyingTier: s.qualifyingTier,
    rule: s.thresholds.current.rule,
    thresholds: s.thresholds.current.items.map((t) => formatThreshold(t, currency)),
    url: partnerTierUrl(ctx),
  });
  queueMessage(tx, { to, ...email, identity: { kind: "tier-warning", key: `${w.partnerId}.${w.period}`, partnerId: w.partnerId } });
  recordAudit(tx, {
    actor,
    action: WARNING_EMAILED,
    entityType: "tier_evaluation",
    entityId: w.id,
    partnerId: w.partnerId,
    after: { period: w.period, to },
  });
  return to;
}
