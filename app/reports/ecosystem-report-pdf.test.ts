// The ecosystem report PDF rendered for real and read back with pdfjs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, type DB } from "../db.server";
import { renderEcosystemReportPdf } from "./ecosystem-report-pdf";
import { buildEcosystemReport } from "./ecosystem-report.server";
import { programSettings, programSpend } from "../../db/schema";
import { createRenderWorld, NOW, PERIOD, pdfDocumentInfo, pdfPages } from "./report-render.fixture";

let db: DB;

beforeAll(() => {
  ({ db } = createRenderWorld());
});

afterAll(() => closeDatabase(db));

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

  it("has a Cost and return section with each figure's inputs, and — with a reason where there is nothing to divide by", async () => {
    db.insert(programSpend)
      .values([
        { month: "2026-09", category: "team", amountCents: 1_000_000 },
        { month: "2026-09", category: "direct_sales_marketing", amountCents: 2_000_000 },
      ])
      .run();
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });
    const text = (await pdfPages(await renderEcosystemReportPdf(report))).join("\n");
    db.delete(programSpend).run();
    expect(text).toContain("Cost and return (12 months)");
    expect(text).toContain("Partner program spend $10,000 $10,000 recorded + $0 MDF paid");
    expect(text).toContain("MDF ROI — No MDF paid for these activities in the window.");
    // $40,000 of partner-sourced revenue at the default 75% margin over $10,000 of spend.
    expect(text).toContain("Program ROIC 3.00× $30,000 gross profit (75.0% margin) ÷ $10,000");
    expect(text).toContain("MDF return by activity type");
  });

  it("is printed on the program's paper size, A4 by default and Letter when the program says so", async () => {
    const a4 = await pdfDocumentInfo(await renderEcosystemReportPdf(buildEcosystemReport(db, PERIOD, { now: NOW })));
    expect(a4.sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of a4.sizes) expect(size).toEqual({ width: 595.28, height: 841.89 });
    expect(a4.language).toBe("en");
    expect(a4.title).toBe("October 2026 ecosystem report — Partner Program");
    db.update(programSettings).set({ paperSize: "Letter" }).run();
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });
    expect(report.paperSize).toBe("Letter");
    const letter = await pdfDocumentInfo(await renderEcosystemReportPdf(report));
    for (const size of letter.sizes) expect(size).toEqual({ width: 612, height: 792 });
    db.update(programSettings).set({ paperSize: "A4" }).run();
  });
});
