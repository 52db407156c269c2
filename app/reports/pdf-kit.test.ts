// The shaped-text cache of the report fonts (pdf-kit.tsx) is bounded: every PDF thread keeps it
// for its whole life, and a monthly run lays out tens of thousands of distinct strings (names,
// amounts), so an unbounded or 20,000-run cache holds tens of MB per thread. It keeps the runs
// used most recently, which are the strings every report repeats.
import { Font } from "@react-pdf/renderer";
import { beforeAll, describe, expect, it } from "vitest";
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
