// The CSV imports page through the real built server: the preview says what each row changes,
// a file that changes nothing has no confirm button and a forced confirm is a 400 that writes
// nothing, and the templates download as CSV files the preview accepts as they are.
import { count, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { auditEvents, customerMrr, deals } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

let server: TestServer;
let world: World;
let cookie: string;
let wonId: number;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const customer = createCustomer(server.db, { name: "Orbit Ltd", domain: "orbit-import.test" });
  const closedAt = new Date(`${day(-10)}T12:00:00Z`);
  wonId = createDeal(server.db, {
    customerId: customer.id,
    partnerId: world.partnerA.id,
    title: "Orbit rollout",
    stage: "won",
    amountCents: 4_000_000,
    submittedAt: new Date(closedAt.getTime() - 30 * DAY),
    closedAt,
  }).id;
  server.db.insert(customerMrr).values({ customerId: customer.id, month: "2024-05", mrrCents: 150_000 }).run();
  const res = await new Client(server.url).signIn(world.manager.email, TEST_PASSWORD);
  cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
});

afterAll(() => server.close());

function post(fields: Record<string, string>, file?: { name: string; text: string }) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set("file", new Blob([file.text], { type: "text/csv" }), file.name);
  return fetch(`${server.url}/internal/imports`, { method: "POST", redirect: "manual", headers: { cookie, origin: server.url }, body });
}
const text = async (res: Response) => (await res.text()).replace(/<!-- -->/g, "");
const importAudits = () => server.db.select({ n: count() }).from(auditEvents).where(like(auditEvents.action, "import.%")).get()!.n;

describe("the import preview", () => {
  it("says what a row with a different amount and close date changes", async () => {
    const csv = `deal_id,stage,amount,close_date\n${wonId},won,45000.00,${day(-8)}\n`;
    const res = await post({ intent: "preview", kind: "outcomes" }, { name: "outcomes.csv", text: csv });
    expect(res.status).toBe(200);
    const html = await text(res);
    expect(html).toContain(`Changes amount from $40,000 to $45,000; close date from ${day(-10)} to ${day(-8)}`);
    expect(html).not.toContain("Already so</span>");
    expect(html).toContain('aria-label="Confirm the import"');
  });

  it("says adds and changes MRR for MRR rows", async () => {
    const csv = "domain,month,mrr\norbit-import.test,2024-05,1600\norbit-import.test,2024-06,1700\n";
    const html = await text(await post({ intent: "preview", kind: "mrr" }, { name: "mrr.csv", text: csv }));
    expect(html).toContain("Changes MRR from $1,500 to $1,600");
    expect(html).toContain("Adds $1,700");
  });

  it("has no confirm button for a file that changes nothing, and refuses a forced confirm with 400", async () => {
    const csv = `deal_id,stage,amount,close_date\n${wonId},won,40000,${day(-10)}\n`;
    const html = await text(await post({ intent: "preview", kind: "outcomes" }, { name: "outcomes.csv", text: csv }));
    expect(html).toContain("Nothing to change: every row already matches the portal.");
    expect(html).toContain("Already so");
    expect(html).not.toContain('aria-label="Confirm the import"');

    const forced = await post({ intent: "confirm", kind: "outcomes", csv });
    expect(forced.status).toBe(400);
    const page = await text(forced);
    expect(page).toContain("Nothing to change: every row already matches the portal.");
    expect(page).not.toContain("Nothing was imported:");
    expect(importAudits()).toBe(0);
    expect(server.db.select().from(deals).where(eq(deals.id, wonId)).get()).toMatchObject({ amountCents: 4_000_000 });
  });
});

describe("the templates", () => {
  for (const kind of ["outcomes", "mrr"] as const) {
    it(`${kind}: a CSV download the preview accepts with no errors, linked from the page`, async () => {
      const res = await fetch(`${server.url}/internal/imports/${kind}-template.csv`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${kind}-template.csv"`);
      const csv = await res.text();
      expect(csv.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe(
        kind === "outcomes" ? "deal_id,domain,stage,amount,close_date,reason" : "domain,month,mrr",
      );
      expect(csv.split("\r\n").filter(Boolean).length).toBeGreaterThanOrEqual(2);
      const html = await text(await post({ intent: "preview", kind }, { name: `${kind}-template.csv`, text: csv }));
      expect(html).not.toContain("Has errors");
      expect(html).toContain("Nothing to change: every row already matches the portal.");

      const page = await text(await fetch(`${server.url}/internal/imports`, { headers: { cookie } }));
      expect(page).toContain(`href="/internal/imports/${kind}-template.csv"`);
    });
  }
});
