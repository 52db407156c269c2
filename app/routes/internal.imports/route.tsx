// CRM imports for the partner team: deal outcomes (won / lost) or monthly recurring revenue
// from a CSV file. Upload → preview with every row checked → confirm; nothing is written until
// the confirmation, which carries the CSV back and is validated again in one transaction.
// Beside it: schemas.ts (what is accepted), preview.ts (what the action answers),
// preview-section.tsx (the preview and result on screen).
import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireStaff } from "../../auth/guards.server";
import { FieldError, FormErrors } from "../../components/forms";
import { actorOf } from "../../domain/audit.server";
import { csvFileText, NOT_UTF8, readCsvUpload, TOO_LARGE_HEADERS } from "../../domain/csv-upload.server";
import { kickOutbox, transportOf } from "../../mail/outbox.server";
import { DealError } from "../../domain/deals.server";
import {
  applyMrrImport,
  applyOutcomeImport,
  ImportError,
  previewMrrImport,
  previewOutcomeImport,
} from "../../domain/imports.server";
import { lastCompletedPeriod } from "../../domain/periods";
import { previewData, type ActionData } from "./preview";
import { Preview, SummaryKpis } from "./preview-section";
import {
  importSchema,
  KIND_LABEL,
  KINDS,
  MAX_FIELD_BYTES,
  MAX_REQUEST_BYTES,
  MAX_UPLOAD_BYTES,
  previewSchema,
  TOO_LARGE,
} from "./schemas";

export const meta: MetaFunction = () => [{ title: "Imports · Partner team" }];

/** The action's headers reach the document response only through here (single fetch). */
export const headers: HeadersFunction = ({ actionHeaders }) => actionHeaders;

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const lastMonth = lastCompletedPeriod();
  return {
    examples: {
      outcomes: [
        "deal_id,domain,stage,amount,close_date,reason",
        `1042,,won,25000.00,${yesterday},`,
        `,northwind-traders.com,won,18250.50,${yesterday},`,
        `1043,,lost,,${yesterday},Chose a competitor on price`,
      ].join("\n"),
      mrr: ["domain,month,mrr", `northwind-traders.com,${lastMonth},1250.00`, `acme.com,${lastMonth},0`].join("\n"),
    },
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const { request, context } = args;
  const read = await readCsvUpload(request, { fileBytes: MAX_UPLOAD_BYTES, fieldBytes: MAX_FIELD_BYTES, requestBytes: MAX_REQUEST_BYTES, multipartOnly: true });
  if (!read.ok) {
    return read.reason === "too_large"
      ? data<ActionData>({ step: "upload", message: TOO_LARGE, result: null }, { status: 413, headers: TOO_LARGE_HEADERS })
      : data<ActionData>({ step: "upload", message: "Upload the file with the form on this page.", result: null }, { status: 400 });
  }
  const formData = read.form;

  const submission = parseWithZod(formData, { schema: importSchema });
  if (submission.status !== "success") {
    return data<ActionData>({ step: "upload", message: null, result: submission.reply() }, { status: 400 });
  }
  const input = submission.value;

  if (input.intent === "preview") {
    const file = await csvFileText(input.file);
    // An empty file goes on to the preview, which says it has no rows.
    if (!file.ok && file.reason === "not_utf8") {
      return data<ActionData>(
        { step: "upload", message: null, result: submission.reply({ fieldErrors: { file: [NOT_UTF8] } }) },
        { status: 400 },
      );
    }
    const csv = file.ok ? file.text : "";
    const preview = input.kind === "outcomes" ? previewOutcomeImport(context.db, csv) : previewMrrImport(context.db, csv);
    return data<ActionData>(previewData(input.kind, input.file.name, csv, preview), { status: 200 });
  }

  const actor = actorOf(user);
  try {
    if (input.kind === "outcomes") {
      // The won emails are outbox rows of the same transaction: committed with the outcomes.
      const result = applyOutcomeImport(context.db, actor, input.csv, new Date(), { config: context.config });
      kickOutbox({ db: context.db, config: context.config, transport: transportOf(context.mailer) });
      const rows = result.won.length + result.lost.length + result.corrected.length + result.unchanged;
      return data<ActionData>({
        step: "done",
        kind: "outcomes",
        message:
          `Imported ${rows} ${rows === 1 ? "row" : "rows"}.` +
          (result.won.length
            ? ` Emails to partners about ${result.won.length} won ${result.won.length === 1 ? "deal are" : "deals are"} in the outbox.`
            : ""),
        summary: [
          { label: "Marked won", value: result.won.length },
          { label: "Marked lost", value: result.lost.length },
          { label: "Corrected", value: result.corrected.length },
          { label: "Already so", value: result.unchanged },
        ],
      });
    }
    const result = applyMrrImport(context.db, actor, input.csv);
    const rows = result.inserted + result.updated + result.unchanged;
    return data<ActionData>({
      step: "done",
      kind: "mrr",
      message: `Imported ${rows} MRR ${rows === 1 ? "row" : "rows"}.`,
      summary: [
        { label: "New", value: result.inserted },
        { label: "Updated", value: result.updated },
        { label: "Unchanged", value: result.unchanged },
      ],
    });
  } catch (error) {
    if (error instanceof ImportError) {
      return data<ActionData>(
        previewData(
          input.kind,
          "the confirmed file",
          input.csv,
          error.preview,
          error.preview.nothingToChange
            ? error.message
            : `Nothing was imported: ${error.message} The data may have changed since the preview.`,
        ),
        { status: 400 },
      );
    }
    if (error instanceof DealError) {
      return data<ActionData>({ step: "upload", message: `Nothing was imported: ${error.message}`, result: null }, { status: error.status });
    }
    throw error;
  }
}

export default function Imports() {
  const { examples } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : null;
  const [form, fields] = useForm({
    id: "import-upload",
    lastResult: actionData?.step === "upload" ? actionData.result : undefined,
    defaultValue: { kind: actionData && actionData.step !== "upload" ? actionData.kind : "outcomes" },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: previewSchema }),
  });

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Imports</h1>
          <p className="muted">
            Bring deal outcomes and monthly recurring revenue over from the CRM. Upload a CSV file, check the preview, then
            confirm: nothing is written until you do, and a file with any error is not imported at all.
          </p>
        </div>
      </div>

      {actionData?.step === "done" ? (
        <section className="card stack" aria-labelledby="done-heading" role="status">
          <h2 id="done-heading">{KIND_LABEL[actionData.kind]}: imported</h2>
          <p className="notice">{actionData.message}</p>
          <SummaryKpis summary={actionData.summary} />
        </section>
      ) : null}

      <section className="card stack" aria-labelledby="upload-heading">
        <h2 id="upload-heading">Upload a file</h2>
        <Form method="post" encType="multipart/form-data" className="form" {...getFormProps(form)}>
          <FormErrors
            errors={[...(form.errors ?? []), ...(actionData?.step === "upload" && actionData.message ? [actionData.message] : [])]}
            id={form.errorId}
          />
          <input type="hidden" name="intent" value="preview" />
          <div className="field">
            <label htmlFor={fields.kind.id}>What the file contains</label>
            <select {...getSelectProps(fields.kind)} key={fields.kind.key}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </select>
            <FieldError meta={fields.kind} />
          </div>
          <div className="field">
            <label htmlFor={fields.file.id}>CSV file</label>
            <input
              type="file"
              id={fields.file.id}
              name={fields.file.name}
              accept=".csv,text/csv"
              aria-invalid={fields.file.errors ? true : undefined}
              aria-describedby={fields.file.errors ? `${fields.file.errorId} file-hint` : "file-hint"}
            />
            <span className="hint" id="file-hint">
              UTF-8, comma-separated, with a header line; at most 2 MB.
            </span>
            <FieldError meta={fields.file} />
          </div>
          <div>
            <button type="submit" disabled={busy !== null}>
              {busy === "preview" ? "Checking…" : "Preview"}
            </button>
          </div>
        </Form>
      </section>

      {actionData?.step === "preview" ? <Preview preview={actionData} busy={busy} /> : null}

      <section className="card stack" aria-labelledby="format-heading">
        <h2 id="format-heading">File format</h2>
        <div className="grid-2">
          <div>
            <h3>Deal outcomes</h3>
            <p className="small">
              Columns (header names in any case, in any order): <code>deal_id</code> or <code>domain</code> (the
              customer's domain: it must have exactly one open approved deal), <code>stage</code> (<code>won</code> or{" "}
              <code>lost</code>), <code>amount</code> (required for won, to the cent, no currency sign),{" "}
              <code>close_date</code> (YYYY-MM-DD, not in the future) and <code>reason</code> (required for lost).
            </p>
            <pre className="info small" style={{ overflowX: "auto" }}>
              {examples.outcomes}
            </pre>
            <p className="small">
              <a href="/internal/imports/outcomes-template.csv" download>
                Download the deal outcomes template (CSV)
              </a>
            </p>
          </div>
          <div>
            <h3>Monthly recurring revenue</h3>
            <p className="small">
              Columns: <code>domain</code> (a known customer), <code>month</code> (YYYY-MM) and <code>mrr</code> (the
              month's recurring revenue, to the cent). A customer and month already imported is replaced.
            </p>
            <pre className="info small" style={{ overflowX: "auto" }}>
              {examples.mrr}
            </pre>
            <p className="small">
              <a href="/internal/imports/mrr-template.csv" download>
                Download the MRR template (CSV)
              </a>
            </p>
          </div>
        </div>
        <p className="small muted">
          The templates hold the header and the latest rows as the portal has them now: the preview accepts them as they are
          and reports that nothing would change. Replace the rows with your own, keeping the header.
        </p>
      </section>
    </div>
  );
}

