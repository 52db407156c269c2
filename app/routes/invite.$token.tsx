// Accepting an invitation: the invitee chooses a name and password, the account is created and
// signed in. A link that no longer works says why and what to do (410 expired/used, 404 unknown).
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { isStaffRole } from "../auth/guards.server";
import { passwordSchema } from "../auth/password-policy";
import { WeakPasswordError } from "../auth/password.server";
import { endSession, startSession } from "../auth/session.server";
import { AuthCard, Field, FormErrors, humanize, NewPasswordFields } from "../components/forms";
import { acceptInvitation, findOpenInvitation, InvitationError, type InvitationStatus } from "../domain/invitations.server";

const schema = z
  .object({
    name: z
      .string({ required_error: "Enter your name." })
      .trim()
      .min(1, "Enter your name.")
      .max(100, "Use at most 100 characters for your name."),
    password: passwordSchema,
    confirmPassword: z.string({ required_error: "Enter the same password again." }),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The two passwords do not match. Type the same password twice.",
  });

const HIDE = ["password", "confirmPassword"];

const httpStatus = (status: Exclude<InvitationStatus, "ok">) => (status === "invalid" ? 404 : 410);

function refusal(status: Exclude<InvitationStatus, "ok">, inviterName: string | null) {
  const who = inviterName ?? "the person who invited you";
  switch (status) {
    case "expired":
      return `This invitation link has expired — ask ${who} to send a new one.`;
    case "used":
      return "This invitation has already been used. Sign in with the email and password you chose.";
    case "invalid":
      return `This invitation link is not valid. It may have been mistyped, cancelled or replaced by a newer invitation: use the latest email you received, or ask ${who} to send a new one.`;
  }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title:
      data?.status === "ok"
        ? "Accept your invitation · Partner Portal"
        : data?.status === "expired"
          ? "Invitation expired · Partner Portal"
          : "Invitation not valid · Partner Portal",
  },
];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const { status, invitation } = findOpenInvitation(context.db, params.token ?? "");
  if (status === "ok" && invitation) {
    return {
      status,
      invitation: {
        name: invitation.name,
        email: invitation.email,
        role: invitation.role,
        team: invitation.partnerName ?? "the partner team",
        inviterName: invitation.inviterName,
        expiresAt: invitation.expiresAt.toISOString(),
      },
    };
  }
  const failed = status === "ok" ? "invalid" : status;
  return data(
    { status: failed, message: refusal(failed, invitation?.inviterName ?? null) },
    { status: httpStatus(failed) },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: HIDE }), { status: 400 });
  }
  const token = params.token ?? "";
  const { status, invitation } = findOpenInvitation(context.db, token);
  if (status !== "ok" || !invitation) {
    const failed = status === "ok" ? "invalid" : status;
    return data(submission.reply({ formErrors: [refusal(failed, invitation?.inviterName ?? null)], hideFields: HIDE }), {
      status: httpStatus(failed),
    });
  }
  let userId: string;
  try {
    userId = await acceptInvitation(context.db, token, {
      name: submission.value.name,
      password: submission.value.password,
    });
  } catch (error) {
    if (error instanceof WeakPasswordError) {
      return data(submission.reply({ fieldErrors: { password: [error.message] }, hideFields: HIDE }), { status: 400 });
    }
    if (!(error instanceof InvitationError)) throw error;
    return data(submission.reply({ formErrors: [error.message], hideFields: HIDE }), { status: 409 });
  }
  const settings = context.config;
  // Whoever was signed in on this browser is signed out: the browser now belongs to the invitee.
  if (context.auth) await endSession(context.db, settings, context.auth.sessionId);
  const cookie = await startSession(context.db, settings, userId);
  return redirect(isStaffRole(invitation.role) ? "/internal" : "/dashboard", {
    headers: { "Set-Cookie": cookie },
  });
}

export default function AcceptInvitation() {
  const loaderData = useLoaderData<typeof loader>();
  if (loaderData.status !== "ok" || !("invitation" in loaderData)) {
    const message = "message" in loaderData ? loaderData.message : "";
    return (
      <AuthCard>
        <h1>
          {loaderData.status === "expired"
            ? "This invitation has expired"
            : loaderData.status === "used"
              ? "This invitation has been used"
              : "This invitation link is not valid"}
        </h1>
        <p>{message}</p>
        <div className="links">
          <Link to="/login">Sign in</Link>
          {loaderData.status === "used" ? <Link to="/forgot-password">Forgot your password?</Link> : null}
        </div>
      </AuthCard>
    );
  }
  return <AcceptForm invitation={loaderData.invitation} />;
}

function AcceptForm({
  invitation,
}: {
  invitation: { name: string; email: string; role: string; team: string; inviterName: string | null; expiresAt: string };
}) {
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { name: invitation.name },
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const submitting = navigation.state === "submitting";
  return (
    <AuthCard>
      <h1>Join {invitation.team}</h1>
      <p className="muted">
        {invitation.inviterName ?? "The partner team"} invited you to the Partner Portal as{" "}
        {humanize(invitation.role).toLowerCase()}. You will sign in as <strong>{invitation.email}</strong>.
      </p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field meta={fields.name} label="Your name" autoComplete="name" />
        <NewPasswordFields
          password={fields.password}
          confirm={fields.confirmPassword}
          label="Password"
          confirmLabel="Confirm password"
        />
        <button type="submit" disabled={submitting}>
          {submitting ? "Creating your account…" : "Create my account"}
        </button>
      </Form>
      <p className="muted small" style={{ marginTop: "1rem" }}>
        This link works until{" "}
        {new Date(invitation.expiresAt).toLocaleString("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })}{" "}
        UTC.
      </p>
    </AuthCard>
  );
}
