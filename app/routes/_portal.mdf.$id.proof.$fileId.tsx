// GET /mdf/<id>/proof/<fileId> — a proof file of one of the signed-in partner's MDF claims.
// Another partner's file is a 404, the same as one that does not exist.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerAdmin } from "../auth/guards.server";
import { proofResponse } from "../components/mdf-proof.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  return proofResponse(args.context.db, args.context.config.DATABASE_PATH, { partnerId: user.partnerId }, args.params);
}
