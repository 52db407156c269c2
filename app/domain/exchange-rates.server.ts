// The exchange rates admins maintain (docs/domain.md "Money and currencies"): list, add, delete
// and a CSV upload applied all-or-nothing. Every change is audited and, in the same transaction,
// refreshes the rollups of the closed deals whose rate it can change (money.server.ts converts;
// this module only keeps the table).
import { and, asc, desc, eq, gte } from "drizzle-orm";
import { deals, exchangeRates } from "../../db/schema";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { recordAudit, type Actor } from "./audit.server";
import { CsvParseError, parseCsvRecords } from "./csv";
import { DEAL_CURRENCIES } from "./products";
import { formatRate, parseRateToMicros, rateProblems, type RateInput, type RateProblems } from "./money";
import { programCurrency } from "./program-settings.server";
import { refreshDealRollups } from "./rollups.server";

export type RateRow = { id: number; currency: string; quoteCurrency: string; validFrom: string; rate: string; createdAt: number };

export function listExchangeRates(db: DB): RateRow[] {
  return db
    .select()
    .from(exchangeRates)
    .where(eq(exchangeRates.quoteCurrency, programCurrency(db)))
    .orderBy(asc(exchangeRates.currency), desc(exchangeRates.validFrom))
    .all()
    .map((r) => ({
      id: r.id,
      currency: r.currency,
      quoteCurrency: r.quoteCurrency,
      validFrom: r.validFrom,
      rate: formatRate(r.rateMicros),
      createdAt: r.createdAt.getTime(),
    }));
}

export class RateError extends Error {
  constructor(readonly problems: RateProblems) {
    super(Object.values(problems).join(" "));
  }
}

/** Re-derives the rollups of every closed deal in `currency` closed on or after `fromDay`. */
function refreshAffectedDeals(tx: Tx, currency: string, fromDay: string) {
  const ids = tx
    .select({ id: deals.id })
    .from(deals)
    .where(and(eq(deals.currency, currency), gte(deals.closedAt, new Date(`${fromDay}T00:00:00Z`))))
    .all();
  for (const { id } of ids) refreshDealRollups(tx, id);
  return ids.length;
}

function insertRate(tx: Tx, actor: Actor, reporting: string, rate: { currency: string; validFrom: string; micros: number }, at: Date) {
  const existing = tx
    .select()
    .from(exchangeRates)
    .where(
      and(eq(exchangeRates.currency, rate.currency), eq(exchangeRates.quoteCurrency, reporting), eq(exchangeRates.validFrom, rate.validFrom)),
    )
    .get();
  if (existing) {
    tx.update(exchangeRates)
      .set({ rateMicros: rate.micros, createdBy: actor === "system" ? null : actor.id, createdAt: at })
      .where(eq(exchangeRates.id, existing.id))
      .run();
  } else {
    tx.insert(exchangeRates)
      .values({
        currency: rate.currency,
        quoteCurrency: reporting,
        validFrom: rate.validFrom,
        rateMicros: rate.micros,
        createdBy: actor === "system" ? null : actor.id,
        createdAt: at,
      })
      .run();
  }
  const id = existing?.id ?? (tx.select({ id: exchangeRates.id }).from(exchangeRates).orderBy(desc(exchangeRates.id)).limit(1).get()!.id);
  recordAudit(tx, {
    actor,
    action: existing ? "exchange_rate.replaced" : "exchange_rate.added",
    entityType: "exchange_rate",
    entityId: id,
    before: existing ? { currency: existing.currency, validFrom: existing.validFrom, rate: formatRate(existing.rateMicros) } : null,
    after: { currency: rate.currency, quoteCurrency: reporting, validFrom: rate.validFrom, rate: formatRate(rate.micros) },
    at,
  });
  refreshAffectedDeals(tx, rate.currency, rate.validFrom);
}

/** Adds a rate (or replaces the one for the same currency and day). Throws RateError by field. */
export function addExchangeRate(db: DB, actor: Actor, input: RateInput, at = new Date()) {
  const reporting = programCurrency(db);
  const problems = rateProblems(input, reporting);
  if (Object.keys(problems).length) throw new RateError(problems);
  const micros = (parseRateToMicros(input.rate) as { micros: number }).micros;
  writeTransaction(db, (tx) =>
    insertRate(tx, actor, reporting, { currency: input.currency.trim().toUpperCase(), validFrom: input.validFrom.trim(), micros }, at),
  );
}

/** Deletes a rate; false when it no longer exists. */
export function deleteExchangeRate(db: DB, actor: Actor, id: number, at = new Date()): boolean {
  return writeTransaction(db, (tx) => {
    const row = tx.select().from(exchangeRates).where(eq(exchangeRates.id, id)).get();
    if (!row) return false;
    tx.delete(exchangeRates).where(eq(exchangeRates.id, id)).run();
    recordAudit(tx, {
      actor,
      action: "exchange_rate.deleted",
      entityType: "exchange_rate",
      entityId: id,
      before: { currency: row.currency, quoteCurrency: row.quoteCurrency, validFrom: row.validFrom, rate: formatRate(row.rateMicros) },
      after: null,
      at,
    });
    refreshAffectedDeals(tx, row.currency, row.validFrom);
    return true;
  });
}

export const RATES_CSV_HEADER = ["currency", "valid_from", "rate"] as const;

/** The upload's template: the header and one example row per non-reporting deal currency. */
export function exchangeRatesTemplate(db: DB): string {
  const reporting = programCurrency(db);
  const examples: Record<string, string> = { USD: "1.08", EUR: "0.92", GBP: "1.27" };
  const rows = DEAL_CURRENCIES.filter((c) => c !== reporting).map((c) => `${c},2026-01-01,${examples[c] ?? "1"}`);
  return [
    `# One rate a line: 1 unit of currency = rate ${reporting}, from valid_from (YYYY-MM-DD) until the next rate.`,
    RATES_CSV_HEADER.join(","),
    ...rows,
  ].join("\r\n") + "\r\n";
}

export type RatesUploadResult = { ok: true; applied: number } | { ok: false; errors: { line: number; message: string }[] };

/**
 * Applies a CSV of rates (header currency,valid_from,rate; lines starting with # are comments)
 * all-or-nothing: any line with a problem and nothing is saved; each problem names its line.
 */
export function uploadExchangeRates(db: DB, actor: Actor, text: string, at = new Date()): RatesUploadResult {
  const reporting = programCurrency(db);
  let records;
  try {
    records = parseCsvRecords(text).filter((r) => !(r.fields.length === 1 && r.fields[0]!.trim() === "") && !r.fields[0]!.startsWith("#"));
  } catch (e) {
    if (e instanceof CsvParseError) return { ok: false, errors: [{ line: e.line, message: e.message }] };
    throw e;
  }
  if (records.length === 0) return { ok: false, errors: [{ line: 1, message: "The file is empty: start with the header currency,valid_from,rate." }] };
  const [header, ...rows] = records;
  const names = header!.fields.map((f) => f.trim().toLowerCase());
  if (names.join(",") !== RATES_CSV_HEADER.join(",")) {
    return {
      ok: false,
      errors: [{ line: header!.line, message: `The header must be exactly "${RATES_CSV_HEADER.join(",")}" (found "${header!.fields.join(",")}"). Download the template.` }],
    };
  }
  if (rows.length === 0) return { ok: false, errors: [{ line: header!.line, message: "The file has a header but no rates: add one line per rate." }] };
  const errors: { line: number; message: string }[] = [];
  const parsed: { currency: string; validFrom: string; micros: number }[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (r.fields.length !== 3) {
      errors.push({ line: r.line, message: `Expected 3 values (currency, valid_from, rate), found ${r.fields.length}.` });
      continue;
    }
    const [currency, validFrom, rate] = r.fields as [string, string, string];
    const problems = rateProblems({ currency, validFrom, rate }, reporting);
    if (Object.keys(problems).length) {
      errors.push({ line: r.line, message: Object.values(problems).join(" ") });
      continue;
    }
    const key = `${currency.trim().toUpperCase()}|${validFrom.trim()}`;
    if (seen.has(key)) {
      errors.push({ line: r.line, message: `${currency.trim().toUpperCase()} from ${validFrom.trim()} is already on line ${seen.get(key)}: keep one.` });
      continue;
    }
    seen.set(key, r.line);
    parsed.push({ currency: currency.trim().toUpperCase(), validFrom: validFrom.trim(), micros: (parseRateToMicros(rate) as { micros: number }).micros });
  }
  if (errors.length) return { ok: false, errors };
  writeTransaction(db, (tx) => {
    for (const rate of parsed) insertRate(tx, actor, reporting, rate, at);
  });
  return { ok: true, applied: parsed.length };
}
