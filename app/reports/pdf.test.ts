// The report PDFs and emails rendered for real and read back: the PDF parsed to text with
// pdfjs (what a reader's PDF viewer would extract), the emails as sent. Also the delivery
// interface of render.server.ts: recipients, format handling and the Message-ID.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import type { Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { monthlyReportEmail } from "../../emails/monthly-report";
import { ecosystemReportEmail } from "../../emails/ecosystem-report";
import { renderEcosystemReportPdf } from "./ecosystem-report-pdf";
import { buildEcosystemReport } from "./ecosystem-report.server";
import { buildPartnerReport } from "./partner-report.server";
import { planPartnerReport, renderPartnerReportPdf } from "./partner-report-pdf";
import { BODY_HEIGHT } from "./partner-report-pdf-layout";
import { renderEcosystemReport, renderPartnerReport, reportMessageId } from "./render.server";

const NOW = new Date("2026-11-15T12:00:00Z");
const PERIOD = "2026-10";
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

/** Every page's text, in reading order. */
async function pdfPages(pdf: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" ").replace(/\s+/g, " "));
  }
  await doc.destroy();
  return pages;
}

/** Every page's text items with their baseline position (points from the page's bottom edge). */
async function pdfItems(pdf: Buffer): Promise<{ str: string; x: number; y: number }[][]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: { str: string; x: number; y: number }[][] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items.flatMap((item) => ("str" in item && item.str.trim() ? [{ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number }] : [])),
    );
  }
  await doc.destroy();
  return pages;
}

let db: DB;
let lodz: Partner;
let aero: Partner;
let quiet: Partner;

beforeAll(() => {
  db = createTestDatabase().db;
  const tiers = Object.fromEntries(ensureDefaultProgram(db).tiers.map((t) => [t.name, t]));
  lodz = createPartner(db, { name: "Łódź Systems", slug: "lodz-systems", tierId: tiers.Gold.id, joinedOn: "2025-01-01" });
  aero = createPartner(db, { name: "Ærø Partners", slug: "aero-partners", joinedOn: "2025-01-01", reportFormat: "email" });
  quiet = createPartner(db, { name: "Quiet Harbour Partners", slug: "quiet", joinedOn: "2025-01-01", reportFormat: "off" });
  createDeal(db, { partnerId: lodz.id, title: "Kraków Foods — Platform", stage: "won", amountCents: 3_000_000, submittedAt: at("2026-08-01"), decidedAt: at("2026-08-02"), closedAt: at("2026-10-10") }, { now: NOW });
  createDeal(db, { partnerId: aero.id, stage: "won", amountCents: 1_000_000, submittedAt: at("2026-08-01"), decidedAt: at("2026-08-02"), closedAt: at("2026-10-12") }, { now: NOW });
  // Enough open registrations for the pipeline table to run over a page break.
  for (let i = 0; i < 70; i++) {
    const customer = createCustomer(db, { name: `Pipeline Prospect ${i}`, domain: `prospect-${i}.test` });
    createDeal(
      db,
      { partnerId: lodz.id, customerId: customer.id, title: `Pipeline Prospect ${i} — Analytics`, stage: "approved", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-03"), protectionEndsAt: at(i < 3 ? "2026-11-05" : "2026-12-20") },
      { now: NOW },
    );
  }
  createUser(db, { role: "partner_admin", partnerId: lodz.id, email: "owner@lodz.test" });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "opted-in@lodz.test", reportOptIn: true });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "not-opted-in@lodz.test" });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "disabled@lodz.test", reportOptIn: true, disabledAt: new Date() });
  createUser(db, { role: "partner_admin", partnerId: aero.id, email: "owner@aero.test" });
  createUser(db, { role: "admin", email: "program@vendor.test" });
  createUser(db, { role: "partner_manager", email: "manager@vendor.test" });
  createUser(db, { role: "partner_manager", email: "gone@vendor.test", disabledAt: new Date() });
});

afterAll(() => closeDatabase(db));

describe("the partner report PDF", () => {
  it("carries the partner's name, month, tier and figures, in a Unicode font", async () => {
    const report = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    const started = performance.now();
    const pdf = await renderPartnerReportPdf(report);
    const ms = performance.now() - started;
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const pages = await pdfPages(pdf);
    const text = pages.join("\n");
    expect(text).toContain("Łódź Systems");
    expect(text).toContain("October 2026");
    expect(text).toContain("Gold tier");
    expect(text).toContain("$30,000"); // the month's credited revenue KPI
    expect(text).toContain("Kraków Foods — Platform");
    expect(text).toContain("3 registrations expire within 14 days");
    expect(text).not.toContain("Ærø");
    console.info(`partner report PDF: ${pages.length} pages, ${pdf.length} bytes, ${Math.round(ms)} ms`);
  });

  it("numbers the pages and repeats the table header on every page the pipeline spans", async () => {
    const pages = await pdfPages(await renderPartnerReportPdf(buildPartnerReport(db, lodz.id, PERIOD, { now: NOW })));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
    const withRows = pages.filter((p) => /Pipeline Prospect \d+ — Analytics/.test(p));
    expect(withRows.length).toBeGreaterThanOrEqual(2);
    for (const page of withRows) expect(page).toContain("PROTECTION ENDS");
    // Every registration is listed once.
    const listed = pages.join(" ").match(/Pipeline Prospect \d+ — Analytics/g) ?? [];
    expect(new Set(listed).size).toBe(70);
    expect(listed).toHaveLength(70);
  });

  it("renders a meaningful page for a partner with no activity", async () => {
    const report = buildPartnerReport(db, quiet.id, PERIOD, { now: NOW });
    expect(report.hasActivity).toBe(false);
    const pages = await pdfPages(await renderPartnerReportPdf(report));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain("Quiet Harbour Partners");
    expect(pages[0]).toContain("No activity in October 2026");
    expect(pages[0]).toContain("to reach Silver");
    expect(pages[0]).toContain("Page 1 of 1");
  });
});

describe("the partner report's own page layout", () => {
  // The partner report places its page breaks itself (partner-report-pdf.tsx): these check the
  // plan against the PDF react-pdf actually drew.
  const FOOTER_TOP = 50; // the footer's text sits below this line; the body's never does

  async function expectWithinPages(report: ReturnType<typeof buildPartnerReport>) {
    const plan = planPartnerReport(report);
    const pages = await pdfItems(await renderPartnerReportPdf(report));
    expect(pages).toHaveLength(plan.pages.length);
    for (const used of plan.used) expect(used).toBeLessThanOrEqual(BODY_HEIGHT);
    // A later page opens with a section heading (or its "continued"), never a stray note.
    for (const page of plan.pages.slice(1)) expect(page[0]?.kind).toBe("heading");
    pages.forEach((items, i) => {
      const footer = items.filter((item) => item.y < FOOTER_TOP).map((item) => item.str);
      expect(footer.sort()).toEqual([`${report.partner.name} · ${report.periodLabel} partner report`, `Page ${i + 1} of ${pages.length}`].sort());
      for (const item of items) expect(item.y).toBeLessThan(841.89 - 36);
    });
    return pages;
  }

  it("keeps every page's content above its footer, for the longest summary there can be", async () => {
    const base = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    const worst = {
      ...base,
      partner: { ...base.partner, name: "Łódź Systems Integrated Regional Technology Partners International Holdings" },
      actions: (["expiring", "tier_at_risk", "next_tier", "no_registrations", "log_touches"] as const).map((key, i) => ({
        key,
        text: `Action ${i + 1}: register the opportunities you are working on, log the meetings and technical validations you run, and close the registrations that are about to expire before their protection ends.`,
      })),
    };
    expect(planPartnerReport(worst).summary.header.title.lines).toBe(4);
    const [first] = await expectWithinPages(worst);
    // The whole name is in the title, above the footer's copy of it.
    const title = first!.filter((item) => item.y > 650).map((item) => item.str).join(" ");
    expect(title).toContain("International Holdings");
    await expectWithinPages(base);
    await expectWithinPages(buildPartnerReport(db, quiet.id, PERIOD, { now: NOW }));
  });

  it("cuts a title too long for its column to one line with an ellipsis", async () => {
    const base = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    const title = "Kraków Foods — Platform expansion for the whole of the Lesser Poland and Silesian regions, phase two";
    const report = { ...base, wonDeals: base.wonDeals.map((d) => ({ ...d, title })) };
    const pages = await expectWithinPages(report);
    const text = pages.flat().map((item) => item.str);
    expect(text).not.toContain(title);
    const cut = text.find((str) => str.startsWith("Kraków Foods — Platform expansion"));
    expect(cut).toMatch(/…$/);
    expect(title.startsWith(cut!.slice(0, -1).trimEnd())).toBe(true);
  });
});

describe("the ecosystem report PDF", () => {
  it("renders the program's figures with every partner name intact", async () => {
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });
    const pages = await pdfPages(await renderEcosystemReportPdf(report));
    const text = pages.join("\n");
    expect(text).toContain("Ecosystem report");
    expect(text).toContain("October 2026");
    expect(text).toContain("Łódź Systems");
    expect(text).toContain("Ærø Partners");
    expect(text).toContain("$40,000"); // won revenue in the month
    expect(text).toContain("Highly concentrated");
    // Łódź $30,000 and Ærø $10,000 over the 12 months: shares 75% and 25%.
    expect(text).toContain("HHI (0–10,000) 6,250");
    expect(text).toContain("N80 (the head) 2 of 3");
    expect(text).toContain("Gini coefficient 0.500");
    expect(text).toContain("Łódź Systems brings 75.0% of credited revenue, above the 25% alert line.");
    expect(text).toContain("Head (N80) 2 partners $40,000 · 100.0% of revenue");
    expect(text).toContain("Long tail 1 partner $0 · 0.0% of revenue");
    expect(text).toContain("Concentration at the last 12 month-ends");
    // The long tail's flags with the numbers behind them, and the program metrics' samples.
    expect(text).toContain("Quiet Harbour Partners Reseller · North America $0 Dormant: no registration or touch yet");
    expect(text).toMatch(/Win rate 100\.0% n = 2 closed deals ▲ LOW SAMPLE — n = 0 closed deals ▲ LOW SAMPLE/);
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
  });
});

describe("the report emails", () => {
  it("has the KPI table in HTML and text, the portal link and the attachment note", () => {
    const report = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    const mail = monthlyReportEmail(report, { format: "pdf", portalUrl: "https://portal.example.com/" });
    expect(mail.subject).toBe("Your October 2026 partner report — Łódź Systems");
    expect(mail.html).toContain("Credited revenue");
    expect(mail.html).toContain("$30,000");
    expect(mail.html).toContain('href="https://portal.example.com/reports/2026-10"');
    expect(mail.html).not.toContain("\u2063");
    expect(mail.text).toMatch(/Credited revenue:\s+\$30,000 {2}\(Sep: \$0, ▲ \+\$30,000\)/);
    expect(mail.text).toContain("https://portal.example.com/reports/2026-10");
    expect(mail.text).toContain("The PDF with the full report is attached");
    expect(mail.text).toContain("1. 3 registrations expire within 14 days");
    const summary = monthlyReportEmail(report, { format: "email", portalUrl: "https://portal.example.com" });
    expect(summary.text).not.toContain("attached");
  });

  it("escapes names in the HTML and keeps the subject on one line", () => {
    const report = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    const hostile = { ...report, partner: { ...report.partner, name: "<b>Evil</b>\r\nBcc: x@y.z" } };
    const mail = monthlyReportEmail(hostile, { format: "pdf", portalUrl: "https://portal.example.com" });
    expect(mail.html).not.toContain("<b>Evil</b>");
    expect(mail.html).toContain("&lt;b&gt;Evil&lt;/b&gt;");
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it("summarises the ecosystem report", () => {
    const mail = ecosystemReportEmail(buildEcosystemReport(db, PERIOD, { now: NOW }), { portalUrl: "https://portal.example.com" });
    expect(mail.subject).toBe("Ecosystem report — October 2026");
    expect(mail.text).toMatch(/Won revenue:\s+\$40,000 \(2 deals\)/);
    expect(mail.html).toContain('href="https://portal.example.com/internal/reports/ecosystem/2026-10.pdf"');
    expect(mail.text).toMatch(/Concentration \(HHI, 12 months\):\s+6,250, Highly concentrated/);
    expect(mail.text).toMatch(/ {2}Gini:\s+0\.500/);
    expect(mail.text).toMatch(/Head \(N80\):\s+2 partners, \$40,000 \(100\.0%\)/);
    expect(mail.text).toContain("Alert: Łódź Systems brings 75.0% of credited revenue, above the 25% alert line.");
    expect(mail.text).toContain("  partner-involved: 100.0% (n = 2 closed deals, LOW SAMPLE)");
    expect(mail.text).toContain("    Dormant: no registration or touch yet");
    expect(mail.html).toContain("LOW SAMPLE");
    expect(mail.html).toContain("<strong>Dormant</strong>: no registration or touch yet");
    expect(mail.html).not.toContain("\u2063");
  });
});

describe("render.server (the delivery interface)", () => {
  const config = { APP_URL: "https://portal.example.com" };

  it("renders a 'pdf' partner's report for its admins and opted-in users", async () => {
    const out = await renderPartnerReport(db, config, lodz.id, PERIOD);
    expect(out.partner).toEqual({ id: lodz.id, name: "Łódź Systems", slug: "lodz-systems", reportFormat: "pdf" });
    expect(out.recipients).toEqual(["opted-in@lodz.test", "owner@lodz.test"]);
    expect(out.pdf?.subarray(0, 5).toString()).toBe("%PDF-");
    expect(out.email.subject).toContain("Łódź Systems");
    expect(out.email.text).toContain("attached");
  });

  it("renders no PDF for an 'email' partner and still answers for an 'off' one", async () => {
    const email = await renderPartnerReport(db, config, aero.id, PERIOD);
    expect(email).toMatchObject({ partner: { reportFormat: "email" }, recipients: ["owner@aero.test"], pdf: null });
    expect(email.email.text).not.toContain("attached");
    expect(email.email.text).toContain("https://portal.example.com/reports/2026-10");
    const off = await renderPartnerReport(db, config, quiet.id, PERIOD);
    expect(off).toMatchObject({ partner: { reportFormat: "off" }, recipients: [], pdf: null });
  });

  it("renders the ecosystem report for enabled admins and partner managers", async () => {
    const out = await renderEcosystemReport(db, config, PERIOD);
    expect(out.recipients).toEqual(["manager@vendor.test", "program@vendor.test"]);
    expect(out.pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(out.email.subject).toBe("Ecosystem report — October 2026");
  });

  it("gives each report a deterministic Message-ID", () => {
    expect(reportMessageId(7, "2026-10", "portal.example.com")).toBe("<report-7-2026-10@portal.example.com>");
    expect(reportMessageId(null, "2026-10", "portal.example.com")).toBe("<report-ecosystem-2026-10@portal.example.com>");
    expect(reportMessageId(7, "2026-10", "https://portal.example.com:8443/x")).toBe("<report-7-2026-10@portal.example.com>");
  });
});
