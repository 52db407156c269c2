// The latest tier decisions across the program: who decided what, the outcome and the note.
import { Link } from "@remix-run/react";
import { formatDate } from "../../domain/format";
import type { DecidedRow } from "./queries.server";

export function DecidedTable({ decided }: { decided: DecidedRow[] }) {
  return (
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
  );
}
