// To the applicant, right after they apply: we have it, and what happens next.
import { renderEmail } from "./layout";

export function applicationReceivedEmail(input: {
  programName: string;
  companyName: string;
  contactName: string;
}) {
  const firstName = input.contactName.trim().split(/\s+/)[0] || input.contactName;
  const { html, text } = renderEmail({
    preheader: `We received ${input.companyName}'s application to the ${input.programName}.`,
    heading: "Thanks for applying",
    paragraphs: [
      `Hi ${firstName},`,
      `We received the application from ${input.companyName} to join the ${input.programName}.`,
      "Our partner team reviews every application by hand and usually answers within a few business days. If it is approved, you will get an invitation to set up your account in the partner portal.",
      "There is nothing else you need to do for now.",
    ],
    footer: `You are receiving this because this address was given as the contact for a ${input.programName} application.`,
  });
  return { subject: `We received your application to the ${input.programName}`, html, text };
}
