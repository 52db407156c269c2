// Password hashing with argon2id (OWASP's recommended parameters).
import { hash, verify } from "@node-rs/argon2";

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export { passwordSchema } from "./password-policy";

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
