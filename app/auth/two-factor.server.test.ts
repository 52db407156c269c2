import { generateHOTP } from "@oslojs/otp";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvents, recoveryCodes, signInFailures, twoFactorCredentials } from "../../db/schema";
import { createTestDatabase, TEST_PASSWORD } from "../../tests/support/db";
import { createWorld, type World } from "../../tests/support/world";
import type { DB } from "../db.server";
import { CODE_LIMIT } from "./throttle.server";
import {
  confirmEnrolment,
  decryptTotpKey,
  disableTwoFactor,
  isStaffTwoFactorRequired,
  mustKeepTwoFactor,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  setStaffTwoFactorRequired,
  startEnrolment,
  twoFactorStatus,
  verifySecondFactor,
} from "./two-factor.server";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);
const step = (at: number) => Math.floor(at / 30_000);
const codeAt = (key: Uint8Array, at: number) => generateHOTP(key, BigInt(step(at)), 6);

let db: DB;
let world: World;
let person: { id: string; email: string; role: string; partnerId: number | null };

beforeEach(async () => {
  db = createTestDatabase().db;
  world = await createWorld(db);
  person = { id: world.adminA.id, email: world.adminA.email, role: "partner_admin", partnerId: world.partnerA.id };
});

/** Enrols `person` at NOW and returns the key and the recovery codes. */
function enrol() {
  const key = startEnrolment(db, SECRET, person.id)!;
  const result = confirmEnrolment(db, SECRET, person, codeAt(key, NOW), NOW);
  if (!result.ok) throw new Error(result.message);
  return { key, codes: result.recoveryCodes };
}

describe("enrolment", () => {
  it("keeps the key encrypted, bound to the user, and turns on only after a right code", () => {
    const key = startEnrolment(db, SECRET, person.id)!;
    expect(startEnrolment(db, SECRET, person.id)).toEqual(key);
    const row = db.select().from(twoFactorCredentials).get()!;
    expect(row.enabledAt).toBeNull();
    expect(row.encryptedKey).not.toContain(Buffer.from(key).toString("base64url"));
    expect(decryptTotpKey(SECRET, person.id, row.encryptedKey)).toEqual(key);
    expect(() => decryptTotpKey("another-secret-that-is-long-enough-000000", person.id, row.encryptedKey)).toThrow();
    expect(() => decryptTotpKey(SECRET, world.userA.id, row.encryptedKey)).toThrow();

    const wrong = confirmEnrolment(db, SECRET, person, "000000" === codeAt(key, NOW) ? "111111" : "000000", NOW);
    expect(wrong).toMatchObject({ ok: false, status: 400 });
    expect(twoFactorStatus(db, person.id).enabled).toBe(false);

    const right = confirmEnrolment(db, SECRET, person, codeAt(key, NOW), NOW);
    expect(right.ok).toBe(true);
    expect(twoFactorStatus(db, person.id)).toMatchObject({ enabled: true, recoveryCodesLeft: RECOVERY_CODE_COUNT });
    expect(startEnrolment(db, SECRET, person.id)).toBeNull();
    const audit = db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, person.id)).all();
    expect(audit.map((a) => a.action)).toContain("user.two_factor_enabled");
  });

  it("gives ten distinct recovery codes and stores only their hashes", () => {
    const { codes } = enrol();
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    const stored = db.select().from(recoveryCodes).all();
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    const dump = JSON.stringify(stored);
    for (const code of codes) expect(dump).not.toContain(code.replace("-", ""));
  });
});

describe("verifySecondFactor", () => {
  it("accepts the current code once and refuses it (and older ones) afterwards", () => {
    const { key } = enrol();
    const later = NOW + 60_000;
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, later), later)).toEqual({ ok: true, method: "authenticator" });
    const replay = verifySecondFactor(db, SECRET, person.id, codeAt(key, later), later);
    expect(replay).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("already used") });
    // The previous step is within the drift window but older than the one used: refused too.
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, later - 30_000), later).ok).toBe(false);
  });

  it("refuses the code that confirmed the enrolment", () => {
    const { key } = enrol();
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, NOW), NOW).ok).toBe(false);
  });

  it("allows one step of clock drift either way, not more", () => {
    const { key } = enrol();
    const at = NOW + 10 * 60_000;
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, at + 30_000), at).ok).toBe(true);
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, at + 120_000), at).ok).toBe(false);
  });

  it("accepts each recovery code once, whatever its case and spacing", () => {
    const { codes } = enrol();
    const typed = ` ${codes[3].toUpperCase().replace("-", " ")} `;
    expect(verifySecondFactor(db, SECRET, person.id, typed, NOW)).toEqual({ ok: true, method: "recovery" });
    expect(verifySecondFactor(db, SECRET, person.id, codes[3], NOW)).toMatchObject({ ok: false, status: 400 });
    expect(twoFactorStatus(db, person.id).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT - 1);
    expect(verifySecondFactor(db, SECRET, person.id, codes[4], NOW).ok).toBe(true);
  });

  it("throttles wrong codes per user, before checking, with a clear wait", () => {
    const { key, codes } = enrol();
    for (let i = 0; i < CODE_LIMIT; i++) {
      expect(verifySecondFactor(db, SECRET, person.id, "abcde-fghij", NOW).ok).toBe(false);
    }
    const blocked = verifySecondFactor(db, SECRET, person.id, codes[0], NOW);
    expect(blocked).toMatchObject({ ok: false, status: 429, message: expect.stringMatching(/Try again in 1[45] minutes\./) });
    // The blocked attempt did not spend the recovery code.
    expect(twoFactorStatus(db, person.id).recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT);
    db.delete(signInFailures).run();
    expect(verifySecondFactor(db, SECRET, person.id, codeAt(key, NOW + 30_000), NOW + 30_000).ok).toBe(true);
  });

  it("is refused for a user without two-factor", () => {
    expect(verifySecondFactor(db, SECRET, world.userA.id, "123456", NOW).ok).toBe(false);
  });
});

describe("changes that need the password", () => {
  it("turns off only with the right password, and then the codes stop working", async () => {
    const { codes } = enrol();
    expect(await disableTwoFactor(db, person, "not-my-password", "127.0.0.1")).toMatchObject({ ok: false, status: 400 });
    expect(twoFactorStatus(db, person.id).enabled).toBe(true);
    expect(await disableTwoFactor(db, person, TEST_PASSWORD, "127.0.0.1")).toEqual({ ok: true });
    expect(twoFactorStatus(db, person.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(verifySecondFactor(db, SECRET, person.id, codes[0], NOW).ok).toBe(false);
  });

  it("replaces the recovery codes with the password", async () => {
    const { codes } = enrol();
    const result = await regenerateRecoveryCodes(db, person, TEST_PASSWORD, "127.0.0.1");
    if (!result.ok) throw new Error(result.message);
    expect(result.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(verifySecondFactor(db, SECRET, person.id, codes[0], NOW).ok).toBe(false);
    expect(verifySecondFactor(db, SECRET, person.id, result.recoveryCodes[0], NOW).ok).toBe(true);
  });

  it("keeps staff from turning it off while the program requires it", async () => {
    const admin = { id: world.admin.id, email: world.admin.email, role: "admin", partnerId: null };
    expect(isStaffTwoFactorRequired(db)).toBe(false);
    setStaffTwoFactorRequired(db, admin, true);
    expect(isStaffTwoFactorRequired(db)).toBe(true);
    expect(mustKeepTwoFactor(db, admin)).toBe(true);
    expect(mustKeepTwoFactor(db, person)).toBe(false);
    person = admin;
    enrol();
    expect(await disableTwoFactor(db, admin, TEST_PASSWORD, "127.0.0.1")).toMatchObject({ ok: false, status: 403 });
    expect(twoFactorStatus(db, admin.id).enabled).toBe(true);
  });
});
