// The delivery interface of render.server.ts: recipients, format handling and the Message-ID,
// with the reports rendered for real.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Partner } from "../../db/schema";
import { closeDatabase, type DB } from "../db.server";
import { renderEcosystemReport, renderPartnerReport, reportMessageId } from "./render.server";
import { createRenderWorld, PERIOD } from "./report-render.fixture";

let db: DB;
let lodz: Partner;
let aero: Partner;
let quiet: Partner;

beforeAll(() => {
  ({ db, lodz, aero, quiet } = createRenderWorld());
});

afterAll(() => closeDatabase(db));

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
    expect(reportMessageId(7, "2026-10", "portal.example.com")).toBe("<monthly-report.7-2026-10@portal.example.com>");
    expect(reportMessageId(7, "2026-10", "portal.example.com", "u-1")).toBe("<monthly-report.7-2026-10-u-1@portal.example.com>");
    expect(reportMessageId(null, "2026-10", "portal.example.com")).toBe("<ecosystem-report.2026-10@portal.example.com>");
  });
});
