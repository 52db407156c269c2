// Invitations across tenants (issue 11, item 3): a partner admin's invitation never touches
// another partner's or the partner team's open invitation, and its answer never says where an
// address is used. Through real HTTP against the built server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorOf } from "../../app/domain/audit.server";
import { createInvitation, findOpenInvitation } from "../../app/domain/invitations.server";
import { invitations } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let adminB: Client;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  adminB = new Client(server.url);
  await adminB.signIn(world.adminB.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const invite = (email: string) => adminB.post("/team", { intent: "invite", name: "Sam Shared", email, role: "partner_user" });

describe("a partner admin inviting an address used elsewhere", () => {
  it("leaves partner A's open invitation working and answers 409 without naming A", async () => {
    const alpha = createInvitation(server.db, {
      email: "shared@person.test",
      name: "Sam Shared",
      role: "partner_user",
      partnerId: world.partnerA.id,
      actor: actorOf(world.adminA),
    });
    const res = await invite("Shared@Person.test");
    expect(res.status).toBe(409);
    const body = await res.text();
    expect(body).toContain("This address cannot be invited here: it is already in use in the portal.");
    expect(body).not.toContain(world.partnerA.name);
    expect(findOpenInvitation(server.db, alpha.token).status).toBe("ok");
    expect(server.db.select().from(invitations).where(eq(invitations.partnerId, world.partnerB.id)).all()).toEqual([]);
  });

  it("leaves a partner-team invitation working", async () => {
    const staff = createInvitation(server.db, {
      email: "new-manager@vendor.test",
      name: "Nell Manager",
      role: "partner_manager",
      partnerId: null,
      actor: actorOf(world.admin),
    });
    expect((await invite("new-manager@vendor.test")).status).toBe(409);
    expect(findOpenInvitation(server.db, staff.token).status).toBe("ok");
  });

  it("answers an account of another partner exactly as an unknown-but-used address, so accounts cannot be probed", async () => {
    const elsewhere = await (await invite(world.userA.email)).text();
    const staffAccount = await (await invite(world.manager.email)).text();
    const message = (html: string) => /This address cannot be invited here[^<]*/.exec(html)?.[0];
    expect(message(elsewhere)).toBeDefined();
    expect(message(elsewhere)).toBe(message(staffAccount));
    expect(elsewhere).not.toContain("already has an account");
  });
});
