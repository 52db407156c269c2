// Issue 11 #7: the sign-in throttle holds under concurrency (the attempt is reserved before the
// password is checked) and the per-IP key trusts X-Forwarded-For only from a configured proxy.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signInFailures } from "../../db/schema";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

describe("sign-in throttling under concurrency", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createWorld(server.db);
  });
  afterAll(() => server.close());

  it("answers exactly 5 of 50 parallel wrong passwords with 401 and the rest with 429", async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        new Client(server.url).post("/login", { email: "sales@alpha.test", password: `wrong-guess-${i}` }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    const refused = answers.find((r) => r.status === 429)!;
    expect(await refused.text()).toMatch(/Try again in 1[45] minutes\./);
  });
});

/** 20 failed sign-ins (the per-IP limit) for distinct unknown addresses, claiming `forwardedFor`. */
async function exhaustIp(server: TestServer, forwardedFor: (i: number) => string) {
  for (let i = 0; i < 20; i++) {
    const res = await new Client(server.url).post(
      "/login",
      { email: `nobody-${i}@nowhere.test`, password: "wrong-password" },
      { "x-forwarded-for": forwardedFor(i) },
    );
    expect(res.status).toBe(401);
  }
}

describe("per-IP key without a trusted proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("ignores X-Forwarded-For: a new claimed address does not escape the limit", async () => {
    await exhaustIp(server, (i) => `203.0.113.${i + 1}`);
    const res = await new Client(server.url).post(
      "/login",
      { email: "someone-else@nowhere.test", password: "wrong-password" },
      { "x-forwarded-for": "198.51.100.77" },
    );
    expect(res.status).toBe(429);
  });
});

describe("per-IP key behind a configured proxy (TRUST_PROXY=loopback)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: "loopback" });
  });
  afterEach(() => {
    server.db.delete(signInFailures).run();
  });
  afterAll(() => server.close());

  it("keys on the client address the proxy reports", async () => {
    await exhaustIp(server, () => "203.0.113.9");
    const same = await new Client(server.url).post(
      "/login",
      { email: "someone-else@nowhere.test", password: "wrong-password" },
      { "x-forwarded-for": "203.0.113.9" },
    );
    expect(same.status).toBe(429);
    const other = await new Client(server.url).post(
      "/login",
      { email: "someone-else@nowhere.test", password: "wrong-password" },
      { "x-forwarded-for": "198.51.100.77" },
    );
    expect(other.status).toBe(401);
  });
});
