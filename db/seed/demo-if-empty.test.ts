// Seeding an empty demo database at server start, against real migrated SQLite files.
import { afterAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../app/auth/password.server";
import { closeDatabase, type DB } from "../../app/db.server";
import { createTestDatabase } from "../../tests/support/db";
import { createPartner } from "../factories";
import { DEMO_DEFAULTS, DEMO_PASSWORD } from "./demo-accounts";
import { seedDemoIfEmpty } from "./demo-if-empty";

const opened: DB[] = [];
function freshDb(): DB {
  const { db } = createTestDatabase();
  opened.push(db);
  return db;
}
const value = <T = number>(db: DB, query: string) => db.$client.prepare(query).pluck().get() as T;

afterAll(() => {
  for (const db of opened) closeDatabase(db);
});

describe("seedDemoIfEmpty", () => {
  it("seeds the default demo once, and its users sign in with the demo password", async () => {
    const db = freshDb();
    expect(await seedDemoIfEmpty(db)).toBe(true);
    expect(value(db, "SELECT count(*) FROM partners")).toBe(DEMO_DEFAULTS.partners);
    expect(value(db, "SELECT count(*) FROM deals")).toBe(DEMO_DEFAULTS.deals);
    expect(await seedDemoIfEmpty(db)).toBe(false);
    const hash = value<string>(db, "SELECT password_hash FROM users WHERE email = 'admin@demo.test'");
    expect(await verifyPassword(hash, DEMO_PASSWORD)).toBe(true);
  });

  it("does nothing when there are partners", async () => {
    const db = freshDb();
    createPartner(db);
    expect(await seedDemoIfEmpty(db)).toBe(false);
    expect(value(db, "SELECT count(*) FROM partners")).toBe(1);
  });
});
