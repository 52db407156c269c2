// To the registering partner when their deal is recorded as won.
import { formatDate, formatMoney } from "../app/domain/format";
import { renderEmail, singleLine } from "./layout";

export function dealWonEmail(input: {
  dealTitle: string;
  domain: string;
  amountCents: number;
  currency: string;
  closedAt: Date;
  url: string;
}) {
  const amount = formatMoney(input.amountCents, input.currency);
  const { html, text } = renderEmail({
    preheader: `${input.dealTitle} closed won: ${amount}.`,
    heading: "Your deal was won",
    paragraphs: [
      `Congratulations: "${input.dealTitle}" (${input.domain}) closed won on ${formatDate(input.closedAt)} for ${amount}.`,
      "The deal now counts towards your credited revenue and your tier.",
    ],
    action: { label: "Open the deal", url: input.url },
    footer: "You are receiving this because you registered this deal, or you are a partner admin of the registering partner.",
  });
  return { subject: singleLine(`Won: ${input.dealTitle} (${amount})`), html, text };
}
