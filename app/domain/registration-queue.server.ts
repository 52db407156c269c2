// The registration queue, one bounded page at a time: submitted deals oldest first, keyset-paged
// on (submitted_at, id), filtered by the reviewer's own partners, by age and to conflicted ones
// only; and the conflict summary of a whole page in a fixed number of statements (queueConflicts),
// never one panel per row. The full panel of one deal stays conflictPanel (deal-review.server.ts);
// the bulk approval re-checks each deal with it before approving.
import type { DB } from "../db.server";
import { emailDomain } from "./customers";
import { existingCustomerSince } from "./deals";
import { CONTACT_DOMAIN_SQL, FREEMAIL } from "./deal-review.server";
import { clientOf } from "./rollups.server";

const DAY = 86_400_000;
export const QUEUE_PAGE_SIZE = 50;

export type QueueFilters = {
  /** Only deals of partners this user manages. */
  managerId?: string;
  /** Only registrations with at least one conflict. */
  conflictsOnly?: boolean;
  /** Only registrations waiting at least this many whole days. */
  minDays?: number;
};

/** A position in the queue: the (submitted_at, id) of a row, as "<ms>.<id>" in the URL. */
export type QueueCursor = { submittedAt: number; id: number };

export function encodeCursor(c: QueueCursor): string {
  return `${c.submittedAt}.${c.id}`;
}

/** null for anything that is not a cursor this module wrote (the page then starts over). */
export function decodeCursor(value: string | null | undefined): QueueCursor | null {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(value ?? "");
  return m ? { submittedAt: Number(m[1]), id: Number(m[2]) } : null;
}

export type QueueConflicts = {
  conflicted: boolean;
  /** The reviewer's one-line reading of each conflict (the full panel is on the deal page). */
  labels: string[];
};

export type QueueRow = {
  id: number;
  title: string;
  domain: string;
  partnerName: string | null;
  partnerSlug: string | null;
  amountCents: number;
  currency: string;
  submittedAt: number;
  conflictNote: string | null;
  customerId: number;
  normalizedName: string;
  contactEmail: string | null;
};

export type QueuePage = {
  rows: (QueueRow & QueueConflicts)[];
  /** Cursor of the next page (rows after the last one), null on the last page. */
  next: string | null;
  /** Cursor of the previous page (rows before the first one), null on the first page. */
  prev: string | null;
  /** Rows matching the filters; null when counting would mean computing every row's conflicts. */
  total: number | null;
};

type Direction = { after?: QueueCursor | null; before?: QueueCursor | null };

function candidates(db: DB, filters: QueueFilters, now: Date, dir: Direction, limit: number): QueueRow[] {
  const where = [`d.stage = 'submitted'`];
  const params: Record<string, unknown> = { limit };
  if (filters.managerId) {
    where.push(`p.manager_id = @managerId`);
    params.managerId = filters.managerId;
  }
  if (filters.minDays !== undefined && filters.minDays > 0) {
    where.push(`d.submitted_at <= @olderThan`);
    params.olderThan = now.getTime() - filters.minDays * DAY;
  }
  const backwards = !!dir.before;
  const cursor = dir.before ?? dir.after;
  if (cursor) {
    // A range on submitted_at (the index) plus the tie-break on id.
    where.push(
      backwards
        ? `d.submitted_at <= @at AND (d.submitted_at < @at OR d.id < @id)`
        : `d.submitted_at >= @at AND (d.submitted_at > @at OR d.id > @id)`,
    );
    params.at = cursor.submittedAt;
    params.id = cursor.id;
  }
  const order = backwards ? "DESC" : "ASC";
  const rows = clientOf(db)
    .prepare(
      `SELECT d.id, d.title, c.domain, p.name AS partnerName, p.slug AS partnerSlug, d.amount_cents AS amountCents,
              d.currency, d.submitted_at AS submittedAt, d.conflict_note AS conflictNote, d.customer_id AS customerId,
              c.normalized_name AS normalizedName, d.contact_email AS contactEmail
         FROM deals d
         JOIN customers c ON c.id = d.customer_id
         LEFT JOIN partners p ON p.id = d.partner_id
        WHERE ${where.join(" AND ")}
        ORDER BY d.submitted_at ${order}, d.id ${order}
        LIMIT @limit`,
    )
    .all(params) as QueueRow[];
  return backwards ? rows.reverse() : rows;
}

/**
 * The conflicts of a page of registrations, in five statements whatever the page size: the
 * active claim on each customer, recent wins (existing customer), other open registrations of
 * the same customer, other customers with the same normalized company name, and other
 * customers' deals whose contact email has the same (non-webmail) domain.
 */
export function queueConflicts(db: DB, rows: readonly QueueRow[], now = new Date()): Map<number, QueueConflicts> {
  const result = new Map<number, QueueConflicts>();
  if (rows.length === 0) return result;
  const c = clientOf(db);
  const customers = JSON.stringify([...new Set(rows.map((r) => r.customerId))]);
  const claims = new Map(
    (
      c
        .prepare(
          `SELECT d.customer_id AS customerId, d.id, d.protection_ends_at AS endsAt, p.name AS partnerName
             FROM deals d LEFT JOIN partners p ON p.id = d.partner_id
            WHERE d.holds_claim = 1 AND d.customer_id IN (SELECT value FROM json_each(@customers))`,
        )
        .all({ customers }) as { customerId: number; id: number; endsAt: number | null; partnerName: string | null }[]
    )
      .filter((h) => h.endsAt === null || h.endsAt > now.getTime())
      .map((h) => [h.customerId, h]),
  );
  const existing = new Set(
    c
      .prepare(
        `SELECT DISTINCT customer_id FROM deals
          WHERE customer_id IN (SELECT value FROM json_each(@customers)) AND stage = 'won' AND closed_at >= @since`,
      )
      .pluck()
      .all({ customers, since: existingCustomerSince(now).getTime() }) as number[],
  );
  const open = new Map<number, number[]>();
  for (const [customerId, id] of c
    .prepare(
      `SELECT customer_id, id FROM deals
        WHERE customer_id IN (SELECT value FROM json_each(@customers)) AND stage IN ('submitted', 'approved')`,
    )
    .raw(true)
    .all({ customers }) as [number, number][]) {
    let list = open.get(customerId);
    if (!list) open.set(customerId, (list = []));
    list.push(id);
  }
  const names = [...new Set(rows.map((r) => r.normalizedName).filter(Boolean))];
  const customersByName = new Map<string, number[]>();
  for (const [name, id] of c
    .prepare(
      `SELECT cu.normalized_name, cu.id FROM customers cu
        WHERE cu.normalized_name IN (SELECT value FROM json_each(@names))
          AND EXISTS (SELECT 1 FROM deals d WHERE d.customer_id = cu.id)`,
    )
    .raw(true)
    .all({ names: JSON.stringify(names) }) as [string, number][]) {
    let list = customersByName.get(name);
    if (!list) customersByName.set(name, (list = []));
    list.push(id);
  }
  const contactDomain = (r: QueueRow) => {
    const d = emailDomain(r.contactEmail);
    return d && !FREEMAIL.has(d) ? d : null;
  };
  const domains = [...new Set(rows.map(contactDomain).filter((d): d is string => d !== null))];
  // The lowest and highest customer per domain: another customer exists iff either differs.
  const domainCustomers = new Map(
    (
      c
        .prepare(
          `SELECT ${CONTACT_DOMAIN_SQL} AS domain, min(customer_id) AS lo, max(customer_id) AS hi FROM deals
            WHERE ${CONTACT_DOMAIN_SQL} IN (SELECT value FROM json_each(@domains)) GROUP BY 1`,
        )
        .all({ domains: JSON.stringify(domains) }) as { domain: string; lo: number; hi: number }[]
    ).map((r) => [r.domain, r]),
  );

  for (const r of rows) {
    const labels: string[] = [];
    const claim = claims.get(r.customerId);
    const otherClaim = claim && claim.id !== r.id ? claim : null;
    if (otherClaim) labels.push(`Claimed by ${otherClaim.partnerName ?? "a direct deal"}`);
    if (existing.has(r.customerId)) labels.push("Existing customer");
    const openOthers = (open.get(r.customerId) ?? []).filter((id) => id !== r.id);
    const openNotClaim = openOthers.filter((id) => id !== otherClaim?.id).length;
    if (openNotClaim) labels.push(`${openNotClaim} other open on this domain`);
    if (r.normalizedName && (customersByName.get(r.normalizedName) ?? []).some((id) => id !== r.customerId)) {
      labels.push("Same company name");
    }
    const dom = contactDomain(r);
    const span = dom ? domainCustomers.get(dom) : undefined;
    if (span && (span.lo !== r.customerId || span.hi !== r.customerId)) labels.push("Same contact email domain");
    result.set(r.id, { conflicted: labels.length > 0 || openOthers.length > 0, labels });
  }
  return result;
}

/**
 * One page of the queue after (or before) a cursor. Without the conflicts filter: one statement
 * for the rows, one count and queueConflicts' five. With it, candidates are read and checked in
 * batches until the page is full, so a page costs a bounded number of statements per batch.
 */
export function registrationQueuePage(
  db: DB,
  filters: QueueFilters,
  dir: Direction = {},
  now = new Date(),
  pageSize = QUEUE_PAGE_SIZE,
): QueuePage {
  const backwards = !!dir.before;
  const want = pageSize + 1;
  let picked: (QueueRow & QueueConflicts)[] = [];
  if (!filters.conflictsOnly) {
    const rows = candidates(db, filters, now, dir, want);
    const conflicts = queueConflicts(db, rows, now);
    picked = rows.map((r) => ({ ...r, ...conflicts.get(r.id)! }));
  } else {
    const batch = Math.max(want, 200);
    let cursor = dir.before ?? dir.after ?? null;
    for (;;) {
      const rows = candidates(db, filters, now, backwards ? { before: cursor } : { after: cursor }, batch);
      const conflicts = queueConflicts(db, rows, now);
      const hits = rows.filter((r) => conflicts.get(r.id)!.conflicted).map((r) => ({ ...r, ...conflicts.get(r.id)! }));
      picked = backwards ? [...hits, ...picked] : [...picked, ...hits];
      if (picked.length >= want || rows.length < batch) break;
      const edge = backwards ? rows[0]! : rows[rows.length - 1]!;
      cursor = { submittedAt: edge.submittedAt, id: edge.id };
    }
    picked = backwards ? picked.slice(-want) : picked.slice(0, want);
  }

  const more = picked.length > pageSize;
  const rows = backwards ? picked.slice(picked.length - Math.min(picked.length, pageSize)) : picked.slice(0, pageSize);
  // Paging back past the start lands on the first page, full, rather than on a short one.
  if (backwards && !more) return registrationQueuePage(db, filters, {}, now, pageSize);
  const first = rows[0];
  const last = rows[rows.length - 1];
  const cursorOf = (r: QueueRow) => encodeCursor({ submittedAt: r.submittedAt, id: r.id });
  const next = backwards ? (last ? cursorOf(last) : null) : more && last ? cursorOf(last) : null;
  // Past the end (the last rows were decided meanwhile, or a cursor from elsewhere): back leads to the rows before it.
  const prev = backwards ? (first ? cursorOf(first) : null) : dir.after ? (first ? cursorOf(first) : encodeCursor(dir.after)) : null;
  return { rows, next, prev, total: filters.conflictsOnly ? null : countQueue(db, filters, now) };
}

function countQueue(db: DB, filters: QueueFilters, now: Date): number {
  const where = [`d.stage = 'submitted'`];
  const params: Record<string, unknown> = {};
  if (filters.managerId) {
    where.push(`d.partner_id IN (SELECT id FROM partners WHERE manager_id = @managerId)`);
    params.managerId = filters.managerId;
  }
  if (filters.minDays !== undefined && filters.minDays > 0) {
    where.push(`d.submitted_at <= @olderThan`);
    params.olderThan = now.getTime() - filters.minDays * DAY;
  }
  return clientOf(db)
    .prepare(`SELECT count(*) FROM deals d WHERE ${where.join(" AND ")}`)
    .pluck()
    .get(params) as number;
}
