// The long tail of the ecosystem page as CSV, with the same URL filters, every matching row
// (not just a page) and the numbers behind each flag. Staff only: it names partners.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../auth/guards.server";
import { toCsv } from "../domain/csv";
import { ecosystemReport, filterLongTail, longTailFiltersFromSearch, type LongTailRow } from "../domain/ecosystem.server";
import { describeEvidence } from "../domain/long-tail";
import { listManagers } from "../domain/partners.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const filters = longTailFiltersFromSearch(new URL(args.request.url).searchParams);
  const report = ecosystemReport(db);
  const rows = filterLongTail(report.longTail.rows, filters);
  const managers = new Map(listManagers(db).map((m) => [m.id, m.name]));
  const dollars = (cents: number) => (cents / 100).toFixed(2);
  const csv = toCsv<LongTailRow>(rows, [
    { header: "partner", value: (r) => r.partner.name },
    { header: "slug", value: (r) => r.partner.slug },
    { header: "kind", value: (r) => r.partner.kind },
    { header: "region", value: (r) => r.partner.region },
    { header: "manager", value: (r) => (r.partner.managerId ? managers.get(r.partner.managerId) ?? "" : "") },
    { header: "joined_on", value: (r) => r.partner.joinedOn },
    { header: "credited_revenue_12m", value: (r) => dollars(r.partner.revenueCents) },
    { header: "share", value: (r) => r.partner.share.toFixed(6) },
    { header: "credited_revenue_last_3m", value: (r) => dollars(r.partner.last3Cents) },
    { header: "credited_revenue_prev_3m", value: (r) => dollars(r.partner.prev3Cents) },
    { header: "registered_won_12m", value: (r) => r.partner.wonDeals },
    { header: "registered_lost_12m", value: (r) => r.partner.lostDeals },
    { header: "last_activity_on", value: (r) => (r.lastActivityAt === null ? "" : new Date(r.lastActivityAt).toISOString().slice(0, 10)) },
    { header: "flags", value: (r) => r.flags.map((e) => e.flag).join(" ") },
    { header: "why", value: (r) => r.flags.map((e) => `${e.flag}: ${describeEvidence(e)}`).join(" | ") },
  ]);
  const period = report.snapshot.period;
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="long-tail-${period.lastDay}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
