// The team page both sides share: a partner admin's colleagues (/team) and the partner team's
// own accounts (/internal/team). The invitation form's schema lives here so the browser and
// the action (team-action.server.ts) check the same rules; who may do what is the route's call.
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import type { Role } from "../../db/schema";
import { Field, FormErrors, SelectField } from "./forms";
import { InvitationsSection, PeopleTable } from "./team-tables";
import type { teamAction } from "./team-action.server";

/** The invitation form of a team page, for the roles that page may hand out. */
/** The one invite form schema: the team pages and a partner's staff page share its rules and wording. */
export function inviteSchemaFor<R extends Role>(roles: readonly [R, ...R[]], roleMessage: string) {
  return z.object({
    intent: z.literal("invite"),
    name: z
      .string({ required_error: "Enter the person's name." })
      .trim()
      .min(1, "Enter the person's name.")
      .max(120, "Shorten the name to 120 characters or fewer."),
    email: z
      .string({ required_error: "Enter their email address." })
      .trim()
      .max(254, "Enter a shorter email address.")
      .email("Enter a valid email address, such as name@company.com."),
    role: z.enum(roles as [R, ...R[]], { errorMap: () => ({ message: roleMessage }) }),
  });
}

/** Changing a colleague on a partner's team page (team-action.server.ts, intent "update"). */
export const colleagueSchema = z.object({
  intent: z.literal("update"),
  userId: z.string({ required_error: "Reload the page: the colleague is missing from the form." }).trim().min(1).max(64),
  name: z
    .string({ required_error: "Enter the colleague's name." })
    .trim()
    .min(1, "Enter the colleague's name.")
    .max(100, "Use at most 100 characters for the name."),
  role: z.enum(["partner_user", "partner_admin"], {
    errorMap: () => ({ message: "Choose a role: partner user or partner admin." }),
  }),
  /** A checkbox: "on" when ticked, absent when not. */
  reportOptIn: z.literal("on").optional(),
});

/** Any team page's invitation schema: what the shared action and form need of it. */
export type InviteSchema = z.ZodType<{ intent: "invite"; name: string; email: string; role: Role }>;

/** What a team page's loader returns for the shared parts of the page. */
type TeamLoaderData = {
  me: string;
  /** The invite form's per-render token (idempotency.server.ts). */
  idempotencyToken: string;
  /** What was typed in the invite form before the session ended (kept-entries.server.ts), or null. */
  keptInvite: Record<string, string> | null;
  people: Parameters<typeof PeopleTable>[0]["people"];
  invitations: Parameters<typeof InvitationsSection>[0]["invitations"];
};

type InviteSettings = {
  heading: string;
  schema: InviteSchema;
  roleOptions: ReadonlyArray<{ value: string; label: string }>;
  defaultRole: string;
};

export function TeamPage({
  description,
  peopleNote,
  canToggle,
  canRevoke = true,
  editRoles,
  invite,
}: {
  description: string;
  /** Said above the people table, e.g. why the buttons are missing. */
  peopleNote?: string | null;
  canToggle: boolean;
  canRevoke?: boolean;
  /** A partner's team page: each person gets an Edit form (name, these roles, report opt-in). */
  editRoles?: ReadonlyArray<{ value: string; label: string }>;
  /** Null: the viewer may not invite, and the form is not shown. */
  invite: InviteSettings | null;
}) {
  const { me, people, invitations } = useLoaderData<TeamLoaderData>();
  const actionData = useActionData<typeof teamAction>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">{description}</p>
        </div>
      </div>
      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
        </p>
      ) : null}
      {actionData?.error ? <FormErrors errors={[actionData.error]} /> : null}
      {actionData && "confirmDisable" in actionData && actionData.confirmDisable ? (
        <ConfirmDisable person={actionData.confirmDisable} busy={busy} />
      ) : null}

      <section className="card" aria-labelledby="people">
        <h2 id="people">People</h2>
        {peopleNote ? <p className="muted small">{peopleNote}</p> : null}
        <PeopleTable people={people} actions={{ me, canToggle, busy, editRoles }} />
      </section>

      <InvitationsSection invitations={invitations} busy={busy} canRevoke={canRevoke} />

      {invite ? <InviteForm invite={invite} busy={busy} /> : null}
    </div>
  );
}

function InviteForm({ invite, busy }: { invite: InviteSettings; busy: boolean }) {
  const { idempotencyToken, keptInvite } = useLoaderData<TeamLoaderData>();
  const actionData = useActionData<typeof teamAction>();
  const [form, fields] = useForm({
    lastResult: actionData?.intent === "invite" ? actionData.result : undefined,
    defaultValue: { role: invite.defaultRole, ...keptInvite },
    constraint: getZodConstraint(invite.schema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: invite.schema }),
  });
  return (
    <section className="card" aria-labelledby="invite">
      <h2 id="invite">{invite.heading}</h2>
      <p className="muted small">
        They get an email with a link to choose their password; it works once, for 7 days. Inviting the same address
        again replaces the earlier link.
      </p>
      {keptInvite ? (
        <p className="info" role="status">
          Your entries from before your session ended are filled in below. Check them and send the invitation.
        </p>
      ) : null}
      <Form method="post" className="form" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="invite" />
        <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field meta={fields.name} label="Name" autoComplete="off" />
        <Field meta={fields.email} label="Email" type="email" autoComplete="off" />
        <SelectField meta={fields.role} label="Role" options={invite.roleOptions} />
        <div className="row">
          <button type="submit" disabled={busy}>
            Send the invitation
          </button>
        </div>
      </Form>
    </section>
  );
}

/**
 * The second step of disabling someone: what it does, and the reason the audit log records. A
 * plain form: it works without JavaScript and by keyboard.
 */
function ConfirmDisable({
  person,
  busy,
}: {
  person: { userId: string; name: string; email: string; reasonError: string | null };
  busy: boolean;
}) {
  return (
    <section
      className="card stack"
      role="alertdialog"
      aria-labelledby="confirm-disable-heading"
      aria-describedby="confirm-disable-text"
    >
      <h2 id="confirm-disable-heading" style={{ margin: 0 }}>
        Disable {person.name}?
      </h2>
      <p id="confirm-disable-text" style={{ margin: 0 }}>
        {person.name} ({person.email}) is signed out everywhere at once and cannot sign in until someone enables the
        account again. Nothing they made is deleted.
      </p>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="disable" />
        <input type="hidden" name="userId" value={person.userId} />
        <input type="hidden" name="confirmed" value="yes" />
        <div className="field">
          <label htmlFor="disable-reason">Reason (required, recorded in the audit log)</label>
          <textarea
            id="disable-reason"
            name="reason"
            required
            maxLength={500}
            autoFocus
            aria-invalid={person.reasonError ? true : undefined}
            aria-describedby={person.reasonError ? "disable-reason-error" : undefined}
          />
          {person.reasonError ? (
            <span className="error" id="disable-reason-error" role="alert">
              {person.reasonError}
            </span>
          ) : null}
        </div>
        <div className="row">
          <button type="submit" className="danger" disabled={busy}>
            Disable {person.name}
          </button>
          <Link to="." className="button secondary">
            Cancel
          </Link>
        </div>
      </Form>
    </section>
  );
}
