// GET /internal/imports/mrr-template.csv — the MRR import's template for the partner team: the
// header and example rows taken from the portal as it is now, so the preview accepts it as it is.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../auth/guards.server";
import { mrrTemplate } from "../domain/imports.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  return new Response(`\uFEFF${mrrTemplate(args.context.db)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="mrr-template.csv"',
      "Cache-Control": "no-store",
    },
  });
}
