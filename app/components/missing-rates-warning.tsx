// The visible warning next to converted totals when some deals have no exchange rate for their
// day (money.server.ts missingRates): those amounts are left out of the totals, never taken 1:1.
// Staff get a link to add the rate; partners are told the program team adds it.
import { Link } from "@remix-run/react";
import type { MissingRates } from "../domain/money.server";

export const EXCHANGE_RATES_PATH = "/internal/settings/exchange-rates";

export function MissingRatesWarning({ missing, canAddRates = false }: { missing: MissingRates; canAddRates?: boolean }) {
  if (missing.deals === 0) return null;
  const pairs = missing.currencies.map((c) => `${c}→${missing.reportingCurrency}`).join(", ");
  return (
    <p className="form-error small" role="status" data-testid="missing-rates">
      <strong>Missing exchange rate.</strong> {missing.deals} {missing.deals === 1 ? "deal is" : "deals are"} left out of
      the {missing.reportingCurrency} totals: no {pairs} rate on or before {missing.earliestDay}.{" "}
      {canAddRates ? (
        <Link to={EXCHANGE_RATES_PATH}>Add the rate</Link>
      ) : (
        "The program team maintains exchange rates; the deals themselves are unaffected."
      )}
    </p>
  );
}

/** The short note a converted total carries. */
export function ConversionNote({ currency }: { currency: string }) {
  return (
    <span className="muted small" data-testid="conversion-note">
      In {currency}; won deals at their close-date rate, pipeline at today's.
    </span>
  );
}
