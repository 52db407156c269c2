// Asking for a password reset link. The answer is the same, and as fast, whether or not the
// address has an account: the action only queues the address (queuePasswordReset), so nobody
// learns who is a user from this page or from how long it takes.
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { queuePasswordReset } from "../auth/password-reset.server";
import { Field, FormErrors } from "../components/forms";

export const meta: MetaFunction = () => [{ title: "Forgot your password · Partner Portal" }];

const schema = z.object({
  email: z
    .string({ required_error: "Enter the email address you sign in with." })
    .trim()
    .email("Enter a valid email address, such as name@company.com."),
});

const SENT_MESSAGE =
  "If an account exists for that address, we've emailed a link to reset its password. The link works for one hour.";

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), sent: false }, { status: 400 });
  }
  queuePasswordReset(context, submission.value.email);
  return { result: submission.reply(), sent: true };
}

export default function ForgotPassword() {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <div className="auth">
      <main className="card" id="main">
        <h1>Forgot your password?</h1>
        {actionData?.sent ? (
          <div className="stack">
            <p className="notice" role="status">
              {SENT_MESSAGE}
            </p>
            <p className="muted small">
              Nothing arrived after a few minutes? Check your spam folder, make sure you typed the address you sign in
              with, or ask your administrator.
            </p>
          </div>
        ) : (
          <>
            <p className="muted">Enter the email address you sign in with and we will send you a link to choose a new password.</p>
            <Form method="post" className="form" {...getFormProps(form)}>
              <FormErrors errors={form.errors} id={form.errorId} />
              <Field meta={fields.email} label="Email" type="email" autoComplete="username" />
              <button type="submit" disabled={navigation.state === "submitting"}>
                {navigation.state === "submitting" ? "Sending…" : "Send the reset link"}
              </button>
            </Form>
          </>
        )}
        <div className="links">
          <Link to="/login">Back to sign in</Link>
        </div>
      </main>
    </div>
  );
}
