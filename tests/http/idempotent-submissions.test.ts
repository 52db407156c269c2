// Idempotent submissions (issue 13, item 2), through the real built server: the public
// application form submitted twice at once creates one application, one confirmation email,
// and on approval one partner whose admin invitation signs the admin up; a second application
// for the same domain is refused with a message; a double-submitted deal form creates one deal,
// the activity form on a deal one activity, Save with a new tier one tier, and each invite form
// one invitation.
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOutbox } from "../../app/mailer.server";
import { createDeal } from "../../db/factories";
import { deals, growthPlays, invitations, partnerApplications, partners, programSettings, tiers, touches, users } from "../../db/schema";
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

/** The hidden per-render token of the form on `pathname`. */
async function formToken(client: Client, pathname: string) {
  const res = await client.get(pathname);
  expect(res.status).toBe(200);
  const token = /name="idempotencyToken" value="([^"]+)"/.exec(await res.text())?.[1];
  expect(token, `no idempotency token on ${pathname}`).toBeTruthy();
  return token!;
}

const decode = (html: string) => html.replace(/<!-- -->/g, "").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

const application = (overrides: Record<string, string> = {}) => ({
  companyName: "Twice Clicked Ltd",
  website: "https://www.twice-clicked.example/about",
  kind: "reseller",
  region: "EMEA",
  contactName: "Tess Twice",
  contactEmail: "tess@twice-clicked.example",
  message: "We resell to mid-market retailers.",
  ...overrides,
});

const mailTo = (address: string) => listOutbox(server.outboxDir, Infinity).filter((m) => m.to.includes(address));

describe("the public application form submitted twice", () => {
  it("creates one application and sends one confirmation when both POSTs arrive at once", async () => {
    const anon = new Client(server.url);
    const idempotencyToken = await formToken(anon, "/apply");
    const [a, b] = await Promise.all([
      anon.post("/apply", { ...application(), idempotencyToken }),
      anon.post("/apply", { ...application(), idempotencyToken }),
    ]);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect([a.headers.get("location"), b.headers.get("location")]).toEqual(["/apply?submitted=1", "/apply?submitted=1"]);
    const rows = server.db
      .select()
      .from(partnerApplications)
      .where(eq(partnerApplications.website, "twice-clicked.example"))
      .all();
    expect(rows).toHaveLength(1);
    expect(mailTo("tess@twice-clicked.example")).toHaveLength(1);
  });

  it("refuses a second application for the same domain (another page, another token) with a message", async () => {
    const other = new Client(server.url);
    const idempotencyToken = await formToken(other, "/apply");
    const res = await other.post("/apply", {
      ...application({ contactEmail: "someone.else@twice-clicked.example", contactName: "Sid Else" }),
      idempotencyToken,
    });
    expect(res.status).toBe(409);
    expect(decode(await res.text())).toContain(
      "An application for twice-clicked.example is already being reviewed — we'll email you.",
    );
    // Same contact, another domain: refused as well.
    const again = await other.post("/apply", {
      ...application({ website: "twice-clicked-two.example" }),
      idempotencyToken: await formToken(other, "/apply"),
    });
    expect(again.status).toBe(409);
    expect(server.db.select().from(partnerApplications).all()).toHaveLength(1);
    expect(mailTo("someone.else@twice-clicked.example")).toHaveLength(0);
  });

  it("shows staff possible duplicates, and approving creates one partner whose invitation signs the admin up", async () => {
    // An existing partner with a similar name: staff see it on the application.
    const staff = new Client(server.url);
    await staff.signIn(world.manager.email, TEST_PASSWORD);
    server.db.update(partners).set({ name: "Twice Clicked" }).where(eq(partners.id, world.partnerB.id)).run();
    const page = decode(await (await staff.get("/internal/applications")).text());
    expect(page).toContain("Possible duplicates");
    expect(page).toMatch(/Twice Clicked<\/a> \(Active\): similar name/);

    const [row] = server.db.select().from(partnerApplications).all();
    const [first, second] = await Promise.all([
      staff.post("/internal/applications", { intent: "approve", applicationId: String(row!.id) }),
      staff.post("/internal/applications", { intent: "approve", applicationId: String(row!.id) }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    expect(server.db.select().from(partners).where(eq(partners.name, "Twice Clicked Ltd")).all()).toHaveLength(1);

    const invitation = mailTo("tess@twice-clicked.example").find((m) => /\/invite\//.test(m.text));
    const link = /\/invite\/[A-Za-z0-9_-]+/.exec(invitation!.text)![0];
    const tess = new Client(server.url);
    expect((await tess.get(link)).status).toBe(200);
    const accepted = await tess.post(link, {
      name: "Tess Twice",
      password: "a-long-partner-password-42",
      confirmPassword: "a-long-partner-password-42",
    });
    expect(accepted.status, await accepted.clone().text()).toBe(302);
    expect(accepted.headers.get("location")).toBe("/dashboard");
    expect(tess.hasSession()).toBe(true);
    const admin = server.db.select().from(users).where(eq(users.email, "tess@twice-clicked.example")).get();
    expect(admin).toMatchObject({ role: "partner_admin" });
    expect((await tess.get("/dashboard")).status).toBe(200);
  });
});

describe("the deal registration form submitted twice", () => {
  it("creates one deal and sends both submissions to it", async () => {
    const sales = new Client(server.url);
    await sales.signIn(world.userA.email, TEST_PASSWORD);
    const idempotencyToken = await formToken(sales, "/deals/new");
    const close = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const form = {
      companyName: "Double Deal Inc",
      website: "double-deal.example",
      contactName: "Dana Double",
      contactEmail: "dana@double-deal.example",
      amount: "25000",
      currency: "USD",
      expectedCloseOn: close,
      productLine: "Platform",
      // A note so that even the "already registered by you" check would let a repeat through.
      acknowledgeConflict: "1",
      conflictNote: "Submitted twice by a double click.",
      idempotencyToken,
    };
    const [a, b] = await Promise.all([sales.post("/deals/new", form), sales.post("/deals/new", form)]);
    expect([a.status, b.status], await a.clone().text()).toEqual([302, 302]);
    expect(a.headers.get("location")).toMatch(/^\/deals\/\d+\?notice=registered$/);
    expect(b.headers.get("location")).toBe(a.headers.get("location"));
    expect(server.db.select().from(deals).where(like(deals.title, "Double Deal Inc%")).all()).toHaveLength(1);

    // A later retry of the same page (same token) still goes to that deal and creates nothing.
    const retry = await sales.post("/deals/new", form);
    expect(retry.headers.get("location")).toBe(a.headers.get("location"));
    expect(server.db.select().from(deals).where(like(deals.title, "Double Deal Inc%")).all()).toHaveLength(1);
  });

  it("refuses a token that is not one of ours with a message saying what to do", async () => {
    const sales = new Client(server.url);
    await sales.signIn(world.userA.email, TEST_PASSWORD);
    const res = await sales.post("/deals/new", {
      companyName: "Odd Token Co",
      website: "odd-token.example",
      contactName: "Olly Odd",
      contactEmail: "olly@odd-token.example",
      amount: "1000",
      currency: "USD",
      expectedCloseOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      productLine: "Platform",
      idempotencyToken: "<script>",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This form is out of date: reload the page and submit it again.");
  });
});

describe("the invite form submitted twice", () => {
  it("creates one invitation and sends one email", async () => {
    const admin = new Client(server.url);
    await admin.signIn(world.adminA.email, TEST_PASSWORD);
    const idempotencyToken = await formToken(admin, "/team");
    const form = { intent: "invite", name: "Ivy Twice", email: "ivy@alpha.test", role: "partner_user", idempotencyToken };
    const [a, b] = await Promise.all([admin.post("/team", form), admin.post("/team", form)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const open = server.db.select().from(invitations).where(eq(invitations.email, "ivy@alpha.test")).all();
    expect(open).toHaveLength(1);
    expect(open[0]!.revokedAt).toBeNull();
    expect(mailTo("ivy@alpha.test")).toHaveLength(1);
  });
});

describe("the activity form on a partner's deal submitted twice", () => {
  it("logs one activity and sends both submissions back to the deal", async () => {
    const deal = createDeal(server.db, { partnerId: world.partnerA.id, stage: "approved" });
    const sales = new Client(server.url);
    await sales.signIn(world.userA.email, TEST_PASSWORD);
    const idempotencyToken = await formToken(sales, `/deals/${deal.id}`);
    const before = server.db.select().from(touches).where(eq(touches.dealId, deal.id)).all().length;
    const form = {
      kind: "co_sell_meeting",
      pillar: "sell",
      journeyStage: "consideration",
      occurredOn: new Date().toISOString().slice(0, 10),
      note: "Demo given twice by a double click.",
      idempotencyToken,
    };
    const [a, b] = await Promise.all([sales.post(`/deals/${deal.id}`, form), sales.post(`/deals/${deal.id}`, form)]);
    expect([a.status, b.status], await a.clone().text()).toEqual([302, 302]);
    expect([a.headers.get("location"), b.headers.get("location")]).toEqual([
      `/deals/${deal.id}?notice=touch`,
      `/deals/${deal.id}?notice=touch`,
    ]);
    const logged = server.db.select().from(touches).where(eq(touches.dealId, deal.id)).all();
    expect(logged).toHaveLength(before + 1);
    expect(logged.filter((t) => t.note === "Demo given twice by a double click.")).toHaveLength(1);

    // A fresh render of the page is another activity.
    const again = await sales.post(`/deals/${deal.id}`, { ...form, idempotencyToken: await formToken(sales, `/deals/${deal.id}`) });
    expect(again.status).toBe(302);
    expect(server.db.select().from(touches).where(eq(touches.dealId, deal.id)).all()).toHaveLength(before + 2);
  });
});

describe("adding a tier in settings submitted twice", () => {
  it("adds one tier", async () => {
    const admin = new Client(server.url);
    await admin.signIn(world.admin.email, TEST_PASSWORD);
    const idempotencyToken = await formToken(admin, "/internal/settings");
    const s = server.db.select().from(programSettings).get();
    const ladder = server.db.select().from(tiers).all().sort((x, y) => x.rank - y.rank);
    const top = ladder[ladder.length - 1]!;
    const form: Record<string, string> = {
      intent: "confirm-save",
      reason: "A tier above the top one.",
      programName: s?.programName ?? "Partner Program",
      attributionModel: s?.attributionModel ?? "sourced",
      protectionDays: String(s?.protectionDays ?? 90),
      paperSize: s?.paperSize ?? "A4",
      idempotencyToken,
    };
    const rows = [
      ...ladder.map((t) => ({
        id: String(t.id),
        name: t.name,
        rank: String(t.rank),
        minRevenue: String(t.minRevenueCents / 100),
        minWonDeals: String(t.minWonDeals),
        minWinRate: t.minWinRateBp === null ? "" : String(t.minWinRateBp / 100),
        thresholdRule: t.thresholdRule,
        benefits: t.benefits,
      })),
      {
        name: "Double Diamond",
        rank: String(top.rank + 10),
        minRevenue: String(top.minRevenueCents / 100 + 1_000_000),
        minWonDeals: String(top.minWonDeals + 50),
        minWinRate: "",
        thresholdRule: "all",
        benefits: "Added by a double click.",
      },
    ];
    rows.forEach((row, i) => {
      for (const [field, value] of Object.entries(row)) form[`tiers[${i}].${field}`] = value;
    });
    const [a, b] = await Promise.all([admin.post("/internal/settings", form), admin.post("/internal/settings", form)]);
    expect([a.status, b.status], await a.clone().text()).toEqual([200, 200]);
    expect(server.db.select().from(tiers).where(eq(tiers.name, "Double Diamond")).all()).toHaveLength(1);
    expect(server.db.select().from(tiers).all()).toHaveLength(ladder.length + 1);
  });
});

describe("the invite form on a partner's staff page submitted twice", () => {
  it("creates one invitation and sends one email", async () => {
    const staff = new Client(server.url);
    await staff.signIn(world.manager.email, TEST_PASSWORD);
    const idempotencyToken = await formToken(staff, "/internal/partners/alpha");
    const form = { intent: "invite", name: "Paz Twice", email: "paz@alpha.test", role: "partner_user", idempotencyToken };
    const [a, b] = await Promise.all([
      staff.post("/internal/partners/alpha", form),
      staff.post("/internal/partners/alpha", form),
    ]);
    expect([a.status, b.status], await a.clone().text()).toEqual([200, 200]);
    const open = server.db.select().from(invitations).where(eq(invitations.email, "paz@alpha.test")).all();
    expect(open).toHaveLength(1);
    expect(open[0]!.revokedAt).toBeNull();
    expect(mailTo("paz@alpha.test")).toHaveLength(1);
  });
});

describe("the growth play form on the ecosystem page submitted twice", () => {
  it("records one growth play", async () => {
    const staff = new Client(server.url);
    await staff.signIn(world.manager.email, TEST_PASSWORD);
    // The form a row's "Record growth play" link opens (?play=<partner id>), on the first row.
    const list = await staff.get("/internal/ecosystem");
    const partnerId = /href="\/internal\/ecosystem\?play=(\d+)"/.exec(await list.text())?.[1];
    expect(partnerId, "no growth-play link on the ecosystem page").toBeTruthy();
    const idempotencyToken = await formToken(staff, `/internal/ecosystem?play=${partnerId}`);
    const form = {
      intent: "play",
      partnerId: partnerId!,
      flag: "other",
      ownerId: world.manager.id,
      nextAction: "Call Beta about a joint webinar.",
      status: "open",
      idempotencyToken,
    };
    const [a, b] = await Promise.all([staff.post("/internal/ecosystem", form), staff.post("/internal/ecosystem", form)]);
    expect([a.status, b.status], await a.clone().text()).toEqual([200, 200]);
    const plays = server.db.select().from(growthPlays).where(eq(growthPlays.nextAction, form.nextAction)).all();
    expect(plays).toHaveLength(1);
  });
});
