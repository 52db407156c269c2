import Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { auditEvents, partners, passwordResets, sessions, users } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { createWorld, type World } from "../../tests/support/world";
import type { DB } from "../db.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { verifyPassword } from "./password.server";
import {
  checkResetToken,
  queuePasswordReset,
  requestPasswordReset,
  resetPassword,
  RESET_QUEUE_DELAY_MS,
  RESET_LIFETIME_MS,
  RESET_REQUESTS_PER_HOUR,
} from "./password-reset.server";
import { startSession } from "./session.server";
import { hashToken } from "./tokens.server";

const NEW_PASSWORD = "a-brand-new-password";

let db: DB;
let world: World;
let mailer: Mailer;
let outboxDir: string;
let ctx: { db: DB; mailer: Mailer; config: { APP_URL: string } };

beforeEach(async () => {
  db = createTestDatabase().db;
  world = await createWorld(db);
  ({ mailer, outboxDir } = createTestMailer());
  ctx = { db, mailer, config: { APP_URL: "https://portal.test" } };
});

/** Asks for a reset of `email` and returns the token from the link in the email. */
async function requestToken(email: string) {
  await requestPasswordReset(ctx, email);
  const [latest] = listOutbox(outboxDir);
  const match = latest?.text.match(/https:\/\/portal\.test\/reset-password\/([a-z0-9]+)/);
  if (!match) throw new Error("no reset link was mailed");
  return match[1];
}

const sessionCount = (userId: string) =>
  db.select().from(sessions).where(eq(sessions.userId, userId)).all().length;

describe("requestPasswordReset", () => {
  it("mails a single link, in text and HTML, and stores only its hash, valid for one hour", async () => {
    const before = Date.now();
    await expect(requestPasswordReset(ctx, "  Sales@Alpha.TEST ")).resolves.toBeUndefined();
    const mails = listOutbox(outboxDir);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(["sales@alpha.test"]);
    const token = mails[0].text.match(/reset-password\/([a-z0-9]+)/)![1];
    expect(mails[0].html).toContain(`href="https://portal.test/reset-password/${token}"`);
    const [row] = db.select().from(passwordResets).all();
    expect(row.userId).toBe(world.userA.id);
    expect(row.tokenHash).toBe(hashToken(token));
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + RESET_LIFETIME_MS);
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + RESET_LIFETIME_MS);
    expect(checkResetToken(db, token)).toBe("ok");
  });

  it("answers the same for an unknown address, a disabled user or a suspended partner, and sends nothing", async () => {
    db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, world.userA.id)).run();
    db.update(partners).set({ status: "suspended" }).where(eq(partners.id, world.partnerB.id)).run();
    for (const email of ["nobody@nowhere.test", "sales@alpha.test", "admin@beta.test"]) {
      await expect(requestPasswordReset(ctx, email)).resolves.toBeUndefined();
    }
    expect(listOutbox(outboxDir)).toHaveLength(0);
    expect(db.select().from(passwordResets).all()).toHaveLength(0);
  });

  it("stops mailing after a few requests in an hour", async () => {
    for (let i = 0; i < RESET_REQUESTS_PER_HOUR + 2; i++) await requestPasswordReset(ctx, "sales@alpha.test");
    expect(listOutbox(outboxDir)).toHaveLength(RESET_REQUESTS_PER_HOUR);
  });
});

describe("queuePasswordReset", () => {
  it("does no work for the account during the call, and mails the link a moment later", async () => {
    expect(queuePasswordReset(ctx, "sales@alpha.test")).toBeUndefined();
    queuePasswordReset(ctx, "nobody@nowhere.test");
    expect(db.select().from(passwordResets).all()).toHaveLength(0);
    expect(listOutbox(outboxDir)).toHaveLength(0);
    await vi.waitFor(() => expect(listOutbox(outboxDir)).toHaveLength(1), { timeout: 5000, interval: 50 });
    expect(listOutbox(outboxDir)[0].to).toEqual(["sales@alpha.test"]);
  });

  it("tries again later when the database is busy, without stalling the process", async () => {
    const other = new Database(db.$client.name);
    other.exec("BEGIN IMMEDIATE");
    try {
      queuePasswordReset(ctx, "sales@alpha.test");
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 3 * RESET_QUEUE_DELAY_MS));
      // Waiting on the lock (SQLite's 5 s busy timeout) would have held up this timer.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(listOutbox(outboxDir)).toHaveLength(0);
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    await vi.waitFor(() => expect(listOutbox(outboxDir)).toHaveLength(1), { timeout: 5000, interval: 50 });
  });
});

describe("checkResetToken", () => {
  it("tells expired, used and invalid apart", async () => {
    expect(checkResetToken(db, "unknown")).toBe("invalid");
    const token = await requestToken("sales@alpha.test");
    db.update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResets.tokenHash, hashToken(token)))
      .run();
    expect(checkResetToken(db, token)).toBe("expired");
    db.update(passwordResets).set({ usedAt: new Date() }).where(eq(passwordResets.tokenHash, hashToken(token))).run();
    expect(checkResetToken(db, token)).toBe("used");
  });

  it("stops working once the user is disabled", async () => {
    const token = await requestToken("sales@alpha.test");
    db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, world.userA.id)).run();
    expect(checkResetToken(db, token)).toBe("invalid");
  });
});

describe("resetPassword", () => {
  it("sets the new password, ends every session, audits, and works only once", async () => {
    await startSession(db, { APP_URL: "http://portal.test" }, world.userA.id);
    await startSession(db, { APP_URL: "http://portal.test" }, world.userA.id);
    await startSession(db, { APP_URL: "http://portal.test" }, world.adminA.id);
    const token = await requestToken("sales@alpha.test");

    const result = await resetPassword(db, token, NEW_PASSWORD);
    expect(result).toMatchObject({ ok: true, user: { id: world.userA.id, email: "sales@alpha.test" } });
    const user = db.select().from(users).where(eq(users.id, world.userA.id)).get()!;
    expect(await verifyPassword(user.passwordHash!, NEW_PASSWORD)).toBe(true);
    expect(user.passwordChangedAt).not.toBeNull();
    expect(sessionCount(world.userA.id)).toBe(0);
    expect(sessionCount(world.adminA.id)).toBe(1);
    expect(checkResetToken(db, token)).toBe("used");
    expect(
      db
        .select({ action: auditEvents.action, actorId: auditEvents.actorId, partnerId: auditEvents.partnerId })
        .from(auditEvents)
        .where(and(eq(auditEvents.entityType, "user"), eq(auditEvents.entityId, world.userA.id)))
        .all(),
    ).toEqual([{ action: "user.password_reset", actorId: world.userA.id, partnerId: world.partnerA.id }]);

    expect(await resetPassword(db, token, "yet-another-password")).toEqual({ ok: false, status: "used" });
    const after = db.select().from(users).where(eq(users.id, world.userA.id)).get()!;
    expect(await verifyPassword(after.passwordHash!, NEW_PASSWORD)).toBe(true);
  });

  it("refuses an expired or unknown link and changes nothing", async () => {
    const token = await requestToken("sales@alpha.test");
    db.update(passwordResets).set({ expiresAt: new Date(Date.now() - 1) }).run();
    expect(await resetPassword(db, token, NEW_PASSWORD)).toEqual({ ok: false, status: "expired" });
    expect(await resetPassword(db, "unknown", NEW_PASSWORD)).toEqual({ ok: false, status: "invalid" });
    const user = db.select().from(users).where(eq(users.id, world.userA.id)).get()!;
    expect(await verifyPassword(user.passwordHash!, NEW_PASSWORD)).toBe(false);
  });

  it("retires every other outstanding link of the account", async () => {
    const first = await requestToken("sales@alpha.test");
    const second = await requestToken("sales@alpha.test");
    expect(first).not.toBe(second);
    expect((await resetPassword(db, second, NEW_PASSWORD)).ok).toBe(true);
    expect(checkResetToken(db, first)).toBe("used");
    expect(await resetPassword(db, first, "yet-another-password")).toEqual({ ok: false, status: "used" });
  });
});
