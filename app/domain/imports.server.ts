// CRM imports from CSV: deal outcomes (won / lost) and monthly recurring revenue per customer.
// A preview validates every row against the database and writes nothing; applying re-validates
// inside one IMMEDIATE transaction and writes every row or none.
import { enqueueDealWon } from "./deal-notifications.server";
import type { Config } from "../config.server";
import { desc, eq, inArray } from "drizzle-orm";
import { customerMrr, customers, deals, partners, programSettings, type DealStage } from "../../db/schema";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { recordAudit, type Actor } from "./audit.server";
import { CsvParseError, parseCsvRecords, toCsv, type CsvRecord } from "./csv";
import { normalizeDomain } from "./customers";
import { closedAtFromDate, isClosable } from "./deals";
import { recordOutcome } from "./deals.server";
import { formatMoney } from "./format";
import { centsToDecimal } from "./products";
import { refreshDealRollups, refreshMrrRollups } from "./rollups.server";

export type ImportKind = "outcomes" | "mrr";

export const OUTCOME_COLUMNS = ["deal_id", "domain", "stage", "amount", "close_date", "reason"] as const;
export const MRR_COLUMNS = ["domain", "month", "mrr"] as const;

export type ImportPreview<Row> = {
  rows: Row[];
  /** Problems with the file as a whole: unreadable CSV, unknown or missing columns, no rows. */
  errors: string[];
  valid: boolean;
  /** Valid, but every row already matches the database: there is nothing to import. */
  nothingToChange: boolean;
};

/** What a valid file that changes nothing says, in the preview and when its import is refused. */
export const NOTHING_TO_CHANGE = "Nothing to change: every row already matches the portal.";

export type OutcomePreviewRow = {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  dealId: number | null;
  domain: string | null;
  stage: "won" | "lost" | null;
  amountCents: number | null;
  closedOn: string | null;
  reason: string | null;
  dealTitle: string | null;
  partnerName: string | null;
  /** The deal's currency: the row's amount and its change are in it. */
  currency: string;
  /** The deal already has every imported value (stage, amount, close date, reason): applying changes nothing. */
  unchanged: boolean;
  /**
   * What applying the row does, in words: "changes amount from $40,000 to $45,000; close date
   * from 2026-10-03 to 2026-10-05". Null while the row has errors or changes nothing.
   */
  change: string | null;
  errors: string[];
};

export type MrrPreviewRow = {
  line: number;
  domain: string | null;
  customerId: number | null;
  customerName: string | null;
  month: string | null;
  mrrCents: number | null;
  /** What is stored for that customer and month now (null: a new row). */
  currentMrrCents: number | null;
  /** The program's currency, the one MRR is kept in. */
  currency: string;
  /** "adds $1,250" or "changes MRR from $1,000 to $1,250"; null while it has errors or changes nothing. */
  change: string | null;
  errors: string[];
};

/** Applying refused: at least one row (or the file) is invalid; nothing was written. */
export class ImportError extends Error {
  constructor(readonly preview: ImportPreview<OutcomePreviewRow> | ImportPreview<MrrPreviewRow>) {
    const bad = preview.rows.filter((r) => r.errors.length).length;
    super(
      preview.nothingToChange
        ? NOTHING_TO_CHANGE
        : preview.errors.length
        ? `The file cannot be imported: ${preview.errors.join(" ")}`
        : `${bad} ${bad === 1 ? "row has" : "rows have"} errors; nothing was imported.`,
    );
    this.name = "ImportError";
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the file: header, cells and their formats. Pure.

export type Table = {
  header: Map<string, number>;
  /** How many cells the header line has, known or not. */
  width: number;
  /** Header cells left blank (spreadsheets add them): their cells must stay empty. */
  unnamed: number[];
  records: CsvRecord[];
  errors: string[];
};

function columnName(raw: string) {
  return raw.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

export function readTable(csvText: string, allowed: readonly string[], required: readonly string[]): Table {
  let records: CsvRecord[];
  try {
    records = parseCsvRecords(csvText);
  } catch (error) {
    if (error instanceof CsvParseError) return { header: new Map(), width: 0, unnamed: [], records: [], errors: [error.message] };
    throw error;
  }
  const blank = (r: CsvRecord) => r.fields.every((f) => f.trim() === "");
  const [head, ...rest] = records.filter((r) => !blank(r));
  if (!head) {
    return {
      header: new Map(),
      width: 0,
      unnamed: [],
      records: [],
      errors: ["The file is empty: it needs a header line and at least one row."],
    };
  }

  const errors: string[] = [];
  const header = new Map<string, number>();
  const unknown: string[] = [];
  const unnamed: number[] = [];
  head.fields.forEach((raw, index) => {
    const name = columnName(raw);
    if (!name) unnamed.push(index);
    else if (!allowed.includes(name)) unknown.push(raw.trim());
    else if (header.has(name)) errors.push(`The column "${name}" appears twice in the header.`);
    else header.set(name, index);
  });
  if (unknown.length) {
    errors.push(
      `Unknown ${unknown.length === 1 ? "column" : "columns"} ${unknown.map((u) => `"${u}"`).join(", ")}: the columns are ${allowed.join(", ")}.`,
    );
  }
  const missing = required.filter((c) => !header.has(c));
  if (missing.length) errors.push(`Missing ${missing.length === 1 ? "column" : "columns"} ${missing.join(", ")}.`);
  if (rest.length === 0) errors.push("The file has a header but no rows.");
  return { header, width: head.fields.length, unnamed, records: rest, errors };
}

/** A value in a cell no header names: a shifted row, or a column the header forgot. */
export function strayCells(table: Table, record: CsvRecord): string | null {
  if (record.fields.length > table.width && record.fields.slice(table.width).some((f) => f.trim())) {
    return `The row has ${record.fields.length} cells but the header names only ${table.width}.`;
  }
  const column = table.unnamed.find((i) => record.fields[i]?.trim());
  return column === undefined ? null : `Cell ${column + 1} has a value but its column has no name in the header.`;
}

export function cell(table: Table, record: CsvRecord, column: string): string {
  const index = table.header.get(column);
  return index === undefined ? "" : (record.fields[index] ?? "").trim();
}

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/** "1,234.5" → 123450 cents, or the reason it is not an exact amount. */
export function parseDecimalCents(raw: string, column: string): { cents: number } | { error: string } {
  const text = raw.replace(/^\$/, "");
  const plain = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text) ? text.replace(/,/g, "") : text;
  if (/^-/.test(plain) && DECIMAL.test(plain.slice(1))) return { error: `${column} "${raw}" is negative.` };
  const m = DECIMAL.exec(plain);
  if (!m) return { error: `${column} "${raw}" is not a number; write it like 12500 or 12500.50.` };
  const fraction = m[2] ?? "";
  if (fraction.length > 2) {
    return { error: `${column} "${raw}" has ${fraction.length} decimal places; amounts are exact to the cent (at most 2).` };
  }
  const cents = Number(m[1]) * 100 + Number(fraction.padEnd(2, "0"));
  if (!Number.isSafeInteger(cents)) return { error: `${column} "${raw}" is too large.` };
  return { cents };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string) {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outcomes: deal_id or domain, stage, amount, close_date, reason.

type DealFacts = {
  id: number;
  customerId: number;
  domain: string;
  title: string;
  stage: DealStage;
  partnerId: number | null;
  partnerName: string | null;
  submittedAt: Date;
  closedAt: Date | null;
  amountCents: number;
  currency: string;
  lostReason: string | null;
};

function dealFacts(db: Pick<DB, "select">, where: { ids?: number[]; customerIds?: number[] }): DealFacts[] {
  const select = () =>
    db
      .select({
        id: deals.id,
        customerId: deals.customerId,
        domain: customers.domain,
        title: deals.title,
        stage: deals.stage,
        partnerId: deals.partnerId,
        partnerName: partners.name,
        submittedAt: deals.submittedAt,
        closedAt: deals.closedAt,
        amountCents: deals.amountCents,
        currency: deals.currency,
        lostReason: deals.lostReason,
      })
      .from(deals)
      .innerJoin(customers, eq(customers.id, deals.customerId))
      .leftJoin(partners, eq(partners.id, deals.partnerId));
  if (where.ids) return chunks(where.ids).flatMap((ids) => select().where(inArray(deals.id, ids)).all());
  return chunks(where.customerIds ?? []).flatMap((ids) => select().where(inArray(deals.customerId, ids)).all());
}

function customersByDomain(db: Pick<DB, "select">, domains: string[]) {
  const map = new Map<string, { id: number; name: string }>();
  for (const chunk of chunks(domains)) {
    for (const c of db
      .select({ id: customers.id, name: customers.name, domain: customers.domain })
      .from(customers)
      .where(inArray(customers.domain, chunk))
      .all()) {
      map.set(c.domain, { id: c.id, name: c.name });
    }
  }
  return map;
}

/** Every outcome row checked against the database as it is now. Writes nothing. */
export function previewOutcomeImport(db: Pick<DB, "select">, csvText: string, now = new Date()): ImportPreview<OutcomePreviewRow> {
  const table = readTable(csvText, OUTCOME_COLUMNS, ["stage", "close_date"]);
  if (table.header.size && !table.header.has("deal_id") && !table.header.has("domain")) {
    table.errors.push("Add a deal_id or a domain column to say which deal each row is about.");
  }
  const today = utcDay(now);

  // Pass 1: the cells, without the database.
  const rows: (OutcomePreviewRow & { customerDomain: string | null })[] = table.records.map((record) => {
    const errors: string[] = [];
    const row: OutcomePreviewRow & { customerDomain: string | null } = {
      line: record.line,
      dealId: null,
      domain: null,
      stage: null,
      amountCents: null,
      closedOn: null,
      reason: null,
      dealTitle: null,
      partnerName: null,
      currency: "USD",
      unchanged: false,
      change: null,
      errors,
      customerDomain: null,
    };
    const stray = strayCells(table, record);
    if (stray) errors.push(stray);
    const rawId = cell(table, record, "deal_id").replace(/^#/, "");
    const rawDomain = cell(table, record, "domain");
    if (rawId) {
      if (/^\d+$/.test(rawId) && Number.isSafeInteger(Number(rawId)) && Number(rawId) > 0) row.dealId = Number(rawId);
      else errors.push(`deal_id "${rawId}" is not a deal number.`);
    }
    if (rawDomain) {
      row.domain = rawDomain;
      row.customerDomain = normalizeDomain(rawDomain);
      if (!row.customerDomain) errors.push(`domain "${rawDomain}" is not a domain name such as acme.com.`);
    }
    if (!rawId && !rawDomain) errors.push("Give a deal_id or a domain to say which deal this is.");

    const stage = cell(table, record, "stage").toLowerCase();
    if (stage === "won" || stage === "lost") row.stage = stage;
    else errors.push(stage ? `stage "${stage}" must be won or lost.` : "stage is empty: write won or lost.");

    const amount = cell(table, record, "amount");
    if (amount) {
      const parsed = parseDecimalCents(amount, "amount");
      if ("error" in parsed) errors.push(parsed.error);
      else if (row.stage === "won" && parsed.cents === 0) errors.push("amount must be above zero for a won deal.");
      else row.amountCents = parsed.cents;
    } else if (row.stage === "won") {
      errors.push("amount is required for a won deal.");
    }

    const closedOn = cell(table, record, "close_date");
    if (!closedOn) errors.push("close_date is empty: write the day the deal closed as YYYY-MM-DD.");
    else if (!isCalendarDate(closedOn)) errors.push(`close_date "${closedOn}" is not a date in the form YYYY-MM-DD.`);
    else if (closedOn > today) errors.push(`close_date ${closedOn} is in the future (today is ${today} UTC).`);
    else row.closedOn = closedOn;

    const reason = cell(table, record, "reason");
    if (reason) row.reason = reason.slice(0, 1000);
    if (row.stage === "lost" && reason.length < 3) errors.push("reason is required for a lost deal (at least 3 characters).");
    return row;
  });

  // Pass 2: which deal each row is about, and whether it can take that outcome.
  const byId = new Map(
    dealFacts(db, { ids: [...new Set(rows.flatMap((r) => (r.dealId ? [r.dealId] : [])))] }).map((d) => [d.id, d]),
  );
  const domainRows = rows.filter((r) => !r.dealId && r.customerDomain);
  const knownCustomers = customersByDomain(db, [...new Set(domainRows.map((r) => r.customerDomain!))]);
  const dealsOfCustomer = new Map<number, DealFacts[]>();
  for (const d of dealFacts(db, { customerIds: [...new Set([...knownCustomers.values()].map((c) => c.id))] })) {
    dealsOfCustomer.set(d.customerId, [...(dealsOfCustomer.get(d.customerId) ?? []), d]);
  }

  const seen = new Map<number, number>();
  for (const row of rows) {
    let deal: DealFacts | undefined;
    if (row.dealId) {
      deal = byId.get(row.dealId);
      if (!deal) row.errors.push(`Deal #${row.dealId} does not exist.`);
      else if (row.customerDomain && deal.domain !== row.customerDomain) {
        row.errors.push(`Deal #${deal.id} is for ${deal.domain}, not ${row.customerDomain}.`);
      }
    } else if (row.customerDomain) {
      const customer = knownCustomers.get(row.customerDomain);
      const all = customer ? (dealsOfCustomer.get(customer.id) ?? []) : [];
      const open = all.filter(isClosable);
      if (!customer) row.errors.push(`No customer has the domain ${row.customerDomain}.`);
      else if (open.length > 1) {
        row.errors.push(
          `${row.customerDomain} has ${open.length} open approved deals (${open.map((d) => `#${d.id}`).join(", ")}): use a deal_id column to say which.`,
        );
      } else if (open.length === 1) deal = open[0];
      else {
        // Importing the same export twice: the one deal already closed that way on that day.
        // Or correcting it: the one deal of that customer closed that way, whatever the day.
        const closedSo = all.filter((d) => d.stage === row.stage);
        const done = closedSo.filter((d) => d.closedAt && utcDay(d.closedAt) === row.closedOn);
        if (done.length === 1) deal = done[0];
        else if (done.length === 0 && closedSo.length === 1) deal = closedSo[0];
        else if (closedSo.length > 1) {
          row.errors.push(
            `${row.customerDomain} has ${closedSo.length} ${row.stage} deals (${closedSo.map((d) => `#${d.id}`).join(", ")}): use a deal_id column to say which.`,
          );
        } else row.errors.push(`${row.customerDomain} has no open approved deal to close.`);
      }
    }
    if (!deal) continue;
    row.dealId = deal.id;
    row.domain = deal.domain;
    row.dealTitle = deal.title;
    row.partnerName = deal.partnerName;
    row.currency = deal.currency;
    const earlier = seen.get(deal.id);
    if (earlier !== undefined) row.errors.push(`Deal #${deal.id} is already on line ${earlier}.`);
    else seen.set(deal.id, row.line);
    if (!row.stage) continue;
    if (deal.stage !== row.stage && !isClosable(deal)) {
      row.errors.push(`Deal #${deal.id} is ${deal.stage}; only approved deals can be marked won or lost.`);
    } else if (row.closedOn && row.closedOn < utcDay(deal.submittedAt)) {
      row.errors.push(`close_date ${row.closedOn} is before deal #${deal.id} was submitted (${utcDay(deal.submittedAt)}).`);
    }
    if (row.errors.length) continue;
    const changes = outcomeChanges(deal, row);
    row.unchanged = changes.length === 0;
    row.change = changes.length ? `changes ${changes.join("; ")}` : null;
  }

  const clean = rows.map(({ customerDomain: _c, ...row }) => row);
  return finish(clean, table.errors, (r) => r.unchanged);
}

/**
 * Each imported value of the row that differs from the deal, as "amount from A to B" (money in
 * the deal's currency). The amount is compared when the row gives one (a lost row may leave it
 * out), the reason only for lost.
 */
function outcomeChanges(deal: DealFacts, row: OutcomePreviewRow): string[] {
  const out: string[] = [];
  const money = (cents: number) => formatMoney(cents, deal.currency);
  if (row.stage !== deal.stage) out.push(`stage from ${deal.stage} to ${row.stage}`);
  if (row.amountCents !== null && row.amountCents !== deal.amountCents) {
    out.push(`amount from ${money(deal.amountCents)} to ${money(row.amountCents)}`);
  }
  const closedOn = deal.closedAt ? utcDay(deal.closedAt) : null;
  if (row.closedOn !== closedOn) out.push(closedOn ? `close date from ${closedOn} to ${row.closedOn}` : `close date to ${row.closedOn}`);
  if (row.stage === "lost" && row.reason !== deal.lostReason) {
    out.push(deal.lostReason ? `reason from "${deal.lostReason}" to "${row.reason}"` : `reason to "${row.reason}"`);
  }
  return out;
}

export function finish<Row extends { errors: string[] }>(rows: Row[], errors: string[], unchanged: (row: Row) => boolean): ImportPreview<Row> {
  const valid = errors.length === 0 && rows.every((r) => r.errors.length === 0);
  return { rows, errors, valid, nothingToChange: valid && rows.every(unchanged) };
}

export type OutcomeImportResult = {
  /** Deals that became won: the partner is told once the transaction has committed. */
  won: { dealId: number }[];
  lost: { dealId: number }[];
  /** Deals already won or lost whose amount, close date or reason the file corrected. */
  corrected: { dealId: number }[];
  unchanged: number;
};

/**
 * Writes every outcome row in one IMMEDIATE transaction, validating again inside it, so the
 * preview the user confirmed and the database cannot have drifted apart. Any invalid row:
 * ImportError with the new preview, and nothing is written.
 */
export function applyOutcomeImport(
  db: DB,
  actor: Actor,
  csvText: string,
  now = new Date(),
  /** With it, each newly won deal's email is enqueued in this transaction (decision 0018). */
  emails?: { config: Pick<Config, "APP_URL"> },
): OutcomeImportResult {
  return writeTransaction(db, (tx) => {
    const preview = previewOutcomeImport(tx, csvText, now);
    if (!preview.valid || preview.nothingToChange) throw new ImportError(preview);
    const result: OutcomeImportResult = { won: [], lost: [], corrected: [], unchanged: 0 };
    const before = new Map(dealFacts(tx, { ids: preview.rows.map((r) => r.dealId!) }).map((d) => [d.id, d]));
    for (const row of preview.rows) {
      const closedAt = closedAtFromDate(row.closedOn!, now);
      if (row.unchanged) {
        result.unchanged++;
        continue;
      }
      const deal = before.get(row.dealId!)!;
      if (deal.stage === row.stage) {
        correctOutcome(tx, actor, deal, row, closedAt);
        result.corrected.push({ dealId: deal.id });
        continue;
      }
      const outcome =
        row.stage === "won"
          ? ({ stage: "won", amountCents: row.amountCents!, closedAt } as const)
          : ({ stage: "lost", reason: row.reason!, closedAt } as const);
      const { changed } = recordOutcome(tx, actor, row.dealId!, outcome);
      if (!changed) result.unchanged++;
      else {
        (row.stage === "won" ? result.won : result.lost).push({ dealId: row.dealId! });
        if (row.stage === "won" && emails) enqueueDealWon({ db, config: emails.config }, tx, row.dealId!);
      }
    }
    recordAudit(tx, {
      actor,
      action: "import.outcomes",
      entityType: "import",
      entityId: `outcomes@${now.toISOString()}`,
      after: {
        rows: preview.rows.length,
        won: result.won.length,
        lost: result.lost.length,
        corrected: result.corrected.length,
        unchanged: result.unchanged,
      },
      at: now,
    });
    return result;
  });
}

/** A deal already won or lost takes the file's amount, close date and (lost) reason; rollups follow. */
function correctOutcome(tx: Tx, actor: Actor, deal: DealFacts, row: OutcomePreviewRow, closedAt: Date) {
  const set =
    row.stage === "won"
      ? { amountCents: row.amountCents ?? deal.amountCents, closedAt }
      : { closedAt, lostReason: row.reason, ...(row.amountCents !== null ? { amountCents: row.amountCents } : {}) };
  tx.update(deals).set(set).where(eq(deals.id, deal.id)).run();
  refreshDealRollups(tx, deal.id);
  recordAudit(tx, {
    actor,
    action: "deal.outcome_corrected",
    entityType: "deal",
    entityId: deal.id,
    partnerId: deal.partnerId,
    before: { stage: deal.stage, amountCents: deal.amountCents, closedAt: deal.closedAt?.toISOString() ?? null, reason: deal.lostReason },
    after: { stage: deal.stage, ...set, closedAt: closedAt.toISOString() },
  });
}

// ---------------------------------------------------------------------------------------------
// Monthly recurring revenue: domain, month, mrr.

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function previewMrrImport(db: Pick<DB, "select">, csvText: string, now = new Date()): ImportPreview<MrrPreviewRow> {
  const table = readTable(csvText, MRR_COLUMNS, MRR_COLUMNS);
  const thisMonth = utcDay(now).slice(0, 7);

  const rows: (MrrPreviewRow & { customerDomain: string | null })[] = table.records.map((record) => {
    const errors: string[] = [];
    const row: MrrPreviewRow & { customerDomain: string | null } = {
      line: record.line,
      domain: null,
      customerId: null,
      customerName: null,
      month: null,
      mrrCents: null,
      currentMrrCents: null,
      currency: "USD",
      change: null,
      errors,
      customerDomain: null,
    };
    const stray = strayCells(table, record);
    if (stray) errors.push(stray);
    const rawDomain = cell(table, record, "domain");
    if (!rawDomain) errors.push("domain is empty.");
    else {
      row.domain = rawDomain;
      row.customerDomain = normalizeDomain(rawDomain);
      if (!row.customerDomain) errors.push(`domain "${rawDomain}" is not a domain name such as acme.com.`);
    }
    const month = cell(table, record, "month");
    if (!month) errors.push("month is empty: write it as YYYY-MM.");
    else if (!MONTH.test(month)) errors.push(`month "${month}" is not a month in the form YYYY-MM.`);
    else if (month > thisMonth) errors.push(`month ${month} is in the future (this month is ${thisMonth}).`);
    else row.month = month;
    const mrr = cell(table, record, "mrr");
    if (!mrr) errors.push("mrr is empty: write the monthly recurring revenue, 0 for none.");
    else {
      const parsed = parseDecimalCents(mrr, "mrr");
      if ("error" in parsed) errors.push(parsed.error);
      else row.mrrCents = parsed.cents;
    }
    return row;
  });

  const known = customersByDomain(db, [...new Set(rows.flatMap((r) => (r.customerDomain ? [r.customerDomain] : [])))]);
  const current = new Map<string, number>();
  for (const chunk of chunks([...new Set([...known.values()].map((c) => c.id))])) {
    for (const m of db
      .select({ customerId: customerMrr.customerId, month: customerMrr.month, mrrCents: customerMrr.mrrCents })
      .from(customerMrr)
      .where(inArray(customerMrr.customerId, chunk))
      .all()) {
      current.set(`${m.customerId}:${m.month}`, m.mrrCents);
    }
  }
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (!row.customerDomain) continue;
    const customer = known.get(row.customerDomain);
    if (!customer) {
      row.errors.push(`No customer has the domain ${row.customerDomain}.`);
      continue;
    }
    row.domain = row.customerDomain;
    row.customerId = customer.id;
    row.customerName = customer.name;
    if (!row.month) continue;
    const key = `${customer.id}:${row.month}`;
    row.currentMrrCents = current.get(key) ?? null;
    const earlier = seen.get(key);
    if (earlier !== undefined) row.errors.push(`${row.domain} ${row.month} is already on line ${earlier}.`);
    else seen.set(key, row.line);
  }
  const currency = db.select({ currency: programSettings.currency }).from(programSettings).get()?.currency ?? "USD";
  for (const row of rows) {
    row.currency = currency;
    if (row.errors.length || row.mrrCents === null) continue;
    const money = (cents: number) => formatMoney(cents, currency);
    if (row.currentMrrCents === null) row.change = `adds ${money(row.mrrCents)}`;
    else if (row.currentMrrCents !== row.mrrCents) row.change = `changes MRR from ${money(row.currentMrrCents)} to ${money(row.mrrCents)}`;
  }
  const clean = rows.map(({ customerDomain: _c, ...row }) => row);
  return finish(clean, table.errors, (r) => r.currentMrrCents === r.mrrCents);
}

export type MrrImportResult = { inserted: number; updated: number; unchanged: number };

/** Upserts every MRR row in one IMMEDIATE transaction, or throws ImportError and writes nothing. */
export function applyMrrImport(db: DB, actor: Actor, csvText: string, now = new Date()): MrrImportResult {
  return writeTransaction(db, (tx) => {
    const preview = previewMrrImport(tx, csvText, now);
    if (!preview.valid || preview.nothingToChange) throw new ImportError(preview);
    const result: MrrImportResult = { inserted: 0, updated: 0, unchanged: 0 };
    const changes = preview.rows.filter((r) => r.currentMrrCents !== r.mrrCents).map((r) => ({ customerId: r.customerId!, month: r.month! }));
    // Retention rollups move by exactly what these rows change (rollups.server.ts).
    refreshMrrRollups(tx, changes, () => {
      for (const row of preview.rows) {
        if (row.currentMrrCents === row.mrrCents) {
          result.unchanged++;
          continue;
        }
        tx.insert(customerMrr)
          .values({ customerId: row.customerId!, month: row.month!, mrrCents: row.mrrCents! })
          .onConflictDoUpdate({ target: [customerMrr.customerId, customerMrr.month], set: { mrrCents: row.mrrCents! } })
          .run();
        if (row.currentMrrCents === null) result.inserted++;
        else result.updated++;
      }
    });
    recordAudit(tx, {
      actor,
      action: "import.mrr",
      entityType: "import",
      entityId: `mrr@${now.toISOString()}`,
      after: { rows: preview.rows.length, ...result },
      at: now,
    });
    return result;
  });
}


// ---------------------------------------------------------------------------------------------
// Templates: the header and example rows taken from the portal as it is now, so the preview
// accepts the file as it is (every row "Already so") and importing it unchanged changes nothing.

/** A cell a spreadsheet would read as a formula is written with a quote in front: not reused. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The outcomes template: the latest won deal and the latest lost deal, as stored. */
export function outcomeTemplate(db: Pick<DB, "select">): string {
  const latest = (stage: "won" | "lost") =>
    db
      .select({
        id: deals.id,
        domain: customers.domain,
        amountCents: deals.amountCents,
        closedAt: deals.closedAt,
        lostReason: deals.lostReason,
        submittedAt: deals.submittedAt,
      })
      .from(deals)
      .innerJoin(customers, eq(customers.id, deals.customerId))
      .where(eq(deals.stage, stage))
      .orderBy(desc(deals.closedAt), desc(deals.id))
      .limit(20)
      .all()
      .filter((d) => d.closedAt && d.closedAt >= d.submittedAt)
      .find((d) => (stage === "won" ? d.amountCents > 0 : (d.lostReason ?? "").trim().length >= 3 && !FORMULA_START.test(d.lostReason!)));
  const won = latest("won");
  const lost = latest("lost");
  const rows = [
    ...(won ? [{ ...won, stage: "won", reason: null }] : []),
    ...(lost ? [{ ...lost, stage: "lost", reason: lost.lostReason }] : []),
  ];
  return toCsv(rows, [
    { header: "deal_id", value: (r) => r.id },
    { header: "domain", value: (r) => r.domain },
    { header: "stage", value: (r) => r.stage },
    { header: "amount", value: (r) => centsToDecimal(r.amountCents) },
    { header: "close_date", value: (r) => utcDay(r.closedAt!) },
    { header: "reason", value: (r) => r.reason },
  ]);
}

/** The MRR template: the two customer-months imported last, as stored. */
export function mrrTemplate(db: Pick<DB, "select">): string {
  const rows = db
    .select({ domain: customers.domain, month: customerMrr.month, mrrCents: customerMrr.mrrCents })
    .from(customerMrr)
    .innerJoin(customers, eq(customers.id, customerMrr.customerId))
    .orderBy(desc(customerMrr.month), customers.domain)
    .limit(2)
    .all();
  return toCsv(rows, [
    { header: "domain", value: (r) => r.domain },
    { header: "month", value: (r) => r.month },
    { header: "mrr", value: (r) => centsToDecimal(r.mrrCents) },
  ]);
}
