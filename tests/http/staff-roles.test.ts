// Staff accounts are program admins' business (issue 11, item 10): a partner manager sees the
// partner team page but cannot invite staff, cancel a staff invitation or disable/enable a
// staff account. Through real HTTP against the built server.
import { eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorOf } from "../../app/domain/audit.server";
import { createInvitation } from "../../app/domain/invitations.server";
import { invitations, users } from "../../db/schema";
import { createUser } from "../../db/factories";
import { TEST_PASSWORD, testPasswordHash } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let manager: Client;
let admin: Client;
let colleague: { id: string };

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  colleague = createUser(server.db, {
    email: "other-manager@world.test",
    name: "Omar Other",
    role: "partner_manager",
    passwordHash: await testPasswordHash(),
  });
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const openStaffInvitations = () =>
  server.db
    .select({ id: invitations.id, email: invitations.email })
    .from(invitations)
    .where(isNull(invitations.partnerId))
    .all();
const disabledAt = (id: string) => server.db.select().from(users).where(eq(users.id, id)).get()!.disabledAt;

describe("the partner team page for a partner manager", () => {
  it("shows the team read-only: no invitation form, no revoke, disable or enable buttons", async () => {
    createInvitation(server.db, {
      email: "pending-admin@world.test",
      name: "Pat Pending",
      role: "admin",
      partnerId: null,
      actor: actorOf(world.admin),
    });
    const res = await manager.get("/internal/team");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Omar Other");
    expect(html).toContain("pending-admin@world.test");
    expect(html).toContain("Only program admins can invite, cancel invitations, or disable and enable accounts");
    expect(html).not.toContain("Send the invitation");
    expect(html).not.toMatch(/value="revoke"/);
    expect(html).not.toMatch(/value="disable"/);
  });

  it("refuses every write with 403 and changes nothing", async () => {
    const pending = createInvitation(server.db, {
      email: "pending-manager@world.test",
      name: "Pia Pending",
      role: "partner_manager",
      partnerId: null,
      actor: actorOf(world.admin),
    });
    const before = openStaffInvitations();

    const invite = await manager.post("/internal/team", {
      intent: "invite",
      name: "New Manager",
      email: "new-manager@world.test",
      role: "partner_manager",
    });
    expect(invite.status).toBe(403);
    expect(await invite.text()).toContain("Only program admins");

    const revoke = await manager.post("/internal/team", { intent: "revoke", invitationId: String(pending.id) });
    expect(revoke.status).toBe(403);

    const disable = await manager.post("/internal/team", { intent: "disable", userId: colleague.id });
    expect(disable.status).toBe(403);

    server.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, colleague.id)).run();
    const enable = await manager.post("/internal/team", { intent: "enable", userId: colleague.id });
    expect(enable.status).toBe(403);
    expect(disabledAt(colleague.id)).not.toBeNull();
    server.db.update(users).set({ disabledAt: null }).where(eq(users.id, colleague.id)).run();

    expect(openStaffInvitations()).toEqual(before);
    const row = server.db.select().from(invitations).where(eq(invitations.id, pending.id)).get()!;
    expect(row.revokedAt).toBeNull();
    expect(
      server.db.select().from(invitations).where(eq(invitations.email, "new-manager@world.test")).all(),
    ).toEqual([]);
    expect(disabledAt(colleague.id)).toBeNull();
  });
});

describe("the partner team page for a program admin", () => {
  it("still invites, revokes and disables staff", async () => {
    const invite = await admin.post("/internal/team", {
      intent: "invite",
      name: "Nora Newhire",
      email: "nora@world.test",
      role: "partner_manager",
    });
    expect(invite.status).toBe(200);
    const row = server.db.select().from(invitations).where(eq(invitations.email, "nora@world.test")).get()!;
    const revoke = await admin.post("/internal/team", { intent: "revoke", invitationId: String(row.id) });
    expect(revoke.status).toBe(200);
    expect(server.db.select().from(invitations).where(eq(invitations.id, row.id)).get()!.revokedAt).not.toBeNull();

    const disable = await admin.post("/internal/team", {
      intent: "disable",
      userId: colleague.id,
      confirmed: "yes",
      reason: "Left the company.",
    });
    expect(disable.status).toBe(200);
    expect(disabledAt(colleague.id)).not.toBeNull();
    const enable = await admin.post("/internal/team", { intent: "enable", userId: colleague.id });
    expect(enable.status).toBe(200);
    expect(disabledAt(colleague.id)).toBeNull();
  });
});
