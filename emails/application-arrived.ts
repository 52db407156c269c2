// To the partner team (partner managers and program admins), when someone applies to join:
// who applied, and where to review it.
import { renderEmail, singleLine } from "./layout";

export function applicationArrivedEmail(input: {
  programName: string;
  companyName: string;
  contactName: string;
  contactEmail: string;
  kind: string;
  region: string;
  reviewUrl: string;
}) {
  const company = singleLine(input.companyName);
  const { html, text } = renderEmail({
    preheader: `${company} applied to the ${input.programName}.`,
    heading: "A new partner application",
    paragraphs: [
      `${company} applied to join the ${input.programName}.`,
      `Contact: ${input.contactName} (${input.contactEmail}). Kind: ${input.kind}. Region: ${input.region}.`,
      "Review it on the Applications page: approve it to invite the contact, or decline it with a reason.",
    ],
    action: { label: "Review the application", url: input.reviewUrl },
    footer: `You are receiving this because you are a partner manager or program admin of the ${input.programName}.`,
  });
  return { subject: `New partner application: ${company}`, html, text };
}
