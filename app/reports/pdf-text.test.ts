// Text measurement in the report font (pdf-text.ts), which the partner report's page plan
// stands on: widths scale with the size and the text, lines break between words, and a cut
// line fits its width and ends with an ellipsis.
import { beforeAll, describe, expect, it } from "vitest";
import { prepareReportFonts } from "./pdf-kit";
import { fitLine, lineCount, textWidth } from "./pdf-text";

beforeAll(() => prepareReportFonts());

describe("textWidth", () => {
  it("grows with the text, the size, bold, letter spacing and capitals", () => {
    const base = textWidth("Partner report", { fontSize: 10 });
    expect(base).toBeGreaterThan(40);
    expect(textWidth("Partner report", { fontSize: 20 })).toBeCloseTo(base * 2, 5);
    expect(textWidth("Partner report, October", { fontSize: 10 })).toBeGreaterThan(base);
    expect(textWidth("Partner report", { fontSize: 10, bold: true })).toBeGreaterThan(base);
    expect(textWidth("Partner report", { fontSize: 10, letterSpacing: 1 })).toBeCloseTo(base + 14, 5);
    expect(textWidth("Partner report", { fontSize: 10, upperCase: true })).toBeGreaterThan(base);
    expect(textWidth("iiii", { fontSize: 10 })).toBeLessThan(textWidth("WWWW", { fontSize: 10 }));
    expect(textWidth("", { fontSize: 10 })).toBe(0);
  });

  it("measures letters outside Latin-1", () => {
    expect(textWidth("Łódź", { fontSize: 10 })).toBeGreaterThan(textWidth("Ło", { fontSize: 10 }));
  });
});

describe("lineCount", () => {
  const style = { fontSize: 10 };

  it("puts words on one line while they fit and breaks between them", () => {
    const word = textWidth("word", style);
    const space = textWidth(" ", style);
    expect(lineCount("word word", 200, style)).toBe(1);
    // Room for two words and the space between them, not three.
    const width = (2 * word + space) / 0.98 + 1;
    expect(lineCount("word word", width, style)).toBe(1);
    expect(lineCount("word word word", width, style)).toBe(2);
    expect(lineCount("word word word word word", width, style)).toBe(3);
  });

  it("counts line breaks and words longer than the line", () => {
    expect(lineCount("one\ntwo", 500, style)).toBe(2);
    expect(lineCount("x".repeat(60), textWidth("x".repeat(20), style), style)).toBe(4);
  });
});

describe("fitLine", () => {
  const style = { fontSize: 9 };

  it("keeps a text that fits and cuts one that does not, within the width", () => {
    expect(fitLine("Kraków Foods", 200, style)).toBe("Kraków Foods");
    const cut = fitLine("Kraków Foods — Platform expansion for the whole region", 100, style);
    expect(cut).toMatch(/^Kraków Foods.*…$/);
    expect(textWidth(cut, style)).toBeLessThanOrEqual(100);
    expect(fitLine("Kraków Foods", 5, style)).toBe("…");
  });
});
