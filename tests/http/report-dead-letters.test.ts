// The Reports page's dead letters through the built server (issue 14 item 5, the reports' side):
// an admin retries or discards every failed delivery of a month at once, each after a
// confirmation step that says how many, one audit entry per delivery, nothing of another month
// touched; a partner manager sees the page but is refused both (403). The failed list is
// keyset-paged, 50 at a time, every failed delivery on exactly one page.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartner } from "../../db/factories";
import { auditEvents, reportDeliveries } from "../../db/schema";
import { addMonths, lastCompletedPeriod, periodLabel } from "../../app/domain/periods";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let admin: Client;
let manager: Client;
// Discarded below; its neighbour month is retried.
const period = lastCompletedPeriod(new Date());
const earlier = addMonths(period, -1);
const FAILED_IN_PERIOD = 55;

const failedRow = (partnerId: number, month: string, n: number) => ({
  partnerId,
  period: month,
  kind: "monthly",
  status: "failed" as const,
  attempts: 20,
  nextAttemptAt: 0,
  error: `Gave up after 20 attempts. Last error: 421 try later (#${n})`,
});

const statusesOf = (month: string) =>
  server.db
    .select({ id: reportDeliveries.id, status: reportDeliveries.status, attempts: reportDeliveries.attempts, error: reportDeliveries.error })
    .from(reportDeliveries)
    .where(eq(reportDeliveries.period, month))
    .all();
const audits = (action: string) => server.db.select().from(auditEvents).where(eq(auditEvents.action, action)).all();
const textOf = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");
/** The delivery ids a page of the Reports table shows (its partner links carry the slugs). */
const slugsOn = (html: string) => [...html.matchAll(/href="\/internal\/partners\/([a-z0-9-]+)"/g)].map((m) => m[1]);

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const extra = Array.from({ length: FAILED_IN_PERIOD - 2 }, (_, i) => createPartner(server.db, { name: `Partner ${String(i).padStart(2, "0")}`, slug: `p-${i}` }));
  const all = [world.partnerA, world.partnerB, ...extra];
  server.db.insert(reportDeliveries).values(all.map((p, i) => failedRow(p.id, period, i))).run();
  // The month before: two failed (retried below) and one sent, which stays as it is.
  server.db
    .insert(reportDeliveries)
    .values([failedRow(world.partnerA.id, earlier, 100), failedRow(world.partnerB.id, earlier, 101)])
    .run();
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});

afterAll(() => server.close());

describe("failed report deliveries on /internal/reports", () => {
  it("pages the failed list 50 at a time, each failed delivery on exactly one page", async () => {
    const first = await admin.get(`/internal/reports?period=${period}&status=failed`);
    expect(first.status).toBe(200);
    const html = await first.text();
    const page1 = slugsOn(html);
    expect(page1).toHaveLength(50);
    const next = html.match(/href="\/internal\/reports\?period=\d{4}-\d{2}&amp;status=failed&amp;after=(\d+)"/);
    expect(next, "a Next link").not.toBeNull();
    const second = await admin.get(`/internal/reports?period=${period}&status=failed&after=${next![1]}`);
    expect(second.status).toBe(200);
    const html2 = await second.text();
    const page2 = slugsOn(html2);
    expect(page2).toHaveLength(FAILED_IN_PERIOD - 50);
    expect(html2).not.toContain(`rel="next"`);
    expect(html2).toContain("First page");
    expect(new Set([...page1, ...page2]).size).toBe(FAILED_IN_PERIOD);
    // A cursor that is not one says so instead of failing.
    const bad = await admin.get(`/internal/reports?period=${period}&status=failed&after=abc`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("page cursor is not valid");
  });

  it("a partner manager sees the failed list without the bulk buttons and is refused both actions", async () => {
    const page = await manager.get(`/internal/reports?period=${period}&status=failed`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("Retry all failed");
    expect(html).not.toContain("Discard failed");
    for (const intent of ["retry-failed", "discard-failed"]) {
      const res = await manager.post("/internal/reports", { intent, period, confirmed: "yes" });
      expect(res.status, intent).toBe(403);
      await res.arrayBuffer();
    }
    expect(statusesOf(period).every((r) => r.status === "failed")).toBe(true);
  });

  it("Discard failed: asks first with the count, then gives up every failed delivery of that month only, audited", async () => {
    const page = await textOf(await admin.get(`/internal/reports?period=${period}`));
    expect(page).toContain(`Discard failed (${FAILED_IN_PERIOD})`);
    expect(page).toContain(`Retry all failed (${FAILED_IN_PERIOD})`);

    const ask = await admin.post("/internal/reports", { intent: "discard-failed", period });
    expect(ask.status).toBe(200);
    expect(await textOf(ask)).toContain(`Discard the ${FAILED_IN_PERIOD} failed deliveries of ${periodLabel(period)}?`);
    expect(statusesOf(period).every((r) => r.status === "failed")).toBe(true);

    const done = await admin.post("/internal/reports", { intent: "discard-failed", period, confirmed: "yes" });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe(`/internal/reports?period=${period}&status=skipped`);
    const rows = statusesOf(period);
    expect(rows).toHaveLength(FAILED_IN_PERIOD);
    expect(rows.every((r) => r.status === "skipped" && r.error!.startsWith("Discarded by "))).toBe(true);
    expect(rows[0]!.error).toContain("Last error: 421 try later");
    const discarded = audits("report_delivery.discard");
    expect(discarded).toHaveLength(FAILED_IN_PERIOD);
    expect(discarded.every((a) => a.actorId === world.admin.id)).toBe(true);
    // The month before is untouched.
    expect(statusesOf(earlier).map((r) => r.status)).toEqual(["failed", "failed"]);

    // Nothing left to discard: a clear answer, not a confirmation for zero.
    const again = await admin.post("/internal/reports", { intent: "discard-failed", period });
    expect(again.status).toBe(400);
    expect(await textOf(again)).toContain(`There are no failed deliveries in ${periodLabel(period)}.`);
  });

  it("Retry all failed: asks first, then queues every failed delivery of that month with a fresh attempt count, audited", async () => {
    const ask = await admin.post("/internal/reports", { intent: "retry-failed", period: earlier });
    expect(ask.status).toBe(200);
    expect(await textOf(ask)).toContain(`Retry the 2 failed deliveries of ${periodLabel(earlier)} now`);
    expect(statusesOf(earlier).map((r) => r.status)).toEqual(["failed", "failed"]);

    const done = await admin.post("/internal/reports", { intent: "retry-failed", period: earlier, confirmed: "yes" });
    expect(done.status).toBe(302);
    // Back in the queue (the background drain may already be sending or have sent them).
    const rows = statusesOf(earlier);
    expect(rows.every((r) => r.status !== "failed")).toBe(true);
    expect(rows.every((r) => r.attempts <= 1)).toBe(true);
    const retried = server.db
      .select({ entityId: auditEvents.entityId, before: auditEvents.before })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "report_delivery.retry")))
      .all();
    expect(retried.map((a) => Number(a.entityId)).sort()).toEqual(rows.map((r) => r.id).sort());
    // The discarded month stays discarded.
    expect(statusesOf(period).every((r) => r.status === "skipped")).toBe(true);
    // Let the background drain finish before the server closes.
    for (let i = 0; i < 100 && statusesOf(earlier).some((r) => r.status === "queued" || r.status === "sending"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statusesOf(earlier).map((r) => r.status)).toEqual(["sent", "sent"]);
  });
});
