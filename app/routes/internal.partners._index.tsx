// Every partner of the program, searchable and filterable; the filters live in the URL so a
// filtered list can be bookmarked and shared.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { KeysetPager } from "../components/keyset-pager";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { PARTNER_KINDS, PARTNER_STATUSES, REGIONS } from "../../db/schema";
import { requireStaff } from "../auth/guards.server";
import { humanize } from "../components/forms";
import { formatDate } from "../domain/format";
import { decodePartnerCursor, listManagers, listPartners } from "../domain/partners.server";

export const meta: MetaFunction = () => [{ title: "Partners · Partner team" }];

// An unknown value in the URL means "no filter", never an error page.
const lenient = <T extends z.ZodTypeAny>(schema: T) => schema.optional().catch(undefined);
const filtersSchema = z.object({
  q: lenient(z.string().trim().max(100)),
  status: lenient(z.enum(PARTNER_STATUSES)),
  kind: lenient(z.enum(PARTNER_KINDS)),
  region: lenient(z.enum(REGIONS)),
  manager: lenient(z.string().max(64)),
});

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const params = new URL(args.request.url).searchParams;
  const filters = filtersSchema.parse(Object.fromEntries([...params].filter(([, v]) => v !== "")));
  const page = listPartners(
    db,
    { q: filters.q || undefined, status: filters.status, kind: filters.kind, region: filters.region, managerId: filters.manager },
    { after: decodePartnerCursor(params.get("after")), before: decodePartnerCursor(params.get("before")) },
  );
  return {
    filters: {
      q: filters.q ?? "",
      status: filters.status ?? "",
      kind: filters.kind ?? "",
      region: filters.region ?? "",
      manager: filters.manager ?? "",
    },
    partners: page.rows,
    total: page.total,
    next: page.next,
    prev: page.prev,
    managers: listManagers(db).map((m) => ({ id: m.id, name: m.name })),
  };
}

const STATUS_BADGE: Record<string, string> = {
  active: "ok",
  suspended: "warn",
  churned: "neutral",
  applied: "",
};

export default function Partners() {
  const { filters, partners, total, next, prev, managers } = useLoaderData<typeof loader>();
  const pageHref = (cursor: { after?: string; before?: string }) => {
    const q = new URLSearchParams(Object.entries({ ...filters, ...cursor }).filter(([, v]) => v));
    return `/internal/partners?${q}`;
  };
  const navigation = useNavigation();
  const filtered = Object.values(filters).some(Boolean);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Partners</h1>
          <p className="muted">
            {total} {total === 1 ? "partner" : "partners"}
            {filtered ? " match these filters" : " in the program"}
          </p>
        </div>
      </div>
      {/* key: the inputs show the URL's values again after back/forward navigation. */}
      <Form method="get" className="card" role="search" aria-label="Filter partners" key={JSON.stringify(filters)}>
        <div className="grid" style={{ alignItems: "end" }}>
          <div className="field">
            <label htmlFor="filter-q">Search</label>
            <input id="filter-q" type="search" name="q" defaultValue={filters.q} placeholder="Name or slug" />
          </div>
          <div className="field">
            <label htmlFor="filter-status">Status</label>
            <select id="filter-status" name="status" defaultValue={filters.status}>
              <option value="">Any status</option>
              {PARTNER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-kind">Kind</label>
            <select id="filter-kind" name="kind" defaultValue={filters.kind}>
              <option value="">Any kind</option>
              {PARTNER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {humanize(k)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-region">Region</label>
            <select id="filter-region" name="region" defaultValue={filters.region}>
              <option value="">Any region</option>
              {REGIONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="filter-manager">Partner manager</label>
            <select id="filter-manager" name="manager" defaultValue={filters.manager}>
              <option value="">Anyone</option>
              <option value="none">No manager</option>
              {managers.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <div className="row">
            <button type="submit">{navigation.state === "loading" ? "Filtering…" : "Filter"}</button>
            {filtered ? (
              <Link to="/internal/partners" className="button secondary">
                Clear
              </Link>
            ) : null}
          </div>
        </div>
      </Form>
      <section className="card" aria-label="Partner list">
        {partners.length === 0 ? (
          <p className="muted">{filtered ? "No partner matches these filters." : "No partners yet."}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Region</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Manager</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {partners.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/internal/partners/${p.slug}`} prefetch="intent">
                        {p.name}
                      </Link>
                    </td>
                    <td>{humanize(p.kind)}</td>
                    <td>{p.region}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[p.status] ?? ""}`}>{humanize(p.status)}</span>
                    </td>
                    <td>{p.tier}</td>
                    <td>{p.managerName ?? <span className="muted">None</span>}</td>
                    <td>{formatDate(p.joinedOn)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <KeysetPager prev={prev} next={next} hrefFor={pageHref} summary={`${partners.length} shown, by name`} />
      </section>
    </div>
  );
}
