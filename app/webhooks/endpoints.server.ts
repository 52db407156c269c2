// Webhook endpoints as admins manage them (Settings → API and the API): add with chosen event
// types (the secret shown once), list with their recent deliveries and attempts, replay one
// delivery, disable and enable. Program-wide: only program admins and program keys manage them.
import { and, asc, desc, eq, gt, inArray, lt } from "drizzle-orm";
import {
  apiSettings,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from "../../db/schema";
import type { DB, Tx } from "../db.server";
import { writeTransaction } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";
import { decodeKeyset, encodeKeyset } from "../domain/keyset";
import { allowPrivateWebhookUrls } from "./drain.server";
import { newWebhookSecret } from "./signature";
import { checkWebhookUrl, WebhookUrlError } from "./ssrf.server";

export class WebhookEndpointError extends Error {
  constructor(
    message: string,
    readonly field: "url" | "eventTypes" | null = null,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

export type EndpointInput = { url: string; description?: string; eventTypes: readonly string[] };

/** Checks the URL (SSRF) and the event types; throws a WebhookEndpointError naming the field. */
export async function checkEndpointInput(db: DB, input: EndpointInput): Promise<{ url: string; description: string; eventTypes: WebhookEventType[] }> {
  try {
    await checkWebhookUrl(input.url.trim(), allowPrivateWebhookUrls(db));
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new WebhookEndpointError(error.message, "url");
    throw error;
  }
  const unknown = input.eventTypes.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new WebhookEndpointError(`Unknown event type ${unknown.join(", ")}: choose from ${WEBHOOK_EVENT_TYPES.join(", ")}.`, "eventTypes");
  if (input.eventTypes.length === 0) throw new WebhookEndpointError("Choose at least one event type.", "eventTypes");
  return { url: input.url.trim(), description: input.description?.trim() ?? "", eventTypes: [...new Set(input.eventTypes)] as WebhookEventType[] };
}

/** Inserts a checked endpoint (inside the caller's transaction); returns it with its secret. */
export function insertWebhookEndpoint(tx: Pick<Tx, "insert">, actor: Actor, checked: Awaited<ReturnType<typeof checkEndpointInput>>, now = new Date()) {
  const secret = newWebhookSecret();
  const row = tx
    .insert(webhookEndpoints)
    .values({ ...checked, secret, createdAt: now })
    .returning({ id: webhookEndpoints.id })
    .get();
  recordAudit(tx, { actor, action: "webhook_endpoint.created", entityType: "webhook_endpoint", entityId: row.id, after: checked, at: now });
  return { id: row.id, ...checked, secret, disabledAt: null as string | null };
}

export async function createWebhookEndpoint(db: DB, actor: Actor, input: EndpointInput, now = new Date()) {
  const checked = await checkEndpointInput(db, input);
  return writeTransaction(db, (tx) => insertWebhookEndpoint(tx, actor, checked, now));
}

export function listWebhookEndpoints(db: DB) {
  return db
    .select({
      id: webhookEndpoints.id,
      url: webhookEndpoints.url,
      description: webhookEndpoints.description,
      eventTypes: webhookEndpoints.eventTypes,
      disabledAt: webhookEndpoints.disabledAt,
      disabledReason: webhookEndpoints.disabledReason,
      failingSince: webhookEndpoints.failingSince,
      createdAt: webhookEndpoints.createdAt,
    })
    .from(webhookEndpoints)
    .orderBy(desc(webhookEndpoints.id))
    .all();
}

/** An endpoint's latest deliveries, each with its attempts (newest first). */
/** A position in an endpoint's delivery log (newest first): the id of a row, opaque in the URL. */
export function decodeDeliveryCursor(value: string | null | undefined): number | null {
  return decodeKeyset(value, ["number"])?.[0] ?? null;
}

/** One page of an endpoint's delivery log, newest first (keyset on id), with the cursors around it. */
export function endpointDeliveryPage(db: DB, endpointId: number, dir: { after?: number | null; before?: number | null } = {}, pageSize = 10) {
  const found = endpointDeliveries(db, endpointId, pageSize + 1, dir);
  const backwards = dir.before != null;
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return endpointDeliveryPage(db, endpointId, {}, pageSize);
  const rows = backwards ? found.slice(1) : found.slice(0, pageSize);
  const at = (r: (typeof rows)[number] | undefined) => (r ? encodeKeyset([r.id]) : null);
  return {
    rows,
    next: backwards || more ? at(rows[rows.length - 1]) : null,
    prev: backwards ? at(rows[0]) : dir.after != null ? (at(rows[0]) ?? encodeKeyset([dir.after])) : null,
  };
}

export function endpointDeliveries(db: DB, endpointId: number, limit = 20, dir: { after?: number | null; before?: number | null } = {}) {
  const backwards = dir.before != null;
  const rows = db
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      lastError: webhookDeliveries.lastError,
      createdAt: webhookDeliveries.createdAt,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        dir.before != null ? gt(webhookDeliveries.id, dir.before) : dir.after != null ? lt(webhookDeliveries.id, dir.after) : undefined,
      ),
    )
    .orderBy(backwards ? asc(webhookDeliveries.id) : desc(webhookDeliveries.id))
    .limit(limit)
    .all();
  if (backwards) rows.reverse();
  const attempts = rows.length
    ? db
        .select()
        .from(webhookAttempts)
        .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
        .orderBy(desc(webhookAttempts.at), desc(webhookAttempts.id))
        .all()
    : [];
  return rows.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.deliveryId === r.id) }));
}

/** Sends one delivery again now (same webhook-id, so receivers can tell it is the same event). */
export function replayWebhookDelivery(db: DB, actor: Actor, deliveryId: number, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const row = tx.select({ id: webhookDeliveries.id, status: webhookDeliveries.status, endpointId: webhookDeliveries.endpointId }).from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get();
    if (!row) throw new WebhookEndpointError("That delivery does not exist.", null, 404);
    if (row.status === "sending") throw new WebhookEndpointError("That delivery is being sent right now: wait for its result.", null, 409);
    tx.update(webhookDeliveries)
      .set({ status: "queued", nextAttemptAt: now.getTime(), attempts: 0, lockedBy: null, lockedUntil: null })
      .where(eq(webhookDeliveries.id, deliveryId))
      .run();
    recordAudit(tx, { actor, action: "webhook_delivery.replayed", entityType: "webhook_delivery", entityId: deliveryId, before: { status: row.status }, at: now });
    return row.endpointId;
  });
}

export function setWebhookEndpointEnabled(db: DB, actor: Actor, endpointId: number, enabled: boolean, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const row = tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get();
    if (!row) throw new WebhookEndpointError("That endpoint does not exist.", null, 404);
    tx.update(webhookEndpoints)
      .set(enabled ? { disabledAt: null, disabledReason: null, failingSince: null } : { disabledAt: now, disabledReason: `Disabled by ${actor === "system" ? "system" : actor.label}` })
      .where(eq(webhookEndpoints.id, endpointId))
      .run();
    recordAudit(tx, { actor, action: enabled ? "webhook_endpoint.enabled" : "webhook_endpoint.disabled", entityType: "webhook_endpoint", entityId: endpointId, at: now });
  });
}

export function setAllowPrivateWebhookUrls(db: DB, actor: Actor, allow: boolean, now = new Date()) {
  writeTransaction(db, (tx) => {
    tx.insert(apiSettings).values({ id: 1, allowPrivateWebhookUrls: allow }).onConflictDoUpdate({ target: apiSettings.id, set: { allowPrivateWebhookUrls: allow } }).run();
    recordAudit(tx, { actor, action: "api_settings.changed", entityType: "api_settings", entityId: 1, after: { allowPrivateWebhookUrls: allow }, at: now });
  });
}

/** True when some delivery is due now: the server kicks the drain after a request that wrote. */
export function webhooksDue(db: DB, now = Date.now()): boolean {
  return !!db.$client
    .prepare(`SELECT 1 FROM webhook_deliveries WHERE status = 'queued' AND next_attempt_at <= ? LIMIT 1`)
    .get(now);
}

