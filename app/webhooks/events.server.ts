// Webhook events: written inside the transaction of the change they announce, one delivery row
// per enabled endpoint that subscribed to the type, so an event exists exactly when its change
// committed. The drain (drain.server.ts) sends them after the commit.
import { eq, isNull } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { customers, deals, partners, tiers, webhookDeliveries, webhookEndpoints, type WebhookEventType } from "../../db/schema";
import type { Tx } from "../db.server";
import { apiDeal, DEAL_COLUMNS } from "../api/deal-shape.server";

export function newEventId() {
  return `msg_${randomBytes(16).toString("base64url")}`;
}

/** Queues `type` for every subscribed endpoint; returns how many deliveries it queued. */
export function emitWebhookEvent(
  tx: Pick<Tx, "select" | "insert">,
  type: WebhookEventType,
  data: Record<string, unknown>,
  options: { partnerId?: number | null; now?: Date } = {},
): number {
  const endpoints = tx
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(isNull(webhookEndpoints.disabledAt))
    .all()
    .filter((e) => e.eventTypes.includes(type));
  if (endpoints.length === 0) return 0;
  const now = options.now ?? new Date();
  const eventId = newEventId();
  const payload = JSON.stringify({ type, timestamp: now.toISOString(), data });
  for (const endpoint of endpoints) {
    tx.insert(webhookDeliveries)
      .values({
        endpointId: endpoint.id,
        eventId,
        eventType: type,
        payload,
        partnerId: options.partnerId ?? null,
        nextAttemptAt: now.getTime(),
        createdAt: now,
      })
      .run();
  }
  return endpoints.length;
}

/** A deal as events and the API show it. */
export function dealEventData(tx: Pick<Tx, "select">, dealId: number) {
  const row = tx
    .select(DEAL_COLUMNS)
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .leftJoin(partners, eq(partners.id, deals.partnerId))
    .where(eq(deals.id, dealId))
    .get();
  return row ? apiDeal(row) : null;
}

/** Emits a deal event with the deal as it is now in this transaction. */
export function emitDealEvent(tx: Pick<Tx, "select" | "insert">, type: WebhookEventType, dealId: number, now?: Date) {
  const data = dealEventData(tx, dealId);
  if (!data) return 0;
  return emitWebhookEvent(tx, type, { deal: data }, { partnerId: data.partnerId, now });
}

/** tier.changed: the partner, its previous and new tier. */
export function emitTierChanged(
  tx: Pick<Tx, "select" | "insert">,
  partnerId: number,
  fromTierId: number,
  toTierId: number,
  now?: Date,
) {
  if (fromTierId === toTierId) return 0;
  const name = (id: number) => tx.select({ name: tiers.name }).from(tiers).where(eq(tiers.id, id)).get()?.name ?? null;
  const partner = tx.select({ slug: partners.slug, name: partners.name }).from(partners).where(eq(partners.id, partnerId)).get();
  return emitWebhookEvent(
    tx,
    "tier.changed",
    { partner: { id: partnerId, slug: partner?.slug, name: partner?.name }, from: name(fromTierId), to: name(toTierId) },
    { partnerId, now },
  );
}

