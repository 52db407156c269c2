// Two-factor sign-in through real HTTP: enrolling on the account page, the second step that
// creates no session until the code is right, recovery codes, replays, throttling, the
// staff-required setting and turning it off.
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pendingSignIns, programSettings, signInFailures } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
});
afterAll(() => server.close());
beforeEach(() => {
  server.db.delete(signInFailures).run();
});

const step = () => Math.floor(Date.now() / 30_000);
/** The code for the current step plus `offset`: the next step is still inside the drift window. */
const code = (key: Uint8Array, offset = 0) => generateHOTP(key, BigInt(step() + offset), 6);

const text = (html: string) => html.replace(/<!-- -->/g, "");

/** Enrols the signed-in client on /account/two-factor; returns the key and the recovery codes. */
async function enrol(client: Client) {
  expect((await client.post("/account/two-factor", { intent: "start" })).status).toBe(302);
  const page = text(await (await client.get("/account/two-factor")).text());
  expect(page).toContain("<svg");
  const manual = page.match(/data-testid="manual-key"[^>]*>([A-Z2-7 ]+)</)![1];
  const key = decodeBase32IgnorePadding(manual.replace(/ /g, ""));
  const confirmed = await client.post("/account/two-factor", { intent: "confirm", code: code(key) });
  expect(confirmed.status).toBe(200);
  const html = await confirmed.text();
  const codes = [...html.matchAll(/data-testid="recovery-code">([a-z0-9-]+)</g)].map((m) => m[1]);
  expect(codes).toHaveLength(10);
  return { key, codes };
}

async function passwordStep(email: string, redirectTo?: string) {
  const client = new Client(server.url);
  const res = await client.post("/login", { email, password: TEST_PASSWORD, ...(redirectTo ? { redirectTo } : {}) });
  return { client, res };
}

describe("two-factor sign-in", () => {
  let key: Uint8Array;
  let codes: string[];

  beforeAll(async () => {
    const client = new Client(server.url);
    await client.signIn(world.adminA.email, TEST_PASSWORD);
    ({ key, codes } = await enrol(client));
    // Shown once: the account page never shows the key or the codes again.
    const again = await (await client.get("/account/two-factor")).text();
    expect(again).not.toContain("manual-key");
    expect(again).not.toContain(codes[0]);
    expect(again).toContain("10 recovery codes are");
  });

  it("asks for a code after the password and creates no session until it is right", async () => {
    const { client, res } = await passwordStep(world.adminA.email, "/deals?stage=approved");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login/two-factor");
    expect(client.hasSession()).toBe(false);
    const pendingCookie = res.headers.getSetCookie().find((c) => c.startsWith("pp_pending="))!;
    expect(pendingCookie).toMatch(/HttpOnly/i);
    expect(pendingCookie).not.toContain(world.adminA.id);
    // The pending state does not open the app.
    expect((await client.get("/dashboard")).headers.get("location")).toMatch(/^\/login\?redirectTo=/);

    const step2 = await client.get("/login/two-factor");
    expect(step2.status).toBe(200);
    expect(await step2.text()).toContain("Authentication code");

    const wrong = await client.post("/login/two-factor", { intent: "verify", code: "000000" === code(key, 1) ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right.");
    expect(client.hasSession()).toBe(false);

    const right = await client.post("/login/two-factor", { intent: "verify", code: code(key, 1) });
    expect(right.status).toBe(302);
    expect(right.headers.get("location")).toBe("/deals?stage=approved");
    expect(client.hasSession()).toBe(true);
    expect((await client.get("/dashboard")).status).toBe(200);
    expect(server.db.select().from(pendingSignIns).where(eq(pendingSignIns.userId, world.adminA.id)).all()).toHaveLength(0);
  });

  it("refuses a replayed code within its window", async () => {
    // The previous test used the next step's code; using it again must fail.
    const { client } = await passwordStep(world.adminA.email);
    const replay = await client.post("/login/two-factor", { intent: "verify", code: code(key, 1) });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("already used");
    expect(client.hasSession()).toBe(false);
  });

  it("signs in with a recovery code, once", async () => {
    const first = await passwordStep(world.adminA.email);
    const used = await first.client.post("/login/two-factor", { intent: "verify", code: codes[0] });
    expect(used.status).toBe(302);
    expect(first.client.hasSession()).toBe(true);

    const second = await passwordStep(world.adminA.email);
    const again = await second.client.post("/login/two-factor", { intent: "verify", code: codes[0] });
    expect(again.status).toBe(400);
    expect(second.client.hasSession()).toBe(false);
  });

  it("throttles code attempts with a clear message", async () => {
    const { client } = await passwordStep(world.adminA.email);
    for (let i = 0; i < 5; i++) {
      expect((await client.post("/login/two-factor", { intent: "verify", code: `wrong-${i}` })).status).toBe(400);
    }
    const blocked = await client.post("/login/two-factor", { intent: "verify", code: codes[1] });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Too many wrong codes\. Try again in 1[45] minutes\./);
    expect(client.hasSession()).toBe(false);
  });

  it("sends the second step back to the password without a pending sign-in", async () => {
    const anon = new Client(server.url);
    expect((await anon.get("/login/two-factor")).headers.get("location")).toBe("/login");
    expect((await anon.post("/login/two-factor", { intent: "verify", code: "123456" })).headers.get("location")).toBe("/login");
    expect((await anon.get("/login/two-factor", { cookie: `pp_pending=${world.adminA.id}` })).headers.get("location")).toBe("/login");
    // A well-formed cookie whose token matches no pending sign-in.
    const unknown = `pp_pending=${encodeURIComponent(btoa(JSON.stringify(world.adminA.id)))}`;
    const forged = await anon.get("/login/two-factor", { cookie: unknown });
    expect(forged.status).toBe(200);
    expect(await forged.text()).toContain("This sign-in step has expired or was already completed.");
    const forgedPost = await anon.post("/login/two-factor", { intent: "verify", code: "123456" }, { cookie: unknown });
    expect(forgedPost.headers.get("location")).toBe("/login");
  });

  it("shows who has two-factor on the team page", async () => {
    const client = new Client(server.url);
    await client.signIn(world.adminB.email, TEST_PASSWORD);
    const own = text(await (await client.get("/team")).text());
    expect(own).toContain("Two-factor");
    server.db.delete(signInFailures).run();
    const { client: alpha } = await passwordStep(world.adminA.email);
    await alpha.post("/login/two-factor", { intent: "verify", code: codes[2] });
    const team = text(await (await alpha.get("/team")).text());
    const row = (name: string) => team.slice(team.indexOf(`<td>${name}</td>`), team.indexOf("</tr>", team.indexOf(`<td>${name}</td>`)));
    expect(row("Alice Alpha")).toMatch(/badge ok">On</);
    expect(row("Sam Alpha")).toMatch(/badge neutral">Off</);
    // The partner team sees the same on the partner's page.
    const manager = new Client(server.url);
    await manager.signIn(world.manager.email, TEST_PASSWORD);
    const page = text(await (await manager.get(`/internal/partners/${world.partnerA.slug}`)).text());
    const staffRow = (name: string) => page.slice(page.indexOf(`<td>${name}</td>`), page.indexOf("</tr>", page.indexOf(`<td>${name}</td>`)));
    expect(page).toContain("Two-factor");
    expect(staffRow("Alice Alpha")).toMatch(/badge ok">On</);
    expect(staffRow("Sam Alpha")).toMatch(/badge neutral">Off</);
  });

  it("turns off only with the password", async () => {
    const { client } = await passwordStep(world.adminA.email);
    await client.post("/login/two-factor", { intent: "verify", code: codes[3] });
    const wrong = await client.post("/account/two-factor", { intent: "disable", password: "not-the-password" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");
    const off = await client.post("/account/two-factor", { intent: "disable", password: TEST_PASSWORD });
    expect(off.headers.get("location")).toBe("/account/two-factor?off=1");
    const plain = await passwordStep(world.adminA.email);
    expect(plain.res.headers.get("location")).toBe("/dashboard");
    expect(plain.client.hasSession()).toBe(true);
  });
});

describe("two-factor required for staff", () => {
  afterAll(() => {
    server.db.update(programSettings).set({ requireStaffTwoFactor: false }).run();
  });

  it("lets only admins switch it on, then makes staff enrol at sign-in before /internal", async () => {
    const manager = new Client(server.url);
    await manager.signIn(world.manager.email, TEST_PASSWORD);
    const refused = await manager.post("/internal/settings", { intent: "staff-two-factor", required: "on" });
    expect(refused.status).toBe(403);

    const admin = new Client(server.url);
    await admin.signIn(world.admin.email, TEST_PASSWORD);
    expect((await admin.post("/internal/settings", { intent: "staff-two-factor", required: "on" })).status).toBe(302);
    expect(await (await admin.get("/internal/settings")).text()).toMatch(/name="required" checked=""/);

    // Partners are not concerned.
    expect((await passwordStep(world.userA.email)).res.headers.get("location")).toBe("/dashboard");

    const { client, res } = await passwordStep(world.manager.email, "/internal/partners");
    expect(res.headers.get("location")).toBe("/login/two-factor");
    expect(client.hasSession()).toBe(false);
    expect((await client.get("/internal")).headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    const page = text(await (await client.get("/login/two-factor")).text());
    expect(page).toContain("The program requires two-factor sign-in for staff.");
    const manual = page.match(/data-testid="manual-key"[^>]*>([A-Z2-7 ]+)</)![1];
    const key = decodeBase32IgnorePadding(manual.replace(/ /g, ""));
    const badFormat = await client.post("/login/two-factor", { intent: "enrol", code: "abcde-12345" });
    expect(badFormat.status).toBe(400);
    expect(await badFormat.text()).toContain("Enter the 6 digits your authenticator app shows");
    const done = await client.post("/login/two-factor", { intent: "enrol", code: code(key) });
    expect(done.status).toBe(200);
    expect([...(await done.text()).matchAll(/data-testid="recovery-code"/g)]).toHaveLength(10);
    expect(client.hasSession()).toBe(true);
    expect((await client.get("/internal/partners")).status).toBe(200);

    // Staff cannot turn it off while it is required.
    const off = await client.post("/account/two-factor", { intent: "disable", password: TEST_PASSWORD });
    expect(off.status).toBe(403);
  });
});
