import { describe, expect, it } from "vitest";
import { formatThreshold, formatWinRate, snapshotFigures, snapshotOf } from "./tier-snapshot";
import type { TierMetrics, TierRule } from "./tiers";

const registered: TierRule = {
  id: 1,
  name: "Registered",
  rank: 0,
  minRevenueCents: 0,
  minWonDeals: 0,
  minWinRateBp: null,
  thresholdRule: "all",
};
const silver: TierRule = {
  id: 2,
  name: "Silver",
  rank: 1,
  minRevenueCents: 5_000_000,
  minWonDeals: 3,
  minWinRateBp: 2_500,
  thresholdRule: "any",
};
const m: TierMetrics = { revenueCents: 3_000_050, wonDeals: 3, closedDeals: 4, winRateBp: 7_500 };
const window = { from: new Date("2023-06-01T00:00:00Z"), to: new Date("2024-06-01T00:00:00Z") };

describe("snapshotOf", () => {
  it("keeps the figures, the model, the window and the thresholds of both tiers as judged", () => {
    const s = snapshotOf(registered, silver, m, "linear", window);
    expect(s).toMatchObject({
      revenueCents: 3_000_050,
      wonDeals: 3,
      closedDeals: 4,
      winRateBp: 7_500,
      model: "linear",
      window: { from: "2023-06-01T00:00:00.000Z", to: "2024-06-01T00:00:00.000Z" },
      currentTier: "Registered",
      qualifyingTier: "Silver",
    });
    expect(s.thresholds.current).toEqual({ tier: "Registered", rule: "all", items: [] });
    expect(s.thresholds.qualifying.rule).toBe("any");
    expect(s.thresholds.qualifying.items.map((t) => [t.key, t.have, t.need, t.met])).toEqual([
      ["revenue", 3_000_050, 5_000_000, false],
      ["wonDeals", 3, 3, true],
      ["winRate", 7_500, 2_500, true],
    ]);
    // Stored as JSON: nothing in it that does not survive the round trip.
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe("formatting", () => {
  it("shows a win rate as a percentage with at most one decimal, or a dash when nothing closed", () => {
    expect(formatWinRate(null)).toBe("—");
    expect(formatWinRate(5_000)).toBe("50%");
    expect(formatWinRate(3_750)).toBe("37.5%");
  });

  it("shows each threshold in its unit", () => {
    const [revenue, won, winRate] = snapshotOf(registered, silver, m, "sourced", window).thresholds.qualifying.items;
    expect(formatThreshold(revenue)).toEqual({
      label: "Credited revenue · trailing 12 months",
      have: "$30,000.50",
      need: "$50,000",
      met: false,
    });
    expect(formatThreshold(won)).toMatchObject({ have: "3", need: "3", met: true });
    expect(formatThreshold(winRate)).toMatchObject({ have: "75%", need: "25%" });
  });

  it("writes the snapshot's figures as sentences, naming the model", () => {
    const s = snapshotOf(registered, silver, { ...m, closedDeals: 1, winRateBp: 10_000 }, "linear", window);
    expect(snapshotFigures(s)).toEqual([
      "Credited revenue · trailing 12 months (Linear model): $30,000.50",
      "Deals won · trailing 12 months: 3",
      "Win rate · trailing 12 months: 100% of 1 closed deal",
    ]);
  });
});
