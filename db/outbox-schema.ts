// The email outbox (docs/domain.md "Email", decision 0018): every email except the monthly
// reports is one row, inserted in the same transaction as the change that causes it, with a
// unique (kind, identity) so a re-run or re-import does not enqueue it twice. The sender
// (app/mail/outbox.server.ts) drains it under leases, like report_deliveries.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DELIVERY_STATUSES } from "./vocabulary";

export const outboxMessages = sqliteTable(
  "outbox_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** What the email is: 'deal-won', 'invitation', 'password-reset'… */
    kind: text("kind").notNull(),
    /** The subject ids (and period) that make this email this one: 'deal-42', 'invitation-7'. */
    identity: text("identity").notNull(),
    /** The tenant the email is about, if any (for the page's filters; never for access). */
    partnerId: integer("partner_id"),
    /** JSON array of addresses. */
    recipients: text("recipients").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    /** JSON object of extra headers (List-Unsubscribe…), or null. */
    headers: text("headers"),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lockedUntil: integer("locked_until"),
    lockedBy: text("locked_by"),
    messageId: text("message_id"),
    error: text("error"),
    /** JSON [{ address, outcome, reply }] once an attempt got an answer per recipient. */
    outcomes: text("outcomes"),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("outbox_messages_identity_uq").on(t.kind, t.identity),
    index("outbox_messages_status_idx").on(t.status, t.nextAttemptAt),
    // The Outbox page: one status, newest first, a page at a time (keyset on id).
    index("outbox_messages_status_id_idx").on(t.status, t.id),
  ],
);

export type OutboxMessage = typeof outboxMessages.$inferSelect;
