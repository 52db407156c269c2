// Email + password sign-in. An unknown email and a wrong password get the same answer in
// the same time; throttling answers before any password is checked.
import { eq } from "drizzle-orm";
import { partners, users } from "../../db/schema";
import type { DB } from "../db.server";
import { verifyAgainstDummy, verifyPassword } from "./password.server";
import { startSession, type AuthSettings } from "./session.server";
import { clearAccountFailures, recordSignInFailure, signInBlockedFor } from "./throttle.server";

export const BAD_CREDENTIALS = "That email and password do not match an account.";

export type SignInResult =
  | { ok: true; cookie: string; role: string }
  | { ok: false; status: 401 | 403 | 429; message: string };

export function normalizeEmail(email: string) {
  return email.trim().toLowerCase();
}

export async function signIn(
  db: DB,
  settings: AuthSettings,
  input: { email: string; password: string; ip: string },
): Promise<SignInResult> {
  const email = normalizeEmail(input.email);
  const waitMs = signInBlockedFor(db, email, input.ip);
  if (waitMs > 0) {
    const minutes = Math.max(1, Math.ceil(waitMs / 60000));
    return {
      ok: false,
      status: 429,
      message: `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
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
  if (!user || !valid) {
    recordSignInFailure(db, email, input.ip);
    return { ok: false, status: 401, message: BAD_CREDENTIALS };
  }
  clearAccountFailures(db, email);
  if (user.disabledAt || (user.partnerStatus && user.partnerStatus !== "active")) {
    return {
      ok: false,
      status: 403,
      message: "This account is disabled. Ask your administrator to re-enable it.",
    };
  }
  return { ok: true, cookie: await startSession(db, settings, user.id), role: user.role };
}
