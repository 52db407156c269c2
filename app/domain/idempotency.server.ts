// Idempotent create forms: every create form carries a token generated when it is rendered
// (a hidden input). The first submission with a token creates its record and remembers, in the
// same transaction, where it led; a repeat (double click, retry, back and resubmit of the same
// page) gets that result back and creates nothing.
import { and, eq, lt } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { idempotencyKeys } from "../../db/schema";
import type { Tx } from "../db.server";
import { IDEMPOTENCY_FIELD } from "./idempotency";

export { IDEMPOTENCY_FIELD } from "./idempotency";

/** A token is remembered this long: enough for any retry, short enough to keep the table small. */
export const IDEMPOTENCY_TTL_MS = 7 * 86_400_000;

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh token for one render of a form. */
export function newIdempotencyToken(): string {
  return randomBytes(18).toString("base64url");
}

export type IdempotencyKey = { actor: string; form: string; token: string };

export class IdempotencyError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = "IdempotencyError";
  }
}

/**
 * The key of a submission: null when the form sent no token (an older page or a script; the
 * submission is then processed once as sent), an error for a token that is not one of ours.
 */
export function idempotencyKeyOf(formData: FormData, actor: string, form: string): IdempotencyKey | null {
  const token = formData.get(IDEMPOTENCY_FIELD);
  if (token === null || token === "") return null;
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw new IdempotencyError("This form is out of date: reload the page and submit it again.");
  }
  return { actor, form, token };
}

/**
 * Inside the write transaction that would create the record: where an earlier submission with
 * this key led, or null when this is the first (or there is no key).
 */
export function replayOf(tx: Pick<Tx, "select">, key: IdempotencyKey | null): string | null {
  if (!key) return null;
  const earlier = tx
    .select({ result: idempotencyKeys.result })
    .from(idempotencyKeys)
    .where(
      and(eq(idempotencyKeys.actor, key.actor), eq(idempotencyKeys.form, key.form), eq(idempotencyKeys.token, key.token)),
    )
    .get();
  return earlier?.result ?? null;
}

/**
 * In the same transaction as the record: remember where this submission led. Only for a
 * submission that created something; a refusal the user corrects is resubmitted with the same
 * token and must run again.
 */
export function rememberResult(tx: Pick<Tx, "insert" | "delete">, key: IdempotencyKey | null, result: string, now = new Date()) {
  if (!key) return;
  tx.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS))).run();
  tx.insert(idempotencyKeys).values({ ...key, result, createdAt: now }).run();
}
