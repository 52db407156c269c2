import { describe, expect, it } from "vitest";
import {
  decideEvaluation,
  nextTier,
  qualifyingTier,
  thresholdsOf,
  validateLadder,
  winRateBp,
  type TierMetrics,
  type TierRule,
} from "./tiers";

// The default ladder (docs/domain.md "Tiers").
const ladder: TierRule[] = [
  { id: 1, name: "Registered", rank: 0, minRevenueCents: 0, minWonDeals: 0, minWinRateBp: null, thresholdRule: "all" },
  { id: 2, name: "Silver", rank: 1, minRevenueCents: 50_000_00, minWonDeals: 3, minWinRateBp: null, thresholdRule: "any" },
  { id: 3, name: "Gold", rank: 2, minRevenueCents: 250_000_00, minWonDeals: 10, minWinRateBp: null, thresholdRule: "all" },
  { id: 4, name: "Platinum", rank: 3, minRevenueCents: 1_000_000_00, minWonDeals: 25, minWinRateBp: null, thresholdRule: "all" },
];
const m = (revenueCents: number, wonDeals: number, lost = 0): TierMetrics => ({
  revenueCents,
  wonDeals,
  closedDeals: wonDeals + lost,
  winRateBp: winRateBp(wonDeals, lost),
});

describe("qualifying tier", () => {
  it("nothing: Registered", () => expect(qualifyingTier(ladder, m(0, 0)).name).toBe("Registered"));
  it("Silver needs 50k OR 3 wins", () => {
    expect(qualifyingTier(ladder, m(50_000_00, 1)).name).toBe("Silver");
    expect(qualifyingTier(ladder, m(1_000_00, 3)).name).toBe("Silver");
    expect(qualifyingTier(ladder, m(49_999_99, 2)).name).toBe("Registered");
  });
  it("Gold needs 250k AND 10 wins", () => {
    expect(qualifyingTier(ladder, m(250_000_00, 10)).name).toBe("Gold");
    expect(qualifyingTier(ladder, m(900_000_00, 9)).name).toBe("Silver");
  });
  it("Platinum at 1M and 25 wins", () => expect(qualifyingTier(ladder, m(1_000_000_00, 25)).name).toBe("Platinum"));
  it("a win-rate threshold counts when set", () => {
    const strict = ladder.map((t) => (t.name === "Gold" ? { ...t, minWinRateBp: 5000 } : t));
    expect(qualifyingTier(strict, m(300_000_00, 10, 20)).name).toBe("Silver");
    expect(qualifyingTier(strict, m(300_000_00, 10, 5)).name).toBe("Gold");
  });
});

describe("progress to the next tier", () => {
  it("says what is still needed for each threshold", () => {
    const gold = nextTier(ladder, 1)!;
    expect(gold.name).toBe("Gold");
    const t = thresholdsOf(gold, m(200_000_00, 12));
    expect(t.map((x) => [x.key, x.met, x.remaining])).toEqual([
      ["revenue", false, 50_000_00],
      ["wonDeals", true, 0],
    ]);
    expect(t[0].fraction).toBeCloseTo(0.8);
  });
  it("has no next tier at the top", () => expect(nextTier(ladder, 3)).toBeNull());
});

describe("evaluation decisions", () => {
  it("proposes an upgrade at once", () => expect(decideEvaluation(1, 2)).toBe("propose_upgrade"));
  it("warns first, proposes a downgrade only at the next evaluation still below", () => {
    expect(decideEvaluation(2, 1, "hold")).toBe("warn_downgrade");
    expect(decideEvaluation(2, 1, undefined)).toBe("warn_downgrade");
    expect(decideEvaluation(2, 1, "warn_downgrade")).toBe("propose_downgrade");
    expect(decideEvaluation(2, 1, "propose_downgrade")).toBe("propose_downgrade");
  });
  it("holds when the partner qualifies for its tier", () => expect(decideEvaluation(2, 2, "warn_downgrade")).toBe("hold"));
});

describe("ladder validation", () => {
  it("accepts the default ladder", () => expect(validateLadder(ladder)).toEqual([]));
  it("refuses duplicate ranks and thresholds that fall with rank", () => {
    const bad = [
      ...ladder.slice(0, 3),
      { ...ladder[3], rank: 2 },
      { ...ladder[3], id: 5, name: "Diamond", rank: 4, minRevenueCents: 10_00 },
    ];
    const messages = validateLadder(bad).map((p) => p.message);
    expect(messages).toContain("Rank 2 is used twice; give each tier its own rank.");
    expect(messages.some((s) => s.startsWith("Diamond needs less revenue"))).toBe(true);
  });
});
