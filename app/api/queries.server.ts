// The API's reads: deals and partners as the API shows them, each taking the caller's partner
// scope (a partner-scoped key passes its partner id; null is the whole program) into the WHERE
// clause, and a deal's credit under every attribution model.
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import { customers, deals, partners, tiers, touches, users, ATTRIBUTION_MODELS, PARTNER_STATUSES, type DealStage } from "../../db/schema";
import type { DB } from "../db.server";
import { apiDeal, DEAL_COLUMNS } from "./deal-shape.server";
import { creditDeal } from "../domain/attribution";
import { closedDealReportingCentsSql } from "../domain/money.server";
import { partnerTierHistory } from "../domain/tier-history.server";
import { programCurrency } from "../domain/program-settings.server";

export type PartnerScope = { partnerId: number | null };

type PartnerStatus = (typeof PARTNER_STATUSES)[number];

type DealQueryRow = NonNullable<ReturnType<ReturnType<typeof dealQuery>["get"]>>;
export type ApiDeal = ReturnType<typeof apiDeal<DealQueryRow>>;

function dealQuery(db: DB) {
  return db
    .select(DEAL_COLUMNS)
    .from(deals)
    .innerJoin(customers, eq(customers.id, deals.customerId))
    .leftJoin(partners, eq(partners.id, deals.partnerId));
}

/** The last change to a deal: submission, decision or close. */
const dealUpdatedAt = sql`max(${deals.submittedAt}, coalesce(${deals.decidedAt}, 0), coalesce(${deals.closedAt}, 0))`;

export function listApiDeals(
  db: DB,
  scope: PartnerScope,
  f: { stage?: DealStage; partnerId?: number; updatedSince?: Date; limit: number; cursor?: number },
) {
  const where: (SQL | undefined)[] = [
    scope.partnerId === null ? undefined : eq(deals.partnerId, scope.partnerId),
    f.partnerId === undefined ? undefined : eq(deals.partnerId, f.partnerId),
    f.stage ? eq(deals.stage, f.stage) : undefined,
    f.updatedSince ? sql`${dealUpdatedAt} >= ${f.updatedSince.getTime()}` : undefined,
    f.cursor ? gt(deals.id, f.cursor) : undefined,
  ];
  const rows = dealQuery(db)
    .where(and(...where))
    .orderBy(asc(deals.id))
    .limit(f.limit + 1)
    .all();
  const more = rows.length > f.limit;
  const data = rows.slice(0, f.limit).map(apiDeal);
  return { data, nextCursor: more ? String(data[data.length - 1]!.id) : null };
}

/** One deal, or null when it does not exist or is not the scope's partner's (the same answer). */
export function getApiDeal(db: DB, scope: PartnerScope, dealId: number): ApiDeal | null {
  const row = dealQuery(db)
    .where(and(eq(deals.id, dealId), scope.partnerId === null ? undefined : eq(deals.partnerId, scope.partnerId)))
    .get();
  return row ? apiDeal(row) : null;
}

const partnerColumns = {
  id: partners.id,
  slug: partners.slug,
  name: partners.name,
  kind: partners.kind,
  region: partners.region,
  status: partners.status,
  tier: tiers.name,
  managerName: users.name,
  managerEmail: users.email,
  joinedOn: partners.joinedOn,
};

function partnerQuery(db: DB) {
  return db
    .select(partnerColumns)
    .from(partners)
    .innerJoin(tiers, eq(tiers.id, partners.tierId))
    .leftJoin(users, eq(users.id, partners.managerId));
}

function apiPartner({ managerName, managerEmail, ...rest }: { managerName: string | null; managerEmail: string | null } & Record<string, unknown>) {
  return { ...rest, manager: managerName && managerEmail ? { name: managerName, email: managerEmail } : null };
}

export function listApiPartners(db: DB, f: { status?: PartnerStatus; limit: number; cursor?: number }) {
  const rows = partnerQuery(db)
    .where(and(f.status ? eq(partners.status, f.status) : undefined, f.cursor ? gt(partners.id, f.cursor) : undefined))
    .orderBy(asc(partners.id))
    .limit(f.limit + 1)
    .all();
  const more = rows.length > f.limit;
  const data = rows.slice(0, f.limit).map(apiPartner);
  return { data, nextCursor: more ? String(rows[f.limit - 1]!.id) : null };
}

export function getApiPartner(db: DB, slug: string) {
  const row = partnerQuery(db).where(eq(partners.slug, slug)).get();
  return row ? apiPartner(row) : null;
}

export function partnerIdBySlug(db: DB, slug: string): number | null {
  return db.select({ id: partners.id }).from(partners).where(eq(partners.slug, slug)).get()?.id ?? null;
}

export function apiTierHistory(db: DB, partnerId: number) {
  return partnerTierHistory(db, partnerId).map((e) => ({
    period: e.period,
    status: e.status,
    direction: e.direction,
    fromTier: e.fromTier,
    toTier: e.toTier,
    resultTier: e.resultTier,
    decidedAt: e.decidedAt?.toISOString() ?? null,
  }));
}

/**
 * A deal's credit under every model, in the reporting currency at its close date (zero until it
 * is won). A partner-scoped caller sees only its own partner's share: other partners are never
 * named.
 */
export function dealCreditByModel(db: DB, scope: PartnerScope, dealId: number) {
  const deal = db
    .select({
      id: deals.id,
      partnerId: deals.partnerId,
      stage: deals.stage,
      closedAt: deals.closedAt,
      reportingCents: sql<number | null>`${sql.raw(closedDealReportingCentsSql('"deals"'))}`,
    })
    .from(deals)
    .where(and(eq(deals.id, dealId), scope.partnerId === null ? undefined : eq(deals.partnerId, scope.partnerId)))
    .get();
  if (!deal) return null;
  const dealTouches = db
    .select({ id: touches.id, partnerId: touches.partnerId, occurredAt: touches.occurredAt })
    .from(touches)
    .where(eq(touches.dealId, dealId))
    .all()
    .map((t) => ({ ...t, occurredAt: t.occurredAt.getTime() }));
  const slugs = new Map(db.select({ id: partners.id, slug: partners.slug }).from(partners).where(sql`${partners.id} IN (SELECT ${touches.partnerId} FROM ${touches} WHERE ${touches.dealId} = ${dealId}) OR ${partners.id} = ${deal.partnerId ?? -1}`).all().map((p) => [p.id, p.slug]));
  const won = deal.stage === "won" && deal.closedAt !== null;
  const reportingCents = won ? deal.reportingCents : null;
  const models = ATTRIBUTION_MODELS.map((model) => {
    const credits = won
      ? creditDeal({ partnerId: deal.partnerId, amountCents: reportingCents ?? 0, closedAt: deal.closedAt!.getTime(), touches: dealTouches }, model)
      : [];
    return {
      model,
      credits: credits
        .filter((c) => scope.partnerId === null || c.partnerId === scope.partnerId)
        .map((c) => ({ partnerId: c.partnerId, partnerSlug: slugs.get(c.partnerId) ?? null, cents: c.cents })),
    };
  });
  return { dealId, stage: deal.stage, reportingCurrency: programCurrency(db), reportingCents, models };
}
