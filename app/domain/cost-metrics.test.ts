// The cost and return formulas on small programs worked out by hand, with their zero edges.
import { describe, expect, it } from "vitest";
import { blendedCac, cacRatio, formatMultiple, leadQuality, mdfRemaining, mdfReturn, programRoic, quotient } from "./cost-metrics";

describe("blended CAC", () => {
  it("is spend ÷ new customers: $12,000 for 4 customers is $3,000", () => {
    const cac = blendedCac(1_200_000, 4);
    expect(cac.valueCents).toBe(300_000);
    expect(cac.reason).toBeNull();
    expect(cac.lowSample).toBe(true);
  });
  it("has no value, and says why, with zero spend or zero customers", () => {
    expect(blendedCac(0, 7)).toMatchObject({ valueCents: null, reason: expect.stringMatching(/No spend/) });
    expect(blendedCac(50_000, 0)).toMatchObject({ valueCents: null, reason: expect.stringMatching(/No new customers/) });
  });
});

describe("CAC ratio", () => {
  it("is partner CAC ÷ direct CAC with both sample sizes", () => {
    // Partner: $9,000 / 3 = $3,000. Direct: $40,000 / 8 = $5,000. Ratio 0.6.
    const r = cacRatio(blendedCac(900_000, 3), blendedCac(4_000_000, 8));
    expect(r.value).toBeCloseTo(0.6, 10);
    expect(r.partner).toEqual({ valueCents: 300_000, n: 3 });
    expect(r.direct).toEqual({ valueCents: 500_000, n: 8 });
  });
  it("names the side that has no CAC", () => {
    expect(cacRatio(blendedCac(0, 3), blendedCac(100, 1)).reason).toMatch(/^Partner CAC has no value: No spend/);
    expect(cacRatio(blendedCac(100, 3), blendedCac(100, 0)).reason).toMatch(/^Direct CAC has no value: No new customers/);
  });
});

describe("MDF ROI", () => {
  it("is won revenue of linked deals ÷ MDF paid", () => {
    // $2,500 paid; linked deals won $10,000 → 4×; pipeline $16,000 over 3 deals.
    const r = mdfReturn({ activities: 1, paidCents: 250_000, wonCents: 1_000_000, pipelineCents: 1_600_000, linkedDeals: 3 });
    expect(r.roi.value).toBe(4);
    expect(r.roi).toMatchObject({ numerator: 1_000_000, denominator: 250_000 });
  });
  it("is 0× when nothing linked has been won, and — when nothing was paid", () => {
    expect(mdfReturn({ activities: 1, paidCents: 100, wonCents: 0, pipelineCents: 0, linkedDeals: 0 }).roi.value).toBe(0);
    const none = mdfReturn({ activities: 0, paidCents: 0, wonCents: 5, pipelineCents: 5, linkedDeals: 1 });
    expect(none.roi.value).toBeNull();
    expect(none.roi.reason).toMatch(/No MDF paid/);
  });
});

describe("program ROIC", () => {
  it("is partner revenue × gross margin ÷ partner spend", () => {
    // $100,000 partner revenue at 75% margin = $75,000 gross profit; $30,000 spend → 2.5×.
    const r = programRoic(10_000_000, 7500, 3_000_000);
    expect(r.grossProfitCents).toBe(7_500_000);
    expect(r.value).toBe(2.5);
  });
  it("has no value with zero partner spend", () => {
    expect(programRoic(10_000_000, 7500, 0)).toMatchObject({ value: null, reason: expect.stringMatching(/No partner program spend/) });
  });
});

describe("lead quality", () => {
  it("takes the median and mean days to won, and the registration-to-won rate", () => {
    // Won after 10, 20, 20 and 50 days: median 20, mean 25. 4 of 10 registrations won.
    const q = leadQuality(new Map([[10, 1], [20, 2], [50, 1]]), 10, 4);
    expect(q.medianDaysToWon).toBe(20);
    expect(q.meanDaysToWon).toBe(25);
    expect(q.winRate.value).toBe(0.4);
    expect(q.lowSample).toBe(false);
  });
  it("has no figures for a channel without registrations or wins", () => {
    const q = leadQuality(new Map(), 0, 0);
    expect(q).toMatchObject({ medianDaysToWon: null, meanDaysToWon: null, winRate: { value: null } });
    expect(q.winRate.reason).toMatch(/No registrations/);
  });
});

describe("the small helpers", () => {
  it("never returns a negative MDF balance, and shows — for no value", () => {
    expect(mdfRemaining(500_000, 200_000)).toBe(300_000);
    expect(mdfRemaining(100, 300)).toBe(0);
    expect(formatMultiple(null)).toBe("—");
    expect(formatMultiple(2.5)).toBe("2.50×");
    expect(quotient(1, 0, "why").reason).toBe("why");
  });
});
