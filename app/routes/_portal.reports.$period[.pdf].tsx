// GET /reports/<YYYY-MM>.pdf — the signed-in partner's monthly report as a PDF, rendered on
// demand from the same report model as the page and the email, in the PDF worker pool (off the
// event loop). The partner is the session's; a malformed or future month is a 400. ("[.pdf]"
// escapes the dot: it is part of the segment.)
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerUser } from "../auth/guards.server";
import { ReportError, validateReportPeriod } from "../reports/contract";
import { buildPartnerReport } from "../reports/partner-report.server";
import { renderPartnerPdf } from "../reports/pdf-pool.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const period = args.params.period ?? "";
  try {
    validateReportPeriod(period);
  } catch (error) {
    if (error instanceof ReportError) throw new Response(error.message, { status: error.status });
    throw error;
  }
  const report = buildPartnerReport(args.context.db, user.partnerId, period);
  const pdf = await renderPartnerPdf(report);
  const slug = user.partnerSlug.replace(/[^a-z0-9-]/g, "") || "partner";
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="report-${slug}-${period}.pdf"`,
      "Content-Length": String(pdf.length),
      "Cache-Control": "no-store",
    },
  });
}
