import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { HHI_BAND_LABEL } from "../domain/concentration";
import { ecosystemReport } from "../domain/ecosystem.server";
import { daysBetween } from "../domain/format";
import { programOverview } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Overview · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const overview = programOverview(args.context.db);
  const ecosystem = ecosystemReport(args.context.db);
  return {
    ...overview,
    ecosystem: {
      hhi: ecosystem.snapshot.concentration.hhi,
      band: ecosystem.snapshot.concentration.band,
      flagged: ecosystem.longTail.rows.filter((r) => r.flags.length > 0).length,
      alerts: ecosystem.alerts.length,
    },
    oldestWaitingDays: overview.oldestRegistrationAt ? daysBetween(overview.oldestRegistrationAt, Date.now()) : null,
  };
}

export default function InternalOverview() {
  const o = useLoaderData<typeof loader>();
  const total = Object.values(o.partnersByStatus).reduce((a, b) => a + b, 0);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Program overview</h1>
          <p className="muted">What needs the partner team's attention.</p>
        </div>
      </div>
      <div className="grid">
        <section className="card kpi">
          <span className="label">Active partners</span>
          <span className="value">{o.partnersByStatus.active ?? 0}</span>
          <span className="muted small">
            of {total} ({o.partnersByStatus.suspended ?? 0} suspended, {o.partnersByStatus.churned ?? 0} churned)
          </span>
          <Link to="/internal/partners">All partners</Link>
        </section>
        <section className="card kpi">
          <span className="label">Open registrations</span>
          <span className="value">{o.openRegistrations}</span>
          <span className="muted small">
            {o.oldestWaitingDays !== null ? `Oldest waiting ${o.oldestWaitingDays} days` : "Nothing waiting"}
          </span>
        </section>
        <section className="card kpi">
          <span className="label">Partner applications</span>
          <span className="value">{o.pendingApplications}</span>
          <Link to="/internal/applications">Review applications</Link>
        </section>
        <section className="card kpi">
          <span className="label">Pending tier reviews</span>
          <span className="value">{o.pendingTierReviews}</span>
        </section>
        <section className="card kpi">
          <span className="label">Revenue concentration</span>
          <span className="value">{o.ecosystem.hhi === null ? "—" : `HHI ${o.ecosystem.hhi.toFixed(0)}`}</span>
          {o.ecosystem.band ? (
            <span>
              <span className={`badge ${o.ecosystem.band === "unconcentrated" ? "ok" : o.ecosystem.band === "highly_concentrated" ? "danger" : "warn"}`}>
                {HHI_BAND_LABEL[o.ecosystem.band]}
              </span>
              {o.ecosystem.alerts > 0 ? (
                <>
                  {" "}
                  <span className="badge danger">
                    {o.ecosystem.alerts} {o.ecosystem.alerts === 1 ? "alert" : "alerts"}
                  </span>
                </>
              ) : null}
            </span>
          ) : (
            <span className="muted small">No credited revenue yet</span>
          )}
          <Link to="/internal/ecosystem">Ecosystem health</Link>
        </section>
        <section className="card kpi">
          <span className="label">Flagged long-tail partners</span>
          <span className="value">{o.ecosystem.flagged}</span>
          <Link to="/internal/ecosystem?flag=rising">Rising, efficient, ramping, dormant</Link>
        </section>
      </div>
    </div>
  );
}
