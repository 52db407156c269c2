// The security notice sent after a password change or reset, so an owner who did not make the
// change learns of it and can take the account back.
import { formatEmailDate, renderEmail, singleLine } from "./layout";

export function passwordChangedEmail(input: {
  name: string;
  changedAt: Date;
  /** Where to start a reset if the change was not the owner's doing. */
  forgotPasswordUrl: string;
}) {
  const subject = singleLine("Your Partner Portal password was changed");
  const { html, text } = renderEmail({
    preheader: "If this was not you, reset your password now.",
    heading: "Your password was changed",
    paragraphs: [
      `Hello ${input.name},`,
      `The password of your Partner Portal account was changed on ${formatEmailDate(input.changedAt)}, and every session that was signed in was signed out.`,
      "If you made this change, there is nothing else to do.",
      "If you did not, reset your password now with the link below and tell your administrator.",
    ],
    action: { label: "Reset my password", url: input.forgotPasswordUrl },
    footer: "This is a security notice: it is sent for every password change and cannot be turned off.",
  });
  return { subject, html, text };
}
