import { and, count, eq, like } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { auditEvents, customerMrr, deals } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "./audit.server";
import {
  applyMrrImport,
  applyOutcomeImport,
  ImportError,
  mrrTemplate,
  NOTHING_TO_CHANGE,
  outcomeTemplate,
  previewMrrImport,
  previewOutcomeImport,
} from "./imports.server";

const DAY = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const yesterday = day(-1);
const tomorrow = day(1);

let db: DB;
let actor: ReturnType<typeof actorOf>;

beforeEach(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
  actor = actorOf(createUser(db, { role: "partner_manager", email: "mia@vendor.test" }));
});

afterEach(() => closeDatabase(db));

const stageOf = (id: number) => db.select({ stage: deals.stage }).from(deals).where(eq(deals.id, id)).get()!.stage;
const dealOf = (id: number) => db.select().from(deals).where(eq(deals.id, id)).get()!;
const importAudits = () =>
  db.select({ n: count() }).from(auditEvents).where(like(auditEvents.action, "import.%")).get()!.n;

function approvedDeal(domain?: string) {
  const partner = createPartner(db);
  const customer = domain ? createCustomer(db, { name: `${domain} Inc.`, domain }) : createCustomer(db);
  return createDeal(db, { partnerId: partner.id, customerId: customer.id, stage: "approved" });
}

/** The errors of the row on `line` of the preview. */
function errorsOn(preview: { rows: { line: number; errors: string[] }[] }, line: number) {
  const row = preview.rows.find((r) => r.line === line);
  if (!row) throw new Error(`no row on line ${line}`);
  return row.errors.join(" | ");
}

describe("previewOutcomeImport", () => {
  it("accepts a valid file, case-insensitive headers in any order, and writes nothing", () => {
    const a = approvedDeal();
    const b = approvedDeal("globex.com");
    const csv = [
      "Stage,DEAL_ID,Amount,Close_Date,domain,Reason",
      `won,${a.id},"12,500.50",${yesterday},,`,
      `lost,,,${yesterday},https://www.Globex.com/,Went with a competitor`,
    ].join("\r\n");
    const preview = previewOutcomeImport(db, csv);
    expect(preview.errors).toEqual([]);
    expect(preview.valid).toBe(true);
    expect(preview.rows).toMatchObject([
      { line: 2, dealId: a.id, stage: "won", amountCents: 1_250_050, closedOn: yesterday, errors: [] },
      { line: 3, dealId: b.id, domain: "globex.com", stage: "lost", amountCents: null, reason: "Went with a competitor", errors: [] },
    ]);
    expect(stageOf(a.id)).toBe("approved");
    expect(stageOf(b.id)).toBe("approved");
  });

  it("gives each bad row a clear error of its own", () => {
    const ok = approvedDeal();
    const submitted = createDeal(db, { stage: "submitted" });
    const late = createDeal(db, { stage: "approved", submittedAt: new Date(Date.now() - 2 * DAY) });
    createDeal(db, { stage: "approved", customerId: approvedDeal("twice.com").customerId });
    const csv = [
      "deal_id,domain,stage,amount,close_date,reason",
      `999999,,won,100,${yesterday},`, // 2 unknown deal
      `${ok.id},,won,100,2024-02-30,`, // 3 not a calendar date
      `${ok.id},,won,100,${tomorrow},`, // 4 future
      `${ok.id},,won,-100,${yesterday},`, // 5 negative
      `${ok.id},,won,100.125,${yesterday},`, // 6 three decimals
      `${ok.id},,won,,${yesterday},`, // 7 no amount for won
      `,twice.com,won,100,${yesterday},`, // 8 ambiguous domain
      `,nobody.example,won,100,${yesterday},`, // 9 unknown customer
      `${submitted.id},,won,100,${yesterday},`, // 10 not approved
      `${late.id},,won,100,${day(-5)},`, // 11 before submission
      `${ok.id},,lost,,${yesterday},`, // 12 lost without reason
      `${ok.id},,maybe,100,${yesterday},`, // 13 bad stage
      `,,won,100,${yesterday},`, // 14 neither deal_id nor domain
      `${ok.id},,won,100,${yesterday},,stray`, // 15 more cells than the header
    ].join("\n");
    const preview = previewOutcomeImport(db, csv);
    expect(preview.valid).toBe(false);
    expect(preview.errors).toEqual([]);
    expect(errorsOn(preview, 2)).toContain("Deal #999999 does not exist.");
    expect(errorsOn(preview, 3)).toContain('close_date "2024-02-30" is not a date in the form YYYY-MM-DD.');
    expect(errorsOn(preview, 4)).toContain(`close_date ${tomorrow} is in the future`);
    expect(errorsOn(preview, 5)).toContain('amount "-100" is negative.');
    expect(errorsOn(preview, 6)).toContain('amount "100.125" has 3 decimal places');
    expect(errorsOn(preview, 7)).toContain("amount is required for a won deal.");
    expect(errorsOn(preview, 8)).toMatch(/twice\.com has 2 open approved deals \(#\d+, #\d+\): use a deal_id column/);
    expect(errorsOn(preview, 9)).toContain("No customer has the domain nobody.example.");
    expect(errorsOn(preview, 10)).toContain(`Deal #${submitted.id} is submitted; only approved deals can be marked won or lost.`);
    expect(errorsOn(preview, 11)).toContain(`is before deal #${late.id} was submitted`);
    expect(errorsOn(preview, 12)).toContain("reason is required for a lost deal");
    expect(errorsOn(preview, 13)).toContain('stage "maybe" must be won or lost.');
    expect(errorsOn(preview, 14)).toContain("Give a deal_id or a domain");
    expect(errorsOn(preview, 15)).toContain("The row has 7 cells but the header names only 6.");
  });

  it("names unknown columns and refuses the file", () => {
    const a = approvedDeal();
    const preview = previewOutcomeImport(db, `deal_id,stage,amount,close_date,owner,Region\n${a.id},won,1,${yesterday},x,y\n`);
    expect(preview.valid).toBe(false);
    expect(preview.errors.join(" ")).toContain('Unknown columns "owner", "Region"');
    expect(preview.errors.join(" ")).toContain("the columns are deal_id, domain, stage, amount, close_date, reason");
  });

  it("needs a stage, a close date and a way to find the deal", () => {
    const preview = previewOutcomeImport(db, "amount\n1\n");
    expect(preview.errors.join(" ")).toContain("Missing columns stage, close_date.");
    expect(preview.errors.join(" ")).toContain("Add a deal_id or a domain column");
  });

  it("reports an unreadable file with its line", () => {
    const preview = previewOutcomeImport(db, `deal_id,stage,amount,close_date,reason\n1,lost,,${yesterday},"never closed\n`);
    expect(preview.valid).toBe(false);
    expect(preview.errors[0]).toMatch(/^Line 2: .*closing quote/);
  });

  it("ignores a header cell left blank unless a row puts a value under it", () => {
    const a = approvedDeal();
    const b = approvedDeal();
    const preview = previewOutcomeImport(
      db,
      `deal_id,stage,amount,close_date,\n${a.id},won,1,${yesterday},\n${b.id},won,1,${yesterday},oops\n`,
    );
    expect(preview.errors).toEqual([]);
    expect(errorsOn(preview, 2)).toBe("");
    expect(errorsOn(preview, 3)).toBe("Cell 5 has a value but its column has no name in the header.");
  });

  it("refuses the same deal twice in one file", () => {
    const a = approvedDeal();
    const preview = previewOutcomeImport(
      db,
      `deal_id,stage,amount,close_date\n${a.id},won,1,${yesterday}\n${a.id},won,2,${yesterday}\n`,
    );
    expect(errorsOn(preview, 2)).toBe("");
    expect(errorsOn(preview, 3)).toContain(`Deal #${a.id} is already on line 2.`);
  });
});

describe("applyOutcomeImport", () => {
  it("marks the deals won and lost in one go and returns the won ones to notify", () => {
    const a = approvedDeal();
    const b = approvedDeal("initech.com");
    const c = approvedDeal();
    const csv = [
      "deal_id,domain,stage,amount,close_date,reason",
      `${a.id},,won,25000,${yesterday},`,
      `,initech.com,won,999.99,${yesterday},`,
      `${c.id},,lost,,${yesterday},No budget this year`,
    ].join("\n");
    const result = applyOutcomeImport(db, actor, csv);
    expect(result).toEqual({ won: [{ dealId: a.id }, { dealId: b.id }], lost: [{ dealId: c.id }], corrected: [], unchanged: 0 });
    expect(dealOf(a.id)).toMatchObject({ stage: "won", amountCents: 2_500_000, holdsClaim: false });
    expect(dealOf(b.id)).toMatchObject({ stage: "won", amountCents: 99_999 });
    expect(dealOf(c.id)).toMatchObject({ stage: "lost", lostReason: "No budget this year" });
    expect(dealOf(a.id).closedAt!.toISOString().slice(0, 10)).toBe(yesterday);
    const audit = db
      .select({ actorLabel: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "deal"), eq(auditEvents.entityId, String(a.id)), eq(auditEvents.action, "deal.won")))
      .all();
    expect(audit).toEqual([{ actorLabel: "mia@vendor.test (partner_manager)" }]);
    expect(importAudits()).toBe(1);

    // The same export again changes nothing, by deal id or by domain: it is refused as such.
    expect(previewOutcomeImport(db, csv)).toMatchObject({ valid: true, nothingToChange: true });
    expect(() => applyOutcomeImport(db, actor, csv)).toThrow(NOTHING_TO_CHANGE);
    expect(importAudits()).toBe(1);
  });

  it("writes nothing when one row is bad, and says which", () => {
    const a = approvedDeal();
    const b = approvedDeal();
    const csv = `deal_id,stage,amount,close_date\n${a.id},won,100,${yesterday}\n${b.id},won,100,${tomorrow}\n`;
    let thrown: unknown;
    try {
      applyOutcomeImport(db, actor, csv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImportError);
    expect((thrown as ImportError).message).toBe("1 row has errors; nothing was imported.");
    expect(errorsOn((thrown as ImportError).preview, 3)).toContain("is in the future");
    expect(stageOf(a.id)).toBe("approved");
    expect(stageOf(b.id)).toBe("approved");
    expect(importAudits()).toBe(0);
  });

  it("validates again at apply time: a deal decided since the preview blocks the file", () => {
    const a = approvedDeal();
    const csv = `deal_id,stage,amount,close_date\n${a.id},won,100,${yesterday}\n`;
    expect(previewOutcomeImport(db, csv).valid).toBe(true);
    db.update(deals).set({ stage: "expired", holdsClaim: false }).where(eq(deals.id, a.id)).run();
    expect(() => applyOutcomeImport(db, actor, csv)).toThrow(ImportError);
    expect(stageOf(a.id)).toBe("expired");
  });
});

describe("MRR import", () => {
  it("inserts new months and updates existing ones", () => {
    const acme = createCustomer(db, { name: "Acme", domain: "acme.com" });
    const globex = createCustomer(db, { name: "Globex", domain: "globex.com" });
    db.insert(customerMrr).values({ customerId: acme.id, month: "2024-01", mrrCents: 100_00 }).run();
    const csv = "Domain,Month,MRR\nacme.com,2024-01,150.50\nwww.acme.com,2024-02,200\nglobex.com,2024-01,0\n";
    const preview = previewMrrImport(db, csv);
    expect(preview.valid).toBe(true);
    expect(preview.rows).toMatchObject([
      { line: 2, customerId: acme.id, month: "2024-01", mrrCents: 15_050, currentMrrCents: 10_000 },
      { line: 3, customerId: acme.id, month: "2024-02", mrrCents: 20_000, currentMrrCents: null },
      { line: 4, customerId: globex.id, month: "2024-01", mrrCents: 0, currentMrrCents: null },
    ]);
    expect(applyMrrImport(db, actor, csv)).toEqual({ inserted: 2, updated: 1, unchanged: 0 });
    const stored = db
      .select({ customerId: customerMrr.customerId, month: customerMrr.month, mrrCents: customerMrr.mrrCents })
      .from(customerMrr)
      .orderBy(customerMrr.customerId, customerMrr.month)
      .all();
    expect(stored).toEqual([
      { customerId: acme.id, month: "2024-01", mrrCents: 15_050 },
      { customerId: acme.id, month: "2024-02", mrrCents: 20_000 },
      { customerId: globex.id, month: "2024-01", mrrCents: 0 },
    ]);
    expect(() => applyMrrImport(db, actor, csv)).toThrow(NOTHING_TO_CHANGE);
  });

  it("refuses unknown customers, bad months and amounts, and duplicates, writing nothing", () => {
    createCustomer(db, { name: "Acme", domain: "acme.com" });
    const future = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)).toISOString().slice(0, 7);
    const csv = [
      "domain,month,mrr",
      "acme.com,2024-01,10",
      "unknown.example,2024-01,10",
      "acme.com,2024-13,10",
      `acme.com,${future},10`,
      "acme.com,2024-03,-5",
      "acme.com,2024-04,1.999",
      "acme.com,2024-01,11",
    ].join("\n");
    const preview = previewMrrImport(db, csv);
    expect(preview.valid).toBe(false);
    expect(errorsOn(preview, 2)).toBe("");
    expect(errorsOn(preview, 3)).toContain("No customer has the domain unknown.example.");
    expect(errorsOn(preview, 4)).toContain('month "2024-13" is not a month in the form YYYY-MM.');
    expect(errorsOn(preview, 5)).toContain(`month ${future} is in the future`);
    expect(errorsOn(preview, 6)).toContain('mrr "-5" is negative.');
    expect(errorsOn(preview, 7)).toContain('mrr "1.999" has 3 decimal places');
    expect(errorsOn(preview, 8)).toContain("acme.com 2024-01 is already on line 2.");
    expect(() => applyMrrImport(db, actor, csv)).toThrow(ImportError);
    expect(db.select({ n: count() }).from(customerMrr).get()!.n).toBe(0);
  });

  it("names an unknown column", () => {
    const preview = previewMrrImport(db, "domain,month,mrr,arr\nacme.com,2024-01,1,12\n");
    expect(preview.errors.join(" ")).toContain('Unknown column "arr"');
    expect(preview.valid).toBe(false);
  });
});

describe("what the preview says a row changes", () => {
  const closed = new Date(`${day(-10)}T15:00:00Z`);
  function wonDeal(amountCents = 4_000_000, currency = "USD") {
    const partner = createPartner(db);
    const customer = createCustomer(db, { name: "Orbit", domain: "orbit.com" });
    return createDeal(db, {
      partnerId: partner.id,
      customerId: customer.id,
      stage: "won",
      amountCents,
      currency,
      submittedAt: new Date(closed.getTime() - 30 * DAY),
      closedAt: closed,
    });
  }
  const rowOf = (csv: string) => previewOutcomeImport(db, csv).rows[0]!;

  it("a changed amount: changes amount from A to B, in the deal's currency; applying it corrects the deal", () => {
    const d = wonDeal(4_000_000, "EUR");
    const csv = `deal_id,stage,amount,close_date\n${d.id},won,45000.00,${day(-10)}\n`;
    const row = rowOf(csv);
    expect(row).toMatchObject({ unchanged: false, errors: [] });
    expect(row.change).toBe("changes amount from €40,000 to €45,000");
    expect(previewOutcomeImport(db, csv).nothingToChange).toBe(false);
    expect(applyOutcomeImport(db, actor, csv)).toEqual({ won: [], lost: [], corrected: [{ dealId: d.id }], unchanged: 0 });
    expect(dealOf(d.id)).toMatchObject({ stage: "won", amountCents: 4_500_000 });
    expect(rowOf(csv)).toMatchObject({ unchanged: true, change: null });
  });

  it("a changed close date (and amount): both named, with the old and new day", () => {
    const d = wonDeal();
    const row = rowOf(`deal_id,stage,amount,close_date\n${d.id},won,45000,${day(-8)}\n`);
    expect(row.change).toBe(`changes amount from $40,000 to $45,000; close date from ${day(-10)} to ${day(-8)}`);
    const byDomain = rowOf(`domain,stage,amount,close_date\norbit.com,won,40000,${day(-8)}\n`);
    expect(byDomain).toMatchObject({ dealId: d.id, errors: [], change: `changes close date from ${day(-10)} to ${day(-8)}` });
  });

  it("a changed stage: an approved deal marked won says so, with its amount and close date", () => {
    const a = approvedDeal();
    const row = rowOf(`deal_id,stage,amount,close_date\n${a.id},won,12500,${yesterday}\n`);
    expect(row.unchanged).toBe(false);
    expect(row.change).toMatch(new RegExp(`^changes stage from approved to won; amount from \\$[\\d,]+ to \\$12,500; close date to ${yesterday}$`));
  });

  it("a row identical in every imported field is unchanged, and a file of such rows cannot be imported", () => {
    const d = wonDeal();
    const csv = `deal_id,stage,amount,close_date\n${d.id},won,40000.00,${day(-10)}\n`;
    const preview = previewOutcomeImport(db, csv);
    expect(preview.rows[0]).toMatchObject({ unchanged: true, change: null, errors: [] });
    expect(preview).toMatchObject({ valid: true, nothingToChange: true });
    let thrown: unknown;
    try {
      applyOutcomeImport(db, actor, csv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImportError);
    expect((thrown as Error).message).toBe("Nothing to change: every row already matches the portal.");
    expect(importAudits()).toBe(0);
    expect(dealOf(d.id)).toMatchObject({ amountCents: 4_000_000, closedAt: closed });
  });

  it("MRR: changed says from A to B, new says adds, same is unchanged", () => {
    const acme = createCustomer(db, { name: "Acme", domain: "acme.com" });
    db.insert(customerMrr).values([
      { customerId: acme.id, month: "2024-01", mrrCents: 100_000 },
      { customerId: acme.id, month: "2024-02", mrrCents: 120_000 },
    ]).run();
    const preview = previewMrrImport(db, "domain,month,mrr\nacme.com,2024-01,1250\nacme.com,2024-02,1200\nacme.com,2024-03,1300.50\n");
    expect(preview.rows.map((r) => r.change)).toEqual(["changes MRR from $1,000 to $1,250", null, "adds $1,300.50"]);
    expect(preview.nothingToChange).toBe(false);
    const same = "domain,month,mrr\nacme.com,2024-02,1200.00\n";
    expect(previewMrrImport(db, same)).toMatchObject({ valid: true, nothingToChange: true });
    expect(() => applyMrrImport(db, actor, same)).toThrow("Nothing to change: every row already matches the portal.");
    expect(importAudits()).toBe(0);
  });

  it("the templates are accepted by the preview as they are, and change nothing", () => {
    wonDeal();
    const lost = approvedDeal("lost.com");
    db.update(deals).set({ stage: "lost", lostReason: "Chose a competitor, on price", closedAt: new Date(), holdsClaim: false }).where(eq(deals.id, lost.id)).run();
    const acme = createCustomer(db, { name: "Acme", domain: "acme.com" });
    db.insert(customerMrr).values({ customerId: acme.id, month: "2024-01", mrrCents: 100_050 }).run();
    const outcomes = outcomeTemplate(db);
    expect(outcomes.split("\r\n")[0]).toBe("deal_id,domain,stage,amount,close_date,reason");
    expect(previewOutcomeImport(db, outcomes)).toMatchObject({ errors: [], valid: true, nothingToChange: true });
    expect(previewOutcomeImport(db, outcomes).rows).toHaveLength(2);
    const mrr = mrrTemplate(db);
    expect(mrr).toBe("domain,month,mrr\r\nacme.com,2024-01,1000.50\r\n");
    expect(previewMrrImport(db, mrr)).toMatchObject({ errors: [], valid: true, nothingToChange: true });
  });
});
