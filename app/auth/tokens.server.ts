// Random secrets handed to a browser or an inbox (session cookies, invitation and reset links)
// and the SHA-256 digests that are all the database ever keeps of them; also lucia-style user
// ids, so code outside app/auth (the factories) gets them without importing lucia.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { generateIdFromEntropySize } from "lucia";
import { randomBytes } from "node:crypto";

export function generateToken(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(20));
}

export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** A random user id the way lucia makes them: 10 bytes of entropy, 16 base32 characters. */
export function generateUserId(): string {
  return generateIdFromEntropySize(10);
}
