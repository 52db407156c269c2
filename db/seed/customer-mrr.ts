// The demo customers' monthly recurring revenue: each won deal adds its annual value / 12 from
// its close month; customers expand, contract and churn (partner-involved ones churn less, the
// story NRR should tell). One row per customer and month, up to the month before the as-of date.
import { WON, type DealPlan } from "./deals";
import type { Rng } from "./random";
import { monthIndex } from "./time";

export type MrrPlan = ReturnType<typeof planCustomerMrr>;

export function planCustomerMrr(rngMrr: Rng, deals: DealPlan, asOf: number) {
  const C = deals.customerCreated.length;
  const D = deals.count;
  const { stage, dealCustomer, closedAt, amount, involved } = deals;
  const firstWon = new Int32Array(C).fill(-1);
  const nextWon = new Int32Array(D).fill(-1);
  const lastWon = new Int32Array(C).fill(-1);
  for (let i = 0; i < D; i++) {
    if (stage[i] !== WON) continue;
    const c = dealCustomer[i]!;
    if (firstWon[c] === -1) firstWon[c] = i;
    else nextWon[lastWon[c]!] = i;
    lastWon[c] = i;
  }
  const lastMonth = monthIndex(asOf - 1);
  const mrrCustomer: number[] = [];
  const mrrMonth: number[] = [];
  const mrrCents: number[] = [];
  const events: { month: number; cents: number }[] = [];
  for (let c = 0; c < C; c++) {
    if (firstWon[c] === -1) continue;
    events.length = 0;
    for (let i = firstWon[c]!; i !== -1; i = nextWon[i]!) {
      events.push({ month: monthIndex(closedAt[i]!), cents: Math.round(amount[i]! / 12) });
    }
    events.sort((a, b) => a.month - b.month);
    const hazard = involved[firstWon[c]!] ? 0.009 : 0.016;
    let mrr = 0;
    let e = 0;
    for (let m = events[0]!.month; m <= lastMonth; m++) {
      while (e < events.length && events[e]!.month === m) mrr += events[e++]!.cents;
      if (mrr <= 0) continue;
      mrrCustomer.push(c);
      mrrMonth.push(m);
      mrrCents.push(mrr);
      const r = rngMrr();
      if (r < hazard) mrr = 0;
      else if (r < hazard + 0.03) mrr = Math.round(mrr * (1.05 + 0.2 * rngMrr()));
      else if (r < hazard + 0.04) mrr = Math.round(mrr * (0.8 + 0.15 * rngMrr()));
    }
  }
  const M = mrrCustomer.length;
  return { count: M, mrrCustomer, mrrMonth, mrrCents };
}
