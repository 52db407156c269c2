// A partner's credited revenue per month as twelve small bars, for a tier proposal's card.
import { formatMoney } from "../../domain/format";

/** Twelve monthly bars of credited revenue; the numbers are in each bar's title and the label. */
export function TrendChart({
  months,
  currency,
  partnerName,
}: {
  months: { label: string; cents: number }[];
  currency: string;
  partnerName: string;
}) {
  const width = 240;
  const height = 72;
  const gap = 4;
  const barWidth = (width - gap * (months.length - 1)) / Math.max(1, months.length);
  const max = Math.max(1, ...months.map((m) => m.cents));
  const total = months.reduce((s, m) => s + m.cents, 0);
  const best = months.reduce((a, b) => (b.cents > a.cents ? b : a), months[0] ?? { label: "", cents: 0 });
  const first = months[0]?.label;
  const last = months[months.length - 1]?.label;
  const label = first
    ? `Credited revenue of ${partnerName} per month, ${first} to ${last}: ${formatMoney(total, currency)} in total` +
      (best.cents > 0 ? `, highest ${formatMoney(best.cents, currency)} in ${best.label}.` : ", nothing credited.")
    : "No trend.";
  return (
    <figure style={{ margin: 0 }}>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: 360, display: "block", color: "var(--brand)" }}
        preserveAspectRatio="none"
      >
        <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} stroke="var(--border)" strokeWidth={1} />
        {months.map((m, i) => {
          const h = m.cents === 0 ? 0 : Math.max(2, (m.cents / max) * (height - 4));
          return (
            <rect
              key={m.label}
              x={i * (barWidth + gap)}
              y={height - 1 - h}
              width={barWidth}
              height={h}
              fill="currentColor"
              rx={2}
            >
              <title>{`${m.label}: ${formatMoney(m.cents, currency)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="muted small row" style={{ justifyContent: "space-between", maxWidth: 360 }}>
        <span>{first ?? ""}</span>
        <span>Monthly credited revenue</span>
        <span>{last ?? ""}</span>
      </figcaption>
    </figure>
  );
}
