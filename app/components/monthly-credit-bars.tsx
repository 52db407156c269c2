// The bar chart of a partner's credited revenue per month, drawn the same way on the partner's
// Attribution page and on the partner team's page of that partner. The caller writes the
// chart's spoken summary (and any table beside it); the axis and bar maths are the report
// contract's.
import type { MonthCredit } from "../domain/partner-attribution.server";
import { formatMoney } from "../domain/format";
import { axisTicks, barChartGeometry, niceCeiling } from "../reports/contract";

export function MonthlyCreditBars({
  months,
  currency,
  summary,
  height = 220,
}: {
  /** `inPeriod: false` draws a context month paler; absent means every month is in the period. */
  months: ReadonlyArray<Pick<MonthCredit, "month" | "label" | "cents" | "partial"> & { inPeriod?: boolean }>;
  currency: string;
  /** What a screen reader says for the whole chart. */
  summary: string;
  height?: number;
}) {
  const money = (cents: number) => formatMoney(cents, currency);
  const compact = (cents: number) => formatMoney(cents, currency, { compact: true });
  const width = 640;
  const pad = { top: 12, right: 8, bottom: 34, left: 60 };
  // With nothing credited the axis tops at $1 (the monthly report's chart: $1,000), as it always has.
  const max = niceCeiling(Math.max(0, ...months.map((m) => m.cents)), 100);
  const { y, baseline, barW, barX, barHeight } = barChartGeometry({ width, height, pad, bars: months.length, max, barShare: 0.68, minBarWidth: 4 });
  return (
    <svg
      role="img"
      aria-label={summary}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      style={{ display: "block", maxWidth: "100%", height: "auto" }}
      preserveAspectRatio="xMidYMid meet"
    >
      {axisTicks(max, 2).map((tick) => (
        <g key={tick}>
          <line x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} stroke="#dfe3ec" strokeWidth={1} />
          <text x={pad.left - 6} y={y(tick) + 4} textAnchor="end" fontSize="11" fill="#5b6378">
            {compact(tick)}
          </text>
        </g>
      ))}
      {months.map((m, i) => {
        const x = barX(i);
        const h = barHeight(m.cents);
        return (
          <g key={m.month}>
            <rect x={x} y={baseline - h} width={barW} height={h} rx={2} fill={m.inPeriod === false ? "#b9c0ea" : "#3b4cca"} opacity={m.partial ? 0.7 : 1}>
              <title>{`${m.label}: ${money(m.cents)}${m.partial ? " (part of the month)" : ""}`}</title>
            </rect>
            <text x={x + barW / 2} y={baseline + 14} textAnchor="middle" fontSize="11" fill="#5b6378">
              {m.label.slice(0, 3)}
            </text>
            {i === 0 || m.month.endsWith("-01") ? (
              <text x={x + barW / 2} y={baseline + 27} textAnchor="middle" fontSize="10" fill="#5b6378">
                {m.month.slice(0, 4)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
