import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvents, invitations, outboxMessages, users } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { startSmtpServer } from "../../tests/support/smtp";
import { createWorld, type World } from "../../tests/support/world";
import { verifyPassword } from "../auth/password.server";
import { hashToken } from "../auth/tokens.server";
import type { DB } from "../db.server";
import { createMailer, listOutbox, type Mailer } from "../mailer.server";
import { actorOf } from "./audit.server";
import {
  acceptInvitation,
  createInvitation,
  findOpenInvitation,
  INVITATION_LIFETIME_MS,
  InvitationError,
  inviteAndSend,
  listOpenInvitations,
  revokeInvitation,
  invitationMessage,
} from "./invitations.server";
import { sendIdentified } from "../mail/outbox.server";

const NEW_PASSWORD = "a-brand-new-password";
const config = { APP_URL: "https://portal.test" };

let db: DB;
let world: World;
let mailer: Mailer;
let outboxDir: string;

beforeEach(async () => {
  db = createTestDatabase().db;
  world = await createWorld(db);
  ({ mailer, outboxDir } = createTestMailer());
});

function inviteToAlpha(email = "New.Colleague@Alpha.test", role: "partner_user" | "partner_admin" = "partner_user") {
  return createInvitation(db, {
    email,
    name: "Nina New",
    role,
    partnerId: world.partnerA.id,
    actor: actorOf(world.adminA),
  });
}

function expire(id: number) {
  db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, id)).run();
}

describe("createInvitation", () => {
  it("stores only the token's hash, lower-cases the email, expires in 7 days and is audited", () => {
    const before = Date.now();
    const { id, token } = inviteToAlpha();
    const row = db.select().from(invitations).where(eq(invitations.id, id)).get()!;
    expect(row.tokenHash).toBe(hashToken(token));
    expect(row.tokenHash).not.toContain(token);
    expect(row.email).toBe("new.colleague@alpha.test");
    expect(row.partnerId).toBe(world.partnerA.id);
    expect(row.invitedBy).toBe(world.adminA.id);
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + INVITATION_LIFETIME_MS);
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + INVITATION_LIFETIME_MS);
    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "invitation"), eq(auditEvents.entityId, String(id))))
      .all();
    expect(audit.map((a) => a.action)).toEqual(["invitation.created"]);
    expect(audit[0].partnerId).toBe(world.partnerA.id);
  });

  it("refuses an address that already has an account, whatever its case", () => {
    expect(() => inviteToAlpha("  SALES@alpha.TEST ")).toThrow(InvitationError);
    expect(() => inviteToAlpha("sales@alpha.test")).toThrow(/already has an account/);
    expect(db.select().from(invitations).all()).toHaveLength(0);
  });

  it("refuses a role that does not go with the partner", () => {
    expect(() =>
      createInvitation(db, {
        email: "x@alpha.test",
        name: "X",
        role: "admin",
        partnerId: world.partnerA.id,
        actor: actorOf(world.adminA),
      }),
    ).toThrow();
  });

  it("revokes the earlier open invitation to the same address", () => {
    const first = inviteToAlpha();
    const second = inviteToAlpha("NEW.colleague@alpha.test", "partner_admin");
    expect(findOpenInvitation(db, first.token).status).toBe("invalid");
    expect(findOpenInvitation(db, second.token).status).toBe("ok");
    const open = listOpenInvitations(db, { partnerId: world.partnerA.id });
    expect(open.map((i) => i.id)).toEqual([second.id]);
  });
});

describe("invitations across tenants", () => {
  const inviteTo = (partnerId: number | null, actor: Parameters<typeof actorOf>[0], email: string, role: "partner_user" | "partner_manager" = "partner_user") =>
    createInvitation(db, { email, name: "Sam Shared", role: partnerId === null ? "partner_manager" : role, partnerId, actor: actorOf(actor) });
  const audits = () => db.select().from(auditEvents).where(eq(auditEvents.action, "invitation.revoked")).all();

  it("never revokes another partner's open invitation, and tells the inviter only that the address is in use", () => {
    const alpha = inviteTo(world.partnerA.id, world.adminA, "shared@person.test");
    expect(() => inviteTo(world.partnerB.id, world.adminB, "SHARED@person.test")).toThrow("This address cannot be invited here");
    expect(findOpenInvitation(db, alpha.token).status).toBe("ok");
    expect(listOpenInvitations(db, { partnerId: world.partnerB.id })).toEqual([]);
    expect(audits()).toEqual([]);
  });

  it("never revokes a partner-team invitation from a partner's team page", () => {
    const staff = inviteTo(null, world.admin, "newhire@vendor.test");
    expect(() => inviteTo(world.partnerB.id, world.adminB, "newhire@vendor.test")).toThrow("This address cannot be invited here");
    expect(findOpenInvitation(db, staff.token).status).toBe("ok");
  });

  it("gives a partner admin the same answer for an account elsewhere as for an invitation elsewhere", () => {
    // Partner A's salesperson and the partner manager: B's admin learns nothing about either.
    for (const email of [world.userA.email, world.manager.email]) {
      expect(() => inviteTo(world.partnerB.id, world.adminB, email)).toThrow("This address cannot be invited here");
    }
    // Its own colleague is named as such, so it can enable the account instead.
    expect(() => inviteTo(world.partnerB.id, world.adminB, world.adminB.email)).toThrow(/already has an account/);
    expect(db.select().from(invitations).all()).toEqual([]);
  });

  it("tells staff where the open invitation is, and still leaves it alone", () => {
    const alpha = inviteTo(world.partnerA.id, world.adminA, "shared@person.test");
    expect(() => inviteTo(world.partnerB.id, world.admin, "shared@person.test")).toThrow(/open invitation to Alpha Resellers/);
    expect(findOpenInvitation(db, alpha.token).status).toBe("ok");
  });

  it("lets an expired invitation elsewhere stop blocking, without touching it", () => {
    const alpha = inviteTo(world.partnerA.id, world.adminA, "shared@person.test");
    expire(alpha.id);
    const beta = inviteTo(world.partnerB.id, world.adminB, "shared@person.test");
    expect(findOpenInvitation(db, beta.token).status).toBe("ok");
    expect(db.select().from(invitations).where(eq(invitations.id, alpha.id)).get()!.revokedAt).toBeNull();
  });
});

describe("invitationMessage", () => {
  it("emails the invitee a link to /invite/<token> in both the text and the HTML", async () => {
    const { id, token } = inviteToAlpha();
    await sendIdentified(mailer, invitationMessage({ db, config }, { invitationId: id, token, inviterName: world.adminA.name }));
    const [mail] = listOutbox(outboxDir);
    const url = `https://portal.test/invite/${token}`;
    expect(mail.to).toEqual(["new.colleague@alpha.test"]);
    expect(mail.subject).toContain("Alpha Resellers");
    expect(mail.subject).toContain(world.adminA.name);
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(`href="${url}"`);
  });
});

describe("findOpenInvitation", () => {
  it("tells ok, expired, used and invalid apart", async () => {
    const { id, token } = inviteToAlpha();
    const found = findOpenInvitation(db, token);
    expect(found.status).toBe("ok");
    expect(found.invitation).toMatchObject({
      email: "new.colleague@alpha.test",
      role: "partner_user",
      partnerName: "Alpha Resellers",
      inviterName: world.adminA.name,
    });
    expect(found.invitation).not.toHaveProperty("tokenHash");

    expect(findOpenInvitation(db, "not-a-token")).toEqual({ status: "invalid" });

    expire(id);
    const expired = findOpenInvitation(db, token);
    expect(expired.status).toBe("expired");
    expect(expired.invitation?.inviterName).toBe(world.adminA.name);

    const other = inviteToAlpha("other@alpha.test");
    await acceptInvitation(db, other.token, { name: "Otto", password: NEW_PASSWORD });
    expect(findOpenInvitation(db, other.token).status).toBe("used");
  });
});

describe("acceptInvitation", () => {
  it("creates the user with the invitation's role and partner, and works only once", async () => {
    const { id, token } = inviteToAlpha("nina@alpha.test", "partner_admin");
    const userId = await acceptInvitation(db, token, { name: "  Nina Newcomer ", password: NEW_PASSWORD });
    const user = db.select().from(users).where(eq(users.id, userId)).get()!;
    expect(user).toMatchObject({
      email: "nina@alpha.test",
      name: "Nina Newcomer",
      role: "partner_admin",
      partnerId: world.partnerA.id,
      disabledAt: null,
    });
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash!, NEW_PASSWORD)).toBe(true);
    expect(db.select().from(invitations).where(eq(invitations.id, id)).get()!.acceptedAt).not.toBeNull();
    expect(
      db
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(and(eq(auditEvents.entityType, "invitation"), eq(auditEvents.entityId, String(id))))
        .all()
        .map((a) => a.action),
    ).toContain("invitation.accepted");

    await expect(acceptInvitation(db, token, { name: "Again", password: NEW_PASSWORD })).rejects.toThrow(
      InvitationError,
    );
    expect(db.select().from(users).where(eq(users.email, "nina@alpha.test")).all()).toHaveLength(1);
  });

  it("refuses an expired, revoked or unknown link and creates nothing", async () => {
    const expired = inviteToAlpha("late@alpha.test");
    expire(expired.id);
    await expect(acceptInvitation(db, expired.token, { name: "Late", password: NEW_PASSWORD })).rejects.toThrow(
      /expired/,
    );
    const revoked = inviteToAlpha("gone@alpha.test");
    revokeInvitation(db, actorOf(world.adminA), revoked.id, { partnerId: world.partnerA.id });
    await expect(acceptInvitation(db, revoked.token, { name: "Gone", password: NEW_PASSWORD })).rejects.toThrow(
      /not valid/,
    );
    await expect(acceptInvitation(db, "nope", { name: "Nope", password: NEW_PASSWORD })).rejects.toThrow(/not valid/);
    expect(db.select().from(users).where(eq(users.email, "late@alpha.test")).get()).toBeUndefined();
    expect(db.select().from(users).where(eq(users.email, "gone@alpha.test")).get()).toBeUndefined();
  });

  it("creates a staff account without a partner from a staff invitation", async () => {
    const { token } = createInvitation(db, {
      email: "new.manager@vendor.test",
      name: "Max Manager",
      role: "partner_manager",
      partnerId: null,
      actor: actorOf(world.admin),
    });
    const userId = await acceptInvitation(db, token, { name: "Max Manager", password: NEW_PASSWORD });
    const user = db.select().from(users).where(eq(users.id, userId)).get()!;
    expect(user).toMatchObject({ role: "partner_manager", partnerId: null });
  });
});

describe("listing and revoking, scoped", () => {
  it("lists a partner's own open invitations only, and staff invitations apart", () => {
    const a = inviteToAlpha();
    const b = createInvitation(db, {
      email: "new@beta.test",
      name: "Bea",
      role: "partner_user",
      partnerId: world.partnerB.id,
      actor: actorOf(world.adminB),
    });
    const staff = createInvitation(db, {
      email: "new.manager@vendor.test",
      name: "Max",
      role: "partner_manager",
      partnerId: null,
      actor: actorOf(world.admin),
    });
    const listA = listOpenInvitations(db, { partnerId: world.partnerA.id });
    expect(listA.map((i) => i.id)).toEqual([a.id]);
    expect(listA[0]).toMatchObject({ invitedByName: world.adminA.name, expired: false });
    expect(listA[0]).not.toHaveProperty("tokenHash");
    expect(listOpenInvitations(db, { partnerId: world.partnerB.id }).map((i) => i.id)).toEqual([b.id]);
    expect(listOpenInvitations(db, { staff: true }).map((i) => i.id)).toEqual([staff.id]);

    expire(a.id);
    expect(listOpenInvitations(db, { partnerId: world.partnerA.id })[0].expired).toBe(true);
  });

  it("lets a partner admin revoke only its own partner's invitations", () => {
    const a = inviteToAlpha();
    expect(revokeInvitation(db, actorOf(world.adminB), a.id, { partnerId: world.partnerB.id })).toBeNull();
    expect(revokeInvitation(db, actorOf(world.manager), a.id, { staff: true })).toBeNull();
    expect(findOpenInvitation(db, a.token).status).toBe("ok");

    expect(revokeInvitation(db, actorOf(world.adminA), a.id, { partnerId: world.partnerA.id })).toEqual({
      id: a.id,
      email: "new.colleague@alpha.test",
    });
    expect(findOpenInvitation(db, a.token).status).toBe("invalid");
    expect(listOpenInvitations(db, { partnerId: world.partnerA.id })).toHaveLength(0);
    // Revoking twice finds nothing open.
    expect(revokeInvitation(db, actorOf(world.adminA), a.id, { partnerId: world.partnerA.id })).toBeNull();
  });

  it("leaves staff invitations to program admins, even when a route forgot its guard", () => {
    const staffInvite = (actor: Parameters<typeof createInvitation>[1]["actor"]) =>
      createInvitation(db, { email: "new.manager@vendor.test", name: "Max", role: "partner_manager", partnerId: null, actor });
    expect(() => staffInvite(actorOf(world.manager))).toThrow(InvitationError);
    expect(listOpenInvitations(db, { staff: true })).toHaveLength(0);
    const invited = staffInvite(actorOf(world.admin));
    expect(() => revokeInvitation(db, actorOf(world.manager), invited.id, { staff: true })).toThrow(
      /Only program admins/,
    );
    expect(findOpenInvitation(db, invited.token).status).toBe("ok");
    expect(revokeInvitation(db, actorOf(world.admin), invited.id, { staff: true })).toMatchObject({ id: invited.id });
  });
});

describe("inviteAndSend", () => {
  const input = () => ({
    name: "Nina New",
    role: "partner_user" as const,
    partnerId: world.partnerA.id,
    actor: actorOf(world.adminA),
    inviterName: world.adminA.name,
  });

  it("creates the invitation and emails its link", async () => {
    const outcome = await inviteAndSend({ db, mailer, config }, { ...input(), email: "Nina@Alpha.test" });
    expect(outcome).toEqual({ ok: true, email: "nina@alpha.test" });
    const mail = listOutbox(outboxDir).find((m) => m.to.includes("nina@alpha.test"));
    expect(mail?.text).toContain("https://portal.test/invite/");
  });

  it("answers an address that already has an account on the email field, and sends nothing", async () => {
    const outcome = await inviteAndSend({ db, mailer, config }, { ...input(), email: world.userA.email.toUpperCase() });
    expect(outcome).toMatchObject({ ok: false, status: 409, field: "email" });
    expect(listOutbox(outboxDir)).toEqual([]);
  });

  it("keeps the invitation and its email in the outbox when the mail server refuses it", async () => {
    // A real SMTP server on 127.0.0.1 that refuses every message.
    const smtp = await startSmtpServer({ rejectAll: true });
    const refusing = createMailer({ SMTP_URL: smtp.url, MAIL_FROM: "Partner Program <partners@localhost>", OUTBOX_DIR: outboxDir });
    try {
      const outcome = await inviteAndSend({ db, mailer: refusing, config }, { ...input(), email: "late@alpha.test" });
      expect(outcome).toMatchObject({ ok: true });
      const [invitation] = db.select().from(invitations).where(eq(invitations.email, "late@alpha.test")).all();
      expect(invitation).toBeDefined();
      const row = db.select().from(outboxMessages).where(eq(outboxMessages.identity, `invitation-${invitation!.id}`)).get();
      expect(row).toMatchObject({ kind: "invitation", recipients: JSON.stringify(["late@alpha.test"]) });
      expect(row!.status).not.toBe("sent");
    } finally {
      refusing.close();
      await smtp.close();
    }
  });
});
