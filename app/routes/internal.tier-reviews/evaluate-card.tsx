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
  latestPeriodLabel,
  defaultPeriod,
  lastResult,
  busy,
  evaluating,
  counts,
}: {
  periods: TierReviewsPage["periods"];
  latestPeriodLabel: string | null;
  defaultPeriod: string;
  lastResult: SubmissionResult<string[]> | undefined;
  busy: boolean;
  /** This form is the one being submitted. */
  evaluating: boolean;
  counts: (EvaluationCounts & { periodLabel: string; latestPeriodLabel: string | null }) | undefined;
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
      {latestPeriodLabel ? (
        <p className="info small" id="evaluate-preview-note">
          {latestPeriodLabel} is the latest evaluated month. A month before it runs as a read-only preview: the page
          shows what the evaluation would find, but nothing is recorded, no proposal is opened and no partner is emailed
          (its warnings would speak of an evaluation that has already happened).
        </p>
      ) : null}
      <Form method="post" className="form" {...getFormProps(evaluateForm)} aria-label="Run an evaluation">
        <FormErrors errors={evaluateForm.errors} id={evaluateForm.errorId} />
        <input type="hidden" name="intent" value="evaluate" />
        <SelectField
          meta={evaluateFields.period}
          label="Month to evaluate"
          options={periods.map((p) => ({
            value: p.value,
            label: p.previewOnly
              ? `${p.label} (preview only${p.evaluated ? `, ${p.evaluated} evaluated` : ""})`
              : p.evaluated
              ? `${p.label} (${p.evaluated} evaluated)`
              : p.label,
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

function EvaluationSummary({ counts: c }: { counts: EvaluationCounts & { periodLabel: string; latestPeriodLabel: string | null } }) {
  if (c.preview) {
    return (
      <div className="info small" role="status" style={{ marginTop: "1rem" }}>
        <strong>{c.periodLabel}: preview only: nothing was recorded, proposed or emailed.</strong>
        <p style={{ margin: "0.25rem 0 0" }}>
          {c.periodLabel} is older than the latest evaluated month
          {c.latestPeriodLabel ? ` (${c.latestPeriodLabel})` : ""}. Run now, it would find:
        </p>
        <ul style={{ margin: "0.25rem 0 0" }}>
          <li>
            {c.evaluated} partners not yet evaluated for it; {c.alreadyEvaluated} keep the result recorded before
          </li>
          <li>
            {c.upgrades} upgrades and {c.downgrades} downgrades
          </li>
          <li>{c.warnings} below their tier</li>
          <li>{c.unchanged} unchanged</li>
        </ul>
      </div>
    );
  }
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
