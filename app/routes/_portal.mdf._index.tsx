// Market development funds for a partner admin: this quarter's budget (tier allowance, used,
// left), the company's requests 50 a page (keyset, status filter in the URL), and a form to
// request funds for an activity. Everything is
// the signed-in admin's partner's (mdf.server.ts takes the partner id from the guard).
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { MDF_STATUSES } from "../../db/schema";
import { requirePartnerAdmin } from "../auth/guards.server";
import { MdfBudgetCard, MdfList } from "../components/mdf";
import { actorOf } from "../domain/audit.server";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../domain/idempotency.server";
import { ACTIVITY_LABELS, type Pillar } from "../domain/mdf";
import { decodeMdfCursor, listMdfPage, MdfError, mdfBudget, requestMdf } from "../domain/mdf.server";
import { quarterOf } from "../domain/periods";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "MDF · Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const { db } = args.context;
  const now = new Date();
  const params = new URL(args.request.url).searchParams;
  // An unknown status in the URL means "no filter", never an error page.
  const status = z.enum(MDF_STATUSES).optional().catch(undefined).parse(params.get("status") || undefined);
  return {
    currency: programCurrency(db),
    budget: mdfBudget(db, user.partnerId, quarterOf(now)),
    page: listMdfPage(db, { partnerId: user.partnerId }, { status }, { after: decodeMdfCursor(params.get("after")), before: decodeMdfCursor(params.get("before")) }),
    status: status ?? "",
    today: now.toISOString().slice(0, 10),
    idempotencyToken: newIdempotencyToken(),
  };
}

type ActionData = { problems: Record<string, string>; values: Record<string, string>; message: string };

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const form = await args.request.formData();
  const values = {
    activityType: String(form.get("activityType") ?? ""),
    title: String(form.get("title") ?? ""),
    plannedOn: String(form.get("plannedOn") ?? ""),
    amount: String(form.get("amount") ?? ""),
    expectedOutcome: String(form.get("expectedOutcome") ?? ""),
  };
  try {
    const key = idempotencyKeyOf(form, user.id, "mdf.request");
    const id = requestMdf(args.context.db, actorOf(user), user.partnerId, values, new Date(), key);
    return redirect(`/mdf/${id}?requested=1`);
  } catch (error) {
    if (error instanceof MdfError || error instanceof IdempotencyError) return data<ActionData>({ problems: error instanceof MdfError ? error.problems : {}, values, message: error.message }, { status: error.status });
    throw error;
  }
}

export default function PartnerMdf() {
  const { currency, budget, page, status, today, idempotencyToken } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const problem = (name: string) =>
    actionData?.problems[name] ? (
      <span className="error" id={`mdf-${name}-error`} role="alert">
        {actionData.problems[name]}
      </span>
    ) : null;
  const invalid = (name: string) => (actionData?.problems[name] ? { "aria-invalid": true, "aria-describedby": `mdf-${name}-error` } : {});
  const value = (name: string) => actionData?.values[name] ?? "";
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Market development funds</h1>
          <p className="muted" style={{ margin: 0 }}>
            Request funds before a joint activity, then claim them afterwards with proof and results.
          </p>
        </div>
      </div>
      <MdfBudgetCard budget={budget} currency={currency} heading="This quarter's budget" />

      <section className="card stack" aria-labelledby="requests-heading">
        <h2 id="requests-heading" style={{ margin: 0 }}>
          Your requests
        </h2>
        <MdfList
          page={page}
          currency={currency}
          pathname="/mdf"
          status={status}
          showPartner={false}
          detailHref={(id) => `/mdf/${id}`}
          empty="No requests yet: request funds for your next activity below."
        />
      </section>

      <section className="card stack" aria-labelledby="request-heading">
        <h2 id="request-heading" style={{ margin: 0 }}>
          Request funds
        </h2>
        {actionData ? (
          <p className="form-error" role="alert">
            {actionData.message}
          </p>
        ) : null}
        <Form method="post" className="form" aria-label="Request funds">
          <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
          <div className="field">
            <label htmlFor="mdf-activityType">Activity type</label>
            <select id="mdf-activityType" name="activityType" defaultValue={value("activityType") || "market"} {...invalid("activityType")}>
              {(Object.keys(ACTIVITY_LABELS) as Pillar[]).map((p) => (
                <option key={p} value={p}>
                  {ACTIVITY_LABELS[p]}
                </option>
              ))}
            </select>
            {problem("activityType")}
          </div>
          <div className="field">
            <label htmlFor="mdf-title">Activity</label>
            <input id="mdf-title" name="title" maxLength={200} defaultValue={value("title")} placeholder="Joint webinar with our customers" {...invalid("title")} />
            {problem("title")}
          </div>
          <div className="field">
            <label htmlFor="mdf-plannedOn">Planned date</label>
            <input id="mdf-plannedOn" name="plannedOn" type="date" min={today} defaultValue={value("plannedOn")} {...invalid("plannedOn")} />
            {problem("plannedOn")}
          </div>
          <div className="field">
            <label htmlFor="mdf-amount">Amount ({currency})</label>
            <input id="mdf-amount" name="amount" inputMode="decimal" defaultValue={value("amount")} placeholder="2500" {...invalid("amount")} />
            <span className="hint">Up to what is left of the allowance of the activity's quarter.</span>
            {problem("amount")}
          </div>
          <div className="field">
            <label htmlFor="mdf-expectedOutcome">Expected outcome</label>
            <textarea id="mdf-expectedOutcome" name="expectedOutcome" rows={3} defaultValue={value("expectedOutcome")} placeholder="40 leads, 5 registrations" {...invalid("expectedOutcome")} />
            {problem("expectedOutcome")}
          </div>
          <button type="submit" disabled={busy}>
            Request funds
          </button>
        </Form>
      </section>
    </div>
  );
}
