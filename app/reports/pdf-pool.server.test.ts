// The PDF pool renders in worker threads what the direct render produces on the calling thread:
// the same document, text layer (what copy, search and screen readers get) and all, for the
// partner and ecosystem PDFs — though the threads run React's production build — and the calling thread's event loop keeps turning while a document is rendered.
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pdfText } from "../../tests/support/pdf";
import { closeDatabase, type DB } from "../db.server";
import { renderEcosystemReportPdf } from "./ecosystem-report-pdf";
import { buildEcosystemReport } from "./ecosystem-report.server";
import { buildPartnerReport } from "./partner-report.server";
import { renderPartnerReportPdf } from "./partner-report-pdf";
import {
  closePdfPool,
  PDF_THREAD_NICE,
  PDF_THREAD_OLD_SPACE_MB,
  pdfPool,
  pdfPoolMemory,
  pdfThreads,
  renderEcosystemPdf,
  renderPartnerPdf,
} from "./pdf-pool.server";
import { comparablePdf, createRenderWorld, NOW, PERIOD, type RenderWorld } from "./report-render.fixture";

let world: RenderWorld;
let db: DB;

beforeAll(() => {
  world = createRenderWorld();
  db = world.db;
});

afterAll(async () => {
  await closePdfPool();
  closeDatabase(db);
});

/** How long the calling thread's event loop was busy (not idle) while `work` ran, in ms. */
async function busyMs(work: () => Promise<unknown>): Promise<number> {
  const before = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(before).active;
}

describe("the PDF worker pool", () => {
  it("renders the same partner PDF as the direct render, text layer and all", async () => {
    const report = buildPartnerReport(db, world.lodz.id, PERIOD, { now: NOW });
    const [direct, pooled] = await Promise.all([renderPartnerReportPdf(report), renderPartnerPdf(report)]);
    const text = await pdfText(pooled);
    expect(text).toContain("Łódź Systems");
    expect(text).toContain("Pipeline Prospect 69");
    expect(text).toBe(await pdfText(direct));
    expect(comparablePdf(pooled) === comparablePdf(direct), "the pooled PDF differs from the direct one").toBe(true);
  });

  it("renders the same ecosystem PDF as the direct render, text layer and all", async () => {
    const report = buildEcosystemReport(db, PERIOD, { now: NOW });
    const [direct, pooled] = await Promise.all([renderEcosystemReportPdf(report), renderEcosystemPdf(report)]);
    const text = await pdfText(pooled);
    expect(text).toContain("Ærø Partners");
    expect(text).toBe(await pdfText(direct));
    expect(comparablePdf(pooled) === comparablePdf(direct), "the pooled PDF differs from the direct one").toBe(true);
  });

  it("keeps the calling thread's event loop free while it renders", async () => {
    const report = buildPartnerReport(db, world.lodz.id, PERIOD, { now: NOW });
    await renderPartnerPdf(report); // a warm thread, as in a running server
    await renderPartnerReportPdf(report);
    const direct = await busyMs(() => renderPartnerReportPdf(report));
    const pooled = await busyMs(() => renderPartnerPdf(report));
    // The direct render keeps the loop busy for the whole layout; the pool only for the hand-over.
    expect(direct).toBeGreaterThan(20);
    expect(pooled).toBeLessThan(direct / 4);
  });

  it("sizes itself to the cores unless PDF_THREADS says otherwise, and refuses a bad value", () => {
    expect(pdfPool().options.maxThreads).toBe(pdfThreads());
    expect(pdfThreads({ PDF_THREADS: "3" })).toBe(3);
    expect(() => pdfThreads({ PDF_THREADS: "0" })).toThrow(/PDF_THREADS="0": must be a whole number of threads ≥ 1/);
    expect(() => pdfThreads({ PDF_THREADS: "two" })).toThrow(/PDF_THREADS/);
  });

  it.runIf(process.platform === "linux")("renders at a lower CPU priority than the calling thread (the web's)", async () => {
    // On Linux each thread has its own nice value: /proc/self/task/<tid>/stat, field 19.
    const niceOf = (tid: string | number) => {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    const niceOfThreads = () => fs.readdirSync("/proc/self/task").map(niceOf);
    const before = niceOfThreads().filter((n) => n === PDF_THREAD_NICE).length;
    const pool = pdfPool();
    await renderPartnerPdf(buildPartnerReport(db, world.lodz.id, PERIOD, { now: NOW }));
    expect(pool.threads.length).toBeGreaterThanOrEqual(1);
    expect(PDF_THREAD_NICE).toBeGreaterThan(0);
    expect(niceOfThreads().filter((n) => n === PDF_THREAD_NICE).length).toBeGreaterThanOrEqual(Math.max(1, before));
    expect(niceOf(process.pid)).toBe(0); // the main thread (its thread id is the pid) keeps its priority
  });

  it("caps each thread's heap and reports what the threads hold", async () => {
    const report = buildPartnerReport(db, world.lodz.id, PERIOD, { now: NOW });
    await renderPartnerPdf(report);
    const memory = pdfPoolMemory();
    expect(memory.threads).toBeGreaterThanOrEqual(1);
    // Old space plus the young generation; without the cap V8 gives a thread a quarter of the
    // machine's memory (gigabytes). A --max-old-space-size on vitest's process would override it.
    if (!process.execArgv.some((flag) => flag.startsWith("--max-old-space-size"))) {
      expect(memory.heapLimitBytes).toBeGreaterThan(PDF_THREAD_OLD_SPACE_MB * 1024 * 1024);
      expect(memory.heapLimitBytes).toBeLessThan((PDF_THREAD_OLD_SPACE_MB + 100) * 1024 * 1024);
    }
    // Modules and fonts at least; a render's garbage at most what the cap allows.
    expect(memory.heapBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(memory.peakThreadHeapBytes).toBeGreaterThanOrEqual(memory.heapBytes / memory.threads);
    expect(memory.externalBytes).toBeGreaterThan(0);
  });
});
