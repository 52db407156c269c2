// Long-tail flags (docs/domain.md "Ecosystem health"): which partners outside the head deserve the
// partner team's attention, each flag with the numbers that raised it. Pure rules over figures
// the ecosystem module gathers; the thresholds live here so pages, CSV and CLI say the same.

export const LONG_TAIL_FLAGS = ["rising", "efficient", "ramping", "dormant"] as const;
export type LongTailFlag = (typeof LONG_TAIL_FLAGS)[number];
/** What a growth play can be about: a flag, or something else the team noticed. */
export const GROWTH_PLAY_FLAGS = [...LONG_TAIL_FLAGS, "other"] as const;

export const FLAG_LABEL: Record<LongTailFlag, string> = {
  rising: "Rising",
  efficient: "Efficient",
  ramping: "Ramping",
  dormant: "Dormant",
};

export const LONG_TAIL_RULES = {
  /** rising: the last 3 months bring at least this multiple of the 3 months before… */
  risingRatio: 1.5,
  /** …and at least this much credited revenue (cents). */
  risingFloorCents: 1_000_000,
  /** efficient: a win rate is judged over at least this many closed deals. */
  efficientMinClosedDeals: 3,
  /** ramping: joined fewer than this many days ago… (and has registered a deal). */
  rampingDays: 180,
  /** dormant: no registration and no touch for this many days. */
  dormantDays: 90,
} as const;

const DAY = 86_400_000;

/** What the rules look at for one partner. */
export type PartnerSignals = {
  /** Credited revenue of the last 3 months of the window, and of the 3 months before (cents). */
  last3Cents: number;
  prev3Cents: number;
  /** Deals the partner registered that closed in the window. */
  wonDeals: number;
  lostDeals: number;
  /** 'YYYY-MM-DD'. */
  joinedOn: string;
  /** Deals registered before the as-of date, ever. */
  registeredDeals: number;
  /** The partner's latest touch (a registration is a touch too) before the as-of date; ms or null. */
  lastActivityAt: number | null;
};

/** Program-wide medians the `efficient` rule compares against. */
export type ProgramBaselines = {
  /** Median win rate over partners with at least `efficientMinClosedDeals` closed deals. */
  medianWinRate: number | null;
  /** Median closed deals over partners with at least one closed deal. */
  medianClosedDeals: number | null;
};

export type FlagEvidence =
  | { flag: "rising"; last3Cents: number; prev3Cents: number; ratio: number | null; floorCents: number }
  | { flag: "efficient"; winRate: number; closedDeals: number; medianWinRate: number; medianClosedDeals: number }
  | { flag: "ramping"; joinedOn: string; daysSinceJoined: number; registeredDeals: number }
  | { flag: "dormant"; lastActivityOn: string | null; daysSinceActivity: number | null };

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function programBaselines(partners: readonly { wonDeals: number; lostDeals: number }[]): ProgramBaselines {
  const rates: number[] = [];
  const volumes: number[] = [];
  for (const p of partners) {
    const closed = p.wonDeals + p.lostDeals;
    if (closed >= 1) volumes.push(closed);
    if (closed >= LONG_TAIL_RULES.efficientMinClosedDeals) rates.push(p.wonDeals / closed);
  }
  return { medianWinRate: median(rates), medianClosedDeals: median(volumes) };
}

function daysSince(fromMs: number, asOf: Date) {
  return Math.floor((asOf.getTime() - fromMs) / DAY);
}

/**
 * The flags one partner earns, in LONG_TAIL_FLAGS order, each with its evidence.
 * Dormant needs a partner who has been in the program for the whole quiet period: a partner
 * that joined 10 days ago is new, not dormant.
 */
export function longTailFlags(s: PartnerSignals, baselines: ProgramBaselines, asOf: Date): FlagEvidence[] {
  const out: FlagEvidence[] = [];
  const R = LONG_TAIL_RULES;

  if (s.last3Cents >= R.risingFloorCents && s.last3Cents >= R.risingRatio * s.prev3Cents) {
    out.push({
      flag: "rising",
      last3Cents: s.last3Cents,
      prev3Cents: s.prev3Cents,
      ratio: s.prev3Cents > 0 ? s.last3Cents / s.prev3Cents : null,
      floorCents: R.risingFloorCents,
    });
  }

  const closed = s.wonDeals + s.lostDeals;
  const { medianWinRate, medianClosedDeals } = baselines;
  if (closed >= R.efficientMinClosedDeals && medianWinRate !== null && medianClosedDeals !== null) {
    const winRate = s.wonDeals / closed;
    if (winRate >= medianWinRate && closed < medianClosedDeals) {
      out.push({ flag: "efficient", winRate, closedDeals: closed, medianWinRate, medianClosedDeals });
    }
  }

  const joinedMs = Date.parse(`${s.joinedOn}T00:00:00Z`);
  const daysSinceJoined = daysSince(joinedMs, asOf);
  if (daysSinceJoined < R.rampingDays && s.registeredDeals >= 1) {
    out.push({ flag: "ramping", joinedOn: s.joinedOn, daysSinceJoined, registeredDeals: s.registeredDeals });
  }

  const quietDays = s.lastActivityAt === null ? null : daysSince(s.lastActivityAt, asOf);
  if (daysSinceJoined >= R.dormantDays && (quietDays === null || quietDays >= R.dormantDays)) {
    out.push({
      flag: "dormant",
      lastActivityOn: s.lastActivityAt === null ? null : new Date(s.lastActivityAt).toISOString().slice(0, 10),
      daysSinceActivity: quietDays,
    });
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
// One formatter for every call: building an Intl.NumberFormat costs more than using it.
const USD = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const usd = (cents: number) => USD.format(cents / 100);

/** The numbers behind a flag, in one line (pages, CSV, CLI). */
export function describeEvidence(e: FlagEvidence): string {
  switch (e.flag) {
    case "rising":
      return `${usd(e.last3Cents)} in the last 3 months vs ${usd(e.prev3Cents)} in the 3 before${
        e.ratio === null ? "" : ` (×${e.ratio.toFixed(1)})`
      }; floor ${usd(e.floorCents)}`;
    case "efficient":
      return `win rate ${pct(e.winRate)} over ${e.closedDeals} closed deals (program median ${pct(e.medianWinRate)}; median volume ${
        e.medianClosedDeals
      })`;
    case "ramping":
      return `joined ${e.joinedOn} (${e.daysSinceJoined} days ago), ${e.registeredDeals} ${
        e.registeredDeals === 1 ? "deal" : "deals"
      } registered`;
    case "dormant":
      return e.lastActivityOn === null
        ? "no registration or touch yet"
        : `last registration or touch ${e.lastActivityOn} (${e.daysSinceActivity} days ago)`;
  }
}
