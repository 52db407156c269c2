// What the partner team sees to decide registrations: the queue, the conflict panel (names
// partners, so internal only), a deal with its partner, and who at the partner hears about it;
// and the bulk approval built on the panel.
import { and, desc, eq, gte, ne, sql } from "drizzle-orm";
import { customers, deals, partners, users, type DealStage } from "../../db/schema";
import type { DB, Tx } from "../db.server";
import { writeTransaction } from "../db.server";
import type { Actor } from "./audit.server";
import { emailDomain } from "./customers";
import { existingCustomerSince } from "./deals";
import { activeClaim, approveRegistration, DealError, dealDetailColumns } from "./deals.server";
import { typedCustomerName } from "./partner-deals.server";

/**
 * The domain of a deal's contact email, as indexed by deals_contact_domain_idx (migration
 * 0011, hand-written): a statement must spell the expression exactly so to use the index.
 */
export const CONTACT_DOMAIN_SQL = `lower(substr(contact_email, instr(contact_email, '@') + 1))`;

/** Public webmail domains say nothing about which company a contact belongs to. */
export const FREEMAIL = new Set([
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
  const since = existingCustomerSince(now);
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
              // The indexed expression (deals_contact_domain_idx), not a LIKE that reads every deal.
              sql`${sql.raw(CONTACT_DOMAIN_SQL)} = ${contactDomain}`,
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

/**
 * A deal as the partner team sees it (any partner): the customer record's name and the name the
 * partner typed, both (see staffCustomerLabel); anything sent to the partner uses typedCustomer.
 */
export function getDealForStaff(db: DB, dealId: number) {
  return (
    db
      .select({
        id: deals.id,
        title: deals.title,
        /** The shared customer record's name: the domain's first registrant typed it. */
        customerRecord: customers.name,
        /** The name this deal's partner typed: the only one the partner may be shown. */
        typedCustomer: typedCustomerName,
        ...dealDetailColumns,
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

export type BulkApproveResult = {
  approved: { dealId: number; partnerId: number | null; protectionEndsAt: Date }[];
  skipped: { dealId: number; reason: string }[];
};

/**
 * Approves each registration that is still submitted and still free of conflicts, each in its
 * own IMMEDIATE transaction (the check and the approval together), so one refusal never holds
 * back the others. Whatever changed since the reviewer loaded the queue is skipped with why.
 */
export function bulkApproveRegistrations(
  db: DB,
  actor: Actor,
  dealIds: number[],
  now = new Date(),
  /** Runs inside each approval's transaction (its email: bulkApproveAndNotify). */
  onApproved?: (tx: Tx, dealId: number) => unknown,
): BulkApproveResult {
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
        const approved = approveRegistration(txDb, actor, dealId, now);
        if (approved.partnerId !== null) onApproved?.(tx, dealId);
        return { approved };
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
