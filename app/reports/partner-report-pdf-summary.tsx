// Page 1 of the partner report PDF: the header, the KPI tiles, the 12-month chart, and
// attribution beside tier progress, each block's height worked out from its measured text
// (planSummary) before it is drawn (Summary).
import { Line, Rect, Svg, Text, View } from "@react-pdf/renderer";
import { formatDate, formatMoney } from "../domain/format";
import { axisTicks, barChartGeometry, niceCeiling, type Kpi, type PartnerReport } from "./contract";
import { COLOR, FONT_FAMILY } from "./pdf-kit";
import { fitLine, textWidth } from "./pdf-text";
import { BODY, BODY_LINE, COLUMN_WIDTH, CONTENT_WIDTH, emptyHeight, type FixedColumn, fixedTable, GAP, HEADER_RIGHT_WIDTH, HEADING, Heading, headingHeight, LH, lines, measure, type Measured, NOTE, noteHeight, ProgressBar, r, ROW_HEIGHT, TableHead, TableRowView, THEAD_HEIGHT } from "./partner-report-pdf-layout";

// ---------------------------------------------------------------------------------------------
// Page 1: the summary.

function TrendChart({ report }: { report: PartnerReport }) {
  const months = report.trend.months;
  const width = 515;
  const height = 150;
  const pad = { top: 14, right: 4, bottom: 28, left: 52 };
  const max = niceCeiling(report.trend.maxCents);
  const { y, baseline, barW, barX, barHeight, slotCentre } = barChartGeometry({ width, height, pad, bars: months.length, max, barShare: 0.62 });
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
        const h = barHeight(m.cents);
        return (
          <Rect key={m.period} x={barX(i)} y={baseline - h} width={barW} height={h} fill={m.current ? COLOR.brand : COLOR.brandLight} />
        );
      })}
      {months.map((m, i) => {
        return (
          <Text key={m.period} x={slotCentre(i)} y={baseline + 10} textAnchor="middle" style={{ ...label, fill: m.current ? COLOR.text : COLOR.muted }}>
            {m.shortLabel}
          </Text>
        );
      })}
      {months.map((m, i) =>
        i === 0 || m.period.endsWith("-01") ? (
          <Text key={`y${m.period}`} x={slotCentre(i)} y={baseline + 20} textAnchor="middle" style={{ ...label, fontSize: 6.5 }}>
            {String(m.year)}
          </Text>
        ) : null,
      )}
      {months
        .filter((m) => m.current && m.cents > 0)
        .map((m) => {
          const i = months.indexOf(m);
          return (
            <Text key="value" x={slotCentre(i)} y={y(m.cents) - 3} textAnchor="middle" style={{ ...label, fill: COLOR.text, fontSize: 6.5 }}>
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

export function planSummary(report: PartnerReport) {
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
    top: tier.next === null ? measure(`Trailing 12 months: ${tier.metrics.text.revenue} credited revenue, ${tier.metrics.text.wonDeals} deals won.`, COLUMN_WIDTH, { fontSize: 8 }, 3) : null,
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

export function Summary({ report, plan }: { report: PartnerReport; plan: SummaryPlan }) {
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

