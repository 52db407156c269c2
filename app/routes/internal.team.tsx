// The partner team's own accounts: staff users and open staff invitations. Staff accounts are
// program admins' business: only they invite (partner managers or admins), cancel staff
// invitations and disable or enable staff accounts. Partner managers see the page read-only,
// and every write from them answers 403 before the action reads the form.
import { newIdempotencyToken } from "../domain/idempotency.server";
import { keptEntries } from "../auth/kept-entries.server";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireAdmin, requireStaff } from "../auth/guards.server";
import { teamAction } from "../components/team-action.server";
import { inviteSchemaFor, TeamPage } from "../components/team-page";
import { listOpenInvitations } from "../domain/invitations.server";
import { listStaffUsers } from "../domain/users.server";

export const meta: MetaFunction = () => [{ title: "Team · Partner team" }];

const MANAGER_OPTION = {
  value: "partner_manager",
  label: "Partner manager: reviews registrations and tiers, follows partners",
} as const;
const ADMIN_OPTION = { value: "admin", label: "Program admin: everything, including settings and users" } as const;

const inviteSchema = inviteSchemaFor(["partner_manager", "admin"], "Choose a role: partner manager or program admin.");

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  return {
    me: user.id,
    isAdmin: user.role === "admin",
    idempotencyToken: newIdempotencyToken(),
    keptInvite: keptEntries(args, user.id, "invite"),
    people: listStaffUsers(db),
    invitations: listOpenInvitations(db, { staff: true }),
  };
}

const ADMINS_ONLY =
  "Only program admins can invite, cancel invitations, or disable and enable accounts of the partner team.";

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args, ADMINS_ONLY);
  return teamAction(args, { user, scope: { staff: true }, inviteSchema });
}

export default function StaffTeam() {
  const { isAdmin } = useLoaderData<typeof loader>();
  return (
    <TeamPage
      description="The partner team: program admins and partner managers."
      peopleNote={isAdmin ? null : `${ADMINS_ONLY} Ask a program admin.`}
      canToggle={isAdmin}
      canRevoke={isAdmin}
      invite={
        isAdmin
          ? {
              heading: "Invite to the partner team",
              schema: inviteSchema,
              roleOptions: [MANAGER_OPTION, ADMIN_OPTION],
              defaultRole: "partner_manager",
            }
          : null
      }
    />
  );
}
