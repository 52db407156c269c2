// The registration queue's pages against a real migrated SQLite: keyset pages cover every
// waiting registration exactly once forwards and backwards, under each filter; a page's
// conflict summaries agree with each deal's own conflict panel; and a page costs the same
// number of statements whatever its size, the contact-domain check through its index.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createCustomer, createDeal, createPartner, createUser } from "../../db/factories";
import { partners } from "../../db/schema";
import { closeDatabase, type DB } from "../db.server";
import { createTestDatabase } from "../../tests/support/db";
import { conflictPanel, hasConflicts } from "./deal-review.server";
import { decodeCursor, registrationQueuePage, type QueueFilters, type QueuePage } from "./registration-queue.server";

const DAY = 86_400_000;
const NOW = new Date("2026-11-20T12:00:00Z");
let db: DB;
let managerId: string;
let waiting: number[];
let managed: Set<number>;

beforeAll(() => {
  db = createTestDatabase().db;
  managerId = createUser(db, { role: "partner_manager", partnerId: null }).id;
  const mine = createPartner(db, { name: "Managed Partner" });
  db.update(partners).set({ managerId }).where(eq(partners.id, mine.id)).run();
  const other = createPartner(db, { name: "Other Partner" });
  // Conflicts of every kind, among plain registrations.
  const claimed = createCustomer(db, { name: "Claimed Co", domain: "claimed.test" });
  createDeal(db, { customerId: claimed.id, partnerId: other.id, stage: "approved" }, { now: NOW });
  const existing = createCustomer(db, { name: "Existing Co", domain: "existing.test" });
  createDeal(db, { customerId: existing.id, partnerId: other.id, stage: "won" }, { now: NOW });
  const twinA = createCustomer(db, { name: "Twin Holdings", domain: "twin-a.test" });
  createDeal(db, { customerId: twinA.id, partnerId: other.id, stage: "lost" }, { now: NOW });
  const twinB = createCustomer(db, { name: "Twin Holdings Inc", domain: "twin-b.test" });
  const shared = createCustomer(db, { name: "Shared Mail Co", domain: "shared-mail.test" });
  createDeal(db, { customerId: shared.id, partnerId: other.id, stage: "lost", contactEmail: "a@corp-mail.test" }, { now: NOW });
  const conflictCustomers = [claimed.id, existing.id, twinB.id];
  for (let i = 0; i < 47; i++) {
    const partnerId = i % 3 === 0 ? mine.id : other.id;
    const special = i % 9 === 4 ? conflictCustomers[(i / 9) | 0 % conflictCustomers.length] : undefined;
    createDeal(
      db,
      {
        partnerId,
        stage: "submitted",
        holdsClaim: false,
        // Same submission time for several rows: the id breaks the tie.
        submittedAt: new Date(NOW.getTime() - ((50 - Math.floor(i / 2) * 2) * DAY) / 5),
        ...(special ? { customerId: special } : {}),
        ...(i % 11 === 7 ? { contactEmail: `buyer${i}@corp-mail.test` } : {}),
      },
      { now: NOW },
    );
  }
  const all = db.$client
    .prepare(`SELECT d.id, p.manager_id AS m FROM deals d LEFT JOIN partners p ON p.id = d.partner_id WHERE stage = 'submitted' ORDER BY submitted_at, d.id`)
    .all() as { id: number; m: string | null }[];
  waiting = all.map((r) => r.id);
  managed = new Set(all.filter((r) => r.m === managerId).map((r) => r.id));
});
afterAll(() => closeDatabase(db));

function walk(filters: QueueFilters, size: number) {
  const pages: QueuePage[] = [];
  let page = registrationQueuePage(db, filters, {}, NOW, size);
  pages.push(page);
  while (page.next) {
    page = registrationQueuePage(db, filters, { after: decodeCursor(page.next) }, NOW, size);
    pages.push(page);
  }
  return pages;
}

describe("registrationQueuePage", () => {
  it("pages forward over every waiting registration exactly once, oldest first, and back again", () => {
    const pages = walk({}, 10);
    expect(pages.length).toBe(Math.ceil(waiting.length / 10));
    expect(pages.flatMap((p) => p.rows.map((r) => r.id))).toEqual(waiting);
    expect(pages.every((p) => p.rows.length <= 10 && p.total === waiting.length)).toBe(true);
    expect(pages[0]!.prev).toBeNull();
    // Back from the last page: the same pages, in reverse.
    let page = pages[pages.length - 1]!;
    const back = [page.rows.map((r) => r.id)];
    while (page.prev) {
      page = registrationQueuePage(db, {}, { before: decodeCursor(page.prev) }, NOW, 10);
      back.unshift(page.rows.map((r) => r.id));
    }
    expect(back.flat()).toEqual(waiting);
    expect(back).toEqual(pages.map((p) => p.rows.map((r) => r.id)));
  });

  it("agrees with each deal's own conflict panel", () => {
    const rows = walk({}, 50).flatMap((p) => p.rows);
    const conflicted = rows.filter((r) => r.conflicted).length;
    expect(conflicted).toBeGreaterThan(5);
    expect(conflicted).toBeLessThan(rows.length);
    for (const r of rows) expect({ id: r.id, conflicted: r.conflicted }).toEqual({ id: r.id, conflicted: hasConflicts(conflictPanel(db, r.id, NOW)!) });
    expect(rows.some((r) => r.labels.includes("Same contact email domain"))).toBe(true);
    expect(rows.some((r) => r.labels.includes("Existing customer"))).toBe(true);
  });

  it("filters: conflicts only, my partners only, waiting at least N days — each row once", () => {
    const conflicts = walk({ conflictsOnly: true }, 4).flatMap((p) => p.rows);
    const expected = waiting.filter((id) => hasConflicts(conflictPanel(db, id, NOW)!));
    expect(conflicts.map((r) => r.id)).toEqual(expected);
    const mine = walk({ managerId }, 4).flatMap((p) => p.rows.map((r) => r.id));
    expect(mine).toEqual(waiting.filter((id) => managed.has(id)));
    expect(mine.length).toBeGreaterThan(5);
    const old = walk({ minDays: 7 }, 4);
    const oldIds = old.flatMap((p) => p.rows.map((r) => r.id));
    expect(oldIds.length).toBeGreaterThan(0);
    expect(oldIds.length).toBeLessThan(waiting.length);
    expect(oldIds).toEqual(old.flatMap((p) => p.rows).filter((r) => NOW.getTime() - r.submittedAt >= 7 * DAY).map((r) => r.id));
    expect(old[0]!.total).toBe(oldIds.length);
  });

  it("costs the same statements for a page of 5 or of 50, and finds the contact domain through its index", () => {
    const client = db.$client;
    const original = client.prepare.bind(client);
    const count = (size: number) => {
      let n = 0;
      client.prepare = ((sql: string) => {
        n++;
        return original(sql);
      }) as typeof client.prepare;
      try {
        registrationQueuePage(db, {}, {}, NOW, size);
      } finally {
        client.prepare = original;
      }
      return n;
    };
    expect(count(5)).toBe(count(50));
    expect(count(50)).toBeLessThanOrEqual(8);
    const plan = client
      .prepare(
        `EXPLAIN QUERY PLAN SELECT lower(substr(contact_email, instr(contact_email, '@') + 1)) AS domain, min(customer_id), max(customer_id)
           FROM deals WHERE lower(substr(contact_email, instr(contact_email, '@') + 1)) IN (SELECT value FROM json_each('["corp-mail.test"]')) GROUP BY 1`,
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join("\n")).toMatch(/USING (COVERING )?INDEX deals_contact_domain_idx/);
  });

  it("starts over on a cursor it did not write", () => {
    expect(decodeCursor("1;DROP TABLE deals")).toBeNull();
    expect(registrationQueuePage(db, {}, { after: decodeCursor("garbage") }, NOW, 10).rows[0]!.id).toBe(waiting[0]);
  });
});
