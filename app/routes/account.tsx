// The signed-in user's own account, for partners and the partner team alike: who they are and
// changing their password. A change signs out every session and starts a fresh one here.
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "../auth/guards.server";
import { passwordSchema } from "../auth/password-policy";
import { startSession } from "../auth/session.server";
import { isTwoFactorEnabled } from "../auth/two-factor.server";
import { recordSignInFailure, signInBlockedFor } from "../auth/throttle.server";
import { AppShell } from "../components/app-shell";
import { Field, FormErrors, humanize, NewPasswordFields } from "../components/forms";
import { formatDate } from "../domain/format";
import { changePassword, getAccount } from "../domain/users.server";
import { deliverQueued } from "../mail/outbox.server";

export const meta: MetaFunction = () => [{ title: "Your account · Partner Portal" }];

const schema = z
  .object({
    currentPassword: z.string({ required_error: "Enter your current password." }),
    newPassword: passwordSchema,
    confirmPassword: z.string({ required_error: "Enter the new password again." }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The two new passwords do not match. Type the same password twice.",
  });

const HIDE = ["currentPassword", "newPassword", "confirmPassword"];

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const account = getAccount(args.context.db, user.id);
  if (!account) throw redirect("/login");
  return {
    user: { name: user.name, email: user.email, role: user.role, partnerName: user.partnerName },
    account,
    twoFactor: isTwoFactorEnabled(args.context.db, user.id),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { context, request } = args;
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: HIDE }), { status: 400 });
  }
  // Guessing the current password here is as good as guessing it at sign-in: same throttle.
  const waitMs = signInBlockedFor(context.db, user.email, context.clientIp);
  if (waitMs > 0) {
    const minutes = Math.max(1, Math.ceil(waitMs / 60000));
    return data(
      submission.reply({
        formErrors: [`Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`],
        hideFields: HIDE,
      }),
      { status: 429 },
    );
  }
  const result = await changePassword(context.db, user.id, {
    current: submission.value.currentPassword,
    next: submission.value.newPassword,
  }, { config: context.config });
  if (!result.ok) {
    if (result.field === "current") recordSignInFailure(context.db, user.email, context.clientIp);
    const field = result.field === "current" ? "currentPassword" : "newPassword";
    return data(submission.reply({ fieldErrors: { [field]: [result.message] }, hideFields: HIDE }), { status: 400 });
  }
  const cookie = await startSession(
    context.db,
    context.config,
    user.id,
  );
  // The password-changed notice committed with the new password; the drain sends it.
  await deliverQueued(context);
  return redirect("/account?changed=1", { headers: { "Set-Cookie": cookie } });
}

export default function Account() {
  const { user, account, twoFactor } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const submitting = navigation.state === "submitting";
  const changed = searchParams.get("changed") === "1" && !lastResult;
  return (
    <AppShell user={user}>
      <div className="stack">
        <div className="page-head">
          <div>
            <h1>Your account</h1>
            <p className="muted">{user.partnerName ?? "Partner team"}</p>
          </div>
        </div>
        {changed ? (
          <p className="notice" role="status">
            Your password has been changed. Every other device was signed out, and we emailed you a notice.
          </p>
        ) : null}
        <section className="card" aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{account.name}</dd>
            <dt>Email</dt>
            <dd>{account.email}</dd>
            <dt>Role</dt>
            <dd>{humanize(account.role)}</dd>
            {user.partnerName ? (
              <>
                <dt>Partner</dt>
                <dd>{user.partnerName}</dd>
              </>
            ) : null}
            <dt>Password last changed</dt>
            <dd>{formatDate(account.passwordChangedAt)}</dd>
          </dl>
          <p className="muted small" style={{ marginTop: "0.75rem" }}>
            To change your name or email, ask {user.partnerName ? "your company's partner admin" : "a program admin"}.
          </p>
        </section>
        <section className="card" aria-labelledby="two-factor">
          <h2 id="two-factor">
            Two-factor sign-in{" "}
            {twoFactor ? <span className="badge ok">On</span> : <span className="badge neutral">Off</span>}
          </h2>
          <p className="muted small">
            {twoFactor
              ? "Signing in asks for a code from your authenticator app after your password."
              : "Ask for a code from an app on your phone after your password, so a stolen password alone is not enough."}
          </p>
          <Link to="/account/two-factor">{twoFactor ? "Manage two-factor sign-in" : "Set up two-factor sign-in"}</Link>
        </section>
        <section className="card" aria-labelledby="change-password">
          <h2 id="change-password">Change your password</h2>
          <p className="muted small">Changing it signs you out everywhere else; you stay signed in here.</p>
          {/* An explicit action drops ?changed=1 so an old notice never sits above a new error. */}
          <Form method="post" action="/account" className="form" {...getFormProps(form)}>
            <FormErrors errors={form.errors} id={form.errorId} />
            <Field meta={fields.currentPassword} label="Current password" type="password" autoComplete="current-password" />
            <NewPasswordFields
              password={fields.newPassword}
              confirm={fields.confirmPassword}
              label="New password"
              confirmLabel="Confirm new password"
            />
            <div className="row">
              <button type="submit" disabled={submitting}>
                {submitting ? "Changing…" : "Change password"}
              </button>
            </div>
          </Form>
        </section>
      </div>
    </AppShell>
  );
}
