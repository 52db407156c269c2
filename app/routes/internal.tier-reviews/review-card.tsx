// One pending tier proposal as the partner team decides it: the partner and the change, the
// figures against what the current and proposed tier need, the 12-month trend, and the decision
// form (approve, reject or override with a note). A stale proposal cannot be approved.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { Form, Link } from "@remix-run/react";
import { FieldError, FormErrors, TextareaField } from "../../components/forms";
import { formatDate } from "../../domain/format";
import type { LadderOption, PendingCard } from "./queries.server";
import { TrendChart } from "./trend-chart";
import { decideSchema } from "./validate";

function DirectionBadge({ direction, from, to }: { direction: "upgrade" | "downgrade"; from: string; to: string }) {
  const up = direction === "upgrade";
  return (
    <span className={`badge ${up ? "ok" : "warn"}`}>
      <span aria-hidden="true">{up ? "▲" : "▼"}</span> {up ? "Upgrade" : "Downgrade"}: {from} → {to}
    </span>
  );
}

export function ReviewCard({
  review: r,
  ladder,
  currency,
  lastResult,
  busy,
  bulkFormId,
}: {
  review: PendingCard;
  ladder: LadderOption[];
  currency: string;
  lastResult: SubmissionResult<string[]> | undefined;
  busy: boolean;
  bulkFormId: string;
}) {
  const [form, fields] = useForm({
    id: `review-${r.id}`,
    lastResult,
    constraint: getZodConstraint(decideSchema.innerType()),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: decideSchema }),
  });
  const titleId = `review-${r.id}-title`;
  return (
    <article className="card stack" aria-labelledby={titleId} style={{ gap: "0.75rem" }}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div className="row">
          <h3 id={titleId} style={{ margin: 0 }}>
            <Link to={`/internal/partners/${r.partnerSlug}`}>{r.partnerName}</Link>
          </h3>
          <DirectionBadge direction={r.direction} from={r.fromTier.name} to={r.toTier.name} />
        </div>
        {r.stale ? null : (
          <label className="small row" style={{ gap: "0.4rem" }}>
            <input type="checkbox" name="reviewId" value={r.id} form={bulkFormId} />
            Select for bulk approval
          </label>
        )}
      </div>
      <p className="muted small" style={{ margin: 0 }}>
        Evaluation of {r.periodLabel} · proposed {formatDate(r.createdAt)} · {r.model} attribution,{" "}
        {formatDate(r.window.from)} to {formatDate(r.window.to)}
      </p>
      {r.superseded && r.newerEvaluation ? (
        <p className="form-error" style={{ margin: 0 }}>
          Out of date: the newer {r.newerEvaluation.periodLabel} evaluation qualifies the partner for{" "}
          {r.newerEvaluation.qualifyingTier}, so this proposal cannot be approved: reject it, or override with the tier
          you want.
        </p>
      ) : r.stale ? (
        <p className="form-error" style={{ margin: 0 }}>
          The partner's tier changed since this was proposed, so it cannot be approved: reject it, or override with the
          tier you want.
        </p>
      ) : null}
      {r.newerEvaluation && !r.superseded ? (
        <p className="info small" style={{ margin: 0 }}>
          A newer evaluation ({r.newerEvaluation.periodLabel}) qualifies the partner for{" "}
          {r.newerEvaluation.qualifyingTier}.
        </p>
      ) : null}
      <div className="grid-2">
        <MetricsTable figures={r.figures} />
        <TrendChart months={r.trend} currency={currency} partnerName={r.partnerName} />
      </div>
      <Form
        method="post"
        {...getFormProps(form)}
        aria-label={`Decide the proposal for ${r.partnerName}`}
        className="stack"
        style={{ gap: "0.75rem" }}
      >
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name="intent" value="decide" />
        <input type="hidden" name="reviewId" value={r.id} />
        <div className="grid-2">
          <TextareaField
            meta={fields.note}
            label="Note"
            hint="Required to reject or override. The partner's admins see it."
          />
          <div className="stack" style={{ gap: "0.5rem", alignContent: "start" }}>
            <div className="field">
              <label htmlFor={fields.overrideTierId.id}>Override to tier</label>
              <select
                id={fields.overrideTierId.id}
                name={fields.overrideTierId.name}
                defaultValue={fields.overrideTierId.initialValue ?? ""}
                key={fields.overrideTierId.key}
                aria-invalid={fields.overrideTierId.errors ? true : undefined}
                aria-describedby={fields.overrideTierId.errors ? fields.overrideTierId.errorId : undefined}
              >
                <option value="">Choose a tier…</option>
                {ladder
                  .filter((t) => t.id !== r.fromTier.id || r.stale)
                  .map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
              </select>
              <FieldError meta={fields.overrideTierId} />
            </div>
            <FieldError meta={fields.decision} />
          </div>
        </div>
        <div className="row">
          {r.stale ? null : (
            <button type="submit" name="decision" value="approve" disabled={busy}>
              Approve {r.toTier.name}
            </button>
          )}
          <button type="submit" name="decision" value="reject" className="danger" disabled={busy}>
            Reject
          </button>
          <button type="submit" name="decision" value="override" className="secondary" disabled={busy}>
            Override
          </button>
        </div>
      </Form>
    </article>
  );
}

function NeedCell({ need }: { need: { need: string; met: boolean } | null }) {
  if (!need) return <span className="muted">—</span>;
  return (
    <>
      {need.need} <span className={`badge ${need.met ? "ok" : "neutral"}`}>{need.met ? "met" : "not met"}</span>
    </>
  );
}

function MetricsTable({ figures: f }: { figures: PendingCard["figures"] }) {
  const head = (t: { name: string; rule: string | null }) => `${t.name} needs${t.rule ? ` (${t.rule})` : ""}`;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Figures of the evaluation against the thresholds</caption>
        <thead>
          <tr>
            <th scope="col">Trailing 12 months</th>
            <th scope="col" className="num">
              Partner
            </th>
            <th scope="col">{head(f.currentTier)}</th>
            {f.proposedTier ? <th scope="col">{head(f.proposedTier)}</th> : null}
          </tr>
        </thead>
        <tbody>
          {f.rows.map((row) => (
            <tr key={row.key}>
              <th scope="row" style={{ textTransform: "none", fontSize: "inherit", letterSpacing: "normal" }}>
                {row.label}
              </th>
              <td className="num">
                {row.value}
                {row.detail ? <div className="muted small">{row.detail}</div> : null}
              </td>
              <td>
                <NeedCell need={row.current} />
              </td>
              {f.proposedTier ? (
                <td>
                  <NeedCell need={row.proposed} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
