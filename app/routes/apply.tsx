// The public "Become a partner" page: anyone may apply; the partner team decides under
// /internal/applications.
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
import { PARTNER_KINDS, REGIONS, type PartnerKind } from "../../db/schema";
import { homeFor } from "../auth/guards.server";
import { AuthCard, Field, FormErrors, SelectField, TextareaField } from "../components/forms";
import {
  APPLICATION_SUBMITTED_LOCATION,
  ApplicationError,
  submitApplication,
} from "../domain/applications.server";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { deliverQueued } from "../mail/outbox.server";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../domain/idempotency.server";
import { normalizeDomain } from "../domain/customers";

export const meta: MetaFunction = () => [{ title: "Become a partner · Partner Portal" }];

const KIND_LABELS: Record<PartnerKind, string> = {
  reseller: "Reseller: you resell our products",
  referral: "Referral partner: you introduce customers",
  agency: "Agency: you implement or run it for clients",
  affiliate: "Affiliate: you promote it to your audience",
  technology: "Technology partner: your product integrates with ours",
  strategic: "Strategic partner: a broader alliance",
};

const schema = z.object({
  companyName: z
    .string({ required_error: "Enter your company's name." })
    .trim()
    .min(2, "Enter your company's full name.")
    .max(120, "Shorten the company name to 120 characters or fewer."),
  website: z
    .string({ required_error: "Enter your company's website." })
    .trim()
    .max(255, "Enter just the website's address, such as example.com.")
    .transform((value, ctx) => {
      const domain = normalizeDomain(value);
      if (!domain) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: "Enter the website as a domain such as example.com or a URL such as https://www.example.com.",
        });
        return z.NEVER;
      }
      return domain;
    }),
  kind: z.enum(PARTNER_KINDS, {
    required_error: "Choose the kind of partnership.",
    invalid_type_error: "Choose the kind of partnership.",
  }),
  region: z.enum(REGIONS, {
    required_error: "Choose the region you mainly sell in.",
    invalid_type_error: "Choose the region you mainly sell in.",
  }),
  contactName: z
    .string({ required_error: "Enter your name." })
    .trim()
    .min(2, "Enter your full name.")
    .max(120, "Shorten your name to 120 characters or fewer."),
  contactEmail: z
    .string({ required_error: "Enter your work email address." })
    .trim()
    .max(254, "Enter a shorter email address.")
    .email("Enter an email address such as you@example.com."),
  message: z.string().trim().max(2000, "Shorten the message to 2,000 characters or fewer.").optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Public page: a signed-in user may read it too, and gets a way back to the portal.
  return {
    submitted: new URL(request.url).searchParams.get("submitted") === "1",
    home: context.auth ? homeFor(context.auth.user) : null,
    // One per render: a double click or a retry of this page applies once.
    idempotencyToken: newIdempotencyToken(),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400 });
  }
  let submitted;
  try {
    const key = idempotencyKeyOf(formData, "anonymous", "apply");
    // The confirmation and the partner team's notice are queued in the application's transaction.
    submitted = submitApplication(context.db, submission.value, { key, config: context.config });
  } catch (error) {
    if (error instanceof ApplicationError || error instanceof IdempotencyError) {
      return data(submission.reply({ formErrors: [error.message] }), { status: error.status });
    }
    throw error;
  }
  // A repeat of the same submission queued nothing.
  if (!submitted.replayed) await deliverQueued(context);
  // Post/redirect/get: reloading the thank-you page does not apply twice.
  return redirect(APPLICATION_SUBMITTED_LOCATION);
}

export default function Apply() {
  const { submitted, home, idempotencyToken } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const links = (
    <div className="links">
      {home ? <Link to={home}>Back to the portal</Link> : <Link to="/login">Already a partner? Sign in</Link>}
    </div>
  );
  if (submitted) {
    return (
      <AuthCard>
        <h1>Thank you for applying</h1>
        <p role="status" className="notice">
          We received your application.
        </p>
        <p>
          We have emailed a confirmation to the contact address you gave. The partner team reviews every
          application and usually answers within a few business days; if it is approved you will receive an
          invitation to set up your account.
        </p>
        {links}
      </AuthCard>
    );
  }
  return (
    <AuthCard>
      <h1>Become a partner</h1>
      <p className="muted">
        Tell us about your company. The partner team reviews each application and answers by email.
      </p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
        <Field meta={fields.companyName} label="Company name" autoComplete="organization" />
        <Field
          meta={fields.website}
          label="Company website"
          hint="A domain such as example.com or the full address."
          autoComplete="url"
        />
        <SelectField
          meta={fields.kind}
          label="Kind of partnership"
          placeholder="Choose one…"
          options={PARTNER_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
        />
        <SelectField
          meta={fields.region}
          label="Region"
          placeholder="Choose one…"
          options={REGIONS.map((region) => ({ value: region, label: region }))}
        />
        <Field meta={fields.contactName} label="Your name" autoComplete="name" />
        <Field meta={fields.contactEmail} label="Your work email" type="email" autoComplete="email" />
        <TextareaField
          meta={fields.message}
          label="Message (optional)"
          hint="Who your customers are, and how you would like to work with us."
        />
        <button type="submit" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Sending…" : "Send application"}
        </button>
      </Form>
      {links}
    </AuthCard>
  );
}
