// Cost and return arithmetic (docs/domain.md "Cost and return", decision 0022): blended CAC per
// channel, the partner ÷ direct CAC ratio, MDF ROI, program ROIC and lead quality. Every figure
// carries its inputs, and a zero denominator gives no value but a reason the page shows next to
// "—" — never a division error, never Infinity.
import { LOW_SAMPLE, medianOfHistogram } from "./program-metrics";

/** A quotient with what it was computed from; `value` null ⇒ `reason` says why. */
export type Quotient = {
  value: number | null;
  numerator: number;
  denominator: number;
  reason: string | null;
};

export function quotient(numerator: number, denominator: number, reasonWhenZero: string): Quotient {
  if (denominator <= 0) return { value: null, numerator, denominator, reason: reasonWhenZero };
  return { value: numerator / denominator, numerator, denominator, reason: null };
}

/** Blended CAC: acquisition spend of a channel (cents) ÷ new customers it won. */
export type Cac = {
  /** Cents per new customer; null when there was no spend or no new customer. */
  valueCents: number | null;
  spendCents: number;
  newCustomers: number;
  lowSample: boolean;
  reason: string | null;
};

export function blendedCac(spendCents: number, newCustomers: number): Cac {
  const base = { spendCents, newCustomers, lowSample: newCustomers < LOW_SAMPLE };
  if (spendCents <= 0) return { ...base, valueCents: null, reason: "No spend recorded for this channel in the window." };
  if (newCustomers <= 0) return { ...base, valueCents: null, reason: "No new customers won through this channel in the window." };
  return { ...base, valueCents: spendCents / newCustomers, reason: null };
}

/** Partner CAC ÷ direct CAC (below 1: partners acquire customers more cheaply). */
export type CacRatio = {
  value: number | null;
  partner: { valueCents: number | null; n: number };
  direct: { valueCents: number | null; n: number };
  lowSample: boolean;
  reason: string | null;
};

export function cacRatio(partner: Cac, direct: Cac): CacRatio {
  const sides = {
    partner: { valueCents: partner.valueCents, n: partner.newCustomers },
    direct: { valueCents: direct.valueCents, n: direct.newCustomers },
    lowSample: partner.lowSample || direct.lowSample,
  };
  if (partner.valueCents === null) return { ...sides, value: null, reason: `Partner CAC has no value: ${partner.reason}` };
  if (direct.valueCents === null || direct.valueCents === 0) return { ...sides, value: null, reason: `Direct CAC has no value: ${direct.reason}` };
  return { ...sides, value: partner.valueCents / direct.valueCents, reason: null };
}

/** MDF ROI of a group of paid activities: won revenue of their linked deals ÷ MDF paid. */
export type MdfReturn = {
  activities: number;
  paidCents: number;
  wonCents: number;
  /** Amount of every registration linked to the activities (open, won or lost). */
  pipelineCents: number;
  linkedDeals: number;
  roi: Quotient;
};

export type MdfReturnInput = { activities: number; paidCents: number; wonCents: number; pipelineCents: number; linkedDeals: number };

export function mdfReturn(input: MdfReturnInput): MdfReturn {
  return { ...input, roi: quotient(input.wonCents, input.paidCents, "No MDF paid for these activities in the window.") };
}

/** Program ROIC: partner-channel gross profit ÷ partner program spend. */
export type Roic = {
  value: number | null;
  partnerRevenueCents: number;
  grossMarginBp: number;
  grossProfitCents: number;
  partnerSpendCents: number;
  reason: string | null;
};

export function programRoic(partnerRevenueCents: number, grossMarginBp: number, partnerSpendCents: number): Roic {
  const grossProfitCents = Math.round((partnerRevenueCents * grossMarginBp) / 10_000);
  const q = quotient(grossProfitCents, partnerSpendCents, "No partner program spend in the window: record spend or pay MDF claims.");
  return { value: q.value, partnerRevenueCents, grossMarginBp, grossProfitCents, partnerSpendCents, reason: q.reason };
}

/** Lead quality of one channel: registration → won days, and registration → won rate. */
export type LeadQuality = {
  /** Median whole days from registration to won, of deals won in the window. */
  medianDaysToWon: number | null;
  meanDaysToWon: number | null;
  wonInWindow: number;
  /** Of the registrations submitted in the window, the share won so far. */
  registered: number;
  registeredWon: number;
  winRate: Quotient;
  lowSample: boolean;
};

export function leadQuality(daysToWon: ReadonlyMap<number, number>, registered: number, registeredWon: number): LeadQuality {
  let won = 0;
  let totalDays = 0;
  for (const [days, n] of daysToWon) {
    won += n;
    totalDays += days * n;
  }
  return {
    medianDaysToWon: medianOfHistogram(daysToWon),
    meanDaysToWon: won > 0 ? totalDays / won : null,
    wonInWindow: won,
    registered,
    registeredWon,
    winRate: quotient(registeredWon, registered, "No registrations submitted through this channel in the window."),
    lowSample: registered < LOW_SAMPLE,
  };
}

/** MDF a partner may still be approved this quarter: tier allowance − approved, claimed and paid. */
export function mdfRemaining(allowanceCents: number, committedCents: number): number {
  return Math.max(0, allowanceCents - committedCents);
}

/** "3.4×" / "—": the way a multiple is shown on pages, the CLI and the PDF. */
export function formatMultiple(value: number | null): string {
  return value === null ? "—" : `${value.toFixed(value >= 10 ? 0 : 2)}×`;
}

/** The definitions the metrics page, the CLI JSON and the PDF print beside the figures. */
export const COST_DEFINITIONS = {
  partnerSpend: "Partner program spend: recorded commissions/rebates, team, tools and other partner costs, plus MDF claims approved for payment in the window.",
  directSpend: "Direct spend: recorded direct sales and marketing cost in the window.",
  newCustomers: "New customers: customers whose first won deal closed in the window, counted in the channel of that deal (sourced: a partner registered it; influenced: a partner touched it; direct: neither).",
  blendedCac: "Blended CAC = acquisition spend of the channel ÷ new customers it won in the window. Partner: partner program spend ÷ sourced + influenced new customers; partner-sourced only charges all of it to sourced customers.",
  cacRatio: "CAC ratio = partner blended CAC ÷ direct blended CAC (below 1: partners acquire customers more cheaply), with both sample sizes.",
  mdfRoi: "MDF ROI = won revenue of the registrations linked to claims paid in the window ÷ MDF paid; pipeline created = amount of every linked registration (open, won or lost).",
  leadQuality: "Lead quality: median and mean days from registration to won of deals won in the window, and registration-to-won rate = share won so far of the registrations submitted in the window.",
  roic: "Program ROIC = partner-channel won revenue in the window × gross margin (a program setting) ÷ partner program spend.",
} as const;
