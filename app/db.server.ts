// The SQLite connection: one per process and database file, with the pragmas every
// connection needs and a cache of prepared statements. Write transactions go through `writeTransaction` so they BEGIN IMMEDIATE
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

/** The better-sqlite3 connection under a drizzle database or transaction (same connection). */
export function sqliteOf(db: DB | Tx | Pick<DB, "select">): Database.Database {
  const anyDb = db as unknown as { $client?: Database.Database; session?: { client: Database.Database } };
  const client = anyDb.$client ?? anyDb.session?.client;
  if (!client) throw new Error("no SQLite connection behind this database handle");
  return client;
}

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
  cachePreparedStatements(sqlite);
  return wrap(sqlite);
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * drizzle prepares every query it runs, each time: a page's loaders used to compile the same
 * dozen statements on every request (7% of a dashboard's CPU). The connection keeps the
 * most recently used statements by their SQL text and hands one back reset to its default
 * result mode (drizzle switches a statement to raw rows for its own mapping); one still being
 * iterated is never shared, a fresh one is prepared instead.
 */
export function cachePreparedStatements(sqlite: Database.Database, size = STATEMENT_CACHE_SIZE) {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      // Most recently used last: the first entry is the one to drop when full.
      cache.delete(source);
      cache.set(source, cached);
      if (cached.reader) cached.raw(false).pluck(false).expand(false);
      return cached;
    }
    const statement = prepare(source);
    if (!cached) {
      cache.set(source, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as Database.Database["prepare"];
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
