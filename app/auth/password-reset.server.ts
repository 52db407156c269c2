// Forgotten passwords: a single-use link valid for one hour, mailed only to an active account,
// with an answer that never reveals whether the address has one, not even by its timing: the
// form only queues the address, and the lookup, the write and the email happen after the
// answer has gone out. Using a link replaces the password and signs the account out everywhere.
import { and, count, eq, gt, isNull } from "drizzle-orm";
import { partners, passwordResets, users } from "../../db/schema";
import { passwordResetEmail } from "../../emails/password-reset";
import { writeTransaction, type DB, type Tx } from "../db.server";
import { actorOf, recordAudit } from "../domain/audit.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { checkNewPassword, hashPassword } from "./password.server";
import { endAllSessionsOfUser } from "./session.server";
import { normalizeEmail } from "./sign-in.server";
import { clearAccountFailures } from "./throttle.server";
import { generateToken, hashToken } from "./tokens.server";
import { deliverQueued, queueMessage, type IdentifiedMessage } from "../mail/outbox.server";
import { passwordChangedEmail } from "../../emails/password-changed";

export const RESET_LIFETIME_MS = 60 * 60 * 1000;
/** More requests than this in one hour send nothing: nobody's inbox gets flooded. */
export const RESET_REQUESTS_PER_HOUR = 3;

export type ResetTokenStatus = "ok" | "expired" | "used" | "invalid";

const isActive = (u: { disabledAt: Date | null; partnerStatus: string | null }) =>
  u.disabledAt === null && (u.partnerStatus === null || u.partnerStatus === "active");

type ResetRequestContext = { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> };

/** How long a queued request waits before it is handled, and between tries when SQLite is busy. */
export const RESET_QUEUE_DELAY_MS = 250;
const MAX_TRIES = 20;
/** A flood of requests cannot grow memory without bound: beyond this they are dropped. */
const MAX_QUEUED = 1000;

type Queued = { ctx: ResetRequestContext; email: string; tries: number };
const queue: Queued[] = [];
let drainTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * What the forgot-password form calls: the same constant work for every address (no lookup,
 * no write, no mail), and nothing to await. The queued request is handled a moment later by
 * `requestPasswordReset`; its failures are logged, never shown (the answer is already sent).
 */
export function queuePasswordReset(ctx: ResetRequestContext, email: string) {
  enqueue({ ctx, email, tries: 0 });
}

function enqueue(item: Queued) {
  if (queue.length < MAX_QUEUED) queue.push(item);
  drainTimer ??= setTimeout(drainQueue, RESET_QUEUE_DELAY_MS);
}

const isBusy = (error: unknown) => (error as { code?: string } | null)?.code === "SQLITE_BUSY";

function drainQueue() {
  drainTimer = null;
  for (const item of queue.splice(0)) {
    // Not awaited one by one: a slow mail server must not hold back the next request. A busy
    // database is tried again later rather than waited for: this work never stalls the server
    // (and so never lands in the timing of anyone's answer).
    requestPasswordReset(item.ctx, item.email, { waitForLock: false }).catch((error) => {
      if (isBusy(error) && item.tries + 1 < MAX_TRIES) enqueue({ ...item, tries: item.tries + 1 });
      else console.error("Password reset email failed:", error);
    });
  }
}

/** Runs `fn` with SQLite's busy timeout off: a locked database throws SQLITE_BUSY at once. */
function withoutWaiting<T>(db: DB, fn: () => T): T {
  const previous = Number(db.$client.pragma("busy_timeout", { simple: true }));
  db.$client.pragma("busy_timeout = 0");
  try {
    return fn();
  } finally {
    db.$client.pragma(`busy_timeout = ${previous}`);
  }
}

/**
 * Mails a reset link if an active account has this address, and resolves the same way whether
 * or not it does. Requests from the web go through `queuePasswordReset`: this takes longer
 * (a write and an email) only when the account exists.
 */
export async function requestPasswordReset(
  ctx: ResetRequestContext,
  email: string,
  options: { waitForLock?: boolean } = {},
): Promise<void> {
  const user = ctx.db
    .select({ id: users.id, email: users.email, name: users.name, disabledAt: users.disabledAt, partnerStatus: partners.status })
    .from(users)
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(eq(users.email, normalizeEmail(email)))
    .get();
  if (!user || !isActive(user)) return;

  const token = generateToken();
  const now = Date.now();
  const expiresAt = new Date(now + RESET_LIFETIME_MS);
  const message = passwordResetEmail({
    name: user.name,
    url: `${ctx.config.APP_URL}/reset-password/${encodeURIComponent(token)}`,
    expiresAt,
  });
  // The token and its email commit together: the email is an outbox row named after the token
  // (`password-reset` + its id), so a crash after the commit loses no link (decision 0018).
  const insert = () =>
    writeTransaction(ctx.db, (tx) => {
      const recent = tx
        .select({ n: count() })
        .from(passwordResets)
        .where(and(eq(passwordResets.userId, user.id), gt(passwordResets.createdAt, new Date(now - RESET_LIFETIME_MS))))
        .get();
      if ((recent?.n ?? 0) >= RESET_REQUESTS_PER_HOUR) return false;
      const { id } = tx
        .insert(passwordResets)
        .values({ tokenHash: hashToken(token), userId: user.id, expiresAt, createdAt: new Date(now) })
        .returning({ id: passwordResets.id })
        .get();
      queueMessage(tx, { to: [user.email], ...message, identity: { kind: "password-reset", key: String(id) } }, now);
      return true;
    });
  const created = options.waitForLock === false ? withoutWaiting(ctx.db, insert) : insert();
  if (!created) return;
  await deliverQueued(ctx);
}

function lookUp(db: DB | Tx, token: string) {
  return db
    .select({
      id: passwordResets.id,
      expiresAt: passwordResets.expiresAt,
      usedAt: passwordResets.usedAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      partnerId: users.partnerId,
      disabledAt: users.disabledAt,
      partnerStatus: partners.status,
    })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .leftJoin(partners, eq(partners.id, users.partnerId))
    .where(eq(passwordResets.tokenHash, hashToken(token)))
    .get();
}

function statusOf(row: ReturnType<typeof lookUp>, now: number): ResetTokenStatus {
  if (!row) return "invalid";
  if (row.usedAt) return "used";
  if (!isActive(row)) return "invalid";
  if (row.expiresAt.getTime() <= now) return "expired";
  return "ok";
}

export function checkResetToken(db: DB, token: string): ResetTokenStatus {
  return statusOf(lookUp(db, token), Date.now());
}

export type ResetPasswordResult =
  | { ok: true; user: { id: string; email: string; name: string }; changedAt: Date }
  | { ok: false; status: Exclude<ResetTokenStatus, "ok"> }
  /** The password policy refused the new password: `message` is for the password field. */
  | { ok: false; status: "weak"; message: string };

/**
 * The notice to the owner that their password was changed (on /account or through a reset
 * link), so an owner who did not do it learns of it: one per change (its instant).
 */
export function passwordChangedMessage(
  config: Pick<Config, "APP_URL">,
  user: { email: string; name: string },
  changedAt: Date,
): IdentifiedMessage {
  return {
    to: [user.email],
    ...passwordChangedEmail({ name: user.name, changedAt, forgotPasswordUrl: `${config.APP_URL}/forgot-password` }),
    identity: { kind: "password-changed", key: `${user.email}.${changedAt.getTime()}` },
  };
}

/**
 * Sets the new password through a reset link. With `notice`, the password-changed notice is
 * queued in the same transaction (the routes; the caller kicks the drain after the commit).
 */
export async function resetPassword(
  db: DB,
  token: string,
  newPassword: string,
  notice?: { config: Pick<Config, "APP_URL"> },
): Promise<ResetPasswordResult> {
  // The policy needs the account; a link that does not work is refused below, in the write.
  const account = lookUp(db, token);
  if (account && statusOf(account, Date.now()) === "ok") {
    const weakness = await checkNewPassword(db, newPassword, account);
    if (weakness) return { ok: false, status: "weak", message: weakness };
  }
  // argon2 is async and slow: hash before taking the write lock.
  const passwordHash = await hashPassword(newPassword);
  const changedAt = new Date();
  const result = writeTransaction(db, (tx): ResetPasswordResult => {
    const row = lookUp(tx, token);
    const status = statusOf(row, changedAt.getTime());
    if (!row || status !== "ok") return { ok: false, status: status as Exclude<ResetTokenStatus, "ok"> };
    // This link and every other outstanding link of the account stop working.
    tx.update(passwordResets)
      .set({ usedAt: changedAt })
      .where(and(eq(passwordResets.userId, row.userId), isNull(passwordResets.usedAt)))
      .run();
    tx.update(users).set({ passwordHash, passwordChangedAt: changedAt }).where(eq(users.id, row.userId)).run();
    endAllSessionsOfUser(tx, row.userId);
    recordAudit(tx, {
      actor: actorOf({ id: row.userId, email: row.email, role: row.role }),
      action: "user.password_reset",
      entityType: "user",
      entityId: row.userId,
      partnerId: row.partnerId,
      at: changedAt,
    });
    const user = { id: row.userId, email: row.email, name: row.name };
    if (notice) queueMessage(tx, passwordChangedMessage(notice.config, user, changedAt));
    return { ok: true, user, changedAt };
  });
  // Whoever proved they read the mailbox may sign in again at once.
  if (result.ok) clearAccountFailures(db, result.user.email);
  return result;
}
