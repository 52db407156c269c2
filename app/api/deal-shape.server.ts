// A deal as the API answers it and webhook events carry it: one set of columns, one mapping
// (instants as ISO strings), so a CRM sees the same object from a GET and from an event.
import { customers, deals, partners } from "../../db/schema";

export const DEAL_COLUMNS = {
  id: deals.id,
  partnerId: deals.partnerId,
  partnerSlug: partners.slug,
  domain: customers.domain,
  customerName: deals.customerName,
  stage: deals.stage,
  amountCents: deals.amountCents,
  currency: deals.currency,
  productLine: deals.productLine,
  expectedCloseOn: deals.expectedCloseOn,
  submittedAt: deals.submittedAt,
  decidedAt: deals.decidedAt,
  protectionEndsAt: deals.protectionEndsAt,
  closedAt: deals.closedAt,
};

type DealRow = {
  submittedAt: Date;
  decidedAt: Date | null;
  protectionEndsAt: Date | null;
  closedAt: Date | null;
};

export function apiDeal<R extends DealRow>(row: R) {
  return {
    ...row,
    submittedAt: row.submittedAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    protectionEndsAt: row.protectionEndsAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}
