// Sessions: creating one on sign-in, reading it from the cookie once per request (the server
// does this before Remix runs, so a sliding refresh can set its cookie on any response), and
// ending them on sign-out, password change or when a user or partner is disabled.
import { eq } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import type { DB } from "../db.server";
import {
  ABSOLUTE_LIFETIME_MS,
  deleteExpiredSessions as deleteExpired,
  luciaFor,
  SESSION_COOKIE,
  type CookieSettings,
} from "./lucia.server";
import { generateToken, hashToken } from "./tokens.server";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  role: "partner_user" | "partner_admin" | "partner_manager" | "admin";
  partnerId: number | null;
  partnerName: string | null;
  partnerSlug: string | null;
};
export type AuthContext = { user: SessionUser; sessionId: string };

/** Pass the app's config: the cookie's Secure flag follows its APP_URL (see lucia.server.ts). */
export type AuthSettings = CookieSettings;

function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/**
 * The user the request's session cookie names, whether or not that session is still valid:
 * read before validation (which deletes an expired session) so a form posted after the session
 * ended keeps its entries for that user only (form-draft.server.ts).
 */
export function sessionOwner(db: DB, cookieHeader: string | null | undefined): string | null {
  const token = readCookie(cookieHeader, SESSION_COOKIE);
  if (!token) return null;
  const row = db
    .select({ userId: sessions.userId })
    .from(sessions)
    .where(eq(sessions.id, hashToken(token)))
    .get();
  return row?.userId ?? null;
}

/** Validates the session cookie. Returns the user (or null) and any cookies to set. */
export async function authenticate(
  db: DB,
  settings: AuthSettings,
  cookieHeader: string | null | undefined,
): Promise<{ auth: AuthContext | null; setCookies: string[] }> {
  const token = readCookie(cookieHeader, SESSION_COOKIE);
  if (!token) return { auth: null, setCookies: [] };
  const lucia = luciaFor(db, settings);
  const sessionId = hashToken(token);
  const { session, user } = await lucia.validateSession(sessionId);
  const blank = [lucia.createBlankSessionCookie().serialize()];
  if (!session || !user) return { auth: null, setCookies: blank };
  const partnerBlocked = user.partnerId !== null && user.partnerStatus !== "active";
  if (user.disabled || partnerBlocked || session.absoluteExpiresAt <= Date.now()) {
    await lucia.invalidateSession(session.id);
    return { auth: null, setCookies: blank };
  }
  const setCookies = session.fresh ? [lucia.createSessionCookie(token).serialize()] : [];
  return {
    auth: {
      sessionId: session.id,
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        partnerId: user.partnerId,
        partnerName: user.partnerName,
        partnerSlug: user.partnerSlug,
      },
    },
    setCookies,
  };
}

/** A brand-new session (never a reused one) and its Set-Cookie header. */
export async function startSession(db: DB, settings: AuthSettings, userId: string) {
  const lucia = luciaFor(db, settings);
  const token = generateToken();
  await lucia.createSession(
    userId,
    { absoluteExpiresAt: Date.now() + ABSOLUTE_LIFETIME_MS },
    { sessionId: hashToken(token) },
  );
  return lucia.createSessionCookie(token).serialize();
}

export async function endSession(db: DB, settings: AuthSettings, sessionId: string) {
  const lucia = luciaFor(db, settings);
  await lucia.invalidateSession(sessionId);
  return lucia.createBlankSessionCookie().serialize();
}

export function endAllSessionsOfUser(db: Pick<DB, "delete">, userId: string) {
  db.delete(sessions).where(eq(sessions.userId, userId)).run();
}

export function endAllSessionsOfPartner(db: DB, partnerId: number) {
  const ids = db.select({ id: users.id }).from(users).where(eq(users.partnerId, partnerId)).all();
  for (const { id } of ids) endAllSessionsOfUser(db, id);
}

/** The daily clean-up: needs the database only, never cookie settings. */
export function deleteExpiredSessions(db: DB) {
  deleteExpired(db);
}
