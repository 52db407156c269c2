// Tier reviews for the partner team: the proposals month-end evaluations made (with the figures
// behind each and the partner's 12-month trend), decided one by one (approve, reject or override
// with a note) or approved in bulk; running an evaluation on demand; an admin's direct tier
// change; and the latest decisions. One action, named intents (validate.ts); the rules live in
// the tier domain modules; emails follow the commits.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { z } from "zod";
import { forbidden, requireStaff } from "../../auth/guards.server";
import { FormErrors } from "../../components/forms";
import { actorOf } from "../../domain/audit.server";
import { periodLabel } from "../../domain/periods";
import { evaluateTiers, type EvaluationCounts } from "../../domain/tier-evaluation.server";
import {
  adminSetTier,
  approveTierReviews,
  decideTierReview,
  findPartnerBySlug,
  TierDowngradeUnconfirmed,
  TierReviewError,
} from "../../domain/tier-reviews.server";
import { DecidedTable } from "./decided-table";
import { EvaluateCard } from "./evaluate-card";
import { tierReviewsPage } from "./queries.server";
import { ReviewCard } from "./review-card";
import { SetTierCard } from "./set-tier-card";
import { bulkSchema, SCHEMAS, type Intent } from "./validate";

export const meta: MetaFunction = () => [{ title: "Tier reviews · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  return { isAdmin: user.role === "admin", ...tierReviewsPage(args.context.db) };
}

type ActionResult = {
  intent: Intent | null;
  /** Which form answered: the review id for a decision, else the intent. */
  formId: string | null;
  result: SubmissionResult<string[]>;
  notice: string | null;
  counts?: EvaluationCounts & { periodLabel: string; latestPeriodLabel: string | null };
  refused?: { reviewId: number; partnerName: string; reason: string }[];
  /** A change down a tier waiting for its second step: what it does, and the fields to send again. */
  confirm?: { consequence: string; fields: [string, string][] };
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
        confirmed: value.confirmed === "yes",
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
      const r = await approveTierReviews(ctx, actor, value.reviewId);
      const approved = r.approved.map((a) => `${a.partnerName ?? `#${a.reviewId}`} → ${a.resultTier}`);
      const unsent = r.approved.filter((a) => !a.emailed).length;
      const refused = r.refused.map((x) => ({
        reviewId: x.reviewId,
        partnerName: x.partnerName ?? `Review #${x.reviewId}`,
        reason: x.reason,
      }));
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
        notice: counts.preview
          ? `Previewed ${periodLabel(value.period)}: nothing was recorded and no email went out.`
          : `Evaluated ${periodLabel(value.period)}.`,
        counts: {
          ...counts,
          periodLabel: periodLabel(value.period),
          latestPeriodLabel: counts.latestPeriod ? periodLabel(counts.latestPeriod) : null,
        },
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
    const r = await adminSetTier(ctx, actor, partner.id, value.tierId, value.note, new Date(), {
      confirmed: value.confirmed === "yes",
    });
    return data<ActionResult>({
      intent,
      formId,
      result: submission.reply({ resetForm: true }),
      notice: `${partner.name} is now ${r.resultTier} (was ${r.fromTier}).${emailed(r.emailed)}`,
    });
  } catch (error) {
    if (error instanceof TierDowngradeUnconfirmed) {
      // Nothing was written: the page asks again, showing the consequence, with what was typed.
      const fields = [...formData.entries()]
        .filter(([k, v]) => typeof v === "string" && k !== "confirmed")
        .map(([k, v]) => [k, String(v)] as [string, string]);
      return data<ActionResult>({
        intent,
        formId,
        result: submission.reply(),
        notice: null,
        confirm: { consequence: error.consequence, fields },
      });
    }
    if (!(error instanceof TierReviewError)) throw error;
    return data<ActionResult>(
      { intent, formId, result: submission.reply({ formErrors: [error.message] }), notice: null },
      { status: error.status }
    );
  }
}

export default function TierReviews() {
  const { pending, totalPending, decided, periods, latestPeriodLabel, defaultPeriod, ladder, isAdmin, currency } =
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
      {actionData?.confirm ? <ConfirmDowngrade {...actionData.confirm} busy={busyIntent !== null} /> : null}
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
        <EvaluateCard
          periods={periods}
          latestPeriodLabel={latestPeriodLabel}
          defaultPeriod={defaultPeriod}
          lastResult={resultFor("evaluate")}
          busy={busyIntent !== null}
          evaluating={busyIntent === "evaluate"}
          counts={actionData?.counts}
        />
        {isAdmin ? <SetTierCard ladder={ladder} lastResult={resultFor("set-tier")} busy={busyIntent !== null} /> : null}
      </div>

      <DecidedTable decided={decided} />
    </div>
  );
}

/**
 * The second step of a change down a tier: the consequence, and one button that sends the same
 * fields again with the confirmation. A plain form: it works without JavaScript and by keyboard.
 */
function ConfirmDowngrade({
  consequence,
  fields,
  busy,
}: {
  consequence: string;
  fields: [string, string][];
  busy: boolean;
}) {
  const note = fields.find(([k]) => k === "note")?.[1];
  return (
    <section className="card stack" role="alertdialog" aria-labelledby="confirm-downgrade-heading" aria-describedby="confirm-downgrade-text">
      <h2 id="confirm-downgrade-heading" style={{ margin: 0 }}>
        Confirm the move down a tier
      </h2>
      <p id="confirm-downgrade-text" style={{ margin: 0 }}>
        {consequence}
      </p>
      {note ? <p className="muted small" style={{ margin: 0 }}>Reason (recorded in the audit log): {note}</p> : null}
      <Form method="post" className="row">
        {fields.map(([name, value], i) => (
          <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit" className="danger" disabled={busy} autoFocus>
          Confirm the downgrade
        </button>
        <Link to="/internal/tier-reviews" className="button secondary">
          Cancel
        </Link>
      </Form>
    </section>
  );
}
