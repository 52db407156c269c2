// A partner admin's team: colleagues of their own partner, open invitations, inviting a new
// colleague, and disabling or enabling accounts. Every id from a form is checked against the
// partner of the signed-in admin: another partner's user or invitation is a 404.
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { notFound, requirePartnerAdmin } from "../auth/guards.server";
import { InvitationsSection, PeopleTable } from "../components/team-tables";
import { Field, FormErrors, SelectField } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import {
  inviteAndSend,
  listOpenInvitations,
  revokeInvitation,
} from "../domain/invitations.server";
import { listPartnerUsers, setUserDisabled, UserError } from "../domain/users.server";

export const meta: MetaFunction = () => [{ title: "Team · Partner Portal" }];

const ROLE_OPTIONS = [
  { value: "partner_user", label: "Partner user: registers deals, sees the company's deals and reports" },
  { value: "partner_admin", label: "Partner admin: everything above, plus managing the team" },
] as const;

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
  role: z.enum(["partner_user", "partner_admin"], {
    errorMap: () => ({ message: "Choose a role: partner user or partner admin." }),
  }),
});

const idSchema = z.coerce.number().int().positive();

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const { db } = args.context;
  return {
    me: user.id,
    partnerName: user.partnerName,
    people: listPartnerUsers(db, user.partnerId),
    invitations: listOpenInvitations(db, { partnerId: user.partnerId }),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const { context, request } = args;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = actorOf(user);

  if (intent === "invite") {
    const submission = parseWithZod(formData, { schema: inviteSchema });
    if (submission.status !== "success") {
      return data({ intent, result: submission.reply(), notice: null, error: null }, { status: 400 });
    }
    const outcome = await inviteAndSend(context, {
      email: submission.value.email,
      name: submission.value.name,
      role: submission.value.role,
      partnerId: user.partnerId,
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
    const revoked = revokeInvitation(context.db, actor, id.data, { partnerId: user.partnerId });
    if (!revoked) notFound();
    return { intent, result: null, notice: `The invitation to ${revoked.email} is cancelled.`, error: null };
  }

  if (intent === "disable" || intent === "enable") {
    const userId = String(formData.get("userId") ?? "");
    try {
      const changed = setUserDisabled(context.db, actor, {
        userId,
        disabled: intent === "disable",
        scope: { partnerId: user.partnerId },
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

export default function PartnerTeam() {
  const { me, partnerName, people, invitations } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const [form, fields] = useForm({
    lastResult: actionData?.intent === "invite" ? actionData.result : undefined,
    defaultValue: { role: "partner_user" },
    constraint: getZodConstraint(inviteSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema }),
  });
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">Everyone at {partnerName} who can use the Partner Portal.</p>
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
        <PeopleTable people={people} me={me} canToggle={true} busy={busy} />
      </section>

      <InvitationsSection invitations={invitations} busy={busy} />

      <section className="card" aria-labelledby="invite">
        <h2 id="invite">Invite a colleague</h2>
        <p className="muted small">
          They get an email with a link to choose their password; it works once, for 7 days. Inviting the same address
          again replaces the earlier link.
        </p>
        <Form method="post" className="form" {...getFormProps(form)}>
          <input type="hidden" name="intent" value="invite" />
          <FormErrors errors={form.errors} id={form.errorId} />
          <Field meta={fields.name} label="Name" autoComplete="off" />
          <Field meta={fields.email} label="Email" type="email" autoComplete="off" />
          <SelectField meta={fields.role} label="Role" options={ROLE_OPTIONS} />
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
