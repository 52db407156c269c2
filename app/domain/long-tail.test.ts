import { describe, expect, it } from "vitest";
import {
  describeEvidence,
  LONG_TAIL_RULES,
  longTailFlags,
  median,
  programBaselines,
  type PartnerSignals,
  type ProgramBaselines,
} from "./long-tail";

const DAY = 86_400_000;
const AS_OF = new Date("2026-06-15T12:00:00Z");
const daysAgo = (d: number) => new Date(AS_OF.getTime() - d * DAY);
const joinedDaysAgo = (d: number) => daysAgo(d).toISOString().slice(0, 10);

/** A quiet, established partner that earns no flag. */
const base: PartnerSignals = {
  last3Cents: 0,
  prev3Cents: 0,
  wonDeals: 0,
  lostDeals: 0,
  joinedOn: joinedDaysAgo(800),
  registeredDeals: 20,
  lastActivityAt: daysAgo(10).getTime(),
};
const baselines: ProgramBaselines = { medianWinRate: 0.4, medianClosedDeals: 12 };
const flagsOf = (s: Partial<PartnerSignals>, b = baselines) => longTailFlags({ ...base, ...s }, b, AS_OF).map((e) => e.flag);

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("programBaselines", () => {
  it("takes the win-rate median over partners with 3+ closed deals and the volume median over partners with any", () => {
    const b = programBaselines([
      { wonDeals: 0, lostDeals: 0 }, // no closed deal: in neither median
      { wonDeals: 1, lostDeals: 0 }, // 1 closed: volume only
      { wonDeals: 1, lostDeals: 2 }, // 3 closed, 1/3
      { wonDeals: 3, lostDeals: 1 }, // 4 closed, 3/4
      { wonDeals: 5, lostDeals: 5 }, // 10 closed, 1/2
    ]);
    expect(b.medianWinRate).toBe(0.5);
    expect(b.medianClosedDeals).toBe(3.5);
    expect(programBaselines([])).toEqual({ medianWinRate: null, medianClosedDeals: null });
  });
});

describe("rising", () => {
  const floor = LONG_TAIL_RULES.risingFloorCents;
  it("needs 1.5× the 3 months before and the floor", () => {
    expect(flagsOf({ last3Cents: 1_500_000, prev3Cents: 1_000_000 })).toContain("rising");
    expect(flagsOf({ last3Cents: 1_499_999, prev3Cents: 1_000_000 })).not.toContain("rising");
    expect(flagsOf({ last3Cents: floor, prev3Cents: 0 })).toContain("rising");
    expect(flagsOf({ last3Cents: floor - 1, prev3Cents: 0 })).not.toContain("rising");
  });
  it("shows the numbers behind it", () => {
    const [e] = longTailFlags({ ...base, last3Cents: 3_000_000, prev3Cents: 1_000_000 }, baselines, AS_OF);
    expect(e).toEqual({ flag: "rising", last3Cents: 3_000_000, prev3Cents: 1_000_000, ratio: 3, floorCents: floor });
    expect(describeEvidence(e!)).toBe("$30,000 in the last 3 months vs $10,000 in the 3 before (×3.0); floor $10,000");
    const [fromZero] = longTailFlags({ ...base, last3Cents: 2_000_000 }, baselines, AS_OF);
    expect(fromZero).toMatchObject({ flag: "rising", ratio: null });
  });
});

describe("efficient", () => {
  it("needs 3+ closed deals, a win rate at or above the median and a volume below it", () => {
    expect(flagsOf({ wonDeals: 2, lostDeals: 3 })).toContain("efficient"); // 40% over 5 < 12
    expect(flagsOf({ wonDeals: 1, lostDeals: 3 })).not.toContain("efficient"); // 25% < 40%
    expect(flagsOf({ wonDeals: 2, lostDeals: 0 })).not.toContain("efficient"); // only 2 closed
    expect(flagsOf({ wonDeals: 10, lostDeals: 2 })).not.toContain("efficient"); // volume 12 = median
    expect(flagsOf({ wonDeals: 3, lostDeals: 0 }, { medianWinRate: null, medianClosedDeals: null })).not.toContain("efficient");
  });
  it("shows the numbers behind it", () => {
    const [e] = longTailFlags({ ...base, wonDeals: 3, lostDeals: 1 }, baselines, AS_OF);
    expect(e).toEqual({ flag: "efficient", winRate: 0.75, closedDeals: 4, medianWinRate: 0.4, medianClosedDeals: 12 });
    expect(describeEvidence(e!)).toBe("win rate 75% over 4 closed deals (program median 40%; median volume 12)");
  });
});

describe("ramping", () => {
  it("needs a join fewer than 180 days ago and a registered deal", () => {
    expect(flagsOf({ joinedOn: joinedDaysAgo(179), registeredDeals: 1 })).toContain("ramping");
    expect(flagsOf({ joinedOn: joinedDaysAgo(181), registeredDeals: 1 })).not.toContain("ramping");
    expect(flagsOf({ joinedOn: joinedDaysAgo(30), registeredDeals: 0 })).not.toContain("ramping");
  });
  it("shows the numbers behind it", () => {
    const e = longTailFlags({ ...base, joinedOn: "2026-05-01", registeredDeals: 2 }, baselines, AS_OF).find((x) => x.flag === "ramping")!;
    expect(e).toEqual({ flag: "ramping", joinedOn: "2026-05-01", daysSinceJoined: 45, registeredDeals: 2 });
    expect(describeEvidence(e)).toBe("joined 2026-05-01 (45 days ago), 2 deals registered");
  });
});

describe("dormant", () => {
  it("needs 90 days without a registration or touch", () => {
    expect(flagsOf({ lastActivityAt: daysAgo(90).getTime() })).toContain("dormant");
    expect(flagsOf({ lastActivityAt: daysAgo(89).getTime() })).not.toContain("dormant");
    expect(flagsOf({ lastActivityAt: null })).toContain("dormant");
  });
  it("does not call a partner that joined less than 90 days ago dormant", () => {
    expect(flagsOf({ lastActivityAt: null, joinedOn: joinedDaysAgo(30), registeredDeals: 0 })).toEqual([]);
  });
  it("shows the numbers behind it", () => {
    const [e] = longTailFlags({ ...base, lastActivityAt: Date.parse("2026-01-01T10:00:00Z") }, baselines, AS_OF);
    expect(e).toEqual({ flag: "dormant", lastActivityOn: "2026-01-01", daysSinceActivity: 165 });
    expect(describeEvidence(e!)).toBe("last registration or touch 2026-01-01 (165 days ago)");
  });
});

it("lists several flags in a fixed order", () => {
  expect(
    flagsOf({ last3Cents: 5_000_000, prev3Cents: 0, wonDeals: 4, lostDeals: 0, joinedOn: joinedDaysAgo(100), registeredDeals: 4 }),
  ).toEqual(["rising", "efficient", "ramping"]);
});
