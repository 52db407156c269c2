// To the registering partner when the partner team rejects a registration, with their reason.
import { renderEmail, singleLine } from "./layout";

export function dealRejectedEmail(input: {
  dealTitle: string;
  domain: string;
  reason: string;
  url: string;
}) {
  const { html, text } = renderEmail({
    preheader: `The partner team did not approve the registration for ${input.domain}.`,
    heading: "Your deal registration was not approved",
    paragraphs: [
      `The partner team reviewed your registration "${input.dealTitle}" (${input.domain}) and did not approve it.`,
      `Their reason: ${input.reason}`,
      "If you think this is a mistake, reply to your partner manager with what they should know.",
    ],
    action: { label: "Open the deal", url: input.url },
    footer: "You are receiving this because you registered this deal, or you are a partner admin of the registering partner.",
  });
  return { subject: singleLine(`Not approved: ${input.dealTitle}`), html, text };
}
