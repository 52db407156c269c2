// The partner team's own accounts: staff users, open staff invitations, inviting a partner
// manager (or, for program admins, another admin), and disabling or enabling staff accounts,
// which only program admins may do.
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { notFound, requireAdmin, requireStaff } from "../auth/guards.server";
import { InvitationsSection, PeopleTable } from "../components/team-tables";
import { Field, FormErrors, SelectField } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import {
  inviteAndSend,
  listOpenInvitations,
  revokeInvitation,
} from "../domain/invitations.server";
import { listStaffUsers, setUserDisabled, UserError } from "../domain/users.server";

export const meta: MetaFunction = () => [{ title: "Team · Partner team" }];

const MANAGER_OPTION = {
  value: "partner_manager",
  label: "Partner manager: reviews registrations and tiers, follows partners",
} as const;
const ADMIN_OPTION = { value: "admin", label: "Program admin: everything, including settings and users" } as const;

const inviteSchema = z.object({
  intent: z.literal("invite"),
  name: z
    .string({ required_error: "Enter your colleague's name." })
    .trim()
    .min(1, "Enter your colleague's name.")
    .max(100, "Use at most 100 characters for the name."),
  email: z
    .string({ required_error: "Enter your colleague's email address." })
    .trim()
    .email("Enter a valid email address, such as name@company.com."),
  role: z.enum(["partner_manager", "admin"], {
    errorMap: () => ({ message: "Choose a role: partner manager or program admin." }),
  }),
});

const idSchema = z.coerce.number().int().positive();

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
  const { context, request } = args;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = actorOf(user);

  if (intent === "invite") {
    const submission = parseWithZod(formData, { schema: inviteSchema });
    if (submission.status !== "success") {
      return data({ intent, result: submission.reply(), notice: null, error: null }, { status: 400 });
    }
    if (submission.value.role === "admin") requireAdmin(args);
    const outcome = await inviteAndSend(context, {
      email: submission.value.email,
      name: submission.value.name,
      role: submission.value.role,
      partnerId: null,
      actor,
      inviterName: user.name,
    });
    if (!outcome.ok) {
      const result =
        outcome.status === 409
          ? submission.reply({ fieldErrors: { email: [outcome.message] } })
          : submission.reply({ formErrors: [outcome.message] });
      return data({ intent, result, notice: null, error: null }, { status: outcome.status });
    }
    return {
      intent,
      result: submission.reply({ resetForm: true }),
      notice: `Invitation sent to ${submission.value.email.toLowerCase()}. The link works for 7 days.`,
      error: null,
    };
  }

  if (intent === "revoke") {
    const id = idSchema.safeParse(formData.get("invitationId"));
    if (!id.success) notFound();
    const revoked = revokeInvitation(context.db, actor, id.data, { staff: true });
    if (!revoked) notFound();
    return { intent, result: null, notice: `The invitation to ${revoked.email} is cancelled.`, error: null };
  }

  if (intent === "disable" || intent === "enable") {
    requireAdmin(args);
    const userId = String(formData.get("userId") ?? "");
    try {
      const changed = setUserDisabled(context.db, actor, {
        userId,
        disabled: intent === "disable",
        scope: { staff: true },
      });
      if (!changed) notFound();
      return {
        intent,
        result: null,
        notice: changed.disabled
          ? `${changed.name} is disabled and was signed out everywhere.`
          : `${changed.name} can sign in again.`,
        error: null,
      };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return data({ intent, result: null, notice: null, error: error.message }, { status: 400 });
    }
  }

  return data({ intent, result: null, notice: null, error: "That action is not known. Reload the page and try again." }, { status: 400 });
}

export default function StaffTeam() {
  const { me, isAdmin, people, invitations } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const [form, fields] = useForm({
    lastResult: actionData?.intent === "invite" ? actionData.result : undefined,
    defaultValue: { role: "partner_manager" },
    constraint: getZodConstraint(inviteSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema }),
  });
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">The partner team: program admins and partner managers.</p>
        </div>
      </div>
      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
        </p>
      ) : null}
      {actionData?.error ? <FormErrors errors={[actionData.error]} /> : null}

      <section className="card" aria-labelledby="people">
        <h2 id="people">People</h2>
        {isAdmin ? null : <p className="muted small">Only program admins can disable or enable accounts.</p>}
        <PeopleTable people={people} me={me} canToggle={isAdmin} busy={busy} />
      </section>

      <InvitationsSection invitations={invitations} busy={busy} />

      <section className="card" aria-labelledby="invite">
        <h2 id="invite">Invite to the partner team</h2>
        <p className="muted small">
          They get an email with a link to choose their password; it works once, for 7 days. Inviting the same address
          again replaces the earlier link.
        </p>
        <Form method="post" className="form" {...getFormProps(form)}>
          <input type="hidden" name="intent" value="invite" />
          <FormErrors errors={form.errors} id={form.errorId} />
          <Field meta={fields.name} label="Name" autoComplete="off" />
          <Field meta={fields.email} label="Email" type="email" autoComplete="off" />
          <SelectField meta={fields.role} label="Role" options={isAdmin ? [MANAGER_OPTION, ADMIN_OPTION] : [MANAGER_OPTION]} />
          <div className="row">
            <button type="submit" disabled={busy}>
              Send the invitation
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}
