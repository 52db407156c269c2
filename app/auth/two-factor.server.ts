// Two-factor sign-in with a TOTP authenticator (RFC 6238: 6 digits, 30-second steps) and ten
// single-use recovery codes. Owns enrolment (an unconfirmed key until a first code proves the
// app has it), checking a second-factor code (throttled per user; a code is never accepted twice,
// so one seen over a shoulder or in a log is useless), turning it off (password required), and
// the program's "required for staff" setting.
//
// The TOTP key is stored AES-256-GCM encrypted with a key derived from APP_SECRET and bound to
// the user id, so a copy of the database alone cannot produce codes; recovery codes are kept as
// SHA-256 digests only. Neither is ever logged, listed or exported; the key is shown (as a QR
// code and as text) only while enrolling.
import { encodeBase32UpperCaseNoPadding, encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { renderSVG } from "uqr";
import { programSettings, recoveryCodes, twoFactorCredentials, users } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";
import { actorOf, recordAudit } from "../domain/audit.server";
import { verifyPassword } from "./password.server";
import { clearCodeFailures, releaseAttempt, reserveCodeAttempt, reserveSignInAttempt, tryAgainIn } from "./throttle.server";
import { hashToken } from "./tokens.server";

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;

type Person = { id: string; email: string; role: string; partnerId: number | null };

// ---- the stored key -----------------------------------------------------------------------

function encryptionKey(appSecret: string) {
  return createHash("sha256").update(`partner-portal two-factor key v1\0${appSecret}`).digest();
}

export function encryptTotpKey(appSecret: string, userId: string, key: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(appSecret), iv);
  cipher.setAAD(Buffer.from(userId));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export function decryptTotpKey(appSecret: string, userId: string, stored: string): Uint8Array {
  const [version, iv, tag, body] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new Error("Unreadable two-factor key.");
  const decipher = createDecipheriv("aes-256-gcm", encryptionKey(appSecret), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(userId));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]));
}

// ---- status -------------------------------------------------------------------------------

/** For team lists: whether the user in the row has two-factor sign-in turned on. */
export const hasTwoFactorColumn = sql<number>`exists (select 1 from ${twoFactorCredentials} where ${twoFactorCredentials.userId} = ${users.id} and ${twoFactorCredentials.enabledAt} is not null)`.mapWith(
  Boolean,
);

export function twoFactorStatus(db: DB, userId: string) {
  const credential = db
    .select({ enabledAt: twoFactorCredentials.enabledAt })
    .from(twoFactorCredentials)
    .where(eq(twoFactorCredentials.userId, userId))
    .get();
  const left = db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .get()!.n;
  return {
    enabled: Boolean(credential?.enabledAt),
    enabledAt: credential?.enabledAt ?? null,
    enrolling: Boolean(credential && !credential.enabledAt),
    recoveryCodesLeft: left,
  };
}

export function isTwoFactorEnabled(db: DB, userId: string) {
  return twoFactorStatus(db, userId).enabled;
}

export function isStaffTwoFactorRequired(db: DB): boolean {
  return db.select({ r: programSettings.requireStaffTwoFactor }).from(programSettings).get()?.r ?? false;
}

export function setStaffTwoFactorRequired(db: DB, admin: Person, required: boolean) {
  writeTransaction(db, (tx) => {
    tx.insert(programSettings).values({ id: 1 }).onConflictDoNothing().run();
    const before = tx.select({ r: programSettings.requireStaffTwoFactor }).from(programSettings).get()!.r;
    tx.update(programSettings).set({ requireStaffTwoFactor: required, updatedAt: new Date() }).where(eq(programSettings.id, 1)).run();
    recordAudit(tx, {
      actor: actorOf(admin),
      action: "settings.staff_two_factor",
      entityType: "program_settings",
      entityId: 1,
      before: { requireStaffTwoFactor: before },
      after: { requireStaffTwoFactor: required },
    });
  });
}

/** Staff must keep two-factor on once the program requires it. */
export function mustKeepTwoFactor(db: DB, person: { role: string }) {
  return (person.role === "admin" || person.role === "partner_manager") && isStaffTwoFactorRequired(db);
}

// ---- enrolment ----------------------------------------------------------------------------

/**
 * The key being enrolled: the unconfirmed one already there, or a new one. Never for a user
 * who already has two-factor on (returns null).
 */
export function startEnrolment(db: DB, appSecret: string, userId: string): Uint8Array | null {
  return writeTransaction(db, (tx) => {
    const existing = tx.select().from(twoFactorCredentials).where(eq(twoFactorCredentials.userId, userId)).get();
    if (existing?.enabledAt) return null;
    if (existing) return decryptTotpKey(appSecret, userId, existing.encryptedKey);
    const key = new Uint8Array(randomBytes(20));
    tx.insert(twoFactorCredentials).values({ userId, encryptedKey: encryptTotpKey(appSecret, userId, key) }).run();
    return key;
  });
}

/** What the enrolment screen shows: a QR code of the otpauth:// URI and the key as text. */
export function enrolmentDetails(key: Uint8Array, issuer: string, accountName: string) {
  const uri = createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_S, TOTP_DIGITS);
  return {
    qrSvg: renderSVG(uri, { pixelSize: 5, border: 2 }),
    manualKey: encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, "$1 "),
  };
}

export type CodeResult =
  | { ok: true; method: "authenticator" | "recovery" }
  | { ok: false; status: 400 | 429; message: string };

const WRONG_CODE =
  "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.";

/** The 30-second step whose code `code` is (now, or one step either side for clock drift). */
function matchingStep(key: Uint8Array, code: string, now: number): number | null {
  const current = Math.floor(now / 1000 / TOTP_PERIOD_S);
  for (const step of [current, current - 1, current + 1]) {
    const expected = generateHOTP(key, BigInt(step), TOTP_DIGITS);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return step;
  }
  return null;
}

/** Accepts `step` for the user unless it (or a later one) was already used: no replays. */
function claimStep(db: Pick<DB, "update">, userId: string, step: number): boolean {
  const result = db
    .update(twoFactorCredentials)
    .set({ lastUsedStep: step })
    .where(
      and(
        eq(twoFactorCredentials.userId, userId),
        sql`(${twoFactorCredentials.lastUsedStep} is null or ${twoFactorCredentials.lastUsedStep} < ${step})`,
      ),
    )
    .run();
  return result.changes === 1;
}

const normalizeCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = encodeBase32LowerCaseNoPadding(randomBytes(7)).slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

function replaceRecoveryCodes(tx: Pick<DB, "insert" | "delete">, userId: string): string[] {
  const codes = newRecoveryCodes();
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  tx.insert(recoveryCodes)
    .values(codes.map((c) => ({ userId, codeHash: hashToken(normalizeCode(c)) })))
    .run();
  return codes;
}

function throttled(db: DB, userId: string) {
  const reservation = reserveCodeAttempt(db, userId);
  if (reservation.ok) return null;
  return {
    ok: false as const,
    status: 429 as const,
    message: `Too many wrong codes. ${tryAgainIn(reservation.retryAfterMs)}`,
  };
}

/**
 * Turns two-factor on once `code` shows the authenticator has the key; returns the ten recovery
 * codes, the only time they exist in clear.
 */
export function confirmEnrolment(
  db: DB,
  appSecret: string,
  person: Person,
  code: string,
  now = Date.now(),
): { ok: true; recoveryCodes: string[] } | { ok: false; status: 400 | 409 | 429; message: string } {
  const credential = db.select().from(twoFactorCredentials).where(eq(twoFactorCredentials.userId, person.id)).get();
  if (!credential) return { ok: false, status: 409, message: "Start the set-up again: no authenticator is being set up." };
  if (credential.enabledAt) return { ok: false, status: 409, message: "Two-factor sign-in is already on." };
  const refused = throttled(db, person.id);
  if (refused) return refused;
  const normalized = normalizeCode(code);
  const step = /^\d{6}$/.test(normalized)
    ? matchingStep(decryptTotpKey(appSecret, person.id, credential.encryptedKey), normalized, now)
    : null;
  if (step === null) {
    return {
      ok: false,
      status: 400,
      message: "That code is not right. Enter the 6-digit code your authenticator app shows now for this account.",
    };
  }
  const codes = writeTransaction(db, (tx) => {
    tx.update(twoFactorCredentials)
      .set({ enabledAt: new Date(now), lastUsedStep: step })
      .where(eq(twoFactorCredentials.userId, person.id))
      .run();
    recordAudit(tx, {
      actor: actorOf(person),
      action: "user.two_factor_enabled",
      entityType: "user",
      entityId: person.id,
      partnerId: person.partnerId,
    });
    return replaceRecoveryCodes(tx, person.id);
  });
  clearCodeFailures(db, person.id);
  return { ok: true, recoveryCodes: codes };
}

/** The second step of signing in: a current authenticator code or an unused recovery code. */
export function verifySecondFactor(db: DB, appSecret: string, userId: string, code: string, now = Date.now()): CodeResult {
  const credential = db.select().from(twoFactorCredentials).where(eq(twoFactorCredentials.userId, userId)).get();
  if (!credential?.enabledAt) return { ok: false, status: 400, message: "Two-factor sign-in is not on for this account." };
  const refused = throttled(db, userId);
  if (refused) return refused;
  const normalized = normalizeCode(code);
  if (/^\d{6}$/.test(normalized)) {
    const step = matchingStep(decryptTotpKey(appSecret, userId, credential.encryptedKey), normalized, now);
    if (step === null) return { ok: false, status: 400, message: WRONG_CODE };
    if (!claimStep(db, userId, step)) {
      return {
        ok: false,
        status: 400,
        message: "That code was already used. Wait for the next code in your authenticator app and enter that one.",
      };
    }
    clearCodeFailures(db, userId);
    return { ok: true, method: "authenticator" };
  }
  const used = db
    .update(recoveryCodes)
    .set({ usedAt: new Date(now) })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashToken(normalized)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .run();
  if (used.changes !== 1) return { ok: false, status: 400, message: WRONG_CODE };
  clearCodeFailures(db, userId);
  return { ok: true, method: "recovery" };
}

// ---- changes that need the password -------------------------------------------------------

type PasswordCheck = { ok: true } | { ok: false; status: 400 | 403 | 429; message: string };

/** The same throttle as sign-in: guessing the password here is as good as guessing it there. */
async function checkPassword(db: DB, person: Person, password: string, ip: string): Promise<PasswordCheck> {
  const reservation = reserveSignInAttempt(db, person.email, ip);
  if (!reservation.ok) {
    return { ok: false, status: 429, message: `Too many wrong passwords. ${tryAgainIn(reservation.retryAfterMs)}` };
  }
  const row = db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, person.id)).get();
  if (!row?.hash || !(await verifyPassword(row.hash, password))) {
    return { ok: false, status: 400, message: "That is not your current password." };
  }
  releaseAttempt(db, reservation);
  return { ok: true };
}

export async function disableTwoFactor(db: DB, person: Person, password: string, ip: string): Promise<PasswordCheck> {
  if (mustKeepTwoFactor(db, person)) {
    return {
      ok: false,
      status: 403,
      message: "The program requires two-factor sign-in for staff, so it cannot be turned off.",
    };
  }
  const check = await checkPassword(db, person, password, ip);
  if (!check.ok) return check;
  writeTransaction(db, (tx) => {
    tx.delete(twoFactorCredentials).where(eq(twoFactorCredentials.userId, person.id)).run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, person.id)).run();
    recordAudit(tx, {
      actor: actorOf(person),
      action: "user.two_factor_disabled",
      entityType: "user",
      entityId: person.id,
      partnerId: person.partnerId,
    });
  });
  return { ok: true };
}

/** Ten new recovery codes in place of the old ones (used or not). */
export async function regenerateRecoveryCodes(
  db: DB,
  person: Person,
  password: string,
  ip: string,
): Promise<{ ok: true; recoveryCodes: string[] } | Exclude<PasswordCheck, { ok: true }>> {
  if (!isTwoFactorEnabled(db, person.id)) return { ok: false, status: 400, message: "Two-factor sign-in is not on." };
  const check = await checkPassword(db, person, password, ip);
  if (!check.ok) return check;
  const codes = writeTransaction(db, (tx) => {
    recordAudit(tx, {
      actor: actorOf(person),
      action: "user.recovery_codes_replaced",
      entityType: "user",
      entityId: person.id,
      partnerId: person.partnerId,
    });
    return replaceRecoveryCodes(tx, person.id);
  });
  return { ok: true, recoveryCodes: codes };
}

/** Drops an enrolment that was started but never confirmed. */
export function cancelEnrolment(db: DB, userId: string) {
  db.delete(twoFactorCredentials)
    .where(and(eq(twoFactorCredentials.userId, userId), isNull(twoFactorCredentials.enabledAt)))
    .run();
}

