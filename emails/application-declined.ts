// To the applicant when the partner team declines: the decision and the reason they gave.
import { renderEmail } from "./layout";

export function applicationDeclinedEmail(input: {
  programName: string;
  companyName: string;
  contactName: string;
  reason: string;
}) {
  const firstName = input.contactName.trim().split(/\s+/)[0] || input.contactName;
  const { html, text } = renderEmail({
    preheader: `An update on ${input.companyName}'s application to the ${input.programName}.`,
    heading: "About your partner application",
    paragraphs: [
      `Hi ${firstName},`,
      `Thank you for your interest in the ${input.programName}. After reviewing the application from ${input.companyName}, we are not able to accept it at this time.`,
      `The partner team's reason: ${input.reason}`,
      "If your situation changes, you are welcome to apply again.",
    ],
    footer: `You are receiving this because this address was given as the contact for a ${input.programName} application.`,
  });
  return { subject: `Your application to the ${input.programName}`, html, text };
}
