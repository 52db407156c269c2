// The PDF building blocks both report documents share (@react-pdf/renderer): the bundled
// fonts, the palette and base styles, tables whose header repeats on every page they span, the
// page footer and sections. The ecosystem report flows with these; the partner report
// (partner-report-pdf.tsx) places its blocks on pages itself and uses the fonts and palette.
import { Font, StyleSheet, Text, View } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/types";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ReactNode } from "react";
import type { PaperSize } from "./contract";
import { setMeasureFonts, type MeasureFont } from "./pdf-text";

// ---------------------------------------------------------------------------------------------
// Paper (points): the program's paper size, A4 unless the program chose US Letter.

export const PAPER: Record<PaperSize, { width: number; height: number }> = {
  A4: { width: 595.28, height: 841.89 },
  Letter: { width: 612, height: 792 },
};

/** react-pdf's page size for the paper, as [width, height] points. */
export const pageSize = (paper: PaperSize | undefined): [number, number] => {
  const { width, height } = PAPER[paper ?? "A4"];
  return [width, height];
};

// ---------------------------------------------------------------------------------------------
// Fonts: DejaVu Sans ships with the app (fonts/, Bitstream Vera licence) so that any partner
// name renders — "Łódź Systems", "Ærø Partners" — and rendering never touches the network.

export const FONT_FAMILY = "DejaVu Sans";

function fontDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From the source tree (tsx, vitest) the fonts sit beside this module. In the server build
  // this module is bundled into build/server/index.js, whose neighbour is not fonts/: the
  // fonts are then read from the source tree the build was made from.
  const candidates = [path.join(here, "fonts"), path.resolve(here, "../../app/reports/fonts")];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "DejaVuSans.ttf")));
  if (!found) throw new Error(`The report fonts are missing: looked for DejaVuSans.ttf in ${candidates.join(", ")}`);
  return found;
}

let fontsRegistered = false;

export function registerReportFonts() {
  if (fontsRegistered) return;
  const dir = fontDirectory();
  Font.register({
    family: FONT_FAMILY,
    fonts: [
      { src: path.join(dir, "DejaVuSans.ttf"), fontWeight: "normal" },
      { src: path.join(dir, "DejaVuSans-Bold.ttf"), fontWeight: "bold" },
    ],
  });
  // Names, titles and amounts are never hyphenated: "Harbor-line" would read as a typo.
  Font.registerHyphenationCallback((word) => [word]);
  fontsRegistered = true;
}

// Per-render costs of the embedded fonts, paid once per process instead (profiled: ~15% of a
// report's render), and one correction the shared font object needs. The tweaks leave every
// glyph and position the PDF gets unchanged.
//
// 0. Text layer: the fontkit font is shared by every PDF of the process, and fontkit keeps one
//    glyph object per glyph id with the characters it was first created for. Embedding a
//    document's font subset creates the components of accented glyphs ("ź" is "z" plus an
//    accent) with no characters at all; a later document that draws "z" then got that object,
//    and its ToUnicode map gave "z" no text: copy and search saw "Hori onstack". Every glyph
//    that has a character is therefore created from its character before any document is drawn.
//
// 1. Shaping: textkit asks fontkit to shape every text run on every render, and DejaVu's
//    OpenType tables make that slow. A GlyphRun is never mutated by react-pdf (textkit maps its
//    positions into new objects; the renderer copies the glyph array before touching it), so
//    the same string with the same features can share one. The cache keeps the most recently
//    used runs (LayoutCache): a run costs ~2.4 KB of heap in every PDF thread, and the strings
//    that repeat from report to report (labels, headings, months, round figures) are a few
//    hundred — 2,000 runs per font keep 99% of the hits of 20,000 (300-partner batch: 6,569
//    misses instead of 6,250 in 40,713 layouts) in 5 instead of 48 MB.
// 2. pdfkit's doc.font(fontkitFont), called for every text run, builds a new EmbeddedFont and
//    compares it with the cached one by JSON.stringify-ing the whole `name` table (DejaVu's
//    holds its licence text). A toJSON on those records makes that comparison cheap: it still
//    tells fonts apart by their PostScript name, version and table checksum.
// 3. Embedding: pdfkit embeds a subset of each font in every PDF, and fontkit's subsetter
//    decodes every glyph it copies (all its outline points, through restructure) only to learn
//    whether the glyph is composite: ~4% of a median report's CPU. A glyph's decoded outline
//    never changes and nothing mutates it, so each glyph keeps the one it decoded first (the few
//    hundred glyphs the reports use: well under 1 MB per font).
// 4. Metrics: textkit reads unitsPerEm for every text run it substitutes fonts in and every
//    glyph run it slices, and asks hasGlyphForCodePoint for every character; fontkit answers
//    through two getters and a table lookup, or a cmap search, each time (~2% of a render).
//    The metrics of a font that is not variable are constants: they become plain values, and
//    the code point answers are kept.
export const LAYOUT_CACHE_LIMIT = 2_000;
let fontsPrepared: Promise<void> | null = null;
const layoutCaches: LayoutCache<unknown>[] = [];

/** A map that keeps at most `limit` entries, dropping the least recently used one. */
export class LayoutCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(readonly limit: number) {}

  get size() {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // A Map iterates in insertion order: re-inserting makes this the newest entry.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V) {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }
}

/** How many text runs each prepared font holds (the bound is LAYOUT_CACHE_LIMIT). */
export function layoutCacheSizes(): number[] {
  return layoutCaches.map((cache) => cache.size);
}

type FontkitGlyph = { _decode: () => unknown };

type FontkitFont = MeasureFont & {
  characterSet: number[];
  getGlyph: (id: number, characters?: number[]) => FontkitGlyph | null;
  hasGlyphForCodePoint: (codePoint: number) => boolean;
  postscriptName?: string;
  version?: string | number;
  name?: { records?: object };
  layout: (string: string, features?: unknown, script?: string, language?: string, direction?: string) => unknown;
};

function prepareFont(font: FontkitFont) {
  for (const codePoint of font.characterSet) font.glyphForCodePoint(codePoint);
  const records = font.name?.records; // decodes the table now, not in the first render
  if (records && !Object.prototype.hasOwnProperty.call(records, "toJSON")) {
    const identity = `${font.postscriptName ?? ""}|${String(font.version ?? "")}`;
    Object.defineProperty(records, "toJSON", { value: () => identity, enumerable: false });
  }
  const layout = font.layout.bind(font);
  const cache = new LayoutCache<unknown>(LAYOUT_CACHE_LIMIT);
  layoutCaches.push(cache);
  font.layout = (string, features, script, language, direction) => {
    if (typeof string !== "string") return layout(string, features, script, language, direction);
    const key = `${string}\u0000${features === undefined ? "" : JSON.stringify(features)}\u0000${script ?? ""}\u0000${language ?? ""}\u0000${direction ?? ""}`;
    let run = cache.get(key);
    if (run === undefined) {
      run = layout(string, features, script, language, direction);
      cache.set(key, run);
    }
    return run;
  };

  const getGlyph = font.getGlyph.bind(font);
  font.getGlyph = (id, characters) => {
    const glyph = getGlyph(id, characters);
    if (glyph && !Object.prototype.hasOwnProperty.call(glyph, "_decode")) {
      const decode = glyph._decode.bind(glyph);
      let decoded: { value: unknown } | null = null;
      glyph._decode = () => (decoded ??= { value: decode() }).value;
    }
    return glyph;
  };

  const metrics = font as unknown as Record<string, unknown>;
  if (!("variationAxes" in font) || Object.keys((font as { variationAxes: object }).variationAxes).length === 0) {
    for (const key of ["unitsPerEm", "ascent", "descent", "lineGap", "capHeight", "xHeight"]) {
      Object.defineProperty(font, key, { value: metrics[key], enumerable: true });
    }
  }
  const hasGlyph = font.hasGlyphForCodePoint.bind(font);
  const answers = new Map<number, boolean>();
  font.hasGlyphForCodePoint = (codePoint) => {
    let answer = answers.get(codePoint);
    if (answer === undefined) answers.set(codePoint, (answer = hasGlyph(codePoint)));
    return answer;
  };
}

/** Registers the fonts, loads them and applies the once-per-process tweaks above. */
export function prepareReportFonts(): Promise<void> {
  registerReportFonts();
  fontsPrepared ??= (async () => {
    const loaded: FontkitFont[] = [];
    for (const fontWeight of [400, 700]) {
      const source = Font.getFont({ fontFamily: FONT_FAMILY, fontWeight }) as unknown as { load(): Promise<void>; data: FontkitFont | null } | undefined;
      if (!source) throw new Error(`The ${FONT_FAMILY} ${fontWeight} font is not registered.`);
      await source.load();
      if (!source.data || typeof source.data.layout !== "function") throw new Error(`${FONT_FAMILY} ${fontWeight} did not load.`);
      prepareFont(source.data);
      loaded.push(source.data);
    }
    setMeasureFonts(loaded[0]!, loaded[1]!);
  })().catch((error) => {
    fontsPrepared = null;
    throw error;
  });
  return fontsPrepared;
}

// ---------------------------------------------------------------------------------------------
// Palette and shared styles (the portal's colours, app/styles/app.css).

export const COLOR = {
  text: "#1b2030",
  muted: "#5b6378",
  border: "#dfe3ec",
  brand: "#3b4cca",
  brandSoft: "#e8ebff",
  brandLight: "#b9c0ea",
  ok: "#1f7a4d",
  okSoft: "#e3f5ec",
  warn: "#8a5a00",
  warnSoft: "#fff3d6",
  danger: "#b42318",
  dangerSoft: "#fde8e6",
  surface: "#f6f7fb",
  track: "#e6e9f2",
};

export const s = StyleSheet.create({
  page: { fontFamily: FONT_FAMILY, fontSize: 9, color: COLOR.text, paddingTop: 36, paddingBottom: 54, paddingHorizontal: 40 },
  header: { flexDirection: "row", justifyContent: "space-between", alignItems: "flex-end", borderBottomWidth: 2, borderBottomColor: COLOR.brand, paddingBottom: 10, marginBottom: 14 },
  eyebrow: { fontSize: 8, color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.8, marginBottom: 3 },
  title: { fontSize: 20, fontWeight: "bold", color: COLOR.text, lineHeight: 1.2 },
  subtitle: { fontSize: 11, color: COLOR.muted, marginTop: 2 },
  badge: { fontSize: 9, fontWeight: "bold", color: COLOR.brand, backgroundColor: COLOR.brandSoft, borderRadius: 9, paddingVertical: 3, paddingHorizontal: 9, alignSelf: "flex-end" },
  headerRight: { alignItems: "flex-end", maxWidth: 200 },
  headerFact: { fontSize: 8, color: COLOR.muted, marginTop: 4, textAlign: "right" },
  section: { marginBottom: 14 },
  h2: { fontSize: 11.5, fontWeight: "bold", marginBottom: 6, color: COLOR.text },
  note: { fontSize: 7.5, color: COLOR.muted, marginTop: 4 },
  tiles: { flexDirection: "row", marginBottom: 14, marginHorizontal: -3 },
  tile: { flex: 1, marginHorizontal: 3, borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 7, backgroundColor: "#ffffff" },
  tileLabel: { fontSize: 7.5, color: COLOR.muted, marginBottom: 3, minHeight: 18 },
  tileValue: { fontSize: 14, fontWeight: "bold" },
  tileDelta: { fontSize: 7.5, marginTop: 3 },
  tileNote: { fontSize: 6.5, color: COLOR.muted, marginTop: 2 },
  table: { borderTopWidth: 1, borderTopColor: COLOR.border },
  thead: { flexDirection: "row", backgroundColor: COLOR.surface, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  th: { fontSize: 7, fontWeight: "bold", color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.4, paddingVertical: 4, paddingHorizontal: 5 },
  tr: { flexDirection: "row", borderBottomWidth: 1, borderBottomColor: COLOR.border },
  td: { fontSize: 8.5, paddingVertical: 4, paddingHorizontal: 5 },
  empty: { fontSize: 9, color: COLOR.muted, paddingVertical: 6 },
  footer: { position: "absolute", left: 40, right: 40, bottom: 24, flexDirection: "row", justifyContent: "space-between", fontSize: 7.5, color: COLOR.muted, borderTopWidth: 1, borderTopColor: COLOR.border, paddingTop: 6 },
  columns: { flexDirection: "row", marginHorizontal: -8 },
  column: { flex: 1, marginHorizontal: 8 },
  panel: { borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 10, backgroundColor: COLOR.surface, marginBottom: 14 },
});

/** A column's header and cell styles, shared by every table and render with that column shape. */
const columnStyles = new Map<string, { th: Style[]; td: Style[] }>();
function columnStyle(flex: number, align: "left" | "right" = "left") {
  const key = `${flex}|${align}`;
  let styles = columnStyles.get(key);
  if (!styles) {
    const shape: Style = { flex, textAlign: align };
    styles = { th: [s.th, shape], td: [s.td, shape] };
    columnStyles.set(key, styles);
  }
  return styles;
}

// ---------------------------------------------------------------------------------------------
// Flowing building blocks (the ecosystem report).

export type Column<T> = {
  header: string;
  /** Share of the table width (flex grow). */
  flex: number;
  align?: "left" | "right";
  cell: (row: T) => string;
  cellStyle?: (row: T) => Style | undefined;
};

/**
 * A table whose header row repeats on every page it spans (`fixed` inside the table) and
 * whose rows never split across a page break (`wrap={false}`).
 */
export function PdfTable<T>({ columns, rows, rowKey, empty, rowStyle }: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  empty: string;
  rowStyle?: (row: T) => Style | undefined;
}) {
  if (rows.length === 0) return <Text style={s.empty}>{empty}</Text>;
  return (
    <View style={s.table}>
      <View style={s.thead} fixed minPresenceAhead={22}>
        {columns.map((c) => (
          <Text key={c.header} style={columnStyle(c.flex, c.align).th}>
            {c.header}
          </Text>
        ))}
      </View>
      {rows.map((row) => (
        <View key={rowKey(row)} style={withStyle(s.tr, rowStyle?.(row))} wrap={false}>
          {columns.map((c) => {
            const base = columnStyle(c.flex, c.align).td;
            const extra = c.cellStyle?.(row);
            return (
              <Text key={c.header} style={extra ? [...base, extra] : base}>
                {c.cell(row)}
              </Text>
            );
          })}
        </View>
      ))}
    </View>
  );
}

function withStyle(base: Style, extra: Style | undefined): Style | Style[] {
  return extra ? [base, extra] : base;
}

/**
 * The page footer. A document that places its own page breaks passes its "Page n of m" as
 * `page`; without it react-pdf fills the numbers in, which costs a second layout of every page.
 */
export function Footer({ left, page, inset }: { left: string; page?: string; inset?: number }) {
  return (
    <View style={inset === undefined ? s.footer : [s.footer, { left: inset, right: inset }]} fixed>
      <Text>{left}</Text>
      {page ? <Text>{page}</Text> : <Text render={({ pageNumber, totalPages }) => `Page ${pageNumber} of ${totalPages}`} />}
    </View>
  );
}

export function Section({ title, children, breakBefore }: { title: string; children: ReactNode; breakBefore?: boolean }) {
  return (
    <View style={s.section} break={breakBefore}>
      {/* Keep a heading with at least the first rows of what it introduces. */}
      <Text style={s.h2} minPresenceAhead={90}>
        {title}
      </Text>
      {children}
    </View>
  );
}
