// The shaped-text cache of the report fonts (pdf-kit.tsx) is bounded: every PDF thread keeps it
// for its whole life, and a monthly run lays out tens of thousands of distinct strings (names,
// amounts), so an unbounded or 20,000-run cache holds tens of MB per thread. It keeps the runs
// used most recently, which are the strings every report repeats. The fonts also keep what
// embedding and text layout would otherwise work out again for every PDF (pdf-kit.tsx, 3 and 4).
import { Font } from "@react-pdf/renderer";
import { beforeAll, describe, expect, it } from "vitest";
import { closeDatabase } from "../db.server";
import { renderPartnerReportPdf } from "./partner-report-pdf";
import { buildPartnerReport } from "./partner-report.server";
import { comparablePdf, createRenderWorld, NOW, PERIOD, pdfPages } from "./report-render.fixture";
import { FONT_FAMILY, LAYOUT_CACHE_LIMIT, LayoutCache, layoutCacheSizes, prepareReportFonts } from "./pdf-kit";

beforeAll(() => prepareReportFonts());

describe("LayoutCache", () => {
  it("keeps at most its limit, dropping the least recently used entry", () => {
    const cache = new LayoutCache<number>(3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toBe(1); // now the newest
    cache.set("d", 4);
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([1, 3, 4]);
    cache.set("c", 30); // replacing an entry does not drop another
    expect(cache.size).toBe(3);
    expect(cache.get("c")).toBe(30);
  });
});

describe("the report fonts' layout cache", () => {
  it("holds at most LAYOUT_CACHE_LIMIT runs per font and keeps a string that every report lays out", () => {
    expect(LAYOUT_CACHE_LIMIT).toBeLessThanOrEqual(2_000);
    const font = (Font.getFont({ fontFamily: FONT_FAMILY, fontWeight: 400 }) as unknown as { data: { layout(text: string): unknown } }).data;
    const label = "Registrations this month";
    const first = font.layout(label);
    for (let i = 0; i < LAYOUT_CACHE_LIMIT * 1.5; i++) {
      font.layout(`Deal ${i} for Partner ${i * 7}`);
      // A label every report repeats stays cached while one-off strings come and go.
      // (Compared by identity: a failing toBe would print two huge glyph runs.)
      if (i % 500 === 0) expect(font.layout(label) === first, `"${label}" laid out again after ${i} others`).toBe(true);
    }
    expect(font.layout(label) === first).toBe(true);
    const sizes = layoutCacheSizes();
    expect(sizes).toHaveLength(2); // regular and bold
    expect(Math.max(...sizes)).toBe(LAYOUT_CACHE_LIMIT);
  });
});

describe("the report fonts' once-per-process work", () => {
  type Glyph = { id: number; _decode(): { numberOfContours: number } | null };
  type LoadedFont = { unitsPerEm: number; glyphForCodePoint(codePoint: number): Glyph; getGlyph(id: number): Glyph };
  const loaded = (fontWeight: number) => (Font.getFont({ fontFamily: FONT_FAMILY, fontWeight }) as unknown as { data: LoadedFont }).data;

  it("decodes a glyph's outline once for every PDF it is embedded in, and the PDFs keep their text", async () => {
    const world = createRenderWorld();
    const report = buildPartnerReport(world.db, world.lodz.id, PERIOD, { now: NOW });
    const first = await renderPartnerReportPdf(report);
    const font = loaded(400);
    // "Ł" is a simple glyph, "ź" a composite one (a "z" and an accent) in DejaVu Sans.
    for (const char of ["Ł", "ź"]) {
      const glyph = font.getGlyph(font.glyphForCodePoint(char.codePointAt(0)!).id);
      const outline = glyph._decode();
      expect(outline, `${char} has an outline`).not.toBeNull();
      expect(glyph._decode() === outline, `${char} decoded again`).toBe(true);
    }
    const second = await renderPartnerReportPdf(report);
    // The same document, but for its creation date and file ID.
    expect(comparablePdf(second) === comparablePdf(first), "a second render of the same report differs").toBe(true);
    const text = (await pdfPages(second)).join(" ");
    expect(text).toContain("Łódź Systems");
    expect(text).toContain("Kraków Foods — Platform");
    closeDatabase(world.db);
  });

  it("answers a font's metrics as plain values, the ones fontkit reads from its tables", () => {
    for (const weight of [400, 700]) {
      const font = loaded(weight);
      const own = Object.getOwnPropertyDescriptor(font, "unitsPerEm");
      expect(own && "value" in own, "unitsPerEm is read through fontkit's getters on every run").toBe(true);
      for (const key of ["unitsPerEm", "ascent", "descent", "lineGap", "capHeight", "xHeight"]) {
        expect((font as unknown as Record<string, unknown>)[key], key).toBe(Reflect.get(Object.getPrototypeOf(font), key, font));
      }
    }
  });
});
