// Exchange rates, for program admins: the dated rates that turn deals in other currencies into
// the reporting currency (docs/domain.md "Money and currencies"). List, add one, delete one, or
// upload a CSV applied all-or-nothing (any bad line and nothing is saved; each error names its
// line). Every change refreshes the rollups of the deals it affects.
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../auth/guards.server";
import { ConversionNote, MissingRatesWarning } from "../components/missing-rates-warning";
import { actorOf } from "../domain/audit.server";
import { csvFileText, NOT_UTF8, readCsvUpload, TOO_LARGE_HEADERS } from "../domain/csv-upload.server";
import {
  addExchangeRate,
  deleteExchangeRate,
  listExchangeRates,
  RateError,
  uploadExchangeRates,
} from "../domain/exchange-rates.server";
import { formatDate } from "../domain/format";
import { missingRates } from "../domain/money.server";
import type { RateProblems } from "../domain/money";
import { DEAL_CURRENCIES } from "../domain/products";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "Exchange rates · Partner team" }];

const MAX_UPLOAD_BYTES = 256 * 1024;

export async function loader(args: LoaderFunctionArgs) {
  requireAdmin(args);
  const db = args.context.db;
  const reporting = programCurrency(db);
  return {
    reporting,
    currencies: DEAL_CURRENCIES.filter((c) => c !== reporting),
    rates: listExchangeRates(db),
    missing: missingRates(db),
  };
}

type ActionData =
  | { intent: "add"; problems: RateProblems; values: Record<string, string> }
  | { intent: "upload"; errors: { line: number; message: string }[] }
  | { intent: "done"; message: string };

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args);
  const { request, context } = args;
  const actor = actorOf(user);
  const read = await readCsvUpload(request, { fileBytes: MAX_UPLOAD_BYTES, fieldBytes: 1024 });
  if (!read.ok) {
    return read.reason === "too_large"
      ? data<ActionData>({ intent: "upload", errors: [{ line: 0, message: "The file is larger than 256 KB: split it into several uploads." }] }, { status: 413, headers: TOO_LARGE_HEADERS })
      : data<ActionData>({ intent: "upload", errors: [{ line: 0, message: "Upload the file with the form on this page." }] }, { status: 400 });
  }
  const form = read.form;
  const intent = String(form.get("intent") ?? "");
  if (intent === "add") {
    const values = { currency: String(form.get("currency") ?? ""), validFrom: String(form.get("validFrom") ?? ""), rate: String(form.get("rate") ?? "") };
    try {
      addExchangeRate(context.db, actor, values);
    } catch (error) {
      if (error instanceof RateError) return data<ActionData>({ intent: "add", problems: error.problems, values }, { status: 400 });
      throw error;
    }
    return data<ActionData>({ intent: "done", message: `${values.currency.trim().toUpperCase()} rate from ${values.validFrom.trim()} saved.` });
  }
  if (intent === "delete") {
    const id = Number(form.get("id"));
    if (!Number.isInteger(id) || !deleteExchangeRate(context.db, actor, id)) {
      return data<ActionData>({ intent: "done", message: "That rate was already deleted." }, { status: 404 });
    }
    return data<ActionData>({ intent: "done", message: "Rate deleted." });
  }
  if (intent === "upload") {
    const file = await csvFileText(form.get("file"));
    if (!file.ok) {
      const message = file.reason === "missing" ? "Choose a CSV file to upload (download the template below)." : NOT_UTF8;
      return data<ActionData>({ intent: "upload", errors: [{ line: 0, message }] }, { status: 400 });
    }
    const result = uploadExchangeRates(context.db, actor, file.text);
    if (!result.ok) return data<ActionData>({ intent: "upload", errors: result.errors }, { status: 400 });
    return data<ActionData>({ intent: "done", message: `${result.applied} ${result.applied === 1 ? "rate" : "rates"} saved from ${file.fileName}.` });
  }
  return data<ActionData>({ intent: "done", message: "Unknown action: use the forms on this page." }, { status: 400 });
}

export default function ExchangeRates() {
  const { reporting, currencies, rates, missing } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const add = actionData?.intent === "add" ? actionData : null;
  const upload = actionData?.intent === "upload" ? actionData : null;
  const fieldError = (name: keyof RateProblems) =>
    add?.problems[name] ? (
      <span className="error" id={`rate-${name}-error`} role="alert">
        {add.problems[name]}
      </span>
    ) : null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Exchange rates</h1>
          <p className="muted" style={{ margin: 0 }}>
            Deals keep their own currency; totals are in {reporting}, the reporting currency. A rate applies from its day until
            the next rate of that currency. <ConversionNote currency={reporting} />{" "}
            <Link to="/internal/settings">Back to settings</Link>
          </p>
        </div>
      </div>
      <MissingRatesWarning missing={missing} canAddRates />
      {actionData?.intent === "done" ? (
        <p className="notice" role="status">
          {actionData.message}
        </p>
      ) : null}

      <section className="card stack" aria-labelledby="rates-heading">
        <h2 id="rates-heading" style={{ margin: 0 }}>
          Rates to {reporting}
        </h2>
        {rates.length === 0 ? (
          <p className="muted">No rates yet: deals in {currencies.join(" or ")} are left out of totals until you add one.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">From</th>
                  <th scope="col" className="num">
                    1 unit in {reporting}
                  </th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rates.map((r) => (
                  <tr key={r.id}>
                    <td>{r.currency}</td>
                    <td>{r.validFrom}</td>
                    <td className="num">{r.rate}</td>
                    <td>{formatDate(r.createdAt)}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="id" value={r.id} />
                        <button type="submit" name="intent" value="delete" className="secondary" aria-label={`Delete the ${r.currency} rate from ${r.validFrom}`}>
                          Delete
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card stack" aria-labelledby="add-heading">
        <h2 id="add-heading" style={{ margin: 0 }}>
          Add a rate
        </h2>
        <Form method="post" className="row" style={{ alignItems: "start" }} aria-label="Add a rate">
          <div className="field">
            <label htmlFor="rate-currency">Currency</label>
            <select id="rate-currency" name="currency" defaultValue={add?.values.currency ?? currencies[0]} aria-invalid={!!add?.problems.currency || undefined}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
            {fieldError("currency")}
          </div>
          <div className="field">
            <label htmlFor="rate-validFrom">Valid from (YYYY-MM-DD)</label>
            <input id="rate-validFrom" name="validFrom" type="date" defaultValue={add?.values.validFrom ?? ""} aria-invalid={!!add?.problems.validFrom || undefined} />
            {fieldError("validFrom")}
          </div>
          <div className="field">
            <label htmlFor="rate-rate">1 unit in {reporting}</label>
            <input id="rate-rate" name="rate" inputMode="decimal" placeholder="1.0842" defaultValue={add?.values.rate ?? ""} aria-invalid={!!add?.problems.rate || undefined} />
            {fieldError("rate")}
          </div>
          <button type="submit" name="intent" value="add" style={{ alignSelf: "end" }}>
            Add rate
          </button>
        </Form>
      </section>

      <section className="card stack" aria-labelledby="upload-heading">
        <h2 id="upload-heading" style={{ margin: 0 }}>
          Upload rates (CSV)
        </h2>
        <p className="muted small" style={{ margin: 0 }}>
          Columns currency, valid_from, rate. A rate for a currency and day that exists replaces it. If any line has a problem,
          nothing is saved. <a href="/internal/settings/exchange-rates-template.csv">Download the template</a>.
        </p>
        {upload ? (
          <div className="form-error" role="alert">
            <strong>Nothing was saved.</strong> Fix these and upload again:
            <ul>
              {upload.errors.map((e, i) => (
                <li key={i}>{e.line > 0 ? `Line ${e.line}: ${e.message}` : e.message}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <Form method="post" encType="multipart/form-data" className="row" aria-label="Upload rates">
          <label htmlFor="rates-file">CSV file</label>
          <input id="rates-file" name="file" type="file" accept=".csv,text/csv" />
          <button type="submit" name="intent" value="upload">
            Upload
          </button>
        </Form>
      </section>
    </div>
  );
}
