// The figures half of the ecosystem page: alerts, the concentration tiles, the curves, the
// 12 month-ends and head vs tail. Every figure is the EcosystemReport section's own (its
// number or its text), so the page says what the monthly report PDF says.
import { Link } from "@remix-run/react";
import { ConcentrationChart, Sparkline } from "../../components/analytics-charts";
import { HHI_BAND_LABEL, type HhiBand } from "../../domain/concentration";
import { formatDate, formatPercent } from "../../domain/format";
import { countText, hhiWhole } from "../../reports/contract";
import type { EcosystemPageData } from "./queries.server";

const BAND_BADGE: Record<HhiBand, string> = {
  unconcentrated: "ok",
  moderately_concentrated: "warn",
  highly_concentrated: "danger",
};
export const FLAG_BADGE: Record<string, string> = { rising: "ok", efficient: "", ramping: "", dormant: "neutral" };

export function ConcentrationAlerts({ alerts }: { alerts: EcosystemPageData["alerts"] }) {
  if (alerts.length === 0) return null;
  return (
    <div className="form-error" role="alert" aria-label="Concentration alerts">
      <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
        {alerts.map((a) =>
          a.kind === "hhi_band_up" ? (
            <li key="band">
              Concentration rose into a higher band: HHI {hhiWhole(a.previousHhi)} → {hhiWhole(a.hhi)}, now{" "}
              {HHI_BAND_LABEL[a.to].toLowerCase()} (was {HHI_BAND_LABEL[a.from].toLowerCase()}) at {formatDate(a.monthEnd)}.
            </li>
          ) : (
            <li key="largest">
              <Link to={`/internal/partners/${a.partner.slug}`}>{a.partner.name}</Link> brings {formatPercent(a.share)} of credited
              revenue, above the 25% alert line.
            </li>
          ),
        )}
      </ul>
    </div>
  );
}

export function ConcentrationTiles({ c }: { c: EcosystemPageData["concentration"] }) {
  return (
    <div className="grid" aria-label="Concentration figures" role="group">
      <section className="card kpi" data-kpi="hhi">
        <span className="label">HHI</span>
        {/* Whole, without separators: a tile has room for five digits, the PDF prints 1,561. */}
        <span className="value">{hhiWhole(c.hhi)}</span>
        {c.band ? (
          <span className={`badge ${BAND_BADGE[c.band]}`} style={{ justifySelf: "start" }}>
            {c.bandLabel}
          </span>
        ) : (
          <span className="muted small">No revenue yet</span>
        )}
      </section>
      <section className="card kpi" data-kpi="effective">
        <span className="label">Effective partners</span>
        <span className="value">{c.text.effectivePartners}</span>
        <span className="muted small">10,000 ÷ HHI</span>
      </section>
      <section className="card kpi" data-kpi="top20">
        <span className="label">Top-20% share</span>
        <span className="value">{c.text.top20Share}</span>
        <span className="muted small">of revenue from the top {countText(c.top20Count)} partners</span>
      </section>
      <section className="card kpi" data-kpi="n80">
        <span className="label">N80</span>
        <span className="value">{c.text.n80}</span>
        <span className="muted small">of {countText(c.n)} partners bring 80%</span>
      </section>
      <section className="card kpi" data-kpi="gini">
        <span className="label">Gini</span>
        <span className="value">{c.text.gini}</span>
        <span className="muted small">0 even · 1 one partner</span>
      </section>
      <section className="card kpi" data-kpi="largest">
        <span className="label">Largest single share</span>
        <span className="value">{c.text.largestShare}</span>
        {c.largestPartner ? (
          <span className="small">
            {c.largestShareAlert ? <span className="badge danger">Above 25%</span> : null}{" "}
            <Link to={`/internal/partners/${c.largestPartner.slug}`}>{c.largestPartner.name}</Link>
          </span>
        ) : null}
      </section>
    </div>
  );
}

export function ConcentrationCurves({ d }: { d: Pick<EcosystemPageData, "lorenz" | "pareto" | "concentration"> }) {
  const trend = d.concentration.trend;
  const monthEnds = trend.map((p) => formatDate(p.monthEnd));
  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="curve-heading">
        <h2 id="curve-heading">Who brings the revenue</h2>
        <ConcentrationChart lorenz={d.lorenz} pareto={d.pareto} id="concentration" />
      </section>
      <section className="card stack" aria-labelledby="trend-heading">
        <h2 id="trend-heading">Last 12 month-ends</h2>
        <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
          <Sparkline label="HHI" values={trend.map((p) => p.hhi)} labels={monthEnds} format={hhiWhole} />
          <Sparkline label="Top-20% share" values={trend.map((p) => p.top20Share)} labels={monthEnds} format={(v) => formatPercent(v)} />
          <Sparkline label="N80" values={trend.map((p) => p.n80)} labels={monthEnds} format={countText} />
          <Sparkline label="Gini" values={trend.map((p) => p.gini)} labels={monthEnds} format={(v) => v.toFixed(3)} />
        </div>
        <details>
          <summary>Trend data</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Month-end</th>
                  <th scope="col" className="num">
                    HHI
                  </th>
                  <th scope="col" className="num">
                    Top-20%
                  </th>
                  <th scope="col" className="num">
                    N80
                  </th>
                  <th scope="col" className="num">
                    Gini
                  </th>
                  <th scope="col" className="num">
                    Largest
                  </th>
                </tr>
              </thead>
              <tbody>
                {trend.map((p) => (
                  <tr key={p.monthEnd}>
                    <th scope="row">{formatDate(p.monthEnd)}</th>
                    <td className="num">{hhiWhole(p.hhi)}</td>
                    <td className="num">{p.text.top20Share}</td>
                    <td className="num">{p.text.n80}</td>
                    <td className="num">{p.text.gini}</td>
                    <td className="num">{p.text.largestShare}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </section>
    </div>
  );
}

export function HeadAndTail({ d }: { d: Pick<EcosystemPageData, "headTail" | "flagCounts" | "largest"> }) {
  const { head, tail } = d.headTail;
  return (
    <section className="card" aria-labelledby="split-heading">
      <h2 id="split-heading">Head and long tail</h2>
      <div className="grid">
        <div className="kpi">
          <span className="label">Head (N80)</span>
          <span className="value">{countText(head.partners)}</span>
          <span className="small muted">partners · {head.text}</span>
        </div>
        <div className="kpi">
          <span className="label">Long tail</span>
          <span className="value">{countText(tail.partners)}</span>
          <span className="small muted">partners · {tail.text}</span>
        </div>
        <div className="kpi">
          <span className="label">Flagged in the tail</span>
          <span className="small">
            {d.flagCounts.map((f) => (
              <span key={f.flag} style={{ marginRight: "0.5rem" }}>
                <span className={`badge ${FLAG_BADGE[f.flag]}`}>{f.label}</span> {countText(f.count)}
              </span>
            ))}
          </span>
        </div>
      </div>
      {d.largest.length ? (
        <p className="small muted" style={{ marginTop: "0.75rem" }}>
          Largest:{" "}
          {d.largest.map((p, i) => (
            <span key={p.slug}>
              {i ? ", " : ""}
              <Link to={`/internal/partners/${p.slug}`}>{p.name}</Link> {p.shareText}
            </span>
          ))}
        </p>
      ) : null}
    </section>
  );
}
