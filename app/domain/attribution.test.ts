import { describe, expect, it } from "vitest";
import { creditDeal, dealSource, largestRemainder, MODELS, type CreditDeal } from "./attribution";

const DAY = 86_400_000;
const close = Date.UTC(2026, 5, 30);
// Partner 1 touches first (30 days before close), partner 2 twice in the middle, partner 3 last (on close).
const deal: CreditDeal = {
  amountCents: 100_000_00,
  partnerId: 1,
  closedAt: close,
  touches: [
    { id: 10, partnerId: 1, occurredAt: close - 28 * DAY },
    { id: 11, partnerId: 2, occurredAt: close - 14 * DAY },
    { id: 12, partnerId: 2, occurredAt: close - 7 * DAY },
    { id: 13, partnerId: 3, occurredAt: close },
  ],
};

const asMap = (credits: { partnerId: number; cents: number }[]) =>
  Object.fromEntries(credits.map((c) => [c.partnerId, c.cents]));

describe("attribution models on a worked example (100,000.00 over 4 touches)", () => {
  it("sourced: everything to the registering partner", () => {
    expect(asMap(creditDeal(deal, "sourced"))).toEqual({ 1: 100_000_00 });
  });

  it("sourced: nothing for a direct deal, even with touches", () => {
    expect(creditDeal({ ...deal, partnerId: null }, "sourced")).toEqual([]);
  });

  it("first and last touch", () => {
    expect(asMap(creditDeal(deal, "first"))).toEqual({ 1: 100_000_00 });
    expect(asMap(creditDeal(deal, "last"))).toEqual({ 3: 100_000_00 });
  });

  it("linear: 25% per touch, partner 2's two touches summed", () => {
    expect(asMap(creditDeal(deal, "linear"))).toEqual({ 1: 25_000_00, 2: 50_000_00, 3: 25_000_00 });
  });

  it("time decay: weights 2^-4, 2^-2, 2^-1, 2^0 (half-life 7 days), normalized", () => {
    // Weights 1/16, 1/4, 1/2, 1 → sum 29/16. Partner 1: 1/29, partner 2: 12/29, partner 3: 16/29.
    // 10,000,000 cents · 1/29 = 344,827.586… ; ·12/29 = 4,137,931.034… ; ·16/29 = 5,517,241.379…
    // Floors 344,827 + 4,137,931 + 5,517,241 = 9,999,999; the cent left goes to partner 1 (.586).
    expect(asMap(creditDeal(deal, "time_decay"))).toEqual({ 1: 344_828, 2: 4_137_931, 3: 5_517_241 });
  });

  it("position: 40% first, 40% last, 20% over the middle", () => {
    expect(asMap(creditDeal(deal, "position"))).toEqual({ 1: 40_000_00, 2: 20_000_00, 3: 40_000_00 });
  });

  it("position: one touch takes 100%, two touches split 50/50", () => {
    const one = { ...deal, touches: deal.touches.slice(0, 1) };
    expect(asMap(creditDeal(one, "position"))).toEqual({ 1: 100_000_00 });
    const two = { ...deal, touches: [deal.touches[0], deal.touches[3]] };
    expect(asMap(creditDeal(two, "position"))).toEqual({ 1: 50_000_00, 3: 50_000_00 });
  });

  it("orders touches by date, ties by id", () => {
    const tie: CreditDeal = {
      amountCents: 900,
      partnerId: null,
      closedAt: close,
      touches: [
        { id: 2, partnerId: 7, occurredAt: close - DAY },
        { id: 1, partnerId: 8, occurredAt: close - DAY },
      ],
    };
    expect(asMap(creditDeal(tie, "first"))).toEqual({ 8: 900 });
    expect(asMap(creditDeal(tie, "last"))).toEqual({ 7: 900 });
  });

  it("an odd amount over three equal shares adds up to the cent", () => {
    const odd: CreditDeal = {
      amountCents: 100,
      partnerId: null,
      closedAt: close,
      touches: [1, 2, 3].map((p) => ({ id: p, partnerId: p, occurredAt: close - p * DAY })),
    };
    const credits = creditDeal(odd, "linear");
    expect(credits.reduce((s, c) => s + c.cents, 0)).toBe(100);
    expect(credits.map((c) => c.cents).sort()).toEqual([33, 33, 34]);
  });

  it("no touches: only sourced credits anything", () => {
    const bare = { ...deal, touches: [] };
    for (const model of MODELS) {
      expect(creditDeal(bare, model).length).toBe(model === "sourced" ? 1 : 0);
    }
  });
});

describe("property: the credits of a deal always add up to its amount", () => {
  // A small seeded generator: reproducible, no dependency.
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("holds for 5,000 random deals under every model", () => {
    const random = rng(42);
    for (let k = 0; k < 5000; k++) {
      const n = Math.floor(random() * 8) + 1;
      const amountCents = Math.floor(random() * 1_000_000_000) + 1;
      const closedAt = close;
      const touches = Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        partnerId: Math.floor(random() * 4) + 1,
        occurredAt: closedAt - Math.floor(random() * 200) * DAY,
      }));
      const d: CreditDeal = { amountCents, partnerId: random() < 0.5 ? null : 1, closedAt, touches };
      for (const model of MODELS) {
        const credits = creditDeal(d, model);
        const sum = credits.reduce((s, c) => s + c.cents, 0);
        const expected = model === "sourced" && d.partnerId === null ? 0 : amountCents;
        expect(sum, `${model} #${k}`).toBe(expected);
        expect(credits.every((c) => Number.isInteger(c.cents) && c.cents > 0)).toBe(true);
        expect(new Set(credits.map((c) => c.partnerId)).size).toBe(credits.length);
      }
    }
  });
});

describe("largest remainder and deal source", () => {
  it("splits by weight exactly", () => {
    expect(largestRemainder(10, [{ partnerId: 1, weight: 1 }, { partnerId: 2, weight: 2 }])).toEqual([
      { partnerId: 1, cents: 3 },
      { partnerId: 2, cents: 7 },
    ]);
  });

  it("classifies sourced, influenced and direct", () => {
    expect(dealSource({ partnerId: 3, touches: [] })).toBe("sourced");
    expect(dealSource({ partnerId: null, touches: deal.touches })).toBe("influenced");
    expect(dealSource({ partnerId: null, touches: [] })).toBe("direct");
  });
});
