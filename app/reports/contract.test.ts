// The report contract's pure helpers: the period check, the figure texts and the chart axis.
import { describe, expect, it } from "vitest";
import { axisTicks, barChartGeometry, countText, hhiText, hhiWhole, niceCeiling, orDash, ReportError, validateReportPeriod } from "./contract";

describe("validateReportPeriod", () => {
  const now = new Date("2026-11-15T12:00:00Z");
  it("takes a month that has started", () => {
    expect(validateReportPeriod("2026-10", now)).toBe("2026-10");
    expect(validateReportPeriod("2026-11", now)).toBe("2026-11");
  });
  it("refuses a malformed, a too early and a future month with a 400", () => {
    for (const bad of ["2026-13", "26-10", "1999-12", "2026-12"]) {
      expect(() => validateReportPeriod(bad, now)).toThrow(ReportError);
    }
    expect(() => validateReportPeriod("2026-12", now)).toThrow("December 2026 has not started yet");
    try {
      validateReportPeriod("x", now);
    } catch (error) {
      expect((error as ReportError).status).toBe(400);
    }
  });
});

describe("figure texts", () => {
  it("prints HHI whole, with or without separators, and a dash for nothing", () => {
    expect(hhiWhole(1561.4)).toBe("1561");
    expect(hhiText(1561.4)).toBe("1,561");
    expect(hhiText(10_000)).toBe("10,000");
    expect(hhiWhole(null)).toBe("—");
    expect(hhiText(null)).toBe("—");
    expect(orDash(0, String)).toBe("0");
    expect(countText(1234567)).toBe("1,234,567");
  });
});

describe("the chart axis", () => {
  it("tops at the smallest 1/2/2.5/5 × 10^k at or above the highest bar", () => {
    expect(niceCeiling(1)).toBe(1);
    expect(niceCeiling(1_234_500)).toBe(2_000_000);
    expect(niceCeiling(2_100_000)).toBe(2_500_000);
    expect(niceCeiling(3_000_000)).toBe(5_000_000);
    expect(niceCeiling(5_000_001)).toBe(10_000_000);
    expect(niceCeiling(10_000_000)).toBe(10_000_000);
  });
  it("tops an empty chart at the renderer's choice ($1,000 unless told)", () => {
    expect(niceCeiling(0)).toBe(100_000);
    expect(niceCeiling(0, 100)).toBe(100);
  });
  it("spaces the ticks evenly from 0, exactly the fractions of the top", () => {
    expect(axisTicks(2_000_000, 2)).toEqual([0, 1_000_000, 2_000_000]);
    const max = 2_500_000;
    expect(axisTicks(max, 4)).toEqual([0, 0.25, 0.5, 0.75, 1].map((f) => max * f));
  });
});

describe("the bar chart's geometry", () => {
  const chart = (bars: number, minBarWidth?: number) =>
    barChartGeometry({ width: 640, height: 220, pad: { top: 16, right: 8, bottom: 34, left: 60 }, bars, max: 1_000, barShare: 0.5, minBarWidth });

  it("centres each bar in its slot, slots filling the plot from the left padding", () => {
    const g = chart(12);
    expect(g.slot).toBeCloseTo((640 - 60 - 8) / 12);
    expect(g.barW).toBeCloseTo(g.slot / 2);
    expect(g.barX(0)).toBeCloseTo(60 + g.slot / 4);
    expect(g.slotCentre(11)).toBeCloseTo(60 + 11.5 * g.slot);
    expect(g.barX(3) + g.barW / 2).toBeCloseTo(g.slotCentre(3));
  });

  it("puts 0 on the baseline and the axis top on the top padding", () => {
    const g = chart(12);
    expect(g.baseline).toBe(220 - 34);
    expect(g.y(0)).toBe(g.baseline);
    expect(g.y(1_000)).toBe(16);
  });

  it("draws nothing for 0, at least one unit for a tiny value, and to scale otherwise", () => {
    const g = chart(12);
    expect(g.barHeight(0)).toBe(0);
    expect(g.barHeight(0.001)).toBe(1);
    expect(g.barHeight(500)).toBeCloseTo(g.plotH / 2);
  });

  it("keeps a bar at least as wide as asked when the slots are narrow", () => {
    expect(chart(400, 4).barW).toBe(4);
    expect(chart(0).slot).toBe(640 - 60 - 8);
  });
});
