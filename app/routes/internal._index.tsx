import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { daysBetween } from "../domain/format";
import { programOverview } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Overview · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const overview = programOverview(args.context.db);
  return {
    ...overview,
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
      </div>
    </div>
  );
}
