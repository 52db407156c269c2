// The memo's keys against a real migrated SQLite: the partners version moves with every write
// to partners (migration 0020's triggers), from any connection, and nothing read inside a
// transaction is remembered.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPartner } from "../../db/factories";
import { partners } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, openDatabase, sqliteOf, type DB } from "../db.server";
import { memoized, tableVersion } from "./memo.server";

let db: DB;
let file: string;

beforeEach(() => {
  ({ db, file } = createTestDatabase());
});

afterEach(() => closeDatabase(db));

describe("tableVersion('partners')", () => {
  it("moves on every insert, update and delete, whichever connection writes", () => {
    const seen = [tableVersion(db, "partners")];
    const partner = createPartner(db);
    seen.push(tableVersion(db, "partners"));
    db.update(partners).set({ name: "Renamed Partner" }).where(eq(partners.id, partner.id)).run();
    seen.push(tableVersion(db, "partners"));
    const other = openDatabase(file);
    try {
      other.update(partners).set({ status: "suspended" }).where(eq(partners.id, partner.id)).run();
    } finally {
      closeDatabase(other);
    }
    seen.push(tableVersion(db, "partners"));
    db.delete(partners).where(eq(partners.id, partner.id)).run();
    seen.push(tableVersion(db, "partners"));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe("memoized", () => {
  it("computes once per key and again when the key moves", () => {
    const c = sqliteOf(db);
    let calls = 0;
    const names = () => memoized(c, "names", tableVersion(db, "partners"), () => (calls++, db.select().from(partners).all().map((p) => p.name)));
    createPartner(db, { name: "First Partner" });
    expect(names()).toEqual(["First Partner"]);
    expect(names()).toEqual(["First Partner"]);
    expect(calls).toBe(1);
    createPartner(db, { name: "Second Partner" });
    expect(names()).toEqual(["First Partner", "Second Partner"]);
    expect(calls).toBe(2);
  });

  it("remembers nothing read inside a transaction, which may yet be rolled back", () => {
    const c = sqliteOf(db);
    const names = () => memoized(c, "names", tableVersion(db, "partners"), () => db.select().from(partners).all().map((p) => p.name));
    createPartner(db, { name: "Kept Partner" });
    const rollback = new Error("rolled back");
    expect(() =>
      db.transaction((tx) => {
        createPartner(tx as unknown as DB, { name: "Rolled Back Partner" });
        expect(names()).toEqual(["Kept Partner", "Rolled Back Partner"]);
        throw rollback;
      }),
    ).toThrow(rollback);
    // The rollback took the version back too; the same version must not answer with that read.
    createPartner(db, { name: "Committed Partner" });
    expect(names()).toEqual(["Kept Partner", "Committed Partner"]);
  });
});
