// The session cookie keeps `Secure` on an https APP_URL whatever ran first (issue 11, item 5):
// the daily session clean-up used to build the cached lucia instance with `secure: false`, and
// every cookie the server set afterwards lost the flag. Through real HTTP against the build.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../../app/jobs/scheduler.server";
import { sessions } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer({ APP_URL: "https://portal.test" });
  world = await createWorld(server.db);
});
afterAll(() => server.close());

const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("pp_session="));

describe("the Secure flag on an https APP_URL", () => {
  it("survives the session clean-up running before any request", async () => {
    const cleanup = jobs.find((job) => job.name === "session-cleanup")!;
    await cleanup.run({ db: server.db } as Parameters<typeof cleanup.run>[0], { at: new Date(), now: new Date() });

    const client = new Client(server.url);
    const signIn = await client.signIn(world.userA.email, TEST_PASSWORD);
    expect(sessionCookie(signIn)).toMatch(/;\s*Secure/i);

    // An idle session past half its lifetime is extended, and its cookie set again.
    server.db
      .update(sessions)
      .set({ expiresAt: Math.floor(Date.now() / 1000) + 60 * 60 })
      .where(eq(sessions.userId, world.userA.id))
      .run();
    const refreshed = await client.get("/dashboard");
    expect(refreshed.status).toBe(200);
    const cookie = sessionCookie(refreshed);
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);

    // A stale cookie is cleared with the same attributes.
    const stranger = await fetch(`${server.url}/dashboard`, {
      redirect: "manual",
      headers: { cookie: "pp_session=not-a-session" },
    });
    expect(sessionCookie(stranger)).toMatch(/;\s*Secure/i);
  });
});
