// PDF rendering off the event loop: a piscina pool of worker threads (one per core unless
// PDF_THREADS says otherwise) that render the report PDFs — on-demand downloads, the ecosystem
// PDF and the monthly batch. The report model is built on the calling thread (it reads the
// database); only the layout and PDF encoding, tens to thousands of milliseconds of synchronous
// work per document, run in a worker. One pool per process, shared by the server build and the
// unbundled server code (the scheduler) through a global, created on first use.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { EcosystemReport, PartnerReport } from "./contract";

export type PdfJob = { kind: "partner"; report: PartnerReport } | { kind: "ecosystem"; report: EcosystemReport };

const POOL = Symbol.for("partner-portal.pdf-pool");
const MEMORY = Symbol.for("partner-portal.pdf-pool.memory");
type Holder = { [POOL]?: Piscina; [MEMORY]?: { figures: Float64Array; slots: number } };

/** Figures per thread slot in the shared memory the threads write (pdf-render.worker.mjs). */
const FIELDS = 5;

/**
 * Each PDF thread's V8 old space. A thread keeps ~50 MB (modules, the prepared fonts, the layout
 * cache) and a render makes a few MB of garbage; left to V8's default limit (a quarter of the
 * machine's memory) a thread's heap grows to ~230 MB before V8 collects, with 128 it stays at
 * ~115 MB at the same CPU per report (300-partner batch). A --max-old-space-size given to the
 * process overrides this (V8's flag wins over a worker's resourceLimits): the send workers of
 * `npm run reports -- send --processes N` run with 192, under which a thread stays at ~120 MB.
 */
export const PDF_THREAD_OLD_SPACE_MB = 128;

/**
 * The nice value each PDF thread gives itself (pdf-render.worker.mjs): on a machine whose cores
 * are busy, the kernel runs the process's main thread — the web requests — before a render. On
 * 2 cores a monthly run inside the server otherwise took one core from the pages while they
 * shared the other with everything else (dashboard p99 during a run up to 4.3× idle). Renders
 * lose nothing when the cores are free.
 */
export const PDF_THREAD_NICE = 10;

/** PDF_THREADS: a whole number ≥ 1, or unset for one thread per core. */
export function pdfThreads(env: Record<string, string | undefined> = process.env): number {
  const value = env.PDF_THREADS?.trim();
  if (!value) return os.availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new Error(`PDF_THREADS=${JSON.stringify(value)}: must be a whole number of threads ≥ 1 (or unset for one per core)`);
  }
  return Number(value);
}

/**
 * PDF_THREADS for each of `processes` processes that render on this machine (the send workers
 * of `npm run reports -- send --processes N`, the bench's): the operator's PDF_THREADS, else the
 * cores shared between the processes. Each process's default, one thread per core, would give
 * every process a thread per core: threads the cores cannot run at once, each holding its own
 * ~150 MB of heap, fonts and buffers.
 */
export function pdfThreadsPerProcess(processes: number, env: Record<string, string | undefined> = process.env): string {
  if (env.PDF_THREADS?.trim()) return String(pdfThreads(env));
  return String(Math.max(1, Math.floor(os.availableParallelism() / processes)));
}

/**
 * The environment settings of a process started to render next to `processes - 1` others: its
 * share of the cores' PDF threads and MALLOC_ARENA_MAX=2 (unless the operator set them). glibc
 * gives each thread that mallocs its own arena, up to eight per core, and keeps their freed
 * memory; two arenas cost no measurable CPU here. Both must be in the environment the process
 * starts with.
 */
export function renderingProcessEnv(processes: number, env: Record<string, string | undefined> = process.env) {
  return { PDF_THREADS: pdfThreadsPerProcess(processes, env), MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX?.trim() || "2" };
}

function workerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Beside this module in the source tree; from the server build (build/server/index.js) the
  // worker is read from the source tree the build was made from, as the report fonts are.
  const candidates = [path.join(here, "pdf-render.worker.mjs"), path.resolve(here, "../../app/reports/pdf-render.worker.mjs")];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`The PDF worker is missing: looked for ${candidates.join(", ")}`);
  return found;
}

export function pdfPool(): Piscina {
  const holder = globalThis as Holder;
  if (!holder[POOL]) {
    const threads = pdfThreads();
    // Room for threads that replace idle ones that stopped; a thread past the end reports nothing.
    const slots = threads * 4;
    const memory = new SharedArrayBuffer(slots * FIELDS * Float64Array.BYTES_PER_ELEMENT);
    holder[MEMORY] = { figures: new Float64Array(memory), slots };
    holder[POOL] = new Piscina({
      filename: workerFile(),
      workerData: { memory, slots: new SharedArrayBuffer(4), nice: PDF_THREAD_NICE },
      minThreads: 1,
      maxThreads: threads,
      // A queued render waits for a thread; a worker's fonts and modules stay loaded between jobs.
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: PDF_THREAD_OLD_SPACE_MB },
    });
  }
  return holder[POOL]!;
}

/** Renders a report's PDF in the pool; the same bytes as renderPartnerReportPdf / renderEcosystemReportPdf. */
export async function renderPdfInPool(job: PdfJob): Promise<Buffer> {
  const pdf = (await pdfPool().run(job)) as Uint8Array;
  return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}

export function renderPartnerPdf(report: PartnerReport) {
  return renderPdfInPool({ kind: "partner", report });
}

export function renderEcosystemPdf(report: EcosystemReport) {
  return renderPdfInPool({ kind: "ecosystem", report });
}

export type PdfPoolMemory = {
  /** Threads that have rendered since the pool started. */
  threads: number;
  /** The largest heap limit of a thread (V8's heap_size_limit: old space plus young generation). */
  heapLimitBytes: number;
  /** V8 heap committed by the running threads after their last render, in bytes. */
  heapBytes: number;
  /** The largest heap one thread committed after a render. */
  peakThreadHeapBytes: number;
  /** Memory outside the threads' heaps (buffers, the layout engine's wasm memory) after their last render. */
  externalBytes: number;
  peakThreadExternalBytes: number;
};

/**
 * What the PDF threads hold, as they reported it after each render (zero before the first
 * render): how much of a process's memory is the pool's, for the batch's memory figures.
 */
export function pdfPoolMemory(): PdfPoolMemory {
  const memory = (globalThis as Holder)[MEMORY];
  const result: PdfPoolMemory = { threads: 0, heapLimitBytes: 0, heapBytes: 0, peakThreadHeapBytes: 0, externalBytes: 0, peakThreadExternalBytes: 0 };
  if (!memory) return result;
  for (let at = 0; at < memory.slots * FIELDS; at += FIELDS) {
    const [heap, peakHeap, external, peakExternal, limit] = memory.figures.subarray(at, at + FIELDS) as unknown as number[];
    if (!peakHeap) continue;
    result.threads++;
    result.heapLimitBytes = Math.max(result.heapLimitBytes, limit!);
    result.heapBytes += heap!;
    result.peakThreadHeapBytes = Math.max(result.peakThreadHeapBytes, peakHeap);
    result.externalBytes += external!;
    result.peakThreadExternalBytes = Math.max(result.peakThreadExternalBytes, peakExternal!);
  }
  return result;
}

/** Stops the pool's threads (server shutdown, end of a CLI or test); the next render starts a new one. */
export async function closePdfPool(): Promise<void> {
  const holder = globalThis as Holder;
  const pool = holder[POOL];
  delete holder[POOL];
  delete holder[MEMORY];
  await pool?.destroy();
}
