// GET /internal/reports/ecosystem/<YYYY-MM>.pdf — the internal monthly ecosystem report as a
// PDF, for the partner team only; a malformed or future month is a 400.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../auth/guards.server";
import { renderEcosystemPdf } from "../reports/pdf-pool.server";
import { ReportError, validateReportPeriod } from "../reports/contract";
import { buildEcosystemReport } from "../reports/ecosystem-report.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const period = args.params.period ?? "";
  try {
    validateReportPeriod(period);
  } catch (error) {
    if (error instanceof ReportError) throw new Response(error.message, { status: error.status });
    throw error;
  }
  const pdf = await renderEcosystemPdf(buildEcosystemReport(args.context.db, period));
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="ecosystem-report-${period}.pdf"`,
      "Content-Length": String(pdf.length),
      "Cache-Control": "private, no-store",
    },
  });
}
