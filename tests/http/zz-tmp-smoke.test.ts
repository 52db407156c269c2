import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { deals } from "../../db/schema";
import { listOutbox } from "../../app/mailer.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let staff: Client;
beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  staff = new Client(server.url);
  await staff.signIn("manager@world.test", TEST_PASSWORD);
});
afterAll(() => server.close());

const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);

async function multipart(client: Client, path: string, fields: Record<string, string | File>, headers: Record<string, string> = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: (client as any).cookieHeader(), origin: server.url, ...headers },
    body: fd,
  });
}

describe("smoke", () => {
  it("queue + detail + decisions", async () => {
    const db = server.db;
    const clean = createDeal(db, { partnerId: world.partnerA.id, submittedBy: world.userA.id, stage: "submitted", title: "Clean Deal X", submittedAt: new Date(Date.now() - 5 * 86400000) });
    const holder = createDeal(db, { partnerId: world.partnerB.id, stage: "approved" });
    const contested = createDeal(db, { partnerId: world.partnerA.id, customerId: holder.customerId, stage: "submitted", title: "Contested Deal Y" });
    let res = await staff.get("/internal/registrations");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Clean Deal X");
    expect(html).toContain("Contested Deal Y");
    expect(html).toContain("Claimed by Beta Agency");
    expect(html).toContain('badge warn');
    expect(html).toContain(`/internal/partners/alpha`);

    const partnerClient = new Client(server.url);
    await partnerClient.signIn("sales@alpha.test", TEST_PASSWORD);
    expect((await partnerClient.get("/internal/registrations")).status).toBe(403);
    expect((await partnerClient.get(`/internal/registrations/${clean.id}`)).status).toBe(403);

    res = await staff.post("/internal/registrations", { intent: "bulk-approve" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Select at least one registration");

    res = await staff.post("/internal/registrations", { intent: "bulk-approve", dealId: String(clean.id) });
    let body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain(`Approved 1 registration`);
    const params = new URLSearchParams([["intent", "bulk-approve"], ["dealId", String(contested.id)], ["dealId", String(clean.id)]]);
    res = await fetch(server.url + "/internal/registrations", { method: "POST", redirect: "manual", headers: { cookie: (staff as any).cookieHeader(), origin: server.url, "content-type": "application/x-www-form-urlencoded" }, body: params.toString() });
    body = await res.text();
    expect(body).toContain("Skipped 2 registrations");
    expect(body).toContain("it is already approved.");
    expect(body).toContain("it has conflicts now");

    expect((await staff.get("/internal/registrations/999999")).status).toBe(404);
    expect((await staff.get("/internal/registrations/abc")).status).toBe(404);
    res = await staff.get(`/internal/registrations/${contested.id}`);
    body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Beta Agency");
    expect(body).toContain(`/internal/partners/beta`);
    expect(body).toContain("Audit trail");

    res = await staff.post(`/internal/registrations/${contested.id}`, { intent: "approve" });
    body = await res.text();
    expect(res.status).toBe(409);
    expect(body).toContain("holds this account");

    res = await staff.post(`/internal/registrations/${contested.id}`, { intent: "reject", reason: "short" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("at least 10 characters");
    res = await staff.post(`/internal/registrations/${contested.id}`, { intent: "reject", reason: "Beta already holds this account." });
    body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Rejected. The partner was emailed.");

    res = await staff.post(`/internal/registrations/${clean.id}`, { intent: "won", amount: "12.345", closedOn: yesterday });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("at most 2 decimals");
    res = await staff.post(`/internal/registrations/${clean.id}`, { intent: "won", amount: "12,000.50", closedOn: "2099-01-01" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("cannot be in the future");
    res = await staff.post(`/internal/registrations/${clean.id}`, { intent: "won", amount: "12,000.50", closedOn: yesterday });
    body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Marked won");
    expect(db.select().from(deals).where(eq(deals.id, clean.id)).get()!.amountCents).toBe(1200050);
    res = await staff.get(`/internal/registrations/${clean.id}`);
    body = await res.text();
    expect(body).toContain("manager@world.test (partner_manager)");
    const subjects = listOutbox(server.outboxDir).map((m) => m.subject);
    console.log(subjects);
  });

  it("imports", async () => {
    const db = server.db;
    const c = createCustomer(db, { name: "Umbrella", domain: "umbrella.com" });
    const d = createDeal(db, { partnerId: world.partnerA.id, customerId: c.id, stage: "approved", submittedBy: world.adminA.id });
    let res = await staff.get("/internal/imports");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("deal_id,domain,stage,amount,close_date,reason");
    const csv = `deal_id,stage,amount,close_date\n${d.id},won,500,${yesterday}\n`;
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([csv], "out.csv", { type: "text/csv" }) });
    let body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Ready to import");
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([csv.replace("500", "-5")], "out.csv") });
    body = await res.text();
    expect(body).toContain("is negative");
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([csv], "out.txt") });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Choose a .csv file");
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([], "") });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Choose a .csv file to upload.");
    const big = "deal_id,stage\n" + "1,won\n".repeat(400_000);
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([big], "big.csv") });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("larger than 2 MB");
    const mid = "deal_id,stage\n" + "1,won\n".repeat(380_000); // ~2.2MB, below request cap
    res = await multipart(staff, "/internal/imports", { intent: "preview", kind: "outcomes", file: new File([mid], "mid.csv") });
    expect(res.status).toBe(413);
    res = await multipart(staff, "/internal/imports", { intent: "confirm", kind: "outcomes", csv: csv.replace(/\n/g, "\r\n") });
    body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("Imported 1 row");
    expect(body).toContain("Partners were emailed about 1 won deal");
    expect(db.select().from(deals).where(eq(deals.id, d.id)).get()!.stage).toBe("won");
    res = await multipart(staff, "/internal/imports", { intent: "confirm", kind: "mrr", csv: "domain,month,mrr\numbrella.com,2024-01,10\n" });
    body = await res.text();
    expect(body).toContain("Imported 1 MRR row");
    res = await multipart(staff, "/internal/imports", { intent: "confirm", kind: "mrr", csv: "domain,month,mrr\nnope.com,2024-01,10\n" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("No customer has the domain nope.com");
    console.log(listOutbox(server.outboxDir).map((m) => m.subject));
  });
});
