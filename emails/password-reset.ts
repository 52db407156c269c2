// The password reset link, sent on request from the forgot-password page.
import { formatEmailDate, renderEmail, singleLine } from "./layout";

export function passwordResetEmail(input: { name: string; url: string; expiresAt: Date }) {
  const subject = singleLine("Reset your Partner Portal password");
  const { html, text } = renderEmail({
    preheader: `This link works once, until ${formatEmailDate(input.expiresAt)}.`,
    heading: "Reset your password",
    paragraphs: [
      `Hello ${input.name},`,
      "Someone, hopefully you, asked to reset the password of your Partner Portal account. Choose a new password with the link below.",
      `The link works once and until ${formatEmailDate(input.expiresAt)}. Using it signs you out everywhere.`,
    ],
    action: { label: "Choose a new password", url: input.url },
    footer: "If you did not ask for this, ignore this email: your password stays the same.",
  });
  return { subject, html, text };
}
