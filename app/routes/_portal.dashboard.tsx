import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePartnerUser } from "../auth/guards.server";
import { ConversionNote, MissingRatesWarning } from "../components/missing-rates-warning";
import { StageBars } from "../components/stage-bars";
import { MODEL_LABEL } from "../domain/attribution";
import { formatMoney, formatPercent } from "../domain/format";
import { getPartnerDashboard } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const { stages, currency, missingRates, tier, progress, credited } = getPartnerDashboard(args.context.db, user.partnerId);
  return { partnerName: user.partnerName, firstName: user.name.split(" ")[0], stages, currency, missingRates, tier, progress, credited };
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export default function Dashboard() {
  const { partnerName, firstName, stages, currency, missingRates, tier, progress, credited } = useLoaderData<typeof loader>();
  const open = stages.filter((s) => s.stage === "submitted" || s.stage === "approved");
  const won = stages.find((s) => s.stage === "won");
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Welcome, {firstName}</h1>
          <p className="muted">{partnerName}</p>
        </div>
        {tier ? (
          <Link to="/tier" className="badge" aria-label={`${tier.current.name} partner: see your tier`}>
            {tier.current.name} partner
          </Link>
        ) : null}
      </div>
      <MissingRatesWarning missing={missingRates} />
      <div className="grid">
        <section className="card kpi" aria-labelledby="kpi-open">
          <span className="label" id="kpi-open">Open registrations</span>
          <span className="value">{open.reduce((n, s) => n + s.deals, 0)}</span>
          <span className="muted small">{formatMoney(open.reduce((n, s) => n + s.amountCents, 0), currency)} in pipeline</span>
          <ConversionNote currency={currency} />
        </section>
        <section className="card kpi" aria-labelledby="kpi-won">
          <span className="label" id="kpi-won">Deals won</span>
          <span className="value">{won?.deals ?? 0}</span>
          <span className="muted small">{formatMoney(won?.amountCents ?? 0, currency)} all time</span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-tier">
          <span className="label" id="kpi-tier">Tier</span>
          <span className="value">{tier?.current.name ?? "—"}</span>
          <span className="muted small">
            {tier?.next ? `Next: ${tier.next.name}` : "Top tier of the program"}
          </span>
        </section>
      </div>
      <div className="grid">
        <section className="card kpi" aria-labelledby="kpi-credited-month">
          <span className="label" id="kpi-credited-month">
            Credited revenue · {MONTHS[Number(credited.month.slice(5)) - 1]} {credited.month.slice(0, 4)}
          </span>
          <span className="value">{formatMoney(credited.monthCents, credited.currency)}</span>
          <span className="muted small">
            This month so far, {MODEL_LABEL[credited.model]} model ·{" "}
            <Link to={`/attribution?kind=month&month=${credited.month}`}>details</Link>
          </span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-credited-ttm">
          <span className="label" id="kpi-credited-ttm">Credited revenue · trailing 12 months</span>
          <span className="value">{formatMoney(credited.ttmCents, credited.currency)}</span>
          <span className="muted small">
            {credited.ttmDeals} won {credited.ttmDeals === 1 ? "deal" : "deals"} credited, {MODEL_LABEL[credited.model]}{" "}
            model · <Link to="/attribution">attribution</Link>
          </span>
        </section>
      </div>
      {progress ? (
        <section className="card" aria-labelledby="tier-progress">
          <h2 id="tier-progress">
            {progress.next ? `Progress to ${progress.next.name}` : `${progress.current.name}: the top tier`}
          </h2>
          {progress.next ? (
            <>
              <p className="muted small">
                {progress.next.name} needs {progress.next.thresholdRule === "any" ? "any one" : "all"} of these over
                the trailing 12 months.
              </p>
              <div className="stack" style={{ gap: "0.75rem" }}>
                {progress.nextThresholds.map((t) => (
                  <div key={t.key}>
                    <div className="row small" style={{ justifyContent: "space-between" }}>
                      <span id={`dash-threshold-${t.key}`}>{t.label}</span>
                      <span>
                        {t.haveText} of {t.needText} · {t.met ? "met" : t.remainingText}
                      </span>
                    </div>
                    <div
                      className="progress"
                      role="progressbar"
                      aria-labelledby={`dash-threshold-${t.key}`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={Math.round(t.fraction * 100)}
                      aria-valuetext={`${formatPercent(t.fraction, 0)}: ${t.haveText} of ${t.needText}`}
                    >
                      <span style={{ width: `${t.fraction * 100}%` }} />
                    </div>
                  </div>
                ))}
              </div>
            </>
          ) : (
            <p className="muted">You are at the top of the program's ladder.</p>
          )}
          <p className="small" style={{ marginTop: "0.75rem", marginBottom: 0 }}>
            <Link to="/tier">See your tier, its benefits and its history</Link>
          </p>
        </section>
      ) : null}
      <div className="grid-2">
        <section className="card" aria-labelledby="by-stage">
          <h2 id="by-stage">Your deals by stage</h2>
          <StageBars stages={stages} currency={currency} />
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
