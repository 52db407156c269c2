// To the registering partner when the partner team approves a registration: the account is
// theirs until the protection window ends.
import { formatDate, formatMoney } from "../app/domain/format";
import { renderEmail, singleLine } from "./layout";

export function dealApprovedEmail(input: {
  dealTitle: string;
  customerName: string;
  domain: string;
  amountCents: number;
  currency: string;
  protectionEndsAt: Date;
  url: string;
}) {
  const until = formatDate(input.protectionEndsAt);
  const { html, text } = renderEmail({
    preheader: `${input.customerName} is registered to you until ${until}.`,
    heading: "Your deal registration was approved",
    paragraphs: [
      `The partner team approved your registration "${input.dealTitle}" (${input.domain}, ${formatMoney(input.amountCents, input.currency)}).`,
      `${input.customerName} is protected for you until ${until} (UTC). Close the deal before then: an approved registration that is neither won nor lost by that date expires and the account is free to register again.`,
    ],
    action: { label: "Open the deal", url: input.url },
    footer: "You are receiving this because you registered this deal, or you are a partner admin of the registering partner.",
  });
  return { subject: singleLine(`Approved: ${input.dealTitle}`), html, text };
}
