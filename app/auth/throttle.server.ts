// Failed sign-in throttling, per account and per client IP, over a sliding window. Both keys
// are checked before the password is, so a locked account costs no argon2 work.
import { and, asc, eq, gte, lt } from "drizzle-orm";
import { signInFailures } from "../../db/schema";
import type { DB } from "../db.server";

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const ACCOUNT_LIMIT = 5;
export const IP_LIMIT = 20;

const accountKey = (email: string) => `email:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

function retryAfterMs(db: DB, key: string, limit: number, now: number): number {
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

export function signInBlockedFor(db: DB, email: string, ip: string, now = Date.now()): number {
  return Math.max(
    retryAfterMs(db, accountKey(email), ACCOUNT_LIMIT, now),
    retryAfterMs(db, ipKey(ip), IP_LIMIT, now),
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
