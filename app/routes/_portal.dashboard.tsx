import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requirePartnerUser } from "../auth/guards.server";
import { StageBars } from "../components/stage-bars";
import { formatMoney } from "../domain/format";
import { getPartnerDashboard } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const { stages, tier } = getPartnerDashboard(args.context.db, user.partnerId);
  return { partnerName: user.partnerName, firstName: user.name.split(" ")[0], stages, tier };
}

export default function Dashboard() {
  const { partnerName, firstName, stages, tier } = useLoaderData<typeof loader>();
  const open = stages.filter((s) => s.stage === "submitted" || s.stage === "approved");
  const won = stages.find((s) => s.stage === "won");
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Welcome, {firstName}</h1>
          <p className="muted">{partnerName}</p>
        </div>
        {tier ? <span className="badge">{tier.current.name} partner</span> : null}
      </div>
      <div className="grid">
        <section className="card kpi" aria-labelledby="kpi-open">
          <span className="label" id="kpi-open">Open registrations</span>
          <span className="value">{open.reduce((n, s) => n + s.deals, 0)}</span>
          <span className="muted small">{formatMoney(open.reduce((n, s) => n + s.amountCents, 0))} in pipeline</span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-won">
          <span className="label" id="kpi-won">Deals won</span>
          <span className="value">{won?.deals ?? 0}</span>
          <span className="muted small">{formatMoney(won?.amountCents ?? 0)} all time</span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-tier">
          <span className="label" id="kpi-tier">Tier</span>
          <span className="value">{tier?.current.name ?? "—"}</span>
          <span className="muted small">
            {tier?.next ? `Next: ${tier.next.name}` : "Top tier of the program"}
          </span>
        </section>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="by-stage">
          <h2 id="by-stage">Your deals by stage</h2>
          <StageBars stages={stages} />
        </section>
        <section className="card" aria-labelledby="tier-benefits">
          <h2 id="tier-benefits">{tier?.current.name ?? "Tier"} benefits</h2>
          <p>{tier?.current.benefits || "No benefits are listed for this tier yet."}</p>
          {tier?.next ? (
            <p className="muted small">
              {tier.next.name} needs {formatMoney(tier.next.minRevenueCents)} attributed revenue
              {tier.next.thresholdRule === "any" ? " or " : " and "}
              {tier.next.minWonDeals} won deals over the trailing 12 months.
            </p>
          ) : null}
        </section>
      </div>
    </div>
  );
}
