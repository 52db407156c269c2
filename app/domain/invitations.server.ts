// Invitations: how every account comes to exist. An invitation names the email, role and partner
// (null for the partner team); its link carries a random token of which only the SHA-256 is
// stored; it works once, for 7 days, and a newer invitation to the same address replaces it.
import { and, desc, eq, gt, isNotNull, isNull, ne, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { invitationEmail } from "../../emails/invitation";
import { invitations, partners, users, type Role } from "../../db/schema";
import { checkNewPassword, hashPassword, WeakPasswordError } from "../auth/password.server";
import { normalizeEmail } from "../auth/sign-in.server";
import { generateToken, hashToken } from "../auth/tokens.server";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { deliverQueued, queueMessage, type IdentifiedMessage } from "../mail/outbox.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { recordAudit, type Actor } from "./audit.server";
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** A refusal whose message is written for the person who made the request. */
export class InvitationError extends Error {}

export type InvitationScope = { partnerId: number } | { staff: true };

const PARTNER_ROLES: readonly Role[] = ["partner_user", "partner_admin"];

function scopeCondition(scope: InvitationScope) {
  return "partnerId" in scope ? eq(invitations.partnerId, scope.partnerId) : isNull(invitations.partnerId);
}

const STAFF_ADMINS_ONLY = "Only program admins can invite to the partner team or cancel its invitations.";

/** Staff accounts are program admins' business; the route's guard says so first, this is the backstop. */
function assertProgramAdmin(tx: Pick<Tx, "select">, actor: Actor) {
  if (actor === "system") return;
  const me = tx.select({ role: users.role }).from(users).where(eq(users.id, actor.id ?? "")).get();
  if (me?.role !== "admin") throw new InvitationError(STAFF_ADMINS_ONLY);
}

function accountExistsMessage(email: string) {
  return `${email} already has an account. If it was disabled, enable it again instead of sending an invitation.`;
}

/**
 * What a partner admin is told when the address belongs to someone outside its partner (an
 * account, or an open invitation from another partner or the partner team): the same words in
 * every case, so the answer cannot be used to find out where an address is used.
 */
export const ADDRESS_IN_USE_ELSEWHERE =
  "This address cannot be invited here: it is already in use in the portal. Ask your colleague for another work address, or ask the partner team for help.";

/** Staff may see every partner, so their answer names where the open invitation is. */
function invitedElsewhereMessage(email: string, partnerName: string | null) {
  return `${email} has an open invitation ${partnerName ? `to ${partnerName}` : "to the partner team"}. Cancel that invitation first, or wait until it expires.`;
}

function isStaffActor(tx: Pick<Tx, "select">, actor: Actor) {
  if (actor === "system") return true;
  const me = tx.select({ partnerId: users.partnerId }).from(users).where(eq(users.id, actor.id ?? "")).get();
  return !!me && me.partnerId === null;
}

export function createInvitation(
  db: DB,
  input: { email: string; name: string; role: Role; partnerId: number | null; actor: Actor },
): { id: number; token: string } {
  const email = normalizeEmail(input.email);
  const name = input.name.trim();
  if (PARTNER_ROLES.includes(input.role) !== (input.partnerId !== null)) {
    throw new Error(`Role ${input.role} does not go with partner ${input.partnerId}`);
  }
  const token = generateToken();
  const now = new Date();
  const id = writeTransaction(db, (tx) => {
    if (input.partnerId === null) assertProgramAdmin(tx, input.actor);
    else {
      // An applied partner has no users until its application is approved (the database refuses
      // them too); approving it invites its contact.
      const partner = tx.select({ status: partners.status }).from(partners).where(eq(partners.id, input.partnerId)).get();
      if (partner?.status === "applied") {
        throw new InvitationError(
          "This partner's application is still pending: approve it under Applications, which invites its contact.",
        );
      }
    }
    const staff = isStaffActor(tx, input.actor);
    const existing = tx.select({ id: users.id, partnerId: users.partnerId }).from(users).where(eq(users.email, email)).get();
    if (existing) {
      // A partner admin learns about accounts of its own partner only.
      const ownPartner = input.partnerId !== null && existing.partnerId === input.partnerId;
      throw new InvitationError(staff || ownPartner ? accountExistsMessage(email) : ADDRESS_IN_USE_ELSEWHERE);
    }

    // An open invitation from another partner (or the partner team) is theirs: never touched.
    const target = input.partnerId === null ? isNull(invitations.partnerId) : eq(invitations.partnerId, input.partnerId);
    // Spelled out, not not(target): a staff row's NULL partner would make NOT (NULL = id) unknown.
    const otherScope =
      input.partnerId === null
        ? isNotNull(invitations.partnerId)
        : or(isNull(invitations.partnerId), ne(invitations.partnerId, input.partnerId));
    const open = and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt));
    const elsewhere = tx
      .select({ partnerName: partners.name })
      .from(invitations)
      .leftJoin(partners, eq(partners.id, invitations.partnerId))
      .where(and(open, otherScope, gt(invitations.expiresAt, now)))
      .get();
    if (elsewhere) {
      throw new InvitationError(staff ? invitedElsewhereMessage(email, elsewhere.partnerName) : ADDRESS_IN_USE_ELSEWHERE);
    }

    // One address, one working link: the newest invitation replaces an earlier one of the same
    // partner (or of the partner team). An expired one elsewhere no longer blocks, and stays.
    const replaced = tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(open, target))
      .returning({ id: invitations.id, partnerId: invitations.partnerId })
      .all();
    for (const old of replaced) {
      recordAudit(tx, {
        actor: input.actor,
        action: "invitation.revoked",
        entityType: "invitation",
        entityId: old.id,
        partnerId: old.partnerId,
        after: { reason: "replaced by a newer invitation" },
        at: now,
      });
    }

    const row = tx
      .insert(invitations)
      .values({
        tokenHash: hashToken(token),
        email,
        name,
        role: input.role,
        partnerId: input.partnerId,
        invitedBy: input.actor === "system" ? null : input.actor.id,
        expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
        createdAt: now,
      })
      .returning({ id: invitations.id })
      .get();
    recordAudit(tx, {
      actor: input.actor,
      action: "invitation.created",
      entityType: "invitation",
      entityId: row.id,
      partnerId: input.partnerId,
      after: { email, name, role: input.role },
      at: now,
    });
    return row.id;
  });
  return { id, token };
}

/**
 * The invitation email, built from what `ctx.db` sees (a caller's transaction sees its own
 * invitation). One outbox row per invitation (decision 0018): sending it again makes a new
 * invitation.
 */
export function invitationMessage(
  ctx: { db: DB; config: Pick<Config, "APP_URL"> },
  input: { invitationId: number; token: string; inviterName: string },
): IdentifiedMessage {
  const invitation = ctx.db
    .select({
      email: invitations.email,
      name: invitations.name,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      partnerName: partners.name,
    })
    .from(invitations)
    .leftJoin(partners, eq(partners.id, invitations.partnerId))
    .where(eq(invitations.id, input.invitationId))
    .get();
  if (!invitation) throw new Error(`No invitation ${input.invitationId}`);
  const email = invitationEmail({
    inviteeName: invitation.name,
    inviterName: input.inviterName,
    partnerName: invitation.partnerName,
    role: invitation.role,
    url: `${ctx.config.APP_URL}/invite/${encodeURIComponent(input.token)}`,
    expiresAt: invitation.expiresAt,
  });
  return { to: [invitation.email], ...email, identity: { kind: "invitation", key: `invitation-${input.invitationId}` } };
}

export type InvitationStatus = "ok" | "expired" | "used" | "invalid";

export type OpenInvitation = {
  id: number;
  email: string;
  name: string;
  role: Role;
  partnerId: number | null;
  partnerName: string | null;
  inviterName: string | null;
  expiresAt: Date;
};

const inviter = alias(users, "inviter");

function lookUp(db: DB | Tx, token: string) {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      name: invitations.name,
      role: invitations.role,
      partnerId: invitations.partnerId,
      partnerName: partners.name,
      partnerStatus: partners.status,
      inviterName: inviter.name,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .leftJoin(partners, eq(partners.id, invitations.partnerId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashToken(token)))
    .get();
}

function statusOf(row: NonNullable<ReturnType<typeof lookUp>>, now: number): InvitationStatus {
  if (row.acceptedAt) return "used";
  // A replaced or cancelled link, or one for a partner that has since left the program.
  if (row.revokedAt || row.partnerStatus === "suspended" || row.partnerStatus === "churned") return "invalid";
  if (row.expiresAt.getTime() <= now) return "expired";
  return "ok";
}

/**
 * What a visitor holding this token may do. `invitation` comes with 'ok', 'expired' and 'used'
 * (so the page can name who to ask for a new link); an unknown or revoked token tells nothing.
 */
export function findOpenInvitation(
  db: DB,
  token: string,
): { status: InvitationStatus; invitation?: OpenInvitation } {
  const row = lookUp(db, token);
  if (!row) return { status: "invalid" };
  const status = statusOf(row, Date.now());
  if (status === "invalid") return { status };
  const { partnerStatus: _s, acceptedAt: _a, revokedAt: _r, ...invitation } = row;
  return { status, invitation };
}

const REFUSALS: Record<Exclude<InvitationStatus, "ok">, string> = {
  expired: "This invitation link has expired. Ask for a new one.",
  used: "This invitation has already been used. Sign in instead.",
  invalid: "This invitation link is not valid.",
};

/**
 * Creates the invited account and closes the invitation, all or nothing. Returns the user id.
 * Throws WeakPasswordError when the password policy refuses the password (for the field),
 * InvitationError when the link no longer works.
 */
export async function acceptInvitation(
  db: DB,
  token: string,
  input: { name: string; password: string },
): Promise<string> {
  const invited = lookUp(db, token);
  if (invited) {
    const weakness = await checkNewPassword(db, input.password, { email: invited.email, name: input.name.trim() || invited.name });
    if (weakness) throw new WeakPasswordError(weakness);
  }
  // argon2 is async and slow: hash before taking the write lock.
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  return writeTransaction(db, (tx) => {
    const row = lookUp(tx, token);
    const status = row ? statusOf(row, now.getTime()) : "invalid";
    if (!row || status !== "ok") throw new InvitationError(REFUSALS[status as Exclude<InvitationStatus, "ok">]);
    const taken = tx.select({ id: users.id }).from(users).where(eq(users.email, row.email)).get();
    if (taken) throw new InvitationError(accountExistsMessage(row.email));
    const userId = crypto.randomUUID();
    const name = input.name.trim() || row.name;
    tx.insert(users)
      .values({
        id: userId,
        email: row.email,
        name,
        role: row.role,
        partnerId: row.partnerId,
        passwordHash,
        passwordChangedAt: now,
        // Partner admins start opted in to the monthly report; they may opt out like anyone.
        reportOptIn: row.role === "partner_admin",
        createdAt: now,
      })
      .run();
    tx.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, row.id)).run();
    recordAudit(tx, {
      actor: { id: userId, label: `${row.email} (${row.role})` },
      action: "invitation.accepted",
      entityType: "invitation",
      entityId: row.id,
      partnerId: row.partnerId,
      after: { userId, email: row.email, name, role: row.role },
      at: now,
    });
    return userId;
  });
}

/** Invitations not yet accepted or revoked, newest first; expired ones are flagged, not hidden. */
export function listOpenInvitations(db: DB, scope: InvitationScope) {
  const now = Date.now();
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      name: invitations.name,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
      invitedByName: inviter.name,
    })
    .from(invitations)
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(and(scopeCondition(scope), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .all()
    .map((row) => ({ ...row, expired: row.expiresAt.getTime() <= now }));
}

/** Null when there is no open invitation with this id in the caller's scope (answer 404). */
export function revokeInvitation(db: DB, actor: Actor, id: number, scope: InvitationScope) {
  return writeTransaction(db, (tx) => {
    const row = tx
      .select({ id: invitations.id, email: invitations.email, partnerId: invitations.partnerId })
      .from(invitations)
      .where(
        and(eq(invitations.id, id), scopeCondition(scope), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      )
      .get();
    if (!row) return null;
    if ("staff" in scope) assertProgramAdmin(tx, actor);
    const now = new Date();
    tx.update(invitations).set({ revokedAt: now }).where(eq(invitations.id, id)).run();
    recordAudit(tx, {
      actor,
      action: "invitation.revoked",
      entityType: "invitation",
      entityId: id,
      partnerId: row.partnerId,
      after: { email: row.email },
      at: now,
    });
    return { id: row.id, email: row.email };
  });
}

export type InviteOutcome =
  | { ok: true; email: string }
  | { ok: false; status: 409; field: "email"; message: string };

/**
 * Creates an invitation and emails it: what every "invite" form does. A refused invitation
 * (the address already has an account) is an answer for the email field. The email is an outbox
 * row written with the invitation (a mail failure shows on the Outbox page, not on the form).
 */
export async function inviteAndSend(
  ctx: { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> },
  input: { email: string; name: string; role: Role; partnerId: number | null; actor: Actor; inviterName: string },
  key: IdempotencyKey | null = null,
): Promise<InviteOutcome> {
  let invitation: { id: number; token: string } | null;
  try {
    // The same form sent twice is one invitation and one email: a second one would replace
    // the first and send another link.
    // The invitation and its email commit together (an outbox row): a crash after the commit
    // loses no email, and the request never waits for SMTP.
    invitation = writeTransaction(ctx.db, (tx) => {
      if (replayOf(tx, key)) return null;
      const created = createInvitation(tx as unknown as DB, input);
      queueMessage(tx, invitationMessage(ctx, { invitationId: created.id, token: created.token, inviterName: input.inviterName }));
      rememberResult(tx, key, `invitation:${created.id}`);
      return created;
    });
  } catch (error) {
    if (!(error instanceof InvitationError)) throw error;
    return { ok: false, status: 409, field: "email", message: error.message };
  }
  if (invitation) await deliverQueued(ctx);
  return { ok: true, email: input.email.toLowerCase() };
}
