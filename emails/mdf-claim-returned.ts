// To the partner's admins when the partner team returns an MDF claim for changes.
import { renderEmail, singleLine } from "./layout";

export function mdfClaimReturnedEmail(input: { title: string; amount: string; reason: string; url: string }) {
  const { html, text } = renderEmail({
    preheader: `Your claim for ${input.title} needs changes.`,
    heading: "Your MDF claim was returned for changes",
    paragraphs: [
      `The partner team returned your claim for “${input.title}” without paying it.`,
      `Their reason: ${input.reason}`,
      `The ${input.amount} approved for the activity is still yours: claim again with new proof and results.`,
    ],
    action: { label: "Claim again", url: input.url },
    footer: "You are receiving this because you are a partner admin.",
  });
  return { subject: singleLine(`MDF claim returned for changes: ${input.title}`), html, text };
}
