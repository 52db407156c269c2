// The partner's monthly report as an A4 PDF (@react-pdf/renderer): it lays out a PartnerReport
// and computes no figure of its own.
//
// The layout is fixed: every block has a height known before react-pdf sees it (explicit line
// heights, text measured in the report font by pdf-text.ts and capped with maxLines, table rows
// of one line each), so this module decides the page breaks itself — the summary on page 1,
// then the won deals and the open pipeline, which continue onto as many pages as they need with
// their heading and table header repeated — and writes "Page n of m" as plain text. react-pdf
// then lays every page out once, without its pagination passes (which laid each page out three
// times, twice more for the page numbers): the monthly run renders one of these per partner.
import { Document, Line, Page, Rect, StyleSheet, Svg, Text, View, renderToBuffer } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/types";
import { formatDate, formatMoney } from "../domain/format";
import { axisTicks, niceCeiling, type Kpi, type PartnerReport } from "./contract";
import { COLOR, FONT_FAMILY, Footer, prepareReportFonts, s } from "./pdf-kit";
import { fitLine, lineCount, textWidth, type TextStyle } from "./pdf-text";

// ---------------------------------------------------------------------------------------------
// Geometry (points). The page's padding comes from s.page: 36 top, 54 bottom, 40 each side.

export const CONTENT_WIDTH = 595.28 - 80;
/** The height blocks may fill on a page, above the footer. */
export const BODY_HEIGHT = 841.89 - 36 - 54;
const LH = 1.25;
const GAP = 14; // below every block and section
const HEADING = { fontSize: 11.5, bold: true } satisfies TextStyle;
const HEADING_LINE = 11.5 * LH;
const HEADING_GAP = 6;
const NOTE = { fontSize: 7.5 } satisfies TextStyle;
const NOTE_LINE = 7.5 * LH;
const BODY = { fontSize: 9 } satisfies TextStyle;
const BODY_LINE = 9 * LH;
const CELL = { fontSize: 8.5 } satisfies TextStyle;
const CELL_PADDING_X = 5;
const THEAD_HEIGHT = 18;
const ROW_HEIGHT = 19;
const COLUMN_WIDTH = (CONTENT_WIDTH + 16) / 2 - 16;
const HEADER_RIGHT_WIDTH = 190;
const EMPTY_PADDING = 12;

const r = StyleSheet.create({
  header: { flexDirection: "row", justifyContent: "space-between", alignItems: "flex-end", borderBottomWidth: 2, borderBottomColor: COLOR.brand, paddingBottom: 10, marginBottom: GAP },
  headerLeft: { flex: 1, paddingRight: 12 },
  headerRight: { width: HEADER_RIGHT_WIDTH, alignItems: "flex-end" },
  eyebrow: { fontSize: 8, lineHeight: LH, color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.8, marginBottom: 3 },
  title: { fontSize: 20, lineHeight: 1.2, fontWeight: "bold", color: COLOR.text },
  subtitle: { fontSize: 11, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  badge: { fontSize: 9, lineHeight: LH, fontWeight: "bold", color: COLOR.brand, backgroundColor: COLOR.brandSoft, borderRadius: 9, paddingVertical: 3, paddingHorizontal: 9 },
  headerFact: { fontSize: 8, lineHeight: LH, color: COLOR.muted, marginTop: 4, textAlign: "right" },
  tiles: { flexDirection: "row", marginBottom: GAP, marginHorizontal: -3 },
  tile: { flex: 1, marginHorizontal: 3, borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 7, backgroundColor: "#ffffff" },
  tileLabel: { fontSize: 7.5, lineHeight: LH, color: COLOR.muted, marginBottom: 3, minHeight: 18 },
  tileValue: { fontSize: 14, lineHeight: 1.2, fontWeight: "bold" },
  tileDelta: { fontSize: 7.5, lineHeight: LH, marginTop: 3 },
  tileNote: { fontSize: 6.5, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  panel: { borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 10, backgroundColor: COLOR.surface, marginBottom: GAP },
  noActivityTitle: { fontSize: 12, lineHeight: LH, fontWeight: "bold", marginBottom: 4 },
  body: { fontSize: 9, lineHeight: LH },
  block: { marginBottom: GAP },
  h2: { fontSize: 11.5, lineHeight: LH, fontWeight: "bold", color: COLOR.text },
  note: { fontSize: 7.5, lineHeight: LH, color: COLOR.muted, marginTop: 4 },
  empty: { fontSize: 9, lineHeight: LH, color: COLOR.muted, paddingVertical: EMPTY_PADDING / 2 },
  columns: { flexDirection: "row", marginHorizontal: -8, marginBottom: GAP },
  column: { width: COLUMN_WIDTH, marginHorizontal: 8 },
  bold: { fontWeight: "bold" },
  threshold: { marginBottom: 7 },
  thresholdHead: { flexDirection: "row", justifyContent: "space-between", marginBottom: 2 },
  thresholdLabel: { fontSize: 8, lineHeight: LH },
  thresholdValue: { fontSize: 8, lineHeight: LH, fontWeight: "bold" },
  thresholdMet: { fontSize: 7, lineHeight: LH, color: COLOR.ok, marginTop: 2 },
  thresholdOpen: { fontSize: 7, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  tierLine: { fontSize: 9, lineHeight: LH, marginBottom: 6 },
  tierTop: { fontSize: 8, lineHeight: LH, color: COLOR.muted },
  action: { flexDirection: "row", marginBottom: 4 },
  actionNumber: { width: 14, fontSize: 9, lineHeight: LH, color: COLOR.brand, fontWeight: "bold" },
  actionText: { flex: 1, fontSize: 9, lineHeight: LH },
  pipelineSummary: { fontSize: 8, lineHeight: LH, color: COLOR.muted, marginBottom: 5 },
  thead: { flexDirection: "row", height: THEAD_HEIGHT, backgroundColor: COLOR.surface, borderTopWidth: 1, borderTopColor: COLOR.border, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  th: { fontSize: 7, lineHeight: LH, fontWeight: "bold", color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.4, paddingVertical: 3.5, paddingHorizontal: CELL_PADDING_X },
  tr: { flexDirection: "row", height: ROW_HEIGHT, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  td: { fontSize: 8.5, lineHeight: 1.2, paddingVertical: 3.5, paddingHorizontal: CELL_PADDING_X },
  expiring: { color: COLOR.warn, fontWeight: "bold" },
  expiringRow: { backgroundColor: COLOR.warnSoft },
});

const TH = { fontSize: 7, bold: true, letterSpacing: 0.4, upperCase: true } satisfies TextStyle;

// ---------------------------------------------------------------------------------------------
// Fixed tables: one line per row, cells cut to their column with "…".

type FixedColumn<T> = {
  header: string;
  /** Share of the table width. */
  flex: number;
  align?: "left" | "right";
  cell: (row: T) => string;
  cellStyle?: (row: T) => Style | undefined;
};

type TableRow = { key: string | number; cells: { text: string; style: Style[] }[]; style: Style | Style[] };
type FixedTable = { head: { text: string; style: Style[] }[]; rows: TableRow[] };

const styleCache = new Map<string, { th: Style[]; td: Style[] }>();
function cellStyles(flex: number, align: "left" | "right" = "left") {
  const key = `${flex}|${align}`;
  let styles = styleCache.get(key);
  if (!styles) {
    const shape: Style = { flex, textAlign: align };
    styles = { th: [r.th, shape], td: [r.td, shape] };
    styleCache.set(key, styles);
  }
  return styles;
}

function fixedTable<T>(
  columns: FixedColumn<T>[],
  rows: T[],
  options: { width: number; key: (row: T) => string | number; rowStyle?: (row: T) => Style | undefined },
): FixedTable {
  const total = columns.reduce((n, c) => n + c.flex, 0);
  const widths = columns.map((c) => (options.width * c.flex) / total - 2 * CELL_PADDING_X);
  return {
    head: columns.map((c, i) => ({ text: fitLine(c.header, widths[i]!, TH), style: cellStyles(c.flex, c.align).th })),
    rows: rows.map((row) => {
      const extra = options.rowStyle?.(row);
      return {
        key: options.key(row),
        style: extra ? [r.tr, extra] : r.tr,
        cells: columns.map((c, i) => {
          const base = cellStyles(c.flex, c.align).td;
          const own = c.cellStyle?.(row);
          return {
            text: fitLine(c.cell(row), widths[i]!, { ...CELL, bold: own?.fontWeight === "bold" }),
            style: own ? [...base, own] : base,
          };
        }),
      };
    }),
  };
}

function TableHead({ table }: { table: FixedTable }) {
  return (
    <View style={r.thead}>
      {table.head.map((h, i) => (
        <Text key={i} style={h.style}>
          {h.text}
        </Text>
      ))}
    </View>
  );
}

function TableRowView({ row }: { row: TableRow }) {
  return (
    <View style={row.style}>
      {row.cells.map((c, i) => (
        <Text key={i} style={[c.style, lines(1)]}>
          {c.text}
        </Text>
      ))}
    </View>
  );
}

// ---------------------------------------------------------------------------------------------
// Measured text: its line count (capped), and the height it takes.

type Measured = { text: string; lines: number };

const lineCaps = new Map<number, Style>();
/**
 * The style that caps a text at the `n` lines it was measured to take (react-pdf's maxLines is
 * a style property); should react-pdf ever need more, the cut shows as "…".
 */
function lines(n: number): Style {
  let style = lineCaps.get(n);
  if (!style) lineCaps.set(n, (style = { maxLines: n, textOverflow: "ellipsis" }));
  return style;
}

function measure(text: string, width: number, style: TextStyle, maxLines: number): Measured {
  return { text, lines: Math.min(maxLines, lineCount(text, width, style)) };
}

function Heading({ text }: { text: Measured }) {
  return (
    <View style={{ height: headingHeight(text) }}>
      <Text style={[r.h2, lines(text.lines)]}>
        {text.text}
      </Text>
    </View>
  );
}

const headingHeight = (text: Measured) => text.lines * HEADING_LINE + HEADING_GAP;
const noteHeight = (text: Measured) => 4 + text.lines * NOTE_LINE;
const emptyHeight = (text: Measured) => EMPTY_PADDING + text.lines * BODY_LINE;

export function ProgressBar({ fraction, color = COLOR.brand }: { fraction: number; color?: string }) {
  const width = 100;
  return (
    <Svg width="100%" height={7} viewBox={`0 0 ${width} 7`} preserveAspectRatio="none">
      <Rect x={0} y={0} width={width} height={7} rx={3.5} ry={3.5} fill={COLOR.track} />
      {fraction > 0 ? <Rect x={0} y={0} width={Math.max(3, fraction * width)} height={7} rx={3.5} ry={3.5} fill={color} /> : null}
    </Svg>
  );
}

// ---------------------------------------------------------------------------------------------
// Page 1: the summary.

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
      {axisTicks(max, 4).map((tick) => (
        <Line key={tick} x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} stroke={tick === 0 ? "#9aa3bd" : COLOR.border} strokeWidth={tick === 0 ? 0.8 : 0.5} />
      ))}
      {axisTicks(max, 2).map((tick) => (
        <Text key={tick} x={pad.left - 5} y={y(tick) + 2.5} textAnchor="end" style={label}>
          {axis(tick)}
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

// The header, the KPI tiles (or the no-activity panel), the 12-month chart, attribution beside
// tier progress. Each block's height is worked out from its measured text.

const TREND_MARK = { up: "▲", down: "▼", flat: "■", none: "" } as const;
const TREND_COLOR = { up: COLOR.ok, down: COLOR.danger, flat: COLOR.muted, none: COLOR.muted } as const;

type TilePlan = { kpi: Kpi; label: Measured; value: string; valueSize: number; delta: Measured; note: Measured | null };

function planTiles(report: PartnerReport) {
  const n = Math.max(1, report.kpis.length);
  const inner = (CONTENT_WIDTH + 6) / n - 6 - 16;
  const tiles: TilePlan[] = report.kpis.map((kpi) => {
    const delta =
      kpi.trend === "none" ? `${report.previousPeriodShortLabel}: ${kpi.text.previous}` : `${TREND_MARK[kpi.trend]} ${kpi.text.delta} vs ${report.previousPeriodShortLabel}`;
    // A large amount steps down a size rather than running out of its tile.
    const valueSize = [14, 12, 10].find((size) => fitLine(kpi.text.value, inner, { fontSize: size, bold: true }) === kpi.text.value) ?? 10;
    return {
      kpi,
      label: measure(kpi.label, inner, { fontSize: 7.5 }, 2),
      value: fitLine(kpi.text.value, inner, { fontSize: valueSize, bold: true }),
      valueSize,
      delta: measure(delta, inner, { fontSize: 7.5 }, 2),
      note: kpi.note ? measure(kpi.note, inner, { fontSize: 6.5 }, 2) : null,
    };
  });
  const tileHeight = (t: TilePlan) =>
    16 + Math.max(18, t.label.lines * 7.5 * LH) + 3 + 14 * 1.2 + 3 + t.delta.lines * 7.5 * LH + (t.note ? 2 + t.note.lines * 6.5 * LH : 0);
  return { tiles, height: Math.max(0, ...tiles.map(tileHeight)) };
}

function planSummary(report: PartnerReport) {
  const leftWidth = CONTENT_WIDTH - HEADER_RIGHT_WIDTH - 12;
  const header = {
    eyebrow: measure(`${report.programName} · Monthly partner report`, leftWidth, { fontSize: 8, letterSpacing: 0.8, upperCase: true }, 2),
    title: measure(report.partner.name, leftWidth, { fontSize: 20, bold: true }, 4),
    badge: fitLine(`${report.partner.tier} tier`, HEADER_RIGHT_WIDTH - 18, { fontSize: 9, bold: true }),
    facts: [report.partner.kindLabel, `Credit model: ${report.modelLabel}`].map((f) => measure(f, HEADER_RIGHT_WIDTH, { fontSize: 8 }, 2)),
    height: 0,
  };
  const left = header.eyebrow.lines * 8 * LH + 3 + header.title.lines * 20 * 1.2 + 2 + 11 * LH;
  const right = 9 * LH + 6 + header.facts.reduce((h, f) => h + 4 + f.lines * 8 * LH, 0);
  header.height = Math.max(left, right) + 12;

  const tiles = report.hasActivity ? planTiles(report) : null;
  const noActivity = report.hasActivity
    ? null
    : measure(
        `No registrations, decisions, closed deals or touches were recorded for ${report.partner.name} this month, so there are no monthly figures to compare. Your tier progress, open registrations and the next steps that move you forward are below.`,
        CONTENT_WIDTH - 22,
        BODY,
        6,
      );
  const noActivityHeight = noActivity ? 22 + 12 * LH + 4 + noActivity.lines * BODY_LINE : 0;

  const periodEnd = formatDate(new Date(report.window.to).getTime() - 1);
  const chart = {
    heading: measure(`Credited revenue, last 12 months (${report.modelLabel})`, CONTENT_WIDTH, HEADING, 2),
    note:
      report.trend.totalCents > 0
        ? measure(`${report.trend.totalText} credited over the 12 months ending ${periodEnd}; ${report.periodLabel} is the dark bar.`, CONTENT_WIDTH, NOTE, 3)
        : null,
    empty: report.trend.totalCents > 0 ? null : measure(`No revenue was credited to you in the 12 months ending ${periodEnd}.`, CONTENT_WIDTH, BODY, 3),
    height: 0,
  };
  chart.height = headingHeight(chart.heading) + (chart.note ? 150 + noteHeight(chart.note) : emptyHeight(chart.empty!));

  const hasAttribution = report.attribution.some((m) => m.cents > 0);
  const attribution = {
    heading: measure("Attribution by model", COLUMN_WIDTH, HEADING, 2),
    table: hasAttribution
      ? fixedTable(
          [
            { header: "Model", flex: 3, cell: (m) => (m.programModel ? `${m.label} (program)` : m.label), cellStyle: (m) => (m.programModel ? r.bold : undefined) },
            { header: "Credited", flex: 2, align: "right", cell: (m) => m.text, cellStyle: (m) => (m.programModel ? r.bold : undefined) },
          ] satisfies FixedColumn<PartnerReport["attribution"][number]>[],
          report.attribution,
          { width: COLUMN_WIDTH, key: (m) => m.model },
        )
      : null,
    note: hasAttribution
      ? measure(`What ${report.periodLabel}'s won deals credit you under each model; the program credits you under ${report.modelLabel}.`, COLUMN_WIDTH, NOTE, 3)
      : null,
    empty: hasAttribution ? null : measure(`No deal won in ${report.periodLabel} credits you under any model.`, COLUMN_WIDTH, BODY, 3),
  };
  const attributionHeight =
    headingHeight(attribution.heading) +
    (attribution.table ? THEAD_HEIGHT + attribution.table.rows.length * ROW_HEIGHT + noteHeight(attribution.note!) : emptyHeight(attribution.empty!));

  const { tier } = report;
  const tierPlan = {
    heading: measure("Tier progress", COLUMN_WIDTH, HEADING, 2),
    line: measure(
      `${tier.current.name}${tier.next ? ` → next: ${tier.next.name}${tier.next.rule === "any" ? " (any one threshold)" : " (every threshold)"}` : " — the top of the ladder"}`,
      COLUMN_WIDTH,
      { fontSize: 9, bold: true },
      3,
    ),
    thresholds: tier.thresholds.map((t) => {
      const value = `${t.haveText} / ${t.needText}`;
      return { t, value, label: fitLine(t.label, COLUMN_WIDTH - 6 - Math.min(COLUMN_WIDTH / 2, textWidth(value, { fontSize: 8, bold: true })), { fontSize: 8 }) };
    }),
    top: tier.next === null ? measure(`12 months: ${tier.metrics.text.revenue} attributed revenue, ${tier.metrics.text.wonDeals} won deals.`, COLUMN_WIDTH, { fontSize: 8 }, 3) : null,
    evaluation: tier.evaluation ? measure(tier.evaluation.text, COLUMN_WIDTH, NOTE, 3) : null,
    asOf: measure(`Trailing 12 months to ${formatDate(new Date(tier.asOf).getTime() - 1)}, ${report.modelLabel} model.`, COLUMN_WIDTH, NOTE, 3),
  };
  const tierHeight =
    headingHeight(tierPlan.heading) +
    tierPlan.line.lines * BODY_LINE +
    6 +
    tierPlan.thresholds.length * (8 * LH + 2 + 7 + 2 + 7 * LH + 7) +
    (tierPlan.top ? tierPlan.top.lines * 8 * LH : 0) +
    (tierPlan.evaluation ? noteHeight(tierPlan.evaluation) : 0) +
    noteHeight(tierPlan.asOf);
  const columnsHeight = Math.max(attributionHeight, tierHeight);

  const height =
    header.height + GAP + (tiles ? tiles.height : noActivityHeight) + GAP + chart.height + GAP + columnsHeight + GAP;
  return { header, tiles, noActivity, noActivityHeight, chart, attribution, tier: tierPlan, columnsHeight, height };
}

type SummaryPlan = ReturnType<typeof planSummary>;

function Summary({ report, plan }: { report: PartnerReport; plan: SummaryPlan }) {
  const { header, tiles, chart, attribution, tier } = plan;
  return (
    <>
      <View style={[r.header, { height: header.height }]}>
        <View style={r.headerLeft}>
          <Text style={[r.eyebrow, lines(header.eyebrow.lines)]}>
            {header.eyebrow.text}
          </Text>
          <Text style={[r.title, lines(header.title.lines)]}>
            {header.title.text}
          </Text>
          <Text style={[r.subtitle, lines(1)]}>
            {report.periodLabel}
          </Text>
        </View>
        <View style={r.headerRight}>
          <Text style={r.badge}>{header.badge}</Text>
          {header.facts.map((f, i) => (
            <Text key={i} style={[r.headerFact, lines(f.lines)]}>
              {f.text}
            </Text>
          ))}
        </View>
      </View>

      {tiles ? (
        <View style={[r.tiles, { height: tiles.height }]}>
          {tiles.tiles.map((t) => (
            <View key={t.kpi.key} style={r.tile}>
              <Text style={[r.tileLabel, lines(t.label.lines)]}>
                {t.label.text}
              </Text>
              <Text style={[t.valueSize === 14 ? r.tileValue : [r.tileValue, { fontSize: t.valueSize, lineHeight: (14 * 1.2) / t.valueSize }], lines(1)]}>
                {t.value}
              </Text>
              <Text style={[[r.tileDelta, { color: TREND_COLOR[t.kpi.trend] }], lines(t.delta.lines)]}>
                {t.delta.text}
              </Text>
              {t.note ? (
                <Text style={[r.tileNote, lines(t.note.lines)]}>
                  {t.note.text}
                </Text>
              ) : null}
            </View>
          ))}
        </View>
      ) : (
        <View style={[r.panel, { height: plan.noActivityHeight }]}>
          <Text style={[r.noActivityTitle, lines(1)]}>
            No activity in {report.periodLabel}
          </Text>
          <Text style={[r.body, lines(plan.noActivity!.lines)]}>
            {plan.noActivity!.text}
          </Text>
        </View>
      )}

      <View style={[r.block, { height: chart.height }]}>
        <Heading text={chart.heading} />
        {chart.note ? (
          <>
            <TrendChart report={report} />
            <Text style={[r.note, lines(chart.note.lines)]}>
              {chart.note.text}
            </Text>
          </>
        ) : (
          <Text style={[r.empty, lines(chart.empty!.lines)]}>
            {chart.empty!.text}
          </Text>
        )}
      </View>

      <View style={[r.columns, { height: plan.columnsHeight }]}>
        <View style={r.column}>
          <Heading text={attribution.heading} />
          {attribution.table ? (
            <>
              <TableHead table={attribution.table} />
              {attribution.table.rows.map((row) => (
                <TableRowView key={row.key} row={row} />
              ))}
              <Text style={[r.note, lines(attribution.note!.lines)]}>
                {attribution.note!.text}
              </Text>
            </>
          ) : (
            <Text style={[r.empty, lines(attribution.empty!.lines)]}>
              {attribution.empty!.text}
            </Text>
          )}
        </View>
        <View style={r.column}>
          <Heading text={tier.heading} />
          <Text style={[r.tierLine, lines(tier.line.lines)]}>
            <Text style={r.bold}>{report.tier.current.name}</Text>
            {tier.line.text.slice(report.tier.current.name.length)}
          </Text>
          {tier.thresholds.map(({ t, value, label }) => (
            <View key={t.key} style={r.threshold}>
              <View style={r.thresholdHead}>
                <Text style={[r.thresholdLabel, lines(1)]}>
                  {label}
                </Text>
                <Text style={[r.thresholdValue, lines(1)]}>
                  {value}
                </Text>
              </View>
              <ProgressBar fraction={t.fraction} color={t.met ? COLOR.ok : COLOR.brand} />
              <Text style={[t.met ? r.thresholdMet : r.thresholdOpen, lines(1)]}>
                {t.met ? "Met" : `Still needed: ${t.remainingText}`}
              </Text>
            </View>
          ))}
          {tier.top ? (
            <Text style={[r.tierTop, lines(tier.top.lines)]}>
              {tier.top.text}
            </Text>
          ) : null}
          {tier.evaluation ? (
            <Text style={[r.note, lines(tier.evaluation.lines)]}>
              {tier.evaluation.text}
            </Text>
          ) : null}
          <Text style={[r.note, lines(tier.asOf.lines)]}>
            {tier.asOf.text}
          </Text>
        </View>
      </View>

    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The detail sections: deals won and the open pipeline, continued over as many pages as needed.

type FlowItem =
  | { kind: "heading"; text: Measured; height: number }
  | { kind: "text"; text: Measured; style: Style; height: number }
  | { kind: "thead"; table: FixedTable; height: number }
  | { kind: "row"; row: TableRow; height: number }
  | { kind: "action"; number: number; text: Measured; height: number }
  | { kind: "gap"; height: number };

/**
 * A section after the summary: a heading, an intro, then rows (table rows under a repeated
 * table header, or the numbered actions) or the empty line, then notes.
 */
type FlowSection = { title: string; intro: FlowItem[]; head: FlowItem | null; rows: FlowItem[]; empty: FlowItem; tail: FlowItem[] };

function tableSection(section: Omit<FlowSection, "head" | "rows">, table: FixedTable | null): FlowSection {
  return {
    ...section,
    head: table ? { kind: "thead", table, height: THEAD_HEIGHT } : null,
    rows: table ? table.rows.map((row) => ({ kind: "row", row, height: ROW_HEIGHT })) : [],
  };
}

const headingItem = (title: string): FlowItem => {
  const text = measure(title, CONTENT_WIDTH, HEADING, 2);
  return { kind: "heading", text, height: headingHeight(text) };
};
const noteItem = (text: string): FlowItem => {
  const m = measure(text, CONTENT_WIDTH, NOTE, 3);
  return { kind: "text", text: m, style: r.note, height: noteHeight(m) };
};
const emptyItem = (text: string): FlowItem => {
  const m = measure(text, CONTENT_WIDTH, BODY, 3);
  return { kind: "text", text: m, style: r.empty, height: emptyHeight(m) };
};

function detailSections(report: PartnerReport): FlowSection[] {
  const money = (cents: number) => formatMoney(cents, report.currency);
  const sections: FlowSection[] = [
    {
      title: "Recommended next actions",
      intro: [],
      head: null,
      rows: report.actions.map((a, i) => {
        const text = measure(a.text, CONTENT_WIDTH - 14, BODY, 4);
        return { kind: "action", number: i + 1, text, height: text.lines * BODY_LINE + 4 };
      }),
      empty: emptyItem("Nothing needs your attention: keep registering and closing."),
      tail: [],
    },
  ];

  if (report.hasActivity || report.wonDeals.length > 0) {
    const won =
      report.wonDeals.length === 0
        ? null
        : fixedTable(
            [
              { header: "Deal", flex: 5, cell: (d) => d.title },
              { header: "Closed", flex: 2, cell: (d) => formatDate(d.closedOn) },
              { header: "Source", flex: 1.7, cell: (d) => (d.source === "sourced" ? "Sourced" : "Influenced") },
              { header: "Amount", flex: 2, align: "right", cell: (d) => money(d.amountCents) },
              { header: "Your credit", flex: 2, align: "right", cell: (d) => money(d.creditCents), cellStyle: () => r.bold },
            ] satisfies FixedColumn<PartnerReport["wonDeals"][number]>[],
            report.wonDeals,
            { width: CONTENT_WIDTH, key: (d) => d.dealId },
          );
    sections.push(
      tableSection(
        {
          title: `Deals won in ${report.periodLabel}`,
          intro: [],
          empty: emptyItem(`No deal you registered or touched was won in ${report.periodLabel}.`),
          tail: report.wonDeals.some((d) => d.creditCents === 0)
            ? [noteItem(`A credit of ${money(0)} means the deal credits you under other models than ${report.modelLabel} (see Attribution by model).`)]
            : [],
        },
        won,
      ),
    );
  }

  const { pipeline } = report;
  const intro: FlowItem[] = [];
  if (pipeline.count > 0) {
    const text = measure(
      `${pipeline.count} open registration${pipeline.count === 1 ? "" : "s"} worth ${pipeline.totalText}${
        pipeline.expiringSoon > 0 ? `; ${pipeline.expiringSoon} expire${pipeline.expiringSoon === 1 ? "s" : ""} within 14 days (highlighted).` : "."
      }`,
      CONTENT_WIDTH,
      { fontSize: 8 },
      3,
    );
    intro.push({ kind: "text", text, style: r.pipelineSummary, height: text.lines * 8 * LH + 5 });
  }
  const open =
    pipeline.deals.length === 0
      ? null
      : fixedTable(
          [
            { header: "Deal", flex: 5, cell: (d) => d.title },
            { header: "Stage", flex: 1.6, cell: (d) => (d.stage === "approved" ? "Approved" : "Submitted") },
            { header: "Submitted", flex: 2, cell: (d) => formatDate(d.submittedOn) },
            {
              header: "Protection ends",
              flex: 2.4,
              cell: (d) => (d.protectionEndsOn ? `${formatDate(d.protectionEndsOn)}${d.expiresSoon ? " ⚠" : ""}` : "—"),
              cellStyle: (d) => (d.expiresSoon ? r.expiring : undefined),
            },
            { header: "Amount", flex: 2, align: "right", cell: (d) => money(d.amountCents) },
          ] satisfies FixedColumn<PartnerReport["pipeline"]["deals"][number]>[],
          pipeline.deals,
          { width: CONTENT_WIDTH, key: (d) => d.dealId, rowStyle: (d) => (d.expiresSoon ? r.expiringRow : undefined) },
        );
  sections.push(
    tableSection(
      {
        title: `Open pipeline at ${formatDate(new Date(report.window.to).getTime() - 1)}`,
        intro,
        empty: emptyItem("No open registrations. Register your next opportunity to protect it."),
        tail: pipeline.more > 0 ? [noteItem(`…and ${pipeline.more} more; the full list is on the Deals page of the portal.`)] : [],
      },
      open,
    ),
  );
  return sections;
}

/**
 * Places the sections after the summary: a section starts where its heading, intro, table
 * header and first row fit together; rows that do not fit move to the next page under the
 * heading "(continued)" and the table header again.
 */
function paginate(firstPageUsed: number, sections: FlowSection[]) {
  const pages: FlowItem[][] = [[]];
  const used: number[] = [firstPageUsed];
  const room = () => BODY_HEIGHT - used[used.length - 1]!;
  const newPage = () => {
    pages.push([]);
    used.push(0);
  };
  const put = (item: FlowItem) => {
    pages[pages.length - 1]!.push(item);
    used[used.length - 1] = used[used.length - 1]! + item.height;
  };
  for (const section of sections) {
    const { head, rows } = section;
    const lead = [headingItem(section.title), ...section.intro, ...(rows.length > 0 ? [...(head ? [head] : []), rows[0]!] : [section.empty])];
    if (lead.reduce((h, i) => h + i.height, 0) > room() && used[used.length - 1]! > 0) newPage();
    lead.forEach(put);
    // The notes under a table stay with its last row rather than open a page on their own.
    const tailHeight = section.tail.reduce((h, i) => h + i.height, 0);
    for (const [i, row] of rows.entries()) {
      if (i === 0) continue;
      const need = row.height + (i === rows.length - 1 ? tailHeight : 0);
      if (need > room()) {
        newPage();
        put(headingItem(`${section.title} (continued)`));
        if (head) put(head);
      }
      put(row);
    }
    for (const item of section.tail) {
      if (item.height > room()) newPage();
      put(item);
    }
    if (GAP <= room()) put({ kind: "gap", height: GAP });
  }
  return { pages, used };
}

function FlowItemView({ item }: { item: FlowItem }) {
  switch (item.kind) {
    case "heading":
      return <Heading text={item.text} />;
    case "text":
      return (
        <Text style={[item.style, lines(item.text.lines)]}>
          {item.text.text}
        </Text>
      );
    case "thead":
      return <TableHead table={item.table} />;
    case "row":
      return <TableRowView row={item.row} />;
    case "action":
      return (
        <View style={r.action}>
          <Text style={r.actionNumber}>{item.number}.</Text>
          <Text style={[r.actionText, lines(item.text.lines)]}>{item.text.text}</Text>
        </View>
      );
    case "gap":
      return <View style={{ height: item.height }} />;
  }
}

/** The report's pages as planned: exported for the tests, which check it against the PDF. */
export function planPartnerReport(report: PartnerReport) {
  const summary = planSummary(report);
  const { pages, used } = paginate(summary.height, detailSections(report));
  return { summary, pages, used };
}

export function PartnerReportDocument({ report }: { report: PartnerReport }) {
  const plan = planPartnerReport(report);
  const footer = `${report.partner.name} · ${report.periodLabel} partner report`;
  return (
    <Document
      title={`${report.periodLabel} partner report — ${report.partner.name}`}
      author={report.programName}
      subject={`${report.partner.name}: monthly partner report for ${report.periodLabel}`}
      creator="Partner Portal"
      producer="Partner Portal"
      language="en"
    >
      {plan.pages.map((items, i) => (
        <Page key={i} size="A4" style={s.page} wrap={false}>
          {i === 0 ? <Summary report={report} plan={plan.summary} /> : null}
          {items.map((item, j) => (
            <FlowItemView key={j} item={item} />
          ))}
          <Footer left={footer} page={`Page ${i + 1} of ${plan.pages.length}`} />
        </Page>
      ))}
    </Document>
  );
}

/** Loads the fonts (once per process; text is measured in them) and renders the PDF. */
export async function renderPartnerReportPdf(report: PartnerReport): Promise<Buffer> {
  await prepareReportFonts();
  return renderToBuffer(<PartnerReportDocument report={report} />);
}
