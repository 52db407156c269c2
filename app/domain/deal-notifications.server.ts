// The emails deal registration sends. Each is an outbox row (decision 0018) with an identity
// (kind + deal id), so a repeated call enqueues nothing more. The *Message functions build a
// message from the data the caller's transaction sees, so each is queued in the same
// transaction as the change that causes it (queueMessage): the registration
// (registerDealAndNotify), a decision, a bulk approval (bulkApproveAndNotify), the expiry mark
// (app/jobs/deal-lifecycle.server.ts), a won outcome (enqueueDealWon). The notify* wrappers hand
// a message to a mailer for tests only. Nothing here talks to SMTP.
import { and, asc, eq, isNull } from "drizzle-orm";
import { deals, partners, users } from "../../db/schema";
import { dealApprovedEmail } from "../../emails/deal-approved";
import { dealExpiringEmail } from "../../emails/deal-expiring";
import { dealRejectedEmail } from "../../emails/deal-rejected";
import { dealWonEmail } from "../../emails/deal-won";
import { registrationSubmittedEmail } from "../../emails/registration-submitted";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { enqueueEmail, queueMessage, sendIdentified, type IdentifiedMessage } from "../mail/outbox.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import type { Actor } from "./audit.server";
import { bulkApproveRegistrations, dealRecipients, getDealForStaff } from "./deal-review.server";
import { registerDeal, type RegistrationInput, type RegistrationResult } from "./deals.server";
import type { IdempotencyKey } from "./idempotency.server";
import { formatDate, formatMoney } from "./format";

export type NotificationContext = { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> };

/**
 * The people who review a partner's registrations: its assigned partner manager, or — when
 * none is assigned or that account is disabled — every active program admin.
 */
function reviewersOf(db: DB, partnerId: number): string[] {
  const manager = db
    .select({ email: users.email })
    .from(partners)
    .innerJoin(users, eq(users.id, partners.managerId))
    .where(and(eq(partners.id, partnerId), isNull(users.disabledAt)))
    .get();
  if (manager) return [manager.email];
  return db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt)))
    .orderBy(asc(users.email))
    .all()
    .map((u) => u.email);
}

/** A partner registered a deal: tell its reviewer(s), linking to the review page. */
export function registrationSubmittedMessage(ctx: Pick<NotificationContext, "db" | "config">, dealId: number): IdentifiedMessage | null {
  const deal = getDealForStaff(ctx.db, dealId);
  if (!deal || deal.partnerId === null || !deal.partnerName) return null;
  const to = reviewersOf(ctx.db, deal.partnerId);
  if (!to.length) return null;
  const submitter = ctx.db
    .select({ name: users.name })
    .from(deals)
    .innerJoin(users, eq(users.id, deals.submittedBy))
    .where(eq(deals.id, deal.id))
    .get();
  const email = registrationSubmittedEmail({
    dealId: deal.id,
    partnerName: deal.partnerName,
    submitterName: submitter?.name ?? null,
    customerName: deal.typedCustomer,
    customerRecordName: deal.customerRecord,
    domain: deal.domain,
    amount: formatMoney(deal.amountCents, deal.currency),
    productLine: deal.productLine,
    expectedCloseOn: formatDate(deal.expectedCloseOn),
    // registerDeal keeps a note only on a registration it flagged.
    flagged: deal.conflictNote !== null,
    conflictNote: deal.conflictNote,
    url: `${ctx.config.APP_URL}/internal/registrations/${deal.id}`,
  });
  return { to, ...email, identity: { kind: "deal-submitted", key: `deal-${deal.id}`, partnerId: deal.partnerId } };
}

/** The reviewers' email through a mailer (tests of its content; the app queues it in registerDealAndNotify). */
export async function notifyRegistrationSubmitted(ctx: NotificationContext, dealId: number): Promise<Sent> {
  const message = registrationSubmittedMessage(ctx, dealId);
  return { sent: await sendIdentified(ctx.mailer, message), to: message?.to ?? [] };
}

/**
 * registerDeal with the reviewers' "New registration" email queued in the same transaction
 * (ctx.db may itself be a caller's transaction: this one nests as a savepoint). A replayed or
 * refused registration queues nothing; the caller kicks the drain after the commit.
 */
export function registerDealAndNotify(
  ctx: Pick<NotificationContext, "db" | "config">,
  who: Parameters<typeof registerDeal>[1],
  input: RegistrationInput,
  now = new Date(),
  key: IdempotencyKey | null = null,
): RegistrationResult {
  return writeTransaction(ctx.db, (tx) => {
    const result = registerDeal(ctx.db, who, input, now, key);
    if (result.status === "registered") queueMessage(tx, registrationSubmittedMessage(ctx, result.dealId));
    return result;
  });
}

/** The registrations list's bulk approval, each approval committing with its approval email. */
export function bulkApproveAndNotify(ctx: Pick<NotificationContext, "db" | "config">, actor: Actor, dealIds: number[], now = new Date()) {
  return bulkApproveRegistrations(ctx.db, actor, dealIds, now, (tx, dealId) => queueMessage(tx, registrationApprovedMessage(ctx, dealId)));
}

// ---------------------------------------------------------------------------------------------
// To the registering partner (dealRecipients: its partner admins and the submitting user) about
// the partner team's decisions and the deal's outcome. Each throws when the mailer does; the
// caller decides whether that is worth more than a log line (see sendLogged).

const partnerDealUrl = (ctx: Pick<NotificationContext, "config">, dealId: number) => `${ctx.config.APP_URL}/deals/${dealId}`;

type Sent = { sent: boolean; to: string[] };

function partnerDeal(ctx: Pick<NotificationContext, "db">, dealId: number) {
  const deal = getDealForStaff(ctx.db, dealId);
  if (!deal || deal.partnerId === null) return null;
  const to = dealRecipients(ctx.db, dealId);
  return to.length ? { deal, to } : null;
}

/** Approved: the account is the partner's until the protection end date. */
export function registrationApprovedMessage(ctx: Pick<NotificationContext, "db" | "config">, dealId: number): IdentifiedMessage | null {
  const found = partnerDeal(ctx, dealId);
  if (!found || !found.deal.protectionEndsAt) return null;
  const { deal, to } = found;
  const email = dealApprovedEmail({
    dealTitle: deal.title,
    // The name this partner typed: the customer record may carry another partner's wording.
    customerName: deal.typedCustomer,
    domain: deal.domain,
    amountCents: deal.amountCents,
    currency: deal.currency,
    protectionEndsAt: deal.protectionEndsAt!,
    url: partnerDealUrl(ctx, deal.id),
  });
  return { to, ...email, identity: { kind: "deal-approved", key: `deal-${deal.id}`, partnerId: deal.partnerId } };
}

export async function notifyRegistrationApproved(ctx: NotificationContext, dealId: number): Promise<Sent> {
  const message = registrationApprovedMessage(ctx, dealId);
  return { sent: await sendIdentified(ctx.mailer, message), to: message?.to ?? [] };
}

/** Rejected: with the reviewer's reason, which the partner is entitled to see. */
export function registrationRejectedMessage(ctx: Pick<NotificationContext, "db" | "config">, dealId: number): IdentifiedMessage | null {
  const found = partnerDeal(ctx, dealId);
  if (!found || found.deal.stage !== "rejected") return null;
  const { deal, to } = found;
  const email = dealRejectedEmail({
    dealTitle: deal.title,
    domain: deal.domain,
    reason: deal.rejectionReason ?? "No reason was given.",
    url: partnerDealUrl(ctx, deal.id),
  });
  return { to, ...email, identity: { kind: "deal-rejected", key: `deal-${deal.id}`, partnerId: deal.partnerId } };
}

export async function notifyRegistrationRejected(ctx: NotificationContext, dealId: number): Promise<Sent> {
  const message = registrationRejectedMessage(ctx, dealId);
  return { sent: await sendIdentified(ctx.mailer, message), to: message?.to ?? [] };
}

/** Protection ends within EXPIRY_WARNING_DAYS: close the deal or lose the claim. */
export function protectionExpiringMessage(ctx: Pick<NotificationContext, "db" | "config">, dealId: number, now = new Date()): IdentifiedMessage | null {
  const found = partnerDeal(ctx, dealId);
  if (!found || found.deal.stage !== "approved" || !found.deal.protectionEndsAt) return null;
  const { deal, to } = found;
  const email = dealExpiringEmail({
    dealTitle: deal.title,
    domain: deal.domain,
    protectionEndsAt: deal.protectionEndsAt!,
    daysLeft: Math.max(0, Math.ceil((deal.protectionEndsAt!.getTime() - now.getTime()) / 86_400_000)),
    url: partnerDealUrl(ctx, deal.id),
  });
  // One warning per protection end date (an extension gets its own).
  const until = deal.protectionEndsAt!.toISOString().slice(0, 10);
  return { to, ...email, identity: { kind: "deal-expiring", key: `deal-${deal.id}-${until}`, partnerId: deal.partnerId } };
}

/** Won: a partner-registered deal closed won (by a reviewer or a CRM import). */
export async function notifyDealWon(ctx: NotificationContext, dealId: number): Promise<Sent> {
  const won = dealWonMessage(ctx, dealId);
  if (!won) return { sent: false, to: [] };
  return { sent: await sendIdentified(ctx.mailer, { ...won.message, identity: won.identity }), to: won.message.to };
}

export function dealWonMessage(ctx: Pick<NotificationContext, "db" | "config">, dealId: number) {
  const found = partnerDeal(ctx, dealId);
  if (!found || found.deal.stage !== "won" || !found.deal.closedAt) return null;
  const { deal, to } = found;
  const email = dealWonEmail({
    dealTitle: deal.title,
    domain: deal.domain,
    amountCents: deal.amountCents,
    currency: deal.currency,
    closedAt: deal.closedAt!,
    url: `${ctx.config.APP_URL}/deals/${deal.id}`,
  });
  return { message: { to, ...email }, identity: { kind: "deal-won", key: `deal-${deal.id}`, partnerId: deal.partnerId } };
}

/**
 * The won email as an outbox row in the caller's transaction `tx` (`db` is the same connection,
 * so it reads the transaction's own writes): it commits with the outcome or not at all, and a
 * re-import of the same outcome enqueues nothing more. False when nobody is to be told or it
 * was enqueued before.
 */
export function enqueueDealWon(ctx: Pick<NotificationContext, "db" | "config">, tx: Tx, dealId: number): boolean {
  const won = dealWonMessage(ctx, dealId);
  if (!won) return false;
  return enqueueEmail(tx, { kind: won.identity.kind, identity: won.identity.key, partnerId: won.identity.partnerId, ...won.message });
}

/**
 * Runs one notification after its change has committed. A mail failure is logged and answered
 * with false: the decision stands, and the screen can say the email did not go out.
 */
export async function sendLogged(what: string, send: () => Promise<Sent>): Promise<boolean> {
  try {
    return (await send()).sent;
  } catch (error) {
    console.error(`[mail] ${what} failed:`, error);
    return false;
  }
}
