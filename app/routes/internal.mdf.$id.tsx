// One MDF request for the partner team: details with the partner's budget for the quarter,
// approve (within the allowance) or reject with a reason, approve a claim for payment or return
// it for changes with a reason. Each decision commits with its email in the outbox
// (mdf-notifications.server.ts); the page's token makes a double click decide once and give
// the second click the first answer.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { notFound, requireStaff } from "../auth/guards.server";
import { MdfBudgetCard, MdfDetails } from "../components/mdf";
import { actorOf, listAuditTrail } from "../domain/audit.server";
import { writeTransaction } from "../db.server";
import { formatDate } from "../domain/format";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken, rememberResult, replayOf } from "../domain/idempotency.server";
import { mdfClaimReturnedMessage, mdfDecidedMessage, mdfPaidMessage } from "../domain/mdf-notifications.server";
import { deliverQueued, queueMessage } from "../mail/outbox.server";
import { approveClaim, decideMdf, getMdfForStaff, MdfError, mdfBudget, returnClaim } from "../domain/mdf.server";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "MDF request · Partner team" }];

function idOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return id;
}

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const request = getMdfForStaff(db, idOf(args.params.id));
  if (!request) notFound("That MDF request was not found.");
  return {
    currency: programCurrency(db),
    request,
    budget: mdfBudget(db, request.partnerId, request.quarter),
    trail: listAuditTrail(db, "mdf_request", request.id).map((e) => ({ id: e.id, at: e.at, actor: e.actorLabel, action: e.action })),
    idempotencyToken: newIdempotencyToken(),
  };
}

type ActionData = { ok: boolean; message: string; problems?: Record<string, string> };
const emailed = (sent: boolean) => (sent ? " The partner's admins were emailed." : " The email to the partner could not be sent; tell them directly.");

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const id = idOf(args.params.id);
  const form = await args.request.formData();
  const intent = String(form.get("intent") ?? "");
  const actor = actorOf(user);
  const { db } = args.context;
  const reason = String(form.get("reason") ?? "");
  // Each decision and its email commit together (an outbox row); the drain runs after.
  const change: Record<string, (() => string) | undefined> = {
    approve: () => {
      const { status } = decideMdf(db, actor, id, { approve: true });
      return `Request ${status}.${emailed(queueMessage(db, mdfDecidedMessage(args.context, id)))}`;
    },
    reject: () => {
      const { status } = decideMdf(db, actor, id, { approve: false, reason });
      return `Request ${status}.${emailed(queueMessage(db, mdfDecidedMessage(args.context, id)))}`;
    },
    pay: () => {
      approveClaim(db, actor, id);
      return `Claim approved for payment.${emailed(queueMessage(db, mdfPaidMessage(args.context, id)))}`;
    },
    return: () => {
      returnClaim(db, actor, id, reason);
      return `Claim returned for changes: the partner can claim again with new proof.${emailed(queueMessage(db, mdfClaimReturnedMessage(args.context, id)))}`;
    },
  };
  const run = change[intent];
  if (!run) return data<ActionData>({ ok: false, message: "Unknown action: use the buttons on this page." }, { status: 400 });
  try {
    const key = idempotencyKeyOf(form, user.id, `mdf.${intent}`);
    const message = writeTransaction(db, (tx) => {
      const earlier = replayOf(tx, key);
      if (earlier) return earlier;
      const answer = run();
      rememberResult(tx, key, answer);
      return answer;
    });
    await deliverQueued(args.context);
    return data<ActionData>({ ok: true, message });
  } catch (error) {
    if (error instanceof MdfError) return data<ActionData>({ ok: false, message: error.message, problems: error.problems }, { status: error.status });
    if (error instanceof IdempotencyError) return data<ActionData>({ ok: false, message: error.message }, { status: error.status });
    throw error;
  }
}

export default function InternalMdfRequest() {
  const { currency, request, budget, trail, idempotencyToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const reasonProblem = actionData?.problems?.reason;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>MDF request · {request.partnerName}</h1>
          <p className="muted" style={{ margin: 0 }}>
            Requested by {request.requestedByName ?? "a former user"}. <Link to="/internal/mdf">Back to MDF</Link>
          </p>
        </div>
      </div>
      {actionData ? (
        <p className={actionData.ok ? "notice" : "form-error"} role={actionData.ok ? "status" : "alert"}>
          {actionData.message}
        </p>
      ) : null}
      <MdfDetails request={request} currency={currency} proofHref={(f) => `/internal/mdf/${request.id}/proof/${f}`} dealHref={(d) => `/internal/registrations/${d}`} />
      <MdfBudgetCard budget={budget} currency={currency} heading={`${request.partnerName}'s budget for ${request.quarter}`} />
      {request.status === "requested" ? (
        <section className="card stack" aria-labelledby="decide-heading">
          <h2 id="decide-heading" style={{ margin: 0 }}>
            Decide
          </h2>
          <Form method="post" className="form" aria-label="Decide on the request">
            <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
            <div className="field">
              <label htmlFor="mdf-reason">Reason (needed to reject; the partner sees it)</label>
              <textarea
                id="mdf-reason"
                name="reason"
                rows={2}
                aria-invalid={actionData?.problems?.reason ? true : undefined}
                aria-describedby={actionData?.problems?.reason ? "mdf-reason-error" : undefined}
              />
              {actionData?.problems?.reason ? (
                <span className="error" id="mdf-reason-error" role="alert">
                  {actionData.problems.reason}
                </span>
              ) : null}
            </div>
            <div className="row">
              <button type="submit" name="intent" value="approve" disabled={busy}>
                Approve request
              </button>
              <button type="submit" name="intent" value="reject" className="secondary" disabled={busy}>
                Reject request
              </button>
            </div>
          </Form>
        </section>
      ) : null}
      {request.status === "claimed" ? (
        <section className="card stack" aria-labelledby="pay-heading">
          <h2 id="pay-heading" style={{ margin: 0 }}>
            Claim
          </h2>
          <p className="muted small" style={{ margin: 0 }}>
            Check the proof files and the linked registrations, then approve the claim for payment — or return it for changes with a reason: the
            partner keeps the approved amount and claims again with new proof.
          </p>
          <Form method="post" className="form" aria-label="Decide on the claim">
            <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
            <div className="field">
              <label htmlFor="claim-reason">Reason (needed to return the claim; the partner sees it)</label>
              <textarea id="claim-reason" name="reason" rows={2} aria-invalid={reasonProblem ? true : undefined} aria-describedby={reasonProblem ? "claim-reason-error" : undefined} />
              {reasonProblem ? (
                <span className="error" id="claim-reason-error" role="alert">
                  {reasonProblem}
                </span>
              ) : null}
            </div>
            <div className="row">
              <button type="submit" name="intent" value="pay" disabled={busy}>
                Approve claim for payment
              </button>
              <button type="submit" name="intent" value="return" className="secondary" disabled={busy}>
                Return for changes
              </button>
            </div>
          </Form>
        </section>
      ) : null}
      <section className="card stack" aria-labelledby="trail-heading">
        <h2 id="trail-heading" style={{ margin: 0 }}>
          History
        </h2>
        <ul className="small">
          {trail.map((e) => (
            <li key={e.id}>
              {formatDate(e.at)} — {e.action.replace("mdf.", "").replace("_", " ")} by {e.actor}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
