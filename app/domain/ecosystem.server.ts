// Ecosystem health over the database (docs/domain.md "Ecosystem health"): concentration of the
// active partners' trailing-12-month credited revenue under the program model, its trend over
// the last 12 month-ends, alerts, and the long tail with its flags. Internal only: the figures
// name partners.
//
// Windows are whole calendar months: "as of" a date means as of the last month-end on or before
// it, so the window is the 12 months before the as-of month (on the 1st of a month exactly
// trailing12Months(asOf)). That is what lets every figure come from the monthly rollups
// (rollups.server.ts) instead of the deals. The partner set is today's active partners, zeros
// included, for the snapshot and for every point of the trend. Time-based flags (ramping,
// dormant) use the as-of date itself.
import type Database from "better-sqlite3";
import { z } from "zod";
import { PARTNER_KINDS, REGIONS, type AttributionModel, type PartnerKind } from "../../db/schema";
import type { DB } from "../db.server";
import { programModel } from "./attribution.server";
import {
  computeConcentration,
  hhiBand,
  lorenzCurve,
  paretoCurve,
  type Concentration,
  type CurvePoint,
  type HhiBand,
} from "./concentration";
import { LONG_TAIL_FLAGS, longTailFlags, programBaselines, type FlagEvidence, type LongTailFlag, type ProgramBaselines } from "./long-tail";
import { addMonths, periodOf as monthOf, periodStart as monthStart } from "./periods";
import { clearMemo, connectionMemo, memoized, tableVersion } from "./memo.server";
import { clientOf, ensureRollups, rollupVersions } from "./rollups.server";

const DAY = 86_400_000;

export type AnalyticsPeriod = {
  /** The date asked for (ISO). */
  asOf: string;
  /** First month of the window and the month after its last ('YYYY-MM'). */
  fromMonth: string;
  endMonth: string;
  /** The 12 months of the window, oldest first. */
  months: string[];
  /** Window bounds: [from, to), ISO instants; `lastDay` is the last day included. */
  from: string;
  to: string;
  lastDay: string;
};

export function analyticsPeriod(asOf: Date): AnalyticsPeriod {
  const endMonth = monthOf(asOf.getTime());
  const fromMonth = addMonths(endMonth, -12);
  const to = monthStart(endMonth);
  return {
    asOf: asOf.toISOString(),
    fromMonth,
    endMonth,
    months: Array.from({ length: 12 }, (_, i) => addMonths(fromMonth, i)),
    from: monthStart(fromMonth).toISOString(),
    to: to.toISOString(),
    lastDay: new Date(to.getTime() - DAY).toISOString().slice(0, 10),
  };
}

export type EcosystemPartner = {
  id: number;
  slug: string;
  name: string;
  kind: PartnerKind;
  region: string;
  managerId: string | null;
  joinedOn: string;
  revenueCents: number;
  /** Of the program's credited revenue; 0 when there is none. */
  share: number;
  /** 1 = largest revenue (ties by id). */
  rank: number;
  inHead: boolean;
  last3Cents: number;
  prev3Cents: number;
  /** Registered deals closed in the window. */
  wonDeals: number;
  lostDeals: number;
};

export type EcosystemSnapshot = {
  period: AnalyticsPeriod;
  model: AttributionModel;
  concentration: Concentration;
  lorenz: CurvePoint[];
  pareto: CurvePoint[];
  /** Every active partner, largest revenue first. */
  partners: EcosystemPartner[];
  head: { partners: number; revenueCents: number };
  tail: { partners: number; revenueCents: number };
};

/** id, slug, name, kind, region, manager id, joined on. */
type ActivePartner = [number, string, string, PartnerKind, string, string | null, string];

function activePartners(c: Database.Database): ActivePartner[] {
  return c
    .prepare(`SELECT id, slug, name, kind, region, manager_id, joined_on FROM partners WHERE status = 'active' ORDER BY id`)
    .raw(true)
    .all() as ActivePartner[];
}

/** A cheap identity of the active partner set, for cache keys. */
function fingerprint(partners: readonly ActivePartner[]) {
  let sum = 0;
  let mix = 0;
  for (const [id] of partners) {
    sum += id;
    mix = (mix * 31 + id) % 2_147_483_647;
  }
  return `${partners.length}:${sum}:${mix}`;
}

/** Rollup versions of the given months, joined: a cache key that changes when any of them does. */
function versionsKey(versions: Map<string, number>, months: readonly string[]) {
  return months.map((m) => versions.get(m) ?? 0).join(",");
}

/** Forgets memoized figures (benchmarks measure the cold path with it). */
export function clearEcosystemMemo(db: DB) {
  clearMemo(clientOf(db));
}

/** Months the trend reaches back over: 12 windows of 12 months, sliding by one. */
const SERIES_MONTHS = 23;

/**
 * Every active partner's credited cents per month over the 23 months before the as-of month
 * (series[m][i]: partner i of `partners`, month m, oldest first), and registered deals won and
 * lost in the 12-month window. Everything the snapshot and the trend need from the rollups;
 * memoized on the partner set and the rollup versions of those months.
 */
type Series = { credit: Float64Array[]; won: Float64Array; lost: Float64Array };

/** The series' months, oldest first: the SERIES_MONTHS months before the as-of month. */
function seriesMonths(period: AnalyticsPeriod): string[] {
  return Array.from({ length: SERIES_MONTHS }, (_, m) => addMonths(period.endMonth, m - SERIES_MONTHS));
}

function seriesFor(
  c: Database.Database,
  model: AttributionModel,
  period: AnalyticsPeriod,
  partners: readonly ActivePartner[],
  versions: Map<string, number>,
): Series {
  const months = seriesMonths(period);
  const key = `${fingerprint(partners)}|${versionsKey(versions, months)}`;
  return memoized(c, `series:${model}:${period.endMonth}`, key, () => {
    const n = partners.length;
    // Partner id → position in `partners` (-1: not an active partner), without a Map lookup per row.
    let maxId = 0;
    for (const [id] of partners) if (id > maxId) maxId = id;
    const position = new Int32Array(maxId + 1).fill(-1);
    partners.forEach(([id], i) => (position[id] = i));
    const at = (pid: number) => (pid >= 0 && pid <= maxId ? position[pid]! : -1);
    // Each month's column is kept on its own (per model, keyed on the partner set and that month's
    // rollup version): after a change to one month (a back-dated deal) only that month is read again.
    const fp = fingerprint(partners);
    // (Inside a transaction the columns read are not kept: see memoized.)
    type Columns = Map<string, { key: string; column: Float64Array }>;
    let columns = c.inTransaction ? undefined : (connectionMemo(c).get(`credit-months:${model}`)?.value as Columns | undefined);
    if (!columns) {
      columns = new Map();
      if (!c.inTransaction) connectionMemo(c).set(`credit-months:${model}`, { key: null, value: columns });
    }
    const monthKey = (m: string) => `${fp}|${versions.get(m) ?? 0}`;
    const missing = months.filter((m) => columns.get(m)?.key !== monthKey(m));
    if (missing.length > 0) {
      const read = new Map(missing.map((m) => [m, new Float64Array(n)]));
      // A range scan of the covering index (model, month, partner_id, credited_cents), in month
      // order: one row per month, its partners and cents packed as JSON arrays. Parsing two
      // numeric arrays is far cheaper than materializing a row per partner-month.
      for (const [month, ids, cents] of c
        .prepare(
          `SELECT month, json_group_array(partner_id), json_group_array(credited_cents) FROM partner_month_credit
            WHERE model = ? AND month >= ? AND month <= ? GROUP BY month`,
        )
        .raw(true)
        .all(model, missing[0], missing[missing.length - 1]) as [string, string, string][]) {
        const column = read.get(month);
        if (!column) continue;
        const pids = JSON.parse(ids) as number[];
        const values = JSON.parse(cents) as number[];
        for (let k = 0; k < pids.length; k++) {
          const i = at(pids[k]!);
          if (i >= 0) column[i] = values[k]!;
        }
      }
      for (const [m, column] of read) columns.set(m, { key: monthKey(m), column });
      // Keep the months of the last windows asked for, not every month ever read.
      if (columns.size > 4 * SERIES_MONTHS) for (const m of [...columns.keys()]) if (!months.includes(m)) columns.delete(m);
    }
    const credit = months.map((m) => columns.get(m)!.column);
    const won = new Float64Array(n);
    const lost = new Float64Array(n);
    const [ids, wonDeals, lostDeals] = c
      .prepare(
        `SELECT json_group_array(partner_id), json_group_array(won_deals), json_group_array(lost_deals)
           FROM partner_month_outcomes WHERE month >= ? AND month < ?`,
      )
      .raw(true)
      .get(period.fromMonth, period.endMonth) as [string, string, string];
    const pids = JSON.parse(ids) as number[];
    const w = JSON.parse(wonDeals) as number[];
    const l = JSON.parse(lostDeals) as number[];
    for (let k = 0; k < pids.length; k++) {
      const i = at(pids[k]!);
      if (i >= 0) {
        won[i]! += w[k]!;
        lost[i]! += l[k]!;
      }
    }
    return { credit, won, lost };
  });
}

/** Sum of series months [from, to) for partner i. */
function sumMonths(series: Series, i: number, from: number, to: number) {
  let s = 0;
  for (let m = from; m < to; m++) s += series.credit[m]![i]!;
  return s;
}

function snapshotFrom(
  period: AnalyticsPeriod,
  model: AttributionModel,
  partners: readonly ActivePartner[],
  series: Series,
): EcosystemSnapshot {
  const M = SERIES_MONTHS;
  const rows: EcosystemPartner[] = partners.map(([id, slug, name, kind, region, managerId, joinedOn], i) => ({
    id,
    slug,
    name,
    kind,
    region,
    managerId,
    joinedOn,
    revenueCents: sumMonths(series, i, M - 12, M),
    share: 0,
    rank: 0,
    inHead: false,
    last3Cents: sumMonths(series, i, M - 3, M),
    prev3Cents: sumMonths(series, i, M - 6, M - 3),
    wonDeals: series.won[i]!,
    lostDeals: series.lost[i]!,
  }));
  rows.sort((a, b) => b.revenueCents - a.revenueCents || a.id - b.id);
  // Already largest first: the sorts inside the concentration functions find one run.
  const revenues = rows.map((r) => r.revenueCents);
  const concentration = computeConcentration(revenues);
  const total = concentration.revenueCents;
  const headCount = concentration.n80 ?? 0;
  let headRevenue = 0;
  rows.forEach((r, i) => {
    r.rank = i + 1;
    r.share = total > 0 ? r.revenueCents / total : 0;
    r.inHead = i < headCount;
    if (r.inHead) headRevenue += r.revenueCents;
  });
  return {
    period,
    model,
    concentration,
    lorenz: lorenzCurve(revenues),
    pareto: paretoCurve(revenues),
    partners: rows,
    head: { partners: headCount, revenueCents: headRevenue },
    tail: { partners: rows.length - headCount, revenueCents: total - headRevenue },
  };
}

/**
 * Trailing-12-month credited revenue (program model) of every active partner, zeros included,
 * and what it says about concentration: the figures, Lorenz and Pareto points, head and tail.
 */
export function ecosystemSnapshot(db: DB, asOf: Date = new Date()): EcosystemSnapshot {
  return programSnapshot(db, programModel(db), analyticsPeriod(asOf)).snapshot;
}

/**
 * The snapshot of `period` and the series it was built from. Reading the 10,000 active
 * partners and building a row for each costs ~40 ms a call at the design scale; every caller
 * (the ecosystem page and its CSV, the partner team's home page, each partner page's
 * placement) gets the same snapshot until a partner or a month's rollups change, so it is
 * memoized on the partners' table version and the rollup versions of the series' months.
 * Callers treat the snapshot as read-only.
 */
function programSnapshot(db: DB, model: AttributionModel, period: AnalyticsPeriod): { snapshot: EcosystemSnapshot; series: Series } {
  ensureRollups(db);
  const c = clientOf(db);
  const partnersVersion = tableVersion(c, "partners");
  const versions = rollupVersions(db);
  const key = `${partnersVersion}|${versionsKey(versions, seriesMonths(period))}`;
  const hit = memoized(c, `snapshot:${model}:${period.endMonth}`, key, () => {
    const partners = memoized(c, "active-partners", partnersVersion, () => activePartners(c));
    const series = seriesFor(c, model, period, partners, versions);
    return { snapshot: snapshotFrom(period, model, partners, series), series };
  });
  // The same window, asked for at another instant: the period names the caller's as-of date.
  return { snapshot: { ...hit.snapshot, period }, series: hit.series };
}

export type TrendPoint = {
  /** The last month of the point's window ('YYYY-MM') and its last day. */
  month: string;
  monthEnd: string;
  n: number;
  revenueCents: number;
  hhi: number | null;
  band: HhiBand | null;
  effectivePartners: number | null;
  top20Share: number | null;
  n80: number | null;
  gini: number;
  largestShare: number | null;
};

/**
 * computeConcentration (concentration.ts) of values already sorted ascending, without the
 * copies and comparator sorts: the same sums in the same order (largest first), so the same
 * figures to the last bit.
 */
function concentrationOfSorted(asc: Float64Array): Omit<Concentration, "top20Count" | "largestShareAlert"> {
  const n = asc.length;
  let total = 0;
  for (let i = n - 1; i >= 0; i--) total += asc[i]!;
  if (n === 0 || total <= 0) {
    return { n, revenueCents: total, hhi: null, band: null, effectivePartners: null, top20Share: null, n80: null, gini: 0, largestShare: null };
  }
  const top20Count = Math.ceil(0.2 * n);
  let hhi = 0;
  let cumulative = 0;
  let n80 = n;
  let found = false;
  let top20Share = 0;
  // Position j counts from the largest value (the order computeConcentration sums in).
  for (let j = 0; j < n; j++) {
    const x = asc[n - 1 - j]! / total;
    hhi += (100 * x) ** 2;
    if (!found) {
      cumulative += x;
      if (cumulative >= 0.8 - 1e-12) {
        n80 = j + 1;
        found = true;
      }
    }
    if (j < top20Count) top20Share += x;
  }
  // gini(): Σ (2i − n − 1)·x_i over the values ascending, i from 1.
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += (2 * i - n - 1) * asc[i - 1]!;
  const largestShare = asc[n - 1]! / total;
  return {
    n,
    revenueCents: total,
    hhi,
    band: hhiBand(hhi),
    effectivePartners: 10_000 / hhi,
    top20Share,
    n80,
    gini: sum / (n * total),
    largestShare,
  };
}

function trendFrom(period: AnalyticsPeriod, series: Series): TrendPoint[] {
  const M = SERIES_MONTHS;
  const n = series.won.length;
  const window = new Float64Array(n);
  for (let m = 0; m < M - 12; m++) for (let i = 0; i < n; i++) window[i]! += series.credit[m]![i]!;
  const points: TrendPoint[] = [];
  for (let k = 0; k < 12; k++) {
    // The window of point k: series months k … k + 11.
    const adding = series.credit[k + 11]!;
    for (let i = 0; i < n; i++) window[i]! += adding[i]!;
    // A typed-array sort is fast; the figures then take one pass over the sorted vector.
    const figures = concentrationOfSorted(Float64Array.from(window).sort());
    const month = addMonths(period.endMonth, k - 12);
    points.push({
      month,
      monthEnd: new Date(monthStart(addMonths(month, 1)).getTime() - DAY).toISOString().slice(0, 10),
      n: figures.n,
      revenueCents: figures.revenueCents,
      hhi: figures.hhi,
      band: figures.band,
      effectivePartners: figures.effectivePartners,
      top20Share: figures.top20Share,
      n80: figures.n80,
      gini: figures.gini,
      largestShare: figures.largestShare,
    });
    const leaving = series.credit[k]!;
    for (let i = 0; i < n; i++) window[i]! -= leaving[i]!;
  }
  return points;
}

/** The concentration figures at each of the last 12 month-ends, oldest first; the last is the snapshot's. */
export function concentrationTrend(db: DB, asOf: Date = new Date()): TrendPoint[] {
  const model = programModel(db);
  const period = analyticsPeriod(asOf);
  const { series } = programSnapshot(db, model, period);
  return memoized(clientOf(db), `trend:${model}:${period.endMonth}`, series, () => trendFrom(period, series));
}

export type EcosystemAlert =
  | { kind: "hhi_band_up"; from: HhiBand; to: HhiBand; hhi: number; previousHhi: number; monthEnd: string }
  | { kind: "largest_share"; partner: { slug: string; name: string }; share: number };

const BAND_RANK: Record<HhiBand, number> = { unconcentrated: 0, moderately_concentrated: 1, highly_concentrated: 2 };

/** HHI moved into a higher band than at the previous month-end; one partner above 25%. */
export function ecosystemAlerts(snapshot: EcosystemSnapshot, trend: readonly TrendPoint[]): EcosystemAlert[] {
  const alerts: EcosystemAlert[] = [];
  const now = trend[trend.length - 1];
  const before = trend[trend.length - 2];
  if (now?.hhi != null && before?.hhi != null) {
    const from = hhiBand(before.hhi);
    const to = hhiBand(now.hhi);
    if (BAND_RANK[to] > BAND_RANK[from]) {
      alerts.push({ kind: "hhi_band_up", from, to, hhi: now.hhi, previousHhi: before.hhi, monthEnd: now.monthEnd });
    }
  }
  const top = snapshot.partners[0];
  if (top && snapshot.concentration.largestShareAlert) {
    alerts.push({ kind: "largest_share", partner: { slug: top.slug, name: top.name }, share: top.share });
  }
  return alerts;
}

const LAST_TOUCH_SQL = `SELECT p.id, (SELECT max(t.occurred_at) FROM touches t WHERE t.partner_id = p.id AND t.occurred_at < ?)
  FROM partners p WHERE p.status = 'active'`;

/**
 * Each active partner's latest touch before `at` (registrations are touches too), one index
 * seek per partner. Memoized on the newest touch id and the partner set: touches only ever get
 * added, so while no touch is newer than `at`, the latest touch overall is the answer.
 */
function lastTouches(c: Database.Database, at: number): Map<number, number | null> {
  const exact = () => new Map(c.prepare(LAST_TOUCH_SQL).raw(true).all(at) as [number, number | null][]);
  const key = c
    .prepare(`SELECT (SELECT coalesce(max(id), 0) FROM touches), count(*), total(id) FROM partners WHERE status = 'active'`)
    .raw(true)
    .get() as unknown[];
  const latest = memoized(c, "last-touch", key.join(":"), () => {
    // Unbounded, the subquery is a single seek to the end of the partner's index range; two JSON
    // arrays rather than a row per partner.
    const [ids, ats] = c
      .prepare(
        `SELECT json_group_array(p.id), json_group_array((SELECT max(t.occurred_at) FROM touches t WHERE t.partner_id = p.id))
           FROM partners p WHERE p.status = 'active'`,
      )
      .raw(true)
      .get() as [string, string];
    const pids = JSON.parse(ids) as number[];
    const latestAt = JSON.parse(ats) as (number | null)[];
    const map = new Map<number, number | null>();
    for (let k = 0; k < pids.length; k++) map.set(pids[k]!, latestAt[k]!);
    let newest = -Infinity;
    for (const v of map.values()) if (v !== null && v > newest) newest = v;
    return { map, newest };
  });
  return at > latest.newest ? latest.map : exact();
}

const REGISTERED_SQL = `SELECT partner_id, count(*), max(submitted_at) FROM deals
  WHERE partner_id IN (SELECT value FROM json_each(?)) AND submitted_at < ? GROUP BY partner_id`;

/**
 * Deals each partner registered before `at`. Memoized like lastTouches: on the newest deal id
 * and the partners asked about, valid while no counted deal was submitted at or after `at`.
 */
function registeredDeals(c: Database.Database, partnerIds: readonly number[], at: number): Map<number, number> {
  if (partnerIds.length === 0) return new Map();
  const ids = JSON.stringify(partnerIds);
  const count = (bound: number) => c.prepare(REGISTERED_SQL).raw(true).all(ids, bound) as [number, number, number][];
  const newestDeal = c.prepare(`SELECT coalesce(max(id), 0) FROM deals`).pluck().get() as number;
  const all = memoized(c, "registered", `${newestDeal}|${ids}`, () => {
    const rows = count(Number.MAX_SAFE_INTEGER);
    return { map: new Map(rows.map(([pid, n]) => [pid, n])), newest: Math.max(-Infinity, ...rows.map((r) => r[2])) };
  });
  return at > all.newest ? all.map : new Map(count(at).map(([pid, n]) => [pid, n]));
}

export type LongTailRow = {
  partner: EcosystemPartner;
  registeredDeals: number;
  lastActivityAt: number | null;
  flags: FlagEvidence[];
};

/**
 * The long tail (every active partner outside the N80 head, zeros included) with its flags.
 * Flags are computed for tail partners only; the program medians of `efficient` are taken
 * over all active partners, head included.
 */
export function longTail(
  db: DB,
  snapshot: EcosystemSnapshot,
  asOf: Date = new Date(),
): { baselines: ProgramBaselines; rows: LongTailRow[] } {
  const c = clientOf(db);
  const baselines = programBaselines(snapshot.partners);
  const tail = snapshot.partners.filter((p) => !p.inHead);
  const at = asOf.getTime();

  const lastTouch = lastTouches(c, at);
  // Registered deals, only for partners young enough to be ramping.
  const rampingSince = new Date(at - 180 * DAY).toISOString().slice(0, 10);
  const registered = registeredDeals(
    c,
    tail.filter((p) => p.joinedOn > rampingSince).map((p) => p.id),
    at,
  );
  const rows = tail.map((p): LongTailRow => {
    const registeredDeals = registered.get(p.id) ?? 0;
    const lastActivityAt = lastTouch.get(p.id) ?? null;
    const flags = longTailFlags(
      {
        last3Cents: p.last3Cents,
        prev3Cents: p.prev3Cents,
        wonDeals: p.wonDeals,
        lostDeals: p.lostDeals,
        joinedOn: p.joinedOn,
        registeredDeals,
        lastActivityAt,
      },
      baselines,
      asOf,
    );
    return { partner: p, registeredDeals, lastActivityAt, flags };
  });
  return { baselines, rows };
}

export type EcosystemAnalytics = {
  snapshot: EcosystemSnapshot;
  trend: TrendPoint[];
  alerts: EcosystemAlert[];
  longTail: { baselines: ProgramBaselines; rows: LongTailRow[] };
};

/**
 * Everything the ecosystem page shows, reading the partners once. Window sums and the trend
 * are memoized per connection on the rollup versions of their months and the partner set.
 */
export function ecosystemReport(db: DB, asOf: Date = new Date()): EcosystemAnalytics {
  const model = programModel(db);
  const period = analyticsPeriod(asOf);
  const { snapshot, series } = programSnapshot(db, model, period);
  const trend = memoized(clientOf(db), `trend:${model}:${period.endMonth}`, series, () => trendFrom(period, series));
  return { snapshot, trend, alerts: ecosystemAlerts(snapshot, trend), longTail: longTail(db, snapshot, asOf) };
}

export type LongTailFilters = {
  flag?: LongTailFlag;
  kind?: PartnerKind;
  region?: string;
  /** A user id, or "none" for partners without a manager. */
  manager?: string;
};

/** The long-tail rows a filter keeps: flagged ones first (most flags), then by revenue. */
export function filterLongTail(rows: readonly LongTailRow[], f: LongTailFilters): LongTailRow[] {
  return rows
    .filter(
      ({ partner: p, flags }) =>
        (!f.flag || flags.some((e) => e.flag === f.flag)) &&
        (!f.kind || p.kind === f.kind) &&
        (!f.region || p.region === f.region) &&
        (!f.manager || (f.manager === "none" ? p.managerId === null : p.managerId === f.manager)),
    )
    .sort((a, b) => b.flags.length - a.flags.length || b.partner.revenueCents - a.partner.revenueCents || a.partner.id - b.partner.id);
}

// An unknown value in the URL means "no filter", never an error page.
const lenient = <T extends z.ZodTypeAny>(schema: T) => schema.optional().catch(undefined);
const longTailSearchSchema = z.object({
  flag: lenient(z.enum(LONG_TAIL_FLAGS)),
  kind: lenient(z.enum(PARTNER_KINDS)),
  region: lenient(z.enum(REGIONS)),
  manager: lenient(z.string().trim().min(1).max(64)),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** The long-tail filters of a URL (?flag=&kind=&region=&manager=&page=), shared by the page and its CSV. */
export function longTailFiltersFromSearch(params: URLSearchParams): LongTailFilters & { page: number } {
  return longTailSearchSchema.parse(Object.fromEntries([...params].filter(([, v]) => v !== "")));
}

/**
 * Where one partner stands on the ecosystem page (its partner page): its place in the snapshot
 * and, in the long tail, its flags — the same definitions as longTail, with the latest touch
 * and registrations read for this partner alone rather than for the whole tail. null: not an
 * active partner, so not ranked.
 */
export function partnerPlacement(db: DB, partnerId: number, asOf: Date = new Date()): Omit<LongTailRow, "partner" | "registeredDeals" | "lastActivityAt"> & { partner: EcosystemPartner } | null {
  const { snapshot } = programSnapshot(db, programModel(db), analyticsPeriod(asOf));
  const c = clientOf(db);
  const p = snapshot.partners.find((x) => x.id === partnerId);
  if (!p) return null;
  if (p.inHead) return { partner: p, flags: [] };
  const at = asOf.getTime();
  const rampingSince = new Date(at - 180 * DAY).toISOString().slice(0, 10);
  const registeredDeals =
    p.joinedOn > rampingSince
      ? (c.prepare(`SELECT count(*) FROM deals WHERE partner_id = ? AND submitted_at < ?`).pluck().get(partnerId, at) as number)
      : 0;
  const lastActivityAt = c
    .prepare(`SELECT max(occurred_at) FROM touches WHERE partner_id = ? AND occurred_at < ?`)
    .pluck()
    .get(partnerId, at) as number | null;
  const flags = longTailFlags(
    { last3Cents: p.last3Cents, prev3Cents: p.prev3Cents, wonDeals: p.wonDeals, lostDeals: p.lostDeals, joinedOn: p.joinedOn, registeredDeals, lastActivityAt },
    programBaselines(snapshot.partners),
    asOf,
  );
  return { partner: p, flags };
}
