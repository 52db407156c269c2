// Who is in the program at a given time, for the monthly reports (docs/domain.md "Reports"):
// a partner's identity, the active partners at a month end, who joined in a month, partners'
// current tier names, and how many applications wait for a decision. Reads only.
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { partnerApplications, partners, tiers } from "../../db/schema";
import type { DB } from "../db.server";

/** The partner as a report names it, with its tier today; undefined when there is none. */
export function reportPartner(db: DB, partnerId: number) {
  return db
    .select({ id: partners.id, name: partners.name, slug: partners.slug, kind: partners.kind, tierId: partners.tierId, joinedOn: partners.joinedOn })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .get();
}

/** Active partners that had joined before `endDay` ('YYYY-MM-DD', exclusive). */
export function countActivePartnersJoinedBefore(db: DB, endDay: string): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(partners)
      .where(and(eq(partners.status, "active"), lt(partners.joinedOn, endDay)))
      .get()?.n ?? 0
  );
}

/** Partners (any status but applied) that joined in [fromDay, endDay), in joining order. */
export function partnersJoinedBetween(db: DB, fromDay: string, endDay: string): { name: string }[] {
  return db
    .select({ name: partners.name })
    .from(partners)
    .where(and(gte(partners.joinedOn, fromDay), lt(partners.joinedOn, endDay), sql`${partners.status} <> 'applied'`))
    .orderBy(asc(partners.joinedOn), asc(partners.name))
    .all();
}

/** The current tier name of each of these partners. */
export function tierNamesOf(db: DB, partnerIds: readonly number[]): Map<number, string> {
  if (partnerIds.length === 0) return new Map();
  return new Map(
    db
      .select({ id: partners.id, tier: tiers.name })
      .from(partners)
      .innerJoin(tiers, eq(tiers.id, partners.tierId))
      .where(inArray(partners.id, [...partnerIds]))
      .all()
      .map((r) => [r.id, r.tier]),
  );
}

/** Partner applications waiting for a decision. */
export function countPendingApplications(db: DB): number {
  return db.select({ n: sql<number>`count(*)` }).from(partnerApplications).where(eq(partnerApplications.status, "pending")).get()?.n ?? 0;
}
