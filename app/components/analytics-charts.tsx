// Small inline-SVG charts for the ecosystem and program-metrics pages. Every chart is an image
// with a text alternative (role="img" + aria-label) and the numbers are also on the page as
// text or in a table, so nothing depends on seeing the picture.
import type { ReactNode } from "react";

type Point = { partners: number; revenue: number };

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The revenue share at a partner share, read off a curve (linear between points). */
export function curveAt(points: readonly Point[], x: number): number {
  if (points.length === 0) return 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (x <= b.partners)
      return b.partners === a.partners ? b.revenue : a.revenue + ((x - a.partners) / (b.partners - a.partners)) * (b.revenue - a.revenue);
  }
  return points[points.length - 1]!.revenue;
}

/** Pareto (largest partners first) and Lorenz (smallest first) curves over the diagonal of equality. */
export function ConcentrationChart({ lorenz, pareto, id }: { lorenz: readonly Point[]; pareto: readonly Point[]; id: string }) {
  const W = 360;
  const H = 240;
  const m = { l: 44, r: 12, t: 12, b: 36 };
  const x = (v: number) => m.l + v * (W - m.l - m.r);
  const y = (v: number) => H - m.b - v * (H - m.t - m.b);
  const path = (pts: readonly Point[]) =>
    pts.map((p, i) => `${i ? "L" : "M"}${x(p.partners).toFixed(1)},${y(p.revenue).toFixed(1)}`).join("");
  const top20 = curveAt(pareto, 0.2);
  const deciles = Array.from({ length: 11 }, (_, i) => i / 10);
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        style={{ maxWidth: 480 }}
        role="img"
        aria-label={`Pareto and Lorenz curves: the largest 20% of partners bring ${pct(
          top20,
        )} of credited revenue; the smallest half brings ${pct(curveAt(lorenz, 0.5))}. The diagonal is an even split.`}
        aria-describedby={`${id}-table`}
      >
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={x(0)} x2={x(1)} y1={y(t)} y2={y(t)} stroke="var(--border)" />
            <text x={m.l - 6} y={y(t) + 4} fontSize="10" textAnchor="end" fill="var(--muted)">
              {pct(t)}
            </text>
            <text x={x(t)} y={H - m.b + 14} fontSize="10" textAnchor="middle" fill="var(--muted)">
              {pct(t)}
            </text>
          </g>
        ))}
        <text x={x(0.5)} y={H - 4} fontSize="10" textAnchor="middle" fill="var(--muted)">
          share of partners
        </text>
        <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="var(--muted)" strokeDasharray="4 4" />
        <path d={path(pareto)} fill="none" stroke="var(--brand)" strokeWidth="2.5" />
        <path d={path(lorenz)} fill="none" stroke="var(--warn)" strokeWidth="2.5" />
        <line x1={x(0.2)} x2={x(0.2)} y1={y(0)} y2={y(top20)} stroke="var(--brand)" strokeDasharray="2 3" />
        <circle cx={x(0.2)} cy={y(top20)} r="3.5" fill="var(--brand)" />
      </svg>
      <figcaption className="small muted">
        <span style={{ color: "var(--brand)" }}>━</span> Pareto: largest partners first · <span style={{ color: "var(--warn)" }}>━</span>{" "}
        Lorenz: smallest first · <span>┄</span> even split
      </figcaption>
      <table className="visually-hidden" id={`${id}-table`}>
        <caption>Cumulative share of credited revenue by share of partners</caption>
        <thead>
          <tr>
            <th scope="col">Share of partners</th>
            <th scope="col">Revenue of the largest (Pareto)</th>
            <th scope="col">Revenue of the smallest (Lorenz)</th>
          </tr>
        </thead>
        <tbody>
          {deciles.map((d) => (
            <tr key={d}>
              <th scope="row">{pct(d)}</th>
              <td>{(curveAt(pareto, d) * 100).toFixed(1)}%</td>
              <td>{(curveAt(lorenz, d) * 100).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A trend line with its first and last values as text beside it. */
export function Sparkline({
  label,
  values,
  labels,
  format,
}: {
  label: string;
  values: readonly (number | null)[];
  labels: readonly string[];
  format: (v: number) => string;
}) {
  const W = 140;
  const H = 36;
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const span = hi - lo || 1;
  const pts = values
    .map((v, i) =>
      v === null
        ? null
        : `${((i / Math.max(1, values.length - 1)) * (W - 4) + 2).toFixed(1)},${(H - 3 - ((v - lo) / span) * (H - 6)).toFixed(1)}`,
    )
    .filter(Boolean)
    .join(" ");
  const first = values.find((v) => v !== null);
  const last = [...values].reverse().find((v) => v !== null);
  const text =
    first == null || last == null
      ? `${label}: no data`
      : `${label}: ${format(first)} at ${labels[0]} to ${format(last)} at ${labels[labels.length - 1]}`;
  return (
    <div className="kpi">
      <span className="label">{label}</span>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={text}>
        <polyline points={pts} fill="none" stroke="var(--brand)" strokeWidth="2" />
      </svg>
      <span className="small muted" aria-hidden="true">
        {first == null || last == null ? "—" : `${format(first)} → ${format(last)}`}
      </span>
    </div>
  );
}

/** Horizontal bars with their values as text; low-sample bars are hatched and say so. */
export function BarChart({
  id,
  label,
  rows,
  max,
}: {
  id: string;
  label: string;
  rows: readonly { label: string; value: number | null; display: string; lowSample?: boolean }[];
  max?: number;
}) {
  const W = 420;
  const rowH = 22;
  const labelW = 130;
  const valueW = 90;
  const H = rows.length * rowH + 4;
  const top = max ?? Math.max(1e-9, ...rows.map((r) => r.value ?? 0));
  const width = (v: number | null) => ((v ?? 0) / top) * (W - labelW - valueW);
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="small" style={{ fontWeight: 600, marginBottom: "0.25rem" }}>
        {label}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        style={{ maxWidth: W }}
        role="img"
        aria-label={`${label}: ${rows.map((r) => `${r.label} ${r.display}${r.lowSample ? " (low sample)" : ""}`).join("; ")}`}
      >
        <defs>
          <pattern id={`${id}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill="var(--brand-soft)" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="var(--brand)" strokeWidth="2" />
          </pattern>
        </defs>
        {rows.map((r, i) => (
          <g key={r.label} transform={`translate(0 ${i * rowH + 2})`}>
            <text x={0} y={14} fontSize="11" fill="var(--text)">
              {r.label}
            </text>
            <rect
              x={labelW}
              y={3}
              height={14}
              width={Math.max(1, width(r.value))}
              rx="3"
              fill={r.lowSample ? `url(#${id}-hatch)` : "var(--brand)"}
            />
            <text x={labelW + Math.max(1, width(r.value)) + 6} y={14} fontSize="11" fill="var(--muted)">
              {r.display}
              {r.lowSample ? " · low sample" : ""}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** One bar split into parts, with a legend that carries the numbers. */
export function SplitBar({
  label,
  parts,
}: {
  label: string;
  parts: readonly { label: string; share: number; detail: ReactNode; color: string }[];
}) {
  return (
    <div>
      <div
        role="img"
        aria-label={`${label}: ${parts.map((p) => `${p.label} ${(p.share * 100).toFixed(1)}%`).join(", ")}`}
        style={{ display: "flex", height: 18, borderRadius: 6, overflow: "hidden", background: "var(--border)" }}
      >
        {parts.map((p) => (
          <span key={p.label} style={{ width: `${p.share * 100}%`, background: p.color }} />
        ))}
      </div>
      <ul className="row small" style={{ listStyle: "none", padding: 0, margin: "0.5rem 0 0" }}>
        {parts.map((p) => (
          <li key={p.label}>
            <span
              aria-hidden="true"
              style={{ display: "inline-block", width: 10, height: 10, borderRadius: 2, background: p.color, marginRight: 6 }}
            />
            <strong>{p.label}</strong> {p.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
