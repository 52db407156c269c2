// Issue 11 #1: the redirectTo after sign-in never leaves the app's origin, whatever encoding
// tricks it carries, and a broken value falls back to the user's home instead of a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await createWorld(server.db);
});
afterAll(() => server.close());

/** What a browser makes of the Location header: the absolute URL it goes to. */
async function landing(redirectTo: string) {
  const client = new Client(server.url);
  const res = await client.post("/login", { email: "sales@alpha.test", password: TEST_PASSWORD, redirectTo });
  const location = res.headers.get("location");
  return { status: res.status, location, url: location === null ? null : new URL(location, server.url) };
}

describe("redirect after sign-in", () => {
  const hostile = [
    "/%09/evil.test",
    "/\t/evil.test",
    "/%5Cevil.test",
    "/\\evil.test",
    "//evil.test",
    "https://evil.test",
    "/\\/evil.test",
    "/.//evil.test",
    " //evil.test",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: x=1",
    "/\nevil",
  ];

  it.each(hostile)("keeps %j on the app's own origin", async (redirectTo) => {
    const { status, url, location } = await landing(redirectTo);
    expect(status).toBe(302);
    expect(url!.origin).toBe(server.url);
    // The browser's own parser must agree: no tab, newline or backslash for it to reinterpret.
    expect(location).not.toMatch(/[\u0000-\u001f\u007f\\]/);
    expect(location!.startsWith("//")).toBe(false);
  });

  it("falls back to the user's home for a value with control characters", async () => {
    for (const value of ["/\t/evil.test", "/\nevil", "/deals\u0000"]) {
      expect((await landing(value)).location).toBe("/dashboard");
    }
  });

  it("still honours a legitimate deep link, query string included", async () => {
    const { location } = await landing("/deals?stage=approved&q=acme%20widgets");
    expect(location).toBe("/deals?stage=approved&q=acme%20widgets");
  });

  it("carries the deep link from the sign-in page's URL through the form", async () => {
    const anon = new Client(server.url);
    const gate = await anon.get("/deals?stage=approved");
    expect(gate.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent("/deals?stage=approved")}`);
    const page = await (await anon.get(gate.headers.get("location")!)).text();
    expect(page).toContain('name="redirectTo" value="/deals?stage=approved"');
  });
});
