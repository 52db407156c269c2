// The partner's own deals: the list, the CSV export, one deal with its touches and its
// history, and logging a touch. Every query has the partner id (from the session guard) in its
// WHERE clause; another partner's deal is "not found".
import { and, asc, count, desc, eq, gte, inArray, like, lte, or, sql, type SQL } from "drizzle-orm";
import { customers, deals, touches, users } from "../../db/schema";
import type { DB } from "../db.server";
import { writeTransaction } from "../db.server";
import { listAuditTrail, recordAudit, type Actor } from "./audit.server";
import { TOUCH_KIND_LABELS, type DealListFilters } from "./deals";
import { DealError, dealDetailColumns } from "./deals.server";
import { formatDate, formatMoney } from "./format";
import { decodeKeyset, encodeKeyset } from "./keyset";
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";
import { refreshDealRollups } from "./rollups.server";

/**
 * The customer's name as this deal's own registration typed it, as SQL over the `deals` columns
 * of the table called `d`. Never the shared customer record's name: the first registrant of a
 * domain typed that one, and it may be another partner. Rows from before deals kept the name
 * fall back to the deal's own title ("<name> — <product line>", as registerDeal writes it).
 */
export function typedCustomerNameSql(d: string) {
  const suffix = `' — ' || ${d}.product_line`;
  return `coalesce(nullif(${d}.customer_name, ''), CASE
    WHEN length(${d}.title) > length(${suffix}) AND substr(${d}.title, -length(${suffix})) = ${suffix}
    THEN substr(${d}.title, 1, length(${d}.title) - length(${suffix}))
    ELSE ${d}.title END)`;
}

/** typedCustomerNameSql for drizzle queries over `deals`. */
export const typedCustomerName = sql<string>`${sql.raw(typedCustomerNameSql('"deals"'))}`;

/** What every list of the partner's deals shows, on screen and in the export. */
const summaryColumns = {
  id: deals.id,
  title: deals.title,
  customer: typedCustomerName,
  domain: customers.domain,
  stage: deals.stage,
  amountCents: deals.amountCents,
  currency: deals.currency,
};

export const PAGE_SIZE = 25;

function partnerDealConditions(partnerId: number, f: DealListFilters) {
  const c: SQL[] = [eq(deals.partnerId, partnerId)];
  if (f.stage) c.push(eq(deals.stage, f.stage));
  if (f.from) c.push(gte(deals.submittedAt, new Date(`${f.from}T00:00:00Z`)));
  if (f.to) c.push(lte(deals.submittedAt, new Date(`${f.to}T23:59:59.999Z`)));
  if (f.q) {
    const q = `%${f.q.replace(/[%_]/g, "")}%`;
    c.push(or(like(deals.title, q), like(customers.domain, q), like(typedCustomerName, q))!);
  }
  return and(...c);
}

/** A position in the partner's deal list: the (submitted_at, id) of a row, opaque in the URL. */
export type DealCursor = { submittedAt: number; id: number };

export function encodeDealCursor(c: DealCursor): string {
  return encodeKeyset([c.submittedAt, c.id]);
}

/** null for anything that is not a cursor of this list (the list then starts over). */
export function decodeDealCursor(value: string | null | undefined): DealCursor | null {
  const key = decodeKeyset(value, ["number", "number"]);
  return key ? { submittedAt: key[0], id: key[1] } : null;
}

/**
 * One page of the partner's deals, newest submission first (keyset on submitted_at, id through
 * deals_partner_submitted_idx), with the cursors of the pages around it and how many deals
 * match. The partner id is in every statement: a cursor (even one naming another partner's
 * deal) only says where to resume.
 */
export function listPartnerDeals(
  db: DB,
  partnerId: number,
  f: DealListFilters = {},
  dir: { after?: DealCursor | null; before?: DealCursor | null } = {},
  pageSize = PAGE_SIZE,
): { rows: PartnerDealRow[]; total: number; next: string | null; prev: string | null } {
  const where = partnerDealConditions(partnerId, f);
  // The customer join only when the search needs the domain.
  const counted = db.select({ n: count() }).from(deals);
  const total = (f.q ? counted.innerJoin(customers, eq(customers.id, deals.customerId)) : counted).where(where).get()?.n ?? 0;
  const backwards = !!dir.before;
  const cursor = dir.before ?? dir.after;
  // Always a range on submitted_at: it makes deals_partner_submitted_idx (the list's order) the
  // planner's choice; otherwise it may take another index on partner_id and sort all of the
  // partner's deals (38,168 for the largest) for 25 rows.
  const conditions = [where];
  if (!cursor) conditions.push(sql`${deals.submittedAt} <= ${8_640_000_000_000_000}`);
  if (cursor) {
    const at = new Date(cursor.submittedAt);
    conditions.push(
      backwards
        ? sql`${deals.submittedAt} >= ${at.getTime()} AND (${deals.submittedAt} > ${at.getTime()} OR ${deals.id} > ${cursor.id})`
        : sql`${deals.submittedAt} <= ${at.getTime()} AND (${deals.submittedAt} < ${at.getTime()} OR ${deals.id} < ${cursor.id})`,
    );
  }
  const found = db
    .select({
      ...summaryColumns,
      submittedAt: deals.submittedAt,
      expectedCloseOn: deals.expectedCloseOn,
      protectionEndsAt: deals.protectionEndsAt,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(and(...conditions))
    .orderBy(...(backwards ? [asc(deals.submittedAt), asc(deals.id)] : [desc(deals.submittedAt), desc(deals.id)]))
    .limit(pageSize + 1)
    .all();
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return listPartnerDeals(db, partnerId, f, {}, pageSize);
  const rows = backwards ? found.slice(0, pageSize).reverse() : found.slice(0, pageSize);
  const at = (r: PartnerDealRow | undefined) => (r ? encodeDealCursor({ submittedAt: r.submittedAt.getTime(), id: r.id }) : null);
  return {
    rows,
    total,
    next: backwards || more ? at(rows[rows.length - 1]) : null,
    prev: backwards ? at(rows[0]) : dir.after ? (at(rows[0]) ?? encodeDealCursor(dir.after)) : null,
  };
}

export type PartnerDealRow = {
  id: number;
  title: string;
  customer: string;
  domain: string;
  stage: (typeof deals.$inferSelect)["stage"];
  amountCents: number;
  currency: string;
  submittedAt: Date;
  expectedCloseOn: string | null;
  protectionEndsAt: Date | null;
};

/** All of the partner's deals for the CSV export (no paging). */
export function exportPartnerDeals(db: DB, partnerId: number, f: DealListFilters = {}) {
  return db
    .select({
      ...summaryColumns,
      productLine: deals.productLine,
      expectedCloseOn: deals.expectedCloseOn,
      submittedAt: deals.submittedAt,
      decidedAt: deals.decidedAt,
      protectionEndsAt: deals.protectionEndsAt,
      closedAt: deals.closedAt,
      rejectionReason: deals.rejectionReason,
    })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(partnerDealConditions(partnerId, f))
    .orderBy(desc(deals.submittedAt), desc(deals.id))
    .all();
}

/** One of the partner's own deals, or null (another partner's deal is "not found" too). */
export function getPartnerDeal(db: DB, partnerId: number, dealId: number) {
  const deal = db
    .select({ id: deals.id, title: deals.title, customer: typedCustomerName, ...dealDetailColumns })
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .where(and(eq(deals.id, dealId), eq(deals.partnerId, partnerId)))
    .get();
  if (!deal) return null;
  const ownTouches = db
    .select({
      id: touches.id,
      occurredAt: touches.occurredAt,
      kind: touches.kind,
      pillar: touches.pillar,
      journeyStage: touches.journeyStage,
      note: touches.note,
    })
    .from(touches)
    .where(and(eq(touches.dealId, dealId), eq(touches.partnerId, partnerId)))
    .orderBy(asc(touches.occurredAt), asc(touches.id))
    .all();
  return { deal, touches: ownTouches };
}

export type TouchInput = {
  occurredAt: Date;
  kind: (typeof touches.$inferInsert)["kind"];
  pillar: (typeof touches.$inferInsert)["pillar"];
  journeyStage: (typeof touches.$inferInsert)["journeyStage"];
  note: string;
};

/** Logs a partner's touch on one of its own deals. */
/** Where a logged activity leads: the deal's page, saying it was logged. */
export const partnerTouchLocation = (dealId: number) => `/deals/${dealId}?notice=touch`;

export function addPartnerTouch(
  db: DB,
  who: { userId: string; partnerId: number; actor: Actor },
  dealId: number,
  input: TouchInput,
  key: IdempotencyKey | null = null,
): { status: "added"; touchId: number } | { status: "replayed"; location: string } {
  return writeTransaction(db, (tx) => {
    // The same form submitted again (same token): nothing added; go where the first went.
    const earlier = replayOf(tx, key);
    if (earlier) return { status: "replayed" as const, location: earlier };
    const deal = tx
      .select({ id: deals.id, submittedAt: deals.submittedAt, closedAt: deals.closedAt })
      .from(deals)
      .where(and(eq(deals.id, dealId), eq(deals.partnerId, who.partnerId)))
      .get();
    if (!deal) throw new DealError("That deal does not exist.", 404);
    const touch = tx
      .insert(touches)
      .values({ dealId, partnerId: who.partnerId, createdBy: who.userId, ...input })
      .returning({ id: touches.id })
      .get();
    // A touch on a closed deal changes its credit under the touch-based models.
    refreshDealRollups(tx, dealId);
    recordAudit(tx, {
      actor: who.actor,
      action: "touch.added",
      entityType: "deal",
      entityId: dealId,
      partnerId: who.partnerId,
      after: { touchId: touch.id, kind: input.kind, occurredAt: input.occurredAt.toISOString() },
    });
    rememberResult(tx, key, partnerTouchLocation(dealId));
    return { status: "added" as const, touchId: touch.id };
  });
}

export type DealHistoryEntry = { id: number; at: Date; what: string; by: string };

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown) => (typeof value === "string" ? value : null);
const day = (value: unknown) => (typeof value === "string" && value.length >= 10 ? formatDate(value.slice(0, 10)) : null);

function describeDealEvent(action: string, after: Record<string, unknown>, currency: string): string {
  switch (action) {
    case "deal.submitted":
      return after.conflict
        ? "Registered the deal, flagged for review because the account was already registered"
        : "Registered the deal";
    case "deal.approved": {
      const until = day(after.protectionEndsAt);
      return until ? `Approved the registration; the account is protected until ${until}` : "Approved the registration";
    }
    case "deal.rejected":
      return text(after.reason) ? `Rejected the registration: ${text(after.reason)}` : "Rejected the registration";
    case "deal.won":
      return typeof after.amountCents === "number"
        ? `Marked the deal won at ${formatMoney(after.amountCents, currency)}`
        : "Marked the deal won";
    case "deal.lost":
      return text(after.reason) ? `Marked the deal lost: ${text(after.reason)}` : "Marked the deal lost";
    case "deal.expired":
      return "Protection ran out without a close; the registration expired";
    case "touch.added": {
      const kind = TOUCH_KIND_LABELS[after.kind as keyof typeof TOUCH_KIND_LABELS];
      const on = day(after.occurredAt);
      return `Logged an activity${kind ? `: ${kind.toLowerCase()}` : ""}${on ? ` on ${on}` : ""}`;
    }
    default: {
      const verb = action.slice(action.indexOf(".") + 1).replace(/_/g, " ");
      return `${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
    }
  }
}

/**
 * The audit trail of one of the partner's own deals, told as "what happened, when, by whom".
 * Only the partner's own events (never another partner's touch on the deal); a colleague is
 * named, anyone on the vendor side is "Partner team"; no emails, no raw before/after values.
 */
export function partnerDealHistory(db: DB, partnerId: number, dealId: number): DealHistoryEntry[] {
  const deal = db
    .select({ currency: deals.currency })
    .from(deals)
    .where(and(eq(deals.id, dealId), eq(deals.partnerId, partnerId)))
    .get();
  if (!deal) return [];
  const events = listAuditTrail(db, "deal", dealId).filter((e) => e.partnerId === partnerId);
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const colleagues = new Map(
    (actorIds.length
      ? db
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(and(inArray(users.id, actorIds), eq(users.partnerId, partnerId)))
          .all()
      : []
    ).map((u) => [u.id, u.name]),
  );
  return events.map((e) => {
    let by: string;
    if (e.actorId === null) by = e.actorLabel === "system" ? "System" : "Partner team";
    else by = colleagues.get(e.actorId) ?? "Partner team";
    return { id: e.id, at: e.at, what: describeDealEvent(e.action, asRecord(e.after), deal.currency), by };
  });
}
