// Previous / Next links of a keyset-paged list (decision 0019): the cursors come from the
// loader, the rest of the URL (the filters) is kept. Shown only when there is another page.
import { Link } from "@remix-run/react";

export function KeysetPager({
  prev,
  next,
  hrefFor,
  summary,
}: {
  prev: string | null;
  next: string | null;
  hrefFor: (cursor: { after?: string; before?: string }) => string;
  /** What the page shows, between the links (e.g. "50 of 812 shown"). */
  summary?: string;
}) {
  if (!prev && !next) return null;
  const off = (label: string) => (
    <span className="muted" aria-disabled="true">
      {label}
    </span>
  );
  return (
    <nav aria-label="Pagination" className="row" style={{ justifyContent: "space-between", marginTop: "1rem" }}>
      {prev ? (
        <Link to={hrefFor({ before: prev })} rel="prev">
          ← Previous page
        </Link>
      ) : (
        off("← Previous page")
      )}
      {summary ? <span className="muted small">{summary}</span> : null}
      {next ? (
        <Link to={hrefFor({ after: next })} rel="next">
          Next page →
        </Link>
      ) : (
        off("Next page →")
      )}
    </nav>
  );
}

/** The href of a page: `pathname` with the filters that are set and the cursor. */
export function pageHref(pathname: string, filters: Record<string, string>, cursor: { after?: string; before?: string }): string {
  const q = new URLSearchParams(Object.entries({ ...filters, ...cursor }).filter(([, v]) => v));
  const query = q.toString();
  return query ? `${pathname}?${query}` : pathname;
}
