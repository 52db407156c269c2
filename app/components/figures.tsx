// A figure of the catalogue (domain/figures.ts) as a KPI card, and the list that says how each
// figure on a page is counted. Labels and sentences come from the catalogue only.
import type { ReactNode } from "react";
import { figureDefinitions, type FigureContext, type FigureKey } from "../domain/figures";

export function FigureCard({
  id,
  label,
  value,
  children,
  footnote,
}: {
  id: string;
  label: string;
  value: ReactNode;
  children?: ReactNode;
  /** A line of its own under the note, e.g. how a total was converted. */
  footnote?: ReactNode;
}) {
  return (
    <section className="card kpi" aria-labelledby={id} data-figure={id}>
      <span className="label" id={id}>
        {label}
      </span>
      <span className="value">{value}</span>
      {children ? <span className="muted small">{children}</span> : null}
      {footnote}
    </section>
  );
}

/** "How these figures are counted": one sentence per figure shown on the page. */
export function FigureDefinitions({ keys, context }: { keys: readonly FigureKey[]; context: FigureContext }) {
  return <DefinitionList items={figureDefinitions(context, keys)} />;
}

/** The same list from sentences a report already carries (contract.ts Kpi.explanation). */
export function DefinitionList({ items }: { items: readonly { key: string; label: string; definition: string }[] }) {
  return (
    <details className="figure-definitions">
      <summary>How these figures are counted</summary>
      <dl>
        {items.map((d) => (
          <div key={d.key}>
            <dt>{d.label}</dt>
            <dd>{d.definition}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
