// The daily deal-registration lifecycle: approved registrations whose protection ran out
// without a close become expired, and partners whose protection ends within 14 days are warned
// once. Each warning is an outbox row queued in the transaction that marks the deal warned
// (decision 0018): both commit or neither, and a crash after the commit loses no warning (the
// outbox sweep sends it). Running it twice does nothing new.
import { writeTransaction } from "../db.server";
import { expireRegistrations, takeExpiryWarnings } from "../domain/deals.server";
import { protectionExpiringMessage, type NotificationContext } from "../domain/deal-notifications.server";
import { deliverQueued, queueMessage } from "../mail/outbox.server";

export type DealLifecycleResult = {
  expired: number[];
  /** Deals whose warning was queued (an approved deal nobody can be told about is marked only). */
  warned: number[];
};

export async function runDealLifecycle(ctx: NotificationContext, now = new Date()): Promise<DealLifecycleResult> {
  const expired = expireRegistrations(ctx.db, now).map((d) => d.id);
  // takeExpiryWarnings' transaction nests as a savepoint: the marks and the emails are one commit.
  const warned = writeTransaction(ctx.db, (tx) =>
    takeExpiryWarnings(ctx.db, now)
      .filter((deal) => queueMessage(tx, protectionExpiringMessage(ctx, deal.id, now)))
      .map((deal) => deal.id),
  );
  if (warned.length) await deliverQueued(ctx);
  return { expired, warned };
}
