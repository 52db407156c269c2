// GET /deals/check-domain?website=… — what the registration form may say about a website
// before it is submitted: free, the partner's own registration, or "already registered".
// Never who holds it: the answer carries no partner, customer name or deal of anyone else.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerUser } from "../auth/guards.server";
import { normalizeDomain } from "../domain/customers";
import { checkDomainForPartner, type DomainCheck } from "../domain/deals.server";

export type DomainCheckAnswer = DomainCheck | { status: "invalid" };

export async function loader(args: LoaderFunctionArgs) {
  // Fetched by the registration form in the background: signed out answers 401, never a redirect.
  const user = requirePartnerUser(args, { background: true });
  const website = new URL(args.request.url).searchParams.get("website") ?? "";
  const domain = normalizeDomain(website.slice(0, 255));
  const answer: DomainCheckAnswer = domain
    ? checkDomainForPartner(args.context.db, user.partnerId, domain)
    : { status: "invalid" };
  return Response.json(answer, { headers: { "Cache-Control": "no-store" } });
}
