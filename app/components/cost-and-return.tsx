// The "Cost and return" section of the program metrics page: blended CAC per channel with the
// partner ÷ direct ratio, program ROIC, MDF ROI per activity type and per partner, lead quality,
// monthly spend against new customers, and every definition. "—" always comes with its reason.
import { BarChart } from "./analytics-charts";
import { DefinitionList } from "./figures";
import { COST_DEFINITIONS, formatMultiple, type Cac, type Quotient } from "../domain/cost-metrics";
import type { CostMetrics } from "../domain/cost-metrics.server";
import { formatMoney, formatPercent } from "../domain/format";

function Missing({ reason }: { reason: string | null }) {
  return (
    <>
      <strong>—</strong> <span className="small muted">{reason}</span>
    </>
  );
}

export function CostAndReturn({ cost }: { cost: CostMetrics }) {
  const money = (cents: number) => formatMoney(Math.round(cents), cost.currency);
  const cacCell = (c: Cac) =>
    c.valueCents === null ? (
      <Missing reason={c.reason} />
    ) : (
      <>
        <strong>{money(c.valueCents)}</strong>{" "}
        <span className="small muted">
          {money(c.spendCents)} ÷ n = {c.newCustomers} new customers
        </span>{" "}
        {c.lowSample ? <span className="badge warn">Low sample</span> : null}
      </>
    );
  const roiCell = (q: Quotient) => (q.value === null ? <Missing reason={q.reason} /> : <strong>{formatMultiple(q.value)}</strong>);
  const i = cost.inputs;
  return (
    <section className="card stack" aria-labelledby="cost-heading" id="cost-and-return">
      <h2 id="cost-heading" style={{ margin: 0 }}>
        Cost and return
      </h2>
      <div className="grid">
        <div className="kpi">
          <span className="label">Partner program spend</span>
          <span className="value" data-testid="partner-spend">{money(i.partnerSpendCents)}</span>
          <span className="small muted">incl. {money(i.mdfPaidCents)} MDF paid</span>
        </div>
        <div className="kpi">
          <span className="label">Program ROIC</span>
          <span className="value" data-testid="program-roic">{formatMultiple(cost.roic.value)}</span>
          <span className="small muted">
            {cost.roic.value === null ? cost.roic.reason : `${money(cost.roic.grossProfitCents)} gross profit at ${formatPercent(i.grossMarginBp / 10_000)} margin`}
          </span>
        </div>
        <div className="kpi">
          <span className="label">CAC ratio, partner ÷ direct</span>
          <span className="value" data-testid="cac-ratio">{cost.cacRatio.value === null ? "—" : cost.cacRatio.value.toFixed(2)}</span>
          <span className="small muted">
            {cost.cacRatio.value === null ? cost.cacRatio.reason : `n = ${cost.cacRatio.partner.n} partner, ${cost.cacRatio.direct.n} direct new customers`}
          </span>
        </div>
        <div className="kpi">
          <span className="label">MDF ROI</span>
          <span className="value" data-testid="mdf-roi">{formatMultiple(cost.mdf.total.roi.value)}</span>
          <span className="small muted" data-testid="mdf-roi-inputs">
            {cost.mdf.total.roi.value === null
              ? cost.mdf.total.roi.reason
              : `${money(cost.mdf.total.wonCents)} won ÷ ${money(cost.mdf.total.paidCents)} paid; ${money(cost.mdf.total.pipelineCents)} pipeline`}
          </span>
        </div>
      </div>

      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Blended CAC by channel</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Blended CAC</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Partner (sourced + influenced)</th>
              <td>{cacCell(cost.cac.partner)}</td>
            </tr>
            <tr>
              <th scope="row">Partner-sourced only</th>
              <td>{cacCell(cost.cac.sourcedOnly)}</td>
            </tr>
            <tr>
              <th scope="row">Direct</th>
              <td>{cacCell(cost.cac.direct)}</td>
            </tr>
          </tbody>
        </table>
      </div>

      <div className="grid-2">
        <BarChart
          id="cost-spend"
          label="Spend per month, partner program"
          rows={cost.months.map((m) => ({ label: m.month, value: m.partnerSpendCents + m.mdfPaidCents, display: money(m.partnerSpendCents + m.mdfPaidCents) }))}
        />
        <BarChart
          id="cost-customers"
          label="New partner customers per month"
          rows={cost.months.map((m) => ({ label: m.month, value: m.newCustomers.sourced + m.newCustomers.influenced, display: String(m.newCustomers.sourced + m.newCustomers.influenced) }))}
        />
      </div>

      <h3 style={{ margin: 0 }}>MDF return by activity type</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Activity type</th>
              <th scope="col" className="num">Paid</th>
              <th scope="col" className="num">Won</th>
              <th scope="col" className="num">Pipeline created</th>
              <th scope="col">ROI</th>
            </tr>
          </thead>
          <tbody>
            {cost.mdf.byActivity.map((a) => (
              <tr key={a.activityType}>
                <th scope="row">{a.activityType}</th>
                <td className="num">{money(a.paidCents)}</td>
                <td className="num">{money(a.wonCents)}</td>
                <td className="num">{money(a.pipelineCents)}</td>
                <td>{roiCell(a.roi)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cost.mdf.byPartner.length ? (
        <>
          <h3 style={{ margin: 0 }}>MDF return by partner</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col" className="num">Activities</th>
                  <th scope="col" className="num">Paid</th>
                  <th scope="col" className="num">Won</th>
                  <th scope="col" className="num">Pipeline created</th>
                  <th scope="col">ROI</th>
                </tr>
              </thead>
              <tbody>
                {cost.mdf.byPartner.slice(0, 25).map((p) => (
                  <tr key={p.partnerId}>
                    <th scope="row">{p.partnerName}</th>
                    <td className="num">{p.activities}</td>
                    <td className="num">{money(p.paidCents)}</td>
                    <td className="num">{money(p.wonCents)}</td>
                    <td className="num">{money(p.pipelineCents)}</td>
                    <td>{roiCell(p.roi)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      <h3 style={{ margin: 0 }}>Lead quality</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Median days registration → won</th>
              <th scope="col">Registration → won rate</th>
            </tr>
          </thead>
          <tbody>
            {(["sourced", "influenced", "direct"] as const).map((ch) => {
              const q = cost.leadQuality[ch];
              return (
                <tr key={ch}>
                  <th scope="row">{ch === "sourced" ? "Partner-sourced" : ch === "influenced" ? "Partner-influenced" : "Direct"}</th>
                  <td>
                    {q.medianDaysToWon === null ? <Missing reason="No deals won in the window." /> : <strong>{q.medianDaysToWon} days</strong>}{" "}
                    <span className="small muted">n = {q.wonInWindow} won</span>
                  </td>
                  <td>
                    {q.winRate.value === null ? <Missing reason={q.winRate.reason} /> : <strong>{formatPercent(q.winRate.value)}</strong>}{" "}
                    <span className="small muted">
                      {q.registeredWon} of {q.registered} registrations
                    </span>{" "}
                    {q.lowSample ? <span className="badge warn">Low sample</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <DefinitionList items={Object.entries(COST_DEFINITIONS).map(([key, definition]) => ({ key, label: key.replace(/([A-Z])/g, " $1").toLowerCase(), definition }))} />
    </section>
  );
}
