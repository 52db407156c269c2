// The partner report PDF rendered for real and read back with pdfjs: its text, its page
// numbers and repeated table headers, and its own page plan checked against where the text lands.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Partner } from "../../db/schema";
import { closeDatabase, type DB } from "../db.server";
import { planPartnerReport, renderPartnerReportPdf } from "./partner-report-pdf";
import { bodyHeight } from "./partner-report-pdf-layout";
import { PAPER } from "./pdf-kit";
import { buildPartnerReport } from "./partner-report.server";
import { moreWonDealsSentence } from "./contract";
import { createRenderWorld, NOW, PERIOD, pdfDocumentInfo, pdfItems, pdfPages } from "./report-render.fixture";

let db: DB;
let lodz: Partner;
let quiet: Partner;

beforeAll(() => {
  ({ db, lodz, quiet } = createRenderWorld());
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

  it("says how many more won deals credit the partner beyond the listed ones, and where to see them", async () => {
    const base = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    expect(base.moreWonDeals).toBe(0);
    // The text layer's words, whatever its items' line breaks (the ellipsis is an item of its own).
    const words = (text: string) => text.replace(/\s+/g, " ").replace(/… /g, "…").trim();
    expect(words((await pdfPages(await renderPartnerReportPdf(base))).join(" "))).not.toContain("more won deals that credit you");
    const bounded = { ...base, moreWonDeals: 37 };
    const text = words((await pdfPages(await renderPartnerReportPdf(bounded))).join(" "));
    expect(text).toContain(words(moreWonDealsSentence(bounded)));
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

  it("puts every page on the program's paper, A4 or Letter, and says its title, author and language", async () => {
    const report = buildPartnerReport(db, lodz.id, PERIOD, { now: NOW });
    expect(report.paperSize).toBe("A4");
    const a4 = await pdfDocumentInfo(await renderPartnerReportPdf(report));
    expect(a4.sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of a4.sizes) expect(size).toEqual({ width: 595.28, height: 841.89 });
    expect(a4.title).toBe("October 2026 partner report — Łódź Systems");
    expect(a4.author).toBe(report.programName);
    expect(a4.language).toBe("en");
    const letter = { ...report, paperSize: "Letter" as const };
    const pages = await pdfItems(await renderPartnerReportPdf(letter));
    const sizes = (await pdfDocumentInfo(await renderPartnerReportPdf(letter))).sizes;
    expect(sizes).toHaveLength(planPartnerReport(letter).pages.length);
    for (const size of sizes) expect(size).toEqual({ width: 612, height: 792 });
    // Nothing of the body reaches the footer of the shorter page.
    pages.forEach((items) => {
      for (const item of items) if (!item.str.startsWith("Page ") && !item.str.endsWith("partner report")) expect(item.y).toBeGreaterThan(50);
    });
    const quiet1 = await pdfDocumentInfo(await renderPartnerReportPdf(buildPartnerReport(db, quiet.id, PERIOD, { now: NOW })));
    expect(quiet1.sizes).toEqual([{ width: 595.28, height: 841.89 }]);
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
    for (const used of plan.used) expect(used).toBeLessThanOrEqual(bodyHeight(plan.paper));
    // A later page opens with a section heading (or its "continued"), never a stray note.
    for (const page of plan.pages.slice(1)) expect(page[0]?.kind).toBe("heading");
    pages.forEach((items, i) => {
      const footer = items.filter((item) => item.y < FOOTER_TOP).map((item) => item.str);
      expect(footer.sort()).toEqual([`${report.partner.name} · ${report.periodLabel} partner report`, `Page ${i + 1} of ${pages.length}`].sort());
      for (const item of items) expect(item.y).toBeLessThan(PAPER[plan.paper].height - 36);
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
    // On Letter, shorter than A4, too.
    await expectWithinPages({ ...worst, paperSize: "Letter" });
    await expectWithinPages({ ...base, paperSize: "Letter" });
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
