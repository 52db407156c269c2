// Text measurement for the fixed-layout partner report (partner-report-pdf.tsx): how wide a
// string is in the report font, how many lines it takes in a given width, and the longest
// prefix that fits one line with an ellipsis. The partner report decides its own page breaks
// from these figures instead of letting react-pdf lay every page out several times over.
//
// Widths are the sum of the glyphs' advance widths (plus letter spacing). Kerning only ever
// tightens DejaVu's pairs, so a measured width is never narrower than the rendered one; line
// counts use a slightly narrower line than the real one, so they never come out lower than
// react-pdf's own line breaking. The callers also give every measured text maxLines, so a
// mismatch could only shorten a line, never push content into the next block.

export type MeasureFont = {
  unitsPerEm: number;
  glyphForCodePoint(codePoint: number): { advanceWidth: number };
};

export type TextStyle = { fontSize: number; bold?: boolean; letterSpacing?: number; upperCase?: boolean };

type Metrics = { font: MeasureFont; advances: Map<number, number> };

const fonts: { normal: Metrics | null; bold: Metrics | null } = { normal: null, bold: null };

/** Called once the report fonts are loaded (prepareReportFonts). */
export function setMeasureFonts(normal: MeasureFont, bold: MeasureFont) {
  fonts.normal = { font: normal, advances: new Map() };
  fonts.bold = { font: bold, advances: new Map() };
}

function metrics(bold: boolean | undefined): Metrics {
  const m = bold ? fonts.bold : fonts.normal;
  if (!m) throw new Error("The report fonts are not loaded yet: await prepareReportFonts() before measuring text.");
  return m;
}

/** Advance width of one code point in font units (cached per font). */
function advance(m: Metrics, codePoint: number): number {
  let width = m.advances.get(codePoint);
  if (width === undefined) {
    width = m.font.glyphForCodePoint(codePoint).advanceWidth;
    m.advances.set(codePoint, width);
  }
  return width;
}

/** The width of `text` on one line, in points. */
export function textWidth(text: string, style: TextStyle): number {
  const m = metrics(style.bold);
  const value = style.upperCase ? text.toUpperCase() : text;
  let units = 0;
  let count = 0;
  for (const char of value) {
    units += advance(m, char.codePointAt(0)!);
    count += 1;
  }
  return (units / m.font.unitsPerEm) * style.fontSize + count * (style.letterSpacing ?? 0);
}

/** react-pdf breaks at spaces (hyphenation is off); 2% of slack covers its other choices. */
const SLACK = 0.98;

/** How many lines `text` takes in `width` points (at least 1), breaking between words. */
export function lineCount(text: string, width: number, style: TextStyle): number {
  const available = width * SLACK;
  const space = textWidth(" ", style);
  let lines = 1;
  let used = 0;
  for (const paragraph of text.split("\n").entries()) {
    if (paragraph[0] > 0) {
      lines += 1;
      used = 0;
    }
    for (const word of paragraph[1].split(/ +/)) {
      if (word === "") continue;
      const w = textWidth(word, style);
      if (used === 0) {
        // A word longer than the line is broken inside it: it takes several lines itself.
        lines += Math.max(0, Math.ceil(w / available) - 1);
        used = w > available ? w % available : w;
      } else if (used + space + w <= available) {
        used += space + w;
      } else {
        lines += 1 + Math.max(0, Math.ceil(w / available) - 1);
        used = w > available ? w % available : w;
      }
    }
  }
  return lines;
}

const ELLIPSIS = "…";

/** `text` if it fits one line of `width` points, otherwise its longest prefix that fits with "…". */
export function fitLine(text: string, width: number, style: TextStyle): string {
  const available = width * SLACK;
  if (textWidth(text, style) <= available) return text;
  const room = available - textWidth(ELLIPSIS, style);
  const m = metrics(style.bold);
  let used = 0;
  let end = 0;
  for (const char of style.upperCase ? text.toUpperCase() : text) {
    const w = (advance(m, char.codePointAt(0)!) / m.font.unitsPerEm) * style.fontSize + (style.letterSpacing ?? 0);
    if (used + w > room) break;
    used += w;
    end += char.length;
  }
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}
