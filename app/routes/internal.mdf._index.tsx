// MDF requests and claims for the partner team, 50 a page (keyset, decision 0019): what waits
// for a decision first (requests, then claims), then the rest, newest first; the status filter
// and the page are in the URL.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { MDF_STATUSES } from "../../db/schema";
import { requireStaff } from "../auth/guards.server";
import { MdfList } from "../components/mdf";
import { countMdfWaiting, decodeMdfCursor, listMdfPage } from "../domain/mdf.server";
import { programCurrency } from "../domain/program-settings.server";

export const meta: MetaFunction = () => [{ title: "MDF · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { db } = args.context;
  const params = new URL(args.request.url).searchParams;
  // An unknown status in the URL means "no filter", never an error page.
  const status = z.enum(MDF_STATUSES).optional().catch(undefined).parse(params.get("status") || undefined);
  const page = listMdfPage(db, { partnerId: null }, { status }, { after: decodeMdfCursor(params.get("after")), before: decodeMdfCursor(params.get("before")) });
  return { currency: programCurrency(db), page, status: status ?? "", waiting: countMdfWaiting(db) };
}

export default function InternalMdf() {
  const { currency, page, status, waiting } = useLoaderData<typeof loader>();
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
      <section className="card stack" aria-label="MDF requests">
        <MdfList page={page} currency={currency} pathname="/internal/mdf" status={status} showPartner detailHref={(id) => `/internal/mdf/${id}`} empty="No MDF requests yet." />
      </section>
    </div>
  );
}
