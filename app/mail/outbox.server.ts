// The email outbox (docs/domain.md "Email", decision 0018): every email except the monthly
// reports is an outbox_messages row, written in the same transaction as the change that causes
// it (enqueueEmail with that transaction), unique by (kind, identity) so a re-run does not
// enqueue it twice. Nothing in a request talks to SMTP: the server kicks the drain after the
// commit (kickOutbox) and the scheduler's sweep catches the rest. The drain has the reports'
// semantics (app/mail/sender.server.ts): leases renewed by a heartbeat, fencing, per-recipient
// outcomes, backoff over days, dead letters; delivery is at least once under a Message-ID
// `<kind.identity@mail domain>`. Without SMTP_URL the transport writes the .eml outbox folder.
import os from "node:os";
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { outboxMessages, type OutboxMessage } from "../../db/schema";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";
import type { Mailer, OutgoingMessage, SendResult } from "../mailer.server";
import type { Config } from "../config.server";
import { DEFAULT_LEASE_MS, leaseStatements, MAX_ATTEMPTS } from "../reports/delivery.server";
import { mailDomain, messageIdFor } from "./message-id.server";
import {
  backoffMs,
  classifyError,
  DEFAULT_BACKOFF,
  describeError,
  parseOutcomes,
  sendMessages,
  startHeartbeat,
  summarizeOutcomes,
} from "./sender.server";

export type QueuedEmail = {
  /** What the email is: 'deal-won', 'invitation'… (the Message-ID's first part). */
  kind: string;
  /** The subject ids (and period) that make it this email; the same change gives the same one. */
  identity: string;
  partnerId?: number | null;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
};

/**
 * Writes one email into the outbox, with `db` the transaction of the change that causes it.
 * False when (kind, identity) is already there: a re-run or re-import enqueues nothing.
 */
export function enqueueEmail(db: DB | Tx, email: QueuedEmail, now = Date.now()): boolean {
  if (email.to.length === 0) return false;
  const inserted = db
    .insert(outboxMessages)
    .values({
      kind: email.kind,
      identity: email.identity,
      partnerId: email.partnerId ?? null,
      recipients: JSON.stringify(email.to),
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: email.headers ? JSON.stringify(email.headers) : null,
      nextAttemptAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: outboxMessages.id })
    .all();
  return inserted.length === 1;
}

/** A message with its outbox identity: what a change's transaction queues. */
export type IdentifiedMessage = OutgoingMessage & { identity: NonNullable<OutgoingMessage["identity"]> };

/**
 * Queues `message` (null: nobody to tell) as an outbox row in `tx`, the transaction of the
 * change that causes it, so both commit or neither. True when such a row now exists (queued
 * now or by an earlier run of the same change: its identity makes a re-run queue nothing).
 */
export function queueMessage(tx: DB | Tx, message: IdentifiedMessage | null, now = Date.now()): boolean {
  if (!message || message.to.length === 0) return false;
  if (message.attachments?.length) throw new Error("The outbox keeps no attachments: send those through a report delivery.");
  enqueueEmail(
    tx,
    {
      kind: message.identity.kind,
      identity: message.identity.key,
      partnerId: message.identity.partnerId,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
    },
    now,
  );
  return true;
}

/** Sends one identified message through `mailer` (the queue mailer enqueues it; null: nothing). */
export async function sendIdentified(mailer: Mailer, message: IdentifiedMessage | null): Promise<boolean> {
  if (!message || message.to.length === 0) return false;
  await mailer.send(message);
  return true;
}

/**
 * After a transaction that queued emails has committed: the queue mailer starts its drain in
 * the background (the request never waits for SMTP); a plain transport (CLI, tests) drains now.
 */
export async function deliverQueued(ctx: { db: DB; mailer: Mailer }): Promise<void> {
  const queue = ctx.mailer as Partial<QueueMailer>;
  if (queue.kick) {
    queue.kick();
    return;
  }
  await runOutbox({ db: ctx.db, transport: ctx.mailer, config: { MAIL_FROM: ctx.mailer.from } });
}

// ---------------------------------------------------------------------------------------------
// The app's Mailer: enqueue, never send

export type QueueMailer = Mailer & { transport: Mailer; kick(): void };

/**
 * What requests and jobs get as `mailer`: send() writes an outbox row (its own transaction; a
 * message without an identity gets a random one) and kicks the drain. Code that can, enqueues
 * inside its own transaction instead (enqueueEmail).
 */
export function createQueueMailer(ctx: Omit<OutboxContext, "transport">, transport: Mailer): QueueMailer {
  const full: OutboxContext = { ...ctx, transport };
  return {
    kind: transport.kind,
    from: transport.from,
    transport,
    async send(m: OutgoingMessage): Promise<SendResult> {
      if (m.attachments?.length) throw new Error("The outbox keeps no attachments: send those through a report delivery.");
      const identity = m.identity ?? { kind: "email", key: randomUUID() };
      writeTransaction(ctx.db, (tx) =>
        enqueueEmail(tx, {
          kind: identity.kind,
          identity: identity.key,
          partnerId: identity.partnerId,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          headers: m.headers,
        }),
      );
      kickOutbox(full);
      return { messageId: messageIdFor(identity.kind, identity.key, mailDomain(ctx.db, ctx.config.MAIL_FROM)), recipients: [] };
    },
    kick() {
      void kickOutbox(full);
    },
    close: () => transport.close(),
  };
}

/** The mailer that really hands messages over: the queue mailer's transport, or the mailer itself. */
export function transportOf(mailer: Mailer): Mailer {
  return (mailer as Partial<QueueMailer>).transport ?? mailer;
}

// ---------------------------------------------------------------------------------------------
// The drain

export type OutboxContext = {
  db: DB;
  transport: Mailer;
  config: Pick<Config, "MAIL_FROM"> & Partial<Pick<Config, "MAIL_MAX_ATTEMPTS" | "MAIL_LEASE_MS">>;
  clock?: () => number;
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: Partial<typeof DEFAULT_BACKOFF>;
};

export type OutboxSummary = { sent: number; partial: number; failed: number; retrying: number; lost: number };

const statementsOf = new WeakMap<object, ReturnType<typeof leaseStatements>>();
function statements(db: DB) {
  let s = statementsOf.get(db.$client);
  if (!s) statementsOf.set(db.$client, (s = leaseStatements(db, "outbox_messages")));
  return s;
}

type ClaimedMessage = OutboxMessage & { lockedBy: string };

async function deliverMessage(ctx: OutboxContext, row: ClaimedMessage): Promise<keyof OutboxSummary> {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = ctx.leaseMs ?? ctx.config.MAIL_LEASE_MS ?? DEFAULT_LEASE_MS;
  const maxAttempts = ctx.maxAttempts ?? ctx.config.MAIL_MAX_ATTEMPTS ?? MAX_ATTEMPTS;
  const s = statements(ctx.db);
  const fence = { id: row.id, lockedBy: row.lockedBy, attempts: row.attempts };
  const record = (name: "sent" | "retry" | "failed", values: Record<string, unknown>, outcome: keyof OutboxSummary) =>
    s[name].run({ ...fence, ...values }).changes === 1 ? outcome : "lost";
  const heartbeat = startHeartbeat(s, fence, leaseMs, clock);
  try {
    const messageId = messageIdFor(row.kind, row.identity, mailDomain(ctx.db, ctx.config.MAIL_FROM));
    let sent: Awaited<ReturnType<typeof sendMessages>>;
    try {
      sent = await sendMessages({
        statements: s,
        fence,
        heartbeat,
        mailer: ctx.transport,
        messages: [
          {
            to: JSON.parse(row.recipients) as string[],
            subject: row.subject,
            text: row.text,
            html: row.html,
            messageId,
            headers: row.headers ? (JSON.parse(row.headers) as Record<string, string>) : undefined,
          },
        ],
        previous: parseOutcomes(row.outcomes),
      });
      if (!sent) return "lost";
    } catch (error) {
      const text = describeError(error);
      if (classifyError(error) === "permanent" || row.attempts >= maxAttempts) {
        const reason = row.attempts >= maxAttempts ? `Gave up after ${row.attempts} attempts. Last error: ${text}` : text;
        return record("failed", { error: reason }, "failed");
      }
      const next = clock() + backoffMs(row.attempts, ctx.backoff);
      return record("retry", { error: `Attempt ${row.attempts} failed, will retry: ${text}`, next }, "retrying");
    }
    const { status, error } = summarizeOutcomes(sent.outcomes);
    return record("sent", { status, error, outcomes: JSON.stringify(sent.outcomes), messageId, at: clock() }, status);
  } finally {
    heartbeat.stop();
  }
}

export function claimMessage(db: DB, worker: string, now: number, leaseMs: number, maxAttempts: number): ClaimedMessage | null {
  const s = statements(db);
  return writeTransaction(db, () => {
    s.giveUp.run({ now, max: maxAttempts });
    const row = s.claim.get({ worker, now, until: now + leaseMs, max: maxAttempts }) as Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      id: row.id,
      kind: row.kind,
      identity: row.identity,
      partnerId: row.partner_id,
      recipients: row.recipients,
      subject: row.subject,
      text: row.text,
      html: row.html,
      headers: row.headers,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lockedUntil: row.locked_until,
      lockedBy: row.locked_by,
      messageId: row.message_id,
      error: row.error,
      outcomes: row.outcomes,
      sentAt: null,
      createdAt: new Date(row.created_at as number),
    } as ClaimedMessage;
  });
}

/** Drains what is due now (concurrency async slots), then returns. */
export async function runOutbox(ctx: OutboxContext, options: { concurrency?: number; workerId?: string; signal?: AbortSignal } = {}) {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = ctx.leaseMs ?? ctx.config.MAIL_LEASE_MS ?? DEFAULT_LEASE_MS;
  const maxAttempts = ctx.maxAttempts ?? ctx.config.MAIL_MAX_ATTEMPTS ?? MAX_ATTEMPTS;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const summary: OutboxSummary = { sent: 0, partial: 0, failed: 0, retrying: 0, lost: 0 };
  await Promise.all(
    Array.from({ length: options.concurrency ?? 4 }, async (_, slot) => {
      while (!options.signal?.aborted) {
        const row = claimMessage(ctx.db, `${workerId}#${slot + 1}`, clock(), leaseMs, maxAttempts);
        if (!row) return;
        summary[await deliverMessage(ctx, row)]++;
      }
    }),
  );
  return summary;
}

/** When the last lease on an outbox row runs out (null: none held). */
export function outboxLeasesHeldUntil(db: DB): number | null {
  return (statements(db).heldUntil.get({}) as number | null) ?? null;
}

// One background drain per process; a kick while it runs makes it go round once more.
let background: Promise<void> | null = null;
let again = false;
const abort = { controller: null as AbortController | null };

export function kickOutbox(ctx: OutboxContext): Promise<void> {
  if (background) {
    again = true;
    return background;
  }
  const controller = (abort.controller = new AbortController());
  background = (async () => {
    do {
      again = false;
      await runOutbox(ctx, { signal: controller.signal });
    } while (again && !controller.signal.aborted);
  })()
    .catch((error) => console.error("[outbox] drain failed:", error))
    .finally(() => {
      background = null;
      abort.controller = null;
    });
  return background;
}

/** Shutdown: finish the messages in hand, claim no more. */
export function stopOutbox() {
  abort.controller?.abort();
  return background ?? Promise.resolve();
}

// ---------------------------------------------------------------------------------------------
// The internal Outbox page

export const OUTBOX_PAGE_SIZE = 50;

export type OutboxListRow = Pick<
  OutboxMessage,
  "id" | "kind" | "identity" | "partnerId" | "subject" | "status" | "attempts" | "nextAttemptAt" | "error" | "messageId" | "outcomes" | "createdAt" | "sentAt"
> & { to: string[] };

/** Newest first, a page at a time: `before` is the last id of the previous page (keyset). */
export function listOutboxMessages(
  db: DB,
  options: { status?: OutboxMessage["status"]; before?: number; limit?: number } = {},
): { rows: OutboxListRow[]; next: number | null } {
  const limit = options.limit ?? OUTBOX_PAGE_SIZE;
  const where = and(
    options.status ? eq(outboxMessages.status, options.status) : undefined,
    options.before !== undefined ? lt(outboxMessages.id, options.before) : undefined,
  );
  const rows = db
    .select({
      id: outboxMessages.id,
      kind: outboxMessages.kind,
      identity: outboxMessages.identity,
      partnerId: outboxMessages.partnerId,
      recipients: outboxMessages.recipients,
      subject: outboxMessages.subject,
      status: outboxMessages.status,
      attempts: outboxMessages.attempts,
      nextAttemptAt: outboxMessages.nextAttemptAt,
      error: outboxMessages.error,
      messageId: outboxMessages.messageId,
      outcomes: outboxMessages.outcomes,
      createdAt: outboxMessages.createdAt,
      sentAt: outboxMessages.sentAt,
    })
    .from(outboxMessages)
    .where(where)
    .orderBy(desc(outboxMessages.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit).map(({ recipients, ...r }) => ({ ...r, to: JSON.parse(recipients) as string[] }));
  return { rows: page, next: rows.length > limit ? page.at(-1)!.id : null };
}

export function outboxCounts(db: DB): Record<OutboxMessage["status"], number> {
  const counts = { queued: 0, sending: 0, sent: 0, partial: 0, skipped: 0, failed: 0 };
  for (const r of db
    .select({ status: outboxMessages.status, n: sql<number>`count(*)` })
    .from(outboxMessages)
    .groupBy(outboxMessages.status)
    .all())
    counts[r.status] = r.n;
  return counts;
}

export class OutboxError extends Error {
  constructor(
    message: string,
    public status = 400,
  ) {
    super(message);
  }
}

/**
 * Dead letters (failed) and partly refused messages back to the queue, now, with a fresh
 * attempt count: the selected ids, or every failed one with `allDead`. One audit entry each.
 */
export function retryMessages(db: DB, actor: Actor, target: { ids: number[] } | { allDead: true }, now = Date.now()) {
  return writeTransaction(db, (tx) => {
    const rows = tx
      .select({ id: outboxMessages.id, status: outboxMessages.status, attempts: outboxMessages.attempts, kind: outboxMessages.kind, partnerId: outboxMessages.partnerId })
      .from(outboxMessages)
      .where(
        "ids" in target
          ? and(inArray(outboxMessages.id, target.ids), inArray(outboxMessages.status, ["failed", "partial"]))
          : eq(outboxMessages.status, "failed"),
      )
      .all();
    if ("ids" in target && rows.length !== target.ids.length)
      throw new OutboxError("Only failed or partly refused messages can be retried; reload the page and select again.", 409);
    for (const row of rows) {
      tx.update(outboxMessages)
        .set({ status: "queued", attempts: 0, nextAttemptAt: now, error: null, lockedBy: null, lockedUntil: null })
        .where(eq(outboxMessages.id, row.id))
        .run();
      recordAudit(tx, {
        actor,
        action: "outbox_message.retry",
        entityType: "outbox_message",
        entityId: row.id,
        partnerId: row.partnerId,
        before: { status: row.status, attempts: row.attempts, kind: row.kind },
        after: { status: "queued", attempts: 0 },
      });
    }
    return rows.length;
  });
}

/** Gives up queued, failed or partly refused messages for good ('skipped', with who did it). */
export function discardMessages(db: DB, actor: Actor, ids: number[]) {
  return writeTransaction(db, (tx) => {
    const rows = tx
      .select({ id: outboxMessages.id, status: outboxMessages.status, kind: outboxMessages.kind, partnerId: outboxMessages.partnerId })
      .from(outboxMessages)
      .where(and(inArray(outboxMessages.id, ids), inArray(outboxMessages.status, ["queued", "failed", "partial"])))
      .all();
    if (rows.length !== ids.length)
      throw new OutboxError("Only queued, failed or partly refused messages can be discarded; reload the page and select again.", 409);
    const who = actor === "system" ? "the system" : actor.label;
    for (const row of rows) {
      tx.update(outboxMessages)
        .set({ status: "skipped", error: `Discarded by ${who}.`, lockedBy: null, lockedUntil: null })
        .where(eq(outboxMessages.id, row.id))
        .run();
      recordAudit(tx, {
        actor,
        action: "outbox_message.discard",
        entityType: "outbox_message",
        entityId: row.id,
        partnerId: row.partnerId,
        before: { status: row.status, kind: row.kind },
        after: { status: "skipped" },
      });
    }
    return rows.length;
  });
}
