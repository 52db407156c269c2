// One deal as the partner team sees it: the facts, everything that conflicts with it, the
// decisions (approve, reject with a reason) and outcomes (won, lost), and its audit trail.
// One action, named intents; the partner is emailed after each change has committed.
import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { notFound, requireStaff } from "../auth/guards.server";
import { Field, FormErrors, humanize, TextareaField } from "../components/forms";
import { actorOf, listAuditTrail } from "../domain/audit.server";
import { writeTransaction } from "../db.server";
import { enqueueDealWon, registrationApprovedMessage, registrationRejectedMessage } from "../domain/deal-notifications.server";
import { deliverQueued, queueMessage } from "../mail/outbox.server";
import { conflictPanel, getDealForStaff, hasConflicts } from "../domain/deal-review.server";
import { closedAtFromDate, isClosable, staffCustomerLabel } from "../domain/deals";
import {
  approveRegistration,
  DealError,
  markLost,
  markWon,
  rejectRegistration,
} from "../domain/deals.server";
import { formatDate, formatMoney } from "../domain/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `#${data.deal.id} ${data.deal.title}` : "Registration"} · Partner team` },
];

const todayUtc = () => new Date().toISOString().slice(0, 10);

const closeDate = z
  .string({ required_error: "Enter the close date." })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the close date as YYYY-MM-DD.")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Enter a real calendar date.")
  .refine((d) => d <= todayUtc(), "The close date cannot be in the future.");

const approveSchema = z.object({ intent: z.literal("approve") });
const rejectSchema = z.object({
  intent: z.literal("reject"),
  reason: z
    .string({ required_error: "Give a reason: the partner sees it." })
    .trim()
    .min(10, "Write a reason of at least 10 characters: the partner sees it.")
    .max(1000, "Shorten the reason to 1,000 characters or fewer."),
});
const wonSchema = z.object({
  intent: z.literal("won"),
  amount: z
    .string({ required_error: "Enter the won amount." })
    .trim()
    .transform((s) => s.replace(/,/g, ""))
    .pipe(
      z
        .string()
        .regex(/^\d+(\.\d{1,2})?$/, "Enter the amount as a number with at most 2 decimals, e.g. 25000 or 25000.50.")
        .transform((s) => {
          const [whole, cents = ""] = s.split(".");
          return Number(whole) * 100 + Number(cents.padEnd(2, "0"));
        })
        .refine((cents) => cents > 0, "The won amount must be above zero.")
        .refine((cents) => Number.isSafeInteger(cents), "That amount is too large."),
    ),
  closedOn: closeDate,
});
const lostSchema = z.object({
  intent: z.literal("lost"),
  reason: z
    .string({ required_error: "Say why the deal was lost." })
    .trim()
    .min(3, "Say why the deal was lost (at least 3 characters).")
    .max(1000, "Shorten the reason to 1,000 characters or fewer."),
  closedOn: closeDate,
});
const schema = z.discriminatedUnion("intent", [approveSchema, rejectSchema, wonSchema, lostSchema]);
type Intent = z.infer<typeof schema>["intent"];

function dealIdOf(params: { dealId?: string }) {
  const id = Number(params.dealId);
  if (!/^\d+$/.test(params.dealId ?? "") || !Number.isSafeInteger(id) || id <= 0) notFound("No such deal.");
  return id;
}

/** "stage: submitted → approved; protectionEndsAt: 2025-06-01T…" from an audit event's JSON. */
function describeChange(before: unknown, after: unknown): string {
  const b = (before && typeof before === "object" ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === "object" ? after : {}) as Record<string, unknown>;
  const show = (v: unknown) => (v === undefined || v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .map((k) => (k in b && k in a ? `${k}: ${show(b[k])} → ${show(a[k])}` : k in a ? `${k}: ${show(a[k])}` : `${k} was ${show(b[k])}`))
    .join("; ");
}

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const id = dealIdOf(args.params);
  const deal = getDealForStaff(db, id);
  if (!deal) notFound("No such deal.");
  const panel = conflictPanel(db, id)!;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    today: todayUtc(),
    deal: {
      id: deal.id,
      title: deal.title,
      customer: staffCustomerLabel(deal.customerRecord, deal.typedCustomer),
      domain: deal.domain,
      stage: deal.stage,
      amountCents: deal.amountCents,
      currency: deal.currency,
      productLine: deal.productLine,
      expectedCloseOn: deal.expectedCloseOn,
      contactName: deal.contactName,
      contactEmail: deal.contactEmail,
      notes: deal.notes,
      conflictNote: deal.conflictNote,
      rejectionReason: deal.rejectionReason,
      lostReason: deal.lostReason,
      submittedAt: deal.submittedAt.toISOString(),
      decidedAt: iso(deal.decidedAt),
      protectionEndsAt: iso(deal.protectionEndsAt),
      closedAt: iso(deal.closedAt),
      holdsClaim: deal.holdsClaim,
      partnerName: deal.partnerName,
      partnerSlug: deal.partnerSlug,
      closable: isClosable(deal),
    },
    conflicts: {
      any: hasConflicts(panel),
      activeClaim: panel.activeClaim && { ...panel.activeClaim, protectionEndsAt: iso(panel.activeClaim.protectionEndsAt) },
      existingCustomer: panel.existingCustomer && { ...panel.existingCustomer, closedAt: iso(panel.existingCustomer.closedAt) },
      sameDomain: panel.sameDomain.map((d) => ({ ...d, submittedAt: d.submittedAt.toISOString() })),
      sameCompanyName: panel.sameCompanyName,
      sameContactDomain: panel.sameContactDomain,
    },
    audit: listAuditTrail(db, "deal", id).map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      actor: e.actorLabel,
      action: e.action,
      change: describeChange(e.before, e.after),
    })),
  };
}

type ActionResult = { intent: Intent | null; result: SubmissionResult<string[]>; notice: string | null };

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const id = dealIdOf(args.params);
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema });
  const raw = String(formData.get("intent") ?? "");
  const intent = (["approve", "reject", "won", "lost"].includes(raw) ? raw : null) as Intent | null;
  if (submission.status !== "success") {
    return data<ActionResult>({ intent, result: submission.reply(), notice: null }, { status: 400 });
  }
  const input = submission.value;
  const actor = actorOf(user);
  const emailed = (ok: boolean) => (ok ? " The partner was emailed." : " The email to the partner could not be sent.");
  try {
    let notice: string;
    // Each decision and the email it causes are one transaction (the email is an outbox row,
    // decision 0018); the drain starts after the commit, so the request never waits for SMTP.
    if (input.intent === "approve") {
      const { protectionEndsAt, partnerId, queued } = writeTransaction(db, (tx) => {
        const done = approveRegistration(db, actor, id);
        return { ...done, queued: done.partnerId !== null && queueMessage(tx, registrationApprovedMessage(args.context, id)) };
      });
      notice = `Approved. The account is protected until ${formatDate(protectionEndsAt)}.`;
      if (partnerId !== null) notice += emailed(queued);
    } else if (input.intent === "reject") {
      const { partnerId, queued } = writeTransaction(db, (tx) => {
        const done = rejectRegistration(db, actor, id, input.reason);
        return { ...done, queued: done.partnerId !== null && queueMessage(tx, registrationRejectedMessage(args.context, id)) };
      });
      notice = "Rejected.";
      if (partnerId !== null) notice += emailed(queued);
    } else if (input.intent === "won") {
      const { changed, partnerId, queued } = writeTransaction(db, (tx) => {
        const done = markWon(db, actor, id, input.amount, closedAtFromDate(input.closedOn));
        return { ...done, queued: done.changed && done.partnerId !== null && enqueueDealWon(args.context, tx, id) };
      });
      notice = changed ? `Marked won: ${formatMoney(input.amount)} on ${formatDate(input.closedOn)}.` : "This deal was already won.";
      if (changed && partnerId !== null) notice += emailed(queued);
    } else {
      const { changed } = markLost(db, actor, id, input.reason, closedAtFromDate(input.closedOn));
      notice = changed ? `Marked lost on ${formatDate(input.closedOn)}.` : "This deal was already lost.";
    }
    await deliverQueued(args.context);
    return data<ActionResult>({ intent, result: submission.reply({ resetForm: true }), notice });
  } catch (error) {
    if (!(error instanceof DealError)) throw error;
    return data<ActionResult>(
      { intent, result: submission.reply({ formErrors: [error.message] }), notice: null },
      { status: error.status },
    );
  }
}

const STAGE_BADGE: Record<string, string> = {
  submitted: "",
  approved: "ok",
  won: "ok",
  rejected: "danger",
  lost: "neutral",
  expired: "neutral",
};

export default function RegistrationDetail() {
  const { deal, conflicts, audit, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : null;
  const resultFor = (intent: Intent) => (actionData?.intent === intent ? actionData.result : undefined);

  const [approveForm] = useForm({ id: "approve", lastResult: resultFor("approve") });
  const [rejectForm, rejectFields] = useForm({
    id: "reject",
    lastResult: resultFor("reject"),
    constraint: getZodConstraint(rejectSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: rejectSchema }),
  });
  const [wonForm, wonFields] = useForm({
    id: "won",
    lastResult: resultFor("won"),
    defaultValue: { closedOn: today },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: wonSchema }),
  });
  const [lostForm, lostFields] = useForm({
    id: "lost",
    lastResult: resultFor("lost"),
    defaultValue: { closedOn: today },
    constraint: getZodConstraint(lostSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: lostSchema }),
  });

  const claim = conflicts.activeClaim;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="small" style={{ margin: 0 }}>
            <Link to="/internal/registrations">← Registration queue</Link>
          </p>
          <h1>
            #{deal.id} {deal.title}
          </h1>
          <p className="muted" style={{ margin: 0 }}>
            <span className={`badge ${STAGE_BADGE[deal.stage] ?? ""}`}>{humanize(deal.stage)}</span>{" "}
            {deal.partnerSlug ? (
              <>
                registered by <Link to={`/internal/partners/${deal.partnerSlug}`}>{deal.partnerName}</Link>
              </>
            ) : (
              "direct deal (no registering partner)"
            )}
          </p>
        </div>
      </div>

      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
        </p>
      ) : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Deal</h2>
          <dl className="facts">
            <dt>Customer</dt>
            <dd>
              {deal.customer} ({deal.domain})
            </dd>
            <dt>Amount</dt>
            <dd>{formatMoney(deal.amountCents, deal.currency)}</dd>
            <dt>Product line</dt>
            <dd>{deal.productLine}</dd>
            <dt>Expected close</dt>
            <dd>{formatDate(deal.expectedCloseOn)}</dd>
            <dt>Contact</dt>
            <dd>{deal.contactName || deal.contactEmail ? `${deal.contactName ?? ""} <${deal.contactEmail ?? "no email"}>` : "—"}</dd>
            <dt>Submitted</dt>
            <dd>{formatDate(deal.submittedAt)}</dd>
            <dt>Decided</dt>
            <dd>{formatDate(deal.decidedAt)}</dd>
            <dt>Protection ends</dt>
            <dd>
              {formatDate(deal.protectionEndsAt)}
              {deal.holdsClaim ? <span className="muted small"> (holds the account's claim)</span> : null}
            </dd>
            <dt>Closed</dt>
            <dd>{formatDate(deal.closedAt)}</dd>
            {deal.rejectionReason ? (
              <>
                <dt>Rejection reason</dt>
                <dd style={{ whiteSpace: "pre-wrap" }}>{deal.rejectionReason}</dd>
              </>
            ) : null}
            {deal.lostReason ? (
              <>
                <dt>Lost reason</dt>
                <dd style={{ whiteSpace: "pre-wrap" }}>{deal.lostReason}</dd>
              </>
            ) : null}
            <dt>Notes</dt>
            <dd style={{ whiteSpace: "pre-wrap" }}>{deal.notes || <span className="muted">None</span>}</dd>
          </dl>
          {deal.conflictNote ? (
            <div className="info" style={{ marginTop: "1rem" }}>
              <strong>The partner's note on the conflict:</strong>
              <p style={{ whiteSpace: "pre-wrap", margin: "0.25rem 0 0" }}>{deal.conflictNote}</p>
            </div>
          ) : null}
        </section>

        <section className="card" aria-labelledby="conflicts-heading">
          <h2 id="conflicts-heading">
            Conflicts{" "}
            {conflicts.any ? <span className="badge danger">Needs a look</span> : <span className="badge ok">None</span>}
          </h2>
          <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0, gap: "0.75rem" }}>
            <li>
              <strong>Active claim by another registration: </strong>
              {claim ? (
                <>
                  <Link to={`/internal/registrations/${claim.dealId}`}>deal #{claim.dealId}</Link> ({claim.stage}) by{" "}
                  {claim.partnerSlug ? (
                    <Link to={`/internal/partners/${claim.partnerSlug}`}>{claim.partnerName}</Link>
                  ) : (
                    "the vendor (direct)"
                  )}
                  , protected until {claim.protectionEndsAt ? formatDate(claim.protectionEndsAt) : "it is decided"}.
                </>
              ) : (
                <span className="muted">none.</span>
              )}
            </li>
            <li>
              <strong>Existing customer: </strong>
              {conflicts.existingCustomer ? (
                <>
                  won <Link to={`/internal/registrations/${conflicts.existingCustomer.dealId}`}>deal #{conflicts.existingCustomer.dealId}</Link>{" "}
                  on {formatDate(conflicts.existingCustomer.closedAt)} ({formatMoney(conflicts.existingCustomer.amountCents)}).
                </>
              ) : (
                <span className="muted">no won deal on this domain in the last 12 months.</span>
              )}
            </li>
            <NearDuplicates
              title="Other deals on this domain"
              rows={conflicts.sameDomain.map((d) => ({ ...d, detail: `submitted ${formatDate(d.submittedAt)}` }))}
            />
            <NearDuplicates
              title="Same company name, other domain"
              rows={conflicts.sameCompanyName.map((d) => ({ ...d, detail: d.domain }))}
            />
            <NearDuplicates
              title="Same contact email domain"
              rows={conflicts.sameContactDomain.map((d) => ({ ...d, detail: d.domain }))}
            />
          </ul>
        </section>
      </div>

      {deal.stage === "submitted" ? (
        <section className="card" aria-labelledby="decide-heading">
          <h2 id="decide-heading">Decide</h2>
          <div className="grid-2">
            <Form method="post" className="form" {...getFormProps(approveForm)} aria-label="Approve the registration">
              <FormErrors errors={approveForm.errors} id={approveForm.errorId} />
              <input type="hidden" name="intent" value="approve" />
              <p className="muted small">
                Approving starts the partner's protection window on {deal.domain}.
                {claim ? " Another registration holds this account now: approval will be refused until it is decided." : ""}
              </p>
              <div>
                <button type="submit" disabled={busy !== null}>
                  {busy === "approve" ? "Approving…" : "Approve"}
                </button>
              </div>
            </Form>
            <Form method="post" className="form" {...getFormProps(rejectForm)} aria-label="Reject the registration">
              <FormErrors errors={rejectForm.errors} id={rejectForm.errorId} />
              <input type="hidden" name="intent" value="reject" />
              <TextareaField meta={rejectFields.reason} label="Reason for rejecting" hint="The partner sees this reason." />
              <div>
                <button type="submit" className="danger" disabled={busy !== null}>
                  {busy === "reject" ? "Rejecting…" : "Reject"}
                </button>
              </div>
            </Form>
          </div>
        </section>
      ) : null}

      {deal.closable ? (
        <section className="card" aria-labelledby="outcome-heading">
          <h2 id="outcome-heading">Outcome</h2>
          <div className="grid-2">
            <Form method="post" className="form" {...getFormProps(wonForm)} aria-label="Mark the deal won">
              <FormErrors errors={wonForm.errors} id={wonForm.errorId} />
              <input type="hidden" name="intent" value="won" />
              <Field meta={wonFields.amount} label={`Won amount (${deal.currency})`} hint="e.g. 25000 or 25000.50" />
              <Field meta={wonFields.closedOn} label="Close date" type="date" />
              <div>
                <button type="submit" disabled={busy !== null}>
                  {busy === "won" ? "Saving…" : "Mark won"}
                </button>
              </div>
            </Form>
            <Form method="post" className="form" {...getFormProps(lostForm)} aria-label="Mark the deal lost">
              <FormErrors errors={lostForm.errors} id={lostForm.errorId} />
              <input type="hidden" name="intent" value="lost" />
              <TextareaField meta={lostFields.reason} label="Why was it lost?" />
              <Field meta={lostFields.closedOn} label="Close date" type="date" />
              <div>
                <button type="submit" className="secondary" disabled={busy !== null}>
                  {busy === "lost" ? "Saving…" : "Mark lost"}
                </button>
              </div>
            </Form>
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit trail</h2>
        {audit.length === 0 ? (
          <p className="muted">Nothing recorded yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {audit.map((e) => (
                  <tr key={e.id}>
                    <td>{e.at.slice(0, 16).replace("T", " ")}</td>
                    <td>{e.actor}</td>
                    <td>{humanize(e.action.replace(/^deal\./, ""))}</td>
                    <td className="small">{e.change}</td>
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

function NearDuplicates({
  title,
  rows,
}: {
  title: string;
  rows: { dealId: number; partnerName: string | null; stage: string; detail: string }[];
}) {
  return (
    <li>
      <strong>{title}: </strong>
      {rows.length === 0 ? (
        <span className="muted">none.</span>
      ) : (
        <ul style={{ margin: "0.25rem 0 0", paddingLeft: "1.25rem" }}>
          {rows.map((d) => (
            <li key={d.dealId}>
              <Link to={`/internal/registrations/${d.dealId}`}>deal #{d.dealId}</Link> · {d.partnerName ?? "direct"} ·{" "}
              {humanize(d.stage)} · {d.detail}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
