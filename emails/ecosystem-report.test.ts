// The internal ecosystem report email, from a report built for real.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, type DB } from "../app/db.server";
import { buildEcosystemReport } from "../app/reports/ecosystem-report.server";
import { createRenderWorld, NOW, PERIOD } from "../app/reports/report-render.fixture";
import { ecosystemReportEmail } from "./ecosystem-report";

let db: DB;

beforeAll(() => {
  ({ db } = createRenderWorld());
});

afterAll(() => closeDatabase(db));

describe("the ecosystem report email", () => {
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
