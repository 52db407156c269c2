// What happened to deal registrations over a span of time, read for the monthly reports
// (docs/domain.md "Reports"): registrations submitted / decided / closed per month, a partner's
// open pipeline as it stood at an instant, and the partner's logged touches. Reads only; the
// writes live with the deal workflow (deals.server.ts).
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { dayOf } from "./money";
import { convertedCentsSql } from "./money.server";
import { deals, touches } from "../../db/schema";
import type { DB } from "../db.server";
import { typedCustomerNameSql } from "./partner-deals.server";

/** Partner registrations of the whole program in [from, to): submitted, approved, rejected. */
export function programRegistrationCounts(db: DB, from: Date, to: Date): { submitted: number; approved: number; rejected: number } {
  const row = db.$client
    .prepare(
      `SELECT
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND submitted_at >= @a AND submitted_at < @b) AS submitted,
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND stage NOT IN ('submitted','rejected')
             AND decided_at >= @a AND decided_at < @b) AS approved,
         (SELECT count(*) FROM deals WHERE partner_id IS NOT NULL AND stage = 'rejected'
             AND decided_at >= @a AND decided_at < @b) AS rejected`,
    )
    .get({ a: from.getTime(), b: to.getTime() }) as { submitted: number; approved: number; rejected: number };
  return { submitted: row.submitted, approved: row.approved, rejected: row.rejected };
}

export type OpenRegistrationRow = {
  id: number;
  title: string;
  customer: string;
  amountCents: number;
  currency: string;
  /** In the reporting currency at `end` (the pipeline's day); null when that currency has no rate. */
  reportingCents: number | null;
  submittedAt: number;
  decidedAt: number | null;
  stage: string;
  protectionEndsAt: number | null;
};

/** A partner's registrations open at @e: submitted before it, not rejected, closed or expired by then. */
// The id list first narrows the partner's deals through its stage indexes to the ones that can
// have been open at @e (still open now, or closed / rejected / expired after @e), so a partner
// with tens of thousands of closed deals is not read row by row; the conditions after it decide.
const OPEN_AT_SQL = `d.partner_id = @partnerId AND d.submitted_at < @e
  AND d.id IN (SELECT id FROM deals WHERE partner_id = @partnerId AND stage IN ('submitted','approved')
     UNION ALL SELECT id FROM deals WHERE partner_id = @partnerId AND stage IN ('won','lost') AND closed_at >= @e
     UNION ALL SELECT id FROM deals WHERE partner_id = @partnerId AND stage = 'rejected' AND decided_at >= @e
     UNION ALL SELECT id FROM deals WHERE partner_id = @partnerId AND stage = 'expired' AND protection_ends_at >= @e)
  AND NOT (d.stage = 'rejected' AND d.decided_at < @e)
  AND NOT (d.stage IN ('won','lost') AND d.closed_at < @e)
  AND NOT (d.stage = 'expired' AND (d.protection_ends_at IS NULL OR d.protection_ends_at < @e))`;
const OPEN_ORDER_SQL = `d.protection_ends_at IS NULL, d.protection_ends_at, d.submitted_at, d.id`;

/**
 * The partner's open registrations as they stood at `end`, each with the customer name the
 * partner typed (never the shared customer record's): submitted before it and not yet
 * rejected, closed or expired by then; soonest protection end first. With `limit`, only the
 * first ones (the names and rates are then looked up for those only).
 */
export function openRegistrationsAt(db: DB, partnerId: number, end: Date, limit?: number): OpenRegistrationRow[] {
  return db.$client
    .prepare(
      `SELECT d.id, d.title, ${typedCustomerNameSql("d")} AS customer, d.amount_cents AS amountCents, d.currency,
              ${convertedCentsSql("d.amount_cents", "d.currency", `'${dayOf(end.getTime() - 1)}'`)} AS reportingCents,
              d.submitted_at AS submittedAt, d.decided_at AS decidedAt, d.stage, d.protection_ends_at AS protectionEndsAt
         FROM deals d
        WHERE ${
          limit === undefined
            ? OPEN_AT_SQL
            : `d.id IN (SELECT d.id FROM deals d WHERE ${OPEN_AT_SQL} ORDER BY ${OPEN_ORDER_SQL} LIMIT ${Math.max(0, Math.floor(limit))})`
        }
        ORDER BY ${OPEN_ORDER_SQL}`,
    )
    .all({ partnerId, e: end.getTime() }) as OpenRegistrationRow[];
}

export type OpenRegistrationTotals = {
  count: number;
  /** In the reporting currency at `end`'s rates; registrations without a rate left out. */
  totalCents: number;
  /** Open registrations without an exchange rate at `end`. */
  missingRates: number;
  /** Approved by `end` with protection ending by `soon`. */
  expiringSoon: number;
};

/** openRegistrationsAt's counts and total over every open registration, in one aggregate. */
export function openRegistrationTotalsAt(db: DB, partnerId: number, end: Date, soon: number): OpenRegistrationTotals {
  const cents = convertedCentsSql("d.amount_cents", "d.currency", `'${dayOf(end.getTime() - 1)}'`);
  const row = db.$client
    .prepare(
      `SELECT count(*) AS count, coalesce(sum(c), 0) AS totalCents, coalesce(sum(c IS NULL), 0) AS missingRates,
              coalesce(sum(approved AND protection_ends_at IS NOT NULL AND protection_ends_at <= @soon), 0) AS expiringSoon
         FROM (SELECT ${cents} AS c, d.protection_ends_at,
                      d.decided_at IS NOT NULL AND d.decided_at < @e AND d.stage <> 'rejected' AS approved
                 FROM deals d WHERE ${OPEN_AT_SQL})`,
    )
    .get({ partnerId, e: end.getTime(), soon }) as OpenRegistrationTotals;
  return row;
}

/** The partner's touches in [from, to): all, and the ones it logged itself. */
export function partnerTouchCounts(db: DB, partnerId: number, from: Date, to: Date): { all: number; logged: number } {
  const row = db
    .select({
      all: sql<number>`count(*)`,
      // The registration itself is recorded as a referral touch: "logged" means the others.
      logged: sql<number>`coalesce(sum(${touches.kind} <> 'referral'), 0)`,
    })
    .from(touches)
    .where(and(eq(touches.partnerId, partnerId), gte(touches.occurredAt, from), lt(touches.occurredAt, to)))
    .get();
  return { all: row?.all ?? 0, logged: row?.logged ?? 0 };
}

/** When the partner's first registration was submitted (ms), null without one. */
export function firstRegistrationAt(db: DB, partnerId: number): number | null {
  // One seek in (partner_id, submitted_at): left to itself, SQLite's planner read every deal of
  // the partner through another index (90 ms for the largest partner's 38,168).
  return (
    (db.$client
      .prepare("SELECT min(submitted_at) FROM deals INDEXED BY deals_partner_submitted_idx WHERE partner_id = ?")
      .pluck()
      .get(partnerId) as number | null | undefined) ?? null
  );
}
