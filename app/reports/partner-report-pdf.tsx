// The partner's monthly report as an A4 PDF (@react-pdf/renderer): it lays out a PartnerReport
// and computes no figure of its own. Also the PDF building blocks the ecosystem report shares:
// the bundled fonts, the palette, KPI tiles, tables that break across pages with their header
// repeated, and the page footer with "Page n of m".
import { Document, Font, Line, Page, Rect, StyleSheet, Svg, Text, View, renderToBuffer } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/types";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ReactNode } from "react";
import { formatDate, formatMoney } from "../domain/format";
import type { Kpi, PartnerReport, ReportThreshold } from "./model.server";

// ---------------------------------------------------------------------------------------------
// Fonts: DejaVu Sans ships with the app (fonts/, Bitstream Vera licence) so that any partner
// name renders — "Łódź Systems", "Ærø Partners" — and rendering never touches the network.

export const FONT_FAMILY = "DejaVu Sans";

function fontDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From the source tree (tsx, vitest) the fonts sit beside this module. In the server build
  // this module is bundled into build/server/index.js, whose neighbour is not fonts/: the
  // fonts are then read from the source tree the build was made from.
  const candidates = [path.join(here, "fonts"), path.resolve(here, "../../app/reports/fonts")];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "DejaVuSans.ttf")));
  if (!found) throw new Error(`The report fonts are missing: looked for DejaVuSans.ttf in ${candidates.join(", ")}`);
  return found;
}

let fontsRegistered = false;

export function registerReportFonts() {
  if (fontsRegistered) return;
  const dir = fontDirectory();
  Font.register({
    family: FONT_FAMILY,
    fonts: [
      { src: path.join(dir, "DejaVuSans.ttf"), fontWeight: "normal" },
      { src: path.join(dir, "DejaVuSans-Bold.ttf"), fontWeight: "bold" },
    ],
  });
  // Names, titles and amounts are never hyphenated: "Harbor-line" would read as a typo.
  Font.registerHyphenationCallback((word) => [word]);
  fontsRegistered = true;
}

// Per-render costs of the embedded fonts, paid once per process instead (profiled: ~15% of a
// report's render). Both tweaks leave every glyph and position the PDF gets unchanged.
//
// 1. Shaping: textkit asks fontkit to shape every text run on every render, and DejaVu's
//    OpenType tables make that slow. A GlyphRun is never mutated by react-pdf (textkit maps its
//    positions into new objects; the renderer copies the glyph array before touching it), so
//    the same string with the same features can share one.
// 2. pdfkit's doc.font(fontkitFont), called for every text run, builds a new EmbeddedFont and
//    compares it with the cached one by JSON.stringify-ing the whole `name` table (DejaVu's
//    holds its licence text). A toJSON on those records makes that comparison cheap: it still
//    tells fonts apart by their PostScript name, version and table checksum.
const LAYOUT_CACHE_LIMIT = 20_000;
let fontsPrepared: Promise<void> | null = null;

type FontkitFont = {
  postscriptName?: string;
  version?: string | number;
  name?: { records?: object };
  layout: (string: string, features?: unknown, script?: string, language?: string, direction?: string) => unknown;
};

function prepareFont(font: FontkitFont) {
  const records = font.name?.records; // decodes the table now, not in the first render
  if (records && !Object.prototype.hasOwnProperty.call(records, "toJSON")) {
    const identity = `${font.postscriptName ?? ""}|${String(font.version ?? "")}`;
    Object.defineProperty(records, "toJSON", { value: () => identity, enumerable: false });
  }
  const layout = font.layout.bind(font);
  const cache = new Map<string, unknown>();
  font.layout = (string, features, script, language, direction) => {
    if (typeof string !== "string") return layout(string, features, script, language, direction);
    const key = `${string}\u0000${features === undefined ? "" : JSON.stringify(features)}\u0000${script ?? ""}\u0000${language ?? ""}\u0000${direction ?? ""}`;
    let run = cache.get(key);
    if (run === undefined) {
      if (cache.size >= LAYOUT_CACHE_LIMIT) cache.clear();
      run = layout(string, features, script, language, direction);
      cache.set(key, run);
    }
    return run;
  };
}

/** Registers the fonts, loads them and applies the once-per-process tweaks above. */
export function prepareReportFonts(): Promise<void> {
  registerReportFonts();
  fontsPrepared ??= (async () => {
    for (const fontWeight of [400, 700]) {
      const source = Font.getFont({ fontFamily: FONT_FAMILY, fontWeight }) as unknown as { load(): Promise<void>; data: FontkitFont | null } | undefined;
      if (!source) continue;
      await source.load();
      if (source.data && typeof source.data.layout === "function") prepareFont(source.data);
    }
  })().catch((error) => {
    fontsPrepared = null;
    throw error;
  });
  return fontsPrepared;
}

// ---------------------------------------------------------------------------------------------
// Palette and shared styles (the portal's colours, app/styles/app.css).

export const COLOR = {
  text: "#1b2030",
  muted: "#5b6378",
  border: "#dfe3ec",
  brand: "#3b4cca",
  brandSoft: "#e8ebff",
  brandLight: "#b9c0ea",
  ok: "#1f7a4d",
  okSoft: "#e3f5ec",
  warn: "#8a5a00",
  warnSoft: "#fff3d6",
  danger: "#b42318",
  dangerSoft: "#fde8e6",
  surface: "#f6f7fb",
  track: "#e6e9f2",
};

export const s = StyleSheet.create({
  page: { fontFamily: FONT_FAMILY, fontSize: 9, color: COLOR.text, paddingTop: 36, paddingBottom: 54, paddingHorizontal: 40 },
  header: { flexDirection: "row", justifyContent: "space-between", alignItems: "flex-end", borderBottomWidth: 2, borderBottomColor: COLOR.brand, paddingBottom: 10, marginBottom: 14 },
  eyebrow: { fontSize: 8, color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.8, marginBottom: 3 },
  title: { fontSize: 20, fontWeight: "bold", color: COLOR.text, lineHeight: 1.2 },
  subtitle: { fontSize: 11, color: COLOR.muted, marginTop: 2 },
  badge: { fontSize: 9, fontWeight: "bold", color: COLOR.brand, backgroundColor: COLOR.brandSoft, borderRadius: 9, paddingVertical: 3, paddingHorizontal: 9, alignSelf: "flex-end" },
  headerRight: { alignItems: "flex-end", maxWidth: 200 },
  headerFact: { fontSize: 8, color: COLOR.muted, marginTop: 4, textAlign: "right" },
  section: { marginBottom: 14 },
  h2: { fontSize: 11.5, fontWeight: "bold", marginBottom: 6, color: COLOR.text },
  note: { fontSize: 7.5, color: COLOR.muted, marginTop: 4 },
  tiles: { flexDirection: "row", marginBottom: 14, marginHorizontal: -3 },
  tile: { flex: 1, marginHorizontal: 3, borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 7, backgroundColor: "#ffffff" },
  tileLabel: { fontSize: 7.5, color: COLOR.muted, marginBottom: 3, minHeight: 18 },
  tileValue: { fontSize: 14, fontWeight: "bold" },
  tileDelta: { fontSize: 7.5, marginTop: 3 },
  tileNote: { fontSize: 6.5, color: COLOR.muted, marginTop: 2 },
  table: { borderTopWidth: 1, borderTopColor: COLOR.border },
  thead: { flexDirection: "row", backgroundColor: COLOR.surface, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  th: { fontSize: 7, fontWeight: "bold", color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.4, paddingVertical: 4, paddingHorizontal: 5 },
  tr: { flexDirection: "row", borderBottomWidth: 1, borderBottomColor: COLOR.border },
  td: { fontSize: 8.5, paddingVertical: 4, paddingHorizontal: 5 },
  empty: { fontSize: 9, color: COLOR.muted, paddingVertical: 6 },
  footer: { position: "absolute", left: 40, right: 40, bottom: 24, flexDirection: "row", justifyContent: "space-between", fontSize: 7.5, color: COLOR.muted, borderTopWidth: 1, borderTopColor: COLOR.border, paddingTop: 6 },
  columns: { flexDirection: "row", marginHorizontal: -8 },
  column: { flex: 1, marginHorizontal: 8 },
  panel: { borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 10, backgroundColor: COLOR.surface, marginBottom: 14 },
});

// The partner report's own fixed styles, made once rather than on every render.
const p = StyleSheet.create({
  bold: { fontWeight: "bold" },
  headerLeft: { flex: 1, paddingRight: 12 },
  threshold: { marginBottom: 7 },
  thresholdHead: { flexDirection: "row", justifyContent: "space-between", marginBottom: 2 },
  thresholdLabel: { fontSize: 8 },
  thresholdValue: { fontSize: 8, fontWeight: "bold" },
  thresholdMet: { fontSize: 7, color: COLOR.ok, marginTop: 2 },
  thresholdOpen: { fontSize: 7, color: COLOR.muted, marginTop: 2 },
  tierLine: { fontSize: 9, marginBottom: 6 },
  tierTop: { fontSize: 8, color: COLOR.muted },
  noActivityTitle: { fontSize: 12, fontWeight: "bold", marginBottom: 4 },
  action: { flexDirection: "row", marginBottom: 4 },
  actionNumber: { width: 14, color: COLOR.brand, fontWeight: "bold" },
  actionText: { flex: 1 },
  pipelineSummary: { fontSize: 8, color: COLOR.muted, marginBottom: 5 },
  expiring: { color: COLOR.warn, fontWeight: "bold" },
  expiringRow: { backgroundColor: COLOR.warnSoft },
});

/** A column's header and cell styles, shared by every table and render with that column shape. */
const columnStyles = new Map<string, { th: Style[]; td: Style[] }>();
function columnStyle(flex: number, align: "left" | "right" = "left") {
  const key = `${flex}|${align}`;
  let styles = columnStyles.get(key);
  if (!styles) {
    const shape: Style = { flex, textAlign: align };
    styles = { th: [s.th, shape], td: [s.td, shape] };
    columnStyles.set(key, styles);
  }
  return styles;
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

const TREND_MARK = { up: "▲", down: "▼", flat: "■", none: "" } as const;
const TREND_COLOR = { up: COLOR.ok, down: COLOR.danger, flat: COLOR.muted, none: COLOR.muted } as const;

export function KpiTile({ kpi, previousLabel }: { kpi: Kpi; previousLabel: string }) {
  return (
    <View style={s.tile} wrap={false}>
      <Text style={s.tileLabel}>{kpi.label}</Text>
      <Text style={s.tileValue}>{kpi.text.value}</Text>
      <Text style={[s.tileDelta, { color: TREND_COLOR[kpi.trend] }]}>
        {kpi.trend === "none" ? `${previousLabel}: ${kpi.text.previous}` : `${TREND_MARK[kpi.trend]} ${kpi.text.delta} vs ${previousLabel}`}
      </Text>
      {kpi.note ? <Text style={s.tileNote}>{kpi.note}</Text> : null}
    </View>
  );
}

export type Column<T> = {
  header: string;
  /** Share of the table width (flex grow). */
  flex: number;
  align?: "left" | "right";
  cell: (row: T) => string;
  cellStyle?: (row: T) => Style | undefined;
};

/**
 * A table whose header row repeats on every page it spans (`fixed` inside the table) and
 * whose rows never split across a page break (`wrap={false}`).
 */
export function PdfTable<T>({ columns, rows, rowKey, empty, rowStyle }: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  empty: string;
  rowStyle?: (row: T) => Style | undefined;
}) {
  if (rows.length === 0) return <Text style={s.empty}>{empty}</Text>;
  return (
    <View style={s.table}>
      <View style={s.thead} fixed minPresenceAhead={22}>
        {columns.map((c) => (
          <Text key={c.header} style={columnStyle(c.flex, c.align).th}>
            {c.header}
          </Text>
        ))}
      </View>
      {rows.map((row) => (
        <View key={rowKey(row)} style={withStyle(s.tr, rowStyle?.(row))} wrap={false}>
          {columns.map((c) => {
            const base = columnStyle(c.flex, c.align).td;
            const extra = c.cellStyle?.(row);
            return (
              <Text key={c.header} style={extra ? [...base, extra] : base}>
                {c.cell(row)}
              </Text>
            );
          })}
        </View>
      ))}
    </View>
  );
}

function withStyle(base: Style, extra: Style | undefined): Style | Style[] {
  return extra ? [base, extra] : base;
}

export function Footer({ left }: { left: string }) {
  return (
    <View style={s.footer} fixed>
      <Text>{left}</Text>
      <Text render={({ pageNumber, totalPages }) => `Page ${pageNumber} of ${totalPages}`} />
    </View>
  );
}

export function Section({ title, children, breakBefore }: { title: string; children: ReactNode; breakBefore?: boolean }) {
  return (
    <View style={s.section} break={breakBefore}>
      {/* Keep a heading with at least the first rows of what it introduces. */}
      <Text style={s.h2} minPresenceAhead={90}>
        {title}
      </Text>
      {children}
    </View>
  );
}

export function ProgressBar({ fraction, color = COLOR.brand }: { fraction: number; color?: string }) {
  const width = 100;
  return (
    <Svg width="100%" height={7} viewBox={`0 0 ${width} 7`} preserveAspectRatio="none">
      <Rect x={0} y={0} width={width} height={7} rx={3.5} ry={3.5} fill={COLOR.track} />
      {fraction > 0 ? <Rect x={0} y={0} width={Math.max(3, fraction * width)} height={7} rx={3.5} ry={3.5} fill={color} /> : null}
    </Svg>
  );
}

/** The smallest 1/2/2.5/5 × 10^k at or above `value`: round axis ticks. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 100_000;
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

// ---------------------------------------------------------------------------------------------
// The partner report.

function TrendChart({ report }: { report: PartnerReport }) {
  const months = report.trend.months;
  const width = 515;
  const height = 150;
  const pad = { top: 14, right: 4, bottom: 28, left: 52 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = niceCeiling(report.trend.maxCents);
  const slot = plotW / Math.max(1, months.length);
  const barW = slot * 0.62;
  const y = (cents: number) => pad.top + plotH - (cents / max) * plotH;
  const axis = (cents: number) => formatMoney(cents, report.currency, { compact: true });
  const label = { fontFamily: FONT_FAMILY, fontSize: 7, fill: COLOR.muted } as const;
  return (
    <Svg width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <Line key={f} x1={pad.left} x2={width - pad.right} y1={y(max * f)} y2={y(max * f)} stroke={f === 0 ? "#9aa3bd" : COLOR.border} strokeWidth={f === 0 ? 0.8 : 0.5} />
      ))}
      {[0, 0.5, 1].map((f) => (
        <Text key={f} x={pad.left - 5} y={y(max * f) + 2.5} textAnchor="end" style={label}>
          {axis(max * f)}
        </Text>
      ))}
      {months.map((m, i) => {
        const x = pad.left + i * slot + (slot - barW) / 2;
        const h = m.cents > 0 ? Math.max(1, (m.cents / max) * plotH) : 0;
        return (
          <Rect key={m.period} x={x} y={pad.top + plotH - h} width={barW} height={h} fill={m.current ? COLOR.brand : COLOR.brandLight} />
        );
      })}
      {months.map((m, i) => {
        const cx = pad.left + i * slot + slot / 2;
        return (
          <Text key={m.period} x={cx} y={pad.top + plotH + 10} textAnchor="middle" style={{ ...label, fill: m.current ? COLOR.text : COLOR.muted }}>
            {m.shortLabel}
          </Text>
        );
      })}
      {months.map((m, i) =>
        i === 0 || m.period.endsWith("-01") ? (
          <Text key={`y${m.period}`} x={pad.left + i * slot + slot / 2} y={pad.top + plotH + 20} textAnchor="middle" style={{ ...label, fontSize: 6.5 }}>
            {String(m.year)}
          </Text>
        ) : null,
      )}
      {months
        .filter((m) => m.current && m.cents > 0)
        .map((m) => {
          const i = months.indexOf(m);
          return (
            <Text key="value" x={pad.left + i * slot + slot / 2} y={y(m.cents) - 3} textAnchor="middle" style={{ ...label, fill: COLOR.text, fontSize: 6.5 }}>
              {axis(m.cents)}
            </Text>
          );
        })}
    </Svg>
  );
}

function ThresholdRow({ t }: { t: ReportThreshold }) {
  return (
    <View style={p.threshold} wrap={false}>
      <View style={p.thresholdHead}>
        <Text style={p.thresholdLabel}>{t.label}</Text>
        <Text style={p.thresholdValue}>
          {t.haveText} / {t.needText}
        </Text>
      </View>
      <ProgressBar fraction={t.fraction} color={t.met ? COLOR.ok : COLOR.brand} />
      <Text style={t.met ? p.thresholdMet : p.thresholdOpen}>{t.met ? "Met" : `Still needed: ${t.remainingText}`}</Text>
    </View>
  );
}

function TierPanel({ report }: { report: PartnerReport }) {
  const { tier } = report;
  return (
    <View>
      <Text style={p.tierLine}>
        <Text style={p.bold}>{tier.current.name}</Text>
        {tier.next ? ` → next: ${tier.next.name}${tier.next.rule === "any" ? " (any one threshold)" : " (every threshold)"}` : " — the top of the ladder"}
      </Text>
      {tier.thresholds.map((t) => (
        <ThresholdRow key={t.key} t={t} />
      ))}
      {tier.next === null ? (
        <Text style={p.tierTop}>
          12 months: {tier.metrics.text.revenue} attributed revenue, {tier.metrics.text.wonDeals} won deals.
        </Text>
      ) : null}
      {tier.evaluation ? <Text style={s.note}>{tier.evaluation.text}</Text> : null}
      <Text style={s.note}>Trailing 12 months to {formatDate(new Date(tier.asOf).getTime() - 1)}, {report.modelLabel} model.</Text>
    </View>
  );
}

function AttributionTable({ report }: { report: PartnerReport }) {
  return (
    <PdfTable
      columns={[
        { header: "Model", flex: 3, cell: (r) => (r.programModel ? `${r.label} (program)` : r.label), cellStyle: (r) => (r.programModel ? p.bold : undefined) },
        { header: "Credited", flex: 2, align: "right", cell: (r) => r.text, cellStyle: (r) => (r.programModel ? p.bold : undefined) },
      ]}
      rows={report.attribution}
      rowKey={(r) => r.model}
      empty="No attribution models."
    />
  );
}

export function PartnerReportDocument({ report }: { report: PartnerReport }) {
  const money = (cents: number) => formatMoney(cents, report.currency);
  const periodEndLabel = formatDate(new Date(report.window.to).getTime() - 1);
  return (
    <Document
      title={`${report.periodLabel} partner report — ${report.partner.name}`}
      author={report.programName}
      subject={`${report.partner.name}: monthly partner report for ${report.periodLabel}`}
      creator="Partner Portal"
      producer="Partner Portal"
      language="en"
    >
      <Page size="A4" style={s.page}>
        <View style={s.header}>
          <View style={p.headerLeft}>
            <Text style={s.eyebrow}>{report.programName} · Monthly partner report</Text>
            <Text style={s.title}>{report.partner.name}</Text>
            <Text style={s.subtitle}>{report.periodLabel}</Text>
          </View>
          <View style={s.headerRight}>
            <Text style={s.badge}>{report.partner.tier} tier</Text>
            <Text style={s.headerFact}>{report.partner.kindLabel}</Text>
            <Text style={s.headerFact}>Credit model: {report.modelLabel}</Text>
          </View>
        </View>

        {report.hasActivity ? (
          <View style={s.tiles}>
            {report.kpis.map((k) => (
              <KpiTile key={k.key} kpi={k} previousLabel={report.previousPeriodShortLabel} />
            ))}
          </View>
        ) : (
          <View style={s.panel}>
            <Text style={p.noActivityTitle}>No activity in {report.periodLabel}</Text>
            <Text>
              No registrations, decisions, closed deals or touches were recorded for {report.partner.name} this month, so there are no
              monthly figures to compare. Your tier progress, open registrations and the next steps that move you forward are below.
            </Text>
          </View>
        )}

        <Section title={`Credited revenue, last 12 months (${report.modelLabel})`}>
          {report.trend.totalCents > 0 ? (
            <>
              <TrendChart report={report} />
              <Text style={s.note}>
                {report.trend.totalText} credited over the 12 months ending {periodEndLabel}; {report.periodLabel} is the dark bar.
              </Text>
            </>
          ) : (
            <Text style={s.empty}>No revenue was credited to you in the 12 months ending {periodEndLabel}.</Text>
          )}
        </Section>

        <View style={s.columns}>
          <View style={s.column}>
            <Section title="Attribution by model">
              {report.attribution.some((m) => m.cents > 0) ? (
                <>
                  <AttributionTable report={report} />
                  <Text style={s.note}>
                    What {report.periodLabel}'s won deals credit you under each model; the program credits you under {report.modelLabel}.
                  </Text>
                </>
              ) : (
                <Text style={s.empty}>No deal won in {report.periodLabel} credits you under any model.</Text>
              )}
            </Section>
          </View>
          <View style={s.column}>
            <Section title="Tier progress">
              <TierPanel report={report} />
            </Section>
          </View>
        </View>

        <Section title="Recommended next actions">
          {report.actions.length === 0 ? (
            <Text style={s.empty}>Nothing needs your attention: keep registering and closing.</Text>
          ) : (
            report.actions.map((a, i) => (
              <View key={a.key} style={p.action} wrap={false}>
                <Text style={p.actionNumber}>{i + 1}.</Text>
                <Text style={p.actionText}>{a.text}</Text>
              </View>
            ))
          )}
        </Section>

        {report.hasActivity || report.wonDeals.length > 0 ? (
          <Section title={`Deals won in ${report.periodLabel}`}>
            <PdfTable
              columns={[
                { header: "Deal", flex: 5, cell: (d) => d.title },
                { header: "Closed", flex: 2, cell: (d) => formatDate(d.closedOn) },
                { header: "Source", flex: 1.7, cell: (d) => (d.source === "sourced" ? "Sourced" : "Influenced") },
                { header: "Amount", flex: 2, align: "right", cell: (d) => money(d.amountCents) },
                { header: "Your credit", flex: 2, align: "right", cell: (d) => money(d.creditCents), cellStyle: () => p.bold },
              ]}
              rows={report.wonDeals}
              rowKey={(d) => d.dealId}
              empty={`No deal you registered or touched was won in ${report.periodLabel}.`}
            />
            {report.wonDeals.some((d) => d.creditCents === 0) ? (
              <Text style={s.note}>
                A credit of {money(0)} means the deal credits you under other models than {report.modelLabel} (see Attribution by model).
              </Text>
            ) : null}
          </Section>
        ) : null}

        <Section title={`Open pipeline at ${periodEndLabel}`}>
          {report.pipeline.count > 0 ? (
            <Text style={p.pipelineSummary}>
              {report.pipeline.count} open registration{report.pipeline.count === 1 ? "" : "s"} worth {report.pipeline.totalText}
              {report.pipeline.expiringSoon > 0 ? `; ${report.pipeline.expiringSoon} expire${report.pipeline.expiringSoon === 1 ? "s" : ""} within 14 days (highlighted).` : "."}
            </Text>
          ) : null}
          <PdfTable
            columns={[
              { header: "Deal", flex: 5, cell: (d) => d.title },
              { header: "Stage", flex: 1.6, cell: (d) => (d.stage === "approved" ? "Approved" : "Submitted") },
              { header: "Submitted", flex: 2, cell: (d) => formatDate(d.submittedOn) },
              {
                header: "Protection ends",
                flex: 2.4,
                cell: (d) => (d.protectionEndsOn ? `${formatDate(d.protectionEndsOn)}${d.expiresSoon ? " ⚠" : ""}` : "—"),
                cellStyle: (d) => (d.expiresSoon ? p.expiring : undefined),
              },
              { header: "Amount", flex: 2, align: "right", cell: (d) => money(d.amountCents) },
            ]}
            rows={report.pipeline.deals}
            rowKey={(d) => d.dealId}
            rowStyle={(d) => (d.expiresSoon ? p.expiringRow : undefined)}
            empty="No open registrations. Register your next opportunity to protect it."
          />
          {report.pipeline.more > 0 ? (
            <Text style={s.note}>…and {report.pipeline.more} more; the full list is on the Deals page of the portal.</Text>
          ) : null}
        </Section>

        <Footer left={`${report.partner.name} · ${report.periodLabel} partner report`} />
      </Page>
    </Document>
  );
}

export async function renderPartnerReportPdf(report: PartnerReport): Promise<Buffer> {
  await prepareReportFonts();
  return renderToBuffer(<PartnerReportDocument report={report} />);
}
