// Deal registration: the claim on a customer's domain, the review decisions, outcomes and the
// end of protection. Every state change is one IMMEDIATE transaction with its audit event.
// The reads each side's screens make are in partner-deals.server.ts (the partner's own deals)
// and deal-review.server.ts (the partner team's queue and conflict panel); the pure rules and
// labels in deals.ts.
import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { customers, deals, partners, programSettings, touches, type DealStage } from "../../db/schema";
import type { DB, Tx } from "../db.server";
import { writeTransaction } from "../db.server";
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";
import { recordAudit, type Actor } from "./audit.server";
import { normalizeCompanyName } from "./customers";
import { EXPIRY_WARNING_DAYS, existingCustomerSince, isClosable } from "./deals";
import { refreshDealRollups } from "./rollups.server";
import { emitDealEvent } from "../webhooks/events.server";

const DAY = 86_400_000;

export class DealError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

function protectionDays(db: Pick<DB, "select">) {
  return db.select({ d: programSettings.protectionDays }).from(programSettings).get()?.d ?? 90;
}

type ClaimHolder = {
  id: number;
  partnerId: number | null;
  stage: DealStage;
  protectionEndsAt: Date | null;
};

/** The registration holding the customer's claim now, if any (an expired window holds none). */
export function activeClaim(db: Pick<DB, "select">, customerId: number, now: Date): ClaimHolder | null {
  const holder = db
    .select({ id: deals.id, partnerId: deals.partnerId, stage: deals.stage, protectionEndsAt: deals.protectionEndsAt })
    .from(deals)
    .where(and(eq(deals.customerId, customerId), eq(deals.holdsClaim, true)))
    .get();
  if (!holder) return null;
  if (holder.protectionEndsAt && holder.protectionEndsAt.getTime() <= now.getTime()) return null;
  return holder;
}

/**
 * A claim whose protection ran out but that the daily job has not expired yet still holds the
 * unique claim slot; a registration or an approval that finds no active claim releases it
 * first. Call only after activeClaim() found none.
 */
function releaseLapsedClaim(tx: Pick<DB, "update">, customerId: number) {
  tx.update(deals).set({ holdsClaim: false }).where(and(eq(deals.customerId, customerId), eq(deals.holdsClaim, true))).run();
}

function isExistingCustomer(db: Pick<DB, "select">, customerId: number, now: Date) {
  const since = existingCustomerSince(now);
  return !!db
    .select({ id: deals.id })
    .from(deals)
    .where(and(eq(deals.customerId, customerId), eq(deals.stage, "won"), gte(deals.closedAt, since)))
    .limit(1)
    .get();
}

export type DomainCheck =
  | { status: "free" }
  | { status: "own"; dealId: number }
  | { status: "already_registered" };

/**
 * What the partner may be told about a domain before registering: free, already registered
 * by themselves (their own deal), or "already registered" — never by whom, and an existing
 * customer answers the same way.
 */
export function checkDomainForPartner(db: DB, partnerId: number, domain: string, now = new Date()): DomainCheck {
  const customer = db.select({ id: customers.id }).from(customers).where(eq(customers.domain, domain)).get();
  if (!customer) return { status: "free" };
  const holder = activeClaim(db, customer.id, now);
  if (holder && holder.partnerId === partnerId) return { status: "own", dealId: holder.id };
  if (holder || isExistingCustomer(db, customer.id, now)) return { status: "already_registered" };
  return { status: "free" };
}

export type RegistrationInput = {
  companyName: string;
  domain: string;
  contactName: string;
  contactEmail: string;
  amountCents: number;
  currency: string;
  expectedCloseOn: string;
  productLine: string;
  notes: string;
  /** The partner's note when submitting despite "already registered"; required then. */
  conflictNote?: string | null;
};

export type RegistrationResult =
  | { status: "registered"; dealId: number; holdsClaim: boolean; conflict: boolean }
  /** The same form submitted again (same token): nothing created; go where the first went. */
  | { status: "replayed"; location: string }
  | { status: "needs_confirmation"; check: Exclude<DomainCheck, { status: "free" }> };

/**
 * Registers a deal for the partner. Runs as one IMMEDIATE transaction, so two registrations
 * of one domain are serialized: the first takes the claim, the second sees it and is flagged
 * (the partial unique index on holds_claim is the last line of defence).
 */
export function registerDeal(
  db: DB,
  who: { userId: string | null; partnerId: number; actor: Actor },
  input: RegistrationInput,
  now = new Date(),
  key: IdempotencyKey | null = null,
): RegistrationResult {
  return writeTransaction(db, (tx): RegistrationResult => {
    const earlier = replayOf(tx, key);
    if (earlier) return { status: "replayed", location: earlier };
    let customer = tx
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.domain, input.domain))
      .get();
    if (!customer) {
      customer = tx
        .insert(customers)
        .values({
          name: input.companyName,
          domain: input.domain,
          normalizedName: normalizeCompanyName(input.companyName),
        })
        .returning({ id: customers.id })
        .get();
    }
    const holder = activeClaim(tx, customer.id, now);
    const existing = isExistingCustomer(tx, customer.id, now);
    const conflict = !!holder || existing;
    if (conflict && !input.conflictNote) {
      return {
        status: "needs_confirmation",
        check: holder?.partnerId === who.partnerId ? { status: "own", dealId: holder.id } : { status: "already_registered" },
      } as const;
    }
    if (!holder) releaseLapsedClaim(tx, customer.id);

    const holdsClaim = !conflict;
    const deal = tx
      .insert(deals)
      .values({
        customerId: customer.id,
        partnerId: who.partnerId,
        submittedBy: who.userId,
        title: `${input.companyName} — ${input.productLine}`,
        customerName: input.companyName,
        amountCents: input.amountCents,
        currency: input.currency,
        productLine: input.productLine,
        expectedCloseOn: input.expectedCloseOn,
        stage: "submitted",
        contactName: input.contactName,
        contactEmail: input.contactEmail.toLowerCase(),
        notes: input.notes,
        conflictNote: conflict ? input.conflictNote : null,
        holdsClaim,
        submittedAt: now,
      })
      .returning({ id: deals.id })
      .get();
    tx.insert(touches)
      .values({
        dealId: deal.id,
        partnerId: who.partnerId,
        occurredAt: now,
        kind: "referral",
        pillar: "sell",
        journeyStage: "consideration",
        note: "Registered the deal",
        createdBy: who.userId,
      })
      .run();
    // The new registration counts in the cost figures' registrations (lead quality).
    refreshDealRollups(tx, deal.id);
    recordAudit(tx, {
      actor: who.actor,
      action: "deal.submitted",
      entityType: "deal",
      entityId: deal.id,
      partnerId: who.partnerId,
      after: { stage: "submitted", domain: input.domain, amountCents: input.amountCents, holdsClaim, conflict },
      at: now,
    });
    emitDealEvent(tx, "deal.registered", deal.id, now);
    rememberResult(tx, key, registeredDealLocation(deal.id, conflict), now);
    return { status: "registered", dealId: deal.id, holdsClaim, conflict } as const;
  });
}

/** Where registering a deal leads: the deal, with the notice of how it was stored. */
export function registeredDealLocation(dealId: number, conflict: boolean) {
  return `/deals/${dealId}?notice=${conflict ? "flagged" : "registered"}`;
}

function loadDealForChange(tx: Pick<Tx, "select">, dealId: number) {
  const deal = tx.select().from(deals).where(eq(deals.id, dealId)).get();
  if (!deal) throw new DealError("That deal does not exist.", 404);
  return deal;
}

export function approveRegistration(db: DB, actor: Actor, dealId: number, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const deal = loadDealForChange(tx, dealId);
    if (deal.stage !== "submitted") throw new DealError(`This registration is already ${deal.stage}.`, 409);
    const holder = activeClaim(tx, deal.customerId, now);
    if (holder && holder.id !== deal.id) {
      const owner = holder.partnerId
        ? tx.select({ name: partners.name }).from(partners).where(eq(partners.id, holder.partnerId)).get()?.name
        : "the vendor";
      throw new DealError(
        `Deal #${holder.id} by ${owner} holds this account${holder.protectionEndsAt ? ` until ${holder.protectionEndsAt.toISOString().slice(0, 10)}` : ""}. Reject this registration, or decide that one first.`,
        409,
      );
    }
    if (!holder) releaseLapsedClaim(tx, deal.customerId);
    const protectionEndsAt = new Date(now.getTime() + protectionDays(tx) * DAY);
    tx.update(deals)
      .set({ stage: "approved", decidedAt: now, decidedBy: actor === "system" ? null : actor.id, protectionEndsAt, holdsClaim: true })
      .where(eq(deals.id, dealId))
      .run();
    recordAudit(tx, {
      actor,
      action: "deal.approved",
      entityType: "deal",
      entityId: dealId,
      partnerId: deal.partnerId,
      before: { stage: deal.stage },
      after: { stage: "approved", protectionEndsAt: protectionEndsAt.toISOString() },
      at: now,
    });
    emitDealEvent(tx, "deal.approved", dealId, now);
    return { partnerId: deal.partnerId, protectionEndsAt };
  });
}

export function rejectRegistration(db: DB, actor: Actor, dealId: number, reason: string, now = new Date()) {
  const trimmed = reason.trim();
  if (trimmed.length < 3) throw new DealError("Give the partner a reason for the rejection.");
  return writeTransaction(db, (tx) => {
    const deal = loadDealForChange(tx, dealId);
    if (deal.stage !== "submitted") throw new DealError(`This registration is already ${deal.stage}.`, 409);
    tx.update(deals)
      .set({ stage: "rejected", decidedAt: now, decidedBy: actor === "system" ? null : actor.id, rejectionReason: trimmed, holdsClaim: false })
      .where(eq(deals.id, dealId))
      .run();
    recordAudit(tx, {
      actor,
      action: "deal.rejected",
      entityType: "deal",
      entityId: dealId,
      partnerId: deal.partnerId,
      before: { stage: deal.stage },
      after: { stage: "rejected", reason: trimmed },
      at: now,
    });
    emitDealEvent(tx, "deal.rejected", dealId, now);
    return { partnerId: deal.partnerId };
  });
}

/** Won or lost: an approved (or direct) deal closes, releasing the claim. */
export function recordOutcome(
  tx: Tx,
  actor: Actor,
  dealId: number,
  outcome: { stage: "won"; amountCents: number; closedAt: Date } | { stage: "lost"; reason: string; closedAt: Date },
) {
  const deal = loadDealForChange(tx, dealId);
  if (!isClosable(deal) && deal.stage !== outcome.stage) {
    throw new DealError(`Deal #${dealId} is ${deal.stage}; only approved deals can be marked won or lost.`, 409);
  }
  if (deal.stage === outcome.stage) return { changed: false, partnerId: deal.partnerId };
  if (outcome.closedAt.getTime() < deal.submittedAt.getTime()) {
    throw new DealError(`Deal #${dealId} cannot close before it was submitted (${deal.submittedAt.toISOString().slice(0, 10)}).`);
  }
  tx.update(deals)
    .set(
      outcome.stage === "won"
        ? { stage: "won", amountCents: outcome.amountCents, closedAt: outcome.closedAt, holdsClaim: false }
        : { stage: "lost", lostReason: outcome.reason, closedAt: outcome.closedAt, holdsClaim: false },
    )
    .where(eq(deals.id, dealId))
    .run();
  refreshDealRollups(tx, dealId);
  recordAudit(tx, {
    actor,
    action: `deal.${outcome.stage}`,
    entityType: "deal",
    entityId: dealId,
    partnerId: deal.partnerId,
    before: { stage: deal.stage, amountCents: deal.amountCents },
    after:
      outcome.stage === "won"
        ? { stage: "won", amountCents: outcome.amountCents, closedAt: outcome.closedAt.toISOString() }
        : { stage: "lost", reason: outcome.reason, closedAt: outcome.closedAt.toISOString() },
  });
  emitDealEvent(tx, outcome.stage === "won" ? "deal.won" : "deal.lost", dealId);
  return { changed: true, partnerId: deal.partnerId };
}

export function markWon(db: DB, actor: Actor, dealId: number, amountCents: number, closedAt: Date) {
  if (!Number.isInteger(amountCents) || amountCents <= 0) throw new DealError("Enter the won amount, above zero.");
  return writeTransaction(db, (tx) => recordOutcome(tx, actor, dealId, { stage: "won", amountCents, closedAt }));
}

export function markLost(db: DB, actor: Actor, dealId: number, reason: string, closedAt: Date) {
  if (reason.trim().length < 3) throw new DealError("Say why the deal was lost.");
  return writeTransaction(db, (tx) => recordOutcome(tx, actor, dealId, { stage: "lost", reason: reason.trim(), closedAt }));
}

/** Approved registrations past protection without a close become expired. Idempotent. */
export function expireRegistrations(db: DB, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const due = tx
      .select({ id: deals.id, partnerId: deals.partnerId })
      .from(deals)
      .where(and(eq(deals.stage, "approved"), lte(deals.protectionEndsAt, now)))
      .all();
    for (const d of due) {
      tx.update(deals).set({ stage: "expired", holdsClaim: false, closedAt: now }).where(eq(deals.id, d.id)).run();
      recordAudit(tx, {
        actor: "system",
        action: "deal.expired",
        entityType: "deal",
        entityId: d.id,
        partnerId: d.partnerId,
        before: { stage: "approved" },
        after: { stage: "expired" },
        at: now,
      });
    }
    return due;
  });
}

/** Approved registrations whose protection ends within 14 days, each warned once. Idempotent. */
export function takeExpiryWarnings(db: DB, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const due = tx
      .select({ id: deals.id, partnerId: deals.partnerId, title: deals.title, protectionEndsAt: deals.protectionEndsAt })
      .from(deals)
      .where(
        and(
          eq(deals.stage, "approved"),
          sql`${deals.expiryWarnedAt} IS NULL`,
          lte(deals.protectionEndsAt, new Date(now.getTime() + EXPIRY_WARNING_DAYS * DAY)),
          gte(deals.protectionEndsAt, now),
        ),
      )
      .all();
    if (due.length) {
      tx.update(deals)
        .set({ expiryWarnedAt: now })
        .where(inArray(deals.id, due.map((d) => d.id)))
        .run();
      for (const d of due) emitDealEvent(tx, "deal.expiring", d.id, now);
    }
    return due;
  });
}

/**
 * The columns of one deal's page, on either side; each read adds the customer's name as that
 * side may see it (the partner sees the name it typed).
 */
export const dealDetailColumns = {
  domain: customers.domain,
  stage: deals.stage,
  amountCents: deals.amountCents,
  currency: deals.currency,
  productLine: deals.productLine,
  expectedCloseOn: deals.expectedCloseOn,
  contactName: deals.contactName,
  contactEmail: deals.contactEmail,
  notes: deals.notes,
  conflictNote: deals.conflictNote,
  rejectionReason: deals.rejectionReason,
  lostReason: deals.lostReason,
  submittedAt: deals.submittedAt,
  decidedAt: deals.decidedAt,
  protectionEndsAt: deals.protectionEndsAt,
  closedAt: deals.closedAt,
};
