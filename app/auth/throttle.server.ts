// Failed-attempt throttling over a sliding window: sign-in per account and per client IP, and
// second-factor codes per user. An attempt is reserved (counted as a failure) in one IMMEDIATE
// transaction before the password or code is checked, so parallel guesses cannot all slip in
// while argon2 runs, and a refused attempt costs no argon2 work; a success hands its
// reservation back.
import { and, asc, eq, gte, inArray, lt } from "drizzle-orm";
import { signInFailures } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const ACCOUNT_LIMIT = 5;
export const IP_LIMIT = 20;
/** Wrong second-factor codes (authenticator or recovery) per user. */
export const CODE_LIMIT = 5;

const accountKey = (email: string) => `email:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
const codeKey = (userId: string) => `code:${userId}`;

type Limit = { key: string; limit: number };
export type Reservation = { ok: true; ids: number[] } | { ok: false; retryAfterMs: number };

function retryAfterMs(db: Pick<DB, "select">, { key, limit }: Limit, now: number): number {
  const recent = db
    .select({ at: signInFailures.at })
    .from(signInFailures)
    .where(and(eq(signInFailures.key, key), gte(signInFailures.at, now - THROTTLE_WINDOW_MS)))
    .orderBy(asc(signInFailures.at))
    .all();
  if (recent.length < limit) return 0;
  // Unlocks when enough of the failures have aged out of the window.
  return recent[recent.length - limit].at + THROTTLE_WINDOW_MS - now;
}

function reserve(db: DB, limits: Limit[], now: number): Reservation {
  return writeTransaction(db, (tx) => {
    const wait = Math.max(0, ...limits.map((l) => retryAfterMs(tx, l, now)));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    tx.delete(signInFailures).where(lt(signInFailures.at, now - THROTTLE_WINDOW_MS)).run();
    const rows = tx
      .insert(signInFailures)
      .values(limits.map((l) => ({ key: l.key, at: now })))
      .returning({ id: signInFailures.id })
      .all();
    return { ok: true, ids: rows.map((r) => r.id) };
  });
}

/** Hands back a reservation whose attempt turned out to be right. */
export function releaseAttempt(db: DB, reservation: { ids: number[] }) {
  if (reservation.ids.length) db.delete(signInFailures).where(inArray(signInFailures.id, reservation.ids)).run();
}

export function reserveSignInAttempt(db: DB, email: string, ip: string, now = Date.now()): Reservation {
  return reserve(
    db,
    [
      { key: accountKey(email), limit: ACCOUNT_LIMIT },
      { key: ipKey(ip), limit: IP_LIMIT },
    ],
    now,
  );
}

export function reserveCodeAttempt(db: DB, userId: string, now = Date.now()): Reservation {
  return reserve(db, [{ key: codeKey(userId), limit: CODE_LIMIT }], now);
}

export function clearCodeFailures(db: DB, userId: string) {
  db.delete(signInFailures).where(eq(signInFailures.key, codeKey(userId))).run();
}

/** "Try again in 14 minutes." */
export function tryAgainIn(waitMs: number) {
  const minutes = Math.max(1, Math.ceil(waitMs / 60000));
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export function signInBlockedFor(db: DB, email: string, ip: string, now = Date.now()): number {
  return Math.max(
    retryAfterMs(db, { key: accountKey(email), limit: ACCOUNT_LIMIT }, now),
    retryAfterMs(db, { key: ipKey(ip), limit: IP_LIMIT }, now),
  );
}

export function recordSignInFailure(db: DB, email: string, ip: string, now = Date.now()) {
  db.insert(signInFailures)
    .values([
      { key: accountKey(email), at: now },
      { key: ipKey(ip), at: now },
    ])
    .run();
  db.delete(signInFailures).where(lt(signInFailures.at, now - THROTTLE_WINDOW_MS)).run();
}

export function clearAccountFailures(db: DB, email: string) {
  db.delete(signInFailures).where(eq(signInFailures.key, accountKey(email))).run();
}
