// One thread of the PDF pool (pdf-pool.server.ts). Plain ESM so that piscina can load it in any
// host — the tsx server, the Vite server build, vitest: it registers tsx itself and then imports
// the renderers from the source tree, the same modules a direct render uses.
import { register } from "tsx/esm/api";
import { Piscina } from "piscina";

register();
const [{ renderPartnerReportPdf }, { renderEcosystemReportPdf }] = await Promise.all([
  import("./partner-report-pdf.tsx"),
  import("./ecosystem-report-pdf.tsx"),
]);

/** @param {{ kind: "partner" | "ecosystem", report: unknown }} job */
export default async function renderPdf({ kind, report }) {
  const pdf = kind === "partner" ? await renderPartnerReportPdf(report) : await renderEcosystemReportPdf(report);
  const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  // The bytes move to the caller's thread instead of being copied.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  return Piscina.move(own);
}
