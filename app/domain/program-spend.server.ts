// Program spend (docs/domain.md "Cost and return"): what the program and direct sales cost, by
// month and category, recorded by an admin one line at a time or from a CSV with the same
// upload → preview → confirm design as the outcome imports (imports.server.ts). One row per
// month and category: recording it again replaces the amount. Amounts are cents in the
// program's reporting currency. MDF is not recorded here: paid claims are its spend.
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import { programSpend, SPEND_CATEGORIES, type SpendCategory } from "../../db/schema";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { recordAudit, type Actor } from "./audit.server";
import { formatMoney } from "./format";
import { cell, finish, ImportError, parseDecimalCents, readTable, strayCells, type ImportPreview } from "./imports.server";
import { programCurrency } from "./program-settings.server";

export { SPEND_CATEGORY_INFO, type SpendChannel } from "./program-spend";
import { SPEND_CATEGORY_INFO, type SpendChannel } from "./program-spend";
import { decodeKeyset, encodeKeyset } from "./keyset";

export const SPEND_COLUMNS = ["month", "category", "amount", "note"] as const;
const REQUIRED = ["month", "category", "amount"] as const;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class SpendError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super("Fix the highlighted fields.");
  }
}

export type SpendPreviewRow = {
  line: number;
  month: string | null;
  category: SpendCategory | null;
  amountCents: number | null;
  note: string;
  currentCents: number | null;
  change: string | null;
  errors: string[];
};

function monthProblem(month: string, now: Date): string | null {
  if (!month) return "month is empty: write it as YYYY-MM.";
  if (!MONTH.test(month)) return `month "${month}" is not a month in the form YYYY-MM.`;
  const thisMonth = now.toISOString().slice(0, 7);
  if (month > thisMonth) return `month ${month} is in the future (this month is ${thisMonth}): record spend once it is incurred.`;
  return null;
}

function categoryOf(raw: string): SpendCategory | null {
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, "_");
  return SPEND_CATEGORIES.find((c) => c === key) ?? null;
}

const categoryProblem = (raw: string) =>
  raw ? `category "${raw}" is not one of ${SPEND_CATEGORIES.join(", ")}.` : `category is empty: one of ${SPEND_CATEGORIES.join(", ")}.`;

function currentAmounts(db: Pick<DB, "select">): Map<string, number> {
  return new Map(db.select().from(programSpend).all().map((r) => [`${r.month}:${r.category}`, r.amountCents]));
}

export function previewSpendImport(db: Pick<DB, "select">, csvText: string, now = new Date()): ImportPreview<SpendPreviewRow> {
  const table = readTable(csvText, SPEND_COLUMNS, REQUIRED);
  const current = currentAmounts(db);
  const currency = programCurrency(db);
  const seen = new Map<string, number>();
  const rows = table.records.map((record): SpendPreviewRow => {
    const errors: string[] = [];
    const stray = strayCells(table, record);
    if (stray) errors.push(stray);
    const month = cell(table, record, "month");
    const mp = monthProblem(month, now);
    if (mp) errors.push(mp);
    const rawCategory = cell(table, record, "category");
    const category = categoryOf(rawCategory);
    if (!category) errors.push(categoryProblem(rawCategory));
    let amountCents: number | null = null;
    const amount = cell(table, record, "amount");
    if (!amount) errors.push("amount is empty: write the spend, 0 for none.");
    else {
      const parsed = parseDecimalCents(amount, "amount");
      if ("error" in parsed) errors.push(parsed.error);
      else amountCents = parsed.cents;
    }
    const note = cell(table, record, "note").slice(0, 500);
    const key = `${month}:${category}`;
    if (!mp && category) {
      const earlier = seen.get(key);
      if (earlier !== undefined) errors.push(`${month} ${category} is already on line ${earlier}.`);
      else seen.set(key, record.line);
    }
    const currentCents = !mp && category ? current.get(key) ?? null : null;
    let change: string | null = null;
    if (!errors.length && amountCents !== null) {
      if (currentCents === null) change = `adds ${formatMoney(amountCents, currency)}`;
      else if (currentCents !== amountCents) change = `changes ${formatMoney(currentCents, currency)} to ${formatMoney(amountCents, currency)}`;
    }
    return { line: record.line, month: mp ? null : month, category, amountCents, note, currentCents, change, errors };
  });
  return finish(rows, table.errors, (r) => r.currentCents === r.amountCents);
}

function upsert(tx: Tx, actor: Actor, row: { month: string; category: SpendCategory; amountCents: number; note: string }) {
  tx.insert(programSpend)
    .values({ ...row, createdBy: actor === "system" ? null : actor.id })
    .onConflictDoUpdate({ target: [programSpend.month, programSpend.category], set: { amountCents: row.amountCents, note: row.note } })
    .run();
}

/** Applies every row in one transaction, or throws ImportError and writes nothing. */
export function applySpendImport(db: DB, actor: Actor, csvText: string, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const preview = previewSpendImport(tx, csvText, now);
    if (!preview.valid || preview.nothingToChange) throw new ImportError(preview as never);
    let changed = 0;
    for (const row of preview.rows) {
      if (row.currentCents === row.amountCents) continue;
      upsert(tx, actor, { month: row.month!, category: row.category!, amountCents: row.amountCents!, note: row.note });
      changed++;
    }
    recordAudit(tx, { actor, action: "import.spend", entityType: "import", entityId: `spend@${now.toISOString()}`, after: { rows: preview.rows.length, changed }, at: now });
    return { changed, unchanged: preview.rows.length - changed };
  });
}

export function recordSpend(db: DB, actor: Actor, input: { month: string; category: string; amount: string; note: string }, now = new Date()) {
  const problems: Record<string, string> = {};
  const month = input.month.trim();
  const mp = monthProblem(month, now);
  if (mp) problems.month = mp.replace(/^month/, "The month");
  const category = categoryOf(input.category);
  if (!category) problems.category = "Choose a category.";
  const parsed = input.amount.trim() ? parseDecimalCents(input.amount.trim(), "The amount") : { error: "Enter the amount, like 12500 or 12,500.00 (0 for none)." };
  if ("error" in parsed) problems.amount = parsed.error;
  if (Object.keys(problems).length) throw new SpendError(problems);
  const amountCents = (parsed as { cents: number }).cents;
  writeTransaction(db, (tx) => {
    const before = tx.select().from(programSpend).where(and(eq(programSpend.month, month), eq(programSpend.category, category!))).get();
    upsert(tx, actor, { month, category: category!, amountCents, note: input.note.trim().slice(0, 500) });
    recordAudit(tx, { actor, action: "spend.recorded", entityType: "program_spend", entityId: `${month}:${category}`, before: before ? { amountCents: before.amountCents } : null, after: { amountCents } });
  });
  return { month, category: category!, amountCents };
}

export const SPEND_PAGE_SIZE = 50;

/** A position in the spend list: the (month, category) of a row, opaque in the URL. */
export type SpendCursor = { month: string; category: SpendCategory };

export function encodeSpendCursor(c: SpendCursor): string {
  return encodeKeyset([c.month, c.category]);
}

/** null for anything that is not a cursor this module wrote (the list then starts over). */
export function decodeSpendCursor(value: string | null | undefined): SpendCursor | null {
  const key = decodeKeyset(value, ["string", "string"] as const);
  const category = SPEND_CATEGORIES.find((c) => c === key?.[1]);
  return key && category ? { month: key[0], category } : null;
}

/**
 * One page of recorded spend, newest month first (keyset on month, category — unique per
 * row; decision 0019), optionally of one category, with how many rows match and the cursors
 * of the pages around it.
 */
export function listSpendPage(db: DB, filters: { category?: SpendCategory } = {}, dir: { after?: SpendCursor | null; before?: SpendCursor | null } = {}, pageSize = SPEND_PAGE_SIZE) {
  const conditions = filters.category ? [eq(programSpend.category, filters.category)] : [];
  const total = db.select({ n: sql<number>`count(*)` }).from(programSpend).where(conditions.length ? and(...conditions) : undefined).get()?.n ?? 0;
  const backwards = !!dir.before;
  const cursor = dir.before ?? dir.after;
  const paged = [...conditions];
  if (cursor) {
    paged.push(
      backwards
        ? sql`(${programSpend.month} > ${cursor.month} OR (${programSpend.month} = ${cursor.month} AND ${programSpend.category} < ${cursor.category}))`
        : sql`(${programSpend.month} < ${cursor.month} OR (${programSpend.month} = ${cursor.month} AND ${programSpend.category} > ${cursor.category}))`,
    );
  }
  const found = db
    .select({ month: programSpend.month, category: programSpend.category, amountCents: programSpend.amountCents, note: programSpend.note })
    .from(programSpend)
    .where(paged.length ? and(...paged) : undefined)
    .orderBy(...(backwards ? [asc(programSpend.month), desc(programSpend.category)] : [desc(programSpend.month), asc(programSpend.category)]))
    .limit(pageSize + 1)
    .all();
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return listSpendPage(db, filters, {}, pageSize);
  const rows = backwards ? found.slice(0, pageSize).reverse() : found.slice(0, pageSize);
  const at = (r: (typeof rows)[number] | undefined) => (r ? encodeSpendCursor({ month: r.month, category: r.category }) : null);
  return {
    rows,
    total,
    next: backwards || more ? at(rows[rows.length - 1]) : null,
    prev: backwards ? at(rows[0]) : dir.after ? (at(rows[0]) ?? encodeSpendCursor(dir.after)) : null,
  };
}

/** Recorded spend per month and channel over [fromMonth, endMonth). */
export function spendByMonth(db: DB | Tx, fromMonth: string, endMonth: string): Map<string, Record<SpendChannel, number>> {
  const out = new Map<string, Record<SpendChannel, number>>();
  for (const r of db
    .select({ month: programSpend.month, category: programSpend.category, cents: sql<number>`sum(${programSpend.amountCents})` })
    .from(programSpend)
    .where(and(gte(programSpend.month, fromMonth), lt(programSpend.month, endMonth)))
    .groupBy(programSpend.month, programSpend.category)
    .all()) {
    const m = out.get(r.month) ?? { partner: 0, direct: 0 };
    m[SPEND_CATEGORY_INFO[r.category].channel] += r.cents;
    out.set(r.month, m);
  }
  return out;
}

export function spendTemplate(now = new Date()): string {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  return `${SPEND_COLUMNS.join(",")}\r\n${month},commissions,12500.00,Q rebates\r\n${month},team,30000,\r\n${month},direct_sales_marketing,95000,Field sales and paid search\r\n`;
}
