// Running a month's tier evaluation on demand, and what the run did.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { FormErrors, SelectField } from "../../components/forms";
import type { EvaluationCounts } from "../../domain/tier-evaluation.server";
import type { TierReviewsPage } from "./queries.server";
import { evaluateSchema } from "./validate";

export function EvaluateCard({
  periods,
  defaultPeriod,
  lastResult,
  busy,
  evaluating,
  counts,
}: {
  periods: TierReviewsPage["periods"];
  defaultPeriod: string;
  lastResult: SubmissionResult<string[]> | undefined;
  busy: boolean;
  /** This form is the one being submitted. */
  evaluating: boolean;
  counts: (EvaluationCounts & { periodLabel: string }) | undefined;
}) {
  const [evaluateForm, evaluateFields] = useForm({
    id: "evaluate",
    lastResult,
    defaultValue: { period: defaultPeriod },
    constraint: getZodConstraint(evaluateSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: evaluateSchema }),
  });
  return (
    <section className="card" aria-labelledby="evaluate-heading">
      <h2 id="evaluate-heading">Run an evaluation</h2>
      <p className="muted small">
        The month-end job does this at 00:30 UTC on the 1st. Running a month again only evaluates partners it
        missed: earlier results and proposals stay as they are.
      </p>
      <Form method="post" className="form" {...getFormProps(evaluateForm)} aria-label="Run an evaluation">
        <FormErrors errors={evaluateForm.errors} id={evaluateForm.errorId} />
        <input type="hidden" name="intent" value="evaluate" />
        <SelectField
          meta={evaluateFields.period}
          label="Month to evaluate"
          options={periods.map((p) => ({
            value: p.value,
            label: p.evaluated ? `${p.label} (${p.evaluated} evaluated)` : p.label,
          }))}
        />
        <div>
          <button type="submit" disabled={busy}>
            {evaluating ? "Evaluating…" : "Run evaluation"}
          </button>
        </div>
      </Form>
      {counts ? <EvaluationSummary counts={counts} /> : null}
    </section>
  );
}

function EvaluationSummary({ counts: c }: { counts: EvaluationCounts & { periodLabel: string } }) {
  return (
    <div className="info small" role="status" style={{ marginTop: "1rem" }}>
      <strong>{c.periodLabel}:</strong>
      <ul style={{ margin: "0.25rem 0 0" }}>
        <li>
          {c.evaluated} partners evaluated now; {c.alreadyEvaluated} had been evaluated before and were left as they
          were
        </li>
        <li>
          {c.upgrades} upgrades and {c.downgrades} downgrades proposed ({c.reviewsCreated} new reviews; the others
          already have one waiting)
        </li>
        <li>
          {c.warnings} downgrade warnings ({c.warningEmailsSent} emailed
          {c.warningEmailsFailed ? `, ${c.warningEmailsFailed} failed` : ""})
        </li>
        <li>{c.unchanged} unchanged</li>
      </ul>
    </div>
  );
}
