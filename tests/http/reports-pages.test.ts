// The partner's monthly reports through real HTTP against the built server: the PDF download
// is the session's partner's and nobody else's, a bad month is a 400, the partner team is
// refused on the partner side (and has its own ecosystem PDF), and a partner admin's delivery
// preferences only ever touch its own partner's users.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { partners, reportDeliveries, users } from "../../db/schema";
import { addMonths, lastCompletedPeriod, periodLabel, periodStart } from "../../app/domain/periods";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";
import { pdfText } from "../support/pdf";

const DAY = 86_400_000;

let server: TestServer;
let world: World;
let alpha: Client;
let alphaAdmin: Client;
let beta: Client;
let manager: Client;
const period = lastCompletedPeriod(new Date());
const future = addMonths(period, 2);

function wonLastMonth(partnerId: number, title: string, amountCents: number) {
  const closedAt = new Date(periodStart(period).getTime() + 9 * DAY);
  const customer = createCustomer(server.db, { name: `${title} Customer`, domain: `${title.toLowerCase().replace(/\W+/g, "-")}.test` });
  createDeal(server.db, {
    customerId: customer.id,
    partnerId,
    title,
    stage: "won",
    amountCents,
    submittedAt: new Date(closedAt.getTime() - 40 * DAY),
    decidedAt: new Date(closedAt.getTime() - 38 * DAY),
    closedAt,
  });
}

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  wonLastMonth(world.partnerA.id, "Alpha Orbit Deal", 4_200_000);
  wonLastMonth(world.partnerB.id, "Beta Secret Deal", 9_100_000);
  alpha = new Client(server.url);
  await alpha.signIn(world.userA.email, TEST_PASSWORD);
  alphaAdmin = new Client(server.url);
  await alphaAdmin.signIn(world.adminA.email, TEST_PASSWORD);
  beta = new Client(server.url);
  await beta.signIn(world.adminB.email, TEST_PASSWORD);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});

afterAll(() => server.close());

describe("the report PDF download", () => {
  it("gives partner A its own report as an uncached PDF attachment", async () => {
    const res = await alpha.get(`/reports/${period}.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="report-alpha-${period}.pdf"`);
    const text = await pdfText(res);
    expect(text).toContain("Alpha Resellers");
    expect(text).toContain(periodLabel(period));
    expect(text).toContain("Alpha Orbit Deal");
    expect(text).toContain("$42,000");
    expect(text).not.toContain("Beta");
    expect(text).not.toContain("$91,000");
  });

  it("gives partner B only B's report, whatever the URL says", async () => {
    for (const url of [
      `/reports/${period}.pdf`,
      `/reports/${period}.pdf?partner=alpha`,
      `/reports/${period}.pdf?partnerId=${world.partnerA.id}`,
    ]) {
      const res = await beta.get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-disposition")).toContain(`report-beta-${period}.pdf`);
      const text = await pdfText(res);
      expect(text).toContain("Beta Agency");
      expect(text).toContain("Beta Secret Deal");
      expect(text).not.toContain("Alpha");
      expect(text).not.toContain("$42,000");
    }
  });

  it("answers 400 for a month that is malformed or has not started", async () => {
    for (const bad of ["2025-13", "2025-1", "latest", "0999-01", future]) {
      const res = await alpha.get(`/reports/${bad}.pdf`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get("content-type") ?? "").not.toContain("application/pdf");
      await res.arrayBuffer();
    }
    const page = await alpha.get(`/reports/${future}`);
    expect(page.status).toBe(400);
    await page.arrayBuffer();
  });

  it("sends anonymous visitors to sign in and refuses the partner team", async () => {
    const anonymous = await new Client(server.url).get(`/reports/${period}.pdf`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    for (const url of [`/reports/${period}.pdf`, `/reports/${period}`, "/reports"]) {
      const res = await manager.get(url);
      expect(res.status, url).toBe(403);
      await res.arrayBuffer();
    }
  });
});

describe("the report pages", () => {
  it("lists the months with their PDF links", async () => {
    const res = await alpha.get("/reports");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="/reports/${period}.pdf"`);
    expect(html).toContain(`href="/reports/${period}"`);
    expect(html).toContain(periodLabel(period));
    expect(html).not.toContain(`href="/reports/${addMonths(period, 1)}`);
    // The delivery settings are a partner admin's.
    expect(html).not.toContain("Save delivery settings");
    expect(await (await alphaAdmin.get("/reports")).text()).toContain("Save delivery settings");
  });

  it("shows the report in the portal with the same figures and a chart", async () => {
    const res = await alpha.get(`/reports/${period}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Alpha Resellers");
    expect(html).toContain("Alpha Orbit Deal");
    expect(html).toContain("$42,000");
    expect(html).toContain("<svg");
    expect(html).not.toContain("Beta");
  });
});

describe("delivery preferences", () => {
  it("lets partner A's admin choose the format and which of A's colleagues receive it", async () => {
    const res = await alphaAdmin.post("/reports?index", { intent: "preferences", format: "email", recipient: world.userA.id });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(server.db.select({ f: partners.reportFormat }).from(partners).where(eq(partners.id, world.partnerA.id)).get()?.f).toBe("email");
    expect(server.db.select({ o: users.reportOptIn }).from(users).where(eq(users.id, world.userA.id)).get()?.o).toBe(true);
  });

  it("answers 404 for a colleague of another partner and changes nothing", async () => {
    const res = await alphaAdmin.post("/reports?index", { intent: "preferences", format: "off", recipient: world.adminB.id });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    expect(server.db.select({ f: partners.reportFormat }).from(partners).where(eq(partners.id, world.partnerA.id)).get()?.f).toBe("email");
    // Unchanged: partner admins start opted in (decision 0016).
    expect(server.db.select({ o: users.reportOptIn }).from(users).where(eq(users.id, world.adminB.id)).get()?.o).toBe(true);
  });

  it("refuses a bad format with 400 and a partner user with 403", async () => {
    const bad = await alphaAdmin.post("/reports?index", { intent: "preferences", format: "fax" });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
    const user = await alpha.post("/reports?index", { intent: "preferences", format: "off" });
    expect(user.status).toBe(403);
    await user.arrayBuffer();
    expect(server.db.select({ f: partners.reportFormat }).from(partners).where(eq(partners.id, world.partnerA.id)).get()?.f).toBe("email");
  });
});

describe("the internal ecosystem PDF", () => {
  it("is the partner team's only", async () => {
    const res = await manager.get(`/internal/reports/ecosystem/${period}.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const text = await pdfText(res);
    expect(text).toContain("Ecosystem report");
    expect(text).toContain("Beta Agency");
    const partner = await alpha.get(`/internal/reports/ecosystem/${period}.pdf`);
    expect(partner.status).toBe(403);
    await partner.arrayBuffer();
    const bad = await manager.get(`/internal/reports/ecosystem/${future}.pdf`);
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
  });
});

describe("the Outbox page shows the report queue beside the emails", () => {
  it("counts report deliveries by status and lists a failed one with its attempts and error", async () => {
    const month = addMonths(period, -3);
    server.db
      .insert(reportDeliveries)
      .values({
        partnerId: world.partnerB.id,
        period: month,
        kind: "monthly",
        status: "failed",
        attempts: 20,
        error: "550 mailbox unavailable (outbox page test)",
      })
      .run();
    const res = await manager.get("/internal/outbox");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Monthly reports");
    expect(html).toContain("550 mailbox unavailable (outbox page test)");
    expect(html).toContain(`/internal/reports?period=${month}`);
    expect(html).toMatch(/Failed \(dead\)(<!-- -->)? (<!-- -->)?[1-9]/);
  });
});
