// The internal ecosystem report (docs/domain.md "Reports", "Ecosystem health"): the program's
// monthly figures for the partner team, computed once into the EcosystemReport of contract.ts
// that the PDF, the email and the ecosystem page render. The analytics sections are built by
// `ecosystemSections` from the ecosystem page's own computation (ecosystemReport of
// domain/ecosystem.server.ts), so the page, the PDF and the CLI cannot disagree.
import type { DB } from "../db.server";
import { formatMultiple, type Cac } from "../domain/cost-metrics";
import { costMetrics, type CostMetrics } from "../domain/cost-metrics.server";
import { MODEL_LABEL, type DealSource } from "../domain/attribution";
import { HHI_BAND_LABEL, type Concentration } from "../domain/concentration";
import { countPendingApplications, countActivePartnersJoinedBefore, partnersJoinedBetween, tierNamesOf } from "../domain/partner-roster.server";
import { programRegistrationCounts } from "../domain/deal-activity.server";
import { ecosystemReport, filterLongTail, type EcosystemAlert, type EcosystemAnalytics } from "../domain/ecosystem.server";
import { formatDate, formatMoney, formatPercent } from "../domain/format";
import { describeEvidence, FLAG_LABEL, LONG_TAIL_FLAGS } from "../domain/long-tail";
import { LOW_SAMPLE, type SampledFigure, type SegmentMetrics } from "../domain/program-metrics";
import { monthRevenueBySource, programMetrics, type ProgramMetrics } from "../domain/program-metrics.server";
import { addMonths, periodEnd, periodLabel, periodStart, shortMonthLabel } from "../domain/periods";
import { programProfile } from "../domain/program-settings.server";
import { countPendingReviews } from "../domain/tier-history.server";
import {
  countText,
  FLAGGED_ROW_LIMIT,
  hhiText,
  KIND_LABEL,
  orDash,
  SOURCE_LABEL,
  validateReportPeriod,
  type AnalyticsWindow,
  type ConcentrationFigures,
  type EcosystemReport,
  type ProgramMetricKey,
  type ReportFigure,
  type SourceFigures,
  type CostAndReturnSection,
} from "./contract";

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function concentrationFigures(c: Concentration): ConcentrationFigures {
  return {
    n: c.n,
    revenueCents: c.revenueCents,
    hhi: c.hhi,
    band: c.band,
    bandLabel: c.band ? HHI_BAND_LABEL[c.band] : null,
    effectivePartners: c.effectivePartners,
    top20Count: c.top20Count,
    top20Share: c.top20Share,
    n80: c.n80,
    gini: c.gini,
    largestShare: c.largestShare,
    largestShareAlert: c.largestShareAlert,
    text: {
      hhi: hhiText(c.hhi),
      effectivePartners: orDash(c.effectivePartners, (v) => v.toFixed(1)),
      top20Share: orDash(c.top20Share, (v) => formatPercent(v)),
      n80: orDash(c.n80, (v) => countText(v)),
      gini: c.gini.toFixed(3),
      largestShare: orDash(c.largestShare, (v) => formatPercent(v)),
    },
  };
}

function alertText(a: EcosystemAlert): string {
  return a.kind === "hhi_band_up"
    ? `Concentration rose into a higher band at ${formatDate(a.monthEnd)}: HHI ${hhiText(a.previousHhi)} → ${hhiText(a.hhi)}, now ${HHI_BAND_LABEL[
        a.to
      ].toLowerCase()} (was ${HHI_BAND_LABEL[a.from].toLowerCase()}).`
    : `${a.partner.name} brings ${formatPercent(a.share)} of credited revenue, above the 25% alert line.`;
}

function reportFigure(f: SampledFigure, show: (v: number) => string, unit: string): ReportFigure {
  return { ...f, text: f.value === null ? "—" : show(f.value), sampleText: `n = ${countText(f.n)} ${unit}` };
}

function programSection(program: ProgramMetrics, currency: string): EcosystemReport["program"] {
  // A mean amount, to the whole currency unit.
  const money = (v: number) => formatMoney(Math.round(v / 100) * 100, currency);
  const days = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)} days`;
  const metric = (key: ProgramMetricKey, label: string, pick: (m: SegmentMetrics) => SampledFigure, show: (v: number) => string, unit: string) => ({
    key,
    label,
    involved: reportFigure(pick(program.involved), show, unit),
    direct: reportFigure(pick(program.direct), show, unit),
  });
  return {
    window: { from: program.period.from, to: program.period.to, lastDay: program.period.lastDay },
    retentionMonths: program.retentionMonths,
    lowSampleBelow: LOW_SAMPLE,
    metrics: [
      metric("winRate", "Win rate", (m) => m.winRate, (v) => formatPercent(v), "closed deals"),
      metric("acv", "ACV (mean won amount)", (m) => m.acvCents, money, "won deals"),
      metric("medianCycleDays", "Median sales cycle", (m) => m.medianCycleDays, days, "won deals"),
      metric("nrr", "Net revenue retention", (m) => m.nrr, (v) => formatPercent(v), "customers"),
      metric("logoChurn", "Logo churn", (m) => m.logoChurn, (v) => formatPercent(v), "customers"),
    ],
    revenueSplit: {
      totalCents: program.revenueSplit.totalCents,
      totalText: formatMoney(program.revenueSplit.totalCents, currency),
      parts: program.revenueSplit.parts.map((p) => ({
        source: p.source,
        label: SOURCE_LABEL[p.source],
        cents: p.cents,
        text: formatMoney(p.cents, currency),
        share: p.share,
        shareText: orDash(p.share, (v) => formatPercent(v)),
        // The count itself, also when it is 0 (a sampled figure would say "—").
        wonDeals: { ...reportFigure(p.wonDeals, String, "won deals"), text: countText(p.wonDeals.n) },
      })),
    },
  };
}

/** The program's monthly figures for the partner team. */

/** The sections of an EcosystemReport that come from the ecosystem page's computation. */
export type EcosystemSections = Pick<
  EcosystemReport,
  "model" | "modelLabel" | "asOf" | "analyticsWindow" | "topPartners" | "concentration" | "alerts" | "headTail" | "longTail"
>;

/**
 * The analytics sections of the report from `eco` (ecosystemReport as of `asOf`): what the
 * report PDF prints for a period and what the ecosystem page shows today.
 */
export function ecosystemSections(db: DB, eco: EcosystemAnalytics, asOf: Date, currency: string): EcosystemSections {
  const { snapshot } = eco;
  const c = snapshot.concentration;
  const win = snapshot.period;
  const analyticsWindow: AnalyticsWindow = { from: win.from, to: win.to, lastDay: win.lastDay, fromMonth: win.fromMonth, endMonth: win.endMonth };

  const top = snapshot.partners.filter((p) => p.revenueCents > 0).slice(0, 10);
  const tierOf = tierNamesOf(
    db,
    top.map((p) => p.id),
  );
  const share = (cents: number) => (c.revenueCents > 0 ? cents / c.revenueCents : null);
  const flagged = filterLongTail(eco.longTail.rows, {}).filter((r) => r.flags.length > 0);
  const { baselines } = eco.longTail;

  return {
    model: snapshot.model,
    modelLabel: MODEL_LABEL[snapshot.model],
    asOf: asOf.toISOString(),
    analyticsWindow,
    topPartners: {
      window: { from: win.from, to: win.to },
      rows: top.map((p) => ({
        rank: p.rank,
        partnerId: p.id,
        name: p.name,
        slug: p.slug,
        tier: tierOf.get(p.id) ?? "—",
        cents: p.revenueCents,
        text: formatMoney(p.revenueCents, currency),
        deals: p.wonDeals,
        share: share(p.revenueCents),
      })),
    },
    concentration: {
      window: { from: win.from, to: win.to },
      ...concentrationFigures(c),
      revenueText: formatMoney(c.revenueCents, currency),
      largestPartner: snapshot.partners[0] && c.revenueCents > 0 ? { name: snapshot.partners[0].name, slug: snapshot.partners[0].slug } : null,
      trend: eco.trend.map((p) => {
        const f = concentrationFigures({ ...p, top20Count: 0, largestShareAlert: false });
        return {
          month: p.month,
          monthEnd: p.monthEnd,
          hhi: f.hhi,
          band: f.band,
          bandLabel: f.bandLabel,
          top20Share: f.top20Share,
          n80: f.n80,
          gini: f.gini,
          largestShare: f.largestShare,
          text: { hhi: f.text.hhi, top20Share: f.text.top20Share, n80: f.text.n80, gini: f.text.gini, largestShare: f.text.largestShare },
        };
      }),
    },
    alerts: eco.alerts.map((a) => ({ ...a, text: alertText(a) })),
    headTail: {
      head: { ...snapshot.head, text: formatMoney(snapshot.head.revenueCents, currency), share: share(snapshot.head.revenueCents) },
      tail: { ...snapshot.tail, text: formatMoney(snapshot.tail.revenueCents, currency), share: share(snapshot.tail.revenueCents) },
    },
    longTail: {
      partners: eco.longTail.rows.length,
      flagged: flagged.length,
      flagCounts: LONG_TAIL_FLAGS.map((flag) => ({
        flag,
        label: FLAG_LABEL[flag],
        count: eco.longTail.rows.filter((r) => r.flags.some((e) => e.flag === flag)).length,
      })),
      baselines: {
        ...baselines,
        text: {
          medianWinRate: orDash(baselines.medianWinRate, (v) => formatPercent(v, 0)),
          medianClosedDeals: orDash(baselines.medianClosedDeals, (v) => String(v)),
        },
      },
      top: flagged.slice(0, FLAGGED_ROW_LIMIT).map((r) => ({
        partnerId: r.partner.id,
        name: r.partner.name,
        slug: r.partner.slug,
        kind: r.partner.kind,
        kindLabel: KIND_LABEL[r.partner.kind],
        region: r.partner.region,
        revenueCents: r.partner.revenueCents,
        revenueText: formatMoney(r.partner.revenueCents, currency),
        share: r.partner.share,
        flags: r.flags.map((e) => ({ flag: e.flag, label: FLAG_LABEL[e.flag], text: describeEvidence(e), evidence: e })),
      })),
      more: Math.max(0, flagged.length - FLAGGED_ROW_LIMIT),
    },
  };
}

/** The program's monthly figures for the partner team. */
export function buildEcosystemReport(db: DB, period: string, options: { now?: Date } = {}): EcosystemReport {
  const now = options.now ?? new Date();
  validateReportPeriod(period, now);
  const { currency, programName, paperSize } = programProfile(db);
  const from = periodStart(period);
  const end = periodEnd(period);
  const previousPeriod = addMonths(period, -1);
  const joined = partnersJoinedBetween(db, isoDay(from.getTime()), isoDay(end.getTime()));

  // Won revenue of the month by source: the rollups' segments, i.e. dealSource's rule.
  const bySource = monthRevenueBySource(db, period);
  const totalCents = bySource.sourced.cents + bySource.influenced.cents + bySource.direct.cents;
  const source = (key: DealSource): SourceFigures => {
    const { cents, deals } = bySource[key];
    return { cents, deals, share: totalCents > 0 ? cents / totalCents : null, text: formatMoney(cents, currency) };
  };

  // The ecosystem page's figures as of the first instant after the period: one computation.
  const sections = ecosystemSections(db, ecosystemReport(db, end), end, currency);

  return {
    kind: "ecosystem",
    version: 2,
    generatedAt: now.toISOString(),
    programName,
    currency,
    paperSize,
    period,
    periodLabel: periodLabel(period),
    previousPeriodLabel: periodLabel(previousPeriod),
    previousPeriodShortLabel: shortMonthLabel(previousPeriod),
    window: { from: from.toISOString(), to: end.toISOString() },
    model: sections.model,
    modelLabel: sections.modelLabel,
    partners: {
      active: countActivePartnersJoinedBefore(db, isoDay(end.getTime())),
      joined: joined.length,
      joinedNames: joined.slice(0, 20).map((p) => p.name),
    },
    registrations: { ...programRegistrationCounts(db, from, end), previous: programRegistrationCounts(db, periodStart(previousPeriod), from) },
    revenue: {
      totalCents,
      totalText: formatMoney(totalCents, currency),
      deals: bySource.sourced.deals + bySource.influenced.deals + bySource.direct.deals,
      sourced: source("sourced"),
      influenced: source("influenced"),
      direct: source("direct"),
    },
    asOf: sections.asOf,
    analyticsWindow: sections.analyticsWindow,
    topPartners: sections.topPartners,
    queue: { asOf: now.toISOString(), pendingTierReviews: countPendingReviews(db), pendingApplications: countPendingApplications(db) },
    concentration: sections.concentration,
    alerts: sections.alerts,
    headTail: sections.headTail,
    longTail: sections.longTail,
    program: programSection(programMetrics(db, end), currency),
    costAndReturn: costAndReturnSection(costMetrics(db, end), currency),
  };
}

/** Cost and return as the PDF prints it: "—" always with its reason, figures with their inputs. */
export function costAndReturnSection(cost: CostMetrics, currency: string): CostAndReturnSection {
  const m = (cents: number) => formatMoney(Math.round(cents), currency);
  const i = cost.inputs;
  const cac = (c: Cac) => ({ value: c.valueCents === null ? "—" : m(c.valueCents), detail: c.valueCents === null ? c.reason! : `${m(c.spendCents)} ÷ ${c.newCustomers} new customers${c.lowSample ? " (low sample)" : ""}` });
  const lq = (ch: "sourced" | "direct") => {
    const q = cost.leadQuality[ch];
    return {
      value: q.medianDaysToWon === null ? "—" : `${q.medianDaysToWon} days`,
      detail: `${q.winRate.value === null ? "no registrations" : formatPercent(q.winRate.value)} of ${q.registered} registrations won; n = ${q.wonInWindow} won`,
    };
  };
  return {
    window: { from: cost.period.from, lastDay: cost.period.lastDay },
    rows: [
      { label: "Partner program spend", value: m(i.partnerSpendCents), detail: `${m(i.recordedPartnerSpendCents)} recorded + ${m(i.mdfPaidCents)} MDF paid` },
      { label: "Direct sales and marketing spend", value: m(i.directSpendCents), detail: "recorded" },
      { label: "Blended CAC, partner", ...cac(cost.cac.partner) },
      { label: "Blended CAC, partner-sourced only", ...cac(cost.cac.sourcedOnly) },
      { label: "Blended CAC, direct", ...cac(cost.cac.direct) },
      {
        label: "CAC ratio, partner ÷ direct",
        value: cost.cacRatio.value === null ? "—" : cost.cacRatio.value.toFixed(2),
        detail: cost.cacRatio.value === null ? cost.cacRatio.reason! : `n = ${cost.cacRatio.partner.n} partner, ${cost.cacRatio.direct.n} direct new customers`,
      },
      {
        label: "MDF ROI",
        value: formatMultiple(cost.mdf.total.roi.value),
        detail: cost.mdf.total.roi.value === null ? cost.mdf.total.roi.reason! : `${m(cost.mdf.total.wonCents)} won ÷ ${m(cost.mdf.total.paidCents)} paid; ${m(cost.mdf.total.pipelineCents)} pipeline created`,
      },
      {
        label: "Program ROIC",
        value: formatMultiple(cost.roic.value),
        detail: cost.roic.value === null ? cost.roic.reason! : `${m(cost.roic.grossProfitCents)} gross profit (${formatPercent(i.grossMarginBp / 10_000)} margin) ÷ ${m(i.partnerSpendCents)}`,
      },
      { label: "Median days to won, partner-sourced", ...lq("sourced") },
      { label: "Median days to won, direct", ...lq("direct") },
    ],
    mdfByActivity: cost.mdf.byActivity.map((a) => ({ activity: a.activityType, paid: m(a.paidCents), won: m(a.wonCents), pipeline: m(a.pipelineCents), roi: formatMultiple(a.roi.value) })),
  };
}
