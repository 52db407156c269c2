// The partner's deals: filters kept in the URL (so a filtered list can be bookmarked, shared
// with a colleague and exported as it is), 25 a page, newest submission first, in keyset pages
// (?after= / ?before= cursors, Previous/Next; decision 0019).
import { KeysetPager } from "../components/keyset-pager";
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { DEAL_STAGES, type DealStage } from "../../db/schema";
import { requirePartnerUser } from "../auth/guards.server";
import { humanize } from "../components/forms";
import { EXPIRY_WARNING_DAYS, parseDealFilters, type DealFilterErrors } from "../domain/deals";
import { decodeDealCursor, listPartnerDeals } from "../domain/partner-deals.server";
import { formatDate, formatMoney } from "../domain/format";

export const meta: MetaFunction = () => [{ title: "Deals · Partner Portal" }];

const DAY = 86_400_000;

const STAGE_BADGE: Record<DealStage, string> = {
  submitted: "",
  approved: "ok",
  rejected: "danger",
  won: "ok",
  lost: "neutral",
  expired: "warn",
};

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const params = new URL(args.request.url).searchParams;
  const { filters, errors } = parseDealFilters(params);
  // A bad filter is answered 400 and shown next to its field; the list still renders, with the
  // filters that are valid.
  // A cursor that does not parse starts the list over; the partner id decides which deals exist.
  const { rows, total, next, prev } = listPartnerDeals(args.context.db, user.partnerId, filters, {
    after: decodeDealCursor(params.get("after")),
    before: decodeDealCursor(params.get("before")),
  });
  const now = Date.now();
  // The form shows what was typed, so the partner can correct it.
  const typed = (key: "stage" | "from" | "to") => (errors[key] ? (params.get(key) ?? "").slice(0, 40) : (filters[key] ?? ""));
  const payload = {
    filters: { stage: typed("stage"), from: typed("from"), to: typed("to"), q: filters.q ?? "" },
    errors: errors as DealFilterErrors,
    deals: rows.map((d) => {
      const protectionEndsAt = d.stage === "approved" ? (d.protectionEndsAt?.getTime() ?? null) : null;
      return {
        id: d.id,
        title: d.title,
        customer: d.customer,
        domain: d.domain,
        stage: d.stage,
        amount: formatMoney(d.amountCents, d.currency),
        submittedAt: d.submittedAt.toISOString(),
        protectionEndsAt: protectionEndsAt === null ? null : new Date(protectionEndsAt).toISOString(),
        expiresSoon: protectionEndsAt !== null && protectionEndsAt > now && protectionEndsAt - now <= EXPIRY_WARNING_DAYS * DAY,
      };
    }),
    total,
    next,
    prev,
  };
  return data(payload, { status: Object.keys(errors).length ? 400 : 200 });
}

function FilterError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span className="error" id={id} role="alert">
      {message}
    </span>
  );
}

type Filters = { stage: string; from: string; to: string; q: string };

function query(filters: Filters, cursor: { after?: string; before?: string } = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...cursor })) if (value) params.set(key, value);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export default function Deals() {
  const { filters, errors, deals, total, next, prev } = useLoaderData<typeof loader>();
  const invalid = Object.keys(errors).length > 0;
  const filtered = Object.values(filters).some(Boolean);
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Deals</h1>
          <p className="muted">Your company's registrations and where each one stands.</p>
        </div>
        <div className="row">
          <a className="button secondary" href={`/deals.csv${query(filters)}`} download>
            Export CSV
          </a>
          <Link className="button" to="/deals/new">
            Register a deal
          </Link>
        </div>
      </div>

      <Form method="get" className="card" role="search" aria-label="Filter deals">
        <div className="row" style={{ alignItems: "flex-end" }}>
          <div className="field" style={{ flex: "1 1 150px" }}>
            <label htmlFor="filter-stage">Stage</label>
            <select
              id="filter-stage"
              name="stage"
              defaultValue={filters.stage}
              key={`stage-${filters.stage}`}
              aria-invalid={errors.stage ? true : undefined}
              aria-describedby={errors.stage ? "filter-stage-error" : undefined}
            >
              <option value="">All stages</option>
              {DEAL_STAGES.map((s) => (
                <option key={s} value={s}>
                  {humanize(s)}
                </option>
              ))}
            </select>
            <FilterError id="filter-stage-error" message={errors.stage} />
          </div>
          <div className="field" style={{ flex: "1 1 150px" }}>
            <label htmlFor="filter-from">Submitted from</label>
            <input
              id="filter-from"
              type="date"
              name="from"
              defaultValue={filters.from}
              key={`from-${filters.from}`}
              aria-invalid={errors.from ? true : undefined}
              aria-describedby={errors.from ? "filter-from-error" : undefined}
            />
            <FilterError id="filter-from-error" message={errors.from} />
          </div>
          <div className="field" style={{ flex: "1 1 150px" }}>
            <label htmlFor="filter-to">Submitted to</label>
            <input
              id="filter-to"
              type="date"
              name="to"
              defaultValue={filters.to}
              key={`to-${filters.to}`}
              aria-invalid={errors.to ? true : undefined}
              aria-describedby={errors.to ? "filter-to-error" : undefined}
            />
            <FilterError id="filter-to-error" message={errors.to} />
          </div>
          <div className="field" style={{ flex: "2 1 220px" }}>
            <label htmlFor="filter-q">Search</label>
            <input
              id="filter-q"
              type="search"
              name="q"
              defaultValue={filters.q}
              key={`q-${filters.q}`}
              placeholder="Deal, customer or domain"
              maxLength={100}
            />
          </div>
          <div className="row">
            <button type="submit">Apply filters</button>
            {filtered || invalid ? (
              <Link to="/deals" className="button secondary">
                Clear
              </Link>
            ) : null}
          </div>
        </div>
        {invalid ? (
          <p className="muted small">Until the filter is fixed, the list below leaves it out.</p>
        ) : null}
      </Form>

      <section className="card" aria-labelledby="deals-heading">
        <h2 id="deals-heading">
          {filtered ? "Matching deals" : "All deals"}{" "}
          <span className="muted small" style={{ fontWeight: 400 }}>
            {total ? `${total} ${total === 1 ? "deal" : "deals"}` : ""}
          </span>
        </h2>
        {deals.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Your deals, newest submission first</caption>
              <thead>
                <tr>
                  <th scope="col">Deal</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Stage</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Protection ends</th>
                </tr>
              </thead>
              <tbody>
                {deals.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/deals/${d.id}`}>{d.title}</Link>
                    </td>
                    <td>
                      {d.customer}
                      <br />
                      <span className="muted small">{d.domain}</span>
                    </td>
                    <td>
                      <span className={`badge ${STAGE_BADGE[d.stage]}`}>{humanize(d.stage)}</span>
                    </td>
                    <td className="num">{d.amount}</td>
                    <td>
                      <time dateTime={d.submittedAt}>{formatDate(d.submittedAt)}</time>
                    </td>
                    <td>
                      {d.protectionEndsAt ? (
                        <>
                          <time dateTime={d.protectionEndsAt}>{formatDate(d.protectionEndsAt)}</time>
                          {d.expiresSoon ? (
                            <>
                              {" "}
                              <span className="badge warn">Expires soon</span>
                            </>
                          ) : null}
                        </>
                      ) : (
                        <span className="muted" aria-label="None">
                          —
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : total ? (
          <p className="muted">
            No more deals here. <Link to={`/deals${query(filters)}`}>Go to the first page</Link>.
          </p>
        ) : filtered ? (
          <p className="muted">
            No deals match these filters. <Link to="/deals">Show all deals</Link>.
          </p>
        ) : (
          <p className="muted">
            You have not registered any deals yet. <Link to="/deals/new">Register your first deal</Link>: an approved
            registration protects the account for your company.
          </p>
        )}

        <KeysetPager prev={prev} next={next} hrefFor={(cursor) => `/deals${query(filters, cursor)}`} />
      </section>
    </div>
  );
}
