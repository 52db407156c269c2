// People with an account: the team lists (a partner's own colleagues, the partner team),
// disabling and enabling within the caller's scope, a partner admin changing a colleague's
// role, name and report opt-in (never leaving the partner without an enabled admin), changing
// one's own password and the security notice that follows any password change. Password
// hashes never leave this module.
import { and, asc, eq, isNull, ne, sql } from "drizzle-orm";
import { users } from "../../db/schema";
import { checkNewPassword, hashPassword, verifyPassword } from "../auth/password.server";
import { endAllSessionsOfUser } from "../auth/session.server";
import { hasTwoFactorColumn } from "../auth/two-factor.server";
import { writeTransaction, type DB, type Tx } from "../db.server";
import type { Config } from "../config.server";
import { queueMessage } from "../mail/outbox.server";
import { passwordChangedMessage } from "../auth/password-reset.server";
import { actorOf, recordAudit, type Actor } from "./audit.server";

/** A refusal whose message is written for the person who made the request. */
export class UserError extends Error {}

/** A partner admin acts on its own partner's users; the partner team on staff accounts. */
export type UserScope = { partnerId: number } | { staff: true };

const listed = {
  id: users.id,
  name: users.name,
  email: users.email,
  role: users.role,
  disabledAt: users.disabledAt,
  reportOptIn: users.reportOptIn,
  createdAt: users.createdAt,
  twoFactor: hasTwoFactorColumn,
};

export function listPartnerUsers(db: DB, partnerId: number) {
  return db.select(listed).from(users).where(eq(users.partnerId, partnerId)).orderBy(asc(users.name)).all();
}

export function listStaffUsers(db: DB) {
  return db.select(listed).from(users).where(isNull(users.partnerId)).orderBy(asc(users.name)).all();
}

/** The signed-in user's own account page. */
export function getAccount(db: DB, userId: string) {
  return (
    db
      .select({
        name: users.name,
        email: users.email,
        role: users.role,
        passwordChangedAt: users.passwordChangedAt,
        createdAt: users.createdAt,
      })
      .from(users)
      .where(eq(users.id, userId))
      .get() ?? null
  );
}

/** A user in the caller's scope (a partner's people, or staff), for a confirmation step; null otherwise. */
export function findUserInScope(db: DB, userId: string, scope: UserScope) {
  return (
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(
        and(
          eq(users.id, userId),
          "partnerId" in scope ? eq(users.partnerId, scope.partnerId) : isNull(users.partnerId),
        ),
      )
      .get() ?? null
  );
}

/**
 * Null when the user is not in the caller's scope (answer 404, as for a missing one). Disabling
 * signs the user out everywhere at once.
 */
export function setUserDisabled(
  db: DB,
  actor: Actor,
  input: { userId: string; disabled: boolean; scope: UserScope; reason?: string | null },
) {
  if (actor !== "system" && actor.id === input.userId) {
    throw new UserError("You cannot disable or enable your own account.");
  }
  const scope = input.scope;
  return writeTransaction(db, (tx) => {
    if ("staff" in scope && actor !== "system") {
      const me = tx.select({ role: users.role }).from(users).where(eq(users.id, actor.id ?? "")).get();
      if (me?.role !== "admin") {
        throw new UserError("Only program admins can disable or enable partner team accounts.");
      }
    }
    const target = tx
      .select({ id: users.id, name: users.name, email: users.email, partnerId: users.partnerId, disabledAt: users.disabledAt })
      .from(users)
      .where(
        and(
          eq(users.id, input.userId),
          "partnerId" in scope ? eq(users.partnerId, scope.partnerId) : isNull(users.partnerId),
        ),
      )
      .get();
    if (!target) return null;
    const result = { id: target.id, name: target.name, email: target.email, disabled: input.disabled };
    if ((target.disabledAt !== null) === input.disabled) return result;
    if (input.disabled && target.partnerId !== null) {
      assertActorStillAdmin(tx, actor, target.partnerId);
      assertAnotherEnabledAdmin(tx, target.partnerId, target.id, `${target.name} is`);
    }
    const now = new Date();
    tx.update(users)
      .set({ disabledAt: input.disabled ? now : null })
      .where(eq(users.id, target.id))
      .run();
    if (input.disabled) endAllSessionsOfUser(tx, target.id);
    recordAudit(tx, {
      actor,
      action: input.disabled ? "user.disabled" : "user.enabled",
      entityType: "user",
      entityId: target.id,
      partnerId: target.partnerId,
      before: { disabledAt: target.disabledAt?.toISOString() ?? null },
      after: { disabledAt: input.disabled ? now.toISOString() : null, reason: input.reason ?? null },
      at: now,
    });
    return result;
  });
}

/**
 * The guard checked the actor's role when the request came in; a colleague may have changed it
 * since. Checked again inside the write, so two admins demoting each other at once cannot both
 * succeed and leave the partner without one.
 */
function assertActorStillAdmin(tx: Tx, actor: Actor, partnerId: number) {
  if (actor === "system") return;
  const me = tx.select({ role: users.role, partnerId: users.partnerId, disabledAt: users.disabledAt }).from(users).where(eq(users.id, actor.id ?? "")).get();
  if (me && me.partnerId !== partnerId) return; // staff acting on a partner: their guard decided
  if (!me || me.role !== "partner_admin" || me.disabledAt !== null) {
    throw new UserError("You are no longer a partner admin of this partner, so this change was not made. Reload the page.");
  }
}

/** Refuses a change that would leave the partner with no enabled partner admin but `userId`. */
function assertAnotherEnabledAdmin(tx: Tx, partnerId: number, userId: string, subject: string) {
  const others = tx
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), eq(users.role, "partner_admin"), isNull(users.disabledAt), ne(users.id, userId)))
    .get()!.n;
  if (others === 0) {
    throw new UserError(
      `${subject} the only enabled partner admin: make a colleague a partner admin first, so someone can still manage the team.`,
    );
  }
}

export type ColleagueChanges = {
  name?: string;
  role?: "partner_user" | "partner_admin";
  reportOptIn?: boolean;
};

/**
 * A partner admin changes a colleague's (or their own) name and report opt-in, and a
 * colleague's role between partner user and partner admin. In one write transaction: the actor
 * must still be an enabled admin, and the partner keeps at least one enabled admin. Null when
 * the user is not the partner's (answer 404); the audit log records what changed, before and
 * after.
 */
export function updateColleague(
  db: DB,
  actor: Actor,
  input: { userId: string; partnerId: number; changes: ColleagueChanges },
) {
  return writeTransaction(db, (tx) => {
    const target = tx
      .select({ id: users.id, name: users.name, email: users.email, role: users.role, reportOptIn: users.reportOptIn, disabledAt: users.disabledAt })
      .from(users)
      .where(and(eq(users.id, input.userId), eq(users.partnerId, input.partnerId)))
      .get();
    if (!target) return null;
    assertActorStillAdmin(tx, actor, input.partnerId);
    const before: ColleagueChanges = {};
    const after: ColleagueChanges = {};
    const { name, role, reportOptIn } = input.changes;
    if (name !== undefined && name !== target.name) {
      before.name = target.name;
      after.name = name;
    }
    if (reportOptIn !== undefined && reportOptIn !== target.reportOptIn) {
      before.reportOptIn = target.reportOptIn;
      after.reportOptIn = reportOptIn;
    }
    if (role !== undefined && role !== target.role) {
      if (actor !== "system" && actor.id === target.id) {
        throw new UserError("You cannot change your own role: ask another partner admin.");
      }
      if (target.role === "partner_admin" && target.disabledAt === null) {
        assertAnotherEnabledAdmin(tx, input.partnerId, target.id, `${target.name} is`);
      }
      before.role = target.role as ColleagueChanges["role"];
      after.role = role;
    }
    const result = {
      id: target.id,
      email: target.email,
      name: after.name ?? target.name,
      role: after.role ?? target.role,
      reportOptIn: after.reportOptIn ?? target.reportOptIn,
      changed: Object.keys(after) as (keyof ColleagueChanges)[],
    };
    if (result.changed.length === 0) return result;
    tx.update(users).set(after).where(eq(users.id, target.id)).run();
    recordAudit(tx, {
      actor,
      action: "user.updated",
      entityType: "user",
      entityId: target.id,
      partnerId: input.partnerId,
      before,
      after,
    });
    return result;
  });
}

export type ChangePasswordResult =
  | { ok: true; user: { id: string; email: string; name: string }; changedAt: Date }
  | { ok: false; field: "current" | "next"; message: string };

/**
 * Checks the current password, stores the new one and ends every session of the user, the
 * caller's included: the route starts a fresh one.
 */
export async function changePassword(
  db: DB,
  userId: string,
  input: { current: string; next: string },
  /** The password-changed notice is queued in the change's transaction (the route kicks the drain). */
  notice?: { config: Pick<Config, "APP_URL"> },
): Promise<ChangePasswordResult> {
  const user = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      partnerId: users.partnerId,
      passwordHash: users.passwordHash,
    })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!user) throw new Error(`No user ${userId}`);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.current))) {
    return { ok: false, field: "current", message: "That is not your current password." };
  }
  if (input.next === input.current) {
    return { ok: false, field: "next", message: "Choose a password different from your current one." };
  }
  const weakness = await checkNewPassword(db, input.next, user);
  if (weakness) return { ok: false, field: "next", message: weakness };
  const passwordHash = await hashPassword(input.next);
  const changedAt = new Date();
  writeTransaction(db, (tx) => {
    tx.update(users).set({ passwordHash, passwordChangedAt: changedAt }).where(eq(users.id, userId)).run();
    endAllSessionsOfUser(tx, userId);
    recordAudit(tx, {
      actor: actorOf(user),
      action: "user.password_changed",
      entityType: "user",
      entityId: userId,
      partnerId: user.partnerId,
      at: changedAt,
    });
    if (notice) queueMessage(tx, passwordChangedMessage(notice.config, user, changedAt));
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name }, changedAt };
}

