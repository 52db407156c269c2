// A PDF's text layer as copy, search and screen readers get it: every page's text items read
// with pdfjs, in order, whitespace collapsed. Takes the bytes or the HTTP response carrying them.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

export async function pdfText(pdf: Uint8Array | Buffer | Response): Promise<string> {
  const data = pdf instanceof Response ? new Uint8Array(await pdf.arrayBuffer()) : new Uint8Array(pdf);
  const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  await doc.destroy();
  return pages.join("\n").replace(/\s+/g, " ");
}
