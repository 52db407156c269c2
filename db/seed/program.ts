// The demo-program generator: a whole partner program (staff, partners and their users,
// customers, deals in every stage, touches, customer MRR, tiers, pending applications) that
// looks like a real B2B channel — heavy-tailed partner revenue, a third of deals direct,
// coherent timelines — and is identical for a given seed and as-of date.
//
// It is also the load generator for big databases (10,000 partners, 1,000,000 deals), so it
// computes everything in memory in one pass over time-ordered deals (typed arrays, no ORM) and
// writes with prepared statements in large transactions.
//
// The work is split along its stages, each drawing from its own random stream (random.ts):
// partners.ts (the roster and its heavy tail) → deals.ts (deals, touches, claims) → tiers
// (here) → customer-mrr.ts → writer.ts (rows, and the text drawn while writing). The words
// are in demo-text.ts, the demo's sign-ins in demo-accounts.ts.
import { sql } from "drizzle-orm";
import type { DB } from "../../app/db.server";
import { trailing12Months } from "../../app/domain/attribution.server";
import { rebuildRollups } from "../../app/domain/rollups.server";
import { qualifyingTier } from "../../app/domain/tiers";
import { ensureDefaultProgram } from "../factories";
import { partners as partnersTable, type DealStage } from "../schema";
import { seedCostAndMdf } from "./cost";
import { seedCurrencies } from "./currencies";
import { planCustomerMrr } from "./customer-mrr";
import { planDeals, STAGES } from "./deals";
import { STAFF } from "./demo-accounts";
import { APPLICATIONS } from "./demo-text";
import { planPartners } from "./partners";
import { idSource, stream } from "./random";
import { DAY, addMonths, todayUtc } from "./time";
import { writeProgram } from "./writer";

export type GenerateOptions = {
  seed: number;
  partners: number;
  deals: number;
  /** How far back deals go; default 24. */
  months?: number;
  /** "Today" for the data; default today at 00:00 UTC. */
  asOf?: Date;
  /** One argon2 hash shared by every generated user (hashing is slow on purpose). */
  passwordHash: string;
  /** Rows written so far out of all rows to write. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Load without secondary indexes and foreign-key checks, rebuilding the indexes at the end.
   * Default: on for big loads (over 250,000 rows) into a database that has no deals yet.
   */
  bulkLoad?: boolean;
};

export type GenerateSummary = {
  partners: number;
  users: number;
  customers: number;
  deals: number;
  dealsByStage: Record<DealStage, number>;
  touches: number;
  mrrRows: number;
  applications: number;
  partnersByTier: Record<string, number>;
  /** Generated proof PDFs of the seeded MDF claims, in the proof folder beside the database. */
  proofFiles: number;
};

export function generateProgram(db: DB, options: GenerateOptions): GenerateSummary {
  const { seed, passwordHash, onProgress } = options;
  const N = options.partners;
  const D = options.deals;
  const months = options.months ?? 24;
  const asOfDate = options.asOf ?? todayUtc();
  if (!Number.isInteger(N) || N < 1) throw new Error("partners must be a positive integer");
  if (!Number.isInteger(D) || D < 0) throw new Error("deals must be a non-negative integer");
  if (!Number.isInteger(months) || months < 1) throw new Error("months must be a positive integer");
  if (!Number.isInteger(seed)) throw new Error("seed must be an integer");
  const existing =
    db
      .select({ n: sql<number>`count(*)` })
      .from(partnersTable)
      .get()?.n ?? 0;
  if (existing > 0) throw new Error(`generateProgram needs a database without partners (found ${existing})`);

  const { settings, tiers } = ensureDefaultProgram(db);
  const protection = settings.protectionDays * DAY;
  const asOf = asOfDate.getTime();
  const windowStart = addMonths(asOfDate, -months).getTime();
  // The tier job's own window, so seeded tiers are what its first evaluation finds.
  const trailingStart = trailing12Months(asOfDate).from.getTime();

  const rngPartners = stream(seed, "partners");
  const rngDeals = stream(seed, "deals");
  const rngTouches = stream(seed, "touches");
  const rngText = stream(seed, "text");
  const rngMrr = stream(seed, "mrr");
  const rngIds = stream(seed, "ids");
  // Ids come from their own stream so a seed reproduces the same rows.
  const userId = idSource(rngIds);

  // ---- Staff ------------------------------------------------------------------------------
  const sqlite = db.$client;
  // Staff may exist already (a server bootstrap admin): reuse them rather than fail.
  const findUser = sqlite.prepare("SELECT id FROM users WHERE email = ?").pluck();
  const staffIds: string[] = [];
  const newStaff: { id: string; email: string; name: string; role: string }[] = [];
  for (const s of STAFF) {
    const id = userId();
    const found = findUser.get(s.email) as string | undefined;
    staffIds.push(found ?? id);
    if (!found) newStaff.push({ ...s, id });
  }
  const [adminId, ...managerIds] = staffIds as [string, ...string[]];

  // ---- Plan in memory, then write -----------------------------------------------------------
  const roster = planPartners(rngPartners, { partners: N, months, asOf, windowStart, managerIds });
  const { statuses } = roster;
  const deals = planDeals({ deals: rngDeals, touches: rngTouches }, roster, {
    deals: D,
    asOf,
    windowStart,
    protection,
    trailingStart,
  });
  const { stage } = deals;
  const { wonRevenue12, won12, lost12 } = deals.trailing;

  // Tiers: the highest rung each partner qualifies for on trailing-12-month sourced revenue
  // (the program's default attribution model), by the tier rules of app/domain/tiers.
  const lowest = [...tiers].sort((a, b) => a.rank - b.rank)[0]!;
  const tierOf = new Int32Array(N);
  const partnersByTier: Record<string, number> = Object.fromEntries(tiers.map((t) => [t.name, 0]));
  for (let p = 0; p < N; p++) {
    const closed = won12[p]! + lost12[p]!;
    const metrics = {
      revenueCents: wonRevenue12[p]!,
      wonDeals: won12[p]!,
      closedDeals: closed,
      winRateBp: closed ? Math.round((won12[p]! / closed) * 10_000) : null,
    };
    const tier = statuses[p] === "applied" ? lowest : qualifyingTier(tiers, metrics);
    tierOf[p] = tier.id;
    partnersByTier[tier.name]!++;
  }

  const mrr = planCustomerMrr(rngMrr, deals, asOf);

  writeProgram(
    db,
    { asOf, currency: settings.currency, passwordHash, newStaff, adminId, managerIds, roster, tierOf, deals, mrr },
    { text: rngText, userId },
    { bulkLoad: options.bulkLoad, onProgress }
  );
  // A few deals in EUR and GBP, with the rates that convert them (before the rollups read them).
  seedCurrencies(db, asOfDate, adminId);
  // Program spend and MDF activity, so cost and return have figures on first start.
  const cost = seedCostAndMdf(db, { seed, asOf: asOfDate, months, adminId, managerIds });
  // The analytics rollups (ecosystem and program-metrics pages) over everything just written.
  rebuildRollups(db);
  // Statistics for the query planner (the app's queries over a million deals depend on them).
  // Full statistics: with sampled ones the planner reads per-partner queries through the
  // (stage, closed_at) index and scans a year of deals for each partner.
  sqlite.exec("ANALYZE;");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");

  const dealsByStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<DealStage, number>;
  for (let i = 0; i < D; i++) dealsByStage[STAGES[stage[i]!]!]++;
  return {
    partners: N,
    // Applied partners have no users yet: their application is in the queue instead.
    users: newStaff.length + 2 * statuses.filter((s) => s !== "applied").length,
    customers: deals.customerCreated.length,
    deals: D,
    dealsByStage,
    touches: deals.touches.count,
    mrrRows: mrr.count,
    applications: APPLICATIONS.length + statuses.filter((s) => s === "applied").length,
    partnersByTier,
    proofFiles: cost.proofFiles,
  };
}
