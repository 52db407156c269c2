// /reports/<YYYY-MM>: the partner's monthly report in the portal. It renders the very report
// object the PDF and the email are made from (app/reports/contract.ts): same figures, one
// computation. The partner is the session's; a malformed or future month is a 400.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePartnerUser } from "../auth/guards.server";
import { MODEL_DESCRIPTION } from "../domain/attribution";
import { formatDate, formatMoney } from "../domain/format";
import {
  axisTicks,
  barChartGeometry,
  moreWonDealsSentence,
  niceCeiling,
  ReportError,
  uncreditedSentence,
  validateReportPeriod,
  type Kpi,
  type PartnerReport,
} from "../reports/contract";
import { buildPartnerReport } from "../reports/partner-report.server";
import { DefinitionList } from "../components/figures";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.report.periodLabel ?? "Monthly"} report · Partner Portal` },
];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const period = args.params.period ?? "";
  try {
    validateReportPeriod(period);
  } catch (error) {
    if (error instanceof ReportError) throw new Response(error.message, { status: error.status });
    throw error;
  }
  return { report: buildPartnerReport(args.context.db, user.partnerId, period) };
}

const TREND_MARK = { up: "▲", down: "▼", flat: "■", none: "" } as const;
const TREND_COLOR = { up: "var(--ok)", down: "var(--danger)", flat: "var(--muted)", none: "var(--muted)" } as const;
const TREND_WORD = { up: "up", down: "down", flat: "unchanged", none: "" } as const;

export default function MonthlyReport() {
  const { report } = useLoaderData<typeof loader>();
  const money = (cents: number) => formatMoney(cents, report.currency);
  const periodEndLabel = formatDate(new Date(report.window.to).getTime() - 1);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="muted small" style={{ margin: 0 }}>
            <Link to="/reports">Reports</Link> / {report.periodLabel}
          </p>
          <h1>{report.periodLabel} report</h1>
          <p className="muted">
            {report.partner.name} · <span className="badge">{report.partner.tier} tier</span> · credit model {report.modelLabel}
          </p>
        </div>
        <a className="button" href={`/reports/${report.period}.pdf`} download>
          Download PDF
        </a>
      </div>

      {report.hasActivity ? (
        <section aria-labelledby="kpis-heading">
          <h2 id="kpis-heading" className="visually-hidden">
            {report.periodLabel} compared with {report.previousPeriodLabel}
          </h2>
          {/* 200 px: the largest partner's "$42,212,700" fits its tile; at 170 it ran past the edge. */}
          <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(min(200px, 100%), 1fr))" }}>
            {report.kpis.map((k) => (
              <KpiCard key={k.key} kpi={k} previousLabel={report.previousPeriodShortLabel} />
            ))}
          </div>
          <DefinitionList items={report.kpis.map((k) => ({ key: k.key, label: k.label, definition: k.explanation }))} />
        </section>
      ) : (
        <section className="card info" aria-labelledby="no-activity">
          <h2 id="no-activity">No activity in {report.periodLabel}</h2>
          <p style={{ margin: 0 }}>
            No registrations, decisions, closed deals or touches were recorded for {report.partner.name} this month, so there are no
            monthly figures to compare. Your tier progress, open registrations and the next steps that move you forward are below.
          </p>
        </section>
      )}

      <section className="card" aria-labelledby="trend-heading">
        <h2 id="trend-heading">Credited revenue, last 12 months ({report.modelLabel})</h2>
        {report.trend.totalCents > 0 ? (
          <>
            <TrendChart report={report} />
            <p className="muted small" style={{ marginTop: "0.5rem" }}>
              {report.trend.totalText} credited over the 12 months ending {periodEndLabel}; {report.periodLabel} is the dark bar.
            </p>
          </>
        ) : (
          <p className="muted">No revenue was credited to you in the 12 months ending {periodEndLabel}.</p>
        )}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="models-heading">
          <h2 id="models-heading">Attribution by model</h2>
          {report.attribution.some((m) => m.cents > 0) ? (
            <>
              <table>
                <caption className="visually-hidden">Your credit for {report.periodLabel} under each attribution model</caption>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Credited
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.attribution.map((m) => (
                    <tr key={m.model} style={{ fontWeight: m.programModel ? 700 : 400 }}>
                      <th scope="row" style={{ textTransform: "none", fontSize: "inherit", letterSpacing: 0, color: "inherit", fontWeight: "inherit" }}>
                        {m.label}
                        {m.programModel ? " (program)" : ""}
                      </th>
                      <td className="num">{m.text}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small" style={{ marginTop: "0.5rem" }}>
                What {report.periodLabel}'s won deals credit you under each model; the program credits you under {report.modelLabel}: {MODEL_DESCRIPTION[report.model]}
              </p>
            </>
          ) : (
            <p className="muted">No deal won in {report.periodLabel} credits you under any model.</p>
          )}
        </section>

        <section className="card" aria-labelledby="tier-heading">
          <h2 id="tier-heading">Tier progress</h2>
          <p>
            <strong>{report.tier.current.name}</strong>
            {report.tier.next
              ? ` → next: ${report.tier.next.name} (${report.tier.next.rule === "any" ? "any one threshold" : "every threshold"})`
              : " — the top of the ladder"}
          </p>
          {report.tier.thresholds.map((t) => (
            <div key={t.key} style={{ marginBottom: "0.9rem" }}>
              <div className="row" style={{ justifyContent: "space-between" }}>
                <span>{t.label}</span>
                <strong>
                  {t.haveText} / {t.needText}
                </strong>
              </div>
              <div
                className="progress"
                role="progressbar"
                aria-label={t.label}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(t.fraction * 100)}
              >
                <span style={{ width: `${t.fraction * 100}%`, background: t.met ? "var(--ok)" : undefined }} />
              </div>
              <span className="small" style={{ color: t.met ? "var(--ok)" : "var(--muted)" }}>
                {t.met ? "Met" : `Still needed: ${t.remainingText}`}
              </span>
            </div>
          ))}
          {report.tier.next === null ? (
            <p className="muted small">
              Trailing 12 months: {report.tier.metrics.text.revenue} credited revenue, {report.tier.metrics.text.wonDeals} deals won.
            </p>
          ) : null}
          {report.tier.evaluation ? <p className="small">{report.tier.evaluation.text}</p> : null}
          <p className="muted small" style={{ margin: 0 }}>
            Trailing 12 months to {formatDate(new Date(report.tier.asOf).getTime() - 1)}, {report.modelLabel} model.
          </p>
        </section>
      </div>

      <section className="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">Recommended next actions</h2>
        {report.actions.length ? (
          <ol style={{ margin: 0, paddingLeft: "1.25rem", display: "grid", gap: "0.35rem" }}>
            {report.actions.map((a) => (
              <li key={a.key}>{a.text}</li>
            ))}
          </ol>
        ) : (
          <p className="muted">Nothing needs your attention: keep registering and closing.</p>
        )}
      </section>

      <section className="card" aria-labelledby="won-heading">
        <h2 id="won-heading">Deals won in {report.periodLabel} that credit you</h2>
        {report.wonDeals.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Deal</th>
                  <th scope="col">Closed</th>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col" className="num">
                    Your credit
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.wonDeals.map((d) => (
                  <tr key={d.dealId}>
                    <td>{d.title}</td>
                    <td>{formatDate(d.closedOn)}</td>
                    <td>{d.source === "sourced" ? "Sourced" : "Influenced"}</td>
                    <td className="num">{formatMoney(d.amountCents, d.currency)}</td>
                    <td className="num">
                      <strong>{money(d.creditCents)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No won deal credited you in {report.periodLabel}.</p>
        )}
        {report.moreWonDeals > 0 ? (
          <p className="small" style={{ marginTop: "0.5rem" }}>
            {moreWonDealsSentence(report)}{" "}
            <Link to={`/attribution?kind=month&month=${report.period}`}>See every deal that credits you</Link>
          </p>
        ) : null}
        {report.uncreditedWonDeals > 0 ? (
          <p className="muted small" style={{ marginTop: "0.5rem" }}>
            {uncreditedSentence(report)}{" "}
            <Link to={`/attribution?kind=month&month=${report.period}&zero=show`}>See them and why</Link>
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="pipeline-heading">
        <h2 id="pipeline-heading">Open pipeline at {periodEndLabel}</h2>
        {report.pipeline.count ? (
          <>
            <p className="muted small">
              {report.pipeline.count} open registration{report.pipeline.count === 1 ? "" : "s"} worth {report.pipeline.totalText}
              {report.pipeline.expiringSoon
                ? `; ${report.pipeline.expiringSoon} expire${report.pipeline.expiringSoon === 1 ? "s" : ""} within 14 days.`
                : "."}
            </p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Deal</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Submitted</th>
                    <th scope="col">Protection ends</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.pipeline.deals.map((d) => (
                    <tr key={d.dealId}>
                      <td>
                        <Link to={`/deals/${d.dealId}`}>{d.title}</Link>
                      </td>
                      <td>{d.stage === "approved" ? "Approved" : "Submitted"}</td>
                      <td>{formatDate(d.submittedOn)}</td>
                      <td>
                        {d.protectionEndsOn ? formatDate(d.protectionEndsOn) : "—"}
                        {d.expiresSoon ? (
                          <>
                            {" "}
                            <span className="badge warn">Expires soon</span>
                          </>
                        ) : null}
                      </td>
                      <td className="num">{formatMoney(d.amountCents, d.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {report.pipeline.more ? (
              <p className="muted small" style={{ marginTop: "0.5rem" }}>
                …and {report.pipeline.more} more: <Link to="/deals">see all your deals</Link>.
              </p>
            ) : null}
          </>
        ) : (
          <p className="muted">
            No open registrations. <Link to="/deals/new">Register your next opportunity</Link> to protect it.
          </p>
        )}
      </section>
    </div>
  );
}

function KpiCard({ kpi, previousLabel }: { kpi: Kpi; previousLabel: string }) {
  return (
    <div className="card kpi" data-figure={kpi.key}>
      <span className="label">{kpi.label}</span>
      <span className="value">{kpi.text.value}</span>
      <span className="small" style={{ color: TREND_COLOR[kpi.trend] }}>
        {kpi.trend === "none" ? (
          `${previousLabel}: ${kpi.text.previous}`
        ) : (
          <>
            <span aria-hidden="true">{TREND_MARK[kpi.trend]} </span>
            <span className="visually-hidden">{TREND_WORD[kpi.trend]} </span>
            {kpi.text.delta} vs {previousLabel} ({kpi.text.previous})
          </>
        )}
      </span>
      {kpi.note ? <span className="muted small">{kpi.note}</span> : null}
    </div>
  );
}

function TrendChart({ report }: { report: PartnerReport }) {
  const months = report.trend.months;
  const width = 640;
  const height = 220;
  const pad = { top: 16, right: 8, bottom: 34, left: 60 };
  const max = niceCeiling(report.trend.maxCents);
  const { y, baseline, barW, barX, barHeight } = barChartGeometry({ width, height, pad, bars: months.length, max, barShare: 0.62 });
  const compact = (cents: number) => formatMoney(cents, report.currency, { compact: true });
  const summary =
    `Bar chart of credited revenue per month under the ${report.modelLabel} model, ` +
    `${months[0]?.label ?? ""} to ${months[months.length - 1]?.label ?? ""}: ${report.trend.totalText} in all.`;
  return (
    <>
      <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ display: "block", maxWidth: "100%", height: "auto" }}>
        {axisTicks(max, 2).map((tick) => (
          <g key={tick}>
            <line x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} stroke="#dfe3ec" strokeWidth={1} />
            <text x={pad.left - 6} y={y(tick) + 4} textAnchor="end" fontSize="11" fill="#5b6378">
              {compact(tick)}
            </text>
          </g>
        ))}
        {months.map((m, i) => {
          const x = barX(i);
          const h = barHeight(m.cents);
          return (
            <g key={m.period}>
              <rect x={x} y={baseline - h} width={barW} height={h} rx={2} fill={m.current ? "#3b4cca" : "#b9c0ea"}>
                <title>{`${m.label}: ${m.text}`}</title>
              </rect>
              <text x={x + barW / 2} y={baseline + 14} textAnchor="middle" fontSize="11" fill={m.current ? "#1b2030" : "#5b6378"}>
                {m.shortLabel}
              </text>
              {i === 0 || m.period.endsWith("-01") ? (
                <text x={x + barW / 2} y={baseline + 27} textAnchor="middle" fontSize="10" fill="#5b6378">
                  {m.year}
                </text>
              ) : null}
              {m.current && m.cents > 0 ? (
                <text x={x + barW / 2} y={baseline - h - 4} textAnchor="middle" fontSize="10" fill="#1b2030">
                  {compact(m.cents)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>Credited revenue per month under the {report.modelLabel} model</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Credited revenue</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.period}>
              <th scope="row">{m.label}</th>
              <td>{m.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
