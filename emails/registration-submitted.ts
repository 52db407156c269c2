// To the partner's manager (or the program admins) when a partner registers a deal: what was
// registered, whether it needs a closer look, and the link to review it.
import { renderEmail, singleLine } from "./layout";

export function registrationSubmittedEmail(input: {
  dealId: number;
  partnerName: string;
  submitterName: string | null;
  /** The name the registering partner typed. */
  customerName: string;
  /** The shared customer record's name (the domain's first registrant's wording). */
  customerRecordName?: string;
  domain: string;
  amount: string;
  productLine: string;
  expectedCloseOn: string;
  /** Submitted although the account was already registered (or is an existing customer). */
  flagged: boolean;
  conflictNote: string | null;
  url: string;
}) {
  const by = input.submitterName ? `${input.submitterName} of ${input.partnerName}` : input.partnerName;
  const subject = singleLine(
    `${input.flagged ? "Flagged registration" : "New registration"} #${input.dealId}: ${input.customerName} from ${input.partnerName}`,
  );
  const paragraphs = [
    `${by} registered a deal with ${input.customerName} (${input.domain}): ${input.productLine}, ${input.amount}, expected to close on ${input.expectedCloseOn}.`,
  ];
  if (input.customerRecordName && input.customerRecordName !== input.customerName) {
    paragraphs.push(`Customer record: ${input.customerRecordName} · typed by partner: ${input.customerName}.`);
  }
  if (input.flagged) {
    paragraphs.push(
      "It is flagged: the account was already registered or is an existing customer. The partner submitted it for review anyway.",
    );
    if (input.conflictNote) paragraphs.push(`The partner's note: ${input.conflictNote}`);
  }
  paragraphs.push("Approve it to start the partner's protection period, or reject it with a reason the partner will see.");
  const { html, text } = renderEmail({
    preheader: `${input.partnerName} registered ${input.customerName}. It is waiting for your review.`,
    heading: `Registration #${input.dealId} is waiting for review`,
    paragraphs,
    action: { label: "Review the registration", url: input.url },
    footer: "You are receiving this because you are the partner manager of this partner, or a program admin.",
  });
  return { subject, html, text };
}
