// The connection's prepared-statement cache: a query's SQL is compiled once and its statement
// reused, always in its default result mode, and never shared while it is still being iterated.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { partners } from "../db/schema";
import { createPartner } from "../db/factories";
import { createTestDatabase } from "../tests/support/db";

describe("prepared statements", () => {
  it("are compiled once per SQL text and reused", () => {
    const { db } = createTestDatabase();
    const sql = "select count(*) as n from partners";
    const first = db.$client.prepare(sql);
    expect(db.$client.prepare(sql)).toBe(first);
    expect(db.$client.prepare(`${sql} where id > 0`)).not.toBe(first);
  });

  it("come back in their default mode after drizzle read raw rows with them", () => {
    const { db } = createTestDatabase();
    const partner = createPartner(db, { name: "Cached Statements Ltd", slug: "cached" });
    // drizzle's select maps raw rows; the same SQL run through the plain client must get objects.
    const query = db.select({ id: partners.id, name: partners.name }).from(partners).where(eq(partners.id, partner.id));
    expect(query.all()).toEqual([{ id: partner.id, name: "Cached Statements Ltd" }]);
    const { sql, params } = query.toSQL();
    expect(db.$client.prepare(sql).get(...params)).toEqual({ id: partner.id, name: "Cached Statements Ltd" });
    expect(query.all()).toEqual([{ id: partner.id, name: "Cached Statements Ltd" }]);
  });

  it("are not shared while one is being iterated", () => {
    const { db } = createTestDatabase();
    createPartner(db, { name: "One", slug: "one" });
    createPartner(db, { name: "Two", slug: "two" });
    const sql = "select slug from partners order by slug";
    const outer = db.$client.prepare(sql);
    const seen: string[] = [];
    for (const row of outer.iterate() as Iterable<{ slug: string }>) {
      const inner = db.$client.prepare(sql);
      expect(inner).not.toBe(outer);
      seen.push(`${row.slug}:${(inner.all() as { slug: string }[]).length}`);
    }
    expect(seen).toEqual(["one:2", "two:2"]);
    expect(db.$client.prepare(sql)).toBe(outer);
  });
});
