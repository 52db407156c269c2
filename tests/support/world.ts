// A small program for HTTP and access tests: two partners (A and B) each with an admin and a
// sales user, a partner manager and a program admin, all with the test password.
import type { DB } from "../../app/db.server";
import { createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { testPasswordHash } from "./db";

export async function createWorld(db: DB) {
  const passwordHash = await testPasswordHash();
  ensureDefaultProgram(db);
  const manager = createUser(db, {
    email: "manager@world.test",
    name: "Mia Manager",
    role: "partner_manager",
    passwordHash,
  });
  const admin = createUser(db, { email: "admin@world.test", name: "Ada Admin", role: "admin", passwordHash });
  const partnerA = createPartner(db, { name: "Alpha Resellers", slug: "alpha", managerId: manager.id });
  const partnerB = createPartner(db, { name: "Beta Agency", slug: "beta", kind: "agency", managerId: manager.id });
  const userA = createUser(db, {
    email: "sales@alpha.test",
    name: "Sam Alpha",
    role: "partner_user",
    partnerId: partnerA.id,
    passwordHash,
  });
  const adminA = createUser(db, {
    email: "admin@alpha.test",
    name: "Alice Alpha",
    role: "partner_admin",
    partnerId: partnerA.id,
    passwordHash,
  });
  const adminB = createUser(db, {
    email: "admin@beta.test",
    name: "Bob Beta",
    role: "partner_admin",
    partnerId: partnerB.id,
    passwordHash,
  });
  return { manager, admin, partnerA, partnerB, userA, adminA, adminB };
}
export type World = Awaited<ReturnType<typeof createWorld>>;
