// To the registering partner, once, 14 days before an approved registration's protection ends.
import { formatDate } from "../app/domain/format";
import { renderEmail, singleLine } from "./layout";

export function dealExpiringEmail(input: {
  dealTitle: string;
  domain: string;
  protectionEndsAt: Date;
  daysLeft: number;
  url: string;
}) {
  const until = formatDate(input.protectionEndsAt);
  const days = input.daysLeft === 1 ? "1 day" : `${input.daysLeft} days`;
  const { html, text } = renderEmail({
    preheader: `Protection for ${input.domain} ends on ${until}.`,
    heading: "Your deal protection ends soon",
    paragraphs: [
      `Your registration "${input.dealTitle}" (${input.domain}) is protected until ${until} (UTC), ${days} from now.`,
      "If the deal is not won or lost by then, the registration expires and the account is free for anyone to register. Tell your partner manager how the deal stands, or update it in the portal.",
    ],
    action: { label: "Open the deal", url: input.url },
    footer: "You are receiving this because you registered this deal, or you are a partner admin of the registering partner.",
  });
  return { subject: singleLine(`Protection ends ${until}: ${input.dealTitle}`), html, text };
}
