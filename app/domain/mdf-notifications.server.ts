// The MDF emails, one function per message, each called AFTER its change has committed and
// wrapped in sendLogged by the route (the same contract as deal-notifications.server.ts, so the
// outbox can take them over one by one). Recipients: the partner's enabled partner admins.
import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import { mdfDecidedEmail } from "../../emails/mdf-decided";
import { mdfPaidEmail } from "../../emails/mdf-paid";
import type { NotificationContext } from "./deal-notifications.server";
import { formatMoney } from "./format";
import { getMdfForStaff, mdfBudget } from "./mdf.server";
import { programCurrency } from "./program-settings.server";

type Sent = { sent: boolean; to: string[] };

function partnerAdmins(ctx: NotificationContext, partnerId: number): string[] {
  return ctx.db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, "partner_admin"), isNull(users.disabledAt)))
    .all()
    .map((u) => u.email);
}

const url = (ctx: NotificationContext, id: number) => `${ctx.config.APP_URL}/mdf/${id}`;

export async function notifyMdfDecided(ctx: NotificationContext, id: number): Promise<Sent> {
  const request = getMdfForStaff(ctx.db, id);
  if (!request || (request.status !== "approved" && request.status !== "rejected")) return { sent: false, to: [] };
  const to = partnerAdmins(ctx, request.partnerId);
  if (!to.length) return { sent: false, to };
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
  await ctx.mailer.send({ to, ...email });
  return { sent: true, to };
}

export async function notifyMdfPaid(ctx: NotificationContext, id: number): Promise<Sent> {
  const request = getMdfForStaff(ctx.db, id);
  if (!request || request.status !== "paid" || request.paidCents === null) return { sent: false, to: [] };
  const to = partnerAdmins(ctx, request.partnerId);
  if (!to.length) return { sent: false, to };
  const email = mdfPaidEmail({ title: request.title, amount: formatMoney(request.paidCents, programCurrency(ctx.db)), url: url(ctx, id) });
  await ctx.mailer.send({ to, ...email });
  return { sent: true, to };
}
