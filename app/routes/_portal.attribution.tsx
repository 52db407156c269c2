// What the partner is credited with on won deals: a period picker kept in the URL, the total
// under the program's model with its sourced/influenced split, every other model side by side,
// a monthly chart and the deals behind the figures. Other partners appear only as counts.
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { AttributionModel } from "../../db/schema";
import { requirePartnerUser } from "../auth/guards.server";
import { humanize } from "../components/forms";
import { MODEL_DESCRIPTION, MODEL_LABEL, MODELS } from "../domain/attribution";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { periodOf as monthOf, quarterOf } from "../domain/periods";
import { MonthlyCreditBars } from "../components/monthly-credit-bars";
import {
  attributionDealPage,
  parsePeriod,
  partnerAttributionSummary,
  PERIOD_KIND_LABEL,
  PERIOD_KINDS,
  PeriodError,
} from "../domain/partner-attribution.server";
import type { AttributionSummary, DealPage, MonthCredit } from "../domain/partner-attribution.server";
import { figureLabel, type Span } from "../domain/figures";

/** The catalogue's span (domain/figures.ts) of the page's period. */
function spanOf(period: { kind: "ttm" | "month" | "quarter"; value: string | null }): Span {
  return period.kind === "ttm" ? { kind: "ttm" } : { kind: period.kind, value: period.value! };
}

export const meta: MetaFunction = () => [{ title: "Attribution · Partner Portal" }];

/** The last 12 quarters up to `asOf`'s, newest first. */
function recentQuarters(asOf: Date): string[] {
  const list: string[] = [];
  for (let i = 0; i < 12; i++) list.push(quarterOf(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - 3 * i, 1)));
  return list;
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const params = new URL(args.request.url).searchParams;
  const asOf = new Date();
  const form = {
    kind: params.get("kind") || "ttm",
    month: params.get("month") || monthOf(asOf),
    quarter: params.get("quarter") || quarterOf(asOf),
  };
  const options = {
    kinds: PERIOD_KINDS.map((value) => ({ value, label: PERIOD_KIND_LABEL[value] })),
    quarters: recentQuarters(asOf),
    maxMonth: monthOf(asOf),
  };
  // The period's own parameters, kept by the deal table's switch and pager links.
  const periodParams = new URLSearchParams();
  for (const key of ["kind", "month", "quarter"]) if (params.has(key)) periodParams.set(key, params.get(key)!);
  const showZero = params.get("zero") === "show";
  try {
    // Figures summed from the rollup rows of the period; only the listed page's deals are
    // credited one by one and sent to the browser.
    const report: ReportSummary = partnerAttributionSummary(args.context.db, user.partnerId, parsePeriod(params), asOf);
    const listing = attributionDealPage(args.context.db, user.partnerId, report, params);
    return { partnerName: user.partnerName, form, options, error: null, report, listing, periodParams: periodParams.toString(), showZero };
  } catch (error) {
    if (!(error instanceof PeriodError)) throw error;
    const report: ReportSummary | null = null;
    const listing: DealPage | null = null;
    return data(
      {
        partnerName: user.partnerName,
        form,
        options,
        error: { field: error.field, message: error.message },
        report,
        listing,
        periodParams: periodParams.toString(),
        showZero,
      },
      { status: error.status }
    );
  }
}

type ReportSummary = AttributionSummary;

/** The page's URL for the period in `periodParams`, with the $0 switch and the table's cursor. */
function tableHref(periodParams: string, showZero: boolean, cursor?: { after?: string | null; before?: string | null }) {
  const params = new URLSearchParams(periodParams);
  if (showZero) params.set("zero", "show");
  if (cursor?.after) params.set("after", cursor.after);
  if (cursor?.before) params.set("before", cursor.before);
  const query = params.toString();
  return query ? `/attribution?${query}` : "/attribution";
}

export default function Attribution() {
  const { partnerName, form, options, error, report, listing, periodParams, showZero } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Attribution</h1>
          <p className="muted">
            What {partnerName} is credited with on won deals
            {report ? (
              <>
                , under the program's <strong>{MODEL_LABEL[report.model]}</strong> model
              </>
            ) : null}
            .
          </p>
          {report ? <p className="small">{MODEL_DESCRIPTION[report.model]}</p> : null}
        </div>
      </div>

      <PeriodPicker form={form} options={options} error={error} showZero={showZero} />

      {report ? (
        <Report report={report} listing={listing} periodParams={periodParams} showZero={showZero} />
      ) : null}
    </div>
  );
}

function PeriodPicker({
  form,
  options,
  error,
  showZero,
}: {
  form: { kind: string; month: string; quarter: string };
  options: { kinds: { value: string; label: string }[]; quarters: string[]; maxMonth: string };
  error: { field: string; message: string } | null;
  showZero: boolean;
}) {
  // Keep what the URL asked for selectable, even an old (or mistyped) quarter.
  const quarters = options.quarters.includes(form.quarter) ? options.quarters : [form.quarter, ...options.quarters];
  const invalid = (field: string) =>
    error?.field === field ? { "aria-invalid": true, "aria-describedby": "period-error" } : {};
  const key = `${form.kind}-${form.month}-${form.quarter}`;
  return (
    <Form method="get" className="card" aria-label="Choose a period">
      {showZero ? <input type="hidden" name="zero" value="show" /> : null}
      <div className="row" style={{ alignItems: "flex-end" }}>
        <div className="field" style={{ flex: "1 1 180px" }}>
          <label htmlFor="period-kind">Period</label>
          <select id="period-kind" name="kind" defaultValue={form.kind} key={`kind-${key}`} {...invalid("kind")}>
            {options.kinds.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field" style={{ flex: "1 1 160px" }}>
          <label htmlFor="period-month">Month</label>
          <input
            id="period-month"
            type="month"
            name="month"
            defaultValue={form.month}
            max={options.maxMonth}
            key={`month-${key}`}
            aria-describedby={error?.field === "month" ? "period-error" : "period-month-hint"}
            aria-invalid={error?.field === "month" ? true : undefined}
          />
          <span className="hint" id="period-month-hint">
            When the period is a month
          </span>
        </div>
        <div className="field" style={{ flex: "1 1 160px" }}>
          <label htmlFor="period-quarter">Quarter</label>
          <select
            id="period-quarter"
            name="quarter"
            defaultValue={form.quarter}
            key={`quarter-${key}`}
            aria-describedby={error?.field === "quarter" ? "period-error" : "period-quarter-hint"}
            aria-invalid={error?.field === "quarter" ? true : undefined}
          >
            {quarters.map((q) => (
              <option key={q} value={q}>
                {q.replace(/^(\d{4})-(Q\d)$/, "$2 $1")}
              </option>
            ))}
          </select>
          <span className="hint" id="period-quarter-hint">
            When the period is a quarter
          </span>
        </div>
        <div className="row">
          <button type="submit">Show</button>
          {form.kind !== "ttm" || error ? (
            <Link to="/attribution" className="button secondary">
              Trailing 12 months
            </Link>
          ) : null}
        </div>
      </div>
      {error ? (
        <p className="form-error" id="period-error" role="alert" style={{ marginTop: "0.75rem", marginBottom: 0 }}>
          {error.message}
        </p>
      ) : null}
    </Form>
  );
}

function Report({
  report,
  listing,
  periodParams,
  showZero,
}: {
  report: ReportSummary;
  listing: DealPage | null;
  periodParams: string;
  showZero: boolean;
}) {
  const money = (cents: number) => formatMoney(cents, report.currency);
  const to = new Date(new Date(report.window.to).getTime() - 1);
  const range = `${formatDate(report.window.from)} – ${formatDate(to)}`;
  const share = (cents: number) => (report.creditedCents > 0 ? formatPercent(cents / report.creditedCents, 0) : "—");
  return (
    <>
      <div className="grid">
        <section className="card kpi" aria-labelledby="kpi-credited" data-figure="creditedRevenue">
          <span className="label" id="kpi-credited">
            {figureLabel("creditedRevenue", spanOf(report.period))}
          </span>
          <span className="value">{money(report.creditedCents)}</span>
          <span className="muted small">
            Under the {MODEL_LABEL[report.model]} model (the program's) · <span data-figure="dealsWon">{report.creditedDeals}</span>{" "}
            {report.creditedDeals === 1 ? "deal" : "deals"} won, credited · {range}
          </span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-sourced">
          <span className="label" id="kpi-sourced">
            Sourced by you
          </span>
          <span className="value">{money(report.sourcedCents)}</span>
          <span className="muted small">{share(report.sourcedCents)} of your credit · deals you registered</span>
        </section>
        <section className="card kpi" aria-labelledby="kpi-influenced">
          <span className="label" id="kpi-influenced">
            Influenced by you
          </span>
          <span className="value">{money(report.influencedCents)}</span>
          <span className="muted small">
            {share(report.influencedCents)} of your credit · deals you helped on without registering them
          </span>
        </section>
      </div>

      <section className="card" aria-labelledby="monthly-heading">
        <h2 id="monthly-heading">Month by month</h2>
        <MonthlyChart report={report} />
      </section>

      <section className="card" aria-labelledby="models-heading">
        <h2 id="models-heading">Other models</h2>
        <p className="muted small">
          The same won deals credited under each attribution model. Your program uses {MODEL_LABEL[report.model]}; the
          others are shown for comparison.
        </p>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">
              Your credited revenue under each attribution model, {report.periodLabel}
            </caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Credited revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {MODELS.map((m) => {
                const isProgram = m === report.model;
                return (
                  <tr key={m} style={isProgram ? { background: "var(--brand-soft)", fontWeight: 600 } : undefined}>
                    <th
                      scope="row"
                      style={{
                        textTransform: "none",
                        letterSpacing: 0,
                        color: "var(--text)",
                        fontSize: "0.925rem",
                        fontWeight: isProgram ? 700 : 400,
                      }}
                    >
                      {MODEL_LABEL[m]} {isProgram ? <span className="badge">Program model</span> : null}
                      <span className="muted small" style={{ display: "block", fontWeight: 400 }}>
                        {MODEL_DESCRIPTION[m]}
                      </span>
                    </th>
                    <td className="num">{money(report.totals[m])}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <h3 id="models-why" style={{ fontSize: "1rem", marginTop: "1rem" }}>
          Why the totals differ from {MODEL_LABEL[report.model]}
        </h3>
        <ModelComparisons report={report} />
      </section>

      <section className="card" aria-labelledby="deals-heading">
        <h2 id="deals-heading">
          {showZero ? "Won deals you registered or touched" : "Won deals that credit you"} · {report.periodLabel}{" "}
          <span className="muted small" style={{ fontWeight: 400 }}>
            {listing && listing.total ? `${listing.total} ${listing.total === 1 ? "deal" : "deals"}` : ""}
          </span>
        </h2>
        <ZeroSwitch report={report} periodParams={periodParams} showZero={showZero} />
        {listing && listing.total ? (
          <>
            {listing.deals.length ? (
              <DealTable report={report} listing={listing} />
            ) : (
              <p className="muted">
                No deals past this point of the table. <Link to={tableHref(periodParams, showZero)}>First page</Link>
              </p>
            )}
            <Pager listing={listing} periodParams={periodParams} />
          </>
        ) : report.dealCount ? (
          <p className="muted">
            None of the won deals you registered or touched in this period gives you credit under the{" "}
            {MODEL_LABEL[report.model]} model.
          </p>
        ) : (
          <p className="muted">
            Nothing you registered or worked on was won in this period ({range}). Credit comes from won deals:{" "}
            <Link to="/deals">see your deals</Link> or <Link to="/deals/new">register a new one</Link>.
          </p>
        )}
      </section>
    </>
  );
}

function MonthlyChart({ report }: { report: ReportSummary }) {
  const months = report.monthly;
  const money = (cents: number) => formatMoney(cents, report.currency);
  const total = months.reduce((s, m) => s + m.cents, 0);
  const best = months.reduce<MonthCredit | null>((b, m) => (m.cents > (b?.cents ?? 0) ? m : b), null);
  const first = months[0];
  const last = months[months.length - 1];
  const contextNote =
    report.period.kind === "ttm"
      ? ""
      : ` The ${report.periodLabel} ${
          report.period.kind === "month" ? "month is" : "months are"
        } highlighted; the others give context.`;
  const summary =
    `Bar chart of your credited revenue per month under the ${MODEL_LABEL[report.model]} model, ` +
    `${first?.label ?? ""} to ${last?.label ?? ""}: ${money(total)} in all` +
    (best ? `, highest in ${best.label} with ${money(best.cents)}.` : ", nothing credited in any month.") +
    contextNote;
  const partial = months.filter((m) => m.partial);
  return (
    <>
      <MonthlyCreditBars months={months} currency={report.currency} summary={summary} />
      {partial.length ? (
        <p className="muted small" style={{ marginTop: "0.5rem" }}>
          {partial.map((m) => m.label).join(" and ")} {partial.length === 1 ? "is" : "are"} only partly inside the
          window ({formatDate(report.chartWindow.from)} – {formatDate(new Date(report.chartWindow.to).getTime() - 1)}).
        </p>
      ) : null}
      <table className="visually-hidden">
        <caption>Credited revenue per month under the {MODEL_LABEL[report.model]} model</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Credited revenue</th>
            {report.period.kind === "ttm" ? null : <th scope="col">In {report.periodLabel}</th>}
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.month}>
              <th scope="row">
                {m.label}
                {m.partial ? " (part of the month)" : ""}
              </th>
              <td>{money(m.cents)}</td>
              {report.period.kind === "ttm" ? null : <td>{m.inPeriod ? "Yes" : "No"}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ModelComparisons({ report }: { report: ReportSummary }) {
  if (report.dealCount === 0) {
    return <p className="muted small">No won deal of yours in this period, so every model credits you the same: nothing.</p>;
  }
  return (
    <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
      {report.comparisons.map((c) => (
        <li key={c.model} style={{ marginBottom: "0.35rem" }}>
          {c.sentence}
        </li>
      ))}
    </ul>
  );
}

/** The $0 switch: a plain link, so it works without JavaScript and from the keyboard. */
function ZeroSwitch({ report, periodParams, showZero }: { report: ReportSummary; periodParams: string; showZero: boolean }) {
  if (report.zeroCreditDeals === 0) return null;
  const n = report.zeroCreditDeals;
  return (
    <p className="small">
      {showZero ? (
        <>
          Listing every won deal you registered or touched, {n} of them with no credit under the{" "}
          {MODEL_LABEL[report.model]} model (each says why).{" "}
          <Link to={tableHref(periodParams, false)}>Hide the deals that give you no credit</Link>
        </>
      ) : (
        <>
          {n} more won {n === 1 ? "deal" : "deals"} you registered or touched {n === 1 ? "gives" : "give"} you nothing
          under the {MODEL_LABEL[report.model]} model.{" "}
          <Link to={tableHref(periodParams, true)}>
            Show the {n === 1 ? "deal that gives" : `${n} deals that give`} you no credit
          </Link>
        </>
      )}
    </p>
  );
}

function Pager({ listing, periodParams }: { listing: DealPage; periodParams: string }) {
  if (!listing.prev && !listing.next) return null;
  return (
    <nav aria-label="Pages of the deal table" className="row" style={{ marginTop: "0.75rem", justifyContent: "space-between" }}>
      {listing.prev ? (
        <Link to={tableHref(periodParams, listing.showZero, { before: listing.prev })} rel="prev">
          ← Newer deals
        </Link>
      ) : (
        <span className="muted" aria-disabled="true">
          ← Newer deals
        </span>
      )}
      {listing.next ? (
        <Link to={tableHref(periodParams, listing.showZero, { after: listing.next })} rel="next">
          Older deals →
        </Link>
      ) : (
        <span className="muted" aria-disabled="true">
          Older deals →
        </span>
      )}
    </nav>
  );
}

function otherTouchesText(n: number) {
  return n === 1 ? "+ 1 touch by another partner" : `+ ${n} touches by other partners`;
}

function DealTable({ report, listing }: { report: ReportSummary; listing: DealPage }) {
  const money = (cents: number) => formatMoney(cents, report.currency);
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">
          {listing.showZero ? "Won deals you registered or touched" : "Won deals that credit you"} in{" "}
          {report.periodLabel}, most recent close first, {listing.deals.length} of {listing.total}
        </caption>
        <thead>
          <tr>
            <th scope="col">Deal</th>
            <th scope="col">Closed</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col" className="num">
              Your credit ({MODEL_LABEL[report.model]})
            </th>
          </tr>
        </thead>
        <tbody>
          {listing.deals.map((d) => (
            <tr key={d.dealId}>
              <td>
                {d.source === "sourced" ? <Link to={`/deals/${d.dealId}`}>{d.title}</Link> : d.title}{" "}
                <span className={`badge ${d.source === "sourced" ? "ok" : "neutral"}`}>{humanize(d.source)}</span>
                {d.zeroReason ? (
                  <p className="muted small" style={{ margin: "0.25rem 0 0" }}>
                    No credit under {MODEL_LABEL[report.model]}: {d.zeroReason}
                  </p>
                ) : null}
                <details style={{ marginTop: "0.35rem" }}>
                  <summary className="small">
                    Credit by model and touches<span className="visually-hidden"> for {d.title}</span>
                  </summary>
                  <div className="grid-2" style={{ marginTop: "0.5rem", gap: "0.75rem" }}>
                    <table>
                      <caption className="visually-hidden">Your credit on {d.title} under each model</caption>
                      <tbody>
                        {MODELS.map((m: AttributionModel) => (
                          <tr key={m} style={m === report.model ? { fontWeight: 600 } : undefined}>
                            <td>
                              {MODEL_LABEL[m]}
                              {m === report.model ? " (program)" : ""}
                            </td>
                            <td className="num">{money(d.credit[m])}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <div className="small">
                      <h3 style={{ fontSize: "0.9rem" }}>Your touches</h3>
                      {d.ownTouches.length ? (
                        <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
                          {d.ownTouches.map((t) => (
                            <li key={t.touchId}>
                              <time dateTime={t.date}>{formatDate(t.date)}</time> — {humanize(t.kind)} ·{" "}
                              {humanize(t.pillar)} · {humanize(t.journeyStage)}
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <p className="muted" style={{ margin: 0 }}>
                          No touches logged by you: credited as the registering partner.
                        </p>
                      )}
                      {d.otherPartnerTouches > 0 ? (
                        <p className="muted" style={{ margin: "0.35rem 0 0" }}>
                          {otherTouchesText(d.otherPartnerTouches)}
                        </p>
                      ) : null}
                    </div>
                  </div>
                </details>
              </td>
              <td>
                <time dateTime={d.closedOn}>{formatDate(d.closedOn)}</time>
              </td>
              <td className="num">{formatMoney(d.amountCents, d.currency)}</td>
              <td className="num">{money(d.credit[report.model])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
