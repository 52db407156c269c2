// Program metrics for the partner team: partner-involved vs direct deals side by side over the
// 12 months to the last month-end, with every figure's sample size, the revenue split and the
// same figures by partner kind and by pillar.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { BarChart, SplitBar } from "../components/analytics-charts";
import { humanize } from "../components/forms";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { LOW_SAMPLE, type SampledFigure, type SegmentMetrics } from "../domain/program-metrics";
import { programMetrics } from "../domain/program-metrics.server";
import { CostAndReturn } from "../components/cost-and-return";
import { costMetrics } from "../domain/cost-metrics.server";

export const meta: MetaFunction = () => [{ title: "Program metrics · Partner team" }];

/** The first day of next month: "as of" it, the window ends with this month to date. */
function nextMonthStart(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

/** ?asOf=YYYY-MM-DD (at most the first day of next month), else now: a bad value is a 400 that says what to send. */
function metricsAsOf(raw: string | null): Date {
  if (raw === null || raw === "") return new Date();
  const date = new Date(`${raw}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(date.getTime()) || !date.toISOString().startsWith(raw) || raw > nextMonthStart()) {
    throw new Response(`asOf must be a day written YYYY-MM-DD, no later than ${nextMonthStart()}.`, { status: 400 });
  }
  return date;
}

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const asOf = metricsAsOf(new URL(args.request.url).searchParams.get("asOf"));
  return { ...programMetrics(args.context.db, asOf), cost: costMetrics(args.context.db, asOf), monthToDateAsOf: nextMonthStart() };
}

const money = (cents: number) => formatMoney(Math.round(cents), "USD", { compact: true });
type Metric = { label: string; pick: (m: SegmentMetrics) => SampledFigure; show: (v: number) => string; unit: string };
const METRICS: Metric[] = [
  { label: "Win rate", pick: (m) => m.winRate, show: (v) => formatPercent(v), unit: "closed deals" },
  { label: "ACV (mean won amount)", pick: (m) => m.acvCents, show: money, unit: "won deals" },
  { label: "Median sales cycle", pick: (m) => m.medianCycleDays, show: (v) => `${v} days`, unit: "won deals" },
  { label: "Net revenue retention", pick: (m) => m.nrr, show: (v) => formatPercent(v), unit: "customers" },
  { label: "Logo churn", pick: (m) => m.logoChurn, show: (v) => formatPercent(v), unit: "customers" },
];

function Figure({ f, show, unit }: { f: SampledFigure; show: (v: number) => string; unit: string }) {
  return (
    <>
      <strong>{f.value === null ? "—" : show(f.value)}</strong>{" "}
      <span className="small muted">
        n = {f.n.toLocaleString("en-US")} {unit}
      </span>{" "}
      {f.lowSample ? (
        <span className="badge warn" title={`Fewer than ${LOW_SAMPLE}: read with care`}>
          Low sample
        </span>
      ) : null}
    </>
  );
}

function BreakdownTable({ caption, rows }: { caption: string; rows: { label: string; m: SegmentMetrics }[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{caption.split(" by ")[1] ?? ""}</th>
            <th scope="col" className="num">
              Revenue
            </th>
            {METRICS.map((x) => (
              <th scope="col" key={x.label}>
                {x.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ label, m }) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">{money(m.revenueCents)}</td>
              {METRICS.map((x) => (
                <td key={x.label}>
                  <Figure f={x.pick(m)} show={x.show} unit={x.unit} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ProgramMetricsPage() {
  const m = useLoaderData<typeof loader>();
  const split = m.revenueSplit;
  const colors = { sourced: "var(--brand)", influenced: "#7c8cf0", direct: "#b8bfd6" } as const;
  const byKind = m.byKind.map((k) => ({ label: humanize(k.kind), m: k }));
  const byPillar = m.byPillar.map((p) => ({ label: humanize(p.pillar), m: p }));
  const bars = (rows: { label: string; m: SegmentMetrics }[], pick: Metric) =>
    rows.map(({ label, m: s }) => {
      const f = pick.pick(s);
      return { label, value: f.value, display: f.value === null ? "—" : pick.show(f.value), lowSample: f.lowSample };
    });
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Program metrics</h1>
          <p className="muted">
            Deals closed {formatDate(m.period.from)} – {formatDate(m.period.lastDay)}; retention compares {m.retentionMonths.then} with{" "}
            {m.retentionMonths.now}. A deal is partner-involved when a partner registered or touched it. Figures over fewer than{" "}
            {LOW_SAMPLE} deals or customers are marked low sample.
          </p>
        </div>
        <div className="row">
          <Link to={`?asOf=${m.monthToDateAsOf}`} className="button secondary">
            Include this month to date
          </Link>
          <Link to="/internal/ecosystem" className="button secondary">
            Ecosystem health
          </Link>
        </div>
      </div>

      <section className="card" aria-labelledby="side-heading">
        <h2 id="side-heading">Partner-involved vs direct</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Partner-involved</th>
                <th scope="col">Direct</th>
              </tr>
            </thead>
            <tbody>
              {METRICS.map((x) => (
                <tr key={x.label}>
                  <th scope="row">{x.label}</th>
                  <td data-segment="involved">
                    <Figure f={x.pick(m.involved)} show={x.show} unit={x.unit} />
                  </td>
                  <td data-segment="direct">
                    <Figure f={x.pick(m.direct)} show={x.show} unit={x.unit} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="small muted">
          NRR and logo churn follow the customers that had recurring revenue in {m.retentionMonths.then}, grouped by how their first won
          deal came in.
        </p>
      </section>

      <section className="card" aria-labelledby="revenue-heading">
        <h2 id="revenue-heading">Revenue split</h2>
        {split.totalCents === 0 ? (
          <p className="muted">No won deals in these 12 months.</p>
        ) : (
          <SplitBar
            label="Won revenue by source"
            parts={split.parts.map((p) => ({
              label: humanize(p.source),
              share: p.share ?? 0,
              color: colors[p.source],
              detail: (
                <>
                  {money(p.cents)} ({formatPercent(p.share ?? 0)}) · n = {p.wonDeals.n.toLocaleString("en-US")} won deals
                  {p.wonDeals.lowSample ? (
                    <>
                      {" "}
                      <span className="badge warn">Low sample</span>
                    </>
                  ) : null}
                </>
              ),
            }))}
          />
        )}
      </section>

      <section className="card stack" aria-labelledby="kind-heading">
        <h2 id="kind-heading">By partner kind</h2>
        <p className="small muted">A deal counts for the kind of every partner that registered or touched it.</p>
        <div className="grid-2">
          <BarChart id="kind-win" label="Win rate by partner kind" rows={bars(byKind, METRICS[0]!)} max={1} />
          <BarChart id="kind-acv" label="ACV by partner kind" rows={bars(byKind, METRICS[1]!)} />
        </div>
        <BreakdownTable caption="Program metrics by partner kind" rows={byKind} />
      </section>

      <section className="card stack" aria-labelledby="pillar-heading">
        <h2 id="pillar-heading">By pillar</h2>
        <p className="small muted">A deal counts for the pillar of every partner touch on it (a registration is a sell touch).</p>
        <div className="grid-2">
          <BarChart id="pillar-win" label="Win rate by pillar" rows={bars(byPillar, METRICS[0]!)} max={1} />
          <BarChart id="pillar-cycle" label="Median sales cycle by pillar" rows={bars(byPillar, METRICS[2]!)} />
        </div>
        <BreakdownTable caption="Program metrics by pillar" rows={byPillar} />
      </section>

      <CostAndReturn cost={m.cost} />
    </div>
  );
}
