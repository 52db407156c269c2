// The SQLite connection: one per process and database file, with the pragmas every
// connection needs. Write transactions go through `writeTransaction` so they BEGIN IMMEDIATE
// and take the write lock up front instead of failing with SQLITE_BUSY half-way.
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "../db/schema";

export type DB = ReturnType<typeof wrap>;
export type Tx = Parameters<Parameters<DB["transaction"]>[0]>[0];

function wrap(sqlite: Database.Database) {
  return drizzle(sqlite, { schema });
}

export const MIGRATIONS_FOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../db/migrations",
);

export function openDatabase(file: string, options: { readonly?: boolean } = {}): DB {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, { readonly: options.readonly ?? false });
  if (!options.readonly) sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = FULL");
  return wrap(sqlite);
}

export function runMigrations(db: DB) {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

export function closeDatabase(db: DB) {
  db.$client.close();
}

export function writeTransaction<T>(db: DB, fn: (tx: Tx) => T): T {
  return db.transaction(fn, { behavior: "immediate" });
}
