// Tier evaluation and tier reviews (DESIGN.md "Tier evaluation"): the month-end run that judges
// every active partner on its trailing-12-month figures and proposes changes, the partner team's
// decisions on those proposals, what a partner's tier history looks like, and the program
// settings screen's ladder (save and preview), because the ladder is what evaluation judges by.
// Nothing here changes a partner's tier except a decided review or an admin's direct setting.
import { and, asc, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import {
  auditEvents,
  deals,
  partners,
  programSettings,
  tierEvaluations,
  tierReviews,
  tiers,
  users,
  type AttributionModel,
  type Tier,
} from "../../db/schema";
import { tierDowngradeWarningEmail, type ThresholdLine } from "../../emails/tier-downgrade-warning";
import { tierReviewDecidedEmail } from "../../emails/tier-review-decided";
import { writeTransaction, type DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { creditAllPartners, creditPartnerDeals, programModel, trailing12Months } from "./attribution.server";
import { MODEL_LABEL } from "./attribution";
import { recordAudit, type Actor } from "./audit.server";
import { formatMoney } from "./format";
import { addMonths, isPeriod, lastCompletedPeriod, periodEnd, periodLabel, periodOf, periodStart } from "./periods";
import { programCurrency } from "./program-settings.server";
import { tierMetricsForAll, tierMetricsForPartner } from "./tier-metrics.server";
import {
  decideEvaluation,
  nextTier,
  qualifyingTier,
  thresholdsOf,
  validateLadder,
  winRateBp,
  type EvaluationOutcome,
  type LadderProblem,
  type Threshold,
  type TierMetrics,
  type TierRule,
} from "./tiers";

export type TierContext = { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> };

/** A refusal written for the staff member who asked; `status` is the HTTP status to answer. */
export class TierReviewError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 409) {
    super(message);
  }
}

/** Where a partner reads its tier, progress and history. */
const partnerTierUrl = (ctx: TierContext) => `${ctx.config.APP_URL}/tier`;

// ---------------------------------------------------------------------------------------------
// The metrics snapshot stored with every evaluation and review: the figures, how they were
// computed, and the thresholds they were judged against, so the decision can be explained later
// even after the ladder or the model changed.

export type ThresholdSet = { tier: string; rule: "all" | "any"; items: Threshold[] };

export type TierSnapshot = TierMetrics & {
  model: AttributionModel;
  /** ISO instants; `to` is exclusive (the first instant after the evaluated period). */
  window: { from: string; to: string };
  currentTier: string;
  qualifyingTier: string;
  thresholds: { current: ThresholdSet; qualifying: ThresholdSet };
};

function thresholdSet(tier: TierRule, m: TierMetrics): ThresholdSet {
  return { tier: tier.name, rule: tier.thresholdRule, items: thresholdsOf(tier, m) };
}

export function snapshotOf(
  current: TierRule,
  qualifying: TierRule,
  m: TierMetrics,
  model: AttributionModel,
  window: { from: Date; to: Date }
): TierSnapshot {
  return {
    revenueCents: m.revenueCents,
    wonDeals: m.wonDeals,
    closedDeals: m.closedDeals,
    winRateBp: m.winRateBp,
    model,
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    currentTier: current.name,
    qualifyingTier: qualifying.name,
    thresholds: { current: thresholdSet(current, m), qualifying: thresholdSet(qualifying, m) },
  };
}

export function formatWinRate(bp: number | null): string {
  return bp === null ? "—" : `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 1)}%`;
}

/** A threshold as people read it: money, a count or a percentage. */
export function formatThreshold(t: Threshold, currency = "USD"): ThresholdLine {
  const show = (v: number) =>
    t.key === "revenue" ? formatMoney(v, currency) : t.key === "winRate" ? formatWinRate(v) : String(v);
  return { label: t.label, have: show(t.have), need: show(t.need), met: t.met };
}

export function snapshotFigures(s: TierSnapshot, currency = "USD"): string[] {
  return [
    `Attributed revenue (12 months, ${MODEL_LABEL[s.model] ?? s.model}): ${formatMoney(s.revenueCents, currency)}`,
    `Won deals (12 months): ${s.wonDeals}`,
    `Win rate (12 months): ${formatWinRate(s.winRateBp)} of ${s.closedDeals} closed deal${
      s.closedDeals === 1 ? "" : "s"
    }`,
  ];
}


/** Active partner admins: the people tier news goes to. */
function partnerAdminEmails(db: DB, partnerId: number): string[] {
  return db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, "partner_admin"), sql`${users.disabledAt} IS NULL`))
    .orderBy(asc(users.email))
    .all()
    .map((u) => u.email);
}

// ---------------------------------------------------------------------------------------------
// The evaluation run.

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
};

const WARNING_EMAILED = "tier.downgrade_warning_emailed";

/**
 * Evaluates every active partner for `period` as of the first instant after it (the trailing
 * 12 months ending at the period's end). Insert-if-absent per (partner, period): re-running a
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
  };

  writeTransaction(db, (tx) => {
    const ladder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();
    if (ladder.length === 0)
      throw new TierReviewError("The program has no tiers: set up the ladder in Settings first.");
    const tierById = new Map(ladder.map((t) => [t.id, t]));
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
      .select({ id: partners.id, tierId: partners.tierId, joinedOn: partners.joinedOn })
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
      } else if (outcome === "warn_downgrade") counts.warnings++;
      else counts.unchanged++;
    }

    if (counts.evaluated > 0) {
      const { warningEmailsSent: _s, warningEmailsFailed: _f, ...summary } = counts;
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

  // After the commit. A warning whose email failed (or that a crash cut off) carries no
  // "emailed" audit event yet, so re-running the period sends it then — and only then.
  for (const warning of warningsToEmail(db, period)) {
    try {
      const sent = await sendDowngradeWarning(ctx, warning);
      if (!sent) continue;
      recordAudit(db, {
        actor,
        action: WARNING_EMAILED,
        entityType: "tier_evaluation",
        entityId: warning.id,
        partnerId: warning.partnerId,
        after: { period, to: sent },
      });
      counts.warningEmailsSent++;
    } catch (error) {
      console.error(`[tiers] downgrade warning for partner #${warning.partnerId} (${period}) failed:`, error);
      counts.warningEmailsFailed++;
    }
  }
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
        sql`NOT EXISTS (SELECT 1 FROM ${auditEvents} a WHERE a.entity_type = 'tier_evaluation'
              AND a.entity_id = CAST(${tierEvaluations.id} AS TEXT) AND a.action = ${WARNING_EMAILED})`
      )
    )
    .orderBy(asc(tierEvaluations.id))
    .all();
}

async function sendDowngradeWarning(
  ctx: TierContext,
  w: { partnerId: number; partnerName: string; period: string; metrics: unknown }
): Promise<string[] | null> {
  const to = partnerAdminEmails(ctx.db, w.partnerId);
  if (to.length === 0) return null;
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
  await ctx.mailer.send({ to, ...email });
  return to;
}

// ---------------------------------------------------------------------------------------------
// Decisions.

export type ReviewDecisionInput = {
  decision: "approve" | "reject" | "override";
  note?: string | null;
  overrideTierId?: number | null;
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
  const decided = writeTransaction(db, (tx) => {
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
      .select({ id: partners.id, tierId: partners.tierId })
      .from(partners)
      .where(eq(partners.id, review.partnerId))
      .get()!;
    const current = ladder.get(partner.tierId)!;
    const proposed = ladder.get(review.toTierId)!;
    let result: Tier;
    if (input.decision === "approve") {
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
    } else result = current;

    if (result.id !== partner.tierId)
      tx.update(partners).set({ tierId: result.id }).where(eq(partners.id, partner.id)).run();
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
  const emailed = await notifyTierDecision(ctx, decided.reviewId);
  return { ...decided, emailed };
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
  now = new Date()
): Promise<DecidedReview> {
  const { db } = ctx;
  const reason = note.trim();
  if (!reason) throw new TierReviewError("Write a note saying why you set the tier: the partner sees it.", 400);
  const period = periodOf(now);
  const window = trailing12Months(now);
  const model = programModel(db);
  const m = tierMetricsForPartner(db, partnerId, now);
  const decided = writeTransaction(db, (tx) => {
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
  const emailed = await notifyTierDecision(ctx, decided.reviewId);
  return { ...decided, emailed };
}

/** Emails a decided review to the partner's admins; a failure is logged, never thrown. */
async function notifyTierDecision(ctx: TierContext, reviewId: number): Promise<boolean> {
  try {
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
    await ctx.mailer.send({ to, ...email });
    return true;
  } catch (error) {
    console.error(`[tiers] decision email for tier review #${reviewId} failed:`, error);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading reviews and evaluations.

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
  /** Set when the partner's tier is no longer the one the proposal starts from. */
  stale: boolean;
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

/** For the admin's direct tier change, which names the partner by slug. */
export function findPartnerBySlug(db: DB, slug: string): { id: number; name: string } | null {
  return (
    db.select({ id: partners.id, name: partners.name }).from(partners).where(eq(partners.slug, slug)).get() ?? null
  );
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
    const newer = latest.get(r.partnerId);
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
      stale: r.partnerTierId !== r.fromTier.id,
      newerEvaluation:
        newer && newer.period > r.period
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
 * A partner's credited revenue per calendar month over a 12-month window, under one model:
 * one pass over the partner's own credited deals, bucketed by close month.
 */
export function monthlyCreditedRevenue(
  db: DB,
  partnerId: number,
  window: { from: Date; to: Date },
  model: AttributionModel
): { period: string; cents: number }[] {
  const months: { period: string; cents: number }[] = [];
  for (let p = periodOf(window.from); periodStart(p) < window.to; p = addMonths(p, 1))
    months.push({ period: p, cents: 0 });
  const index = new Map(months.map((m, i) => [m.period, i]));
  for (const d of creditPartnerDeals(db, partnerId, window, [model])) {
    const i = index.get(periodOf(new Date(d.closedAt)));
    if (i !== undefined) months[i].cents += d.credit[model];
  }
  return months;
}

// ---------------------------------------------------------------------------------------------
// Program settings and the ladder (the admin Settings screen).

export type ProgramSettingsInput = {
  programName: string;
  attributionModel: AttributionModel;
  protectionDays: number;
};

export type LadderRow = {
  /** Absent for a tier added on this screen. */
  id?: number;
  name: string;
  rank: number;
  minRevenueCents: number;
  minWonDeals: number;
  minWinRateBp: number | null;
  thresholdRule: "all" | "any";
  benefits: string;
  /** Remove this (existing) tier. */
  remove?: boolean;
};

export function getProgramSettings(db: DB) {
  const row = db.select().from(programSettings).where(eq(programSettings.id, 1)).get();
  return {
    programName: row?.programName ?? "Partner Program",
    currency: row?.currency ?? "USD",
    attributionModel: row?.attributionModel ?? ("sourced" as AttributionModel),
    protectionDays: row?.protectionDays ?? 90,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** Per tier: how many partners are on it and whether evaluations or reviews refer to it. */
export function ladderUsage(db: DB): Map<number, { partners: number; referenced: boolean }> {
  const rows = db.$client
    .prepare(
      `SELECT t.id,
              (SELECT count(*) FROM partners p WHERE p.tier_id = t.id) AS partners,
              EXISTS (SELECT 1 FROM tier_evaluations e WHERE e.current_tier_id = t.id OR e.qualifying_tier_id = t.id)
           OR EXISTS (SELECT 1 FROM tier_reviews r WHERE r.from_tier_id = t.id OR r.to_tier_id = t.id) AS referenced
         FROM tiers t`
    )
    .all() as { id: number; partners: number; referenced: number }[];
  return new Map(rows.map((r) => [r.id, { partners: r.partners, referenced: r.referenced === 1 }]));
}

/** Everything wrong with a proposed ladder, by row index: the rules, and tiers that cannot go. */
export function ladderProblems(db: DB, rows: readonly LadderRow[]): LadderProblem[] {
  const problems: LadderProblem[] = [];
  const usage = ladderUsage(db);
  const existing = new Map(
    db
      .select({ id: tiers.id, name: tiers.name })
      .from(tiers)
      .all()
      .map((t) => [t.id, t.name])
  );
  rows.forEach((row, index) => {
    if (row.id !== undefined && !existing.has(row.id)) {
      problems.push({ index, message: "This tier no longer exists: someone changed the ladder. Reload the page." });
    }
    if (row.remove && row.id !== undefined) {
      const use = usage.get(row.id);
      if (use && use.partners > 0) {
        problems.push({
          index,
          message: `${existing.get(row.id)} cannot be removed: ${use.partners} partner${
            use.partners === 1 ? " is" : "s are"
          } on it. Move them first.`,
        });
      } else if (use?.referenced) {
        problems.push({
          index,
          message: `${existing.get(row.id)} cannot be removed: past evaluations or tier reviews refer to it.`,
        });
      }
    }
  });
  const kept = rows.map((row, index) => ({ row, index })).filter((r) => !r.row.remove);
  if (kept.length === 0) problems.push({ index: 0, message: "The program needs at least one tier." });
  for (const p of validateLadder(kept.map(({ row }, i) => ({ ...row, id: row.id ?? -1 - i })))) {
    problems.push({ index: kept[p.index].index, message: p.message });
  }
  return problems;
}

/** Every active partner's metrics under `model` as of `asOf` (tierMetricsForAll with a model). */
function tierMetricsUnderModel(db: DB, asOf: Date, model: AttributionModel): Map<number, TierMetrics> {
  const window = trailing12Months(asOf);
  const credits = creditAllPartners(db, window, [model]).get(model)!;
  const closed = new Map(
    db
      .select({
        partnerId: deals.partnerId,
        won: sql<number>`sum(case when ${deals.stage} = 'won' then 1 else 0 end)`,
        lost: sql<number>`sum(case when ${deals.stage} = 'lost' then 1 else 0 end)`,
      })
      .from(deals)
      .where(
        and(
          inArray(deals.stage, ["won", "lost"]),
          gte(deals.closedAt, window.from),
          lt(deals.closedAt, window.to),
          sql`${deals.partnerId} IS NOT NULL`
        )
      )
      .groupBy(deals.partnerId)
      .all()
      .map((r) => [r.partnerId!, r])
  );
  const out = new Map<number, TierMetrics>();
  for (const { id } of db.select({ id: partners.id }).from(partners).where(eq(partners.status, "active")).all()) {
    const c = credits.get(id);
    const k = closed.get(id);
    out.set(id, {
      revenueCents: c?.cents ?? 0,
      wonDeals: c?.deals ?? 0,
      closedDeals: (k?.won ?? 0) + (k?.lost ?? 0),
      winRateBp: winRateBp(k?.won ?? 0, k?.lost ?? 0),
    });
  }
  return out;
}

export type LadderPreview = {
  model: AttributionModel;
  asOf: string;
  activePartners: number;
  higher: number;
  same: number;
  lower: number;
  /** Per current tier (by its name under the new ladder): where its partners would land. */
  byTier: { tier: string; partners: number; higher: number; same: number; lower: number }[];
};

/**
 * What the proposed model and ladder would do today: how many active partners would qualify
 * for a higher, the same or a lower tier than the one they are on. Writes nothing; the ladder
 * must be valid (see ladderProblems).
 */
export function previewProgramChange(
  db: DB,
  proposal: { attributionModel: AttributionModel; ladder: readonly LadderRow[] },
  asOf = new Date()
): LadderPreview {
  const kept = proposal.ladder.filter((r) => !r.remove).map((r, i): TierRule => ({ ...r, id: r.id ?? -1 - i }));
  const rankOf = new Map(kept.map((t) => [t.id, t]));
  const metrics = tierMetricsUnderModel(db, asOf, proposal.attributionModel);
  const onTier = db
    .select({ id: partners.id, tierId: partners.tierId })
    .from(partners)
    .where(eq(partners.status, "active"))
    .all();
  const preview: LadderPreview = {
    model: proposal.attributionModel,
    asOf: asOf.toISOString(),
    activePartners: 0,
    higher: 0,
    same: 0,
    lower: 0,
    byTier: kept
      .slice()
      .sort((a, b) => a.rank - b.rank)
      .map((t) => ({ tier: t.name, partners: 0, higher: 0, same: 0, lower: 0 })),
  };
  const row = new Map(preview.byTier.map((b) => [b.tier, b]));
  for (const p of onTier) {
    const m = metrics.get(p.id);
    const current = rankOf.get(p.tierId);
    if (!m || !current) continue;
    const q = qualifyingTier(kept, m);
    const key = q.rank > current.rank ? "higher" : q.rank < current.rank ? "lower" : "same";
    preview.activePartners++;
    preview[key]++;
    const b = row.get(current.name)!;
    b.partners++;
    b[key]++;
  }
  return preview;
}

export class SettingsError extends Error {
  constructor(readonly problems: LadderProblem[]) {
    super(problems.map((p) => p.message).join(" "));
  }
}

/**
 * Saves the program settings and the ladder in one transaction with one audit event (before →
 * after). Refuses (SettingsError, by row) a ladder that breaks the rules or removes a tier still
 * in use. Ranks and names are moved out of the way first so that swapping two is possible under
 * the unique indexes.
 */
export function saveProgramSettings(
  db: DB,
  actor: Actor,
  input: ProgramSettingsInput & { ladder: readonly LadderRow[] },
  now = new Date()
) {
  return writeTransaction(db, (tx) => {
    const problems = ladderProblems(db, input.ladder);
    if (problems.length) throw new SettingsError(problems);
    const beforeSettings = getProgramSettings(db);
    const beforeLadder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();

    tx.insert(programSettings).values({ id: 1 }).onConflictDoNothing().run();
    tx.update(programSettings)
      .set({
        programName: input.programName,
        attributionModel: input.attributionModel,
        protectionDays: input.protectionDays,
        updatedAt: now,
      })
      .where(eq(programSettings.id, 1))
      .run();

    const removed = input.ladder.filter((r) => r.remove && r.id !== undefined).map((r) => r.id!);
    if (removed.length) tx.delete(tiers).where(inArray(tiers.id, removed)).run();
    const updated = input.ladder.filter((r) => !r.remove && r.id !== undefined);
    for (const r of updated) {
      tx.update(tiers)
        .set({ rank: -1_000_000 - r.id!, name: `~moving~${r.id}` })
        .where(eq(tiers.id, r.id!))
        .run();
    }
    const values = (r: LadderRow) => ({
      name: r.name.trim(),
      rank: r.rank,
      minRevenueCents: r.minRevenueCents,
      minWonDeals: r.minWonDeals,
      minWinRateBp: r.minWinRateBp,
      thresholdRule: r.thresholdRule,
      benefits: r.benefits.trim(),
    });
    for (const r of updated) tx.update(tiers).set(values(r)).where(eq(tiers.id, r.id!)).run();
    const added = input.ladder.filter((r) => !r.remove && r.id === undefined);
    if (added.length) tx.insert(tiers).values(added.map(values)).run();

    const afterLadder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();
    const { updatedAt: _b, ...before } = beforeSettings;
    recordAudit(tx, {
      actor,
      action: "settings.updated",
      entityType: "program_settings",
      entityId: 1,
      before: { ...before, ladder: beforeLadder },
      after: {
        programName: input.programName,
        currency: beforeSettings.currency,
        attributionModel: input.attributionModel,
        protectionDays: input.protectionDays,
        ladder: afterLadder,
      },
      at: now,
    });
    return { ladder: afterLadder };
  });
}
