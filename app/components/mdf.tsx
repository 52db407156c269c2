// What both sides see of MDF: the quarter's budget (allowance, committed, left), a request's
// status badge, and a request's details with its claim, proof files and linked registrations.
import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { MDF_STATUSES } from "../../db/schema";
import type { MdfStatus } from "../../db/schema";
import { KeysetPager, pageHref } from "./keyset-pager";
import { formatDate, formatMoney } from "../domain/format";

const STATUS: Record<MdfStatus, { label: string; tone: string }> = {
  requested: { label: "Awaiting decision", tone: "warn" },
  approved: { label: "Approved", tone: "" },
  rejected: { label: "Rejected", tone: "danger" },
  claimed: { label: "Claim submitted", tone: "warn" },
  paid: { label: "Claim approved", tone: "ok" },
};

export function MdfStatusBadge({ status, claimReturned = false }: { status: MdfStatus; claimReturned?: boolean }) {
  if (status === "approved" && claimReturned) return <span className="badge warn">Claim returned for changes</span>;
  return <span className={`badge ${STATUS[status].tone}`.trim()}>{STATUS[status].label}</span>;
}

export type MdfListRowView = {
  id: number;
  partnerName: string;
  title: string;
  activityType: string;
  plannedOn: string;
  amountCents: number;
  claimedCents: number | null;
  paidCents: number | null;
  status: MdfStatus;
  claimReturned: boolean;
};

/**
 * The MDF list of both sides, one page of it: the status filter (in the URL), the table (the
 * partner column for staff only) and Previous/Next. `pathname` is the list's own route.
 */
export function MdfList({
  page,
  currency,
  pathname,
  status,
  showPartner,
  detailHref,
  empty,
}: {
  page: { rows: MdfListRowView[]; total: number; prev: string | null; next: string | null };
  currency: string;
  pathname: string;
  status: string;
  showPartner: boolean;
  detailHref: (id: number) => string;
  empty: string;
}) {
  return (
    <>
      <Form method="get" action={pathname} className="row" role="search" aria-label="Filter MDF requests" key={status} style={{ alignItems: "end" }}>
        <div className="field">
          <label htmlFor="mdf-filter-status">Status</label>
          <select id="mdf-filter-status" name="status" defaultValue={status}>
            <option value="">Any status</option>
            {MDF_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS[s].label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="secondary">
          Filter
        </button>
        {status ? (
          <Link to={pathname} className="button secondary">
            Clear
          </Link>
        ) : null}
      </Form>
      {page.rows.length === 0 ? (
        <p className="muted">{status ? "No request has this status." : empty}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {showPartner ? <th scope="col">Partner</th> : null}
                <th scope="col">Activity</th>
                <th scope="col">Type</th>
                <th scope="col">Planned</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={r.id}>
                  {showPartner ? <td>{r.partnerName}</td> : null}
                  <td>
                    <Link to={detailHref(r.id)}>{r.title}</Link>
                  </td>
                  <td>{r.activityType}</td>
                  <td>{r.plannedOn}</td>
                  <td className="num">{formatMoney(r.paidCents ?? r.claimedCents ?? r.amountCents, currency)}</td>
                  <td>
                    <MdfStatusBadge status={r.status} claimReturned={r.claimReturned} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <KeysetPager
        prev={page.prev}
        next={page.next}
        hrefFor={(cursor) => pageHref(pathname, { status }, cursor)}
        summary={`${page.rows.length} of ${page.total} shown`}
      />
    </>
  );
}

export type BudgetView = { quarter: string; tierName: string; allowanceCents: number; committedCents: number; pendingCents: number; remainingCents: number; paidCents: number };

export function MdfBudgetCard({ budget, currency, heading }: { budget: BudgetView; currency: string; heading: string }) {
  const used = budget.allowanceCents > 0 ? Math.min(1, budget.committedCents / budget.allowanceCents) : 0;
  return (
    <section className="card stack" aria-labelledby="mdf-budget-heading">
      <h2 id="mdf-budget-heading" style={{ margin: 0 }}>
        {heading}
      </h2>
      {budget.allowanceCents === 0 ? (
        <p className="muted" style={{ margin: 0 }}>
          The {budget.tierName} tier has no MDF allowance for {budget.quarter}.
        </p>
      ) : null}
      <div className="grid">
        <div className="kpi">
          <span className="label">{budget.tierName} allowance, {budget.quarter}</span>
          <span className="value">{formatMoney(budget.allowanceCents, currency)}</span>
        </div>
        <div className="kpi">
          <span className="label">Used (approved, claimed, paid)</span>
          <span className="value" data-testid="mdf-used">{formatMoney(budget.committedCents, currency)}</span>
        </div>
        <div className="kpi">
          <span className="label">Left to approve</span>
          <span className="value" data-testid="mdf-remaining">{formatMoney(budget.remainingCents, currency)}</span>
        </div>
        <div className="kpi">
          <span className="label">Paid</span>
          <span className="value" data-testid="mdf-paid">{formatMoney(budget.paidCents, currency)}</span>
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`MDF used in ${budget.quarter}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(used * 100)}
      >
        <span style={{ width: `${used * 100}%` }} />
      </div>
      {budget.pendingCents > 0 ? (
        <p className="small muted" style={{ margin: 0 }}>
          {formatMoney(budget.pendingCents, currency)} more is requested and awaiting a decision.
        </p>
      ) : null}
    </section>
  );
}

export type MdfDetailView = {
  id: number;
  title: string;
  activityType: string;
  plannedOn: string;
  quarter: string;
  amountCents: number;
  expectedOutcome: string;
  status: MdfStatus;
  rejectionReason: string | null;
  claimedCents: number | null;
  claimLeads: number | null;
  claimResults: string | null;
  claimedAt: string | Date | null;
  claimReturnReason: string | null;
  claimReturnedAt: string | Date | null;
  paidCents: number | null;
  paidAt: string | Date | null;
  proofs: { id: number; fileName: string; contentType: string; sizeBytes: number }[];
  linked: { id: number; title: string; stage: string; amountCents: number; currency: string }[];
};

const sizeLabel = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

export function MdfDetails({ request, currency, proofHref, dealHref }: { request: MdfDetailView; currency: string; proofHref: (fileId: number) => string; dealHref?: (dealId: number) => string }) {
  const row = (label: string, value: ReactNode) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
  return (
    <section className="card stack" aria-labelledby="mdf-detail-heading">
      <h2 id="mdf-detail-heading" style={{ margin: 0 }}>
        {request.title} <MdfStatusBadge status={request.status} />
      </h2>
      <dl className="figure-definitions">
        {row("Activity type", request.activityType)}
        {row("Planned date", request.plannedOn)}
        {row("Quarter", request.quarter)}
        {row("Requested", formatMoney(request.amountCents, currency))}
        {row("Expected outcome", request.expectedOutcome)}
        {request.rejectionReason ? row("Reason for rejection", request.rejectionReason) : null}
        {request.claimReturnReason ? row("Claim returned for changes", `${formatDate(request.claimReturnedAt)}: ${request.claimReturnReason}`) : null}
        {request.claimedCents !== null ? row("Claimed", `${formatMoney(request.claimedCents, currency)} on ${formatDate(request.claimedAt)}`) : null}
        {request.claimLeads !== null ? row("Leads", String(request.claimLeads)) : null}
        {request.claimResults ? row("Results", request.claimResults) : null}
        {request.paidCents !== null ? row("Approved for payment", `${formatMoney(request.paidCents, currency)} on ${formatDate(request.paidAt)}`) : null}
      </dl>
      {request.proofs.length ? (
        <div>
          <h3 style={{ margin: "0 0 0.25rem" }}>Proof</h3>
          <ul>
            {request.proofs.map((p) => (
              <li key={p.id}>
                <a href={proofHref(p.id)}>{p.fileName}</a> <span className="small muted">({sizeLabel(p.sizeBytes)})</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {request.linked.length ? (
        <div>
          <h3 style={{ margin: "0 0 0.25rem" }}>Linked registrations</h3>
          <ul>
            {request.linked.map((d) => (
              <li key={d.id}>
                {dealHref ? <a href={dealHref(d.id)}>{d.title}</a> : d.title} — {d.stage}, {formatMoney(d.amountCents, d.currency)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
