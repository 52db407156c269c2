// Choosing a new password from a reset link. Success signs the account out everywhere, mails a
// security notice and sends the user to sign in with the new password.
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
import { checkResetToken, resetPassword, type ResetTokenStatus } from "../auth/password-reset.server";
import { passwordSchema } from "../auth/password-policy";
import { AuthCard, FormErrors, NewPasswordFields } from "../components/forms";
import { deliverQueued } from "../mail/outbox.server";

const schema = z
  .object({
    password: passwordSchema,
    confirmPassword: z.string({ required_error: "Enter the same password again." }),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The two passwords do not match. Type the same password twice.",
  });

const HIDE = ["password", "confirmPassword"];

type Refused = Exclude<ResetTokenStatus, "ok">;

const REFUSALS: Record<Refused, { title: string; message: string }> = {
  expired: {
    title: "This reset link has expired",
    message: "Reset links work for one hour. Ask for a new one and use it within the hour.",
  },
  used: {
    title: "This reset link has already been used",
    message: "Each reset link works once. If you still cannot sign in, ask for a new link.",
  },
  invalid: {
    title: "This reset link is not valid",
    message: "Check that you copied the whole link from the email, or ask for a new one.",
  },
};

const httpStatus = (status: Refused) => (status === "invalid" ? 404 : 410);

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${data && data.status !== "ok" ? REFUSALS[data.status].title : "Choose a new password"} · Partner Portal`,
  },
];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const status = checkResetToken(context.db, params.token ?? "");
  if (status === "ok") return { status };
  return data({ status }, { status: httpStatus(status) });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: HIDE }), { status: 400 });
  }
  const result = await resetPassword(context.db, params.token ?? "", submission.value.password, { config: context.config });
  if (!result.ok && result.status === "weak") {
    return data(submission.reply({ fieldErrors: { password: [result.message] }, hideFields: HIDE }), { status: 400 });
  }
  if (!result.ok) {
    const refusal = REFUSALS[result.status];
    return data(submission.reply({ formErrors: [`${refusal.title}. ${refusal.message}`], hideFields: HIDE }), {
      status: httpStatus(result.status),
    });
  }
  // The password-changed notice committed with the new password; the drain sends it.
  await deliverQueued(context);
  return redirect("/login?reset=1");
}

export default function ResetPassword() {
  const { status } = useLoaderData<typeof loader>();
  if (status !== "ok") {
    const refusal = REFUSALS[status];
    return (
      <AuthCard>
        <h1>{refusal.title}</h1>
        <p>{refusal.message}</p>
        <div className="links">
          <Link to="/forgot-password">Ask for a new link</Link>
          <Link to="/login">Sign in</Link>
        </div>
      </AuthCard>
    );
  }
  return <ResetForm />;
}

function ResetForm() {
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const submitting = navigation.state === "submitting";
  return (
    <AuthCard>
      <h1>Choose a new password</h1>
      <p className="muted">Saving it signs you out on every device; then sign in with the new password.</p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <NewPasswordFields
          password={fields.password}
          confirm={fields.confirmPassword}
          label="New password"
          confirmLabel="Confirm new password"
        />
        <button type="submit" disabled={submitting}>
          {submitting ? "Saving…" : "Save the new password"}
        </button>
      </Form>
    </AuthCard>
  );
}
