// GET /deals.csv — the partner's own deals as CSV, with the same filters as the list
// (?stage=&from=&to=&q=); a filter that is not valid answers 400 with what to fix. Amounts are decimal currency units; dates are UTC calendar days.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerUser } from "../auth/guards.server";
import { toCsv, type CsvColumn } from "../domain/csv";
import { dealFilterErrorText, parseDealFilters } from "../domain/deals";
import { exportPartnerDeals } from "../domain/partner-deals.server";
import { centsToDecimal } from "../domain/products";

type Row = ReturnType<typeof exportPartnerDeals>[number];

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

const COLUMNS: CsvColumn<Row>[] = [
  { header: "Deal ID", value: (r) => r.id },
  { header: "Title", value: (r) => r.title },
  { header: "Customer", value: (r) => r.customer },
  { header: "Domain", value: (r) => r.domain },
  { header: "Stage", value: (r) => r.stage },
  { header: "Amount", value: (r) => centsToDecimal(r.amountCents) },
  { header: "Currency", value: (r) => r.currency },
  { header: "Product line", value: (r) => r.productLine },
  { header: "Expected close", value: (r) => r.expectedCloseOn },
  { header: "Submitted", value: (r) => day(r.submittedAt) },
  { header: "Decided", value: (r) => day(r.decidedAt) },
  { header: "Protection ends", value: (r) => day(r.protectionEndsAt) },
  { header: "Closed", value: (r) => day(r.closedAt) },
  { header: "Rejection reason", value: (r) => r.rejectionReason },
];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const parsed = parseDealFilters(new URL(args.request.url).searchParams);
  if (Object.keys(parsed.errors).length) {
    // An export must not quietly ignore a filter: the file would hold other deals than asked for.
    return new Response(`${dealFilterErrorText(parsed.errors)}\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const rows = exportPartnerDeals(args.context.db, user.partnerId, parsed.filters);
  const slug = (user.partnerSlug ?? "").replace(/[^a-z0-9-]/g, "") || "partner";
  const filename = `deals-${slug}-${new Date().toISOString().slice(0, 10)}.csv`;
  // The byte-order mark makes Excel read the file as UTF-8 (accented customer names).
  return new Response(`\uFEFF${toCsv(rows, COLUMNS)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}
