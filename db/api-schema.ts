// API keys, webhook endpoints and their deliveries (issue 16, decision 0021). Re-exported from
// db/schema.ts so drizzle-kit and the app see one schema.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { partners, users } from "./schema";

export const API_SCOPES = ["deals:read", "deals:write", "partners:read", "attribution:read", "webhooks:manage"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
/** What a key created by a partner admin may hold: its own partner's deals, nothing else. */
export const PARTNER_KEY_SCOPES = ["deals:read", "deals:write", "attribution:read"] as const satisfies readonly ApiScope[];

export const WEBHOOK_EVENT_TYPES = [
  "deal.registered",
  "deal.approved",
  "deal.rejected",
  "deal.won",
  "deal.lost",
  "deal.expiring",
  "tier.changed",
  "partner.applied",
  "report.sent",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["queued", "sending", "delivered", "failed"] as const;

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    /** The first characters of the key (`ppk_ab12cd`), to recognise it in lists and logs. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key, hex: the key itself is shown once and never stored. */
    hash: text("hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<ApiScope[]>().notNull(),
    /** Set for a partner-scoped key: it sees only this partner's deals. */
    partnerId: integer("partner_id").references(() => partners.id),
    createdBy: text("created_by").references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.hash), index("api_keys_partner_idx").on(t.partnerId)],
);

/** One row (id 1): switches an admin sets on Settings → API. */
export const apiSettings = sqliteTable(
  "api_settings",
  {
    id: integer("id").primaryKey(),
    /** Off by default (SSRF): webhook URLs on private, loopback or link-local addresses are refused. */
    allowPrivateWebhookUrls: integer("allow_private_webhook_urls", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [check("api_settings_singleton", sql`${t.id} = 1`)],
);

export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  /** `whsec_` + base64 of 32 random bytes (Standard Webhooks). */
  secret: text("secret").notNull(),
  eventTypes: text("event_types", { mode: "json" }).$type<WebhookEventType[]>().notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  /** Set by an admin or by the drain after failing for days; no deliveries are made meanwhile. */
  disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
  disabledReason: text("disabled_reason"),
  /** The first failure since the last success; null while the endpoint answers. */
  failingSince: integer("failing_since", { mode: "timestamp_ms" }),
});

/** One event for one endpoint: the queue the drain works through (leases, backoff). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    endpointId: integer("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The `webhook-id` header: `msg_…`, the same for every endpoint and every retry of one event. */
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The exact body sent (and signed). */
    payload: text("payload").notNull(),
    /** The partner the event is about, if any. */
    partnerId: integer("partner_id").references(() => partners.id),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lockedUntil: integer("locked_until"),
    lockedBy: text("locked_by"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_uq").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
  ],
);

/** Every attempt: when, the response code (null when no answer came) and the error. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: integer("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.at)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
