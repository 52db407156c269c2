// The imports page's results: the figures of a preview or a finished import, and the preview
// itself with its rows (deal outcomes or MRR) and each row's check.
import { Form, Link } from "@remix-run/react";
import { formatDate, formatMoney } from "../../domain/format";
import type { MrrPreviewRow, OutcomePreviewRow } from "../../domain/imports.server";
import type { PreviewData, Summary } from "./preview";
import { KIND_LABEL } from "./schemas";

export function SummaryKpis({ summary }: { summary: Summary }) {
  return (
    <dl className="facts">
      {summary.map((s) => (
        <div key={s.label} style={{ display: "contents" }}>
          <dt>{s.label}</dt>
          <dd>{s.value.toLocaleString("en-US")}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Preview({ preview, busy }: { preview: PreviewData; busy: string | null }) {
  const shown = preview.kind === "outcomes" ? preview.outcomeRows.length : preview.mrrRows.length;
  return (
    <section className="card stack" aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        Preview: {KIND_LABEL[preview.kind]} from {preview.fileName}{" "}
        {!preview.valid ? (
          <span className="badge danger">Has errors</span>
        ) : preview.nothingToChange ? (
          <span className="badge">Nothing to change</span>
        ) : (
          <span className="badge ok">Ready to import</span>
        )}
      </h2>
      {preview.message ? (
        <div className="form-error" role="alert">
          {preview.message}
        </div>
      ) : null}
      {preview.fileErrors.length ? (
        <div className="form-error" role="alert">
          <ul style={{ margin: 0, paddingLeft: "1.25rem" }}>
            {preview.fileErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <SummaryKpis summary={preview.summary} />
      {preview.valid && preview.nothingToChange ? (
        preview.message === preview.nothingToChange ? null : (
          <p className="notice" role="status">
            {preview.nothingToChange}
          </p>
        )
      ) : preview.valid ? (
        <Form method="post" encType="multipart/form-data" className="row" aria-label="Confirm the import">
          <input type="hidden" name="intent" value="confirm" />
          <input type="hidden" name="kind" value={preview.kind} />
          <input type="hidden" name="csv" value={preview.csv} />
          <button type="submit" disabled={busy !== null}>
            {busy === "confirm" ? "Importing…" : `Import ${preview.total} ${preview.total === 1 ? "row" : "rows"}`}
          </button>
          <span className="muted small">Every row is checked again before anything is written.</span>
        </Form>
      ) : (
        <p className="muted">Fix the rows below in the file and upload it again. Nothing has been imported.</p>
      )}
      {shown < preview.total ? (
        <p className="muted small">
          Showing {shown} of {preview.total} rows{preview.valid ? "" : ", rows with errors first"}.
        </p>
      ) : null}
      {shown > 0 ? (
        <div className="table-wrap">
          {preview.kind === "outcomes" ? <OutcomeTable rows={preview.outcomeRows} /> : <MrrTable rows={preview.mrrRows} />}
        </div>
      ) : null}
    </section>
  );
}

/** A row's check: its errors, or what importing it changes, or that it changes nothing. */
function RowCheck({ errors, change, unchanged }: { errors: string[]; change: string | null; unchanged: string }) {
  if (!errors.length) return change ? <span>{change[0]!.toUpperCase() + change.slice(1)}</span> : <span className="badge">{unchanged}</span>;
  return (
    <ul className="error" style={{ margin: 0, paddingLeft: "1rem" }}>
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

function OutcomeTable({ rows }: { rows: OutcomePreviewRow[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Deal</th>
          <th scope="col">Stage</th>
          <th scope="col" className="num">
            Amount
          </th>
          <th scope="col">Close date</th>
          <th scope="col">Check</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.line}>
            <td>{r.line}</td>
            <td>
              {r.dealId && r.dealTitle ? (
                <>
                  <Link to={`/internal/registrations/${r.dealId}`}>
                    #{r.dealId} {r.dealTitle}
                  </Link>
                  <div className="muted small">
                    {r.domain} · {r.partnerName ?? "direct"}
                  </div>
                </>
              ) : (
                <span>{r.dealId ? `#${r.dealId}` : (r.domain ?? "—")}</span>
              )}
            </td>
            <td>{r.stage ?? "—"}</td>
            <td className="num">{r.amountCents !== null ? formatMoney(r.amountCents, r.currency) : "—"}</td>
            <td>{r.closedOn ? formatDate(r.closedOn) : "—"}</td>
            <td>
              <RowCheck errors={r.errors} change={r.change} unchanged="Already so" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MrrTable({ rows }: { rows: MrrPreviewRow[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Customer</th>
          <th scope="col">Month</th>
          <th scope="col" className="num">
            MRR
          </th>
          <th scope="col" className="num">
            Stored now
          </th>
          <th scope="col">Check</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.line}>
            <td>{r.line}</td>
            <td>
              {r.customerName ? (
                <>
                  {r.customerName}
                  <div className="muted small">{r.domain}</div>
                </>
              ) : (
                (r.domain ?? "—")
              )}
            </td>
            <td>{r.month ?? "—"}</td>
            <td className="num">{r.mrrCents !== null ? formatMoney(r.mrrCents, r.currency) : "—"}</td>
            <td className="num">{r.currentMrrCents !== null ? formatMoney(r.currentMrrCents, r.currency) : "—"}</td>
            <td>
              <RowCheck errors={r.errors} change={r.change} unchanged="Unchanged" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
