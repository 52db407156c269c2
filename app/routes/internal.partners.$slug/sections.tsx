// The partner page's read-only sections: revenue (figures and monthly chart), deals by stage,
// tier history, report deliveries and the long-tail flag. Render only; the loader shapes data.
import { Link } from "@remix-run/react";
import { FigureDefinitions } from "../../components/figures";
import { humanize } from "../../components/forms";
import { figureLabel } from "../../domain/figures";
import { formatWinRate } from "../../domain/tier-snapshot";
import { formatDate, formatMoney, formatPercent } from "../../domain/format";
import { shortPeriodLabel } from "../../domain/periods";
import { MonthlyCreditBars } from "../../components/monthly-credit-bars";
import type { deliveriesSection, longTailSection, revenueSection, stageDeals, tierHistorySection } from "./queries.server";

type Revenue = ReturnType<typeof revenueSection>;

const TTM = { kind: "ttm" } as const;
const TODAY = { kind: "now" } as const;

function windowText(r: Revenue) {
  return `${formatDate(r.window.from)} – ${formatDate(new Date(new Date(r.window.to).getTime() - 1))}`;
}

export function RevenueSection({ revenue: r }: { revenue: Revenue }) {
  const money = (cents: number) => formatMoney(cents, r.currency);
  const share = (cents: number) => (r.creditedCents > 0 ? formatPercent(cents / r.creditedCents, 0) : "—");
  return (
    <section className="card stack" aria-labelledby="revenue-heading">
      <div>
        <h2 id="revenue-heading">Credited revenue · {r.periodLabel}</h2>
        <p className="muted small">
          Under the program's {r.modelLabel} model, {windowText(r)} — the same figure the partner sees on its
          Attribution page for the trailing 12 months. {r.modelDescription}
        </p>
      </div>
      <dl className="grid" aria-label={`Credited revenue, ${r.periodLabel}`} data-section="revenue">
        <div className="kpi">
          <dt className="label">{figureLabel("creditedRevenue", TTM)}</dt>
          <dd style={{ margin: 0 }} className="value" data-figure="credited">
            {money(r.creditedCents)}
          </dd>
          <dd style={{ margin: 0 }} className="muted small">
            {r.creditedDeals} {r.creditedDeals === 1 ? "deal" : "deals"} won, credited
          </dd>
        </div>
        <div className="kpi">
          <dt className="label">Sourced</dt>
          <dd style={{ margin: 0 }} className="value" data-figure="sourced">
            {money(r.sourcedCents)}
          </dd>
          <dd style={{ margin: 0 }} className="muted small">{share(r.sourcedCents)} · deals it registered</dd>
        </div>
        <div className="kpi">
          <dt className="label">Influenced</dt>
          <dd style={{ margin: 0 }} className="value" data-figure="influenced">
            {money(r.influencedCents)}
          </dd>
          <dd style={{ margin: 0 }} className="muted small">{share(r.influencedCents)} · deals it helped on without registering</dd>
        </div>
      </dl>
      <dl className="grid" aria-label="Win rate and open registrations" data-section="activity">
        <div className="kpi">
          <dt className="label">{figureLabel("winRate", TTM)}</dt>
          <dd style={{ margin: 0 }} className="value" data-figure="win-rate">
            {formatWinRate(r.winRate)}
          </dd>
          <dd style={{ margin: 0 }} className="muted small">
            {r.closedRegistrations === 0
              ? "none of its registrations closed"
              : `${r.wonRegistrations} of ${r.closedRegistrations} closed registrations`}
          </dd>
        </div>
        <div className="kpi">
          <dt className="label">{figureLabel("openRegistrations", TODAY)}</dt>
          <dd style={{ margin: 0 }} className="value" data-figure="open-registrations">
            {r.openRegistrations}
          </dd>
          <dd style={{ margin: 0 }} className="muted small">
            {money(r.openPipelineCents)} open pipeline
          </dd>
        </div>
      </dl>
      <FigureDefinitions
        keys={["creditedRevenue", "dealsWon", "winRate", "openRegistrations", "openPipeline"]}
        context={{ model: r.model, currency: r.currency, reader: "staff" }}
      />
      <h3>By month</h3>
      <MonthlyChart revenue={r} />
      {r.comparisons.length ? (
        <>
          <h3>Under the other models</h3>
          <p className="muted small" style={{ margin: 0 }}>
            The same 12 months credited by each other model (the partner's Attribution page explains the differences):
          </p>
          <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }} data-section="other-models">
            {r.comparisons.map((c) => (
              <li key={c.model}>
                {c.label}: {money(c.cents)} ({c.deals} {c.deals === 1 ? "deal" : "deals"}){" · "}
                {c.cents === r.creditedCents
                  ? `the same as ${r.modelLabel}`
                  : `${money(Math.abs(c.cents - r.creditedCents))} ${c.cents > r.creditedCents ? "more" : "less"} than ${r.modelLabel}`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function MonthlyChart({ revenue: r }: { revenue: Revenue }) {
  const months = r.monthly;
  const money = (cents: number) => formatMoney(cents, r.currency);
  const best = months.reduce<(typeof months)[number] | null>((b, m) => (m.cents > (b?.cents ?? 0) ? m : b), null);
  const summary =
    `Bar chart of credited revenue per month under the ${r.modelLabel} model, ` +
    `${months[0]?.label ?? ""} to ${months[months.length - 1]?.label ?? ""}: ${money(r.creditedCents)} in all` +
    (best ? `, highest in ${best.label} with ${money(best.cents)}.` : ", nothing credited in any month.");
  return (
    <>
      <MonthlyCreditBars months={months} currency={r.currency} summary={summary} height={200} />
      {months.some((m) => m.partial) ? (
        <p className="muted small">Paler bars are months only partly inside the 12 months.</p>
      ) : null}
      <details>
        <summary className="small">The figures by month</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Credited revenue by month, {r.periodLabel}</caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col" className="num">
                  Credited revenue
                </th>
              </tr>
            </thead>
            <tbody>
              {months.map((m) => (
                <tr key={m.month}>
                  <td>
                    {m.label}
                    {m.partial ? <span className="muted small"> (part of the month)</span> : null}
                  </td>
                  <td className="num">{money(m.cents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

type Stage = { stage: string; deals: number; amountCents: number };
type StageList = ReturnType<typeof stageDeals>;

export function StagesSection({ stages, selected, currency }: { stages: Stage[]; selected: StageList; currency: string }) {
  const max = Math.max(1, ...stages.map((s) => s.deals));
  return (
    <section className="card" aria-labelledby="deals-heading" id="deals">
      <h2 id="deals-heading">Deals by stage</h2>
      <p className="muted small">All time, every deal the partner registered. Choose a stage to list its deals.</p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">The partner's registered deals by stage, all time</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col" className="num">
                Deals
              </th>
              <th scope="col" className="num">
                Amount (as registered)
              </th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s) => (
              <tr key={s.stage} data-stage={s.stage} aria-current={selected.stage === s.stage ? "true" : undefined}>
                <td>
                  {s.deals > 0 ? (
                    <Link to={`?stage=${s.stage}#deals`} preventScrollReset>
                      {humanize(s.stage)}
                    </Link>
                  ) : (
                    humanize(s.stage)
                  )}
                </td>
                <td className="num" style={{ whiteSpace: "nowrap" }}>
                  <span aria-hidden="true" style={{ display: "inline-block", height: "10px", background: "var(--brand)", borderRadius: "3px", width: `${(s.deals / max) * 3}rem`, marginRight: "0.5rem", verticalAlign: "middle" }} />
                  {s.deals}
                </td>
                <td className="num">{formatMoney(s.amountCents, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected.error ? (
        <p className="form-error" role="alert">
          {selected.error}
        </p>
      ) : null}
      {selected.stage ? (
        <>
          <h3 style={{ marginTop: "1rem" }}>
            {humanize(selected.stage)} deals{" "}
            <span className="muted small" style={{ fontWeight: 400 }}>
              {selected.total > selected.rows.length ? `latest ${selected.rows.length} of ${selected.total}` : `${selected.total}`}
            </span>
          </h3>
          <ul className="stack" style={{ gap: "0.25rem", paddingLeft: "1.1rem" }}>
            {selected.rows.map((d) => (
              <li key={d.id}>
                <Link to={`/internal/registrations/${d.id}`}>{d.title}</Link>{" "}
                <span className="muted small">
                  {formatMoney(d.amountCents, d.currency)} · registered {formatDate(d.submittedOn)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function TierHistorySection({ history }: { history: ReturnType<typeof tierHistorySection> }) {
  return (
    <section className="card" aria-labelledby="tier-history-heading">
      <h2 id="tier-history-heading">Tier history</h2>
      {history.length === 0 ? (
        <p className="muted">No tier decisions yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Decided tier reviews, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Decision</th>
                <th scope="col">Tier after</th>
                <th scope="col">Figures then</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id} data-tier-review={h.id}>
                  <td>{shortPeriodLabel(h.period)}</td>
                  <td>
                    {humanize(h.direction)} {h.fromTier} → {h.toTier}: {h.status}
                    {h.decidedOn ? <span className="muted small"> · {formatDate(h.decidedOn)}</span> : null}
                    {h.note ? <div className="muted small">{h.note}</div> : null}
                  </td>
                  <td>{h.resultTier}</td>
                  <td className="small">
                    {h.figures.map((f) => (
                      <div key={f}>{f}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const DELIVERY_BADGE: Record<string, string> = { sent: "ok", failed: "danger", skipped: "neutral", queued: "", sending: "" };

export function DeliveriesSection({ deliveries }: { deliveries: ReturnType<typeof deliveriesSection> }) {
  return (
    <section className="card" aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Monthly report deliveries</h2>
      <p className="muted small">
        The latest months. Read-only: admins retry a failed delivery on <Link to="/internal/reports">Reports</Link>.
      </p>
      {deliveries.length === 0 ? (
        <p className="muted">No monthly report has been queued for this partner yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Monthly report deliveries, newest period first</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col">Sent</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-delivery={d.period}>
                  <td>{shortPeriodLabel(d.period)}</td>
                  <td>
                    <span className={`badge ${DELIVERY_BADGE[d.status] ?? ""}`}>{humanize(d.status)}</span>
                    {d.attempts > 1 ? <span className="muted small"> · {d.attempts} attempts</span> : null}
                  </td>
                  <td>{d.sentOn ? formatDate(d.sentOn) : "—"}</td>
                  <td className="small">{d.error ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function LongTailSection({ longTail }: { longTail: ReturnType<typeof longTailSection> }) {
  return (
    <section className="card" aria-labelledby="long-tail-heading">
      <h2 id="long-tail-heading">Long-tail flag</h2>
      {longTail.place === "unranked" ? (
        <p className="muted">Not ranked: only active partners are on Ecosystem health.</p>
      ) : longTail.place === "head" ? (
        <p>
          In the head (rank {longTail.rank}): among the partners that bring 80% of credited revenue, so no long-tail flag.
        </p>
      ) : longTail.flags.length === 0 ? (
        <p>In the long tail (rank {longTail.rank}), not flagged.</p>
      ) : (
        <>
          <p>In the long tail (rank {longTail.rank}), flagged:</p>
          <ul>
            {longTail.flags.map((f) => (
              <li key={f.flag} data-flag={f.flag}>
                <span className="badge warn">{f.label}</span> <span className="small">{f.evidence}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="small">
        <Link to="/internal/ecosystem">See the long tail on Ecosystem health</Link>
      </p>
    </section>
  );
}
