// Partners as the program sees them: the partner's own summary (scoped by the partner id from
// the session), the internal list and detail, status changes and the assigned partner manager.
import { and, asc, count, desc, eq, inArray, isNull, like, min, or, sql, sum } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import {
  deals,
  partnerApplications,
  reportDeliveries,
  partners,
  tierReviews,
  tiers,
  users,
  type AttributionModel,
  type DealStage,
} from "../../db/schema";
import type { DB } from "../db.server";
import { writeTransaction } from "../db.server";
import { endAllSessionsOfPartner } from "../auth/session.server";
import { programModel, trailing12Months } from "./attribution.server";
import { openPipeline, partnerFigures } from "./figures.server";
import { decodeKeyset, encodeKeyset } from "./keyset";
import { recordAudit, type Actor } from "./audit.server";
import { listPartnerUsers } from "./users.server";
import { formatMoney } from "./format";
import { describeThreshold, type ThresholdProgress } from "./tier-snapshot";
export type { ThresholdProgress };
import { calendarWindow, periodOf } from "./periods";
import { programCurrency } from "./program-settings.server";
import { dealReportingCentsSql, missingRates } from "./money.server";
import { loadLadder, tierMetricsForPartner, tierMetricsOf } from "./tier-metrics.server";
import { nextTier, qualifies, thresholdsOf, type Threshold, type TierMetrics } from "./tiers";

/** amountCents: in the reporting currency (money.server.ts date rule); deals without a rate left out. */
export type StageCount = { stage: DealStage; deals: number; amountCents: number };

export function dealsByStage(db: DB, partnerId: number, asOf: Date = new Date()): StageCount[] {
  const rows = db
    .select({
      stage: deals.stage,
      deals: count(),
      amountCents: sql<number>`coalesce(sum(${sql.raw(dealReportingCentsSql('"deals"', asOf))}), 0)`.mapWith(Number),
    })
    .from(deals)
    .where(eq(deals.partnerId, partnerId))
    .groupBy(deals.stage)
    .all();
  const order: DealStage[] = ["submitted", "approved", "won", "lost", "rejected", "expired"];
  return order.map((stage) => rows.find((r) => r.stage === stage) ?? { stage, deals: 0, amountCents: 0 });
}

export function getPartnerTier(db: DB, partnerId: number) {
  const row = db
    .select({ id: tiers.id, name: tiers.name, rank: tiers.rank, benefits: tiers.benefits })
    .from(partners)
    .innerJoin(tiers, eq(tiers.id, partners.tierId))
    .where(eq(partners.id, partnerId))
    .get();
  if (!row) return null;
  const next = db
    .select()
    .from(tiers)
    .where(sql`${tiers.rank} > ${row.rank}`)
    .orderBy(asc(tiers.rank))
    .limit(1)
    .get();
  return { current: row, next: next ?? null };
}




type TierSummary = { id: number; name: string; rank: number; benefits: string; thresholdRule: "all" | "any" };

export type PartnerTierProgress = {
  current: TierSummary;
  /** Null at the top of the ladder. */
  next: TierSummary | null;
  /** The trailing-12-month figures tiers are judged on (program model). */
  metrics: TierMetrics;
  model: AttributionModel;
  currency: string;
  /** ISO instants of the trailing-12-month window; `to` is exclusive. */
  window: { from: string; to: string };
  /** The next tier's thresholds against the metrics (empty at the top). */
  nextThresholds: ThresholdProgress[];
  nextQualifies: boolean;
  /** The current tier's own thresholds: below them, a downgrade may follow. */
  currentThresholds: ThresholdProgress[];
  currentQualifies: boolean;
};

/**
 * Where the partner stands on the ladder: its tier, the figures it is judged on and what the
 * next tier still needs. One computation for the dashboard, the tier page and reports.
 */
export function getPartnerTierProgress(
  db: DB,
  partnerId: number,
  asOf: Date = new Date(),
  /** The partner's trailing-12-month metrics when the caller has them already. */
  known?: TierMetrics,
): PartnerTierProgress | null {
  const partner = db.select({ tierId: partners.tierId }).from(partners).where(eq(partners.id, partnerId)).get();
  if (!partner) return null;
  const ladder = loadLadder(db);
  const current = ladder.find((t) => t.id === partner.tierId);
  if (!current) return null;
  const next = nextTier(ladder, current.rank);
  const metrics = known ?? tierMetricsForPartner(db, partnerId, asOf);
  const currency = programCurrency(db);
  const window = trailing12Months(asOf);
  const summary = (t: typeof current): TierSummary => ({
    id: t.id,
    name: t.name,
    rank: t.rank,
    benefits: t.benefits,
    thresholdRule: t.thresholdRule,
  });
  return {
    current: summary(current),
    next: next ? summary(next) : null,
    metrics,
    model: programModel(db),
    currency,
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    nextThresholds: next ? thresholdsOf(next, metrics).map((t) => describeThreshold(t, currency)) : [],
    nextQualifies: next ? qualifies(next, metrics) : false,
    currentThresholds: thresholdsOf(current, metrics).map((t) => describeThreshold(t, currency)),
    currentQualifies: qualifies(current, metrics),
  };
}

/** The partner's tier proposal still waiting for the partner team, if any (no reviewer named). */
export function pendingTierReview(db: DB, partnerId: number) {
  const toTier = alias(tiers, "to_tier");
  return (
    db
      .select({
        period: tierReviews.period,
        direction: tierReviews.direction,
        fromTier: tiers.name,
        toTier: toTier.name,
        createdAt: tierReviews.createdAt,
      })
      .from(tierReviews)
      .innerJoin(tiers, eq(tiers.id, tierReviews.fromTierId))
      .innerJoin(toTier, eq(toTier.id, tierReviews.toTierId))
      .where(and(eq(tierReviews.partnerId, partnerId), eq(tierReviews.status, "pending")))
      .orderBy(desc(tierReviews.createdAt), desc(tierReviews.id))
      .limit(1)
      .get() ?? null
  );
}


export function getPartnerDashboard(db: DB, partnerId: number, asOf: Date = new Date()) {
  const model = programModel(db);
  // The catalogue's figures (figures.ts): the trailing 12 months the tier judges, this calendar
  // month so far (the attribution page's month view), and the open registrations right now.
  const ttm = partnerFigures(db, partnerId, trailing12Months(asOf), model);
  const month = partnerFigures(db, partnerId, calendarWindow(periodOf(asOf)), model);
  const progress = getPartnerTierProgress(db, partnerId, asOf, tierMetricsOf(ttm));
  return {
    stages: dealsByStage(db, partnerId, asOf),
    missingRates: missingRates(db, { partnerId }, asOf),
    tier: getPartnerTier(db, partnerId),
    progress,
    model,
    currency: ttm.currency,
    month: periodOf(asOf),
    figures: { ttm, month, open: openPipeline(db, partnerId, asOf) },
  };
}

export type PartnerListFilters = {
  q?: string;
  status?: string;
  kind?: string;
  region?: string;
  /** A user id, or "none" for partners nobody looks after yet. */
  managerId?: string;
};

export const PARTNER_PAGE_SIZE = 50;
/** A position in the partner list: the (name, id) of a row, opaque in the URL. */
export type PartnerCursor = { name: string; id: number };

export function encodePartnerCursor(c: PartnerCursor): string {
  return encodeKeyset([c.name, c.id]);
}

/** null for anything that is not a cursor this module wrote (the list then starts over). */
export function decodePartnerCursor(value: string | null | undefined): PartnerCursor | null {
  const key = decodeKeyset(value, ["string", "number"]);
  return key ? { name: key[0], id: key[1] } : null;
}

/**
 * One page of the program's partners by name (keyset on name, id), with the filters, the
 * cursors of the pages around it and how many partners match (a count over one table).
 */
export function listPartners(
  db: DB,
  filters: PartnerListFilters = {},
  dir: { after?: PartnerCursor | null; before?: PartnerCursor | null } = {},
  pageSize = PARTNER_PAGE_SIZE,
) {
  const conditions = [];
  if (filters.q) {
    const q = `%${filters.q.replace(/[%_]/g, "")}%`;
    conditions.push(or(like(partners.name, q), like(partners.slug, q)));
  }
  if (filters.status) conditions.push(eq(partners.status, filters.status as never));
  if (filters.kind) conditions.push(eq(partners.kind, filters.kind as never));
  if (filters.region) conditions.push(eq(partners.region, filters.region));
  if (filters.managerId === "none") conditions.push(isNull(partners.managerId));
  else if (filters.managerId) conditions.push(eq(partners.managerId, filters.managerId));
  const total = db.select({ n: count() }).from(partners).where(conditions.length ? and(...conditions) : undefined).get()?.n ?? 0;
  const backwards = !!dir.before;
  const cursor = dir.before ?? dir.after;
  const paged = [...conditions];
  if (cursor) {
    paged.push(
      backwards
        ? sql`(${partners.name} < ${cursor.name} OR (${partners.name} = ${cursor.name} AND ${partners.id} < ${cursor.id}))`
        : sql`(${partners.name} > ${cursor.name} OR (${partners.name} = ${cursor.name} AND ${partners.id} > ${cursor.id}))`,
    );
  }
  const order = backwards ? [desc(partners.name), desc(partners.id)] : [asc(partners.name), asc(partners.id)];
  const found = db
    .select({
      id: partners.id,
      name: partners.name,
      slug: partners.slug,
      kind: partners.kind,
      region: partners.region,
      status: partners.status,
      tier: tiers.name,
      managerName: users.name,
      joinedOn: partners.joinedOn,
    })
    .from(partners)
    .innerJoin(tiers, eq(tiers.id, partners.tierId))
    .leftJoin(users, eq(users.id, partners.managerId))
    .where(paged.length ? and(...paged) : undefined)
    .orderBy(...order)
    .limit(pageSize + 1)
    .all();
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return listPartners(db, filters, {}, pageSize);
  const rows = (backwards ? found.slice(0, pageSize).reverse() : found.slice(0, pageSize));
  const at = (r: (typeof rows)[number] | undefined) => (r ? encodePartnerCursor({ name: r.name, id: r.id }) : null);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    rows,
    total,
    next: backwards || more ? at(last) : null,
    prev: backwards ? at(first) : dir.after ? (at(first) ?? encodePartnerCursor(dir.after)) : null,
  };
}

/** The few facts an action on a partner's page needs; null for an unknown slug. */
export function findPartnerBySlug(db: DB, slug: string) {
  return (
    db
      .select({ id: partners.id, name: partners.name, status: partners.status })
      .from(partners)
      .where(eq(partners.slug, slug))
      .get() ?? null
  );
}

export function getPartnerDetail(db: DB, slug: string) {
  const partner = db
    .select({
      id: partners.id,
      name: partners.name,
      slug: partners.slug,
      kind: partners.kind,
      region: partners.region,
      status: partners.status,
      website: partners.website,
      joinedOn: partners.joinedOn,
      reportFormat: partners.reportFormat,
      tier: tiers.name,
      managerId: partners.managerId,
      managerName: users.name,
    })
    .from(partners)
    .innerJoin(tiers, eq(tiers.id, partners.tierId))
    .leftJoin(users, eq(users.id, partners.managerId))
    .where(eq(partners.slug, slug))
    .get();
  if (!partner) return null;
  const people = listPartnerUsers(db, partner.id);
  return { partner, people, stages: dealsByStage(db, partner.id) };
}

export type PartnerDelivery = {
  id: number;
  period: string;
  status: string;
  attempts: number;
  error: string | null;
  sentAt: Date | null;
};

/**
 * A partner's monthly report deliveries, newest period first (its partner page; read-only —
 * retries are the Reports page's). Tenant-scoped by `partnerId`.
 */
export function listPartnerDeliveries(db: DB, partnerId: number, limit = 6): PartnerDelivery[] {
  return db
    .select({
      id: reportDeliveries.id,
      period: reportDeliveries.period,
      status: reportDeliveries.status,
      attempts: reportDeliveries.attempts,
      error: reportDeliveries.error,
      sentAt: reportDeliveries.sentAt,
    })
    .from(reportDeliveries)
    .where(and(eq(reportDeliveries.partnerId, partnerId), eq(reportDeliveries.kind, "monthly")))
    .orderBy(desc(reportDeliveries.period), desc(reportDeliveries.id))
    .limit(limit)
    .all();
}

export function setPartnerStatus(
  db: DB,
  actor: Actor,
  partnerId: number,
  status: "active" | "suspended" | "churned",
) {
  writeTransaction(db, (tx) => {
    const before = tx.select({ status: partners.status }).from(partners).where(eq(partners.id, partnerId)).get();
    if (!before) throw new Error(`No partner ${partnerId}`);
    if (before.status === status) return;
    tx.update(partners).set({ status }).where(eq(partners.id, partnerId)).run();
    recordAudit(tx, {
      actor,
      action: "partner.status_changed",
      entityType: "partner",
      entityId: partnerId,
      partnerId,
      before,
      after: { status },
    });
  });
  if (status !== "active") endAllSessionsOfPartner(db, partnerId);
}

export function programOverview(db: DB) {
  const byStatus = db
    .select({ status: partners.status, n: count() })
    .from(partners)
    .groupBy(partners.status)
    .all();
  const openRegistrations = db
    .select({ n: count(), oldest: min(deals.submittedAt) })
    .from(deals)
    .where(eq(deals.stage, "submitted"))
    .get();
  const pendingApplications = db
    .select({ n: count() })
    .from(partnerApplications)
    .where(eq(partnerApplications.status, "pending"))
    .get();
  const pendingTierReviews = db
    .select({ n: count() })
    .from(tierReviews)
    .where(eq(tierReviews.status, "pending"))
    .get();
  return {
    partnersByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])) as Record<string, number>,
    openRegistrations: openRegistrations?.n ?? 0,
    oldestRegistrationAt: openRegistrations?.oldest ?? null,
    pendingApplications: pendingApplications?.n ?? 0,
    pendingTierReviews: pendingTierReviews?.n ?? 0,
  };
}

/** Staff who can be assigned to look after partners: partner managers first, then admins. */
export function listManagers(db: DB) {
  return db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(inArray(users.role, ["partner_manager", "admin"]), isNull(users.disabledAt)))
    .orderBy(sql`${users.role} = 'admin'`, asc(users.name))
    .all();
}

/** A refusal whose message is written for the staff member who asked. */
export class PartnerChangeError extends Error {}

export function setPartnerManager(db: DB, actor: Actor, partnerId: number, managerId: string | null) {
  writeTransaction(db, (tx) => {
    const before = tx
      .select({ managerId: partners.managerId })
      .from(partners)
      .where(eq(partners.id, partnerId))
      .get();
    if (!before) throw new Error(`No partner ${partnerId}`);
    if (managerId !== null) {
      const manager = tx
        .select({ id: users.id })
        .from(users)
        .where(
          and(eq(users.id, managerId), inArray(users.role, ["partner_manager", "admin"]), isNull(users.disabledAt)),
        )
        .get();
      if (!manager) throw new PartnerChangeError("Choose an active member of the partner team.");
    }
    if (before.managerId === managerId) return;
    tx.update(partners).set({ managerId }).where(eq(partners.id, partnerId)).run();
    recordAudit(tx, {
      actor,
      action: "partner.manager_changed",
      entityType: "partner",
      entityId: partnerId,
      partnerId,
      before,
      after: { managerId },
    });
  });
}
