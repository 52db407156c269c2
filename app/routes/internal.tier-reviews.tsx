// Tier reviews for the partner team: the proposals month-end evaluations made (with the figures
// behind each and the partner's 12-month trend), decided one by one (approve, reject or override
// with a note) or approved in bulk; running an evaluation on demand; an admin's direct tier
// change; and the latest decisions. One action, named intents; emails follow the commits.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { forbidden, requireStaff } from "../auth/guards.server";
import { Field, FieldError, FormErrors, SelectField, TextareaField } from "../components/forms";
import { MODEL_LABEL } from "../domain/attribution";
import { actorOf } from "../domain/audit.server";
import { formatDate, formatMoney } from "../domain/format";
import { loadLadder } from "../domain/tier-metrics.server";
import {
  adminSetTier,
  countPendingReviews,
  decideTierReview,
  evaluatedPeriods,
  evaluateTiers,
  findPartnerBySlug,
  formatThreshold,
  formatWinRate,
  getProgramSettings,
  listDecidedReviews,
  listPendingReviews,
  monthlyCreditedRevenue,
  TierReviewError,
  type EvaluationCounts,
  type ThresholdSet,
  type TierSnapshot,
} from "../domain/tier-evaluation.server";
import { addMonths, lastCompletedPeriod, periodLabel } from "../domain/periods";
import type { Threshold } from "../domain/tiers";

export const meta: MetaFunction = () => [{ title: "Tier reviews · Partner team" }];

/** Each card computes a 12-month trend; past this many the rest wait for the oldest. */
const PENDING_LIMIT = 50;

const note = z.string().trim().max(1000, "Shorten the note to 1,000 characters or fewer.").optional();

const decideSchema = z
  .object({
    intent: z.literal("decide"),
    reviewId: z.coerce.number().int().positive(),
    decision: z.enum(["approve", "reject", "override"], { required_error: "Choose approve, reject or override." }),
    note,
    overrideTierId: z.coerce.number().int().positive().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision !== "approve" && !v.note) {
      ctx.addIssue({
        code: "custom",
        path: ["note"],
        message:
          v.decision === "reject"
            ? "Write why you reject the proposal: the partner sees this note."
            : "Write why you override the proposal: the partner sees this note.",
      });
    }
    if (v.decision === "override" && !v.overrideTierId) {
      ctx.addIssue({ code: "custom", path: ["overrideTierId"], message: "Choose the tier to set instead." });
    }
  });

const bulkSchema = z.object({
  intent: z.literal("bulk-approve"),
  reviewId: z
    .array(z.coerce.number().int().positive(), { required_error: "Select at least one proposal to approve." })
    .min(1, "Select at least one proposal to approve."),
});

const evaluateSchema = z.object({
  intent: z.literal("evaluate"),
  period: z
    .string({ required_error: "Choose the month to evaluate." })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Choose a month."),
});

const setTierSchema = z.object({
  intent: z.literal("set-tier"),
  partnerSlug: z.string({ required_error: "Enter the partner's slug." }).trim().toLowerCase().max(200),
  tierId: z.coerce
    .number({ required_error: "Choose the tier.", invalid_type_error: "Choose the tier." })
    .int()
    .positive(),
  note: z
    .string({ required_error: "Write why you set the tier: the partner sees this note." })
    .trim()
    .min(3, "Write why you set the tier: the partner sees this note.")
    .max(1000, "Shorten the note to 1,000 characters or fewer."),
});

const SCHEMAS = {
  decide: decideSchema,
  "bulk-approve": bulkSchema,
  evaluate: evaluateSchema,
  "set-tier": setTierSchema,
} as const;
type Intent = keyof typeof SCHEMAS;

/** The months an evaluation can be run for: the last 12 that have ended, newest first. */
function evaluablePeriods(now: Date) {
  const last = lastCompletedPeriod(now);
  return Array.from({ length: 12 }, (_, i) => addMonths(last, -i));
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const { currency } = getProgramSettings(db);
  const pending = listPendingReviews(db, { limit: PENDING_LIMIT });
  const evaluated = evaluatedPeriods(db);
  const periods = evaluablePeriods(new Date());
  return {
    isAdmin: user.role === "admin",
    currency,
    totalPending: countPendingReviews(db),
    ladder: loadLadder(db).map((t) => ({ id: t.id, name: t.name, rank: t.rank })),
    pending: pending.map((r) => ({
      id: r.id,
      partnerName: r.partnerName,
      partnerSlug: r.partnerSlug,
      periodLabel: periodLabel(r.period),
      direction: r.direction,
      fromTier: r.fromTier,
      toTier: r.toTier,
      model: MODEL_LABEL[r.metrics.model] ?? r.metrics.model,
      window: {
        from: r.metrics.window.from,
        // The window's end is exclusive: show its last day.
        to: new Date(new Date(r.metrics.window.to).getTime() - 1).toISOString(),
      },
      figures: figuresView(r.metrics, currency),
      createdAt: r.createdAt.toISOString(),
      stale: r.stale,
      newerEvaluation: r.newerEvaluation
        ? { periodLabel: periodLabel(r.newerEvaluation.period), qualifyingTier: r.newerEvaluation.qualifyingTier }
        : null,
      trend: monthlyCreditedRevenue(
        db,
        r.partnerId,
        { from: new Date(r.metrics.window.from), to: new Date(r.metrics.window.to) },
        r.metrics.model
      ).map((m) => ({ label: periodLabel(m.period), cents: m.cents })),
    })),
    decided: listDecidedReviews(db, 20).map((r) => ({
      ...r,
      periodLabel: periodLabel(r.period),
      decidedAt: r.decidedAt?.toISOString() ?? null,
    })),
    periods: periods.map((p) => ({ value: p, label: periodLabel(p), evaluated: evaluated.get(p) ?? 0 })),
    defaultPeriod: periods[0],
  };
}

/** The snapshot as the card shows it: each figure with what the current and proposed tier need. */
function figuresView(m: TierSnapshot, currency: string) {
  const { current, qualifying } = m.thresholds;
  const need = (set: ThresholdSet, key: Threshold["key"]) => {
    const t = set.items.find((x) => x.key === key);
    return t ? { need: formatThreshold(t, currency).need, met: t.met } : null;
  };
  const rule = (set: ThresholdSet) => (set.items.length > 1 ? (set.rule === "any" ? "any one" : "all") : null);
  const row = (key: Threshold["key"], label: string, value: string, detail: string | null) => ({
    key,
    label,
    value,
    detail,
    current: need(current, key),
    proposed: qualifying.tier === current.tier ? null : need(qualifying, key),
  });
  return {
    currentTier: { name: current.tier, rule: rule(current) },
    proposedTier: qualifying.tier === current.tier ? null : { name: qualifying.tier, rule: rule(qualifying) },
    rows: [
      row("revenue", "Attributed revenue", formatMoney(m.revenueCents, currency), null),
      row("wonDeals", "Won deals", String(m.wonDeals), null),
      row("winRate", "Win rate", formatWinRate(m.winRateBp), `of ${m.closedDeals} closed`),
    ],
  };
}

type ActionResult = {
  intent: Intent | null;
  /** Which form answered: the review id for a decision, else the intent. */
  formId: string | null;
  result: SubmissionResult<string[]>;
  notice: string | null;
  counts?: EvaluationCounts & { periodLabel: string };
  refused?: { reviewId: number; partnerName: string; reason: string }[];
};

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const ctx = args.context;
  const formData = await args.request.formData();
  const raw = String(formData.get("intent") ?? "");
  const intent = (raw in SCHEMAS ? raw : null) as Intent | null;
  if (!intent) throw new Response("Unknown action.", { status: 400 });
  if (intent === "set-tier" && user.role !== "admin") forbidden("Only program admins can set a tier directly.");
  const formId = intent === "decide" ? `review-${String(formData.get("reviewId") ?? "")}` : intent;
  const submission = parseWithZod(formData, { schema: SCHEMAS[intent] as z.ZodTypeAny });
  if (submission.status !== "success") {
    return data<ActionResult>({ intent, formId, result: submission.reply(), notice: null }, { status: 400 });
  }
  const actor = actorOf(user);
  const emailed = (ok: boolean) =>
    ok ? " The partner's admins were emailed." : " No email went out (no partner admin to tell, or the mailer failed).";
  try {
    const value = submission.value as z.infer<(typeof SCHEMAS)[Intent]>;
    if (value.intent === "decide") {
      const r = await decideTierReview(ctx, actor, value.reviewId, {
        decision: value.decision,
        note: value.note ?? null,
        overrideTierId: value.overrideTierId ?? null,
      });
      const what =
        r.status === "approved"
          ? `Approved: the partner is now ${r.resultTier}.`
          : r.status === "rejected"
          ? `Rejected: the partner stays ${r.resultTier}.`
          : `Overridden: the partner is now ${r.resultTier}.`;
      return data<ActionResult>({
        intent,
        formId,
        result: submission.reply({ resetForm: true }),
        notice: what + emailed(r.emailed),
      });
    }
    if (value.intent === "bulk-approve") {
      const names = new Map(listPendingReviews(ctx.db).map((r) => [r.id, r.partnerName]));
      const approved: string[] = [];
      const refused: NonNullable<ActionResult["refused"]> = [];
      let unsent = 0;
      for (const id of value.reviewId) {
        try {
          const r = await decideTierReview(ctx, actor, id, { decision: "approve" });
          approved.push(`${names.get(id) ?? `#${id}`} → ${r.resultTier}`);
          if (!r.emailed) unsent++;
        } catch (error) {
          if (!(error instanceof TierReviewError)) throw error;
          refused.push({ reviewId: id, partnerName: names.get(id) ?? `Review #${id}`, reason: error.message });
        }
      }
      const notice = approved.length
        ? `Approved ${approved.length}: ${approved.join(", ")}.${unsent ? ` ${unsent} without an email.` : ""}`
        : null;
      return data<ActionResult>({ intent, formId, result: submission.reply({ resetForm: true }), notice, refused });
    }
    if (value.intent === "evaluate") {
      const counts = await evaluateTiers(ctx, { period: value.period, actor });
      return data<ActionResult>({
        intent,
        formId,
        result: submission.reply(),
        notice: `Evaluated ${periodLabel(value.period)}.`,
        counts: { ...counts, periodLabel: periodLabel(value.period) },
      });
    }
    const partner = findPartnerBySlug(ctx.db, value.partnerSlug);
    if (!partner) {
      return data<ActionResult>(
        {
          intent,
          formId,
          result: submission.reply({ fieldErrors: { partnerSlug: ["No partner has this slug."] } }),
          notice: null,
        },
        { status: 400 }
      );
    }
    const r = await adminSetTier(ctx, actor, partner.id, value.tierId, value.note);
    return data<ActionResult>({
      intent,
      formId,
      result: submission.reply({ resetForm: true }),
      notice: `${partner.name} is now ${r.resultTier} (was ${r.fromTier}).${emailed(r.emailed)}`,
    });
  } catch (error) {
    if (!(error instanceof TierReviewError)) throw error;
    return data<ActionResult>(
      { intent, formId, result: submission.reply({ formErrors: [error.message] }), notice: null },
      { status: error.status }
    );
  }
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type PendingCard = LoaderData["pending"][number];

export default function TierReviews() {
  const { pending, totalPending, decided, periods, defaultPeriod, ladder, isAdmin, currency } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyIntent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : null;
  const resultFor = (formId: string) => (actionData?.formId === formId ? actionData.result : undefined);

  const [bulkForm, bulkFields] = useForm({
    id: "bulk-approve",
    lastResult: resultFor("bulk-approve"),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: bulkSchema }),
  });
  const [evaluateForm, evaluateFields] = useForm({
    id: "evaluate",
    lastResult: resultFor("evaluate"),
    defaultValue: { period: defaultPeriod },
    constraint: getZodConstraint(evaluateSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: evaluateSchema }),
  });
  const approvable = pending.filter((r) => !r.stale).length;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Tier reviews</h1>
          <p className="muted" style={{ margin: 0 }}>
            Proposals from the month-end evaluations. Upgrades are proposed at once; downgrades only after a partner
            stayed below its tier for two evaluations in a row. Nothing changes a partner's tier until you decide.
          </p>
        </div>
      </div>

      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
        </p>
      ) : null}
      {actionData?.refused?.length ? (
        <div className="form-error" role="alert">
          <p style={{ margin: 0 }}>Not approved:</p>
          <ul style={{ margin: "0.25rem 0 0" }}>
            {actionData.refused.map((r) => (
              <li key={r.reviewId}>
                {r.partnerName}: {r.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <section className="stack" aria-labelledby="pending-heading">
        <div className="page-head" style={{ marginBottom: 0 }}>
          <h2 id="pending-heading" style={{ margin: 0 }}>
            Pending proposals ({totalPending})
          </h2>
          {totalPending > pending.length ? (
            <p className="muted small" style={{ margin: 0 }}>
              Showing the oldest {pending.length} of {totalPending}.
            </p>
          ) : null}
        </div>
        {pending.length === 0 ? (
          <p className="card muted">No tier changes are waiting for a decision.</p>
        ) : (
          <>
            <Form
              method="post"
              {...getFormProps(bulkForm)}
              aria-label="Approve the selected proposals"
              className="card row"
            >
              <input type="hidden" name="intent" value="bulk-approve" />
              <button type="submit" disabled={busyIntent !== null || approvable === 0}>
                {busyIntent === "bulk-approve" ? "Approving…" : "Approve selected"}
              </button>
              <span className="muted small">
                Tick “Select for bulk approval” on the proposals below. Each is checked again before it is approved.
              </span>
              <FormErrors
                errors={[...(bulkForm.errors ?? []), ...(bulkFields.reviewId.errors ?? [])]}
                id={bulkForm.errorId}
              />
            </Form>
            {pending.map((r) => (
              <ReviewCard
                key={r.id}
                review={r}
                ladder={ladder}
                currency={currency}
                lastResult={resultFor(`review-${r.id}`)}
                busy={busyIntent !== null}
                bulkFormId={bulkForm.id}
              />
            ))}
          </>
        )}
      </section>

      <div className="grid-2">
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
              <button type="submit" disabled={busyIntent !== null}>
                {busyIntent === "evaluate" ? "Evaluating…" : "Run evaluation"}
              </button>
            </div>
          </Form>
          {actionData?.counts ? <EvaluationSummary counts={actionData.counts} /> : null}
        </section>

        {isAdmin ? <SetTierCard ladder={ladder} lastResult={resultFor("set-tier")} busy={busyIntent !== null} /> : null}
      </div>

      <section className="card" aria-labelledby="decided-heading">
        <h2 id="decided-heading">Recently decided</h2>
        {decided.length === 0 ? (
          <p className="muted">No decisions yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Decided</th>
                  <th scope="col">Partner</th>
                  <th scope="col">Change</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Reviewer</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {decided.map((d) => (
                  <tr key={d.id}>
                    <td>{formatDate(d.decidedAt)}</td>
                    <td>
                      <Link to={`/internal/partners/${d.partnerSlug}`}>{d.partnerName}</Link>
                      <div className="muted small">{d.periodLabel}</div>
                    </td>
                    <td>
                      {d.fromTier} → {d.toTier}
                    </td>
                    <td>
                      <span
                        className={`badge ${
                          d.status === "rejected" ? "neutral" : d.status === "overridden" ? "warn" : "ok"
                        }`}
                      >
                        {d.status === "approved" ? "Approved" : d.status === "rejected" ? "Rejected" : "Overridden"}
                      </span>
                      <div className="muted small">now {d.resultTier}</div>
                    </td>
                    <td>{d.reviewerName ?? "system"}</td>
                    <td className="small" style={{ whiteSpace: "pre-wrap" }}>
                      {d.note ?? <span className="muted">—</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function DirectionBadge({ direction, from, to }: { direction: "upgrade" | "downgrade"; from: string; to: string }) {
  const up = direction === "upgrade";
  return (
    <span className={`badge ${up ? "ok" : "warn"}`}>
      <span aria-hidden="true">{up ? "▲" : "▼"}</span> {up ? "Upgrade" : "Downgrade"}: {from} → {to}
    </span>
  );
}

function ReviewCard({
  review: r,
  ladder,
  currency,
  lastResult,
  busy,
  bulkFormId,
}: {
  review: PendingCard;
  ladder: { id: number; name: string; rank: number }[];
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
      {r.stale ? (
        <p className="form-error" style={{ margin: 0 }}>
          The partner's tier changed since this was proposed, so it cannot be approved: reject it, or override with the
          tier you want.
        </p>
      ) : null}
      {r.newerEvaluation ? (
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

/** Twelve monthly bars of credited revenue; the numbers are in each bar's title and the label. */
function TrendChart({
  months,
  currency,
  partnerName,
}: {
  months: { label: string; cents: number }[];
  currency: string;
  partnerName: string;
}) {
  const width = 240;
  const height = 72;
  const gap = 4;
  const barWidth = (width - gap * (months.length - 1)) / Math.max(1, months.length);
  const max = Math.max(1, ...months.map((m) => m.cents));
  const total = months.reduce((s, m) => s + m.cents, 0);
  const best = months.reduce((a, b) => (b.cents > a.cents ? b : a), months[0] ?? { label: "", cents: 0 });
  const first = months[0]?.label;
  const last = months[months.length - 1]?.label;
  const label = first
    ? `Credited revenue of ${partnerName} per month, ${first} to ${last}: ${formatMoney(total, currency)} in total` +
      (best.cents > 0 ? `, highest ${formatMoney(best.cents, currency)} in ${best.label}.` : ", nothing credited.")
    : "No trend.";
  return (
    <figure style={{ margin: 0 }}>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: 360, display: "block", color: "var(--brand)" }}
        preserveAspectRatio="none"
      >
        <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} stroke="var(--border)" strokeWidth={1} />
        {months.map((m, i) => {
          const h = m.cents === 0 ? 0 : Math.max(2, (m.cents / max) * (height - 4));
          return (
            <rect
              key={m.label}
              x={i * (barWidth + gap)}
              y={height - 1 - h}
              width={barWidth}
              height={h}
              fill="currentColor"
              rx={2}
            >
              <title>{`${m.label}: ${formatMoney(m.cents, currency)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="muted small row" style={{ justifyContent: "space-between", maxWidth: 360 }}>
        <span>{first ?? ""}</span>
        <span>Monthly credited revenue</span>
        <span>{last ?? ""}</span>
      </figcaption>
    </figure>
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

function SetTierCard({
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
