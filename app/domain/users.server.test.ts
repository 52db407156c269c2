import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvents, outboxMessages, sessions, users } from "../../db/schema";
import { createTestDatabase, TEST_PASSWORD } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { createWorld, type World } from "../../tests/support/world";
import { verifyPassword } from "../auth/password.server";
import { startSession } from "../auth/session.server";
import type { DB } from "../db.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { deliverQueued } from "../mail/outbox.server";
import { actorOf } from "./audit.server";
import {
  changePassword,
  listPartnerUsers,
  listStaffUsers,
  setUserDisabled,
  UserError,
} from "./users.server";

let db: DB;
let world: World;

beforeEach(async () => {
  db = createTestDatabase().db;
  world = await createWorld(db);
});

const settings = { APP_URL: "http://portal.test" };
const sessionCount = (userId: string) =>
  db.select().from(sessions).where(eq(sessions.userId, userId)).all().length;
const disabledAt = (userId: string) =>
  db.select({ at: users.disabledAt }).from(users).where(eq(users.id, userId)).get()!.at;

describe("team lists", () => {
  it("lists a partner's own users without password hashes", () => {
    const list = listPartnerUsers(db, world.partnerA.id);
    expect(list.map((u) => u.email).sort()).toEqual(["admin@alpha.test", "sales@alpha.test"]);
    for (const u of list) expect(u).not.toHaveProperty("passwordHash");
  });

  it("lists staff users only, without password hashes", () => {
    const list = listStaffUsers(db);
    expect(list.map((u) => u.email).sort()).toEqual(["admin@world.test", "manager@world.test"]);
    for (const u of list) expect(u).not.toHaveProperty("passwordHash");
  });
});

describe("setUserDisabled", () => {
  it("disables a colleague, ends all their sessions and audits; enabling lets them back", async () => {
    await startSession(db, settings, world.userA.id);
    await startSession(db, settings, world.userA.id);
    await startSession(db, settings, world.adminA.id);
    expect(sessionCount(world.userA.id)).toBe(2);

    const result = setUserDisabled(db, actorOf(world.adminA), {
      userId: world.userA.id,
      disabled: true,
      scope: { partnerId: world.partnerA.id },
    });
    expect(result).toMatchObject({ id: world.userA.id, disabled: true });
    expect(disabledAt(world.userA.id)).not.toBeNull();
    expect(sessionCount(world.userA.id)).toBe(0);
    expect(sessionCount(world.adminA.id)).toBe(1);

    setUserDisabled(db, actorOf(world.adminA), {
      userId: world.userA.id,
      disabled: false,
      scope: { partnerId: world.partnerA.id },
    });
    expect(disabledAt(world.userA.id)).toBeNull();
    const audit = db
      .select({ action: auditEvents.action, partnerId: auditEvents.partnerId, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "user"), eq(auditEvents.entityId, world.userA.id)))
      .all();
    expect(audit).toEqual([
      { action: "user.disabled", partnerId: world.partnerA.id, actorId: world.adminA.id },
      { action: "user.enabled", partnerId: world.partnerA.id, actorId: world.adminA.id },
    ]);
  });

  it("never reaches another partner's user, nor staff", async () => {
    await startSession(db, settings, world.adminB.id);
    for (const userId of [world.adminB.id, world.manager.id]) {
      expect(
        setUserDisabled(db, actorOf(world.adminA), { userId, disabled: true, scope: { partnerId: world.partnerA.id } }),
      ).toBeNull();
      expect(disabledAt(userId)).toBeNull();
    }
    expect(sessionCount(world.adminB.id)).toBe(1);
  });

  it("refuses to disable oneself", () => {
    expect(() =>
      setUserDisabled(db, actorOf(world.adminA), {
        userId: world.adminA.id,
        disabled: true,
        scope: { partnerId: world.partnerA.id },
      }),
    ).toThrow(UserError);
    expect(disabledAt(world.adminA.id)).toBeNull();
  });

  it("lets only program admins disable staff, and only staff in the staff scope", async () => {
    await startSession(db, settings, world.manager.id);
    expect(() =>
      setUserDisabled(db, actorOf(world.manager), { userId: world.admin.id, disabled: true, scope: { staff: true } }),
    ).toThrow(/Only program admins/);
    expect(disabledAt(world.admin.id)).toBeNull();

    expect(
      setUserDisabled(db, actorOf(world.admin), { userId: world.userA.id, disabled: true, scope: { staff: true } }),
    ).toBeNull();
    expect(disabledAt(world.userA.id)).toBeNull();

    expect(
      setUserDisabled(db, actorOf(world.admin), { userId: world.manager.id, disabled: true, scope: { staff: true } }),
    ).toMatchObject({ disabled: true });
    expect(disabledAt(world.manager.id)).not.toBeNull();
    expect(sessionCount(world.manager.id)).toBe(0);
  });
});

describe("changePassword", () => {
  it("refuses a wrong current password and changes nothing", async () => {
    await startSession(db, settings, world.userA.id);
    const result = await changePassword(db, world.userA.id, { current: "wrong-password!", next: "another-long-password" });
    expect(result).toEqual({ ok: false, field: "current", message: "That is not your current password." });
    expect(sessionCount(world.userA.id)).toBe(1);
  });

  it("refuses the same password again and one that breaks the policy", async () => {
    expect(await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: TEST_PASSWORD })).toMatchObject({
      ok: false,
      field: "next",
    });
    expect(await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: "short" })).toMatchObject({
      ok: false,
      field: "next",
    });
  });

  it("stores the new hash, stamps the change and ends every session of the user", async () => {
    await startSession(db, settings, world.userA.id);
    await startSession(db, settings, world.userA.id);
    await startSession(db, settings, world.adminA.id);
    const result = await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: "another-long-password" });
    expect(result).toMatchObject({ ok: true, user: { id: world.userA.id, email: "sales@alpha.test" } });
    const row = db.select().from(users).where(eq(users.id, world.userA.id)).get()!;
    expect(await verifyPassword(row.passwordHash!, "another-long-password")).toBe(true);
    expect(await verifyPassword(row.passwordHash!, TEST_PASSWORD)).toBe(false);
    expect(row.passwordChangedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(sessionCount(world.userA.id)).toBe(0);
    expect(sessionCount(world.adminA.id)).toBe(1);
    expect(
      db
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(and(eq(auditEvents.entityType, "user"), eq(auditEvents.entityId, world.userA.id)))
        .all(),
    ).toEqual([{ action: "user.password_changed" }]);
  });
});

describe("the password-changed notice", () => {
  const config = { APP_URL: "http://portal.test" };

  it("tells the owner when, and where to take the account back", async () => {
    const { mailer, outboxDir } = createTestMailer();
    const changed = await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: "a-brand-new-passphrase" }, { config });
    expect(changed.ok).toBe(true);
    // Queued with the new password; the route's deliverQueued drains it.
    await deliverQueued({ db, mailer });
    const [mail] = listOutbox(outboxDir);
    expect(mail!.to).toEqual(["sales@alpha.test"]);
    expect(mail!.subject).toBe("Your Partner Portal password was changed");
    expect(mail!.text).toContain("Hello Sam Alpha,");
    expect(mail!.text).toContain("http://portal.test/forgot-password");
  });

  it("SMTP down: the password is changed and the notice waits in the outbox to be retried", async () => {
    const { mailer } = createTestMailer();
    const failing: Mailer = { ...mailer, send: async () => Promise.reject(new Error("SMTP is down")) };
    const changed = await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: "a-brand-new-passphrase" }, { config });
    expect(changed.ok).toBe(true);
    await deliverQueued({ db, mailer: failing });
    const hash = db.select({ h: users.passwordHash }).from(users).where(eq(users.id, world.userA.id)).get()!.h!;
    expect(await verifyPassword(hash, "a-brand-new-passphrase")).toBe(true);
    expect(db.select().from(outboxMessages).where(eq(outboxMessages.kind, "password-changed")).all()).toMatchObject([
      { status: "queued", attempts: 1, recipients: JSON.stringify(["sales@alpha.test"]) },
    ]);
  });
});
