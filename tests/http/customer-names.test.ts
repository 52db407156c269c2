// Two partners on one customer domain, through real HTTP against the built server: partner A
// registers first (so the shared customer record carries A's wording), partner B registers the
// same domains later. Every page, route-data payload (`.data`, Remix's single fetch), CSV, PDF
// and email B receives uses the name B typed, and A's typed names appear nowhere in them.
// Staff see both, labelled.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorOf } from "../../app/domain/audit.server";
import { approveRegistration, markWon, registerDeal, rejectRegistration } from "../../app/domain/deals.server";
import { lastCompletedPeriod, periodStart } from "../../app/domain/periods";
import { listOutbox, type OutboxEntry } from "../../app/mailer.server";
import { createCustomer, createDeal, createTouch, registrationInput } from "../../db/factories";
import { customers, partners } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";
import { pdfText } from "../support/pdf";

const DAY = 86_400_000;
/** Every name partner A types contains this word; B's never does. */
const A_WORD = "Codename";

let server: TestServer;
let world: World;
let beta: Client;
let manager: Client;
let admin: Client;
const period = lastCompletedPeriod(new Date());
const at = (days: number) => new Date(periodStart(period).getTime() + days * DAY);
const ids = { open: 0, won: 0, legacy: 0, influenced: 0 };

/** Where A's word appears in `text` (a short excerpt), or null: keeps failures readable. */
function leak(text: string): string | null {
  const i = text.indexOf(A_WORD);
  return i < 0 ? null : text.slice(Math.max(0, i - 100), i + 60);
}

function expectContains(text: string, part: string, where: string) {
  expect(text.includes(part), `${where} should contain "${part}"`).toBe(true);
}

function betaEmails(): OutboxEntry[] {
  return listOutbox(server.outboxDir, Infinity).filter((m) => m.to.some((to) => to.endsWith("@beta.test")));
}

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const db = server.db;
  const a = { userId: world.userA.id, partnerId: world.partnerA.id, actor: actorOf(world.userA) };
  const b = { userId: world.adminB.id, partnerId: world.partnerB.id, actor: actorOf(world.adminB) };
  const staff = actorOf(world.manager);
  const registered = (r: ReturnType<typeof registerDeal>) => {
    if (r.status !== "registered") throw new Error(`not registered: ${JSON.stringify(r)}`);
    return r.dealId;
  };
  const note = { conflictNote: "We have been talking to them since the spring." };

  // 1. An open registration: A registers, B registers later (flagged), A's is rejected; B's is
  //    approved over HTTP below, which sends B the approval email.
  const a1 = registered(registerDeal(db, a, registrationInput("shared-open.test", { companyName: `${A_WORD} Alpha Open Corp` }), at(1)));
  ids.open = registered(registerDeal(db, b, registrationInput("shared-open.test", { companyName: "Beta Open Typed Ltd", ...note }), at(2)));
  rejectRegistration(db, staff, a1, "Duplicate of a direct opportunity.", at(3));

  // 2. A won deal: the same, approved and then marked won over HTTP (the won email).
  const a2 = registered(registerDeal(db, a, registrationInput("shared-won.test", { companyName: `${A_WORD} Alpha Won Corp` }), at(1)));
  rejectRegistration(db, staff, a2, "Duplicate of a direct opportunity.", at(2));
  ids.won = registered(
    registerDeal(db, b, registrationInput("shared-won.test", { companyName: "Beta Won Typed Ltd", productLine: "Analytics" }), at(3)),
  );
  approveRegistration(db, staff, ids.won, at(4));

  // 3. A deal from before deals kept the typed name (customer_name is empty); the customer
  //    record was typed by A.
  const legacyCustomer = createCustomer(db, { name: `${A_WORD} Alpha Legacy Corp`, domain: "shared-legacy.test" });
  createDeal(db, { customerId: legacyCustomer.id, partnerId: world.partnerA.id, stage: "rejected", submittedAt: at(1), decidedAt: at(2) });
  ids.legacy = createDeal(db, {
    customerId: legacyCustomer.id,
    partnerId: world.partnerB.id,
    submittedBy: world.adminB.id,
    title: "Beta Legacy Typed Ltd — Platform",
    productLine: "Platform",
    stage: "submitted",
    submittedAt: at(5),
  }).id;

  // 4. A's won deal that B only influenced (a touch of B's): B's attribution and report list it.
  ids.influenced = registered(
    registerDeal(db, a, registrationInput("shared-influenced.test", { companyName: `${A_WORD} Alpha Influenced Corp` }), at(1)),
  );
  approveRegistration(db, staff, ids.influenced, at(2));
  createTouch(db, { dealId: ids.influenced, partnerId: world.partnerB.id, occurredAt: at(5), kind: "co_sell_meeting" });
  markWon(db, staff, ids.influenced, 3_000_000, at(12));

  // B reads its report in the email body.
  db.update(partners).set({ reportFormat: "email" }).where(eq(partners.id, world.partnerB.id)).run();

  beta = new Client(server.url);
  await beta.signIn(world.adminB.email, TEST_PASSWORD);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);

  const approve = await manager.post(`/internal/registrations/${ids.open}`, { intent: "approve" });
  expect(approve.status).toBe(200);
  expectContains(await approve.text(), "The partner was emailed.", "approve");
  const won = await manager.post(`/internal/registrations/${ids.won}`, {
    intent: "won",
    amount: "52000",
    closedOn: at(10).toISOString().slice(0, 10),
  });
  expect(won.status).toBe(200);
  expectContains(await won.text(), "The partner was emailed.", "won");
  const send = await admin.post("/internal/reports", { intent: "send", period });
  expect(send.status).toBe(302);
  await send.arrayBuffer();
}, 120_000);

afterAll(() => server.close());

describe("the shared customer records", () => {
  it("carry partner A's wording (so a leak would show)", () => {
    const names = server.db.select({ name: customers.name }).from(customers).all().map((c) => c.name);
    expect(names.filter((n) => n.includes(A_WORD))).toHaveLength(4);
  });
});

describe("what partner B sees", () => {
  const pages = () => [
    "/dashboard",
    "/deals",
    `/deals?q=${encodeURIComponent("Typed")}`,
    `/deals/${ids.open}`,
    `/deals/${ids.won}`,
    `/deals/${ids.legacy}`,
    "/attribution",
    `/attribution?kind=month&month=${period}`,
    "/tier",
    "/reports",
    `/reports/${period}`,
  ];

  it("pages and their route data carry B's typed names, never A's", async () => {
    const leaks: string[] = [];
    for (const page of pages()) {
      const [pathname, search = ""] = page.split("?");
      for (const url of [page, `${pathname}.data${search ? `?${search}` : ""}`]) {
        const res = await beta.get(url);
        expect(res.status, url).toBe(200);
        const found = leak(await res.text());
        if (found) leaks.push(`${url}: …${found}…`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("shows its own typed name on its deals, list and report", async () => {
    const list = await (await beta.get("/deals.data")).text();
    for (const name of ["Beta Open Typed Ltd", "Beta Won Typed Ltd", "Beta Legacy Typed Ltd"]) expectContains(list, name, "/deals.data");
    expectContains(await (await beta.get(`/deals/${ids.legacy}`)).text(), "Beta Legacy Typed Ltd", "legacy deal page");
    const report = await (await beta.get(`/reports/${period}.data`)).text();
    expectContains(report, "Beta Open Typed Ltd", "report data");
    expectContains(report, "Beta Legacy Typed Ltd", "report data");
    expectContains(report, "Beta Won Typed Ltd", "report data");
    // The deal B only influenced gives it nothing under Sourced: the report counts it in a
    // sentence and the Attribution page's $0 switch lists it, named by its domain, not A's words.
    expect(report.includes("shared-influenced.test")).toBe(false);
    const zero = await (await beta.get(`/attribution.data?kind=month&month=${period}&zero=show`)).text();
    expectContains(zero, "shared-influenced.test", "attribution data with the $0 switch");
    expect(leak(zero)).toBeNull();
  });

  it("the CSV export and the report PDF carry B's typed names only", async () => {
    const csv = await beta.get("/deals.csv");
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expectContains(text, "Beta Open Typed Ltd", "CSV");
    expectContains(text, "Beta Legacy Typed Ltd", "CSV");
    expect(leak(text)).toBeNull();
    const pdf = await beta.get(`/reports/${period}.pdf`);
    expect(pdf.status).toBe(200);
    const pdfContent = await pdfText(pdf);
    expectContains(pdfContent, "Beta Won Typed Ltd", "PDF");
    expect(leak(pdfContent)).toBeNull();
  });

  it("searching its deals matches the name B typed, not the customer record's", async () => {
    const byA = await (await beta.get(`/deals.data?q=${A_WORD}`)).text();
    expect(byA.includes("Beta Open Typed Ltd")).toBe(false);
    expect(byA.includes("Beta Legacy Typed Ltd")).toBe(false);
    const byB = await (await beta.get("/deals.data?q=Legacy%20Typed")).text();
    expectContains(byB, "Beta Legacy Typed Ltd", "search by B's name");
  });

  it("its emails (approval, won, monthly report) carry B's typed names, never A's", async () => {
    const report = await waitFor("B's monthly report email", () => betaEmails().find((m) => /report/i.test(m.subject)));
    const approval = betaEmails().find((m) => m.subject.startsWith("Approved:"));
    const won = betaEmails().find((m) => m.subject.startsWith("Won:"));
    expect(approval, "approval email").toBeDefined();
    expect(won, "won email").toBeDefined();
    expectContains(`${approval!.subject} ${approval!.text} ${approval!.html}`, "Beta Open Typed Ltd", "approval email");
    expectContains(report.text, "Beta Agency", "report email");
    for (const m of betaEmails()) {
      expect(leak(`${m.subject}\n${m.text}\n${m.html}`), m.subject).toBeNull();
    }
  });
});

describe("what the partner team sees", () => {
  it("shows the customer record and the name the partner typed, labelled", async () => {
    const page = await (await manager.get(`/internal/registrations/${ids.legacy}`)).text();
    expectContains(page, `Customer record: ${A_WORD} Alpha Legacy Corp`, "staff page");
    expectContains(page, "typed by partner: Beta Legacy Typed Ltd", "staff page");
  });
});
