// GET /internal/imports/outcomes-template.csv — the Deal outcomes import's template for the partner team: the
// header and example rows taken from the portal as it is now, so the preview accepts it as it is.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../auth/guards.server";
import { outcomeTemplate } from "../domain/imports.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  return new Response(`\uFEFF${outcomeTemplate(args.context.db)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="outcomes-template.csv"',
      "Cache-Control": "no-store",
    },
  });
}
