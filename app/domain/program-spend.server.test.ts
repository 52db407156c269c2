// Program spend against a real database: the form replaces a month's category, the CSV import
// previews every row and applies all or nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, ensureDefaultProgram } from "../../db/factories";
import { programSpend } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "./audit.server";
import { ImportError } from "./imports.server";
import { applySpendImport, previewSpendImport, recordSpend, SpendError, spendByMonth } from "./program-spend.server";

const NOW = new Date("2026-07-10T08:00:00Z");
let db: DB;
beforeAll(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
});
afterAll(() => closeDatabase(db));

describe("program spend", () => {
  it("records by form, replacing the same month and category, and refuses bad input with what to fix", () => {
    const admin = actorOf(createUser(db, { role: "admin" }));
    recordSpend(db, admin, { month: "2026-05", category: "team", amount: "30,000", note: "" }, NOW);
    recordSpend(db, admin, { month: "2026-05", category: "team", amount: "31000.50", note: "raise" }, NOW);
    expect(db.select().from(programSpend).all().map((r) => [r.month, r.category, r.amountCents])).toEqual([["2026-05", "team", 3_100_050]]);
    try {
      recordSpend(db, admin, { month: "2026-13", category: "parties", amount: "-4", note: "" }, NOW);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpendError);
      expect((e as SpendError).problems).toEqual({
        month: expect.stringMatching(/not a month in the form YYYY-MM/),
        category: "Choose a category.",
        amount: expect.stringMatching(/negative/),
      });
    }
  });

  it("previews a CSV row by row and applies all or nothing", () => {
    const admin = actorOf(createUser(db, { role: "admin" }));
    const bad = "month,category,amount\n2026-05,team,31000.50\n2026-06,commissions,1.234\n2026-09,tools,5\n";
    const preview = previewSpendImport(db, bad, NOW);
    expect(preview.valid).toBe(false);
    expect(preview.rows.map((r) => r.errors.length)).toEqual([0, 1, 1]);
    expect(preview.rows[1]!.errors[0]).toMatch(/3 decimal places/);
    expect(preview.rows[2]!.errors[0]).toMatch(/in the future/);
    expect(() => applySpendImport(db, admin, bad, NOW)).toThrow(ImportError);

    const good = "month,category,amount,note\n2026-05,team,31000.50,\n2026-06,commissions,1234,\n2026-06,direct_sales_marketing,90000,paid search\n";
    const ok = previewSpendImport(db, good, NOW);
    expect(ok.rows.map((r) => r.change)).toEqual([null, "adds $1,234", "adds $90,000"]);
    expect(applySpendImport(db, admin, good, NOW)).toEqual({ changed: 2, unchanged: 1 });
    expect(spendByMonth(db, "2026-05", "2026-07")).toEqual(
      new Map([
        ["2026-05", { partner: 3_100_050, direct: 0 }],
        ["2026-06", { partner: 123_400, direct: 9_000_000 }],
      ]),
    );
  });
});
