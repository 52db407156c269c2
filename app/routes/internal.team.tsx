// The partner team's own accounts: staff users, open staff invitations, inviting a partner
// manager (or, for program admins, another admin), and disabling or enabling staff accounts,
// which only program admins may do.
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
    people: listStaffUsers(db),
    invitations: listOpenInvitations(db, { staff: true }),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  return teamAction(args, {
    user,
    scope: { staff: true },
    inviteSchema,
    authorizeInvite: (role) => {
      if (role === "admin") requireAdmin(args);
    },
    authorizeToggle: () => requireAdmin(args),
  });
}

export default function StaffTeam() {
  const { isAdmin } = useLoaderData<typeof loader>();
  return (
    <TeamPage
      description="The partner team: program admins and partner managers."
      peopleNote={isAdmin ? null : "Only program admins can disable or enable accounts."}
      canToggle={isAdmin}
      invite={{
        heading: "Invite to the partner team",
        schema: inviteSchema,
        roleOptions: isAdmin ? [MANAGER_OPTION, ADMIN_OPTION] : [MANAGER_OPTION],
        defaultRole: "partner_manager",
      }}
    />
  );
}
