// To the partner's admins when the partner team approves or rejects an MDF request.
import { renderEmail, singleLine } from "./layout";

export function mdfDecidedEmail(input: { title: string; amount: string; approved: boolean; reason: string | null; remaining: string; quarter: string; url: string }) {
  const { html, text } = renderEmail({
    preheader: input.approved ? `${input.amount} approved for ${input.title}.` : `Your MDF request for ${input.title} was not approved.`,
    heading: input.approved ? "Your MDF request is approved" : "Your MDF request was not approved",
    paragraphs: input.approved
      ? [
          `The partner team approved ${input.amount} of market development funds for “${input.title}”.`,
          `After the activity, claim the funds with proof (invoice, photos, attendee list) and its results. ${input.remaining} of your ${input.quarter} allowance is left.`,
        ]
      : [`The partner team did not approve ${input.amount} for “${input.title}”.`, `Their reason: ${input.reason ?? "No reason was given."}`],
    action: { label: "Open the request", url: input.url },
    footer: "You are receiving this because you are a partner admin.",
  });
  return { subject: singleLine(input.approved ? `MDF approved: ${input.title}` : `MDF not approved: ${input.title}`), html, text };
}
