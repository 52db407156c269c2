// Issue 13 item 7: a partner admin changes a colleague's role (user ↔ admin), name and report
// opt-in on /team; the audit log records it; the partner is never left without an enabled
// admin, even when two admins demote each other at the same moment; the Reports page tells each
// user what they actually receive. Through real HTTP against the built server.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, users } from "../../db/schema";
import { createPartner, createUser } from "../../db/factories";
import { TEST_PASSWORD, testPasswordHash } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
});
afterAll(() => server?.close());

async function signedIn(email: string) {
  const client = new Client(server.url);
  await client.signIn(email, TEST_PASSWORD);
  return client;
}

const row = (id: string) =>
  server.db.select({ name: users.name, role: users.role, optIn: users.reportOptIn }).from(users).where(eq(users.id, id)).get()!;

const update = (client: Client, userId: string, fields: { name: string; role: string; reportOptIn?: boolean }) =>
  client.post("/team", {
    intent: "update",
    userId,
    name: fields.name,
    role: fields.role,
    ...(fields.reportOptIn ? { reportOptIn: "on" } : {}),
  });

describe("people management on /team", () => {
  it("lets a partner admin change a colleague's role, name and report opt-in, and audits it", async () => {
    const admin = await signedIn(world.adminA.email);
    const res = await update(admin, world.userA.id, { name: "Samantha Alpha", role: "partner_admin", reportOptIn: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Saved Samantha Alpha: partner admin, receives the monthly report by email.");
    expect(row(world.userA.id)).toEqual({ name: "Samantha Alpha", role: "partner_admin", optIn: true });
    const audit = server.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "user.updated"), eq(auditEvents.entityId, world.userA.id)))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: world.adminA.id,
      partnerId: world.partnerA.id,
      before: { name: "Sam Alpha", role: "partner_user", reportOptIn: false },
      after: { name: "Samantha Alpha", role: "partner_admin", reportOptIn: true },
    });

    // And back: the new admin can be made a user again while Alice stays admin.
    const back = await update(admin, world.userA.id, { name: "Sam Alpha", role: "partner_user" });
    expect(back.status).toBe(200);
    expect(row(world.userA.id)).toEqual({ name: "Sam Alpha", role: "partner_user", optIn: false });
  });

  it("refuses bad input with a message that says what to fix, and another partner's user with 404", async () => {
    const admin = await signedIn(world.adminA.email);
    const empty = await update(admin, world.userA.id, { name: "  ", role: "partner_user" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter the colleague&#x27;s name.");
    const role = await update(admin, world.userA.id, { name: "Sam", role: "admin" });
    expect(role.status).toBe(400);
    expect(await role.text()).toContain("Choose a role: partner user or partner admin.");
    const foreign = await update(admin, world.adminB.id, { name: "Mallory", role: "partner_user" });
    expect(foreign.status).toBe(404);
    expect(row(world.adminB.id).name).toBe("Bob Beta");
  });

  it("never leaves a partner without an enabled admin, even when two admins demote each other at once", async () => {
    const passwordHash = await testPasswordHash();
    const partner = createPartner(server.db, { name: "Gamma Group", slug: "gamma" });
    const one = createUser(server.db, { role: "partner_admin", partnerId: partner.id, email: "one@gamma.test", name: "One", passwordHash });
    const two = createUser(server.db, { role: "partner_admin", partnerId: partner.id, email: "two@gamma.test", name: "Two", passwordHash });
    const [a, b] = await Promise.all([signedIn(one.email), signedIn(two.email)]);

    const answers = await Promise.all([
      update(a, two.id, { name: "Two", role: "partner_user" }),
      update(b, one.id, { name: "One", role: "partner_user" }),
    ]);
    // One wins; the other is refused, by the guard (403: no longer an admin) if it came in
    // after the first committed, or inside the write (409) if both passed the guard.
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = server.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.partnerId, partner.id), eq(users.role, "partner_admin")))
      .all();
    expect(admins).toHaveLength(1);

    // Nor can the one left demote themselves.
    const remaining = admins[0]!.id === one.id ? one : two;
    const self = remaining.id === one.id ? a : b;
    const ownRole = await update(self, remaining.id, { name: remaining.name, role: "partner_user" });
    expect(ownRole.status).toBe(409);
    expect(await ownRole.text()).toContain("You cannot change your own role");
  });

  it("tells each user on /reports what they receive, at which address, and an admin who else gets it", async () => {
    server.db.update(users).set({ reportOptIn: false }).where(eq(users.id, world.userA.id)).run();
    const user = await signedIn(world.userA.email);
    const userPage = await (await user.get("/reports")).text();
    expect(userPage).toContain(`You do not receive the monthly report by email (${world.userA.email} is not on the list).`);
    expect(userPage).not.toContain(world.adminA.email);

    const admin = await signedIn(world.adminA.email);
    await update(admin, world.userA.id, { name: "Sam Alpha", role: "partner_user", reportOptIn: true });
    const adminPage = await (await admin.get("/reports")).text();
    expect(adminPage).toMatch(new RegExp(`You receive the monthly report at ${world.adminA.email.replace(".", "\\.")} \\(email with the pdf attached\\)\\. The next one, for [A-Z][a-z]+ \\d{4}, goes out on `));
    expect(adminPage).toContain(`Also receiving it: Sam Alpha (${world.userA.email}).`);

    const userAgain = await (await user.get("/reports")).text();
    expect(userAgain).toContain(`You receive the monthly report at ${world.userA.email}`);
  });
});
