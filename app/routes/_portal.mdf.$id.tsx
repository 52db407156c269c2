// One MDF request of the signed-in partner: its details, and once approved the claim form —
// claimed amount, leads, results, the registrations it produced, and 1–5 proof files (PDF,
// PNG or JPEG, 10 MB each, checked by their bytes in mdf.server.ts). Another partner's request
// is a 404.
import {
  data,
  MaxPartSizeExceededError,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { notFound, requirePartnerAdmin } from "../auth/guards.server";
import { MdfBudgetCard, MdfDetails } from "../components/mdf";
import { actorOf } from "../domain/audit.server";
import { formatMoney } from "../domain/format";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { LINKABLE_DEALS } from "../domain/mdf";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../domain/idempotency.server";
import { claimMdf, getPartnerMdf, linkableDeals, MAX_PROOF_BYTES, MdfError, mdfBudget, proofFolder, type ProofUpload } from "../domain/mdf.server";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "MDF request · Partner Portal" }];

function idOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return id;
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const { db } = args.context;
  const request = getPartnerMdf(db, user.partnerId, idOf(args.params.id));
  if (!request) notFound("That MDF request was not found.");
  return {
    currency: programCurrency(db),
    request,
    budget: mdfBudget(db, user.partnerId, request.quarter),
    deals: request.status === "approved" ? linkableDeals(db, user.partnerId, request.plannedOn) : [],
    idempotencyToken: newIdempotencyToken(),
  };
}

type ActionData = { problems: Record<string, string>; values: Record<string, string>; message: string };

const uploadHandler = unstable_composeUploadHandlers(
  unstable_createMemoryUploadHandler({ maxPartSize: MAX_PROOF_BYTES, filter: ({ name, filename }) => name === "proof" && !!filename }),
  unstable_createMemoryUploadHandler({ maxPartSize: 8 * 1024 }),
);

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const id = idOf(args.params.id);
  // Another partner's request is not found before its body is read.
  if (!getPartnerMdf(args.context.db, user.partnerId, id)) notFound("That MDF request was not found.");
  const multipart = (args.request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
  let form: FormData;
  try {
    form = multipart ? await unstable_parseMultipartFormData(args.request, uploadHandler) : await args.request.formData();
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      return data<ActionData>(
        { problems: { proof: "A file is larger than 10 MB: compress it or split it." }, values: {}, message: "Nothing was claimed." },
        { status: 413, headers: { Connection: "close" } },
      );
    }
    throw error;
  }
  const values = { amount: String(form.get("amount") ?? ""), leads: String(form.get("leads") ?? ""), results: String(form.get("results") ?? "") };
  const files: ProofUpload[] = [];
  for (const f of form.getAll("proof")) if (f instanceof File && f.size > 0) files.push({ fileName: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  const dealIds = form.getAll("dealId").map(Number).filter((n) => Number.isInteger(n) && n > 0);
  try {
    const key = idempotencyKeyOf(form, user.id, "mdf.claim");
    claimMdf(args.context.db, actorOf(user), user.partnerId, id, { ...values, dealIds }, files, proofFolder(args.context.config.DATABASE_PATH), new Date(), key);
    return data<ActionData>({ problems: {}, values: {}, message: "" });
  } catch (error) {
    if (error instanceof MdfError || error instanceof IdempotencyError) return data<ActionData>({ problems: error instanceof MdfError ? error.problems : {}, values, message: error.message }, { status: error.status });
    throw error;
  }
}

export default function PartnerMdfRequest() {
  const { currency, request, budget, deals, idempotencyToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const failed = actionData && actionData.message ? actionData : null;
  const problem = (name: string) =>
    failed?.problems[name] ? (
      <span className="error" id={`claim-${name}-error`} role="alert">
        {failed.problems[name]}
      </span>
    ) : null;
  const invalid = (name: string) => (failed?.problems[name] ? { "aria-invalid": true, "aria-describedby": `claim-${name}-error` } : {});
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>MDF request</h1>
          <p className="muted" style={{ margin: 0 }}>
            <Link to="/mdf">Back to MDF</Link>
          </p>
        </div>
      </div>
      {params.get("requested") && request.status === "requested" ? (
        <p className="notice" role="status">
          Request sent: your partner manager will approve or reject it, and you will get an email.
        </p>
      ) : null}
      {request.status === "approved" && request.claimReturnReason ? (
        <p className="form-error" role="status">
          Your claim was returned for changes: {request.claimReturnReason} Claim again below with new proof.
        </p>
      ) : null}
      {request.status === "claimed" && actionData && !actionData.message ? (
        <p className="notice" role="status">
          Claim submitted: your partner manager will review it for payment.
        </p>
      ) : null}
      <MdfDetails request={request} currency={currency} proofHref={(f) => `/mdf/${request.id}/proof/${f}`} dealHref={(d) => `/deals/${d}`} />
      <MdfBudgetCard budget={budget} currency={currency} heading={`Budget for ${request.quarter}`} />

      {request.status === "approved" ? (
        <section className="card stack" aria-labelledby="claim-heading">
          <h2 id="claim-heading" style={{ margin: 0 }}>
            Claim the funds
          </h2>
          <p className="muted small" style={{ margin: 0 }}>
            After the activity: up to {formatMoney(request.amountCents, currency)}, with proof (invoice, photos, attendee list) as PDF, PNG or
            JPEG — at most 5 files of 10 MB each.
          </p>
          {failed ? (
            <p className="form-error" role="alert">
              {failed.message}
            </p>
          ) : null}
          <Form method="post" encType="multipart/form-data" className="form" aria-label="Claim the funds">
            <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
            <div className="field">
              <label htmlFor="claim-amount">Amount spent ({currency})</label>
              <input id="claim-amount" name="amount" inputMode="decimal" defaultValue={failed?.values.amount ?? ""} {...invalid("amount")} />
              {problem("amount")}
            </div>
            <div className="field">
              <label htmlFor="claim-leads">Leads generated</label>
              <input id="claim-leads" name="leads" type="number" min={0} step={1} defaultValue={failed?.values.leads ?? ""} {...invalid("leads")} />
              {problem("leads")}
            </div>
            <div className="field">
              <label htmlFor="claim-results">Results</label>
              <textarea id="claim-results" name="results" rows={3} defaultValue={failed?.values.results ?? ""} {...invalid("results")} />
              {problem("results")}
            </div>
            <fieldset className="field" {...invalid("dealIds")}>
              <legend>Registrations from this activity</legend>
              <p className="small muted" id="claim-deals-hint">
                Your registrations submitted from a month before the activity on, newest first{deals.length >= LINKABLE_DEALS ? ` (the newest ${LINKABLE_DEALS})` : ""}.
              </p>
              {deals.length === 0 ? <p className="small muted">You have no registrations from then to link.</p> : null}
              <div className="check-list" aria-describedby="claim-deals-hint">
                {deals.map((d) => (
                  <label key={d.id} className="small">
                    <input type="checkbox" name="dealId" value={d.id} /> {d.title} ({d.stage})
                  </label>
                ))}
              </div>
              {problem("dealIds")}
            </fieldset>
            <div className="field">
              <label htmlFor="claim-proof">Proof files</label>
              <input id="claim-proof" name="proof" type="file" multiple accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg" {...invalid("proof")} />
              {problem("proof")}
            </div>
            <button type="submit" disabled={busy}>
              Submit claim
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
