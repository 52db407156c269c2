import { describe, expect, it } from "vitest";
import { computeConcentration, gini, headAndTail, hhiBand, lorenzCurve, paretoCurve } from "./concentration";

describe("concentration on hand-worked examples", () => {
  it("equal shares: HHI = 10,000/n, effective n, Gini 0", () => {
    const c = computeConcentration([100, 100, 100, 100, 100]);
    expect(c.hhi).toBeCloseTo(2000); // 5 × 20² = 2,000
    expect(c.band).toBe("highly_concentrated");
    expect(c.effectivePartners).toBeCloseTo(5);
    expect(c.top20Count).toBe(1);
    expect(c.top20Share).toBeCloseTo(0.2);
    expect(c.n80).toBe(4); // 20, 40, 60, 80%
    expect(c.gini).toBeCloseTo(0);
    expect(c.largestShare).toBeCloseTo(0.2);
    expect(c.largestShareAlert).toBe(false);
  });

  it("one partner: HHI 10,000, everything in one", () => {
    const c = computeConcentration([12345]);
    expect(c.hhi).toBeCloseTo(10_000);
    expect(c.effectivePartners).toBeCloseTo(1);
    expect(c.n80).toBe(1);
    expect(c.top20Share).toBeCloseTo(1);
    expect(c.gini).toBe(0);
    expect(c.largestShareAlert).toBe(true);
  });

  it("80/20: two of ten partners hold 80%", () => {
    // 40, 40, then eight partners with 2.5 each.
    const revenues = [4000, 4000, ...Array(8).fill(250)];
    const c = computeConcentration(revenues);
    expect(c.top20Count).toBe(2);
    expect(c.top20Share).toBeCloseTo(0.8);
    expect(c.n80).toBe(2);
    // HHI = 40² + 40² + 8 × 2.5² = 1600 + 1600 + 50 = 3,250
    expect(c.hhi).toBeCloseTo(3250);
    expect(c.effectivePartners).toBeCloseTo(10_000 / 3250);
    expect(c.largestShare).toBeCloseTo(0.4);
    expect(c.largestShareAlert).toBe(true);
    // Gini, x ascending: eight × 250 (i=1..8) then 4000 (i=9, 10); n = 10, Σx = 10,000.
    // Σ(2i−11)·x = 250·(−9−7−5−3−1+1+3+5) + 4000·(7+9) = 250·(−16) + 64,000 = 60,000 → 0.6
    expect(c.gini).toBeCloseTo(0.6);
  });

  it("zeros count as partners: they lower the top-20% bar and raise Gini", () => {
    const c = computeConcentration([100, 0, 0, 0, 0]);
    expect(c.n).toBe(5);
    expect(c.top20Share).toBeCloseTo(1);
    expect(c.n80).toBe(1);
    expect(c.gini).toBeCloseTo(0.8); // (n−1)/n for one holder
  });

  it("ties: N80 counts the fewest partners, whichever of the tied ones", () => {
    const c = computeConcentration([30, 30, 30, 10]);
    expect(c.n80).toBe(3); // 30 + 30 = 60% < 80%; + 30 = 90%
    expect(c.top20Count).toBe(1);
    expect(c.top20Share).toBeCloseTo(0.3);
  });

  it("an empty program, or one without revenue, has no shares", () => {
    for (const revenues of [[], [0, 0, 0]]) {
      const c = computeConcentration(revenues);
      expect(c.hhi).toBeNull();
      expect(c.band).toBeNull();
      expect(c.effectivePartners).toBeNull();
      expect(c.top20Share).toBeNull();
      expect(c.n80).toBeNull();
      expect(c.gini).toBe(0);
      expect(c.largestShareAlert).toBe(false);
    }
  });
});

describe("HHI bands (2023 US Merger Guidelines)", () => {
  it("puts the edges where the guidelines do", () => {
    expect(hhiBand(999.9)).toBe("unconcentrated");
    expect(hhiBand(1000)).toBe("moderately_concentrated");
    expect(hhiBand(1800)).toBe("moderately_concentrated");
    expect(hhiBand(1800.1)).toBe("highly_concentrated");
  });
});

describe("curves and the head/tail split", () => {
  it("Lorenz runs from (0,0) to (1,1), below the diagonal", () => {
    const points = lorenzCurve([4000, 4000, ...Array(8).fill(250)]);
    expect(points[0]).toEqual({ partners: 0, revenue: 0 });
    expect(points.at(-1)!.partners).toBeCloseTo(1);
    expect(points.at(-1)!.revenue).toBeCloseTo(1);
    expect(points[8].partners).toBeCloseTo(0.8);
    expect(points[8].revenue).toBeCloseTo(0.2);
    for (const p of points) expect(p.revenue).toBeLessThanOrEqual(p.partners + 1e-9);
  });

  it("Pareto: the top 20% bring 80%", () => {
    const points = paretoCurve([4000, 4000, ...Array(8).fill(250)]);
    expect(points[2].partners).toBeCloseTo(0.2);
    expect(points[2].revenue).toBeCloseTo(0.8);
  });

  it("samples long curves down to the requested number of points, keeping the ends", () => {
    const points = lorenzCurve(Array.from({ length: 10_000 }, (_, i) => i), 51);
    expect(points.length).toBeLessThanOrEqual(52);
    expect(points.at(-1)!.partners).toBe(1);
  });

  it("head is the N80 partners, the rest the long tail", () => {
    const rows = [5, 80, 10, 5].map((revenueCents, id) => ({ id, revenueCents }));
    const { head, tail } = headAndTail(rows);
    expect(head.map((r) => r.id)).toEqual([1]);
    expect(tail.map((r) => r.id).sort()).toEqual([0, 2, 3]);
  });

  it("Gini of a known distribution", () => {
    // x = 1, 2, 3, 4: Σ(2i−5)x = −3 −2 +3 +12 = 10; n·Σx = 40 → 0.25
    expect(gini([4, 1, 3, 2])).toBeCloseTo(0.25);
  });
});
