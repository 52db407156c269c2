// A POST whose Origin is APP_URL but whose Host is something else — a proxy that rewrites Host —
// is refused with 403 and a hint for the operator, before Remix's own check turns it into a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

const APP_URL = "https://partners.example.test";
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ APP_URL });
  await createWorld(server.db);
});
afterAll(() => server.close());

describe("Origin is APP_URL, Host is not", () => {
  it("answers 403 with a hint about the proxy's Host header, not 500", async () => {
    // fetch sends Host: 127.0.0.1:<port>, as a proxy that does not pass the original Host would.
    const res = await new Client(server.url).post(
      "/login",
      { email: "admin@alpha.test", password: TEST_PASSWORD },
      { origin: APP_URL },
    );
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain(`the Host header (${new URL(server.url).host}) does not match APP_URL (partners.example.test)`);
    expect(text).toContain("Configure your proxy to pass the original Host");
  });

  it("answers the same for a single-fetch action request and an X-Forwarded-Host that differs", async () => {
    const client = new Client(server.url);
    expect((await client.post("/login.data", { email: "a@b.test", password: "x" }, { origin: APP_URL })).status).toBe(403);
    const forwarded = await client.post(
      "/login",
      { email: "a@b.test", password: "x" },
      { origin: APP_URL, "x-forwarded-host": "internal.example.test" },
    );
    expect(forwarded.status).toBe(403);
    expect(await forwarded.text()).toContain("the Host header (internal.example.test)");
  });

  it("lets the request through when the proxy passes the original host", async () => {
    const viaHeader = await new Client(server.url).post(
      "/login",
      { email: "admin@alpha.test", password: TEST_PASSWORD },
      { origin: APP_URL, "x-forwarded-host": "partners.example.test" },
    );
    expect(viaHeader.status).toBe(302);
  });

  it("still refuses another site's Origin as cross-site", async () => {
    const res = await new Client(server.url).post("/login", { email: "a@b.test", password: "x" }, { origin: "https://evil.test" });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("Cross-site request refused.");
  });
});
