// Monthly report delivery: the queue. The report_deliveries table IS the queue: one row per (partner,
// period, kind), enqueued insert-if-absent, claimed by workers under a lease, marked sent only
// by the lease holder. Any number of workers (async slots, processes, the server's scheduler
// and the CLI at the same time) can drain it.
//
// Delivery is AT LEAST ONCE (decision 0018, which amends 0006), and a repeat is recognisable:
// - Enqueueing cannot duplicate: the unique index on (partner_key, period, kind) and
//   INSERT … ON CONFLICT DO NOTHING make a second enqueue (a re-run, a second process, a
//   catch-up after a restart) a no-op.
// - Claiming cannot duplicate: one UPDATE … WHERE id = (SELECT …) RETURNING inside a BEGIN
//   IMMEDIATE transaction moves a row from queued to sending for exactly one worker. Every
//   claim increments `attempts`, which with `locked_by` is the fencing token of that claim.
// - The lease is short (MAIL_LEASE_MS, 30 s) and the holder renews it every third of that
//   while it renders and sends (a heartbeat timer), and the SMTP timeouts are below it: a
//   lease never runs out under live work, and a crashed holder's rows are taken over within
//   one lease.
// - Only the current holder may record an outcome: every later UPDATE matches on
//   (id, status 'sending', locked_by, attempts), so a worker whose lease was taken over
//   changes nothing, and it stops before its next message.
// - The window left: the SMTP server accepted a message and we crashed (or the server stalled
//   after DATA) before recording it. The row is then sent again by the next holder — under the
//   SAME Message-ID, `<kind.identity@mail domain>`, a function of the report's identity and the
//   program's mail domain only (never APP_URL, never the process), so receivers can tell the
//   repeat. Recipients recorded as accepted by an earlier attempt are not sent again.
// - Per recipient: the server's accepted/rejected answer is kept in `outcomes`; a row with
//   some recipients refused is 'partial' (with the refused addresses and replies), not 'sent'.
// - A row whose worker died maxAttempts times is given up as 'failed'.
//
// Failures: SMTP 4xx, timeouts and connection errors go back to 'queued' with exponential
// backoff and jitter (1 min doubling to a 6 h cap: 20 attempts ≈ 3 days) until MAIL_MAX_ATTEMPTS,
// then 'failed'; a 5xx for the whole message (or a message nodemailer cannot build) is 'failed'
// at once. Failed rows are the dead letters an admin retries from the Outbox and Reports pages.
//
// The workers that drain the queue live in delivery-worker.server.ts, the monthly schedule
// that fills it in delivery-schedule.server.ts.
import { sql } from "drizzle-orm";
import { DELIVERY_STATUSES, partners, reportDeliveries } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";
import { isPeriod } from "../domain/periods";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";

/** The default of MAIL_MAX_ATTEMPTS: with DEFAULT_BACKOFF, about 3 days of retrying. */
export const MAX_ATTEMPTS = 20;
/** The default of MAIL_LEASE_MS; the holder renews it every third of it while it works. */
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_BACKOFF = { baseMs: 60_000, capMs: 6 * 60 * 60_000, jitter: 0.25 };
export const DEFAULT_REPORT_SCHEDULE = { cron: "0 6 1 * *", timezone: "UTC" };

export type DeliveryKind = "monthly" | "ecosystem";
export type DeliveryStatus = (typeof reportDeliveries.$inferSelect)["status"];

export type DeliveryContext = {
  db: DB;
  /** APP_SECRET signs each recipient's unsubscribe link. */
  config: Pick<Config, "APP_URL" | "APP_SECRET" | "MAIL_FROM"> & Partial<Pick<Config, "MAIL_MAX_ATTEMPTS" | "MAIL_LEASE_MS">>;
  mailer: Mailer;
  /** Epoch ms; tests and benchmarks may move time. */
  clock?: () => number;
  /** Default config.MAIL_LEASE_MS, else DEFAULT_LEASE_MS. */
  leaseMs?: number;
  /** Default config.MAIL_MAX_ATTEMPTS, else MAX_ATTEMPTS. */
  maxAttempts?: number;
  backoff?: Partial<typeof DEFAULT_BACKOFF>;
};

/** A claimed row: the lease holder's view of it. */
export type ClaimedDelivery = {
  id: number;
  partnerId: number | null;
  period: string;
  kind: DeliveryKind;
  attempts: number;
  lockedBy: string;
  lockedUntil: number;
  /** JSON of the recipients' outcomes recorded by earlier attempts, or null. */
  outcomes: string | null;
};

export type DeliveryOutcome = "sent" | "partial" | "skipped" | "failed" | "retrying" | "lost";

export function leaseOf(ctx: Pick<DeliveryContext, "leaseMs" | "config">) {
  return ctx.leaseMs ?? ctx.config.MAIL_LEASE_MS ?? DEFAULT_LEASE_MS;
}

export function maxAttemptsOf(ctx: Pick<DeliveryContext, "maxAttempts" | "config">) {
  return ctx.maxAttempts ?? ctx.config.MAIL_MAX_ATTEMPTS ?? MAX_ATTEMPTS;
}

export type DeliveryScope = { period?: string; partnerId?: number };

export class DeliveryError extends Error {
  constructor(
    message: string,
    public status = 400,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Enqueue

export type EnqueueResult = {
  period: string;
  /** New rows waiting to be sent. */
  queued: number;
  /** New rows recorded as skipped (preference 'off' or nobody to send to). */
  skipped: number;
  /** Rows that already existed for this period and were left as they were. */
  existing: number;
};

/**
 * Someone would receive partner p's report: the rule of partnerReportRecipients (its enabled
 * users who are opted in) as one SQL condition, so enqueueing 10,000 partners is one
 * statement. deliverOne checks the real list again before sending.
 */
const RECIPIENT_EXISTS = `EXISTS (SELECT 1 FROM users u WHERE u.partner_id = p.id AND u.disabled_at IS NULL
  AND u.report_opt_in = 1)`;

export const NO_RECIPIENTS = "No recipients: nobody enabled at the partner is opted in to the report.";
export const PREFERENCE_OFF = "The partner's report preference is off.";

/**
 * One row per active partner (kind 'monthly') and one internal row (partner null, kind
 * 'ecosystem') for the period, each inserted only if absent. With `partnerSlug`, only that
 * partner's row (no ecosystem row).
 */
export function enqueuePeriod(
  db: DB,
  period: string,
  options: { partnerSlug?: string; now?: number } = {},
): EnqueueResult {
  if (!isPeriod(period)) throw new DeliveryError(`"${period}" is not a month: write it as YYYY-MM.`);
  const now = options.now ?? Date.now();
  return writeTransaction(db, () => {
    const sqlite = db.$client;
    let partnerFilter = "";
    const params: Record<string, unknown> = { period, now, off: PREFERENCE_OFF, none: NO_RECIPIENTS };
    if (options.partnerSlug !== undefined) {
      const partner = sqlite
        .prepare("SELECT id, status FROM partners WHERE slug = ?")
        .get(options.partnerSlug) as { id: number; status: string } | undefined;
      if (!partner) throw new DeliveryError(`No partner with the slug "${options.partnerSlug}".`, 404);
      if (partner.status !== "active")
        throw new DeliveryError(`Partner "${options.partnerSlug}" is ${partner.status}, not active: no report.`);
      partnerFilter = "AND p.id = @partnerId";
      params.partnerId = partner.id;
    }
    const before = sqlite
      .prepare(
        `SELECT count(*) FROM report_deliveries WHERE period = @period
         ${options.partnerSlug !== undefined ? "AND partner_id = @partnerId" : ""}`,
      )
      .pluck()
      .get(params) as number;
    // An INSERT … SELECT needs its WHERE before ON CONFLICT (else SQLite parses ON as a join).
    const inserted = sqlite
      .prepare(
        `INSERT INTO report_deliveries (partner_id, period, kind, status, error, next_attempt_at)
         SELECT p.id, @period, 'monthly',
                CASE WHEN p.report_format = 'off' OR NOT ${RECIPIENT_EXISTS} THEN 'skipped' ELSE 'queued' END,
                CASE WHEN p.report_format = 'off' THEN @off WHEN NOT ${RECIPIENT_EXISTS} THEN @none END,
                @now
         FROM partners p
         WHERE p.status = 'active' ${partnerFilter}
         ORDER BY p.id
         ON CONFLICT DO NOTHING
         RETURNING status`,
      )
      .all(params) as { status: string }[];
    if (options.partnerSlug === undefined) {
      inserted.push(
        ...(sqlite
          .prepare(
            `INSERT INTO report_deliveries (partner_id, period, kind, status, next_attempt_at)
             VALUES (NULL, @period, 'ecosystem', 'queued', @now)
             ON CONFLICT DO NOTHING RETURNING status`,
          )
          .all(params) as { status: string }[]),
      );
    }
    const queued = inserted.filter((r) => r.status === "queued").length;
    return { period, queued, skipped: inserted.length - queued, existing: before };
  });
}

// ---------------------------------------------------------------------------------------------
// Claim and record

export type QueueStatements = ReturnType<typeof prepare>;
const statements = new WeakMap<object, Map<string, QueueStatements>>();

/**
 * The lease statements of a queue table (report_deliveries, outbox_messages): claim, renew,
 * and the outcomes only the holder may record. `where` narrows claims (a CLI's period).
 */
export function leaseStatements(db: DB, table: string, where = "") {
  const s = db.$client;
  const fence = "id = @id AND status = 'sending' AND locked_by = @lockedBy AND attempts = @attempts";
  return {
    // A worker died maxAttempts times on this row: stop reclaiming it.
    giveUp: s.prepare(
      `UPDATE ${table} SET status = 'failed', locked_by = NULL, locked_until = NULL,
         error = 'Gave up after ' || attempts || ' attempts: the sending worker stopped each time before finishing.'
       WHERE status = 'sending' AND locked_until < @now AND attempts >= @max`,
    ),
    // Expired leases first (they are the oldest work), then due rows in (next_attempt_at, id)
    // order, which is the order of the status index: no sort, no scan.
    claim: s.prepare(
      `UPDATE ${table}
       SET status = 'sending', locked_by = @worker, locked_until = @until, attempts = attempts + 1
       WHERE id = coalesce(
         (SELECT id FROM ${table}
          WHERE status = 'sending' AND locked_until < @now AND attempts < @max ${where}
          ORDER BY id LIMIT 1),
         (SELECT id FROM ${table}
          WHERE status = 'queued' AND next_attempt_at <= @now ${where}
          ORDER BY next_attempt_at, id LIMIT 1))
       RETURNING *, locked_by AS lockedBy, locked_until AS lockedUntil`,
    ),
    countDue: s
      .prepare(
        `SELECT count(*) FROM ${table}
         WHERE ((status = 'queued' AND next_attempt_at <= @now)
            OR (status = 'sending' AND locked_until < @now AND attempts < @max)) ${where}`,
      )
      .pluck(),
    /** The earliest instant a lease held by someone else runs out (a crashed holder's rows). */
    heldUntil: s.prepare(`SELECT max(locked_until) FROM ${table} WHERE status = 'sending' ${where}`).pluck(),
    renew: s.prepare(`UPDATE ${table} SET locked_until = @until WHERE ${fence}`),
    progress: s.prepare(`UPDATE ${table} SET outcomes = @outcomes WHERE ${fence}`),
    sent: s.prepare(
      `UPDATE ${table} SET status = @status, message_id = @messageId, sent_at = @at, error = @error,
         outcomes = @outcomes, locked_by = NULL, locked_until = NULL WHERE ${fence}`,
    ),
    skipped: s.prepare(
      `UPDATE ${table} SET status = 'skipped', error = @error, locked_by = NULL, locked_until = NULL
       WHERE ${fence}`,
    ),
    retry: s.prepare(
      `UPDATE ${table} SET status = 'queued', error = @error, next_attempt_at = @next,
         locked_by = NULL, locked_until = NULL WHERE ${fence}`,
    ),
    failed: s.prepare(
      `UPDATE ${table} SET status = 'failed', error = @error, locked_by = NULL, locked_until = NULL
       WHERE ${fence}`,
    ),
  };
}

function scopeSql(scope: DeliveryScope | undefined) {
  return [
    scope?.period !== undefined ? "AND period = @period" : "",
    scope?.partnerId !== undefined ? "AND partner_id = @partnerId" : "",
  ].join(" ");
}

function prepare(db: DB, scope: DeliveryScope | undefined) {
  return leaseStatements(db, "report_deliveries", scopeSql(scope));
}

export function queueStatements(db: DB, scope?: DeliveryScope): QueueStatements {
  let perDb = statements.get(db.$client);
  if (!perDb) statements.set(db.$client, (perDb = new Map()));
  const key = `${scope?.period !== undefined}/${scope?.partnerId !== undefined}`;
  let s = perDb.get(key);
  if (!s) perDb.set(key, (s = prepare(db, scope)));
  return s;
}

function scopeParams(scope?: DeliveryScope) {
  const p: Record<string, unknown> = {};
  if (scope?.period !== undefined) p.period = scope.period;
  if (scope?.partnerId !== undefined) p.partnerId = scope.partnerId;
  return p;
}

/**
 * Takes the next due row for `workerId` (status 'sending', lease until now + leaseMs,
 * attempts + 1), or null when nothing is due. A row whose lease expired is taken over.
 */
export function claimNext(
  db: DB,
  workerId: string,
  now: number,
  leaseMs: number,
  scope?: DeliveryScope,
  maxAttempts = MAX_ATTEMPTS,
): ClaimedDelivery | null {
  const s = queueStatements(db, scope);
  return writeTransaction(db, () => {
    s.giveUp.run({ now, max: maxAttempts });
    const row = s.claim.get({ worker: workerId, now, until: now + leaseMs, max: maxAttempts, ...scopeParams(scope) }) as
      | (ClaimedDelivery & { partner_id: number | null })
      | undefined;
    if (!row) return null;
    return {
      id: row.id,
      partnerId: row.partner_id,
      period: row.period,
      kind: row.kind,
      attempts: row.attempts,
      lockedBy: row.lockedBy,
      lockedUntil: row.lockedUntil,
      outcomes: row.outcomes,
    };
  });
}

/** Rows a worker could claim right now (for progress totals). */
export function countDue(db: DB, now: number, scope?: DeliveryScope, maxAttempts = MAX_ATTEMPTS): number {
  return queueStatements(db, scope).countDue.get({ now, max: maxAttempts, ...scopeParams(scope) }) as number;
}

/** When the last lease in scope runs out (null: nobody holds a row): what a rerun waits for. */
export function leasesHeldUntil(db: DB, scope?: DeliveryScope): number | null {
  return (queueStatements(db, scope).heldUntil.get(scopeParams(scope)) as number | null) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Admin: list, count, retry, discard

export function retryDelivery(db: DB, actor: Actor, id: number) {
  return writeTransaction(db, (tx) => {
    const row = tx
      .select({
        id: reportDeliveries.id,
        status: reportDeliveries.status,
        attempts: reportDeliveries.attempts,
        error: reportDeliveries.error,
        partnerId: reportDeliveries.partnerId,
        period: reportDeliveries.period,
        kind: reportDeliveries.kind,
      })
      .from(reportDeliveries)
      .where(sql`${reportDeliveries.id} = ${id}`)
      .get();
    if (!row) throw new DeliveryError("No such delivery.", 404);
    if (row.status !== "failed" && row.status !== "partial")
      throw new DeliveryError(`Only a failed or partial delivery can be retried; this one is ${row.status}.`, 409);
    // A partial row keeps its outcomes: the retry sends only to the recipients not yet accepted.
    tx.update(reportDeliveries)
      .set({ status: "queued", attempts: 0, nextAttemptAt: 0, error: null, lockedBy: null, lockedUntil: null })
      .where(sql`${reportDeliveries.id} = ${id}`)
      .run();
    recordAudit(tx, {
      actor,
      action: "report_delivery.retry",
      entityType: "report_delivery",
      entityId: id,
      partnerId: row.partnerId,
      before: { status: row.status, attempts: row.attempts, error: row.error, period: row.period, kind: row.kind },
      after: { status: "queued", attempts: 0 },
    });
    return { id, period: row.period };
  });
}

/**
 * "Retry all failed" of a period: every failed delivery (a dead letter: its attempts ran out or
 * its error was permanent) back to the queue now with a fresh attempt count, in one
 * transaction, one audit entry each. Partly refused deliveries keep their own Retry (it sends
 * only to the refused recipients). Returns how many.
 */
export function retryFailedDeliveries(db: DB, actor: Actor, period: string, now = Date.now()): number {
  if (!isPeriod(period)) throw new DeliveryError("Choose a month.");
  return writeTransaction(db, (tx) => {
    const rows = failedOf(tx, period);
    for (const row of rows) {
      tx.update(reportDeliveries)
        .set({ status: "queued", attempts: 0, nextAttemptAt: now, error: null, lockedBy: null, lockedUntil: null })
        .where(sql`${reportDeliveries.id} = ${row.id} AND ${reportDeliveries.status} = 'failed'`)
        .run();
      recordAudit(tx, {
        actor,
        action: "report_delivery.retry",
        entityType: "report_delivery",
        entityId: row.id,
        partnerId: row.partnerId,
        before: { status: "failed", attempts: row.attempts, error: row.error, period, kind: row.kind },
        after: { status: "queued", attempts: 0 },
      });
    }
    return rows.length;
  });
}

/**
 * "Discard failed" of a period: every failed delivery given up for good ('skipped', saying who
 * did it), in one transaction, one audit entry each. A discarded report is not enqueued again
 * by the period's run (one row per partner, period and kind). Returns how many.
 */
export function discardFailedDeliveries(db: DB, actor: Actor, period: string): number {
  if (!isPeriod(period)) throw new DeliveryError("Choose a month.");
  const who = actor === "system" ? "the system" : actor.label;
  return writeTransaction(db, (tx) => {
    const rows = failedOf(tx, period);
    for (const row of rows) {
      tx.update(reportDeliveries)
        .set({ status: "skipped", error: `Discarded by ${who}. Last error: ${row.error ?? "none"}`, lockedBy: null, lockedUntil: null })
        .where(sql`${reportDeliveries.id} = ${row.id} AND ${reportDeliveries.status} = 'failed'`)
        .run();
      recordAudit(tx, {
        actor,
        action: "report_delivery.discard",
        entityType: "report_delivery",
        entityId: row.id,
        partnerId: row.partnerId,
        before: { status: "failed", attempts: row.attempts, error: row.error, period, kind: row.kind },
        after: { status: "skipped" },
      });
    }
    return rows.length;
  });
}

function failedOf(tx: Pick<DB, "select">, period: string) {
  return tx
    .select({
      id: reportDeliveries.id,
      partnerId: reportDeliveries.partnerId,
      attempts: reportDeliveries.attempts,
      error: reportDeliveries.error,
      kind: reportDeliveries.kind,
    })
    .from(reportDeliveries)
    .where(sql`${reportDeliveries.status} = 'failed' AND ${reportDeliveries.period} = ${period}`)
    .all();
}

export type DeliveryListRow = {
  id: number;
  partnerId: number | null;
  partnerName: string | null;
  partnerSlug: string | null;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  error: string | null;
  sentAt: Date | null;
  messageId: string | null;
  /** JSON [{ address, outcome, reply }], see RecipientOutcome. */
  outcomes: string | null;
};

const STATUS_ORDER = sql`CASE ${reportDeliveries.status} WHEN 'failed' THEN 0 WHEN 'partial' THEN 1 WHEN 'sending' THEN 2 WHEN 'queued' THEN 3 WHEN 'skipped' THEN 4 ELSE 5 END`;

/** What the Reports page shows of a delivery (DeliveryListRow). */
const DELIVERY_LIST_COLUMNS = {
  id: reportDeliveries.id,
  partnerId: reportDeliveries.partnerId,
  partnerName: partners.name,
  partnerSlug: partners.slug,
  kind: reportDeliveries.kind,
  status: reportDeliveries.status,
  attempts: reportDeliveries.attempts,
  nextAttemptAt: reportDeliveries.nextAttemptAt,
  error: reportDeliveries.error,
  sentAt: reportDeliveries.sentAt,
  messageId: reportDeliveries.messageId,
  outcomes: reportDeliveries.outcomes,
};

/** A period's deliveries, the ones needing attention first (failed, sending, queued). */
export function listDeliveries(
  db: DB,
  period: string,
  options: { status?: DeliveryStatus; limit?: number } = {},
): DeliveryListRow[] {
  return db
    .select(DELIVERY_LIST_COLUMNS)
    .from(reportDeliveries)
    .leftJoin(partners, sql`${partners.id} = ${reportDeliveries.partnerId}`)
    .where(
      options.status
        ? sql`${reportDeliveries.period} = ${period} AND ${reportDeliveries.status} = ${options.status}`
        : sql`${reportDeliveries.period} = ${period}`,
    )
    .orderBy(STATUS_ORDER, sql`${reportDeliveries.partnerId} IS NOT NULL`, partners.name, reportDeliveries.id)
    .limit(options.limit ?? 500)
    .all();
}

export const DELIVERY_PAGE_SIZE = 50;

/**
 * One status of a period, a page at a time in id order: `after` is the last id of the previous
 * page (keyset, so page 200 of a 10,000-partner period costs what page 1 does).
 */
export function listDeliveriesPage(
  db: DB,
  period: string,
  status: DeliveryStatus,
  options: { after?: number; limit?: number } = {},
): { rows: DeliveryListRow[]; next: number | null } {
  const limit = options.limit ?? DELIVERY_PAGE_SIZE;
  const rows = db
    .select(DELIVERY_LIST_COLUMNS)
    .from(reportDeliveries)
    .leftJoin(partners, sql`${partners.id} = ${reportDeliveries.partnerId}`)
    .where(
      sql`${reportDeliveries.status} = ${status} AND ${reportDeliveries.period} = ${period} AND ${reportDeliveries.id} > ${options.after ?? 0}`,
    )
    .orderBy(reportDeliveries.id)
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page.at(-1)!.id : null };
}

export type DeliveryCounts = Record<DeliveryStatus, number> & { total: number };

export function deliveryCounts(db: DB, period: string): DeliveryCounts {
  const counts: DeliveryCounts = { queued: 0, sending: 0, sent: 0, partial: 0, skipped: 0, failed: 0, total: 0 };
  const rows = db
    .select({ status: reportDeliveries.status, n: sql<number>`count(*)` })
    .from(reportDeliveries)
    .where(sql`${reportDeliveries.period} = ${period}`)
    .groupBy(reportDeliveries.status)
    .all();
  for (const r of rows) {
    counts[r.status] = r.n;
    counts.total += r.n;
  }
  return counts;
}

export type ReportQueueSummary = {
  /** Deliveries of every period by status. */
  counts: DeliveryCounts;
  /** Up to `limit` deliveries that need attention or are under way (failed, partial, sending, queued), newest first. */
  open: (Pick<DeliveryListRow, "id" | "partnerName" | "kind" | "status" | "attempts" | "error"> & { period: string })[];
};

/** The report queue as the Outbox page shows it beside the emails: counts, and what is not done. */
export function reportQueueSummary(db: DB, limit = 20): ReportQueueSummary {
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as DeliveryCounts;
  counts.total = 0;
  const grouped = db
    .select({ status: reportDeliveries.status, n: sql<number>`count(*)` })
    .from(reportDeliveries)
    .groupBy(reportDeliveries.status)
    .all();
  for (const { status, n } of grouped) {
    counts[status] = n;
    counts.total += n;
  }
  const open = db
    .select({
      id: reportDeliveries.id,
      partnerName: partners.name,
      kind: reportDeliveries.kind,
      period: reportDeliveries.period,
      status: reportDeliveries.status,
      attempts: reportDeliveries.attempts,
      error: reportDeliveries.error,
    })
    .from(reportDeliveries)
    .leftJoin(partners, sql`${partners.id} = ${reportDeliveries.partnerId}`)
    .where(sql`${reportDeliveries.status} IN ('failed', 'partial', 'sending', 'queued')`)
    .orderBy(sql`${reportDeliveries.id} DESC`)
    .limit(limit)
    .all();
  return { counts, open };
}
