// Deal registration: the claim on a customer's domain, conflict detection, the review
// decisions and outcomes. Partner-facing reads take the partner id from the session guard;
// every state change is one IMMEDIATE transaction with its audit event.
import { and, asc, count, desc, eq, gte, inArray, like, lte, ne, or, sql, type SQL } from "drizzle-orm";
import {
  customers,
  DEAL_STAGES,
  deals,
  JOURNEY_STAGES,
  partners,
  PILLARS,
  programSettings,
  TOUCH_KINDS,
  touches,
  users,
  type DealStage,
} from "../../db/schema";
import type { DB, Tx } from "../db.server";
import { writeTransaction } from "../db.server";
import { listAuditTrail, recordAudit, type Actor } from "./audit.server";
import { emailDomain, normalizeCompanyName } from "./customers";
import { formatDate, formatMoney } from "./format";
import { refreshDealRollups } from "./rollups.server";

const DAY = 86_400_000;
export const EXPIRY_WARNING_DAYS = 14;
export const EXISTING_CUSTOMER_MONTHS = 12;

/** Public webmail domains say nothing about which company a contact belongs to. */
const FREEMAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "yahoo.com",
  "icloud.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "aol.com",
]);

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
function activeClaim(db: Pick<DB, "select">, customerId: number, now: Date): ClaimHolder | null {
  const holder = db
    .select({ id: deals.id, partnerId: deals.partnerId, stage: deals.stage, protectionEndsAt: deals.protectionEndsAt })
    .from(deals)
    .where(and(eq(deals.customerId, customerId), eq(deals.holdsClaim, true)))
    .get();
  if (!holder) return null;
  if (holder.protectionEndsAt && holder.protectionEndsAt.getTime() <= now.getTime()) return null;
  return holder;
}

function isExistingCustomer(db: Pick<DB, "select">, customerId: number, now: Date) {
  const since = new Date(now.getTime() - EXISTING_CUSTOMER_MONTHS * 30.4375 * DAY);
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
  | { status: "needs_confirmation"; check: Exclude<DomainCheck, { status: "free" }> };

/**
 * Registers a deal for the partner. Runs as one IMMEDIATE transaction, so two registrations
 * of one domain are serialized: the first takes the claim, the second sees it and is flagged
 * (the partial unique index on holds_claim is the last line of defence).
 */
export function registerDeal(
  db: DB,
  who: { userId: string; partnerId: number; actor: Actor },
  input: RegistrationInput,
  now = new Date(),
): RegistrationResult {
  return writeTransaction(db, (tx) => {
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
    // A claim whose protection ran out is released here, before the daily job gets to it.
    const stale = tx
      .select({ id: deals.id })
      .from(deals)
      .where(and(eq(deals.customerId, customer.id), eq(deals.holdsClaim, true)))
      .get();
    if (stale && !holder) tx.update(deals).set({ holdsClaim: false }).where(eq(deals.id, stale.id)).run();

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
    recordAudit(tx, {
      actor: who.actor,
      action: "deal.submitted",
      entityType: "deal",
      entityId: deal.id,
      partnerId: who.partnerId,
      after: { stage: "submitted", domain: input.domain, amountCents: input.amountCents, holdsClaim, conflict },
      at: now,
    });
    return { status: "registered", dealId: deal.id, holdsClaim, conflict } as const;
  });
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
  const closable = deal.stage === "approved" || (deal.partnerId === null && deal.stage === "submitted");
  if (!closable && deal.stage !== outcome.stage) {
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
    }
    return due;
  });
}

// ---------------------------------------------------------------------------------------------
// Partner-side reads. Every query has the partner id in its WHERE clause.

/** What the partner typed for this registration (older rows fall back to the customer record). */
const registeredCustomerName = sql<string>`coalesce(nullif(${deals.customerName}, ''), ${customers.name})`;

export type DealListFilters = {
  stage?: DealStage;
  from?: string;
  to?: string;
  q?: string;
  page?: number;
};
export const PAGE_SIZE = 25;

function partnerDealConditions(partnerId: number, f: DealListFilters) {
  const c: SQL[] = [eq(deals.partnerId, partnerId)];
  if (f.stage) c.push(eq(deals.stage, f.stage));
  if (f.from) c.push(gte(deals.submittedAt, new Date(`${f.from}T00:00:00Z`)));
  if (f.to) c.push(lte(deals.submittedAt, new Date(`${f.to}T23:59:59.999Z`)));
  if (f.q) {
    const q = `%${f.q.replace(/[%_]/g, "")}%`;
    c.push(or(like(deals.title, q), like(customers.domain, q), like(deals.customerName, q))!);
  }
  return and(...c);
}

export function listPartnerDeals(db: DB, partnerId: number, f: DealListFilters = {}) {
  const where = partnerDealConditions(partnerId, f);
  const page = Math.max(1, f.page ?? 1);
  const total =
    db
      .select({ n: count() })
      .from(deals)
      .innerJoin(customers, eq(customers.id, deals.customerId))
      .where(where)
      .get()?.n ?? 0;
  const rows = db
    .select({
      id: deals.id,
      title: deals.title,
      customer: registeredCustomerName,
      domain: customers.domain,
      stage: deals.stage,
      amountCents: deals.amountCents,
      currency: deals.currency,
      submittedAt: deals.submittedAt,
      expectedCloseOn: deals.expectedCloseOn,
      protectionEndsAt: deals.protectionEndsAt,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(where)
    .orderBy(desc(deals.submittedAt), desc(deals.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .all();
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

/** All of the partner's deals for the CSV export (no paging). */
export function exportPartnerDeals(db: DB, partnerId: number, f: DealListFilters = {}) {
  return db
    .select({
      id: deals.id,
      title: deals.title,
      customer: registeredCustomerName,
      domain: customers.domain,
      stage: deals.stage,
      amountCents: deals.amountCents,
      currency: deals.currency,
      productLine: deals.productLine,
      expectedCloseOn: deals.expectedCloseOn,
      submittedAt: deals.submittedAt,
      decidedAt: deals.decidedAt,
      protectionEndsAt: deals.protectionEndsAt,
      closedAt: deals.closedAt,
      rejectionReason: deals.rejectionReason,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(partnerDealConditions(partnerId, f))
    .orderBy(desc(deals.submittedAt), desc(deals.id))
    .all();
}

/** One of the partner's own deals, or null (another partner's deal is "not found" too). */
export function getPartnerDeal(db: DB, partnerId: number, dealId: number) {
  const deal = db
    .select({
      id: deals.id,
      title: deals.title,
      customer: registeredCustomerName,
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
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(and(eq(deals.id, dealId), eq(deals.partnerId, partnerId)))
    .get();
  if (!deal) return null;
  const ownTouches = db
    .select({
      id: touches.id,
      occurredAt: touches.occurredAt,
      kind: touches.kind,
      pillar: touches.pillar,
      journeyStage: touches.journeyStage,
      note: touches.note,
    })
    .from(touches)
    .where(and(eq(touches.dealId, dealId), eq(touches.partnerId, partnerId)))
    .orderBy(asc(touches.occurredAt), asc(touches.id))
    .all();
  return { deal, touches: ownTouches };
}

export type TouchInput = {
  occurredAt: Date;
  kind: (typeof touches.$inferInsert)["kind"];
  pillar: (typeof touches.$inferInsert)["pillar"];
  journeyStage: (typeof touches.$inferInsert)["journeyStage"];
  note: string;
};

/** Logs a partner's touch on one of its own deals. */
export function addPartnerTouch(
  db: DB,
  who: { userId: string; partnerId: number; actor: Actor },
  dealId: number,
  input: TouchInput,
) {
  return writeTransaction(db, (tx) => {
    const deal = tx
      .select({ id: deals.id, submittedAt: deals.submittedAt, closedAt: deals.closedAt })
      .from(deals)
      .where(and(eq(deals.id, dealId), eq(deals.partnerId, who.partnerId)))
      .get();
    if (!deal) throw new DealError("That deal does not exist.", 404);
    const touch = tx
      .insert(touches)
      .values({ dealId, partnerId: who.partnerId, createdBy: who.userId, ...input })
      .returning({ id: touches.id })
      .get();
    // A touch on a closed deal changes its credit under the touch-based models.
    refreshDealRollups(tx, dealId);
    recordAudit(tx, {
      actor: who.actor,
      action: "touch.added",
      entityType: "deal",
      entityId: dealId,
      partnerId: who.partnerId,
      after: { touchId: touch.id, kind: input.kind, occurredAt: input.occurredAt.toISOString() },
    });
    return touch.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Partner-team reads.

export function listRegistrationQueue(db: DB) {
  return db
    .select({
      id: deals.id,
      title: deals.title,
      customer: customers.name,
      domain: customers.domain,
      partnerName: partners.name,
      partnerSlug: partners.slug,
      amountCents: deals.amountCents,
      currency: deals.currency,
      submittedAt: deals.submittedAt,
      holdsClaim: deals.holdsClaim,
      conflictNote: deals.conflictNote,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .leftJoin(partners, eq(partners.id, deals.partnerId))
    .where(eq(deals.stage, "submitted"))
    .orderBy(asc(deals.submittedAt), asc(deals.id))
    .all();
}

export type ConflictPanel = {
  activeClaim: { dealId: number; partnerName: string | null; partnerSlug: string | null; protectionEndsAt: Date | null; stage: DealStage } | null;
  existingCustomer: { dealId: number; closedAt: Date | null; amountCents: number } | null;
  sameDomain: { dealId: number; partnerName: string | null; stage: DealStage; submittedAt: Date }[];
  sameCompanyName: { dealId: number; domain: string; partnerName: string | null; stage: DealStage }[];
  sameContactDomain: { dealId: number; domain: string; partnerName: string | null; stage: DealStage }[];
};

/** Everything a reviewer must see before deciding a registration. Internal only: names partners. */
export function conflictPanel(db: DB, dealId: number, now = new Date()): ConflictPanel | null {
  const deal = db
    .select({
      id: deals.id,
      customerId: deals.customerId,
      contactEmail: deals.contactEmail,
      normalizedName: customers.normalizedName,
      domain: customers.domain,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(eq(deals.id, dealId))
    .get();
  if (!deal) return null;
  const holder = activeClaim(db, deal.customerId, now);
  let claim: ConflictPanel["activeClaim"] = null;
  if (holder && holder.id !== deal.id) {
    const p = holder.partnerId
      ? db.select({ name: partners.name, slug: partners.slug }).from(partners).where(eq(partners.id, holder.partnerId)).get()
      : null;
    claim = { dealId: holder.id, partnerName: p?.name ?? null, partnerSlug: p?.slug ?? null, protectionEndsAt: holder.protectionEndsAt, stage: holder.stage };
  }
  const since = new Date(now.getTime() - EXISTING_CUSTOMER_MONTHS * 30.4375 * DAY);
  const won = db
    .select({ dealId: deals.id, closedAt: deals.closedAt, amountCents: deals.amountCents })
    .from(deals)
    .where(and(eq(deals.customerId, deal.customerId), eq(deals.stage, "won"), gte(deals.closedAt, since)))
    .orderBy(desc(deals.closedAt))
    .limit(1)
    .get();
  const sameDomain = db
    .select({ dealId: deals.id, partnerName: partners.name, stage: deals.stage, submittedAt: deals.submittedAt })
    .from(deals)
    .leftJoin(partners, eq(partners.id, deals.partnerId))
    .where(and(eq(deals.customerId, deal.customerId), ne(deals.id, deal.id)))
    .orderBy(desc(deals.submittedAt))
    .limit(20)
    .all();
  const sameCompanyName = deal.normalizedName
    ? db
        .select({ dealId: deals.id, domain: customers.domain, partnerName: partners.name, stage: deals.stage })
        .from(deals)
        .innerJoin(customers, eq(customers.id, deals.customerId))
        .leftJoin(partners, eq(partners.id, deals.partnerId))
        .where(and(eq(customers.normalizedName, deal.normalizedName), ne(customers.id, deal.customerId)))
        .orderBy(desc(deals.submittedAt))
        .limit(20)
        .all()
    : [];
  const contactDomain = emailDomain(deal.contactEmail);
  const sameContactDomain =
    contactDomain && !FREEMAIL.has(contactDomain)
      ? db
          .select({ dealId: deals.id, domain: customers.domain, partnerName: partners.name, stage: deals.stage })
          .from(deals)
          .innerJoin(customers, eq(customers.id, deals.customerId))
          .leftJoin(partners, eq(partners.id, deals.partnerId))
          .where(
            and(
              like(deals.contactEmail, `%@${contactDomain.replace(/[%_]/g, "")}`),
              ne(deals.id, deal.id),
              ne(deals.customerId, deal.customerId),
            ),
          )
          .orderBy(desc(deals.submittedAt))
          .limit(20)
          .all()
      : [];
  return {
    activeClaim: claim,
    existingCustomer: won ? { dealId: won.dealId, closedAt: won.closedAt, amountCents: won.amountCents } : null,
    sameDomain,
    sameCompanyName,
    sameContactDomain,
  };
}

export function hasConflicts(panel: ConflictPanel) {
  return (
    !!panel.activeClaim ||
    !!panel.existingCustomer ||
    panel.sameDomain.some((d) => d.stage === "submitted" || d.stage === "approved") ||
    panel.sameCompanyName.length > 0 ||
    panel.sameContactDomain.length > 0
  );
}

/** A deal as the partner team sees it (any partner), with the people to notify. */
export function getDealForStaff(db: DB, dealId: number) {
  return (
    db
      .select({
        id: deals.id,
        title: deals.title,
        customer: customers.name,
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
        holdsClaim: deals.holdsClaim,
        partnerId: deals.partnerId,
        partnerName: partners.name,
        partnerSlug: partners.slug,
      })
      .from(deals)
      .innerJoin(customers, eq(customers.id, deals.customerId))
      .leftJoin(partners, eq(partners.id, deals.partnerId))
      .where(eq(deals.id, dealId))
      .get() ?? null
  );
}

/** Who at a partner hears about its deals: its admins, and the submitting user. */
export function dealRecipients(db: DB, dealId: number): string[] {
  const deal = db.select({ partnerId: deals.partnerId, submittedBy: deals.submittedBy }).from(deals).where(eq(deals.id, dealId)).get();
  if (!deal?.partnerId) return [];
  const rows = db
    .select({ email: users.email, id: users.id, role: users.role })
    .from(users)
    .where(and(eq(users.partnerId, deal.partnerId), sql`${users.disabledAt} IS NULL`))
    .all();
  return rows.filter((u) => u.role === "partner_admin" || u.id === deal.submittedBy).map((u) => u.email);
}

// ---------------------------------------------------------------------------------------------
// Partner-team decisions in bulk, and outcomes entered as calendar dates.

/** What recordOutcome accepts: an approved deal, or a direct deal nobody had to approve. */
export function isClosable(deal: { stage: DealStage; partnerId: number | null }) {
  return deal.stage === "approved" || (deal.partnerId === null && deal.stage === "submitted");
}

/**
 * The instant a deal closed on the UTC calendar day `closedOn` ('YYYY-MM-DD'): the end of that
 * day, or now when that is today, so a deal submitted earlier the same day can still close on it.
 */
export function closedAtFromDate(closedOn: string, now = new Date()): Date {
  const endOfDay = new Date(`${closedOn}T23:59:59.999Z`);
  return endOfDay.getTime() > now.getTime() ? now : endOfDay;
}

export type BulkApproveResult = {
  approved: { dealId: number; partnerId: number | null; protectionEndsAt: Date }[];
  skipped: { dealId: number; reason: string }[];
};

/**
 * Approves each registration that is still submitted and still free of conflicts, each in its
 * own IMMEDIATE transaction (the check and the approval together), so one refusal never holds
 * back the others. Whatever changed since the reviewer loaded the queue is skipped with why.
 */
export function bulkApproveRegistrations(db: DB, actor: Actor, dealIds: number[], now = new Date()): BulkApproveResult {
  const result: BulkApproveResult = { approved: [], skipped: [] };
  for (const dealId of [...new Set(dealIds)]) {
    try {
      const outcome = writeTransaction(db, (tx): { skipped: string } | { approved: { partnerId: number | null; protectionEndsAt: Date } } => {
        // The queries run on the transaction; approveRegistration's own transaction nests as a savepoint.
        const txDb = tx as unknown as DB;
        const deal = tx.select({ stage: deals.stage }).from(deals).where(eq(deals.id, dealId)).get();
        if (!deal) return { skipped: "it no longer exists." };
        if (deal.stage !== "submitted") return { skipped: `it is already ${deal.stage}.` };
        const panel = conflictPanel(txDb, dealId, now);
        if (!panel || hasConflicts(panel)) return { skipped: "it has conflicts now: review it on its own page." };
        return { approved: approveRegistration(txDb, actor, dealId, now) };
      });
      if ("approved" in outcome) result.approved.push({ dealId, ...outcome.approved });
      else result.skipped.push({ dealId, reason: outcome.skipped });
    } catch (error) {
      if (!(error instanceof DealError)) throw error;
      result.skipped.push({ dealId, reason: error.message });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Partner-side registration screens: defaults, list filters from the URL, human labels for the
// touch enums, and the deal's history as the partner may see it.


const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isIsoDate = (s: string) => ISO_DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * The deal-list filters of a URL (?stage=&from=&to=&q=&page=). The URL is typed by anyone:
 * a value that is not valid is dropped rather than answered with an error.
 */
export function dealFiltersFromSearch(params: URLSearchParams): DealListFilters {
  const f: DealListFilters = {};
  const stage = params.get("stage") ?? "";
  if ((DEAL_STAGES as readonly string[]).includes(stage)) f.stage = stage as DealStage;
  const from = params.get("from")?.trim() ?? "";
  if (isIsoDate(from)) f.from = from;
  const to = params.get("to")?.trim() ?? "";
  if (isIsoDate(to)) f.to = to;
  const q = params.get("q")?.trim().slice(0, 100) ?? "";
  if (q) f.q = q;
  const page = Number(params.get("page"));
  if (Number.isInteger(page) && page > 1 && page <= 100_000) f.page = page;
  return f;
}

export const TOUCH_KIND_LABELS: Record<(typeof TOUCH_KINDS)[number], string> = {
  referral: "Referral",
  co_sell_meeting: "Co-sell meeting",
  technical_validation: "Technical validation",
  implementation: "Implementation",
  co_marketing: "Co-marketing",
  integration: "Integration",
  support: "Support",
};
export const PILLAR_LABELS: Record<(typeof PILLARS)[number], string> = {
  build: "Build",
  market: "Market",
  sell: "Sell",
  serve: "Serve",
};
export const JOURNEY_STAGE_LABELS: Record<(typeof JOURNEY_STAGES)[number], string> = {
  awareness: "Awareness",
  consideration: "Consideration",
  decision: "Decision",
  onboarding: "Onboarding",
  expansion: "Expansion",
};

export type DealHistoryEntry = { id: number; at: Date; what: string; by: string };

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown) => (typeof value === "string" ? value : null);
const day = (value: unknown) => (typeof value === "string" && value.length >= 10 ? formatDate(value.slice(0, 10)) : null);

function describeDealEvent(action: string, after: Record<string, unknown>, currency: string): string {
  switch (action) {
    case "deal.submitted":
      return after.conflict
        ? "Registered the deal, flagged for review because the account was already registered"
        : "Registered the deal";
    case "deal.approved": {
      const until = day(after.protectionEndsAt);
      return until ? `Approved the registration; the account is protected until ${until}` : "Approved the registration";
    }
    case "deal.rejected":
      return text(after.reason) ? `Rejected the registration: ${text(after.reason)}` : "Rejected the registration";
    case "deal.won":
      return typeof after.amountCents === "number"
        ? `Marked the deal won at ${formatMoney(after.amountCents, currency)}`
        : "Marked the deal won";
    case "deal.lost":
      return text(after.reason) ? `Marked the deal lost: ${text(after.reason)}` : "Marked the deal lost";
    case "deal.expired":
      return "Protection ran out without a close; the registration expired";
    case "touch.added": {
      const kind = TOUCH_KIND_LABELS[after.kind as keyof typeof TOUCH_KIND_LABELS];
      const on = day(after.occurredAt);
      return `Logged an activity${kind ? `: ${kind.toLowerCase()}` : ""}${on ? ` on ${on}` : ""}`;
    }
    default: {
      const verb = action.slice(action.indexOf(".") + 1).replace(/_/g, " ");
      return `${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
    }
  }
}

/**
 * The audit trail of one of the partner's own deals, told as "what happened, when, by whom".
 * Only the partner's own events (never another partner's touch on the deal); a colleague is
 * named, anyone on the vendor side is "Partner team"; no emails, no raw before/after values.
 */
export function partnerDealHistory(db: DB, partnerId: number, dealId: number): DealHistoryEntry[] {
  const deal = db
    .select({ currency: deals.currency })
    .from(deals)
    .where(and(eq(deals.id, dealId), eq(deals.partnerId, partnerId)))
    .get();
  if (!deal) return [];
  const events = listAuditTrail(db, "deal", dealId).filter((e) => e.partnerId === partnerId);
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const colleagues = new Map(
    (actorIds.length
      ? db
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(and(inArray(users.id, actorIds), eq(users.partnerId, partnerId)))
          .all()
      : []
    ).map((u) => [u.id, u.name]),
  );
  return events.map((e) => {
    let by: string;
    if (e.actorId === null) by = e.actorLabel === "system" ? "System" : "Partner team";
    else by = colleagues.get(e.actorId) ?? "Partner team";
    return { id: e.id, at: e.at, what: describeDealEvent(e.action, asRecord(e.after), deal.currency), by };
  });
}

/**
 * Undoes takeExpiryWarnings for one deal whose warning email could not be sent, so the next
 * daily run tries again instead of the partner never hearing about it.
 */
export function releaseExpiryWarning(db: DB, dealId: number, warnedAt: Date) {
  db.update(deals)
    .set({ expiryWarnedAt: null })
    .where(and(eq(deals.id, dealId), eq(deals.stage, "approved"), eq(deals.expiryWarnedAt, warnedAt)))
    .run();
}
