// The second step of signing in, for a pending sign-in whose password was right: a code from the
// authenticator app (or a recovery code), or, for staff the program requires it of, setting up
// two-factor first. No session exists until this step succeeds.
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ShouldRevalidateFunction } from "@remix-run/react";
import { homeFor } from "../auth/guards.server";
import { authenticatorCodeSchema, signInCodeSchema } from "../auth/two-factor-forms";
import { clearPendingCookie, completePendingSignIn, pendingToken, readPendingSignIn } from "../auth/sign-in.server";
import { confirmEnrolment, enrolmentDetails, startEnrolment, verifySecondFactor } from "../auth/two-factor.server";
import { AuthCard, Field, FormErrors } from "../components/forms";
import { AuthenticatorKey, RecoveryCodes } from "../components/two-factor";
import { getProgramSettings } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Partner Portal" }];

const settingsOf = (context: LoaderFunctionArgs["context"]) => context.config;

/** Back to the password step, dropping a pending cookie that no longer leads anywhere. */
const restart = async (context: LoaderFunctionArgs["context"]) =>
  redirect("/login", { headers: { "Set-Cookie": await clearPendingCookie(settingsOf(context)) } });

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.auth) throw redirect(homeFor(context.auth.user));
  const token = await pendingToken(request.headers.get("cookie"));
  if (!token) throw await restart(context);
  const pending = readPendingSignIn(context.db, token);
  // Expired, or just completed: the page that renders the action's result (the recovery codes
  // after enrolling, without JavaScript) still comes through here with the old cookie.
  if (!pending) return { purpose: "over" as const, email: null, enrolment: null };
  if (pending.purpose === "enrol") {
    const key = startEnrolment(context.db, context.config.APP_SECRET, pending.user.id);
    if (key) {
      return {
        purpose: "enrol" as const,
        email: pending.user.email,
        enrolment: enrolmentDetails(key, getProgramSettings(context.db).programName, pending.user.email),
      };
    }
  }
  return { purpose: "verify" as const, email: pending.user.email, enrolment: null };
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (context.auth) throw redirect(homeFor(context.auth.user));
  const token = await pendingToken(request.headers.get("cookie"));
  const pending = token ? readPendingSignIn(context.db, token) : null;
  if (!pending) throw await restart(context);
  const settings = settingsOf(context);
  const formData = await request.formData();
  const enrolling = formData.get("intent") === "enrol";
  const submission = parseWithZod(formData, { schema: enrolling ? authenticatorCodeSchema : signInCodeSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: ["code"] }), recoveryCodes: null, next: null }, { status: 400 });
  }
  const { code } = submission.value;
  const refuse = (status: number, message: string) =>
    data(
      { result: submission.reply({ fieldErrors: { code: [message] }, hideFields: ["code"] }), recoveryCodes: null, next: null },
      { status },
    );
  if (enrolling) {
    const result = confirmEnrolment(context.db, context.config.APP_SECRET, pending.user, code);
    if (!result.ok) return refuse(result.status, result.message);
    const cookies = await completePendingSignIn(context.db, settings, pending);
    if (!cookies) throw await restart(context);
    const headers = new Headers();
    for (const c of cookies) headers.append("Set-Cookie", c);
    return data({ result: null, recoveryCodes: result.recoveryCodes, next: pending.redirectTo }, { headers });
  }
  const result = verifySecondFactor(context.db, context.config.APP_SECRET, pending.user.id, code);
  if (!result.ok) return refuse(result.status, result.message);
  const cookies = await completePendingSignIn(context.db, settings, pending);
  if (!cookies) throw await restart(context);
  const headers = new Headers();
  for (const c of cookies) headers.append("Set-Cookie", c);
  return redirect(pending.redirectTo, { headers });
}

// Once the codes are on screen the person is signed in; reloading this page would leave it.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult?.recoveryCodes ? false : defaultShouldRevalidate;

export default function TwoFactorStep() {
  const { purpose, email, enrolment } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const enrolling = purpose === "enrol" && enrolment !== null;
  const schema = enrolling ? authenticatorCodeSchema : signInCodeSchema;
  const [form, fields] = useForm({
    id: purpose,
    lastResult: actionData?.result ?? undefined,
    constraint: getZodConstraint(schema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  if (actionData?.recoveryCodes && actionData.next) {
    return (
      <AuthCard>
        <h1>Two-factor sign-in is on</h1>
        <RecoveryCodes codes={actionData.recoveryCodes}>
          {/* A full page load: the session cookie was just set. */}
          <a href={actionData.next} className="button">
            Continue
          </a>
        </RecoveryCodes>
      </AuthCard>
    );
  }
  if (purpose === "over") {
    return (
      <AuthCard>
        <h1>Sign in again</h1>
        <p>This sign-in step has expired or was already completed.</p>
        <div className="links">
          <Link to="/login">Sign in with your password</Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard>
      <h1>{enrolling ? "Set up two-factor sign-in" : "Two-factor sign-in"}</h1>
      <p className="muted">
        {enrolling
          ? `The program requires two-factor sign-in for staff. Set it up for ${email} to continue.`
          : `Signing in as ${email}.`}
      </p>
      {enrolling ? <AuthenticatorKey {...enrolment} /> : null}
      <Form method="post" className="form" {...getFormProps(form)} style={{ marginTop: "1rem" }}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field
          meta={fields.code}
          label={enrolling ? "Code from the app" : "Authentication code"}
          autoComplete="one-time-code"
          hint={
            enrolling
              ? "6 digits; a new one every 30 seconds."
              : "The 6-digit code your authenticator app shows, or one of your recovery codes."
          }
        />
        <button type="submit" name="intent" value={enrolling ? "enrol" : "verify"} disabled={navigation.state === "submitting"}>
          {enrolling ? "Turn on and sign in" : navigation.state === "submitting" ? "Checking…" : "Sign in"}
        </button>
      </Form>
      <div className="links">
        <Link to="/login">Start again with your password</Link>
      </div>
    </AuthCard>
  );
}
