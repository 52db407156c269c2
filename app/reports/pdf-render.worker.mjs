// One thread of the PDF pool (pdf-pool.server.ts). Plain ESM so that piscina can load it in any
// host — the tsx server, the Vite server build, vitest: it registers tsx itself and then imports
// the renderers from the source tree, the same modules a direct render uses.
import os from "node:os";
import v8 from "node:v8";
import { register } from "tsx/esm/api";
import { Piscina, workerData } from "piscina";

// This thread yields the CPU to the process's main thread (on Linux a nice value is a thread's
// own): a month of reports rendering inside the server must not slow its pages. Elsewhere
// (macOS: the nice value is the whole process's) and where the system refuses, the thread
// renders at normal priority.
if (process.platform === "linux" && typeof workerData?.nice === "number") {
  try {
    os.setPriority(0, workerData.nice);
  } catch {
    // not permitted here: keep the inherited priority
  }
}

// React's production build, whatever the process runs as: a thread's process.env is its own copy,
// so this changes nothing outside the thread. The monthly run (`npm run reports`) and the
// development server start without NODE_ENV, and React's development build, with its checks on
// every element, cost ~5 of ~55 CPU ms per median partner report (4 interleaved runs of 60
// renders in a PDF thread); the PDFs are the same bytes. The checks still run where documents
// are rendered on the main thread (the renderers' tests).
process.env.NODE_ENV = "production";

register();
const [{ renderPartnerReportPdf }, { renderEcosystemReportPdf }] = await Promise.all([
  import("./partner-report-pdf.tsx"),
  import("./ecosystem-report-pdf.tsx"),
]);

// This thread's slot in the pool's shared memory figures (pdf-pool.server.ts, pdfPoolMemory):
// its V8 heap, committed and peak, the memory outside the heap (buffers, the layout engine's
// wasm memory) and its heap limit, written after each render, when the render's garbage is still in the heap.
const figures = workerData?.memory instanceof SharedArrayBuffer ? new Float64Array(workerData.memory) : null;
const slot = figures ? Atomics.add(new Int32Array(workerData.slots), 0, 1) : -1;
const FIELDS = 5;

function recordMemory() {
  if (!figures || slot < 0 || (slot + 1) * FIELDS > figures.length) return;
  const heap = v8.getHeapStatistics();
  const at = slot * FIELDS;
  figures[at] = heap.total_heap_size;
  figures[at + 1] = Math.max(figures[at + 1], heap.total_heap_size);
  figures[at + 2] = heap.external_memory;
  figures[at + 3] = Math.max(figures[at + 3], heap.external_memory);
  figures[at + 4] = heap.heap_size_limit;
}

process.on("exit", () => {
  if (figures && slot >= 0 && (slot + 1) * FIELDS <= figures.length) figures[slot * FIELDS] = figures[slot * FIELDS + 2] = 0;
});

/** @param {{ kind: "partner" | "ecosystem", report: unknown }} job */
export default async function renderPdf({ kind, report }) {
  const pdf = kind === "partner" ? await renderPartnerReportPdf(report) : await renderEcosystemReportPdf(report);
  recordMemory();
  const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  // The bytes move to the caller's thread instead of being copied.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return Piscina.move(own);
}
