// The demo deals, simulated in one pass over time-ordered submissions: who registers them (or
// whether they go direct), amounts and products, review, protection and the race to close,
// the touches partners leave on them, and which open registration holds a customer's claim.
// Columns in typed arrays, indexed by deal, so a million deals fit in memory.
import { PRODUCT_LINES } from "../../app/domain/products";
import { PILLAR_OF_TOUCH_KIND } from "../factories";
import { PILLARS, TOUCH_KINDS, type DealStage } from "../schema";
import type { PartnerRoster } from "./partners";
import { logNormal, weighted, type Rng } from "./random";
import { DAY, HOUR } from "./time";

/** Stages by index, as stored in `DealPlan.stage`. */
export const STAGES: readonly DealStage[] = ["submitted", "approved", "rejected", "won", "lost", "expired"];
export const [SUBMITTED, APPROVED, REJECTED, WON, LOST, EXPIRED] = [0, 1, 2, 3, 4, 5];
const JOURNEY = { awareness: 0, consideration: 1, decision: 2, onboarding: 3, expansion: 4 } as const;
/** Journey stages by index, as stored in `DealPlan.touches.touchJourney`. */
export const JOURNEY_NAMES = Object.keys(JOURNEY);

export type DealPlan = ReturnType<typeof planDeals>;

export function planDeals(
  rng: { deals: Rng; touches: Rng },
  roster: PartnerRoster,
  options: { deals: number; asOf: number; windowStart: number; protection: number; trailingStart: number }
) {
  const D = options.deals;
  const N = roster.count;
  const { asOf, windowStart, protection, trailingStart } = options;
  const span = asOf - windowStart;
  const { joinedAt, sizeFactor, winFactor, partnerAt } = roster;
  const rngDeals = rng.deals;
  const rngTouches = rng.touches;

  // Volume grows ~80% over the window (density ∝ 1 + g·u, sampled by inverting its CDF).
  const times = new Float64Array(D);
  const g = 0.8;
  for (let i = 0; i < D; i++) {
    const u = rngDeals();
    const x = (-1 + Math.sqrt(1 + 2 * g * u * (1 + g / 2))) / g;
    times[i] = windowStart + x * span;
  }
  times.sort();
  // Partner 0 always has registrations about to lose protection (the 14-day warning).
  const featured = new Int8Array(D);
  for (const daysLeft of [4, 10]) {
    const target = asOf + daysLeft * DAY - protection - 2 * DAY;
    if (D < 50 || target < Math.max(windowStart, joinedAt[0]!)) continue;
    let idx = times.findIndex((t) => t >= target);
    if (idx < 0) idx = D - 1;
    while (featured[idx] && idx > 0) idx--;
    featured[idx] = 1;
    times[idx] = target;
  }

  const dealPartner = new Int32Array(D);
  const dealCustomer = new Int32Array(D);
  const amount = new Int32Array(D);
  const stage = new Uint8Array(D);
  const submittedAt = new Float64Array(D);
  const decidedAt = new Float64Array(D); // NaN: none
  const closedAt = new Float64Array(D);
  const protectionEnds = new Float64Array(D);
  const expectedClose = new Float64Array(D);
  const product = new Uint8Array(D);
  const isNewCustomer = new Uint8Array(D);
  const holdsClaim = new Uint8Array(D);
  const involved = new Uint8Array(D); // a partner registered or touched it

  const customerCreated: number[] = [];
  const customersOfPartner: number[][] = Array.from({ length: N }, () => []);
  const wonRevenue12 = new Float64Array(N);
  const won12 = new Int32Array(N);
  const lost12 = new Int32Array(N);

  // Touches: columns, at most 1 + 3 per deal.
  const maxTouches = D * 4;
  const touchDeal = new Int32Array(maxTouches);
  const touchPartner = new Int32Array(maxTouches);
  const touchAt = new Float64Array(maxTouches);
  const touchKind = new Uint8Array(maxTouches);
  const touchPillar = new Uint8Array(maxTouches);
  const touchJourney = new Uint8Array(maxTouches);
  let T = 0;
  const KIND_INDEX = Object.fromEntries(TOUCH_KINDS.map((k, i) => [k, i])) as Record<
    (typeof TOUCH_KINDS)[number],
    number
  >;
  const PILLAR_INDEX = Object.fromEntries(PILLARS.map((k, i) => [k, i])) as Record<
    (typeof PILLARS)[number],
    number
  >;
  const EXTRA_KINDS = [
    ["co_sell_meeting", 30],
    ["technical_validation", 18],
    ["co_marketing", 14],
    ["integration", 12],
    ["implementation", 12],
    ["support", 8],
    ["referral", 6],
  ] as const;

  function addTouch(
    deal: number,
    partner: number,
    at: number,
    kind: (typeof TOUCH_KINDS)[number],
    journey: number,
    submission = false
  ) {
    touchDeal[T] = deal;
    touchPartner[T] = partner;
    touchAt[T] = Math.round(at / 1000) * 1000;
    touchKind[T] = KIND_INDEX[kind];
    // The submission is always referral/sell (docs/domain.md "Attribution"); other touches
    // mostly use the pillar of their kind, sometimes another (a technical validation that was
    // really a sales push).
    const usual = PILLAR_INDEX[PILLAR_OF_TOUCH_KIND[kind]];
    touchPillar[T] = submission || rngTouches() < 0.85 ? usual : Math.floor(rngTouches() * PILLARS.length);
    touchJourney[T] = journey;
    involved[deal] = 1;
    T++;
  }

  /** Extra touches between `from` and `to` by the registering partner or others. */
  function extraTouches(deal: number, owner: number, from: number, to: number, count: number) {
    for (let k = 0; k < count; k++) {
      const f = rngTouches();
      const at = from + f * (to - from);
      let partner = owner;
      if (owner < 0 || rngTouches() < 0.45) {
        const other = partnerAt(rngTouches, at);
        if (other >= 0) partner = other;
      }
      if (partner < 0) continue;
      const kind = weighted(rngTouches, EXTRA_KINDS);
      // The journey stage follows the kind (delivery work is post-sale) and how far along the
      // deal the touch happened.
      const coin = rngTouches() < 0.5;
      let journey: number = JOURNEY.decision;
      if (kind === "implementation" || kind === "support") {
        journey = rngTouches() < 0.7 ? JOURNEY.onboarding : JOURNEY.expansion;
      } else if (f < 0.3) journey = coin ? JOURNEY.awareness : JOURNEY.consideration;
      else if (f < 0.75) journey = coin ? JOURNEY.consideration : JOURNEY.decision;
      addTouch(deal, partner, at, kind, journey);
    }
  }

  const round = (ms: number) => Math.round(ms / 1000) * 1000;
  // The app's product lines (app/domain/products), the first ones selling most.
  const PRODUCT_CHOICES = PRODUCT_LINES.map((_, k) => [k, [40, 20, 15, 15, 10][k] ?? 10] as const);
  for (let i = 0; i < D; i++) {
    const t = round(times[i]!);
    submittedAt[i] = t;
    const p = featured[i] ? 0 : rngDeals() < 0.34 ? -1 : partnerAt(rngDeals, t);
    dealPartner[i] = p;

    // Most deals are new logos; the rest go back to a customer this partner (or anyone) knows.
    let c: number;
    const known = p >= 0 ? customersOfPartner[p]! : null;
    if (customerCreated.length === 0 || rngDeals() < 0.58) {
      c = customerCreated.length;
      customerCreated.push(t);
      isNewCustomer[i] = 1;
    } else if (known && known.length && rngDeals() < 0.75) {
      c = known[Math.floor(rngDeals() * known.length)]!;
    } else {
      c = Math.floor(rngDeals() * customerCreated.length);
    }
    if (p >= 0 && (isNewCustomer[i] || known![known!.length - 1] !== c)) known!.push(c);
    dealCustomer[i] = c;

    const size = p >= 0 ? 28_000 * sizeFactor[p]! : 34_000;
    amount[i] = Math.round(logNormal(rngDeals, size, 0.85, 5_000, 400_000) / 100) * 10_000;
    product[i] = weighted(rngDeals, PRODUCT_CHOICES);

    decidedAt[i] = NaN;
    closedAt[i] = NaN;
    protectionEnds[i] = NaN;
    let plannedClose: number;
    if (p >= 0) {
      // Partner registration: review within days, then a race between the sale and protection.
      const decided = round(t + (featured[i] ? 2 * DAY : logNormal(rngDeals, 2.5, 0.8, 0.1, 14) * DAY));
      const cycle = logNormal(rngDeals, 48, 0.55, 20, 180) * DAY;
      const stall = rngDeals() < 0.1;
      const rejected = rngDeals() < 0.09;
      const wins = rngDeals() < 0.47 * winFactor[p]!;
      plannedClose = round(t + cycle);
      if (decided > asOf) {
        stage[i] = SUBMITTED;
      } else {
        decidedAt[i] = decided;
        if (rejected && !featured[i]) {
          stage[i] = REJECTED;
        } else {
          const ends = decided + protection;
          protectionEnds[i] = ends;
          if (featured[i]) stage[i] = APPROVED;
          else if (stall || plannedClose > ends) stage[i] = ends <= asOf ? EXPIRED : APPROVED;
          else if (plannedClose >= asOf) stage[i] = APPROVED; // closes strictly before asOf
          else {
            stage[i] = wins ? WON : LOST;
            closedAt[i] = plannedClose;
          }
        }
      }
    } else {
      // Direct: qualified by the vendor's own team within hours; no protection, no rejection.
      const decided = round(t + (0.5 + 5.5 * rngDeals()) * HOUR);
      plannedClose = round(t + logNormal(rngDeals, 62, 0.6, 20, 180) * DAY);
      const wins = rngDeals() < 0.38;
      if (decided > asOf) stage[i] = SUBMITTED;
      else {
        decidedAt[i] = decided;
        if (plannedClose >= asOf) stage[i] = APPROVED;
        else {
          stage[i] = wins ? WON : LOST;
          closedAt[i] = plannedClose;
        }
      }
    }
    expectedClose[i] = plannedClose + (rngDeals() - 0.5) * 20 * DAY;

    // The first open partner registration of a customer holds its claim; later ones do not.
    const s = stage[i]!;
    if (p >= 0 && (s === SUBMITTED || s === APPROVED)) holdsClaim[i] = 1;

    if (p >= 0 && s === WON && closedAt[i]! >= trailingStart) {
      wonRevenue12[p] += amount[i]!;
      won12[p]++;
    }
    if (p >= 0 && s === LOST && closedAt[i]! >= trailingStart) lost12[p]++;

    // Touches: the submission itself, then 0–3 more; partners also influence direct deals.
    const end = s === WON || s === LOST ? closedAt[i]! : s === EXPIRED ? protectionEnds[i]! : asOf;
    if (p >= 0) {
      addTouch(i, p, t, "referral", rngTouches() < 0.65 ? JOURNEY.consideration : JOURNEY.decision, true);
      if (s !== REJECTED && s !== SUBMITTED && rngTouches() < 0.55) {
        extraTouches(i, p, t, end, 1 + Math.floor(rngTouches() * 3));
      }
    } else if (s !== SUBMITTED && rngTouches() < 0.28) {
      extraTouches(i, -1, t, end, 1 + Math.floor(rngTouches() * 2));
    }
  }
  const C = customerCreated.length;

  // Claims: walk in submission order; a later open registration of a claimed customer does not
  // hold the claim (it is the conflict the reviewer sees).
  const claimedBy = new Int32Array(C).fill(-1);
  const conflict = new Uint8Array(D);
  for (let i = 0; i < D; i++) {
    if (!holdsClaim[i]) continue;
    const c = dealCustomer[i]!;
    if (claimedBy[c] === -1) claimedBy[c] = i;
    else {
      holdsClaim[i] = 0;
      conflict[i] = stage[i] === SUBMITTED ? 1 : 0;
    }
  }

  return {
    count: D,
    customerCreated,
    dealPartner,
    dealCustomer,
    amount,
    stage,
    submittedAt,
    decidedAt,
    closedAt,
    protectionEnds,
    expectedClose,
    product,
    isNewCustomer,
    holdsClaim,
    conflict,
    involved,
    /** Per partner over the tier window: won revenue, won and lost deals. */
    trailing: { wonRevenue12, won12, lost12 },
    touches: { count: T, touchDeal, touchPartner, touchAt, touchKind, touchPillar, touchJourney },
  };
}
