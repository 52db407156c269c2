// Password hashing with argon2id (OWASP's recommended parameters), and the policy check every
// place that sets a password runs (seeded and factory users are hashed directly, not set).
import { hash, verify } from "@node-rs/argon2";
import { programSettings } from "../../db/schema";
import type { DB, Tx } from "../db.server";
import { passwordSchema, passwordWeakness } from "./password-policy";

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export { passwordSchema };

/** A password the policy refuses; the message says what to do and belongs on the password field. */
export class WeakPasswordError extends Error {}

/**
 * Null when `password` may be set for this account; otherwise the message for the field. Checks
 * the length as the forms do, then strength against the account's email and name and the
 * program's name.
 */
export async function checkNewPassword(
  db: Pick<DB | Tx, "select">,
  password: string,
  account: { email: string; name: string | null },
): Promise<string | null> {
  const length = passwordSchema.safeParse(password);
  if (!length.success) return length.error.issues[0].message;
  const program = db.select({ name: programSettings.programName }).from(programSettings).get();
  return passwordWeakness(password, { ...account, programName: program?.name ?? null });
}

export function hashPassword(password: string): Promise<string> {
  // algorithm 2 = Argon2id (the const enum is not importable under isolatedModules)
  return hash(password, { ...ARGON2, algorithm: 2 });
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

// Verified against when the email is unknown, so both answers take the same time.
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
  await verifyPassword(await dummyHash, password);
  return false;
}
