// The MDF emails, one builder per message: the route queues it in the transaction of the
// decision or payment (queueMessage, decision 0018), under an identity from what caused it
// (`mdf-request-decided` + request id + state, `mdf-claim-paid` + request id,
// `mdf-claim-returned` + request id + the instant of the return), so a crash after
// the commit loses none and a repeat queues nothing. Recipients: the partner's enabled partner
// admins. The notify* wrappers hand the same message to a mailer.
import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import { mdfClaimReturnedEmail } from "../../emails/mdf-claim-returned";
import { mdfDecidedEmail } from "../../emails/mdf-decided";
import { mdfPaidEmail } from "../../emails/mdf-paid";
import type { NotificationContext } from "./deal-notifications.server";
import { formatMoney } from "./format";
import { getMdfForStaff, mdfBudget } from "./mdf.server";
import { programCurrency } from "./program-settings.server";
import { sendIdentified, type IdentifiedMessage } from "../mail/outbox.server";

type Sent = { sent: boolean; to: string[] };

function partnerAdmins(ctx: MessageContext, partnerId: number): string[] {
  return ctx.db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, "partner_admin"), isNull(users.disabledAt)))
    .all()
    .map((u) => u.email);
}

const url = (ctx: MessageContext, id: number) => `${ctx.config.APP_URL}/mdf/${id}`;

type MessageContext = Pick<NotificationContext, "db" | "config">;

export function mdfDecidedMessage(ctx: MessageContext, id: number): IdentifiedMessage | null {
  const request = getMdfForStaff(ctx.db, id);
  if (!request || (request.status !== "approved" && request.status !== "rejected")) return null;
  const to = partnerAdmins(ctx, request.partnerId);
  if (!to.length) return null;
  const currency = programCurrency(ctx.db);
  const budget = mdfBudget(ctx.db, request.partnerId, request.quarter);
  const email = mdfDecidedEmail({
    title: request.title,
    amount: formatMoney(request.amountCents, currency),
    approved: request.status === "approved",
    reason: request.rejectionReason,
    remaining: formatMoney(budget.remainingCents, currency),
    quarter: request.quarter,
    url: url(ctx, id),
  });
  return { to, ...email, identity: { kind: "mdf-request-decided", key: `${id}.${request.status}`, partnerId: request.partnerId } };
}

export async function notifyMdfDecided(ctx: NotificationContext, id: number): Promise<Sent> {
  const message = mdfDecidedMessage(ctx, id);
  return { sent: await sendIdentified(ctx.mailer, message), to: message?.to ?? [] };
}

export function mdfPaidMessage(ctx: MessageContext, id: number): IdentifiedMessage | null {
  const request = getMdfForStaff(ctx.db, id);
  if (!request || request.status !== "paid" || request.paidCents === null) return null;
  const to = partnerAdmins(ctx, request.partnerId);
  if (!to.length) return null;
  const email = mdfPaidEmail({ title: request.title, amount: formatMoney(request.paidCents, programCurrency(ctx.db)), url: url(ctx, id) });
  return { to, ...email, identity: { kind: "mdf-claim-paid", key: String(id), partnerId: request.partnerId } };
}

export async function notifyMdfPaid(ctx: NotificationContext, id: number): Promise<Sent> {
  const message = mdfPaidMessage(ctx, id);
  return { sent: await sendIdentified(ctx.mailer, message), to: message?.to ?? [] };
}

export function mdfClaimReturnedMessage(ctx: MessageContext, id: number): IdentifiedMessage | null {
  const request = getMdfForStaff(ctx.db, id);
  if (!request || request.status !== "approved" || !request.claimReturnReason || !request.claimReturnedAt) return null;
  const to = partnerAdmins(ctx, request.partnerId);
  if (!to.length) return null;
  const email = mdfClaimReturnedEmail({ title: request.title, amount: formatMoney(request.amountCents, programCurrency(ctx.db)), reason: request.claimReturnReason, url: url(ctx, id) });
  return { to, ...email, identity: { kind: "mdf-claim-returned", key: `${id}.${request.claimReturnedAt.getTime()}`, partnerId: request.partnerId } };
}
