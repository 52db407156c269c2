import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../tests/support/db";
import { createWorld } from "../../tests/support/world";
import { deleteExpiredSessions, startSession } from "./session.server";

describe("session cookies", () => {
  it("are Secure on an https APP_URL even when the clean-up touched the database first", async () => {
    const { db } = createTestDatabase();
    const world = await createWorld(db);
    await deleteExpiredSessions(db);
    expect(await startSession(db, { APP_URL: "https://portal.test" }, world.userA.id)).toMatch(/;\s*Secure/i);
    expect(await startSession(db, { APP_URL: "http://localhost:3000" }, world.userA.id)).not.toMatch(/Secure/i);
  });
});
