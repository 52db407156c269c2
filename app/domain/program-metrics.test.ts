// The pure program-metrics arithmetic, on hand-worked examples.
import { describe, expect, it } from "vitest";
import { medianOfHistogram } from "./program-metrics";

describe("medianOfHistogram", () => {
  it("is exact over counts", () => {
    expect(medianOfHistogram(new Map())).toBeNull();
    expect(medianOfHistogram(new Map([[7, 1]]))).toBe(7);
    expect(
      medianOfHistogram(
        new Map([
          [10, 1],
          [30, 1],
        ]),
      ),
    ).toBe(20);
    expect(
      medianOfHistogram(
        new Map([
          [30, 2],
          [10, 1],
        ]),
      ),
    ).toBe(30);
    expect(
      medianOfHistogram(
        new Map([
          [1, 2],
          [5, 2],
          [9, 0],
        ]),
      ),
    ).toBe(3);
  });
});
