// What every sender shares (decision 0018): the heartbeat that keeps a lease alive while its
// holder works, sending a row's messages recipient by recipient while recording what the
// server answered, classifying failures, and the backoff. The queues are report_deliveries
// (app/reports/delivery-worker.server.ts) and outbox_messages (app/mail/outbox.server.ts).
import type { Mailer, OutgoingMessage, RecipientOutcome } from "../mailer.server";
import type { leaseStatements } from "../reports/delivery.server";

type Statements = ReturnType<typeof leaseStatements>;
export type Fence = { id: number; lockedBy: string; attempts: number };

type SmtpLikeError = Error & {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
  rejectedErrors?: { recipient?: string; response?: string; message: string }[];
};

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
  // the attempt limit bounds how often we find out.
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

export const DEFAULT_BACKOFF = { baseMs: 60_000, capMs: 6 * 60 * 60_000, jitter: 0.25 };

/** base · 2^(attempts−1), ±jitter, capped. */
export function backoffMs(attempts: number, options: Partial<typeof DEFAULT_BACKOFF> = {}, random = Math.random) {
  const { baseMs, capMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(Math.min(capMs, raw * (1 + jitter * (2 * random() - 1))));
}

/**
 * Renews the lease every third of it until stopped. `held()` turns false once a renewal finds
 * the row no longer ours (taken over, or retried by an admin): the holder then sends nothing more.
 */
export function startHeartbeat(statements: Statements, fence: Fence, leaseMs: number, clock: () => number) {
  let held = true;
  const renew = () => {
    if (!held) return false;
    try {
      held = statements.renew.run({ ...fence, until: clock() + leaseMs }).changes === 1;
    } catch (error) {
      // A busy database: the next beat tries again, well before the lease runs out.
      if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
    }
    return held;
  };
  const timer = setInterval(renew, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref?.();
  return { renew, held: () => held, stop: () => clearInterval(timer) };
}

export function parseOutcomes(json: string | null): RecipientOutcome[] {
  if (!json) return [];
  try {
    return JSON.parse(json) as RecipientOutcome[];
  } catch {
    return [];
  }
}

/**
 * Sends a row's messages as its lease holder. Recipients an earlier attempt recorded as
 * accepted are left out (a retry after a crash or a partial rejection does not repeat them);
 * the others' outcomes are recorded after each message, so a crash mid-row loses none.
 * A refusal of some recipients (RCPT 5xx) is an outcome, not an error; anything else that
 * fails a message throws (the caller retries or gives up the row). Returns null when the lease
 * was lost: the caller records nothing.
 */
export async function sendMessages(options: {
  statements: Statements;
  fence: Fence;
  heartbeat: ReturnType<typeof startHeartbeat>;
  mailer: Mailer;
  messages: OutgoingMessage[];
  previous: RecipientOutcome[];
}): Promise<{ outcomes: RecipientOutcome[]; messageIds: string[] } | null> {
  const { statements, fence, heartbeat, mailer } = options;
  const accepted = new Set(options.previous.filter((o) => o.outcome === "accepted").map((o) => o.address.toLowerCase()));
  const outcomes = new Map(options.previous.map((o) => [o.address.toLowerCase(), o]));
  const messageIds: string[] = [];
  for (const message of options.messages) {
    const to = message.to.filter((a) => !accepted.has(a.toLowerCase()));
    if (to.length === 0) {
      if (message.messageId) messageIds.push(message.messageId);
      continue;
    }
    if (!heartbeat.renew()) return null;
    let answered: RecipientOutcome[];
    try {
      const result = await mailer.send({ ...message, to });
      answered = result.recipients;
      messageIds.push(result.messageId || message.messageId || "");
    } catch (error) {
      const e = error as SmtpLikeError;
      // Every recipient refused at RCPT: their outcomes, not a failure of the row's other messages.
      if (e?.code === "EENVELOPE" && e.rejected?.length) {
        answered = to.map((address): RecipientOutcome => {
          const refusal = e.rejectedErrors?.find((r) => r.recipient?.toLowerCase() === address.toLowerCase());
          return { address, outcome: "rejected", reply: (refusal?.response ?? refusal?.message ?? e.message).slice(0, 300) };
        });
      } else throw error;
    }
    for (const o of answered) outcomes.set(o.address.toLowerCase(), o);
    if (!heartbeat.held()) return null;
    statements.progress.run({ ...fence, outcomes: JSON.stringify([...outcomes.values()]) });
  }
  return { outcomes: [...outcomes.values()], messageIds };
}

/** 'sent', or 'partial' / 'failed' with the refused addresses and replies as the error. */
export function summarizeOutcomes(outcomes: RecipientOutcome[]): { status: "sent" | "partial" | "failed"; error: string | null } {
  const refused = outcomes.filter((o) => o.outcome === "rejected");
  if (refused.length === 0) return { status: "sent", error: null };
  const list = refused.map((o) => `${o.address}: ${o.reply || "refused"}`).join("; ");
  if (refused.length === outcomes.length) return { status: "failed", error: `Every recipient was refused. ${list}`.slice(0, 1000) };
  return { status: "partial", error: `Refused ${refused.length} of ${outcomes.length}: ${list}`.slice(0, 1000) };
}
