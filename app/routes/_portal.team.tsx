// A partner admin's team: colleagues of their own partner, open invitations, inviting a new
// colleague, disabling or enabling accounts, and changing a colleague's name, role and report
// opt-in (never leaving the partner without an enabled admin: users.server.ts). Every id from a form is checked against the
// partner of the signed-in admin: another partner's user or invitation is a 404.
import { newIdempotencyToken } from "../domain/idempotency.server";
import { keptEntries } from "../auth/kept-entries.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requirePartnerAdmin } from "../auth/guards.server";
import { teamAction } from "../components/team-action.server";
import { inviteSchemaFor, TeamPage } from "../components/team-page";
import { listOpenInvitations } from "../domain/invitations.server";
import { listPartnerUsers } from "../domain/users.server";

export const meta: MetaFunction = () => [{ title: "Team · Partner Portal" }];

const ROLE_OPTIONS = [
  { value: "partner_user", label: "Partner user: registers deals, sees the company's deals and reports" },
  { value: "partner_admin", label: "Partner admin: everything above, plus managing the team" },
] as const;

const inviteSchema = inviteSchemaFor(["partner_user", "partner_admin"], "Choose a role: partner user or partner admin.");

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const { db } = args.context;
  return {
    me: user.id,
    partnerName: user.partnerName,
    idempotencyToken: newIdempotencyToken(),
    keptInvite: keptEntries(args, user.id, "invite"),
    people: listPartnerUsers(db, user.partnerId),
    invitations: listOpenInvitations(db, { partnerId: user.partnerId }),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  return teamAction(args, { user, scope: { partnerId: user.partnerId }, inviteSchema, canEdit: true });
}

export default function PartnerTeam() {
  const { partnerName } = useLoaderData<typeof loader>();
  return (
    <TeamPage
      description={`Everyone at ${partnerName} who can use the Partner Portal.`}
      canToggle={true}
      editRoles={ROLE_OPTIONS}
      invite={{ heading: "Invite a colleague", schema: inviteSchema, roleOptions: ROLE_OPTIONS, defaultRole: "partner_user" }}
    />
  );
}
