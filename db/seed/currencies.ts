// Deals in other currencies for the generated program (docs/domain.md "Money and currencies"):
// dated EUR and GBP rates over the whole window, and a small share of deals (4% each) moved
// into EUR or GBP with their amount restated at their own rate day, so that converted figures —
// and so the tiers the generator chose — stay within a cent of what was planned in the reporting
// currency. Deterministic: by deal id.
import type { DB } from "../../app/db.server";
import { dealRateDaySql, REPORTING_CURRENCY_SQL } from "../../app/domain/money.server";
import { dayOf } from "../../app/domain/money";

/** Per currency: [months before asOf the rate starts, rate in micro-units of the reporting currency]. */
const RATES: Record<string, [number, number][]> = {
  EUR: [[120, 1_080_000], [18, 1_095_000], [9, 1_120_500], [3, 1_163_400]],
  GBP: [[120, 1_265_000], [18, 1_252_000], [9, 1_289_800], [3, 1_331_700]],
};

export function seedCurrencies(db: DB, asOf: Date, adminId: string | null) {
  const c = db.$client;
  const reporting = c.prepare(`SELECT ${REPORTING_CURRENCY_SQL}`).pluck().get() as string;
  if (reporting !== "USD") return;
  const insert = c.prepare(
    `INSERT INTO exchange_rates (currency, quote_currency, valid_from, rate_micros, created_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (currency, quote_currency, valid_from) DO NOTHING`,
  );
  for (const [currency, list] of Object.entries(RATES)) {
    for (const [monthsBack, micros] of list) {
      const from = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - monthsBack, 1));
      insert.run(currency, reporting, dayOf(from), micros, adminId);
    }
  }
  // amount in the other currency = reporting amount / rate at the deal's rate day, rounded.
  const rateAt = (currency: string) =>
    `(SELECT rate_micros FROM exchange_rates xr WHERE xr.currency = '${currency}' AND xr.quote_currency = '${reporting}'
       AND xr.valid_from <= ${dealRateDaySql("deals", asOf)} ORDER BY xr.valid_from DESC LIMIT 1)`;
  for (const [currency, remainder] of [["EUR", 3], ["GBP", 11]] as const) {
    c.prepare(
      `UPDATE deals SET amount_cents = (amount_cents * 1000000 + ${rateAt(currency)} / 2) / ${rateAt(currency)}, currency = '${currency}'
        WHERE id % 25 = ${remainder} AND currency = '${reporting}' AND ${rateAt(currency)} IS NOT NULL`,
    ).run();
  }
}
