// GET /internal/mdf/<id>/proof/<fileId> — a proof file of an MDF claim, for the partner team.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "../auth/guards.server";
import { proofResponse } from "../components/mdf-proof.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  return proofResponse(args.context.db, args.context.config.DATABASE_PATH, { partnerId: null }, args.params);
}
