// The monthly run renders every partner's PDF in one process: the text layer (what copy, search
// and screen readers get) of each PDF of such a batch, read back with pdfjs, holds every string
// the page shows — the partner's name, its KPI figures and every cell of its tables — exactly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEFAULTS } from "../../db/seed/demo-accounts";
import { generateProgram } from "../../db/seed/program";
import { partners } from "../../db/schema";
import { closeDatabase, openDatabase, runMigrations, type DB } from "../db.server";
import { renderPartnerReportPdf } from "./partner-report-pdf";
import { buildPartnerReport } from "./partner-report.server";
import { createRenderWorld, pdfPages } from "./report-render.fixture";
import { createPartner } from "../../db/factories";

const NOW = new Date("2026-11-15T12:00:00Z");
const PERIOD = "2026-10";
let db: DB;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdf-batch-"));
  db = openDatabase(path.join(dir, "demo.db"));
  runMigrations(db);
  generateProgram(db, { seed: DEMO_DEFAULTS.seed, partners: DEMO_DEFAULTS.partners, deals: DEMO_DEFAULTS.deals, asOf: new Date("2026-11-15T00:00:00Z"), passwordHash: "not-a-real-hash" });
});

afterAll(() => {
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a batch of partner PDFs rendered in one process", () => {
  // Runs first, in a process that has drawn no "z" yet: "ź" is drawn as "z" plus an accent, and
  // embedding it in the first PDF once left "z" without its character for every later PDF.
  it("keeps a letter first drawn inside an accented one in the text of the next PDF", async () => {
    const world = createRenderWorld();
    const horizon = createPartner(world.db, { name: "Horizonstack Consulting", slug: "horizonstack", joinedOn: "2025-01-01" });
    const first = (await pdfPages(await renderPartnerReportPdf(buildPartnerReport(world.db, world.lodz.id, PERIOD, { now: NOW })))).join(" ");
    expect(first).toContain("Łódź Systems");
    const second = (await pdfPages(await renderPartnerReportPdf(buildPartnerReport(world.db, horizon.id, PERIOD, { now: NOW })))).join(" ");
    expect(second).toContain("Horizonstack Consulting · October 2026 partner report");
    closeDatabase(world.db);
  });

  it("has every partner's name, KPIs and deal titles in its text layer, exactly", async () => {
    const all = db.select({ id: partners.id, name: partners.name }).from(partners).orderBy(asc(partners.id)).all();
    expect(all.length).toBe(DEMO_DEFAULTS.partners);
    let shownTitles = 0;
    const failures: string[] = [];
    for (const partner of all) {
      const report = buildPartnerReport(db, partner.id, PERIOD, { now: NOW });
      const text = (await pdfPages(await renderPartnerReportPdf(report))).join("\n");
      const expected = [
        `${report.partner.name} · ${report.periodLabel} partner report`,
        ...(report.hasActivity ? report.kpis : []).flatMap((k) => [k.label, k.text.value]),
      ];
      // Every deal title: whole, or cut with "…" where it is too long for its column.
      const titleShown = (title: string) => text.includes(title) || [...title].some((_, i) => i >= 8 && text.includes(`${title.slice(0, i).trimEnd()}…`));
      const titles = [...report.wonDeals, ...report.pipeline.deals].map((d) => d.title);
      shownTitles += titles.length;
      const missing = [...expected.filter((str) => !text.includes(str)), ...titles.filter((t) => !titleShown(t))];
      failures.push(...missing.map((str) => `${partner.name}: ${str}`));
    }
    expect(failures, "strings drawn but not in the text layer").toEqual([]);
    expect(shownTitles).toBeGreaterThan(DEMO_DEFAULTS.partners);
  }, 120_000);
});
