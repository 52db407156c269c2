// Email + password sign-in, and its second step for accounts with two-factor sign-in (or staff
// who must enrol first). An unknown email and a wrong password get the same answer in the same
// time; the attempt is reserved against the throttle before any password is checked.
//
// A right password on a two-factor account creates no session: it creates a pending sign-in
// (10 minutes, one per user) whose random token rides in its own HttpOnly cookie and whose
// SHA-256 is all the database keeps. Only the right code turns it into a session.
import { createCookie } from "@remix-run/node";
import { and, eq, lt } from "drizzle-orm";
import { partners, pendingSignIns, users } from "../../db/schema";
import type { DB } from "../db.server";
import { isStaffRole } from "./guards.server";
import { verifyAgainstDummy, verifyPassword } from "./password.server";
import { redirectAfterSignIn } from "./redirect.server";
import { cookiesAreSecure } from "./lucia.server";
import { startSession, type AuthSettings } from "./session.server";
import { clearAccountFailures, releaseAttempt, reserveSignInAttempt, tryAgainIn } from "./throttle.server";
import { generateToken, hashToken } from "./tokens.server";
import { isStaffTwoFactorRequired, isTwoFactorEnabled } from "./two-factor.server";

export const BAD_CREDENTIALS = "That email and password do not match an account.";
export const PENDING_LIFETIME_MS = 10 * 60 * 1000;
export const SECOND_STEP_PATH = "/login/two-factor";

export type SignInResult =
  | { ok: true; location: string; cookie: string; role: string }
  | { ok: false; status: 401 | 403 | 429; message: string };

export function normalizeEmail(email: string) {
  return email.trim().toLowerCase();
}

export async function signIn(
  db: DB,
  settings: AuthSettings,
  input: { email: string; password: string; ip: string; redirectTo?: string },
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const reservation = reserveSignInAttempt(db, email, input.ip);
  if (!reservation.ok) {
    return {
      ok: false,
      status: 429,
      message: `Too many failed sign-in attempts. ${tryAgainIn(reservation.retryAfterMs)}`,
    };
  }
  const user = db
    .select({
      id: users.id,
      role: users.role,
      passwordHash: users.passwordHash,
      disabledAt: users.disabledAt,
      partnerStatus: partners.status,
    })
    .from(users)
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(eq(users.email, email))
    .get();
  const valid = user?.passwordHash
    ? await verifyPassword(user.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  // A wrong password keeps its reservation: that is the recorded failure.
  if (!user || !valid) return { ok: false, status: 401, message: BAD_CREDENTIALS };
  releaseAttempt(db, reservation);
  clearAccountFailures(db, email);
  if (user.disabledAt || (user.partnerStatus && user.partnerStatus !== "active")) {
    return {
      ok: false,
      status: 403,
      message: "This account is disabled. Ask your administrator to re-enable it.",
    };
  }
  const target = redirectAfterSignIn(input.redirectTo, user.role, settings.APP_URL);
  const purpose = isTwoFactorEnabled(db, user.id)
    ? "verify"
    : isStaffRole(user.role) && isStaffTwoFactorRequired(db)
      ? "enrol"
      : null;
  if (purpose) {
    const cookie = await beginPendingSignIn(db, settings, { userId: user.id, purpose, redirectTo: target });
    return { ok: true, location: SECOND_STEP_PATH, cookie, role: user.role };
  }
  return { ok: true, location: target, cookie: await startSession(db, settings, user.id), role: user.role };
}

// ---- the pending second step --------------------------------------------------------------

const pendingCookie = (secure: boolean) =>
  createCookie("pp_pending", {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: PENDING_LIFETIME_MS / 1000,
  });

async function beginPendingSignIn(
  db: DB,
  settings: AuthSettings,
  input: { userId: string; purpose: "verify" | "enrol"; redirectTo: string },
) {
  const token = generateToken();
  const now = Date.now();
  db.delete(pendingSignIns).where(lt(pendingSignIns.expiresAt, new Date(now))).run();
  // One pending sign-in per user: a new password sign-in replaces the one before.
  db.delete(pendingSignIns).where(eq(pendingSignIns.userId, input.userId)).run();
  db.insert(pendingSignIns)
    .values({ tokenHash: hashToken(token), ...input, expiresAt: new Date(now + PENDING_LIFETIME_MS) })
    .run();
  return pendingCookie(cookiesAreSecure(settings)).serialize(token);
}

export type PendingSignIn = {
  tokenHash: string;
  purpose: "verify" | "enrol";
  redirectTo: string;
  user: { id: string; email: string; name: string; role: string; partnerId: number | null };
};

/** The pending sign-in token the request carries, if any. */
export async function pendingToken(cookieHeader: string | null): Promise<string | null> {
  const token: unknown = await pendingCookie(false).parse(cookieHeader);
  return typeof token === "string" && token ? token : null;
}

/** The unexpired, not yet completed pending sign-in of `token`, or null. */
export function readPendingSignIn(db: DB, token: string): PendingSignIn | null {
  const row = db
    .select({
      tokenHash: pendingSignIns.tokenHash,
      purpose: pendingSignIns.purpose,
      redirectTo: pendingSignIns.redirectTo,
      expiresAt: pendingSignIns.expiresAt,
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      partnerId: users.partnerId,
      disabledAt: users.disabledAt,
    })
    .from(pendingSignIns)
    .innerJoin(users, eq(users.id, pendingSignIns.userId))
    .where(eq(pendingSignIns.tokenHash, hashToken(token)))
    .get();
  if (!row || row.expiresAt.getTime() <= Date.now() || row.disabledAt) return null;
  return {
    tokenHash: row.tokenHash,
    purpose: row.purpose,
    redirectTo: row.redirectTo,
    user: { id: row.id, email: row.email, name: row.name, role: row.role, partnerId: row.partnerId },
  };
}

/** The second step succeeded: the pending sign-in becomes a session. Returns both cookies. */
export async function completePendingSignIn(db: DB, settings: AuthSettings, pending: PendingSignIn) {
  const deleted = db
    .delete(pendingSignIns)
    .where(and(eq(pendingSignIns.tokenHash, pending.tokenHash), eq(pendingSignIns.userId, pending.user.id)))
    .run();
  if (deleted.changes !== 1) return null;
  return [await startSession(db, settings, pending.user.id), await clearPendingCookie(settings)];
}

export function clearPendingCookie(settings: AuthSettings) {
  return pendingCookie(cookiesAreSecure(settings)).serialize("", { maxAge: 0 });
}
