// `npm run analytics`: ecosystem health and program metrics of a database, as one JSON object
// (--json, for scripts) or as readable tables. The same domain functions as the internal pages,
// and the report contract's figure texts (app/reports/contract.ts) where it prints the same figure.
//
//   npm run analytics -- --json --as-of 2026-11-01 --database /tmp/big.db
import fs from "node:fs";
import { parseArgs } from "node:util";
import { closeDatabase, openDatabase, runMigrations } from "../db.server";
import { ecosystemReport, type EcosystemAnalytics } from "../domain/ecosystem.server";
import { HHI_BAND_LABEL } from "../domain/concentration";
import { formatMoney, formatPercent } from "../domain/format";
import { describeEvidence } from "../domain/long-tail";
import { explainFigure } from "../domain/figures";
import { addMonths } from "../domain/periods";
import { programCurrency } from "../domain/program-settings.server";
import type { SampledFigure, SegmentMetrics } from "../domain/program-metrics";
import { programMetrics, type ProgramMetrics } from "../domain/program-metrics.server";
import { COST_DEFINITIONS, formatMultiple } from "../domain/cost-metrics";
import { costMetrics, type CostMetrics } from "../domain/cost-metrics.server";
import { hhiWhole, orDash } from "../reports/contract";
import { formatCount } from "./progress";

const USAGE = `Usage: npm run analytics -- [options]

  --json            print one JSON object instead of tables
  --as-of DATE      YYYY-MM-DD; figures are as of the last month-end on or before it (default: today, UTC)
  --database PATH   SQLite file (default: $DATABASE_PATH or ./data/portal.db)
  --help            show this help`;

class UsageError extends Error {}

function parseOptions(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: "boolean", default: false },
        "as-of": { type: "string" },
        database: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  let asOf = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z");
  if (v["as-of"] !== undefined) {
    const raw = v["as-of"];
    const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : null;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
      throw new UsageError(`--as-of must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(raw)}`);
    }
    asOf = date;
  }
  const database = v.database ?? process.env.DATABASE_PATH ?? "./data/portal.db";
  if (!database.trim()) throw new UsageError("--database must be a file path");
  return { json: v.json!, help: v.help!, asOf, database };
}

/** The one object --json prints. */
function analyticsJson(report: EcosystemAnalytics, program: ProgramMetrics, cost: CostMetrics, asOf: Date, currency: string) {
  const { snapshot } = report;
  const c = snapshot.concentration;
  const flagsOf = new Map(report.longTail.rows.map((r) => [r.partner.id, r.flags]));
  return {
    asOf: asOf.toISOString().slice(0, 10),
    window: { from: snapshot.period.from.slice(0, 10), to: snapshot.period.to.slice(0, 10), lastDay: snapshot.period.lastDay },
    model: snapshot.model,
    currency,
    /** What perPartner[].revenueCents counts: the catalogue's credited revenue (domain/figures.ts). */
    definitions: { revenueCents: explainFigure("creditedRevenue", { model: snapshot.model, currency }) },
    partners: c.n,
    revenueCents: c.revenueCents,
    hhi: c.hhi,
    band: c.band,
    effectivePartners: c.effectivePartners,
    top20Share: c.top20Share,
    n80: c.n80,
    gini: c.gini,
    largestShare: c.largestShare,
    head: snapshot.head,
    tail: snapshot.tail,
    alerts: report.alerts,
    trend: report.trend,
    perPartner: snapshot.partners.map((p) => {
      const evidence = flagsOf.get(p.id) ?? [];
      return {
        slug: p.slug,
        revenueCents: p.revenueCents,
        share: p.share,
        inHead: p.inHead,
        flags: evidence.map((e) => e.flag),
        evidence,
      };
    }),
    program,
    /** Cost and return (decision 0022): every figure with the inputs it is computed from. */
    costAndReturn: { definitions: COST_DEFINITIONS, ...costAndReturn(cost) },
  };
}

/** The cost figures without the window object already printed above, months as the monthly inputs. */
function costAndReturn(cost: CostMetrics) {
  const { period: _period, ...rest } = cost;
  return rest;
}

const fig = (f: SampledFigure, show: (v: number) => string) =>
  `${orDash(f.value, show)} (n=${formatCount(f.n)}${f.lowSample ? ", low sample" : ""})`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")).join("\n");
}

function readable(report: EcosystemAnalytics, program: ProgramMetrics, asOf: Date): string {
  const { snapshot } = report;
  const c = snapshot.concentration;
  const money = (cents: number) => formatMoney(cents, "USD", { compact: true });
  const out: string[] = [];
  out.push(
    `Ecosystem as of ${asOf.toISOString().slice(0, 10)}: ${snapshot.period.from.slice(0, 10)} – ${snapshot.period.lastDay}, ${
      snapshot.model
    } model`,
    "",
    table([
      ["Active partners", formatCount(c.n)],
      ["Credited revenue", money(c.revenueCents)],
      ["HHI", c.hhi === null ? "—" : `${hhiWhole(c.hhi)} (${HHI_BAND_LABEL[c.band!]})`],
      ["Effective partners", orDash(c.effectivePartners, (v) => v.toFixed(1))],
      ["Top-20% share", orDash(c.top20Share, (v) => formatPercent(v))],
      ["N80", c.n80 === null ? "—" : `${formatCount(c.n80)} of ${formatCount(c.n)}`],
      ["Gini", c.gini.toFixed(3)],
      ["Largest share", c.largestShare === null ? "—" : `${formatPercent(c.largestShare)}${c.largestShareAlert ? " (above 25%)" : ""}`],
    ]),
    "",
  );
  for (const a of report.alerts) {
    out.push(
      a.kind === "hhi_band_up"
        ? `ALERT: HHI moved from ${HHI_BAND_LABEL[a.from]} to ${HHI_BAND_LABEL[a.to]} (${hhiWhole(a.previousHhi)} → ${hhiWhole(a.hhi)})`
        : `ALERT: ${a.partner.name} (${a.partner.slug}) brings ${formatPercent(a.share)} of credited revenue`,
    );
  }
  out.push(
    "Trend (month-end, HHI, top-20%, N80, Gini)",
    table(
      report.trend.map((p) => [
        p.monthEnd,
        hhiWhole(p.hhi),
        orDash(p.top20Share, (v) => formatPercent(v)),
        orDash(p.n80, String),
        p.gini.toFixed(3),
      ]),
    ),
    "",
    "Top partners",
    table([
      ["Partner", "Revenue", "Share"],
      ...snapshot.partners.slice(0, 10).map((p) => [p.slug, money(p.revenueCents), formatPercent(p.share)]),
    ]),
    "",
  );
  const flagged = report.longTail.rows.filter((r) => r.flags.length);
  out.push(`Long tail: ${formatCount(snapshot.tail.partners)} partners, ${formatCount(flagged.length)} flagged`);
  for (const r of flagged.slice(0, 15)) {
    out.push(`  ${r.partner.slug}: ${r.flags.map((e) => `${e.flag} — ${describeEvidence(e)}`).join("; ")}`);
  }
  const row = (label: string, m: SegmentMetrics) => [
    label,
    fig(m.winRate, (v) => formatPercent(v)),
    fig(m.acvCents, (v) => money(Math.round(v))),
    fig(m.medianCycleDays, (v) => `${v} d`),
    fig(m.nrr, (v) => formatPercent(v)),
    fig(m.logoChurn, (v) => formatPercent(v)),
  ];
  out.push(
    "",
    `Program metrics (${program.period.fromMonth} – ${addMonths(program.period.endMonth, -1)}; retention ${
      program.retentionMonths.then
    } → ${program.retentionMonths.now})`,
    table([
      ["", "Win rate", "ACV", "Median cycle", "NRR", "Logo churn"],
      row("Partner-involved", program.involved),
      row("Direct", program.direct),
      ...program.byKind.map((k) => row(`  kind ${k.kind}`, k)),
      ...program.byPillar.map((p) => row(`  pillar ${p.pillar}`, p)),
    ]),
    "",
    `Revenue split: ${program.revenueSplit.parts
      .map((p) => `${p.source} ${money(p.cents)} (${orDash(p.share, (v) => formatPercent(v))})`)
      .join(", ")}`,
  );
  return out.join("\n");
}

function readableCost(cost: CostMetrics): string {
  const m = (cents: number | null) => (cents === null ? "—" : formatMoney(Math.round(cents), cost.currency));
  const i = cost.inputs;
  return [
    "Cost and return",
    `  partner program spend ${m(i.partnerSpendCents)} (MDF paid ${m(i.mdfPaidCents)}), direct spend ${m(i.directSpendCents)}`,
    `  new customers: sourced ${i.newCustomers.sourced}, influenced ${i.newCustomers.influenced}, direct ${i.newCustomers.direct}`,
    `  blended CAC: partner ${m(cost.cac.partner.valueCents)}, sourced only ${m(cost.cac.sourcedOnly.valueCents)}, direct ${m(cost.cac.direct.valueCents)}; ratio ${cost.cacRatio.value === null ? `— (${cost.cacRatio.reason})` : cost.cacRatio.value.toFixed(2)}`,
    `  MDF ROI ${formatMultiple(cost.mdf.total.roi.value)} (${m(cost.mdf.total.wonCents)} won ÷ ${m(cost.mdf.total.paidCents)} paid), pipeline ${m(cost.mdf.total.pipelineCents)}`,
    `  program ROIC ${cost.roic.value === null ? `— (${cost.roic.reason})` : formatMultiple(cost.roic.value)}`,
    `  lead quality: median days to won sourced ${cost.leadQuality.sourced.medianDaysToWon ?? "—"}, direct ${cost.leadQuality.direct.medianDaysToWon ?? "—"}`,
  ].join("\n");
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  if (!fs.existsSync(options.database)) throw new UsageError(`no database at ${options.database}`);
  const db = openDatabase(options.database);
  try {
    runMigrations(db);
    const report = ecosystemReport(db, options.asOf);
    const program = programMetrics(db, options.asOf);
    const cost = costMetrics(db, options.asOf);
    if (options.json) process.stdout.write(`${JSON.stringify(analyticsJson(report, program, cost, options.asOf, programCurrency(db)))}\n`);
    else console.log(`${readable(report, program, options.asOf)}\n\n${readableCost(cost)}`);
  } finally {
    closeDatabase(db);
  }
}

try {
  main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`analytics: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
