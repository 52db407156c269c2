// Dated exchange rates (docs/domain.md "Money and currencies"): one row says that from
// `valid_from` on, one unit of `currency` is worth rate_micros / 1,000,000 units of
// `quote_currency` (the program's reporting currency). The rate for a date is the latest row on
// or before it. Exact integers only, so conversion is integer arithmetic in SQLite.
import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const exchangeRates = sqliteTable(
  "exchange_rates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    currency: text("currency").notNull(),
    quoteCurrency: text("quote_currency").notNull(),
    /** 'YYYY-MM-DD' (UTC calendar day) from which this rate applies. */
    validFrom: text("valid_from").notNull(),
    /** Units of quote currency per unit of currency, times 1,000,000. */
    rateMicros: integer("rate_micros").notNull(),
    createdBy: text("created_by"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("exchange_rates_pair_day_uq").on(t.currency, t.quoteCurrency, t.validFrom),
    check("exchange_rates_rate_positive", sql`${t.rateMicros} > 0`),
    check("exchange_rates_distinct", sql`${t.currency} <> ${t.quoteCurrency}`),
  ],
);
export type ExchangeRate = typeof exchangeRates.$inferSelect;
