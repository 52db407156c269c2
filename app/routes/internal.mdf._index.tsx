// MDF requests and claims for the partner team: what waits for a decision first (requests,
// then claims), then the rest, newest first.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { MdfStatusBadge } from "../components/mdf";
import { formatMoney } from "../domain/format";
import { listMdfForStaff } from "../domain/mdf.server";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "MDF · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  return { currency: programCurrency(db), requests: listMdfForStaff(db) };
}

export default function InternalMdf() {
  const { currency, requests } = useLoaderData<typeof loader>();
  const waiting = requests.filter((r) => r.status === "requested" || r.status === "claimed").length;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Market development funds</h1>
          <p className="muted" style={{ margin: 0 }}>
            {waiting === 0 ? "Nothing waits for a decision." : `${waiting} waiting for a decision.`} Allowances per tier and quarter are set on the{" "}
            <Link to="/internal/spend">program spend</Link> page.
          </p>
        </div>
      </div>
      <section className="card">
        {requests.length === 0 ? (
          <p className="muted">No MDF requests yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col">Activity</th>
                  <th scope="col">Type</th>
                  <th scope="col">Planned</th>
                  <th scope="col" className="num">Amount</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((r) => (
                  <tr key={r.id}>
                    <td>{r.partnerName}</td>
                    <td>
                      <Link to={`/internal/mdf/${r.id}`}>{r.title}</Link>
                    </td>
                    <td>{r.activityType}</td>
                    <td>{r.plannedOn}</td>
                    <td className="num">{formatMoney(r.paidCents ?? r.claimedCents ?? r.amountCents, currency)}</td>
                    <td>
                      <MdfStatusBadge status={r.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
