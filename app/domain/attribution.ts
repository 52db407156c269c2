// The attribution engine: how a won deal's amount is credited to partners under each model
// of docs/domain.md "Attribution". Pure functions over integer cents; a deal's credits always add up to its
// amount to the cent (largest-remainder rounding over partners).
import type { AttributionModel } from "../../db/schema";

export const MODELS: readonly AttributionModel[] = [
  "sourced",
  "first",
  "last",
  "linear",
  "time_decay",
  "position",
];

export const MODEL_LABEL: Record<AttributionModel, string> = {
  sourced: "Sourced",
  first: "First touch",
  last: "Last touch",
  linear: "Linear",
  time_decay: "Time decay (7-day half-life)",
  position: "Position (40/20/40)",
};

/** One plain sentence per model, shown wherever a model is named to someone choosing or reading it. */
export const MODEL_DESCRIPTION: Record<AttributionModel, string> = {
  sourced: "The partner who registered a won deal gets all of its amount; touches do not count.",
  first: "The partner who logged the first touch on a won deal gets all of its amount.",
  last: "The partner who logged the last touch before the close gets all of its amount.",
  linear: "A won deal's amount is split equally over all its touches, whoever registered it.",
  time_decay: "A won deal's amount is split over its touches, a touch counting half as much for every 7 days it came before the close.",
  position: "A won deal's amount goes 40 % to the first touch, 40 % to the last and 20 % shared by the touches between.",
};

export const HALF_LIFE_DAYS = 7;
const DAY_MS = 86_400_000;

export type CreditTouch = { id: number; partnerId: number; occurredAt: number };
export type CreditDeal = {
  amountCents: number;
  /** Registering partner; null = direct. */
  partnerId: number | null;
  closedAt: number;
  touches: CreditTouch[];
};
export type Credit = { partnerId: number; cents: number };

/** Touches in credit order: by date, ties by id. */
export function orderTouches(touches: readonly CreditTouch[]): CreditTouch[] {
  return [...touches].sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id);
}

/** One weight per ordered touch (not yet normalized). */
export function touchWeights(model: Exclude<AttributionModel, "sourced">, ordered: readonly CreditTouch[], closedAt: number): number[] {
  const n = ordered.length;
  if (n === 0) return [];
  switch (model) {
    case "first":
      return ordered.map((_, i) => (i === 0 ? 1 : 0));
    case "last":
      return ordered.map((_, i) => (i === n - 1 ? 1 : 0));
    case "linear":
      return ordered.map(() => 1);
    case "time_decay":
      return ordered.map((t) => {
        const days = Math.max(0, (closedAt - t.occurredAt) / DAY_MS);
        return Math.pow(2, -days / HALF_LIFE_DAYS);
      });
    case "position":
      if (n === 1) return [1];
      if (n === 2) return [0.5, 0.5];
      return ordered.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
  }
}

/**
 * Splits `amountCents` over partners in proportion to their weights: floors, then hands the
 * remaining cents one by one to the largest fractional remainders (ties: the partner met
 * first in touch order), so the parts add up exactly.
 */
export function largestRemainder(amountCents: number, weights: { partnerId: number; weight: number }[]): Credit[] {
  const total = weights.reduce((s, w) => s + w.weight, 0);
  if (!(total > 0) || amountCents === 0) return [];
  const parts = weights.map((w, order) => {
    const exact = (amountCents * w.weight) / total;
    const floor = Math.floor(exact + 1e-9);
    return { partnerId: w.partnerId, cents: floor, remainder: exact - floor, order };
  });
  let left = amountCents - parts.reduce((s, p) => s + p.cents, 0);
  const byRemainder = [...parts].sort((a, b) => b.remainder - a.remainder || a.order - b.order);
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) byRemainder[i].cents++;
  return parts.filter((p) => p.cents > 0).map(({ partnerId, cents }) => ({ partnerId, cents }));
}

/** The credits of one won deal under one model, per partner, in order of first touch. */
export function creditDeal(deal: CreditDeal, model: AttributionModel): Credit[] {
  if (model === "sourced") {
    return deal.partnerId === null || deal.amountCents === 0 ? [] : [{ partnerId: deal.partnerId, cents: deal.amountCents }];
  }
  const ordered = orderTouches(deal.touches);
  const weights = touchWeights(model, ordered, deal.closedAt);
  const perPartner = new Map<number, number>();
  ordered.forEach((t, i) => perPartner.set(t.partnerId, (perPartner.get(t.partnerId) ?? 0) + weights[i]));
  return largestRemainder(
    deal.amountCents,
    [...perPartner].map(([partnerId, weight]) => ({ partnerId, weight })),
  );
}

/** Where a deal came from: the three segments every source split uses, in this order. */
export const DEAL_SOURCES = ["sourced", "influenced", "direct"] as const;
export type DealSource = (typeof DEAL_SOURCES)[number];

/**
 * The one sourced / influenced / direct rule (docs/domain.md "Attribution"), for a closed
 * deal: registered by a partner, else touched by one, else direct. The rollups store each
 * deal's source by it, and the program metrics and the ecosystem report read those.
 */
export function dealSource(deal: Pick<CreditDeal, "partnerId" | "touches">): DealSource {
  if (deal.partnerId !== null) return "sourced";
  return deal.touches.length > 0 ? "influenced" : "direct";
}
