import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePartnerUser } from "../auth/guards.server";
import { ConversionNote, MissingRatesWarning } from "../components/missing-rates-warning";
import { StageBars } from "../components/stage-bars";
import { MODEL_DESCRIPTION, MODEL_LABEL } from "../domain/attribution";
import { FigureCard, FigureDefinitions } from "../components/figures";
import { figureLabel } from "../domain/figures";
import { formatMoney, formatPercent } from "../domain/format";
import { formatWinRate } from "../domain/tier-snapshot";
import { getPartnerDashboard } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const dashboard = getPartnerDashboard(args.context.db, user.partnerId);
  return { partnerName: user.partnerName, firstName: user.name.split(" ")[0], ...dashboard };
}

const TTM = { kind: "ttm" } as const;
const TODAY = { kind: "now" } as const;

export default function Dashboard() {
  const { partnerName, firstName, stages, tier, progress, model, currency, month, figures, missingRates } = useLoaderData<typeof loader>();
  const { ttm, open } = figures;
  const thisMonth = { kind: "month", value: month } as const;
  const money = (cents: number) => formatMoney(cents, currency);
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
        <FigureCard id="kpi-credited-ttm" label={figureLabel("creditedRevenue", TTM)} value={money(ttm.creditedRevenue)}>
          {MODEL_LABEL[model]} model · <Link to="/attribution">attribution</Link>
        </FigureCard>
        <FigureCard id="kpi-won-ttm" label={figureLabel("dealsWon", TTM)} value={ttm.dealsWon}>
          credited to you · <Link to="/tier">tier</Link>
        </FigureCard>
        <FigureCard id="kpi-win-rate-ttm" label={figureLabel("winRate", TTM)} value={formatWinRate(ttm.winRate)}>
          {ttm.won + ttm.lost === 0 ? "none of your registrations closed" : `${ttm.won} of ${ttm.won + ttm.lost} closed registrations`}
        </FigureCard>
      </div>
      <div className="grid">
        <FigureCard
          id="kpi-credited-month"
          label={figureLabel("creditedRevenue", thisMonth)}
          value={money(figures.month.creditedRevenue)}
        >
          this month so far, {figures.month.dealsWon} {figures.month.dealsWon === 1 ? "deal" : "deals"} ·{" "}
          <Link to={`/attribution?kind=month&month=${month}`}>details</Link>
        </FigureCard>
        <FigureCard
          id="kpi-open"
          label={figureLabel("openRegistrations", TODAY)}
          value={open.openRegistrations}
          footnote={<ConversionNote currency={currency} />}
        >
          {money(open.openPipeline)} open pipeline · <Link to="/deals">deals</Link>
        </FigureCard>
        <FigureCard id="kpi-tier" label="Tier" value={tier?.current.name ?? "—"}>
          {tier?.next ? `Next: ${tier.next.name}` : "Top tier of the program"}
        </FigureCard>
      </div>
      <p className="muted small" style={{ margin: 0 }}>
        How credit works, {MODEL_LABEL[model]} model: {MODEL_DESCRIPTION[model]}
      </p>
      <FigureDefinitions
        keys={["creditedRevenue", "dealsWon", "winRate", "openRegistrations", "openPipeline"]}
        context={{ model, currency }}
      />
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
          <h2 id="by-stage">Your registrations by stage · all time</h2>
          <StageBars stages={stages} />
        </section>
        <section className="card" aria-labelledby="tier-benefits">
          <h2 id="tier-benefits">{tier?.current.name ?? "Tier"} benefits</h2>
          <p>{tier?.current.benefits || "No benefits are listed for this tier yet."}</p>
          {tier?.next ? (
            <p className="muted small">
              {tier.next.name} needs {money(tier.next.minRevenueCents)} credited revenue
              {tier.next.thresholdRule === "any" ? " or " : " and "}
              {tier.next.minWonDeals} deals won over the trailing 12 months.
            </p>
          ) : null}
        </section>
      </div>
    </div>
  );
}
