// Deals by stage as a horizontal bar chart with the numbers beside each bar (readable
// without the chart; the bars are decoration for screen readers).
import { formatMoney } from "../domain/format";
import { humanize } from "./forms";

export function StageBars({
  stages,
  currency = "USD",
}: {
  stages: { stage: string; deals: number; amountCents: number }[];
  currency?: string;
}) {
  const max = Math.max(1, ...stages.map((s) => s.deals));
  return (
    <div className="bars" role="list" aria-label="Deals by stage">
      {stages.map((s) => (
        <div className="bar-row" role="listitem" key={s.stage}>
          <span>{humanize(s.stage)}</span>
          <span aria-hidden="true">
            <span className="bar" style={{ display: "block", width: `${(s.deals / max) * 100}%` }} />
          </span>
          <span className="num" title={formatMoney(s.amountCents, currency)}>
            {s.deals}
          </span>
        </div>
      ))}
    </div>
  );
}
