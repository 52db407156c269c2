// The delivery workers (the queue's semantics: delivery.server.ts): deliver one claimed row —
// render, renew the lease, send, record the outcome as the lease holder — classify SMTP
// failures into retry-with-backoff or dead letter, and the run loop with its background slot.
import os from "node:os";
import type { OutgoingMessage } from "../mailer.server";
import {
  backoffMs,
  classifyError,
  describeError,
  parseOutcomes,
  sendMessages,
  startHeartbeat,
  summarizeOutcomes,
} from "../mail/sender.server";
import { mailDomain } from "../mail/message-id.server";
import { transportOf } from "../mail/outbox.server";
import { writeTransaction } from "../db.server";
import { emitWebhookEvent } from "../webhooks/events.server";
import {
  claimNext,
  countDue,
  DeliveryError,
  leaseOf,
  leasesHeldUntil,
  maxAttemptsOf,
  NO_RECIPIENTS,
  PREFERENCE_OFF,
  queueStatements,
  type ClaimedDelivery,
  type DeliveryContext,
  type DeliveryOutcome,
  type DeliveryScope,
  type QueueStatements,
} from "./delivery.server";
import { unsubscribeHeaders } from "../domain/report-unsubscribe.server";
import { renderEcosystemReport, renderPartnerReport, reportMessageId } from "./render.server";

// ---------------------------------------------------------------------------------------------
// Deliver one

export { backoffMs, classifyError, describeError };

export function reportAttachmentName(slug: string, period: string) {
  return `report-${slug}-${period}.pdf`;
}

/**
 * The emails for a claimed row, or why nobody gets one (the preference or the recipients
 * changed). The ecosystem report is one message to the staff; a partner's report is one message
 * per recipient, each with its own signed unsubscribe link (List-Unsubscribe, RFC 8058) and its
 * own deterministic Message-ID.
 */
async function composeMessages(
  ctx: DeliveryContext,
  row: ClaimedDelivery,
): Promise<{ skip: string } | { messages: OutgoingMessage[] }> {
  const host = mailDomain(ctx.db, ctx.config.MAIL_FROM);
  if (row.kind === "ecosystem") {
    const report = await renderEcosystemReport(ctx.db, ctx.config, row.period);
    if (report.recipients.length === 0) return { skip: "No recipients: no enabled program admin or partner manager." };
    const attachment = { filename: `ecosystem-report-${row.period}.pdf`, content: report.pdf, contentType: "application/pdf" };
    const messageId = reportMessageId(null, row.period, host);
    return { messages: [{ to: report.recipients, ...report.email, attachments: [attachment], messageId }] };
  }
  if (row.partnerId === null) throw new DeliveryError(`Delivery #${row.id} has no partner.`);
  const report = await renderPartnerReport(ctx.db, ctx.config, row.partnerId, row.period);
  if (report.partner.reportFormat === "off") return { skip: PREFERENCE_OFF };
  if (report.recipientUsers.length === 0) return { skip: NO_RECIPIENTS };
  let attachments: OutgoingMessage["attachments"];
  if (report.partner.reportFormat === "pdf") {
    if (!report.pdf) throw new Error("The renderer returned no PDF for a partner who receives one.");
    const filename = reportAttachmentName(report.partner.slug, row.period);
    attachments = [{ filename, content: report.pdf, contentType: "application/pdf" }];
  }
  const messages = report.recipientUsers.map(
    (person): OutgoingMessage => ({
      to: [person.email],
      ...report.email,
      attachments,
      messageId: reportMessageId(row.partnerId, row.period, host, person.id),
      headers: unsubscribeHeaders(ctx.config, person.id),
    }),
  );
  return { messages };
}

/**
 * Renders and sends one claimed row, then records the outcome if (and only if) this worker
 * still holds the claim; a heartbeat renews the lease all the while. A render or SMTP problem
 * becomes the outcome; only a database error while recording throws (the row then stays
 * 'sending' until its lease expires).
 */
export async function deliverOne(ctx: DeliveryContext, row: ClaimedDelivery): Promise<DeliveryOutcome> {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = leaseOf(ctx);
  const maxAttempts = maxAttemptsOf(ctx);
  const s = queueStatements(ctx.db);
  const fence = { id: row.id, lockedBy: row.lockedBy, attempts: row.attempts };
  const record = (statement: keyof QueueStatements, values: Record<string, unknown>, outcome: DeliveryOutcome) =>
    (s[statement] as { run(v: Record<string, unknown>): { changes: number } }).run({ ...fence, ...values })
      .changes === 1
      ? outcome
      : "lost";

  const heartbeat = startHeartbeat(s, fence, leaseMs, clock);
  try {
    let composed: Awaited<ReturnType<typeof composeMessages>>;
    let sent: Awaited<ReturnType<typeof sendMessages>> = null;
    try {
      composed = await composeMessages(ctx, row);
      if ("messages" in composed) {
        sent = await sendMessages({
          statements: s,
          fence,
          heartbeat,
          mailer: transportOf(ctx.mailer),
          messages: composed.messages,
          previous: parseOutcomes(row.outcomes),
        });
        if (!sent) return "lost";
      }
    } catch (error) {
      const text = describeError(error);
      if (classifyError(error) === "permanent" || row.attempts >= maxAttempts) {
        const reason = row.attempts >= maxAttempts ? `Gave up after ${row.attempts} attempts. Last error: ${text}` : text;
        return record("failed", { error: reason }, "failed");
      }
      const next = clock() + backoffMs(row.attempts, ctx.backoff);
      return record("retry", { error: `Attempt ${row.attempts} failed, will retry: ${text}`, next }, "retrying");
    }
    if ("skip" in composed) return record("skipped", { error: composed.skip }, "skipped");
    // The crash window of the header comment: SMTP has the messages, this UPDATE has not run yet.
    const { status, error } = summarizeOutcomes(sent!.outcomes);
    const messageId = sent!.messageIds.join(" ");
    // The webhook event commits with the `sent` mark (issue 16): one event per delivery that
    // this worker records, none for a takeover it lost.
    return writeTransaction(ctx.db, (tx) => {
      const outcome = record("sent", { status, error, outcomes: JSON.stringify(sent!.outcomes), messageId, at: clock() }, status);
      if (outcome === "sent" || outcome === "partial") {
        const accepted = sent!.outcomes.filter((o) => o.outcome === "accepted").length;
        emitWebhookEvent(
          tx,
          "report.sent",
          { partnerId: row.partnerId, period: row.period, recipients: accepted, messageId, status: outcome },
          { partnerId: row.partnerId },
        );
      }
      return outcome;
    });
  } finally {
    heartbeat.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Run the queue

export type DeliverySummary = {
  sent: number;
  /** Sent, but some recipients were refused (see the row). */
  partial: number;
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
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function runDeliveries(ctx: DeliveryContext, options: RunOptions = {}): Promise<DeliverySummary> {
  const clock = ctx.clock ?? Date.now;
  const leaseMs = leaseOf(ctx);
  const maxAttempts = maxAttemptsOf(ctx);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const workerId = options.workerId ?? defaultWorkerId();
  const stopWhenIdle = options.stopWhenIdle ?? true;
  const { scope, signal, onProgress } = options;

  // The last outcome per row: a row retried within this run counts once, as what it became.
  const outcomes = new Map<number, DeliveryOutcome>();
  let done = 0;
  let inFlight = 0;
  let total = countDue(ctx.db, clock(), scope, maxAttempts);
  let countedAt = clock();
  const summarize = (): DeliverySummary => {
    const summary = { sent: 0, partial: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
    for (const outcome of outcomes.values()) summary[outcome]++;
    return summary;
  };

  async function worker(slot: number) {
    const me = `${workerId}#${slot}`;
    while (!signal?.aborted) {
      const row = claimNext(ctx.db, me, clock(), leaseMs, scope, maxAttempts);
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
          total = done + inFlight + countDue(ctx.db, clock(), scope, maxAttempts);
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

/**
 * What the CLI runs: drain until nothing in scope is due AND no lease is held. Rows a crashed
 * sender left 'sending' are waited for until their lease (at most MAIL_LEASE_MS) runs out,
 * then delivered; rows a live sender holds are waited for until it is done. Rows waiting for a
 * later retry are left queued (the caller reports them).
 */
export async function runUntilSettled(ctx: DeliveryContext, options: RunOptions = {}): Promise<DeliverySummary> {
  const clock = ctx.clock ?? Date.now;
  const outcomes: DeliverySummary = { sent: 0, partial: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
  let done = 0;
  while (!options.signal?.aborted) {
    const base = done;
    const summary = await runDeliveries(ctx, {
      ...options,
      stopWhenIdle: true,
      onProgress: options.onProgress && ((d, total, s) => options.onProgress!(base + d, base + total, s)),
    });
    for (const key of Object.keys(outcomes) as (keyof DeliverySummary)[]) outcomes[key] += summary[key];
    done = base + summary.sent + summary.partial + summary.skipped + summary.failed + summary.retrying + summary.lost;
    const heldUntil = leasesHeldUntil(ctx.db, options.scope);
    if (heldUntil === null) break;
    await sleep(Math.min(Math.max(50, heldUntil - clock() + 50), leaseOf(ctx)), options.signal);
  }
  // A row retried within the run counts once, as what it became; 'lost' rows were finished by
  // another worker.
  return outcomes;
}

/**
 * How many reports a run inside the server works on at once: one fewer than the machine's
 * cores (at least one), so that requests keep a core while a monthly run renders PDFs (a run
 * on every core made the dashboard's p99 2.2× its idle figure). `npm run reports -- send`
 * runs outside the server and uses every core.
 */
export function backgroundConcurrency(cores = os.availableParallelism()): number {
  return Math.max(1, cores - 1);
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
    const total: DeliverySummary = { sent: 0, partial: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
    do {
      again = false;
      const summary = await runDeliveries(ctx, { concurrency: backgroundConcurrency(), ...options, signal: abort.signal });
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
