// MDF through the real server: a partner admin requests, the manager approves, the claim's
// proof files are checked by their bytes and size, stored under the data folder, downloadable
// by that partner and staff only; the manager approves the claim and the partner is emailed.
import { eq } from "drizzle-orm";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOutbox } from "../../app/mailer.server";
import { proofFolder } from "../../app/domain/mdf.server";
import { mdfProofFiles, mdfRequests, partners, tiers } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
const c = {} as Record<"adminA" | "adminB" | "manager", Client>;
const PDF = "%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const gold = server.db.select().from(tiers).where(eq(tiers.name, "Gold")).get()!;
  server.db.update(partners).set({ tierId: gold.id }).where(eq(partners.id, world.partnerA.id)).run();
  for (const [who, email] of [["adminA", world.adminA.email], ["adminB", world.adminB.email], ["manager", world.manager.email]] as const) {
    c[who] = new Client(server.url);
    await c[who].signIn(email, TEST_PASSWORD);
  }
});
afterAll(() => server.close());

const claimForm = (file: Blob, name: string) => {
  const form = new FormData();
  form.set("amount", "900");
  form.set("leads", "25");
  form.set("results", "Webinar with 80 attendees");
  form.append("proof", file, name);
  return form;
};

describe("MDF over HTTP", () => {
  it("runs request → approval → claim with proof → payment, keeping files to the partner and staff", async () => {
    const planned = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const requested = await c.adminA.post("/mdf", { activityType: "market", title: "Joint webinar", plannedOn: planned, amount: "1000", expectedOutcome: "40 leads" });
    expect(requested.status).toBe(302);
    const id = Number(/\/mdf\/(\d+)/.exec(requested.headers.get("location")!)![1]);

    // Over the allowance: a 400 that says how much is left.
    const tooMuch = await c.adminA.post("/mdf", { activityType: "market", title: "Big event", plannedOn: planned, amount: "1000000", expectedOutcome: "x" });
    expect(tooMuch.status).toBe(400);
    expect(await tooMuch.text()).toMatch(/allowance for \d{4}-Q\d has 25,000.00 left/);

    expect((await c.manager.post(`/internal/mdf/${id}`, { intent: "approve" })).status).toBe(200);
    expect(listOutbox(server.outboxDir).map((m) => m.subject)).toContain("MDF approved: Joint webinar");

    // (Other test files' servers share the temporary folder, so compare with what was there.)
    const storedFiles = () => (fs.existsSync(proofFolder(server.db.$client.name)) ? fs.readdirSync(proofFolder(server.db.$client.name)).sort() : []);
    const filesBefore = storedFiles();
    // Partner B cannot claim A's request.
    expect((await c.adminB.postMultipart(`/mdf/${id}`, claimForm(new Blob([PDF]), "proof.pdf"))).status).toBe(404);
    // An HTML page named .pdf is refused by its bytes; nothing is stored.
    const fake = await c.adminA.postMultipart(`/mdf/${id}`, claimForm(new Blob(["<html><script>alert(1)</script>"]), "invoice.pdf"));
    expect(fake.status).toBe(400);
    expect(await fake.text()).toContain("is not a PDF, PNG or JPEG file");
    // Over 10 MB: 413 with what to do.
    const big = await c.adminA.postMultipart(`/mdf/${id}`, claimForm(new Blob([PDF, new Uint8Array(10 * 1024 * 1024)]), "big.pdf"));
    expect(big.status).toBe(413);
    expect(storedFiles()).toEqual(filesBefore);

    const claimed = await c.adminA.postMultipart(`/mdf/${id}`, claimForm(new Blob([PDF]), "invoice.pdf"));
    expect(claimed.status).toBe(200);
    expect(storedFiles()).toHaveLength(filesBefore.length + 1);
    const page = await (await c.adminA.get(`/mdf/${id}`)).text();
    const fileId = Number(new RegExp(`/mdf/${id}/proof/(\\d+)`).exec(page)![1]);

    const own = await c.adminA.get(`/mdf/${id}/proof/${fileId}`);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("application/pdf");
    expect(own.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(await own.text()).toBe(PDF);
    expect((await c.adminB.get(`/mdf/${id}/proof/${fileId}`)).status).toBe(404);
    expect((await c.manager.get(`/internal/mdf/${id}/proof/${fileId}`)).status).toBe(200);

    const paid = await c.manager.post(`/internal/mdf/${id}`, { intent: "pay" });
    expect(await paid.text()).toContain("Claim approved for payment.");
    expect(server.db.select().from(mdfRequests).where(eq(mdfRequests.id, id)).get()).toMatchObject({ status: "paid", paidCents: 90_000 });
    expect(listOutbox(server.outboxDir).map((m) => m.subject)).toContain("MDF claim approved: Joint webinar");
    // The partner's page shows the balance: $900 used of $25,000.
    const after = await (await c.adminA.get("/mdf")).text();
    expect(after).toContain("$24,100");
  });
});

/** The hidden per-render token of the form on `pathname`. */
async function formToken(client: Client, pathname: string) {
  const res = await client.get(pathname);
  expect(res.status).toBe(200);
  const token = /name="idempotencyToken" value="([^"]+)"/.exec(await res.text())?.[1];
  expect(token, `no idempotency token on ${pathname}`).toBeTruthy();
  return token!;
}

const decode = (html: string) => html.replace(/<!-- -->/g, "").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

describe("MDF forms submitted twice, and a claim returned for changes", () => {
  it("requests, decides, claims and returns once per form render; the second answer is the first", async () => {
    const planned = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
    const count = () => server.db.select().from(mdfRequests).where(eq(mdfRequests.title, "Twice-clicked roadshow")).all();
    const request = { activityType: "sell", title: "Twice-clicked roadshow", plannedOn: planned, amount: "700", expectedOutcome: "10 meetings", idempotencyToken: await formToken(c.adminA, "/mdf") };
    const [a, b] = await Promise.all([c.adminA.post("/mdf", request), c.adminA.post("/mdf", request)]);
    expect([a.status, b.status]).toEqual([302, 302]);
    expect(b.headers.get("location")).toBe(a.headers.get("location"));
    expect(count()).toHaveLength(1);
    const id = count()[0]!.id;

    // The manager's approval clicked twice: one decision, one email, the same answer.
    const decide = { intent: "approve", idempotencyToken: await formToken(c.manager, `/internal/mdf/${id}`) };
    const [d1, d2] = await Promise.all([c.manager.post(`/internal/mdf/${id}`, decide), c.manager.post(`/internal/mdf/${id}`, decide)]);
    expect([d1.status, d2.status]).toEqual([200, 200]);
    expect(decode(await d2.text())).toContain("Request approved. The partner's admins were emailed.");
    expect(listOutbox(server.outboxDir, Infinity).filter((m) => m.subject === "MDF approved: Twice-clicked roadshow")).toHaveLength(1);

    // The claim posted twice with one token: one claim, one stored file, both answered 200.
    const claimToken = await formToken(c.adminA, `/mdf/${id}`);
    const claim = () => {
      const form = claimForm(new Blob([PDF]), "roadshow.pdf");
      form.set("amount", "650");
      form.set("idempotencyToken", claimToken);
      return c.adminA.postMultipart(`/mdf/${id}`, form);
    };
    const [k1, k2] = await Promise.all([claim(), claim()]);
    expect([k1.status, k2.status]).toEqual([200, 200]);
    expect(server.db.select().from(mdfProofFiles).where(eq(mdfProofFiles.requestId, id)).all()).toHaveLength(1);

    // Return without a reason: a 400 that says what to write; nothing changes.
    const noReason = await c.manager.post(`/internal/mdf/${id}`, { intent: "return", reason: " ", idempotencyToken: await formToken(c.manager, `/internal/mdf/${id}`) });
    expect(noReason.status).toBe(400);
    expect(decode(await noReason.text())).toContain("Give the partner a reason for returning the claim.");
    // Partner B cannot see the request, let alone the reason.
    expect((await c.adminB.get(`/mdf/${id}`)).status).toBe(404);

    const back = { intent: "return", reason: "The venue invoice is missing.", idempotencyToken: await formToken(c.manager, `/internal/mdf/${id}`) };
    const [r1, r2] = await Promise.all([c.manager.post(`/internal/mdf/${id}`, back), c.manager.post(`/internal/mdf/${id}`, back)]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(decode(await r2.text())).toContain("Claim returned for changes: the partner can claim again with new proof.");
    expect(server.db.select().from(mdfRequests).where(eq(mdfRequests.id, id)).get()).toMatchObject({ status: "approved", claimedCents: null, claimReturnReason: "The venue invoice is missing." });
    const mails = listOutbox(server.outboxDir, Infinity).filter((m) => m.subject === "MDF claim returned for changes: Twice-clicked roadshow");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toContain(world.adminA.email);
    expect(mails[0]!.text).toContain("The venue invoice is missing.");

    // The partner sees the reason and the claim form again, and claims with new proof.
    const page = decode(await (await c.adminA.get(`/mdf/${id}`)).text());
    expect(page).toContain("Your claim was returned for changes: The venue invoice is missing.");
    expect(page).toContain('aria-label="Claim the funds"');
    const again = claimForm(new Blob([PDF]), "venue-invoice.pdf");
    again.set("idempotencyToken", await formToken(c.adminA, `/mdf/${id}`));
    again.set("amount", "650");
    expect((await c.adminA.postMultipart(`/mdf/${id}`, again)).status).toBe(200);
    expect(server.db.select().from(mdfRequests).where(eq(mdfRequests.id, id)).get()).toMatchObject({ status: "claimed", claimedCents: 65_000, claimReturnReason: null });
  });
});
