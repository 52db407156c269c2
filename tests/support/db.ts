// A fresh migrated SQLite database for a test file: a copy of the template the global setup
// migrated once. Real SQLite, real constraints, no mocks.
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { openDatabase, type DB } from "../../app/db.server";

let counter = 0;

export function createTestDatabase(): { db: DB; file: string } {
  const template = inject("templateDb");
  const file = path.join(
    inject("tmpDir"),
    `test-${process.pid}-${Date.now()}-${counter++}.db`,
  );
  fs.copyFileSync(template, file);
  return { db: openDatabase(file), file };
}

/** argon2 is slow on purpose; tests hash the shared test password once per process. */
let hashed: Promise<string> | undefined;
export const TEST_PASSWORD = "correct-horse-battery";
export async function testPasswordHash() {
  const { hashPassword } = await import("../../app/auth/password.server");
  hashed ??= hashPassword(TEST_PASSWORD);
  return hashed;
}
