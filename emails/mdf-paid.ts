// To the partner's admins when the partner team approves an MDF claim for payment.
import { renderEmail, singleLine } from "./layout";

export function mdfPaidEmail(input: { title: string; amount: string; url: string }) {
  const { html, text } = renderEmail({
    preheader: `${input.amount} approved for payment.`,
    heading: "Your MDF claim is approved for payment",
    paragraphs: [`The partner team approved your claim of ${input.amount} for “${input.title}”. It will be paid with the next payment run.`],
    action: { label: "Open the request", url: input.url },
    footer: "You are receiving this because you are a partner admin.",
  });
  return { subject: singleLine(`MDF claim approved: ${input.title}`), html, text };
}
