// Issue 13 #6: every email is fluid up to 600 px. Statically: no fixed width above 600 px and a
// max-width frame; and for real, rendered in Chromium at a 390 px phone width, no email is
// wider than the screen (the monthly report's four-column KPI table was).
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, type DB } from "../app/db.server";
import { buildEcosystemReport } from "../app/reports/ecosystem-report.server";
import { buildPartnerReport } from "../app/reports/partner-report.server";
import { createRenderWorld, NOW, PERIOD } from "../app/reports/report-render.fixture";
import { ecosystemReportEmail } from "./ecosystem-report";
import { invitationEmail } from "./invitation";
import { monthlyReportEmail } from "./monthly-report";
import { passwordResetEmail } from "./password-reset";

let db: DB;
let browser: Browser;
let emails: Record<string, string>;

beforeAll(async () => {
  const world = createRenderWorld();
  db = world.db;
  const portalUrl = "https://portal.example.com";
  emails = {
    monthly: monthlyReportEmail(buildPartnerReport(db, world.lodz.id, PERIOD, { now: NOW }), {
      format: "pdf",
      portalUrl,
    }).html,
    ecosystem: ecosystemReportEmail(buildEcosystemReport(db, PERIOD, { now: NOW }), { portalUrl }).html,
    invitation: invitationEmail({
      inviteeName: "Jordan Example",
      inviterName: "Ada Admin",
      partnerName: "Alpha & Co",
      role: "partner_user",
      url: `${portalUrl}/invite/${"x".repeat(64)}`,
      expiresAt: new Date("2030-03-08T09:30:00Z"),
    }).html,
    passwordReset: passwordResetEmail({
      name: "Jordan Example",
      url: `${portalUrl}/reset-password/${"y".repeat(64)}`,
      expiresAt: new Date("2030-03-08T09:30:00Z"),
    }).html,
  };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  closeDatabase(db);
});

describe("email width", () => {
  it("has no fixed width above 600 px and a max-width frame", () => {
    for (const [name, html] of Object.entries(emails)) {
      const fixed = [
        ...html.matchAll(/\bwidth="(\d+)"/g),
        ...html.matchAll(/(?<![-\w])(?:min-)?width:\s*(\d+)px/g),
      ].map((m) => Number(m[1]));
      expect(
        fixed.filter((w) => w > 600),
        `${name}: fixed widths above 600 px`,
      ).toEqual([]);
      const frame = html.match(/max-width:\s*(\d+)px/);
      expect(frame, `${name}: a max-width frame`).not.toBeNull();
      expect(Number(frame![1])).toBeLessThanOrEqual(600);
    }
  });

  it("fits a 390 px phone screen, rendered in Chromium", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const wide: string[] = [];
    for (const [name, html] of Object.entries(emails)) {
      await page.setContent(html);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${name}: ${width}px`);
    }
    await page.close();
    expect(wide).toEqual([]);
  }, 60_000);
});
