// Two-factor sign-in for the signed-in user: set it up (QR code or key, then a code from the
// app), see how many recovery codes are left, replace them, or turn it off. Replacing codes and
// turning it off need the password; staff cannot turn it off while the program requires it.
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
import { authenticatorCodeSchema } from "../auth/two-factor-forms";
import {
  cancelEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  enrolmentDetails,
  mustKeepTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
  twoFactorStatus,
} from "../auth/two-factor.server";
import { AppShell } from "../components/app-shell";
import { Field, FormErrors } from "../components/forms";
import { AuthenticatorKey, RecoveryCodes } from "../components/two-factor";
import { formatDate } from "../domain/format";
import { getProgramSettings } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Partner Portal" }];

const passwordSchema = z.object({
  password: z.string({ required_error: "Enter your password to confirm it is you." }),
});
const schemas = { confirm: authenticatorCodeSchema, disable: passwordSchema, regenerate: passwordSchema } as const;
type Intent = keyof typeof schemas | "start" | "cancel";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const { db, config } = args.context;
  const status = twoFactorStatus(db, user.id);
  const key = status.enrolling ? startEnrolment(db, config.APP_SECRET, user.id) : null;
  return {
    user: { name: user.name, email: user.email, role: user.role, partnerName: user.partnerName },
    status: { ...status, enabledAt: status.enabledAt?.toISOString() ?? null },
    enrolment: key ? enrolmentDetails(key, getProgramSettings(db).programName, user.email) : null,
    required: mustKeepTwoFactor(db, user),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { context, request } = args;
  const { db, config } = context;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "") as Intent;
  if (intent === "start") {
    startEnrolment(db, config.APP_SECRET, user.id);
    return redirect("/account/two-factor");
  }
  if (intent === "cancel") {
    cancelEnrolment(db, user.id);
    return redirect("/account/two-factor");
  }
  if (!(intent in schemas)) {
    return data({ intent, result: null, recoveryCodes: null, error: "Choose what to do with the buttons on the page." }, { status: 400 });
  }
  const submission = parseWithZod(formData, { schema: schemas[intent as keyof typeof schemas] });
  const hide = { hideFields: ["password", "code"] };
  if (submission.status !== "success") {
    return data({ intent, result: submission.reply(hide), recoveryCodes: null, error: null }, { status: 400 });
  }
  const person = { id: user.id, email: user.email, role: user.role, partnerId: user.partnerId };
  if (intent === "confirm") {
    const result = confirmEnrolment(db, config.APP_SECRET, person, (submission.value as { code: string }).code);
    if (!result.ok) {
      return data(
        { intent, result: submission.reply({ fieldErrors: { code: [result.message] }, ...hide }), recoveryCodes: null, error: null },
        { status: result.status },
      );
    }
    return data({ intent, result: null, recoveryCodes: result.recoveryCodes, error: null });
  }
  const password = (submission.value as { password: string }).password;
  const result =
    intent === "disable"
      ? await disableTwoFactor(db, person, password, context.clientIp)
      : await regenerateRecoveryCodes(db, person, password, context.clientIp);
  if (!result.ok) {
    return data(
      { intent, result: submission.reply({ fieldErrors: { password: [result.message] }, ...hide }), recoveryCodes: null, error: null },
      { status: result.status },
    );
  }
  if (intent === "disable") return redirect("/account/two-factor?off=1");
  return data({ intent, result: null, recoveryCodes: "recoveryCodes" in result ? result.recoveryCodes : null, error: null });
}

export default function TwoFactorSettings() {
  const { user, status, enrolment, required } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const codes = actionData?.recoveryCodes ?? null;
  return (
    <AppShell user={user}>
      <div className="stack" style={{ maxWidth: "44rem" }}>
        <div className="page-head">
          <div>
            <p className="small" style={{ margin: 0 }}>
              <Link to="/account">Your account</Link>
            </p>
            <h1>Two-factor sign-in</h1>
            <p className="muted" style={{ margin: 0 }}>
              After your password, signing in also asks for a code from an app on your phone, so a stolen password
              alone is not enough.
            </p>
          </div>
        </div>
        {actionData?.error ? <FormErrors errors={[actionData.error]} /> : null}
        {searchParams.get("off") === "1" && !status.enabled && !actionData ? (
          <p className="notice" role="status">
            Two-factor sign-in is off. Your recovery codes no longer work.
          </p>
        ) : null}
        {codes ? (
          <RecoveryCodes codes={codes}>
            <Link to="/account">Done: back to your account</Link>
          </RecoveryCodes>
        ) : null}
        {status.enabled ? (
          <Enabled status={status} required={required} />
        ) : enrolment ? (
          <Enrol enrolment={enrolment} />
        ) : (
          <section className="card stack" aria-labelledby="two-factor-off">
            <h2 id="two-factor-off" style={{ margin: 0 }}>
              Off
            </h2>
            <p style={{ margin: 0 }}>
              {required
                ? "The program requires two-factor sign-in for staff: set it up now, or you will be asked to at your next sign-in."
                : "Set it up in two minutes with any authenticator app."}
            </p>
            <Form method="post">
              <button type="submit" name="intent" value="start">
                Set up two-factor sign-in
              </button>
            </Form>
          </section>
        )}
      </div>
    </AppShell>
  );
}

function Enrol({ enrolment }: { enrolment: { qrSvg: string; manualKey: string } }) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "confirm",
    lastResult: actionData?.intent === "confirm" ? actionData.result : undefined,
    constraint: getZodConstraint(authenticatorCodeSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: authenticatorCodeSchema }),
  });
  return (
    <section className="card stack" aria-labelledby="set-up">
      <h2 id="set-up" style={{ margin: 0 }}>
        Set up your authenticator app
      </h2>
      <AuthenticatorKey {...enrolment} />
      <Form method="post" className="form" {...getFormProps(form)} style={{ maxWidth: "24rem" }}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field
          meta={fields.code}
          label="Code from the app"
          autoComplete="one-time-code"
          hint="6 digits; a new one every 30 seconds."
        />
        <div className="row">
          <button type="submit" name="intent" value="confirm" disabled={navigation.state === "submitting"}>
            Turn on two-factor sign-in
          </button>
          <button type="submit" name="intent" value="cancel" className="secondary" formNoValidate>
            Cancel set-up
          </button>
        </div>
      </Form>
    </section>
  );
}

function Enabled({
  status,
  required,
}: {
  status: { enabledAt: string | null; recoveryCodesLeft: number };
  required: boolean;
}) {
  return (
    <>
      <section className="card stack" aria-labelledby="two-factor-on">
        <h2 id="two-factor-on" style={{ margin: 0 }}>
          <span className="badge ok">On</span> since {formatDate(status.enabledAt)}
        </h2>
        <p style={{ margin: 0 }}>
          {status.recoveryCodesLeft === 1 ? "1 recovery code is" : `${status.recoveryCodesLeft} recovery codes are`} left.
          {status.recoveryCodesLeft <= 3 ? " Make new ones before you run out." : ""}
        </p>
      </section>
      <PasswordAction
        intent="regenerate"
        title="New recovery codes"
        text="Replaces all your recovery codes, used or not, with ten new ones."
        button="Make new recovery codes"
      />
      {required ? (
        <section className="card" aria-labelledby="turn-off">
          <h2 id="turn-off">Turn off</h2>
          <p className="muted" style={{ margin: 0 }}>
            The program requires two-factor sign-in for staff, so it cannot be turned off.
          </p>
        </section>
      ) : (
        <PasswordAction
          intent="disable"
          title="Turn off"
          text="Signing in will need only your password again."
          button="Turn off two-factor sign-in"
        />
      )}
    </>
  );
}

function PasswordAction({
  intent,
  title,
  text,
  button,
}: {
  intent: "disable" | "regenerate";
  title: string;
  text: string;
  button: string;
}) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: intent,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    constraint: getZodConstraint(passwordSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordSchema }),
  });
  return (
    <section className="card stack" aria-labelledby={`${intent}-heading`}>
      <h2 id={`${intent}-heading`} style={{ margin: 0 }}>
        {title}
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        {text}
      </p>
      <Form method="post" className="form" {...getFormProps(form)} style={{ maxWidth: "24rem" }}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field meta={fields.password} label="Your password" type="password" autoComplete="current-password" />
        <div className="row">
          <button
            type="submit"
            name="intent"
            value={intent}
            className={intent === "disable" ? "secondary" : undefined}
            disabled={navigation.state === "submitting"}
          >
            {button}
          </button>
        </div>
      </Form>
    </section>
  );
}
