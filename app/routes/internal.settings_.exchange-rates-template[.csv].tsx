// GET /internal/settings/exchange-rates-template.csv — the exchange-rate upload's template.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../auth/guards.server";
import { exchangeRatesTemplate } from "../domain/exchange-rates.server";

export async function loader(args: LoaderFunctionArgs) {
  requireAdmin(args);
  return new Response(`\uFEFF${exchangeRatesTemplate(args.context.db)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="exchange-rates-template.csv"',
      "Cache-Control": "no-store",
    },
  });
}
