// Ecosystem health for the partner team: how concentrated credited revenue is, how that moved
// over the last 12 month-ends, and which long-tail partners deserve a growth play. Names
// partners, so staff only. The long-tail filters live in the URL and feed the CSV export too.
import { getFormProps, getInputProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { GROWTH_PLAY_STATUSES, PARTNER_KINDS, REGIONS } from "../../db/schema";
import { requireStaff } from "../auth/guards.server";
import { ConcentrationChart, Sparkline } from "../components/analytics-charts";
import { FormErrors, humanize } from "../components/forms";
import { MODEL_LABEL } from "../domain/attribution";
import { actorOf } from "../domain/audit.server";
import { HHI_BAND_LABEL, type HhiBand } from "../domain/concentration";
import { ecosystemReport, filterLongTail, longTailFiltersFromSearch } from "../domain/ecosystem.server";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { GrowthPlayError, openGrowthPlayCounts, recordGrowthPlay } from "../domain/growth-plays.server";
import { describeEvidence, FLAG_LABEL, GROWTH_PLAY_FLAGS, LONG_TAIL_FLAGS, LONG_TAIL_RULES } from "../domain/long-tail";
import { listManagers } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Ecosystem health · Partner team" }];

const PAGE_SIZE = 50;

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const url = new URL(args.request.url);
  const filters = longTailFiltersFromSearch(url.searchParams);
  const report = ecosystemReport(db);
  const { snapshot, trend, alerts, longTail } = report;
  const c = snapshot.concentration;
  const staff = listManagers(db).map((m) => ({ id: m.id, name: m.name }));
  const staffName = new Map(staff.map((m) => [m.id, m.name]));
  const rows = filterLongTail(longTail.rows, filters);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const openPlays = openGrowthPlayCounts(db);
  const flagCounts = Object.fromEntries(
    LONG_TAIL_FLAGS.map((f) => [f, longTail.rows.filter((r) => r.flags.some((e) => e.flag === f)).length]),
  ) as Record<(typeof LONG_TAIL_FLAGS)[number], number>;
  return {
    period: snapshot.period,
    model: snapshot.model,
    kpis: {
      n: c.n,
      revenueCents: c.revenueCents,
      hhi: c.hhi,
      band: c.band,
      effectivePartners: c.effectivePartners,
      top20Count: c.top20Count,
      top20Share: c.top20Share,
      n80: c.n80,
      gini: c.gini,
      largestShare: c.largestShare,
      largestShareAlert: c.largestShareAlert,
      largestPartner: snapshot.partners[0] ? { name: snapshot.partners[0].name, slug: snapshot.partners[0].slug } : null,
    },
    lorenz: snapshot.lorenz,
    pareto: snapshot.pareto,
    trend: trend.map((p) => ({
      monthEnd: p.monthEnd,
      hhi: p.hhi,
      top20Share: p.top20Share,
      n80: p.n80,
      gini: p.gini,
      largestShare: p.largestShare,
    })),
    alerts,
    head: {
      ...snapshot.head,
      top: snapshot.partners.slice(0, 5).map((p) => ({ slug: p.slug, name: p.name, revenueCents: p.revenueCents, share: p.share })),
    },
    tail: snapshot.tail,
    flagCounts,
    baselines: longTail.baselines,
    filters: {
      flag: filters.flag ?? "",
      kind: filters.kind ?? "",
      region: filters.region ?? "",
      manager: filters.manager ?? "",
    },
    matching: rows.length,
    page,
    pages,
    rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((r) => ({
      partnerId: r.partner.id,
      slug: r.partner.slug,
      name: r.partner.name,
      kind: r.partner.kind,
      region: r.partner.region,
      managerName: r.partner.managerId ? staffName.get(r.partner.managerId) ?? null : null,
      revenueCents: r.partner.revenueCents,
      share: r.partner.share,
      flags: r.flags.map((e) => ({ flag: e.flag, text: describeEvidence(e) })),
      openPlays: openPlays.get(r.partner.id) ?? 0,
    })),
    staff,
  };
}

const playSchema = z.object({
  intent: z.literal("play"),
  partnerId: z.coerce.number().int().positive(),
  flag: z.enum(GROWTH_PLAY_FLAGS, { errorMap: () => ({ message: "Choose what the play is about." }) }),
  ownerId: z.string({ required_error: "Choose an owner." }).min(1, "Choose an owner."),
  nextAction: z
    .string({ required_error: "Say what happens next." })
    .trim()
    .min(3, "Say what happens next, in a few words.")
    .max(500, "Keep the next action under 500 characters."),
  status: z.enum(GROWTH_PLAY_STATUSES, { errorMap: () => ({ message: "Choose a status." }) }),
});

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const formData = await args.request.formData();
  const partnerId = Number(formData.get("partnerId"));
  const submission = parseWithZod(formData, { schema: playSchema });
  if (submission.status !== "success") {
    return data({ partnerId, result: submission.reply(), notice: null }, { status: 400 });
  }
  try {
    recordGrowthPlay(db, actorOf(user), submission.value);
  } catch (error) {
    if (!(error instanceof GrowthPlayError)) throw error;
    return data({ partnerId, result: submission.reply({ formErrors: [error.message] }), notice: null }, { status: 400 });
  }
  return { partnerId, result: submission.reply({ resetForm: true }), notice: "Growth play recorded." };
}

const BAND_BADGE: Record<HhiBand, string> = {
  unconcentrated: "ok",
  moderately_concentrated: "warn",
  highly_concentrated: "danger",
};
const FLAG_BADGE: Record<string, string> = { rising: "ok", efficient: "", ramping: "", dormant: "neutral" };

const money = (cents: number) => formatMoney(cents, "USD", { compact: true });
const orDash = (v: number | null, f: (v: number) => string) => (v === null ? "—" : f(v));

export default function Ecosystem() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const k = d.kpis;
  const monthEnds = d.trend.map((p) => formatDate(p.monthEnd));
  const query = new URLSearchParams(Object.entries(d.filters).filter(([, v]) => v)).toString();
  const pageLink = (page: number) =>
    `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(d.filters).filter(([, v]) => v)), page: String(page) })}`;
  const filtered = Object.values(d.filters).some(Boolean);

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Ecosystem health</h1>
          <p className="muted">
            Credited revenue of the {k.n.toLocaleString("en-US")} active partners, {formatDate(d.period.from)} –{" "}
            {formatDate(d.period.lastDay)} (12 months to the last month-end), {MODEL_LABEL[d.model]} model.
          </p>
        </div>
        <Link to="/internal/metrics" className="button secondary">
          Program metrics
        </Link>
      </div>

      {d.alerts.length > 0 ? (
        <div className="form-error" role="alert" aria-label="Concentration alerts">
          <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
            {d.alerts.map((a) =>
              a.kind === "hhi_band_up" ? (
                <li key="band">
                  Concentration rose into a higher band: HHI {a.previousHhi.toFixed(0)} → {a.hhi.toFixed(0)}, now{" "}
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
      ) : null}

      <div className="grid" aria-label="Concentration figures" role="group">
        <section className="card kpi" data-kpi="hhi">
          <span className="label">HHI</span>
          <span className="value">{orDash(k.hhi, (v) => v.toFixed(0))}</span>
          {k.band ? (
            <span className={`badge ${BAND_BADGE[k.band]}`} style={{ justifySelf: "start" }}>
              {HHI_BAND_LABEL[k.band]}
            </span>
          ) : (
            <span className="muted small">No revenue yet</span>
          )}
        </section>
        <section className="card kpi" data-kpi="effective">
          <span className="label">Effective partners</span>
          <span className="value">{orDash(k.effectivePartners, (v) => v.toFixed(1))}</span>
          <span className="muted small">10,000 ÷ HHI</span>
        </section>
        <section className="card kpi" data-kpi="top20">
          <span className="label">Top-20% share</span>
          <span className="value">{orDash(k.top20Share, (v) => formatPercent(v))}</span>
          <span className="muted small">of revenue from the top {k.top20Count.toLocaleString("en-US")} partners</span>
        </section>
        <section className="card kpi" data-kpi="n80">
          <span className="label">N80</span>
          <span className="value">{orDash(k.n80, (v) => v.toLocaleString("en-US"))}</span>
          <span className="muted small">of {k.n.toLocaleString("en-US")} partners bring 80%</span>
        </section>
        <section className="card kpi" data-kpi="gini">
          <span className="label">Gini</span>
          <span className="value">{k.gini.toFixed(3)}</span>
          <span className="muted small">0 even · 1 one partner</span>
        </section>
        <section className="card kpi" data-kpi="largest">
          <span className="label">Largest single share</span>
          <span className="value">{orDash(k.largestShare, (v) => formatPercent(v))}</span>
          {k.largestPartner ? (
            <span className="small">
              {k.largestShareAlert ? <span className="badge danger">Above 25%</span> : null}{" "}
              <Link to={`/internal/partners/${k.largestPartner.slug}`}>{k.largestPartner.name}</Link>
            </span>
          ) : null}
        </section>
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="curve-heading">
          <h2 id="curve-heading">Who brings the revenue</h2>
          <ConcentrationChart lorenz={d.lorenz} pareto={d.pareto} id="concentration" />
        </section>
        <section className="card stack" aria-labelledby="trend-heading">
          <h2 id="trend-heading">Last 12 month-ends</h2>
          <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
            <Sparkline label="HHI" values={d.trend.map((p) => p.hhi)} labels={monthEnds} format={(v) => v.toFixed(0)} />
            <Sparkline
              label="Top-20% share"
              values={d.trend.map((p) => p.top20Share)}
              labels={monthEnds}
              format={(v) => formatPercent(v)}
            />
            <Sparkline label="N80" values={d.trend.map((p) => p.n80)} labels={monthEnds} format={(v) => v.toLocaleString("en-US")} />
            <Sparkline label="Gini" values={d.trend.map((p) => p.gini)} labels={monthEnds} format={(v) => v.toFixed(3)} />
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
                  {d.trend.map((p) => (
                    <tr key={p.monthEnd}>
                      <th scope="row">{formatDate(p.monthEnd)}</th>
                      <td className="num">{orDash(p.hhi, (v) => v.toFixed(0))}</td>
                      <td className="num">{orDash(p.top20Share, (v) => formatPercent(v))}</td>
                      <td className="num">{orDash(p.n80, (v) => v.toLocaleString("en-US"))}</td>
                      <td className="num">{p.gini.toFixed(3)}</td>
                      <td className="num">{orDash(p.largestShare, (v) => formatPercent(v))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </section>
      </div>

      <section className="card" aria-labelledby="split-heading">
        <h2 id="split-heading">Head and long tail</h2>
        <div className="grid">
          <div className="kpi">
            <span className="label">Head (N80)</span>
            <span className="value">{d.head.partners.toLocaleString("en-US")}</span>
            <span className="small muted">partners · {money(d.head.revenueCents)}</span>
          </div>
          <div className="kpi">
            <span className="label">Long tail</span>
            <span className="value">{d.tail.partners.toLocaleString("en-US")}</span>
            <span className="small muted">partners · {money(d.tail.revenueCents)}</span>
          </div>
          <div className="kpi">
            <span className="label">Flagged in the tail</span>
            <span className="small">
              {LONG_TAIL_FLAGS.map((f) => (
                <span key={f} style={{ marginRight: "0.5rem" }}>
                  <span className={`badge ${FLAG_BADGE[f]}`}>{FLAG_LABEL[f]}</span> {d.flagCounts[f].toLocaleString("en-US")}
                </span>
              ))}
            </span>
          </div>
        </div>
        {d.head.top.length ? (
          <p className="small muted" style={{ marginTop: "0.75rem" }}>
            Largest:{" "}
            {d.head.top.map((p, i) => (
              <span key={p.slug}>
                {i ? ", " : ""}
                <Link to={`/internal/partners/${p.slug}`}>{p.name}</Link> {formatPercent(p.share)}
              </span>
            ))}
          </p>
        ) : null}
      </section>

      <section className="card stack" aria-labelledby="tail-heading">
        <div className="page-head" style={{ marginBottom: 0 }}>
          <div>
            <h2 id="tail-heading">Long tail</h2>
            <p className="small muted">
              Flags are computed for the {d.tail.partners.toLocaleString("en-US")} partners outside the head. Rising: the last 3 months
              bring at least {LONG_TAIL_RULES.risingRatio}× the 3 before and {money(LONG_TAIL_RULES.risingFloorCents)}. Efficient: win rate
              at or above the program median ({orDash(d.baselines.medianWinRate, (v) => formatPercent(v, 0))}) over{" "}
              {LONG_TAIL_RULES.efficientMinClosedDeals}+ closed deals, with fewer closed deals than the median (
              {orDash(d.baselines.medianClosedDeals, (v) => String(v))}). Ramping: joined fewer than {LONG_TAIL_RULES.rampingDays} days ago
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
          {d.matching.toLocaleString("en-US")} {d.matching === 1 ? "partner" : "partners"}
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
                    <td className="num">{formatMoney(r.revenueCents, "USD")}</td>
                    <td className="num">{formatPercent(r.share, 2)}</td>
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
                      <GrowthPlayForm
                        partnerId={r.partnerId}
                        partnerName={r.name}
                        defaultFlag={r.flags[0]?.flag ?? "other"}
                        staff={d.staff}
                        lastResult={actionData?.partnerId === r.partnerId ? actionData.result : undefined}
                        notice={actionData?.partnerId === r.partnerId ? actionData.notice : null}
                      />
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
    </div>
  );
}

function GrowthPlayForm({
  partnerId,
  partnerName,
  defaultFlag,
  staff,
  lastResult,
  notice,
}: {
  partnerId: number;
  partnerName: string;
  defaultFlag: string;
  staff: { id: string; name: string }[];
  lastResult: SubmissionResult<string[]> | undefined;
  notice: string | null;
}) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("partnerId") === String(partnerId);
  const [form, fields] = useForm<z.input<typeof playSchema>>({
    id: `play-${partnerId}`,
    lastResult,
    defaultValue: { flag: defaultFlag, status: "open", ownerId: "" },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: playSchema }),
  });
  const failed = Boolean(lastResult && lastResult.status === "error");
  return (
    <details open={failed}>
      <summary className="small">Record growth play</summary>
      {notice ? (
        <p className="notice small" role="status">
          {notice}
        </p>
      ) : null}
      <Form
        method="post"
        className="form"
        style={{ gap: "0.5rem", minWidth: 220 }}
        {...getFormProps(form)}
        aria-label={`Growth play for ${partnerName}`}
      >
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name="intent" value="play" />
        <input type="hidden" name="partnerId" value={partnerId} />
        <div className="field">
          <label htmlFor={fields.flag.id}>About</label>
          <select {...getSelectProps(fields.flag)} key={fields.flag.key}>
            {GROWTH_PLAY_FLAGS.map((f) => (
              <option key={f} value={f}>
                {f === "other" ? "Other" : FLAG_LABEL[f]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={fields.ownerId.id}>Owner</label>
          <select {...getSelectProps(fields.ownerId)} key={fields.ownerId.key}>
            <option value="">Choose…</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          {fields.ownerId.errors ? (
            <span className="error" id={fields.ownerId.errorId} role="alert">
              {fields.ownerId.errors.join(" ")}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={fields.nextAction.id}>Next action</label>
          <input {...getInputProps(fields.nextAction, { type: "text" })} key={fields.nextAction.key} />
          {fields.nextAction.errors ? (
            <span className="error" id={fields.nextAction.errorId} role="alert">
              {fields.nextAction.errors.join(" ")}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={fields.status.id}>Status</label>
          <select {...getSelectProps(fields.status)} key={fields.status.key}>
            {GROWTH_PLAY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit" className="secondary" disabled={busy}>
            {busy ? "Saving…" : "Save play"}
          </button>
        </div>
      </Form>
    </details>
  );
}
