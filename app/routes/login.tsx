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
import { ENTRIES_KEPT_MESSAGE, readDraft } from "../auth/form-draft.server";
import { homeFor } from "../auth/guards.server";
import { signIn } from "../auth/sign-in.server";
import { Field, FormErrors } from "../components/forms";

export const meta: MetaFunction = () => [{ title: "Sign in · Partner Portal" }];

const schema = z.object({
  email: z.string({ required_error: "Enter your email address." }).trim().email("Enter a valid email address."),
  password: z.string({ required_error: "Enter your password." }),
  redirectTo: z.string().optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (context.auth) throw redirect(homeFor(context.auth.user));
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  const draft = readDraft(request.headers.get("Cookie"), context.config.APP_SECRET);
  return { demo: context.config.DEMO, entriesKept: draft !== null && draft.path === redirectTo ? ENTRIES_KEPT_MESSAGE : null };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  const result = await signIn(
    context.db,
    context.config,
    { email, password, ip: context.clientIp, redirectTo },
  );
  if (!result.ok) {
    return data(submission.reply({ formErrors: [result.message], hideFields: ["password"] }), {
      status: result.status,
    });
  }
  return redirect(result.location, { headers: { "Set-Cookie": result.cookie } });
}

export default function Login() {
  const { demo, entriesKept } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <div className="auth">
      <main className="card" id="main">
        <h1>Sign in</h1>
        <p className="muted">Partner Portal: deals, attribution, tiers and reports.</p>
        {entriesKept ? (
          <p className="info" role="status">
            {entriesKept}
          </p>
        ) : null}
        {searchParams.get("reset") === "1" ? (
          <p className="notice" role="status">
            Your password has been changed. Sign in with your new password.
          </p>
        ) : null}
        <Form method="post" className="form" {...getFormProps(form)}>
          <FormErrors errors={form.errors} id={form.errorId} />
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <Field meta={fields.email} label="Email" type="email" autoComplete="username" />
          <Field meta={fields.password} label="Password" type="password" autoComplete="current-password" />
          <button type="submit" disabled={navigation.state === "submitting"}>
            {navigation.state === "submitting" ? "Signing in…" : "Sign in"}
          </button>
        </Form>
        <div className="links">
          <Link to="/forgot-password">Forgot your password?</Link>
          <Link to="/apply">Become a partner</Link>
        </div>
        {demo ? (
          <div className="info small" style={{ marginTop: "1.25rem" }}>
            <strong>Demo program.</strong> Every demo account uses the password <code>portal-demo</code>:{" "}
            <code>admin@demo.test</code> (program admin), <code>manager@demo.test</code> (partner manager),
            and for each partner <code>admin@&lt;partner-slug&gt;.demo.test</code> and{" "}
            <code>sales@&lt;partner-slug&gt;.demo.test</code>, e.g. <code>admin@coralshore-it.demo.test</code>.
          </div>
        ) : null}
      </main>
    </div>
  );
}
