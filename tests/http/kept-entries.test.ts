// Issue 13 #3 through the built server: a form posted after the session ended is answered with
// sign-in and a signed, HttpOnly cookie keeping what was typed (never a password or a token);
// the form's page gives the entries back after sign-in to the user whose session ended and to
// nobody else; the background domain check answers 401 JSON; sign-in never lands on a
// background or download URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeal } from "../../db/factories";
import { sessions, users } from "../../db/schema";
import { eq } from "drizzle-orm";
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

const typed = {
  companyName: "Umbra Kitchens",
  website: "umbra-kitchens.example",
  contactName: "Lee Keep",
  contactEmail: "lee@umbra-kitchens.example",
  amount: "12000",
  currency: "EUR",
  expectedCloseOn: "2031-01-15",
  productLine: "",
  notes: "Typed before the session ended.",
  password: "never-kept-secret",
};

/** The user's sessions end as the idle timeout ends them: past their expiry, rows still there. */
function expireSessionsOf(email: string) {
  const user = server.db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!;
  server.db.update(sessions).set({ expiresAt: 0 }).where(eq(sessions.userId, user.id)).run();
}

async function postAfterSessionEnded(email: string) {
  const client = new Client(server.url);
  await client.signIn(email, TEST_PASSWORD);
  expireSessionsOf(email);
  const res = await client.post("/deals/new", typed);
  return { client, res };
}

describe("a form posted after the session ended", () => {
  it("goes to sign-in with the entries kept in a signed HttpOnly cookie, no password among them", async () => {
    const { res, client } = await postAfterSessionEnded("sales@alpha.test");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fdeals%2Fnew");
    const draft = res.headers.getSetCookie().find((c) => c.startsWith("pp_draft="))!;
    expect(draft).toMatch(/HttpOnly/);
    expect(draft).toMatch(/Max-Age=1800/);
    const payload = Buffer.from(draft.split("=")[1].split(".")[0], "base64url").toString("utf8");
    expect(payload).toContain("Umbra Kitchens");
    expect(payload).not.toContain("never-kept-secret");

    const login = await client.get("/login?redirectTo=%2Fdeals%2Fnew");
    expect(await login.text()).toContain("Your session ended — sign in to continue; your entries are kept.");
    const signedIn = await client.post("/login", {
      email: "sales@alpha.test",
      password: TEST_PASSWORD,
      redirectTo: "/deals/new",
    });
    expect(signedIn.headers.get("location")).toBe("/deals/new");
    const form = await (await client.get("/deals/new")).text();
    expect(form).toContain('value="Umbra Kitchens"');
    expect(form).toContain("Typed before the session ended.");
  });

  it("gives the entries to nobody but the user whose session ended", async () => {
    const { res } = await postAfterSessionEnded("sales@alpha.test");
    const draft = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("pp_draft="))!
      .split(";")[0];
    // The same browser's cookie, presented by someone at another partner: nothing comes back.
    const withDraft = await fetch(`${server.url}/deals/new`, {
      headers: { cookie: `${draft}; ${await sessionCookie("admin@beta.test")}` },
    });
    const html = await withDraft.text();
    expect(html).toContain("Register a deal");
    expect(html).not.toContain("Umbra Kitchens");
  });

  it("keeps nothing when the server cannot tell whose session ended (no session or owner cookie)", async () => {
    // Whoever signs in next in this browser may work for another partner.
    const anonymous = new Client(server.url);
    const res = await anonymous.post("/deals/new", typed);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("pp_draft="))).toBe(false);
    await anonymous.signIn("admin@beta.test", TEST_PASSWORD);
    const html = await (await anonymous.get("/deals/new")).text();
    expect(html).toContain("Register a deal");
    expect(html).not.toContain(typed.companyName);
  });

  it("names the owner from the browser's signed owner cookie once the session row is gone", async () => {
    // In the browser an earlier background request finds the session expired, deletes its row
    // and clears the session cookie; the form post then carries only the owner cookie.
    const client = new Client(server.url);
    await client.signIn("sales@alpha.test", TEST_PASSWORD);
    expect((await client.get("/deals/new")).status).toBe(200); // the form is opened, then left open
    const user = server.db.select({ id: users.id }).from(users).where(eq(users.email, "sales@alpha.test")).get()!;
    server.db.delete(sessions).where(eq(sessions.userId, user.id)).run();
    const res = await client.post("/deals/new", typed);
    expect(res.status).toBe(302);
    const draft = res.headers.getSetCookie().find((c) => c.startsWith("pp_draft="));
    expect(draft).toBeDefined();

    // Someone else signs in in the same browser: the entries are not theirs.
    await client.signIn("admin@beta.test", TEST_PASSWORD);
    const other = await (await client.get("/deals/new")).text();
    expect(other).toContain("Register a deal");
    expect(other).not.toContain(typed.companyName);
  });

  it("gives the entries back to their owner after the session row is gone", async () => {
    const client = new Client(server.url);
    await client.signIn("sales@alpha.test", TEST_PASSWORD);
    expect((await client.get("/deals/new")).status).toBe(200); // the form is opened, then left open
    const user = server.db.select({ id: users.id }).from(users).where(eq(users.email, "sales@alpha.test")).get()!;
    server.db.delete(sessions).where(eq(sessions.userId, user.id)).run();
    await client.post("/deals/new", typed);
    await client.post("/login", { email: "sales@alpha.test", password: TEST_PASSWORD, redirectTo: "/deals/new" });
    const form = await (await client.get("/deals/new")).text();
    expect(form).toContain('value="Umbra Kitchens"');
  });

  it("does not accept an owner cookie whose signature does not match", async () => {
    const forgedOwner = `pp_owner=${Buffer.from("someone").toString("base64url")}.AAAA`;
    const res = await fetch(`${server.url}/deals/new`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: forgedOwner, "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: new URLSearchParams(typed).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("pp_draft="))).toBe(false);
  });

  it("ignores a draft cookie whose signature does not match", async () => {
    const forged = Buffer.from(
      JSON.stringify({
        path: "/deals/new",
        owner: null,
        fields: [["companyName", "Forged Ltd"]],
        expiresAt: Date.now() + 60_000,
      })
    ).toString("base64url");
    const html = await (
      await fetch(`${server.url}/deals/new`, {
        headers: { cookie: `${await sessionCookie("sales@alpha.test")}; pp_draft=${forged}.AAAA` },
      })
    ).text();
    expect(html).toContain("Register a deal");
    expect(html).not.toContain("Forged Ltd");
  });
});

describe("the other forms keep their entries through sign-in", () => {
  /** Signs `email` in, ends the session, posts `form` to `path`, signs in again; the page's HTML. */
  async function keptThroughSignIn(email: string, path: string, form: Record<string, string>) {
    const client = new Client(server.url);
    await client.signIn(email, TEST_PASSWORD);
    expireSessionsOf(email);
    const res = await client.post(path, form);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    const signedIn = await client.post("/login", { email, password: TEST_PASSWORD, redirectTo: path });
    expect(signedIn.headers.get("location")).toBe(path);
    return (await client.get(path)).text();
  }

  it("fills the activity form on a deal back in", async () => {
    const deal = createDeal(server.db, { partnerId: world.partnerA.id, stage: "approved" });
    const html = await keptThroughSignIn("sales@alpha.test", `/deals/${deal.id}`, {
      kind: "co_sell_meeting",
      pillar: "market",
      journeyStage: "consideration",
      occurredOn: new Date().toISOString().slice(0, 10),
      note: "Joint webinar typed before the session ended.",
      idempotencyToken: "an-old-token-never-kept-1234",
    });
    expect(html).toContain("Your entries from before your session ended are filled in below.");
    expect(html).toContain("Joint webinar typed before the session ended.");
    expect(html).toMatch(/<option value="co_sell_meeting" selected="">/);
    expect(html).toMatch(/<option value="market" selected="">/);
    expect(html).not.toContain("an-old-token-never-kept-1234");
  });

  it("fills the invite form on the team page back in", async () => {
    const html = await keptThroughSignIn("admin@alpha.test", "/team", {
      intent: "invite",
      name: "Kit Kept",
      email: "kit.kept@alpha.test",
      role: "partner_admin",
    });
    expect(html).toContain('value="Kit Kept"');
    expect(html).toContain('value="kit.kept@alpha.test"');
  });

  it("fills the invite form on a partner's staff page back in", async () => {
    const html = await keptThroughSignIn("manager@world.test", "/internal/partners/alpha", {
      intent: "invite",
      name: "Pat Kept",
      email: "pat.kept@alpha.test",
      role: "partner_user",
    });
    expect(html).toContain('value="Pat Kept"');
    expect(html).toContain('value="pat.kept@alpha.test"');
  });

  it("fills the settings form back in, tiers included", async () => {
    const html = await keptThroughSignIn("admin@world.test", "/internal/settings", {
      intent: "save",
      programName: "Renamed Before Timeout",
      attributionModel: "sourced",
      protectionDays: "45",
      paperSize: "A4",
      "tiers[0].name": "Kept Tier",
      "tiers[0].rank": "1",
      "tiers[0].minRevenue": "0",
      "tiers[0].minWonDeals": "0",
      "tiers[0].thresholdRule": "all",
    });
    expect(html).toContain('value="Renamed Before Timeout"');
    expect(html).toContain('value="45"');
    expect(html).toContain('value="Kept Tier"');
  });
});

describe("background requests and sign-in targets", () => {
  it("answers the domain check 401 JSON when signed out, never a redirect", async () => {
    const res = await new Client(server.url).get("/deals/check-domain?website=acme.com");
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.json()).toMatchObject({ status: "signed_out" });
  });

  it.each(["/deals/check-domain?website=acme.com", "/deals.csv", "/deals/new.data", "/logout"])(
    "signs in to the user's home, never to %s",
    async (redirectTo) => {
      const res = await new Client(server.url).post("/login", {
        email: "sales@alpha.test",
        password: TEST_PASSWORD,
        redirectTo,
      });
      expect(res.headers.get("location")).toBe("/dashboard");
    }
  );
});

/** A fresh session of `email`, as a Cookie header pair. */
async function sessionCookie(email: string) {
  const res = await new Client(server.url).signIn(email, TEST_PASSWORD);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith("pp_session="))!
    .split(";")[0];
}
