// An admin sets a partner's tier outside a proposal, with a note the partner sees.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { Field, FormErrors, SelectField, TextareaField } from "../../components/forms";
import { setTierSchema } from "./validate";

export function SetTierCard({
  ladder,
  lastResult,
  busy,
}: {
  ladder: { id: number; name: string }[];
  lastResult: SubmissionResult<string[]> | undefined;
  busy: boolean;
}) {
  const [form, fields] = useForm({
    id: "set-tier",
    lastResult,
    constraint: getZodConstraint(setTierSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: setTierSchema }),
  });
  return (
    <section className="card" aria-labelledby="set-tier-heading">
      <h2 id="set-tier-heading">Set a partner's tier</h2>
      <p className="muted small">
        Admins only, outside a proposal: recorded as an overridden review for this month (one per partner and month) and
        emailed to the partner's admins.
      </p>
      <Form method="post" className="form" {...getFormProps(form)} aria-label="Set a partner's tier">
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name="intent" value="set-tier" />
        <Field
          meta={fields.partnerSlug}
          label="Partner slug"
          hint="As in the partner's page address, e.g. northwind-solutions"
        />
        <SelectField
          meta={fields.tierId}
          label="New tier"
          placeholder="Choose a tier…"
          options={ladder.map((t) => ({ value: String(t.id), label: t.name }))}
        />
        <TextareaField meta={fields.note} label="Note" hint="Required. The partner's admins see it." />
        <div>
          <button type="submit" className="secondary" disabled={busy}>
            Set tier
          </button>
        </div>
      </Form>
    </section>
  );
}
