// The partner's monthly report email, from a report built for real: the KPI table in HTML and
// text, the portal link, the attachment note, and escaping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Partner } from "../db/schema";
import { closeDatabase, type DB } from "../app/db.server";
import { buildPartnerReport } from "../app/reports/partner-report.server";
import { createRenderWorld, NOW, PERIOD } from "../app/reports/report-render.fixture";
import { monthlyReportEmail } from "./monthly-report";

let db: DB;
let lodz: Partner;

beforeAll(() => {
  ({ db, lodz } = createRenderWorld());
});

afterAll(() => closeDatabase(db));

describe("the monthly report email", () => {
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
});
