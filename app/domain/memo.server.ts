// Per-connection memos of figures derived from slowly changing tables, and the version keys
// they are checked against. A memo entry is reused only while its key is === the current one;
// keys are versions the database itself keeps (table_versions, bumped by triggers on every
// write; rollup_months, bumped in each rollup change's transaction), so a write through any
// process invalidates it. docs/operations.md, "Caches".
import type Database from "better-sqlite3";
import { sqliteOf, type DB, type Tx } from "../db.server";

const memo = new WeakMap<Database.Database, Map<string, { key: unknown; value: unknown }>>();

/** This connection's memo entries, slot → { key, value }. */
export function connectionMemo(c: Database.Database): Map<string, { key: unknown; value: unknown }> {
  let cache = memo.get(c);
  if (!cache) memo.set(c, (cache = new Map()));
  return cache;
}

/**
 * `compute()` once per value of `key` (compared with ===: a string, or the object a result was
 * derived from). Inside a transaction it always computes and remembers nothing: what it reads
 * there may yet be rolled back, and the version it read would then be reused by the next write.
 */
export function memoized<T>(c: Database.Database, slot: string, key: unknown, compute: () => T): T {
  if (c.inTransaction) return compute();
  const cache = connectionMemo(c);
  const hit = cache.get(slot);
  if (hit && hit.key === key) return hit.value as T;
  const value = compute();
  cache.set(slot, { key, value });
  return value;
}

/** Forgets every memoized figure of this connection (benchmarks measure the cold path with it). */
export function clearMemo(c: Database.Database) {
  memo.delete(c);
}

/** The version of `table` (migration 0020's triggers bump it on every insert, update and delete). */
export function tableVersion(db: DB | Tx | Database.Database, table: "partners"): number {
  const c = "prepare" in db ? db : sqliteOf(db);
  return c.prepare(`SELECT version FROM table_versions WHERE name = ?`).pluck().get(table) as number;
}
