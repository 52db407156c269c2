// The partner's tier: what it gives, what the next one needs and how far the trailing-12-month
// figures are from it, a warning while a downgrade looms, and why the tier changed before.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { notFound, requirePartnerUser } from "../auth/guards.server";
import { FigureDefinitions } from "../components/figures";
import { MODEL_DESCRIPTION, MODEL_LABEL } from "../domain/attribution";
import { figureLabel } from "../domain/figures";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { getPartnerTierProgress, pendingTierReview, type ThresholdProgress } from "../domain/partners.server";
import { latestEvaluation, partnerTierHistory } from "../domain/tier-history.server";
import { formatWinRate, snapshotFigures } from "../domain/tier-snapshot";
import { addMonths, periodEnd, periodLabel, periodOf } from "../domain/periods";

const TTM = { kind: "ttm" } as const;

export const meta: MetaFunction = () => [{ title: "Tier · Partner Portal" }];

/** When the evaluation after `period`'s runs: the first instant after the following month, or after this month if that is past. */
function nextEvaluationAt(period: string, now: Date): Date {
  const next = periodEnd(addMonths(period, 1));
  return next.getTime() > now.getTime() ? next : periodEnd(periodOf(now));
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const db = args.context.db;
  const now = new Date();
  const progress = getPartnerTierProgress(db, user.partnerId, now);
  if (!progress) notFound();
  const latest = latestEvaluation(db, user.partnerId);
  const pending = pendingTierReview(db, user.partnerId);

  let warning:
    | {
        kind: "warned";
        tier: string;
        nextEvaluationOn: string;
        nextPeriod: string;
        evaluatedPeriod: string;
        /** Today's figures meet the tier again: the next evaluation would not propose the downgrade. */
        recovered: boolean;
      }
    | { kind: "proposed"; fromTier: string; toTier: string; period: string }
    | null = null;
  if (pending?.direction === "downgrade") {
    warning = {
      kind: "proposed",
      fromTier: pending.fromTier,
      toTier: pending.toTier,
      period: periodLabel(pending.period),
    };
  } else if (latest?.outcome === "warn_downgrade" && latest.currentTierId === progress.current.id) {
    const at = nextEvaluationAt(latest.period, now);
    warning = {
      kind: "warned",
      tier: progress.current.name,
      nextEvaluationOn: at.toISOString(),
      nextPeriod: periodLabel(addMonths(periodOf(at), -1)),
      evaluatedPeriod: periodLabel(latest.period),
      recovered: progress.currentQualifies,
    };
  }

  const history = partnerTierHistory(db, user.partnerId).map((h) => ({
    id: h.id,
    period: periodLabel(h.period),
    status: h.status,
    direction: h.direction,
    fromTier: h.fromTier,
    toTier: h.toTier,
    resultTier: h.resultTier,
    note: h.note,
    decidedAt: h.decidedAt ? h.decidedAt.toISOString() : null,
    figures: snapshotFigures(h.metrics, progress.currency),
  }));

  return {
    partnerName: user.partnerName,
    progress,
    warning,
    pendingUpgrade:
      pending?.direction === "upgrade" ? { toTier: pending.toTier, period: periodLabel(pending.period) } : null,
    lastEvaluated: latest ? periodLabel(latest.period) : null,
    winRate: formatWinRate(progress.metrics.winRateBp),
    history,
  };
}

const STATUS: Record<"approved" | "rejected" | "overridden", { label: string; badge: string }> = {
  approved: { label: "Approved", badge: "ok" },
  rejected: { label: "Not approved", badge: "neutral" },
  overridden: { label: "Set by the partner team", badge: "" },
};

function ThresholdBar({ t, idPrefix }: { t: ThresholdProgress; idPrefix: string }) {
  const labelId = `${idPrefix}-${t.key}`;
  const remainingId = `${labelId}-remaining`;
  return (
    <div>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong id={labelId}>{t.label}</strong>
        <span className="num">
          {t.haveText} of {t.needText}
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby={labelId}
        aria-describedby={remainingId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(t.fraction * 100)}
        aria-valuetext={`${formatPercent(t.fraction, 0)}: ${t.haveText} of ${t.needText}`}
        style={{ margin: "0.35rem 0" }}
      >
        <span style={{ width: `${t.fraction * 100}%`, background: t.met ? "var(--ok)" : undefined }} />
      </div>
      <span className={`small ${t.met ? "" : "muted"}`} id={remainingId}>
        {t.met ? <span className="badge ok">Met</span> : `${t.remainingText} needed`}
      </span>
    </div>
  );
}

export default function TierPage() {
  const { partnerName, progress, warning, pendingUpgrade, lastEvaluated, winRate, history } =
    useLoaderData<typeof loader>();
  const { current, next, metrics, model, currency } = progress;
  const windowTo = new Date(new Date(progress.window.to).getTime() - 1);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Your tier</h1>
          <p className="muted">
            {partnerName} is a <strong>{current.name}</strong> partner
            {lastEvaluated ? `; last evaluated on the ${lastEvaluated} figures` : ""}.
          </p>
        </div>
        <span className="badge">{current.name}</span>
      </div>

      {warning?.kind === "warned" && warning.recovered ? (
        <div className="info" role="status">
          At the {warning.evaluatedPeriod} evaluation your figures were below {warning.tier}'s thresholds.{" "}
          <strong>They meet them again today</strong>: if they still do at the next evaluation on{" "}
          <time dateTime={warning.nextEvaluationOn}>{formatDate(warning.nextEvaluationOn)}</time>, no downgrade will be
          proposed.
        </div>
      ) : warning?.kind === "warned" ? (
        <div
          className="form-error"
          role="status"
          style={{ background: "var(--warn-soft)", borderColor: "#f0d089", color: "var(--warn)" }}
        >
          <strong>Your figures are below {warning.tier}'s thresholds</strong>; if they are still below at the next
          evaluation on <time dateTime={warning.nextEvaluationOn}>{formatDate(warning.nextEvaluationOn)}</time> (
          {warning.nextPeriod} figures), a downgrade will be proposed. Nothing has changed yet: deals you win before
          then count.
        </div>
      ) : warning?.kind === "proposed" ? (
        <div
          className="form-error"
          role="status"
          style={{ background: "var(--warn-soft)", borderColor: "#f0d089", color: "var(--warn)" }}
        >
          <strong>Your figures are below {warning.fromTier}'s thresholds</strong>, and were below at two evaluations in
          a row: a move to {warning.toTier} was proposed at the {warning.period} evaluation and is waiting for the
          partner team's decision. Talk to your partner manager if you expect deals to close soon.
        </div>
      ) : null}
      {pendingUpgrade ? (
        <div className="info" role="status">
          Good news: your {pendingUpgrade.period} figures qualify for <strong>{pendingUpgrade.toTier}</strong>. The
          upgrade is waiting for the partner team's approval.
        </div>
      ) : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="current-tier">
          <h2 id="current-tier">{current.name} benefits</h2>
          <p>{current.benefits || "No benefits are listed for this tier yet."}</p>
          {warning ? (
            <>
              <h3>What {current.name} needs</h3>
              <p className="muted small">
                {current.thresholdRule === "any" ? "Any one of these keeps the tier." : "All of these keep the tier."}
              </p>
              <div className="stack" style={{ gap: "0.75rem" }}>
                {progress.currentThresholds.map((t) => (
                  <ThresholdBar key={t.key} t={t} idPrefix="keep" />
                ))}
              </div>
            </>
          ) : null}
        </section>

        <section className="card" aria-labelledby="figures">
          <h2 id="figures">Your trailing 12 months</h2>
          <p className="muted small">
            {formatDate(progress.window.from)} – {formatDate(windowTo)}, credited under the program's{" "}
            <strong>{MODEL_LABEL[model]}</strong> model. {MODEL_DESCRIPTION[model]}
          </p>
          <dl className="facts">
            <dt>{figureLabel("creditedRevenue", TTM)}</dt>
            <dd data-figure="creditedRevenue">{formatMoney(metrics.revenueCents, currency)}</dd>
            <dt>{figureLabel("dealsWon", TTM)}</dt>
            <dd data-figure="dealsWon">{metrics.wonDeals}</dd>
            <dt>{figureLabel("winRate", TTM)}</dt>
            <dd>
              {winRate}{" "}
              <span className="muted small">
                of {metrics.closedDeals} closed {metrics.closedDeals === 1 ? "registration" : "registrations"}
              </span>
            </dd>
          </dl>
          <FigureDefinitions keys={["creditedRevenue", "dealsWon", "winRate"]} context={{ model, currency }} />
          <p className="small" style={{ marginTop: "0.75rem", marginBottom: 0 }}>
            <Link to="/attribution">See the deals behind these figures</Link>
          </p>
        </section>
      </div>

      <section className="card" aria-labelledby="next-tier">
        {next ? (
          <>
            <h2 id="next-tier">Progress to {next.name}</h2>
            <p>
              {next.name} needs <strong>{next.thresholdRule === "any" ? "any one" : "all"}</strong> of these over the
              trailing 12 months
              {next.thresholdRule === "any" ? " (meeting one is enough)" : " (every one must be met)"}.
            </p>
            <div className="stack" style={{ gap: "1rem" }}>
              {progress.nextThresholds.map((t) => (
                <ThresholdBar key={t.key} t={t} idPrefix="next" />
              ))}
            </div>
            {progress.nextQualifies ? (
              <p className="notice" style={{ marginTop: "1rem", marginBottom: 0 }}>
                Your figures meet {next.name}'s thresholds: the next month-end evaluation proposes the upgrade to the
                partner team.
              </p>
            ) : null}
            <h3 style={{ marginTop: "1rem" }}>{next.name} benefits</h3>
            <p className="muted" style={{ marginBottom: 0 }}>
              {next.benefits || "No benefits are listed for this tier yet."}
            </p>
          </>
        ) : (
          <>
            <h2 id="next-tier">Top tier</h2>
            <p style={{ marginBottom: 0 }}>
              {current.name} is the program's top tier: there is no higher tier to reach. Keep its thresholds to stay
              here.
            </p>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="history">
        <h2 id="history">Tier history</h2>
        {history.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Decisions on your tier, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Decided</th>
                  <th scope="col">Change</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Figures at the evaluation</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.id}>
                    <td>
                      {h.decidedAt ? <time dateTime={h.decidedAt}>{formatDate(h.decidedAt)}</time> : "—"}
                      <br />
                      <span className="muted small">{h.period} evaluation</span>
                    </td>
                    <td>
                      {h.status === "rejected" ? (
                        <>
                          {h.direction === "upgrade" ? "Upgrade" : "Downgrade"} to {h.toTier} proposed; stayed{" "}
                          {h.resultTier}
                        </>
                      ) : (
                        <>
                          {h.fromTier} → {h.resultTier}
                        </>
                      )}
                    </td>
                    <td>
                      <span className={`badge ${STATUS[h.status].badge}`}>{STATUS[h.status].label}</span>
                    </td>
                    <td>{h.note || <span className="muted">No note</span>}</td>
                    <td>
                      <ul className="small" style={{ margin: 0, paddingLeft: "1.1rem" }}>
                        {h.figures.map((f) => (
                          <li key={f}>{f}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted" style={{ marginBottom: 0 }}>
            Your tier has not changed yet. Each month-end evaluation compares your trailing-12-month figures with the
            ladder; changes are reviewed by the partner team and listed here with the figures behind them.
          </p>
        )}
      </section>
    </div>
  );
}
