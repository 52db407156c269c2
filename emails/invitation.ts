// The invitation to join the portal, sent to a new colleague of a partner or of the partner team.
import type { Role } from "../db/schema";
import { formatEmailDate, renderEmail, singleLine } from "./layout";

const ROLE_PHRASE: Record<Role, string> = {
  partner_user: "a partner user (register deals, follow your company's pipeline and reports)",
  partner_admin: "a partner admin (everything a partner user can do, plus managing your team)",
  partner_manager: "a partner manager (review registrations and tiers, follow every partner)",
  admin: "a program admin (everything, including program settings and users)",
};

export function invitationEmail(input: {
  inviteeName: string;
  inviterName: string;
  partnerName: string | null;
  role: Role;
  url: string;
  expiresAt: Date;
}) {
  const team = input.partnerName ?? "the partner team";
  const subject = singleLine(`${input.inviterName} invited you to ${team} on the Partner Portal`);
  const { html, text } = renderEmail({
    preheader: `Set your password to join ${team}. The link works until ${formatEmailDate(input.expiresAt)}.`,
    heading: `Join ${team} on the Partner Portal`,
    paragraphs: [
      `Hello ${input.inviteeName},`,
      `${input.inviterName} invited you to join ${team} on the Partner Portal as ${ROLE_PHRASE[input.role]}.`,
      `Choose your password to accept. The link works once and until ${formatEmailDate(input.expiresAt)}; after that, ask ${input.inviterName} to send a new one.`,
    ],
    action: { label: "Accept the invitation", url: input.url },
    footer: "If you did not expect this invitation, you can ignore this email: no account is created until the link is used.",
  });
  return { subject, html, text };
}
