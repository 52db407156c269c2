// Monthly report delivery. The report_deliveries table IS the queue: one row per (partner,
// period, kind), enqueued insert-if-absent, claimed by workers under a lease, marked sent only
// by the lease holder. Any number of workers (async slots, processes, the server's scheduler
// and the CLI at the same time) can drain it.
//
// Why a report is delivered at most once, and where "at most" bends:
// - Enqueueing cannot duplicate: the unique index on (partner_key, period, kind) and
//   INSERT … ON CONFLICT DO NOTHING make a second enqueue (a re-run, a second process, a
//   catch-up after a restart) a no-op.
// - Claiming cannot duplicate: one UPDATE … WHERE id = (SELECT …) RETURNING inside a BEGIN
//   IMMEDIATE transaction moves a row from queued to sending for exactly one worker. Every
//   claim increments `attempts`, which with `locked_by` is the fencing token of that claim.
// - Only the current holder may record an outcome: every later UPDATE matches on
//   (id, status 'sending', locked_by, attempts), so a worker whose lease expired and was taken
//   over changes nothing. Before talking to SMTP the holder renews its lease and gives up if it
//   no longer holds it, so a slow render never sends over someone else's claim.
// - The one window left is between the SMTP server accepting the message and our UPDATE to
//   'sent' committing (the process is killed, the machine loses power, or the lease runs out
//   during the SMTP transaction itself). The row then stays 'sending' until its lease expires
//   and another worker sends it again. That resend carries the SAME Message-ID
//   (reportMessageId is a function of partner, period and domain only) and the same content,
//   so receiving servers and mail clients treat it as the same message. Nothing else can send
//   twice. The alternative — marking sent before sending — would lose reports instead.
// - A row whose worker died MAX_ATTEMPTS times (a report that crashes the process) is given up
//   as 'failed' rather than reclaimed forever.
//
// Failures: SMTP 4xx and connection errors go back to 'queued' with exponential backoff and
// jitter until MAX_ATTEMPTS, then 'failed'; a 5xx (or a message nodemailer cannot build) is
// 'failed' at once. Failed rows are the dead letters an admin retries from /internal/reports.
import { Cron } from "croner";
import { sql } from "drizzle-orm";
import os from "node:os";
import { partners, programSettings, reportDeliveries } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";
import { addMonths, isPeriod } from "../domain/periods";
import type { Mailer, OutgoingMessage } from "../mailer.server";
import type { Config } from "../config.server";
import { renderEcosystemReport, renderPartnerReport, reportMessageId } from "./render.server";

export const MAX_ATTEMPTS = 6;
export const DEFAULT_LEASE_MS = 5 * 60_000;
export const DEFAULT_BACKOFF = { baseMs: 30_000, capMs: 60 * 60_000, jitter: 0.2 };
export const DEFAULT_REPORT_SCHEDULE = { cron: "0 6 1 * *", timezone: "UTC" };

export type DeliveryKind = "monthly" | "ecosystem";
export type DeliveryStatus = (typeof reportDeliveries.$inferSelect)["status"];

export type DeliveryContext = {
  db: DB;
  config: Pick<Config, "APP_URL">;
  mailer: Mailer;
  /** Epoch ms; tests and benchmarks may move time. */
  clock?: () => number;
  leaseMs?: number;
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
};

export type DeliveryOutcome = "sent" | "skipped" | "failed" | "retrying" | "lost";

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
 * partner admins, and enabled colleagues who opted in) as one SQL condition, so enqueueing
 * 10,000 partners is one statement. deliverOne checks the real list again before sending.
 */
const RECIPIENT_EXISTS = `EXISTS (SELECT 1 FROM users u WHERE u.partner_id = p.id AND u.disabled_at IS NULL
  AND (u.role = 'partner_admin' OR u.report_opt_in = 1))`;

const NO_RECIPIENTS = "No recipients: the partner has no enabled admin and nobody opted in to the report.";
const PREFERENCE_OFF = "The partner's report preference is off.";

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

type Statements = ReturnType<typeof prepare>;
const statements = new WeakMap<object, Map<string, Statements>>();

function scopeSql(scope: DeliveryScope | undefined) {
  return [
    scope?.period !== undefined ? "AND period = @period" : "",
    scope?.partnerId !== undefined ? "AND partner_id = @partnerId" : "",
  ].join(" ");
}

function prepare(db: DB, scope: DeliveryScope | undefined) {
  const s = db.$client;
  const where = scopeSql(scope);
  const fence = "id = @id AND status = 'sending' AND locked_by = @lockedBy AND attempts = @attempts";
  return {
    // A worker died MAX_ATTEMPTS times on this row: stop reclaiming it.
    giveUp: s.prepare(
      `UPDATE report_deliveries SET status = 'failed', locked_by = NULL, locked_until = NULL,
         error = 'Gave up after ' || attempts || ' attempts: the sending worker stopped each time before finishing.'
       WHERE status = 'sending' AND locked_until < @now AND attempts >= ${MAX_ATTEMPTS}`,
    ),
    // Expired leases first (they are the oldest work), then due rows in (next_attempt_at, id)
    // order, which is the order of report_deliveries_status_idx: no sort, no scan.
    claim: s.prepare(
      `UPDATE report_deliveries
       SET status = 'sending', locked_by = @worker, locked_until = @until, attempts = attempts + 1
       WHERE id = coalesce(
         (SELECT id FROM report_deliveries
          WHERE status = 'sending' AND locked_until < @now AND attempts < ${MAX_ATTEMPTS} ${where}
          ORDER BY id LIMIT 1),
         (SELECT id FROM report_deliveries
          WHERE status = 'queued' AND next_attempt_at <= @now ${where}
          ORDER BY next_attempt_at, id LIMIT 1))
       RETURNING id, partner_id AS partnerId, period, kind, attempts,
                 locked_by AS lockedBy, locked_until AS lockedUntil`,
    ),
    countDue: s
      .prepare(
        `SELECT count(*) FROM report_deliveries
         WHERE ((status = 'queued' AND next_attempt_at <= @now)
            OR (status = 'sending' AND locked_until < @now AND attempts < ${MAX_ATTEMPTS})) ${where}`,
      )
      .pluck(),
    renew: s.prepare(`UPDATE report_deliveries SET locked_until = @until WHERE ${fence}`),
    sent: s.prepare(
      `UPDATE report_deliveries SET status = 'sent', message_id = @messageId, sent_at = @at, error = NULL,
         locked_by = NULL, locked_until = NULL WHERE ${fence}`,
    ),
    skipped: s.prepare(
      `UPDATE report_deliveries SET status = 'skipped', error = @error, locked_by = NULL, locked_until = NULL
       WHERE ${fence}`,
    ),
    retry: s.prepare(
      `UPDATE report_deliveries SET status = 'queued', error = @error, next_attempt_at = @next,
         locked_by = NULL, locked_until = NULL WHERE ${fence}`,
    ),
    failed: s.prepare(
      `UPDATE report_deliveries SET status = 'failed', error = @error, locked_by = NULL, locked_until = NULL
       WHERE ${fence}`,
    ),
  };
}

function stmts(db: DB, scope?: DeliveryScope): Statements {
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
): ClaimedDelivery | null {
  const s = stmts(db, scope);
  return writeTransaction(db, () => {
    s.giveUp.run({ now });
    const row = s.claim.get({ worker: workerId, now, until: now + leaseMs, ...scopeParams(scope) }) as
      | ClaimedDelivery
      | undefined;
    return row ?? null;
  });
}

/** Rows a worker could claim right now (for progress totals). */
export function countDue(db: DB, now: number, scope?: DeliveryScope): number {
  return stmts(db, scope).countDue.get({ now, ...scopeParams(scope) }) as number;
}

// ---------------------------------------------------------------------------------------------
// Deliver one

type SmtpLikeError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ESOCKET",
  "ECONNECTION",
  "EDNS",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** 'permanent': no retry can help (5xx, or a message that cannot be built). */
export function classifyError(error: unknown): "temporary" | "permanent" {
  const e = error as SmtpLikeError;
  if (typeof e?.responseCode === "number") return e.responseCode >= 500 ? "permanent" : "temporary";
  if (e?.code && CONNECTION_CODES.has(e.code)) return "temporary";
  if (e?.code === "EENVELOPE" || e?.code === "EMESSAGE") return "permanent";
  // Anything else (a render error, a busy database) may pass on the next attempt, and
  // MAX_ATTEMPTS bounds how often we find out.
  return "temporary";
}

/** One line for the `error` column and the admin screen: the server's answer, no credentials. */
export function describeError(error: unknown): string {
  const e = error as SmtpLikeError;
  let text: string;
  if (typeof e?.responseCode === "number") text = `SMTP ${e.responseCode}: ${e.response ?? e.message}`;
  else if (e instanceof Error) text = e.code ? `${e.code}: ${e.message}` : e.message;
  else text = String(error);
  return text
    .replace(/\/\/[^/\s:@]*:[^@\s]*@/g, "//***@")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 500);
}

/** base · 2^(attempts−1), ±jitter, capped. */
export function backoffMs(attempts: number, options: Partial<typeof DEFAULT_BACKOFF> = {}, random = Math.random) {
  const { baseMs, capMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(Math.min(capMs, raw * (1 + jitter * (2 * random() - 1))));
}

export function reportAttachmentName(slug: string, period: string) {
  return `report-${slug}-${period}.pdf`;
}

/** The email for a claimed row, or why nobody gets one (the preference or the recipients changed). */
async function composeMessage(
  ctx: DeliveryContext,
  row: ClaimedDelivery,
): Promise<{ skip: string } | { message: OutgoingMessage }> {
  const messageId = reportMessageId(row.partnerId, row.period, new URL(ctx.config.APP_URL).hostname);
  if (row.kind === "ecosystem") {
    const report = await renderEcosystemReport(ctx.db, ctx.config, row.period);
    if (report.recipients.length === 0) return { skip: "No recipients: no enabled program admin or partner manager." };
    const attachment = { filename: `ecosystem-report-${row.period}.pdf`, content: report.pdf, contentType: "application/pdf" };
    return { message: { to: report.recipients, ...report.email, attachments: [attachment], messageId } };
  }
  if (row.partnerId === null) throw new DeliveryError(`Delivery #${row.id} has no partner.`);
  const report = await renderPartnerReport(ctx.db, ctx.config, row.partnerId, row.period);
  if (report.partner.reportFormat === "off") return { skip: PREFERENCE_OFF };
  if (report.recipients.length === 0) return { skip: NO_RECIPIENTS };
  const message: OutgoingMessage = { to: report.recipients, ...report.email, messageId };
  if (report.partner.reportFormat === "pdf") {
    if (!report.pdf) throw new Error("The renderer returned no PDF for a partner who receives one.");
    const filename = reportAttachmentName(report.partner.slug, row.period);
    message.attachments = [{ filename, content: report.pdf, contentType: "application/pdf" }];
  }
  return { message };
}

/**
 * Renders and sends one claimed row, then records the outcome if (and only if) this worker
 * still holds the claim. A render or SMTP problem becomes the outcome; only a database error
 * while recording throws (the row then stays 'sending' until its lease expires).
 */
export async function deliverOne(ctx: DeliveryContext, row: ClaimedDelivery): Promise<DeliveryOutcome> {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = ctx.leaseMs ?? DEFAULT_LEASE_MS;
  const s = stmts(ctx.db);
  const fence = { id: row.id, lockedBy: row.lockedBy, attempts: row.attempts };
  const record = (statement: keyof Statements, values: Record<string, unknown>, outcome: DeliveryOutcome) =>
    (s[statement] as { run(v: Record<string, unknown>): { changes: number } }).run({ ...fence, ...values })
      .changes === 1
      ? outcome
      : "lost";

  let composed: Awaited<ReturnType<typeof composeMessage>>;
  let accepted: { messageId: string };
  try {
    composed = await composeMessage(ctx, row);
    if ("message" in composed) {
      // Rendering may have taken a while: make sure the claim is still ours, and long enough
      // for the SMTP transaction, before anything leaves the building.
      if (s.renew.run({ ...fence, until: clock() + leaseMs }).changes !== 1) return "lost";
      accepted = await ctx.mailer.send(composed.message);
    }
  } catch (error) {
    const text = describeError(error);
    if (classifyError(error) === "permanent" || row.attempts >= MAX_ATTEMPTS) {
      const reason = row.attempts >= MAX_ATTEMPTS ? `Gave up after ${row.attempts} attempts. Last error: ${text}` : text;
      return record("failed", { error: reason }, "failed");
    }
    const next = clock() + backoffMs(row.attempts, ctx.backoff);
    return record("retry", { error: `Attempt ${row.attempts} failed, will retry: ${text}`, next }, "retrying");
  }
  if ("skip" in composed) return record("skipped", { error: composed.skip }, "skipped");
  // The crash window of the header comment: SMTP has the message, this UPDATE has not run yet.
  return record("sent", { messageId: accepted!.messageId || composed.message.messageId, at: clock() }, "sent");
}

// ---------------------------------------------------------------------------------------------
// Run the queue

export type DeliverySummary = {
  sent: number;
  skipped: number;
  failed: number;
  /** Rows this run left queued for a later attempt. */
  retrying: number;
  /** Rows another worker took over while this one held them (lease expired). */
  lost: number;
};

export type RunOptions = {
  /** Async workers in this process (SMTP waits overlap; rendering is CPU-bound). Default 4. */
  concurrency?: number;
  /** Prefix for the lock holder names; each slot appends #n. Default host:pid:random. */
  workerId?: string;
  onProgress?: (done: number, total: number, summary: DeliverySummary) => void;
  /** Default true: return once nothing is due. False: keep polling until `signal` aborts. */
  stopWhenIdle?: boolean;
  signal?: AbortSignal;
  pollMs?: number;
  scope?: DeliveryScope;
};

export function defaultWorkerId() {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export async function runDeliveries(ctx: DeliveryContext, options: RunOptions = {}): Promise<DeliverySummary> {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = ctx.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const workerId = options.workerId ?? defaultWorkerId();
  const stopWhenIdle = options.stopWhenIdle ?? true;
  const { scope, signal, onProgress } = options;

  // The last outcome per row: a row retried within this run counts once, as what it became.
  const outcomes = new Map<number, DeliveryOutcome>();
  let done = 0;
  let inFlight = 0;
  let total = countDue(ctx.db, clock(), scope);
  let countedAt = clock();
  const summarize = (): DeliverySummary => {
    const summary = { sent: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
    for (const outcome of outcomes.values()) summary[outcome]++;
    return summary;
  };

  async function worker(slot: number) {
    const me = `${workerId}#${slot}`;
    while (!signal?.aborted) {
      const row = claimNext(ctx.db, me, clock(), leaseMs, scope);
      if (!row) {
        if (stopWhenIdle) return;
        await sleep(options.pollMs ?? 1000, signal);
        continue;
      }
      inFlight++;
      const outcome = await deliverOne(ctx, row);
      inFlight--;
      outcomes.set(row.id, outcome);
      done++;
      if (onProgress) {
        // Other workers (processes) drain the same queue: re-count now and then.
        if (clock() - countedAt > 500) {
          total = done + inFlight + countDue(ctx.db, clock(), scope);
          countedAt = clock();
        }
        total = Math.max(total, done);
        onProgress(done, total, summarize());
      }
    }
  }

  // A database error while recording ends that worker; the others finish their rows first.
  const ended = await Promise.allSettled(Array.from({ length: concurrency }, (_, i) => worker(i + 1)));
  const failure = ended.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  return summarize();
}

// One background runner per process: the page's "Send now", the scheduler's jobs and the
// retry sweep share it, and a request made while it runs makes it go round once more.
let background: Promise<DeliverySummary> | null = null;
let backgroundAbort: AbortController | null = null;
let again = false;

export function kickDeliveries(ctx: DeliveryContext, options: Omit<RunOptions, "scope" | "stopWhenIdle" | "signal"> = {}) {
  if (background) {
    again = true;
    return background;
  }
  const abort = (backgroundAbort = new AbortController());
  background = (async () => {
    const total: DeliverySummary = { sent: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
    do {
      again = false;
      const summary = await runDeliveries(ctx, { ...options, signal: abort.signal });
      for (const key of Object.keys(total) as (keyof DeliverySummary)[]) total[key] += summary[key];
    } while (again && !abort.signal.aborted);
    return total;
  })().finally(() => {
    background = null;
    backgroundAbort = null;
  });
  return background;
}

/**
 * Shutdown: workers finish the report in hand and claim no more. A row cut off mid-way stays
 * 'sending' until its lease expires, then the next run takes it over.
 */
export function stopDeliveries() {
  backgroundAbort?.abort();
  return background ?? Promise.resolve(null);
}

export function deliveriesRunning() {
  return background !== null;
}

// ---------------------------------------------------------------------------------------------
// Admin: list, count, retry

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
    if (row.status !== "failed")
      throw new DeliveryError(`Only a failed delivery can be retried; this one is ${row.status}.`, 409);
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
};

const STATUS_ORDER = sql`CASE ${reportDeliveries.status} WHEN 'failed' THEN 0 WHEN 'sending' THEN 1 WHEN 'queued' THEN 2 WHEN 'skipped' THEN 3 ELSE 4 END`;

/** A period's deliveries, the ones needing attention first (failed, sending, queued). */
export function listDeliveries(
  db: DB,
  period: string,
  options: { status?: DeliveryStatus; limit?: number } = {},
): DeliveryListRow[] {
  return db
    .select({
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
    })
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

export type DeliveryCounts = Record<DeliveryStatus, number> & { total: number };

export function deliveryCounts(db: DB, period: string): DeliveryCounts {
  const counts: DeliveryCounts = { queued: 0, sending: 0, sent: 0, skipped: 0, failed: 0, total: 0 };
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

// ---------------------------------------------------------------------------------------------
// Schedule: which period a run reports on, and catching up a missed run

/** The report cron and time zone from program settings (the default when unset or invalid). */
export function reportSchedule(db: DB): { cron: string; timezone: string } {
  const row = db
    .select({ cron: programSettings.reportCron, timezone: programSettings.reportTimeZone })
    .from(programSettings)
    .where(sql`${programSettings.id} = 1`)
    .get();
  if (!row) return { ...DEFAULT_REPORT_SCHEDULE };
  try {
    new Cron(row.cron, { timezone: row.timezone, paused: true }).stop();
    return row;
  } catch (error) {
    console.error(
      `[reports] invalid report schedule ${JSON.stringify(row)} (${(error as Error).message}); using the default`,
    );
    return { ...DEFAULT_REPORT_SCHEDULE };
  }
}

/** The calendar month before the one `instant` falls in, in `timeZone`. */
export function previousPeriodIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(
    instant,
  );
  const year = parts.find((p) => p.type === "year")!.value;
  const month = parts.find((p) => p.type === "month")!.value;
  return addMonths(`${year}-${month}`, -1);
}

/** The latest time the cron fired (or should have) at or before `now`; null if none in ~a year. */
export function lastScheduledRun(cron: string, timezone: string, now: Date): Date | null {
  const job = new Cron(cron, { timezone, paused: true });
  try {
    for (const days of [2, 35, 400]) {
      let last: Date | null = null;
      let next = job.nextRun(new Date(now.getTime() - days * 86_400_000));
      while (next && next.getTime() <= now.getTime()) {
        last = next;
        next = job.nextRun(next);
      }
      if (last) return last;
    }
    return null;
  } finally {
    job.stop();
  }
}

function periodWasEnqueued(db: DB, period: string) {
  return (
    db.$client
      .prepare("SELECT 1 FROM report_deliveries WHERE partner_key = 0 AND period = ? AND kind = 'ecosystem'")
      .get(period) !== undefined
  );
}

/** The scheduled job: enqueue the month before now (in the schedule's time zone) and send. */
export async function runMonthlyReports(ctx: DeliveryContext, now = new Date()) {
  const { timezone } = reportSchedule(ctx.db);
  const period = previousPeriodIn(now, timezone);
  const enqueued = enqueuePeriod(ctx.db, period, { now: now.getTime() });
  const summary = await kickDeliveries(ctx);
  return { period, enqueued, summary };
}

/**
 * At scheduler start: if the last scheduled run is in the past and its period was never
 * enqueued (the server was down at the time), run it now; in any case resume rows that are
 * due or whose worker died (expired lease).
 */
export async function catchUpMonthlyReports(ctx: DeliveryContext, now = new Date()) {
  const { cron, timezone } = reportSchedule(ctx.db);
  const last = lastScheduledRun(cron, timezone, now);
  const period = last ? previousPeriodIn(last, timezone) : null;
  let enqueued: EnqueueResult | null = null;
  if (period && !periodWasEnqueued(ctx.db, period)) enqueued = enqueuePeriod(ctx.db, period, { now: now.getTime() });
  const summary = await kickDeliveries(ctx);
  return { period, enqueued, summary };
}
