// The webhook drain: claims due deliveries with a lease (a dead worker's rows are taken over when
// the lease runs out), signs and POSTs them, logs every attempt with its response code, retries
// with exponential backoff and jitter, and disables an endpoint that has failed for days. Same
// design as the report delivery queue (decision 0006); kicked after a commit and by the
// scheduler's sweep.
import { and, eq, isNull, lte, notInArray, or, sql } from "drizzle-orm";
import os from "node:os";
import { apiSettings, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import type { DB } from "../db.server";
import { writeTransaction } from "../db.server";
import { backoffMs } from "../reports/delivery-worker.server";
import { webhookHeaders } from "./signature";
import { checkWebhookUrl } from "./ssrf.server";

export const WEBHOOK_LEASE_MS = 60_000;
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** 30 s, 1 min, 2 min … capped at 6 h: 14 attempts span about two and a half days. */
export const WEBHOOK_BACKOFF = { baseMs: 30_000, capMs: 6 * 3_600_000, jitter: 0.2 };
export const WEBHOOK_MAX_ATTEMPTS = 14;
/** An endpoint that has not answered 2xx for this long is disabled (an admin re-enables it). */
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 86_400_000;

export type WebhookDrainContext = { db: DB; clock?: () => number };
export type WebhookOutcome = "delivered" | "retrying" | "failed" | "lost";
export type WebhookSummary = Record<WebhookOutcome, number>;

export function allowPrivateWebhookUrls(db: Pick<DB, "select">): boolean {
  return db.select({ allow: apiSettings.allowPrivateWebhookUrls }).from(apiSettings).get()?.allow ?? false;
}

type Claimed = {
  id: number;
  endpointId: number;
  eventId: string;
  payload: string;
  attempts: number;
  url: string;
  secret: string;
  failingSince: Date | null;
};

function claimNext(db: DB, me: string, now: number, seen: number[]): Claimed | null {
  return writeTransaction(db, (tx) => {
    const row = tx
      .select({
        id: webhookDeliveries.id,
        endpointId: webhookDeliveries.endpointId,
        eventId: webhookDeliveries.eventId,
        payload: webhookDeliveries.payload,
        attempts: webhookDeliveries.attempts,
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
        failingSince: webhookEndpoints.failingSince,
      })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(
        and(
          isNull(webhookEndpoints.disabledAt),
          seen.length ? notInArray(webhookDeliveries.id, seen) : undefined,
          or(
            and(eq(webhookDeliveries.status, "queued"), lte(webhookDeliveries.nextAttemptAt, now)),
            and(eq(webhookDeliveries.status, "sending"), lte(webhookDeliveries.lockedUntil, now)),
          ),
        ),
      )
      .orderBy(webhookDeliveries.nextAttemptAt, webhookDeliveries.id)
      .limit(1)
      .get();
    if (!row) return null;
    tx.update(webhookDeliveries)
      .set({ status: "sending", lockedUntil: now + WEBHOOK_LEASE_MS, lockedBy: me })
      .where(eq(webhookDeliveries.id, row.id))
      .run();
    return row;
  });
}

type AttemptResult = { statusCode: number | null; error: string | null; durationMs: number };

async function attempt(db: DB, row: Claimed, now: number): Promise<AttemptResult> {
  const started = Date.now();
  try {
    await checkWebhookUrl(row.url, allowPrivateWebhookUrls(db));
    const res = await fetch(row.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "partner-portal-webhooks/1",
        // The real time, whatever clock schedules the queue: receivers check it against theirs.
        ...webhookHeaders(row.secret, row.eventId, Math.floor(Date.now() / 1000), row.payload),
      },
      body: row.payload,
    });
    const text = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 300);
    const ok = res.status >= 200 && res.status < 300;
    return { statusCode: res.status, error: ok ? null : `HTTP ${res.status}${text ? `: ${text}` : ""}`, durationMs: Date.now() - started };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const message = e.name === "TimeoutError" ? `No answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `${e.cause?.code ?? e.name}: ${e.message}`;
    return { statusCode: null, error: message.slice(0, 500), durationMs: Date.now() - started };
  }
}

/** Records one attempt as the lease holder; a row whose lease another worker took is left alone. */
function record(db: DB, row: Claimed, me: string, now: number, result: AttemptResult, random = Math.random): WebhookOutcome {
  return writeTransaction(db, (tx) => {
    const mine = tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.lockedBy, me), eq(webhookDeliveries.status, "sending")))
      .get();
    if (!mine) return "lost";
    tx.insert(webhookAttempts)
      .values({ deliveryId: row.id, at: new Date(now), statusCode: result.statusCode, error: result.error, durationMs: result.durationMs })
      .run();
    const attempts = row.attempts + 1;
    const common = { attempts, lockedUntil: null, lockedBy: null, lastStatusCode: result.statusCode, lastError: result.error };
    if (result.error === null) {
      tx.update(webhookDeliveries).set({ ...common, status: "delivered", deliveredAt: new Date(now) }).where(eq(webhookDeliveries.id, row.id)).run();
      tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, row.endpointId)).run();
      return "delivered";
    }
    const failingSince = row.failingSince?.getTime() ?? now;
    tx.update(webhookEndpoints)
      .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now})` })
      .where(eq(webhookEndpoints.id, row.endpointId))
      .run();
    if (now - failingSince >= WEBHOOK_DISABLE_AFTER_MS) {
      tx.update(webhookEndpoints)
        .set({
          disabledAt: new Date(now),
          disabledReason: `Disabled automatically: no successful delivery since ${new Date(failingSince).toISOString()} (last: ${result.error})`,
        })
        .where(eq(webhookEndpoints.id, row.endpointId))
        .run();
      tx.update(webhookDeliveries).set({ ...common, status: "failed" }).where(eq(webhookDeliveries.id, row.id)).run();
      return "failed";
    }
    if (attempts >= WEBHOOK_MAX_ATTEMPTS) {
      tx.update(webhookDeliveries).set({ ...common, status: "failed" }).where(eq(webhookDeliveries.id, row.id)).run();
      return "failed";
    }
    const next = now + backoffMs(attempts, WEBHOOK_BACKOFF, random);
    tx.update(webhookDeliveries).set({ ...common, status: "queued", nextAttemptAt: next }).where(eq(webhookDeliveries.id, row.id)).run();
    return "retrying";
  });
}

export function defaultWebhookWorkerId() {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** Delivers every due row (two at a time) and returns when none is due. */
export async function runWebhookDeliveries(ctx: WebhookDrainContext, options: { workerId?: string; concurrency?: number } = {}): Promise<WebhookSummary> {
  const clock = ctx.clock ?? Date.now;
  const workerId = options.workerId ?? defaultWebhookWorkerId();
  const summary: WebhookSummary = { delivered: 0, retrying: 0, failed: 0, lost: 0 };
  const outcomes = new Map<number, WebhookOutcome>();
  async function worker(slot: number) {
    const me = `${workerId}#${slot}`;
    for (;;) {
      const now = clock();
      // Each row at most once per run: a backoff shorter than the run (a clock set ahead) must not loop.
      const row = claimNext(ctx.db, me, now, [...outcomes.keys()]);
      if (!row) return;
      outcomes.set(row.id, "lost");
      const result = await attempt(ctx.db, row, now);
      const outcome = record(ctx.db, row, me, clock(), result);
      outcomes.set(row.id, outcome);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, (_, i) => worker(i + 1)));
  for (const outcome of outcomes.values()) summary[outcome]++;
  return summary;
}

// One background drain per process; a kick while it runs makes it go round once more.
let background: Promise<WebhookSummary> | null = null;
let again = false;

export function kickWebhooks(ctx: WebhookDrainContext): Promise<WebhookSummary> {
  if (background) {
    again = true;
    return background;
  }
  background = (async () => {
    const total: WebhookSummary = { delivered: 0, retrying: 0, failed: 0, lost: 0 };
    do {
      again = false;
      const s = await runWebhookDeliveries(ctx);
      for (const k of Object.keys(total) as WebhookOutcome[]) total[k] += s[k];
    } while (again);
    return total;
  })()
    .catch((error) => {
      console.error("Webhook delivery run failed:", error);
      return { delivered: 0, retrying: 0, failed: 0, lost: 0 };
    })
    .finally(() => {
      background = null;
    });
  return background;
}

/** Shutdown: the run in flight finishes its current requests. */
export function webhooksRunning() {
  return background ?? Promise.resolve(null);
}
