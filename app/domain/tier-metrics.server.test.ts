import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pendingUpgrade, startTierProgram, stopTierProgram } from "../../tests/support/tier-program";
import type { DB } from "../db.server";
import { monthlyCreditedRevenue } from "./tier-metrics.server";
import type { TierSnapshot } from "./tier-snapshot";

let db: DB;

beforeEach(() => {
  ({ db } = startTierProgram());
});
afterEach(stopTierProgram);

describe("monthlyCreditedRevenue", () => {
  it("buckets a partner's credited revenue by close month over the evaluated 12-month window", async () => {
    const { partner, review } = await pendingUpgrade();
    const { window } = review.metrics as TierSnapshot;
    const trend = monthlyCreditedRevenue(
      db,
      partner.id,
      { from: new Date(window.from), to: new Date(window.to) },
      "sourced"
    );
    expect(trend.map((m) => m.period)).toEqual([
      "2023-06",
      "2023-07",
      "2023-08",
      "2023-09",
      "2023-10",
      "2023-11",
      "2023-12",
      "2024-01",
      "2024-02",
      "2024-03",
      "2024-04",
      "2024-05",
    ]);
    expect(trend.filter((m) => m.cents > 0)).toEqual([
      { period: "2024-03", cents: 2_000_000 },
      { period: "2024-04", cents: 2_000_000 },
      { period: "2024-05", cents: 2_000_000 },
    ]);
  });
});
