// The daily deal-registration lifecycle: approved registrations whose protection ran out
// without a close become expired, and partners whose protection ends within 14 days are warned
// once. The state changes commit first; the emails follow. Running it twice does nothing new.
import { releaseExpiryWarning, expireRegistrations, takeExpiryWarnings } from "../domain/deals.server";
import { notifyProtectionExpiring, type NotificationContext } from "../domain/deal-notifications.server";

export type DealLifecycleResult = {
  expired: number[];
  warned: number[];
  /** Warnings whose email failed: released so that the next run tries again. */
  warningsFailed: number[];
};

export async function runDealLifecycle(ctx: NotificationContext, now = new Date()): Promise<DealLifecycleResult> {
  const expired = expireRegistrations(ctx.db, now).map((d) => d.id);
  const due = takeExpiryWarnings(ctx.db, now);
  const warned: number[] = [];
  const warningsFailed: number[] = [];
  for (const deal of due) {
    try {
      if ((await notifyProtectionExpiring(ctx, deal.id, now)).sent) warned.push(deal.id);
    } catch (error) {
      console.error(`[deal-lifecycle] expiry warning for deal #${deal.id} failed:`, error);
      releaseExpiryWarning(ctx.db, deal.id, now);
      warningsFailed.push(deal.id);
    }
  }
  return { expired, warned, warningsFailed };
}
