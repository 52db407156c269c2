// Growth plays: what the partner team decided to do about a flagged long-tail partner — an
// owner on the team, the next action and its status. Internal only; every change is audited.
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";
import { and, asc, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { GROWTH_PLAY_STATUSES, growthPlays, partners, users } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";
import { recordAudit, type Actor } from "./audit.server";
import { GROWTH_PLAY_FLAGS } from "./long-tail";

export type GrowthPlayStatus = (typeof GROWTH_PLAY_STATUSES)[number];

/** A refusal whose message is written for the staff member who asked. */
export class GrowthPlayError extends Error {}

export type GrowthPlayInput = {
  partnerId: number;
  flag: (typeof GROWTH_PLAY_FLAGS)[number];
  ownerId: string;
  nextAction: string;
  status: GrowthPlayStatus;
};

function requireActiveStaff(db: Pick<DB, "select">, userId: string) {
  const owner = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), inArray(users.role, ["partner_manager", "admin"]), isNull(users.disabledAt)))
    .get();
  if (!owner) throw new GrowthPlayError("Choose an active member of the partner team as the owner.");
}

export function recordGrowthPlay(
  db: DB,
  actor: Actor,
  input: GrowthPlayInput,
  now = new Date(),
  key: IdempotencyKey | null = null,
): { status: "recorded"; playId: number } | { status: "replayed" } {
  return writeTransaction(db, (tx) => {
    // The same form submitted again (same token): recorded already; nothing is added twice.
    if (replayOf(tx, key)) return { status: "replayed" as const };
    const partner = tx.select({ id: partners.id }).from(partners).where(eq(partners.id, input.partnerId)).get();
    if (!partner) throw new GrowthPlayError("That partner does not exist.");
    requireActiveStaff(tx, input.ownerId);
    const play = tx
      .insert(growthPlays)
      .values({ ...input, nextAction: input.nextAction.trim(), createdAt: now, updatedAt: now })
      .returning({ id: growthPlays.id })
      .get();
    recordAudit(tx, {
      actor,
      action: "growth_play.recorded",
      entityType: "growth_play",
      entityId: play.id,
      partnerId: input.partnerId,
      after: { flag: input.flag, ownerId: input.ownerId, nextAction: input.nextAction.trim(), status: input.status },
      at: now,
    });
    rememberResult(tx, key, `/internal/ecosystem#play-${play.id}`, now);
    return { status: "recorded" as const, playId: play.id };
  });
}

/** Moves one of the partner's plays to another status; a play of another partner is not found. */
export function setGrowthPlayStatus(db: DB, actor: Actor, partnerId: number, playId: number, status: GrowthPlayStatus, now = new Date()) {
  writeTransaction(db, (tx) => {
    const play = tx
      .select({ status: growthPlays.status })
      .from(growthPlays)
      .where(and(eq(growthPlays.id, playId), eq(growthPlays.partnerId, partnerId)))
      .get();
    if (!play) throw new GrowthPlayError("That growth play does not exist.");
    if (play.status === status) return;
    tx.update(growthPlays).set({ status, updatedAt: now }).where(eq(growthPlays.id, playId)).run();
    recordAudit(tx, {
      actor,
      action: "growth_play.status_changed",
      entityType: "growth_play",
      entityId: playId,
      partnerId,
      before: { status: play.status },
      after: { status },
      at: now,
    });
  });
}

export function listGrowthPlays(db: DB, partnerId: number) {
  return db
    .select({
      id: growthPlays.id,
      flag: growthPlays.flag,
      nextAction: growthPlays.nextAction,
      status: growthPlays.status,
      ownerName: users.name,
      createdAt: growthPlays.createdAt,
      updatedAt: growthPlays.updatedAt,
    })
    .from(growthPlays)
    .leftJoin(users, eq(users.id, growthPlays.ownerId))
    .where(eq(growthPlays.partnerId, partnerId))
    .orderBy(sql`${growthPlays.status} = 'done'`, desc(growthPlays.createdAt), desc(growthPlays.id))
    .all();
}

/** Open (not done) plays per partner, for the long-tail table. */
export function openGrowthPlayCounts(db: DB): Map<number, number> {
  return new Map(
    db
      .select({ partnerId: growthPlays.partnerId, n: sql<number>`count(*)` })
      .from(growthPlays)
      .where(ne(growthPlays.status, "done"))
      .groupBy(growthPlays.partnerId)
      .orderBy(asc(growthPlays.partnerId))
      .all()
      .map((r) => [r.partnerId, r.n]),
  );
}
