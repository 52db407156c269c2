// Program spend, for program admins: the cost settings (gross margin for ROIC, MDF allowance per
// tier and quarter), recording one month's cost of a category, and a CSV import with the
// outcome imports' design (upload → preview of every row → confirm, all or nothing). Below, the
// recorded spend, newest month first, 50 a page (keyset; category filter and page in the URL). Amounts are in the reporting currency; MDF is not recorded here
// (approved claims are its spend).
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { KeysetPager, pageHref } from "../components/keyset-pager";
import { requireAdmin } from "../auth/guards.server";
import { actorOf } from "../domain/audit.server";
import { csvFileText, NOT_UTF8, readCsvUpload, TOO_LARGE_HEADERS } from "../domain/csv-upload.server";
import { formatMoney } from "../domain/format";
import { ImportError, type ImportPreview } from "../domain/imports.server";
import { SPEND_CATEGORY_INFO } from "../domain/program-spend";
import type { SpendCategory } from "../../db/schema";

const SPEND_CATEGORIES = Object.keys(SPEND_CATEGORY_INFO) as SpendCategory[];
import { getCostSettings, programCurrency, saveCostSettings } from "../domain/program-settings.server";
import {
  applySpendImport,
  decodeSpendCursor,
  listSpendPage,
  previewSpendImport,
  recordSpend,
  SpendError,
  type SpendPreviewRow,
} from "../domain/program-spend.server";

export const meta: MetaFunction = () => [{ title: "Program spend · Partner team" }];

const MAX_UPLOAD_BYTES = 256 * 1024;

export async function loader(args: LoaderFunctionArgs) {
  requireAdmin(args);
  const { db } = args.context;
  const thisMonth = new Date().toISOString().slice(0, 7);
  const params = new URL(args.request.url).searchParams;
  // An unknown category in the URL means "no filter", never an error page.
  const category = z.enum(SPEND_CATEGORIES as [SpendCategory, ...SpendCategory[]]).optional().catch(undefined).parse(params.get("category") || undefined);
  return {
    currency: programCurrency(db),
    settings: getCostSettings(db),
    spend: listSpendPage(db, { category }, { after: decodeSpendCursor(params.get("after")), before: decodeSpendCursor(params.get("before")) }),
    category: category ?? "",
    thisMonth,
  };
}

type ActionData =
  | { intent: "settings" | "record"; ok: boolean; message: string; problems: Record<string, string>; values: Record<string, string> }
  | { intent: "preview"; csv: string; fileName: string; preview: ImportPreview<SpendPreviewRow> }
  | { intent: "import"; ok: boolean; message: string };

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args);
  const { request, context } = args;
  const actor = actorOf(user);
  const read = await readCsvUpload(request, { fileBytes: MAX_UPLOAD_BYTES, fieldBytes: MAX_UPLOAD_BYTES });
  if (!read.ok) {
    return read.reason === "too_large"
      ? data<ActionData>({ intent: "import", ok: false, message: "The file is larger than 256 KB: split it into several uploads." }, { status: 413, headers: TOO_LARGE_HEADERS })
      : data<ActionData>({ intent: "import", ok: false, message: "Upload the file with the form on this page." }, { status: 400 });
  }
  const form = read.form;
  const intent = String(form.get("intent") ?? "");
  const text = (name: string) => String(form.get(name) ?? "");
  if (intent === "settings") {
    const allowances: Record<number, string> = {};
    for (const [key, value] of form.entries()) if (key.startsWith("allowance-")) allowances[Number(key.slice(10))] = String(value);
    const values = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)]));
    const result = saveCostSettings(context.db, actor, { grossMarginPercent: text("grossMargin"), allowances });
    if (!result.ok) return data<ActionData>({ intent, ok: false, message: "Nothing was saved: fix the highlighted fields.", problems: result.problems, values }, { status: 400 });
    return data<ActionData>({ intent, ok: true, message: "Cost settings saved.", problems: {}, values: {} });
  }
  if (intent === "record") {
    const values = { month: text("month"), category: text("category"), amount: text("amount"), note: text("note") };
    try {
      const saved = recordSpend(context.db, actor, values);
      return data<ActionData>({ intent, ok: true, message: `${SPEND_CATEGORY_INFO[saved.category].label}, ${saved.month}: ${formatMoney(saved.amountCents, programCurrency(context.db))} saved.`, problems: {}, values: {} });
    } catch (error) {
      if (error instanceof SpendError) return data<ActionData>({ intent, ok: false, message: "Nothing was saved: fix the highlighted fields.", problems: error.problems, values }, { status: 400 });
      throw error;
    }
  }
  if (intent === "preview") {
    const file = await csvFileText(form.get("file"));
    if (!file.ok) return data<ActionData>({ intent: "import", ok: false, message: file.reason === "missing" ? "Choose a CSV file to preview." : NOT_UTF8 }, { status: 400 });
    return data<ActionData>({ intent, csv: file.text, fileName: file.fileName, preview: previewSpendImport(context.db, file.text) });
  }
  if (intent === "import") {
    try {
      const result = applySpendImport(context.db, actor, text("csv"));
      return data<ActionData>({ intent, ok: true, message: `Imported: ${result.changed} changed, ${result.unchanged} already so.` });
    } catch (error) {
      if (error instanceof ImportError) return data<ActionData>({ intent, ok: false, message: error.message }, { status: 400 });
      throw error;
    }
  }
  return data<ActionData>({ intent: "import", ok: false, message: "Unknown action: use the forms on this page." }, { status: 400 });
}

export default function ProgramSpend() {
  const { currency, settings, spend, category, thisMonth } = useLoaderData<typeof loader>();
  const a = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const formResult = (intent: "settings" | "record") => (a && a.intent === intent ? a : null);
  const err = (intent: "settings" | "record", name: string) => {
    const r = formResult(intent);
    return r?.problems[name] ? (
      <span className="error" id={`${intent}-${name}-error`} role="alert">
        {r.problems[name]}
      </span>
    ) : null;
  };
  const inv = (intent: "settings" | "record", name: string) =>
    formResult(intent)?.problems[name] ? { "aria-invalid": true, "aria-describedby": `${intent}-${name}-error` } : {};
  const status = (r: { ok: boolean; message: string } | null) =>
    r ? (
      <p className={r.ok ? "notice" : "form-error"} role={r.ok ? "status" : "alert"}>
        {r.message}
      </p>
    ) : null;
  const preview = a?.intent === "preview" ? a : null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Program spend</h1>
          <p className="muted" style={{ margin: 0 }}>
            What the partner program and direct sales cost, by month, in {currency}: the inputs of blended CAC and program ROIC on{" "}
            <Link to="/internal/metrics">Program metrics</Link>. MDF paid is added from approved claims.
          </p>
        </div>
      </div>

      <section className="card stack" aria-labelledby="settings-heading">
        <h2 id="settings-heading" style={{ margin: 0 }}>
          Cost settings
        </h2>
        {status(formResult("settings"))}
        <Form method="post" className="form" aria-label="Cost settings">
          <div className="field">
            <label htmlFor="settings-grossMargin">Gross margin on partner revenue (%)</label>
            <input id="settings-grossMargin" name="grossMargin" inputMode="decimal" defaultValue={formResult("settings")?.values.grossMargin ?? String(settings.grossMarginBp / 100)} {...inv("settings", "grossMargin")} />
            {err("settings", "grossMargin")}
          </div>
          <fieldset className="stack">
            <legend>MDF allowance per quarter ({currency})</legend>
            {settings.allowances.map((t) => (
              <div className="field" key={t.tierId}>
                <label htmlFor={`settings-allowance-${t.tierId}`}>{t.name}</label>
                <input
                  id={`settings-allowance-${t.tierId}`}
                  name={`allowance-${t.tierId}`}
                  inputMode="decimal"
                  defaultValue={formResult("settings")?.values[`allowance-${t.tierId}`] ?? String(t.mdfQuarterCents / 100)}
                  {...inv("settings", `allowance-${t.tierId}`)}
                />
                {err("settings", `allowance-${t.tierId}`)}
              </div>
            ))}
          </fieldset>
          <button type="submit" name="intent" value="settings" disabled={busy}>
            Save cost settings
          </button>
        </Form>
      </section>

      <section className="card stack" aria-labelledby="record-heading">
        <h2 id="record-heading" style={{ margin: 0 }}>
          Record spend
        </h2>
        <p className="muted small" style={{ margin: 0 }}>
          One amount per month and category: recording it again replaces it.
        </p>
        {status(formResult("record"))}
        <Form method="post" className="form" aria-label="Record spend">
          <div className="field">
            <label htmlFor="record-month">Month</label>
            <input id="record-month" name="month" type="month" max={thisMonth} defaultValue={formResult("record")?.values.month ?? thisMonth} {...inv("record", "month")} />
            {err("record", "month")}
          </div>
          <div className="field">
            <label htmlFor="record-category">Category</label>
            <select id="record-category" name="category" defaultValue={formResult("record")?.values.category ?? "commissions"} {...inv("record", "category")}>
              {SPEND_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {SPEND_CATEGORY_INFO[c].label} ({SPEND_CATEGORY_INFO[c].channel})
                </option>
              ))}
            </select>
            {err("record", "category")}
          </div>
          <div className="field">
            <label htmlFor="record-amount">Amount ({currency})</label>
            <input id="record-amount" name="amount" inputMode="decimal" defaultValue={formResult("record")?.values.amount ?? ""} {...inv("record", "amount")} />
            {err("record", "amount")}
          </div>
          <div className="field">
            <label htmlFor="record-note">Note (optional)</label>
            <input id="record-note" name="note" maxLength={500} defaultValue={formResult("record")?.values.note ?? ""} />
          </div>
          <button type="submit" name="intent" value="record" disabled={busy}>
            Save spend
          </button>
        </Form>
      </section>

      <section className="card stack" aria-labelledby="import-heading">
        <h2 id="import-heading" style={{ margin: 0 }}>
          Import spend (CSV)
        </h2>
        <p className="muted small" style={{ margin: 0 }}>
          Columns month (YYYY-MM), category ({SPEND_CATEGORIES.join(", ")}), amount, note. Preview first; if any row has a problem, nothing is
          imported.
        </p>
        {a?.intent === "import" ? status(a) : null}
        <Form method="post" encType="multipart/form-data" className="row" aria-label="Preview a spend CSV">
          <label htmlFor="spend-file">CSV file</label>
          <input id="spend-file" name="file" type="file" accept=".csv,text/csv" />
          <button type="submit" name="intent" value="preview" disabled={busy}>
            Preview
          </button>
        </Form>
        {preview ? (
          <div className="stack">
            {preview.preview.errors.length ? (
              <div className="form-error" role="alert">
                {preview.preview.errors.map((e, i) => (
                  <p key={i} style={{ margin: 0 }}>
                    {e}
                  </p>
                ))}
              </div>
            ) : null}
            <div className="table-wrap">
              <table aria-label={`Preview of ${preview.fileName}`}>
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Month</th>
                    <th scope="col">Category</th>
                    <th scope="col" className="num">Amount</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.preview.rows.map((r) => (
                    <tr key={r.line}>
                      <td>{r.line}</td>
                      <td>{r.month ?? "—"}</td>
                      <td>{r.category ?? "—"}</td>
                      <td className="num">{r.amountCents === null ? "—" : formatMoney(r.amountCents, currency)}</td>
                      <td>{r.errors.length ? <span className="error">{r.errors.join(" ")}</span> : r.change ?? "Already so"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {preview.preview.valid && !preview.preview.nothingToChange ? (
              <Form method="post">
                <input type="hidden" name="csv" value={preview.csv} />
                <button type="submit" name="intent" value="import" disabled={busy}>
                  Import {preview.preview.rows.length} {preview.preview.rows.length === 1 ? "row" : "rows"}
                </button>
              </Form>
            ) : (
              <p className="muted small">{preview.preview.nothingToChange ? "Nothing to change." : "Fix the rows above and preview again."}</p>
            )}
          </div>
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="spend-heading">
        <h2 id="spend-heading" style={{ margin: 0 }}>
          Recorded spend
        </h2>
        <Form method="get" action="/internal/spend" className="row" role="search" aria-label="Filter recorded spend" key={category} style={{ alignItems: "end" }}>
          <div className="field">
            <label htmlFor="spend-filter-category">Category</label>
            <select id="spend-filter-category" name="category" defaultValue={category}>
              <option value="">Any category</option>
              {SPEND_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {SPEND_CATEGORY_INFO[c].label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="secondary">
            Filter
          </button>
          {category ? (
            <Link to="/internal/spend" className="button secondary">
              Clear
            </Link>
          ) : null}
        </Form>
        {spend.rows.length === 0 ? (
          <p className="muted">{category ? "No spend recorded in this category." : "No spend recorded yet: CAC and ROIC show “—” until there is."}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Category</th>
                  <th scope="col">Channel</th>
                  <th scope="col" className="num">Amount</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {spend.rows.map((s) => (
                  <tr key={`${s.month}:${s.category}`}>
                    <td>{s.month}</td>
                    <td>{SPEND_CATEGORY_INFO[s.category].label}</td>
                    <td>{SPEND_CATEGORY_INFO[s.category].channel}</td>
                    <td className="num">{formatMoney(s.amountCents, currency)}</td>
                    <td>{s.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <KeysetPager prev={spend.prev} next={spend.next} hrefFor={(cursor) => pageHref("/internal/spend", { category }, cursor)} summary={`${spend.rows.length} of ${spend.total} shown, newest month first`} />
      </section>
    </div>
  );
}
