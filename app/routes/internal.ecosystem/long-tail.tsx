// The long-tail half of the ecosystem page: the flag rules, the filters (kept in the URL, so
// the CSV export takes the same ones), the flagged-first list with its paging, and on every row a
// link that opens a growth-play form there (?play=<partner id>, a plain link: works without
// JavaScript; one form rendered at a time — see growth-play-form.tsx).
import type { SubmissionResult } from "@conform-to/react";
import { Form, Link, useNavigation } from "@remix-run/react";
import { PARTNER_KINDS, REGIONS } from "../../../db/schema";
import { humanize } from "../../components/forms";
import { formatMoney } from "../../domain/format";
import { FLAG_LABEL, LONG_TAIL_FLAGS, LONG_TAIL_RULES } from "../../domain/long-tail";
import { countText } from "../../reports/contract";
import { FLAG_BADGE } from "./concentration";
import { GrowthPlayForm } from "./growth-play-form";
import type { EcosystemPageData } from "./queries.server";

type PlayResult = { partnerId: number; result: SubmissionResult<string[]>; notice: string | null } | undefined;

export function LongTail({ d, actionData }: { d: EcosystemPageData; actionData: PlayResult }) {
  const navigation = useNavigation();
  const activeFilters = Object.fromEntries(Object.entries(d.filters).filter(([, v]) => v));
  const query = new URLSearchParams(activeFilters).toString();
  /** This list's filters with `extra` (a page, an open form) on top. */
  const listLink = (extra: Record<string, string> = {}) => `?${new URLSearchParams({ ...activeFilters, ...extra })}`;
  const pageLink = (page: number) => listLink({ page: String(page) });
  /** This list (filters, page) with one row's growth-play form open, or none. */
  const playLink = (partnerId: number | null) =>
    listLink({ ...(d.page > 1 ? { page: String(d.page) } : {}), ...(partnerId !== null ? { play: String(partnerId) } : {}) });
  /** A row's form is open when its link was followed, closed once saved, kept open on a refused save. */
  const playOpen = (partnerId: number) =>
    actionData?.partnerId === partnerId ? !actionData.notice : d.openPlay === partnerId;
  const filtered = Object.values(d.filters).some(Boolean);
  return (
  <section className="card stack" aria-labelledby="tail-heading">
    <div className="page-head" style={{ marginBottom: 0 }}>
      <div>
        <h2 id="tail-heading">Long tail</h2>
        <p className="small muted">
          Flags are computed for the {countText(d.headTail.tail.partners)} partners outside the head. Rising: the last 3 months
          bring at least {LONG_TAIL_RULES.risingRatio}× the 3 before and {formatMoney(LONG_TAIL_RULES.risingFloorCents, d.currency, { compact: true })}. Efficient: win rate
          at or above the program median ({d.baselines.medianWinRate}) over{" "}
          {LONG_TAIL_RULES.efficientMinClosedDeals}+ closed deals, with fewer closed deals than the median (
          {d.baselines.medianClosedDeals}). Ramping: joined fewer than {LONG_TAIL_RULES.rampingDays} days ago
          and has registered. Dormant: no registration or touch in {LONG_TAIL_RULES.dormantDays} days.
        </p>
      </div>
      <a className="button secondary" href={`/internal/ecosystem.csv${query ? `?${query}` : ""}`} download>
        Export CSV
      </a>
    </div>
    <Form method="get" role="search" aria-label="Filter the long tail" key={JSON.stringify(d.filters)}>
      <div className="grid" style={{ alignItems: "end" }}>
        <div className="field">
          <label htmlFor="filter-flag">Flag</label>
          <select id="filter-flag" name="flag" defaultValue={d.filters.flag}>
            <option value="">Any</option>
            {LONG_TAIL_FLAGS.map((f) => (
              <option key={f} value={f}>
                {FLAG_LABEL[f]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-kind">Kind</label>
          <select id="filter-kind" name="kind" defaultValue={d.filters.kind}>
            <option value="">Any kind</option>
            {PARTNER_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {humanize(kind)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-region">Region</label>
          <select id="filter-region" name="region" defaultValue={d.filters.region}>
            <option value="">Any region</option>
            {REGIONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-manager">Partner manager</label>
          <select id="filter-manager" name="manager" defaultValue={d.filters.manager}>
            <option value="">Anyone</option>
            <option value="none">No manager</option>
            {d.staff.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div className="row">
          <button type="submit">{navigation.state === "loading" ? "Filtering…" : "Filter"}</button>
          {filtered ? (
            <Link to="/internal/ecosystem" className="button secondary">
              Clear
            </Link>
          ) : null}
        </div>
      </div>
    </Form>
    <p className="small muted" role="status">
      {countText(d.matching)} {d.matching === 1 ? "partner" : "partners"}
      {filtered ? " match these filters" : " in the long tail"}; flagged ones first.
    </p>
    {d.rows.length === 0 ? (
      <p className="muted">{filtered ? "No long-tail partner matches these filters." : "No partner is in the long tail."}</p>
    ) : (
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Partner</th>
              <th scope="col">Kind · region</th>
              <th scope="col">Manager</th>
              <th scope="col" className="num">
                Revenue
              </th>
              <th scope="col" className="num">
                Share
              </th>
              <th scope="col">Flags and why</th>
              <th scope="col">Growth play</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr key={r.partnerId}>
                <td>
                  <Link to={`/internal/partners/${r.slug}`}>{r.name}</Link>
                </td>
                <td>
                  {humanize(r.kind)} · {r.region}
                </td>
                <td>{r.managerName ?? <span className="muted">None</span>}</td>
                <td className="num">{r.revenueText}</td>
                <td className="num">{r.shareText}</td>
                <td>
                  {r.flags.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <ul style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "0.25rem" }}>
                      {r.flags.map((f) => (
                        <li key={f.flag}>
                          <span className={`badge ${FLAG_BADGE[f.flag]}`}>{FLAG_LABEL[f.flag as keyof typeof FLAG_LABEL]}</span>{" "}
                          <span className="small">{f.text}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {r.openPlays > 0 ? (
                    <p className="small">
                      <Link to={`/internal/partners/${r.slug}#growth-plays-heading`}>
                        {r.openPlays} open {r.openPlays === 1 ? "play" : "plays"}
                      </Link>
                    </p>
                  ) : null}
                  {actionData?.partnerId === r.partnerId && actionData.notice ? (
                    <p className="notice small" role="status">
                      {actionData.notice}
                    </p>
                  ) : null}
                  {playOpen(r.partnerId) ? (
                    <GrowthPlayForm
                      partnerId={r.partnerId}
                      partnerName={r.name}
                      defaultFlag={r.flags[0]?.flag ?? "other"}
                      staff={d.staff}
                      lastResult={actionData?.partnerId === r.partnerId ? actionData.result : undefined}
                      closeTo={playLink(null)}
                    />
                  ) : (
                    <Link to={playLink(r.partnerId)} preventScrollReset className="small">
                      Record growth play<span className="visually-hidden"> for {r.name}</span>
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    {d.pages > 1 ? (
      <nav aria-label="Long-tail pages" className="row small">
        {d.page > 1 ? <Link to={pageLink(d.page - 1)}>← Previous</Link> : null}
        <span>
          Page {d.page} of {d.pages}
        </span>
        {d.page < d.pages ? <Link to={pageLink(d.page + 1)}>Next →</Link> : null}
      </nav>
    ) : null}
  </section>
  );
}
