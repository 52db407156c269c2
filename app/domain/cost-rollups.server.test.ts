// The cost figures read new customers (customer_first_wins) and registration → won days
// (program_month_cycles) from the rollups (decision 0022). On a generated program — 18 months,
// the three channels, repeat customers, MDF links — they must equal a direct recomputation from
// the deals and touches, right after a rebuild and after the write path recorded outcomes that
// move customers' first wins to other deals and months.
import { eq } from "drizzle-orm";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner, createTouch, createUser, ensureDefaultProgram, registrationInput } from "../../db/factories";
import { deals, tiers, touches, type Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf, type Actor } from "./audit.server";
import { costMetrics } from "./cost-metrics.server";
import { approveClaim, claimMdf, decideMdf, requestMdf } from "./mdf.server";
import { markWon, registerDeal } from "./deals.server";
import { rebuildRollups } from "./rollups.server";

const AS_OF = new Date("2026-07-10T08:00:00Z");
const DAY = 86_400_000;
type Channel = "sourced" | "influenced" | "direct";

let db: DB;
let created: { db: DB; file: string };
let manager: Actor;
const open: { id: number; partnerId: number | null; customerId: number; submittedAt: number }[] = [];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Straight from deals and touches: new customers per close month and channel, days to won. */
function direct() {
  const touched = new Set(db.select({ dealId: touches.dealId }).from(touches).all().map((t) => t.dealId));
  const channel = (d: { id: number; partnerId: number | null }): Channel =>
    d.partnerId !== null ? "sourced" : touched.has(d.id) ? "influenced" : "direct";
  const won = db
    .select()
    .from(deals)
    .where(eq(deals.stage, "won"))
    .all()
    .filter((d) => d.closedAt)
    .sort((a, b) => a.closedAt!.getTime() - b.closedAt!.getTime() || a.id - b.id);
  const from = Date.parse("2025-07-01T00:00:00Z");
  const to = Date.parse("2026-07-01T00:00:00Z");
  const firstSeen = new Set<number>();
  const newCustomers: Record<string, Record<Channel, number>> = {};
  const days: Record<Channel, number[]> = { sourced: [], influenced: [], direct: [] };
  for (const d of won) {
    const closed = d.closedAt!.getTime();
    const first = !firstSeen.has(d.customerId);
    firstSeen.add(d.customerId);
    if (closed < from || closed >= to) continue;
    const ch = channel(d);
    days[ch].push(Math.max(0, Math.floor((closed - d.submittedAt.getTime()) / DAY)));
    if (first) {
      const month = d.closedAt!.toISOString().slice(0, 7);
      newCustomers[month] ??= { sourced: 0, influenced: 0, direct: 0 };
      newCustomers[month][ch]++;
    }
  }
  const median = (xs: number[]) => {
    if (!xs.length) return null;
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const registered = { sourced: 0, influenced: 0, direct: 0 };
  const registeredWon = { sourced: 0, influenced: 0, direct: 0 };
  for (const d of db.select().from(deals).all()) {
    const t = d.submittedAt.getTime();
    if (t < from || t >= to) continue;
    registered[channel(d)]++;
    if (d.stage === "won") registeredWon[channel(d)]++;
  }
  const lead = Object.fromEntries(
    (Object.keys(days) as Channel[]).map((ch) => [
      ch,
      {
        wonInWindow: days[ch].length,
        medianDaysToWon: median(days[ch]),
        meanDaysToWon: days[ch].length ? days[ch].reduce((a, b) => a + b, 0) / days[ch].length : null,
        registered: registered[ch],
        registeredWon: registeredWon[ch],
      },
    ]),
  );
  return { newCustomers, lead };
}

function viaRollups() {
  const m = costMetrics(db, AS_OF);
  const newCustomers: Record<string, Record<Channel, number>> = {};
  for (const month of m.months) {
    if (month.newCustomers.sourced + month.newCustomers.influenced + month.newCustomers.direct) newCustomers[month.month] = month.newCustomers;
  }
  const lead = Object.fromEntries(
    (["sourced", "influenced", "direct"] as const).map((ch) => {
      const { wonInWindow, medianDaysToWon, meanDaysToWon, registered, registeredWon } = m.leadQuality[ch];
      return [ch, { wonInWindow, medianDaysToWon, meanDaysToWon, registered, registeredWon }];
    }),
  );
  return { newCustomers, lead, m };
}

beforeAll(() => {
  created = createTestDatabase();
  db = created.db;
  ensureDefaultProgram(db);
  const rnd = random(17);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const gold = db.select().from(tiers).where(eq(tiers.name, "Gold")).get()!;
  const partners: Partner[] = [
    createPartner(db, { name: "Gen Reseller", slug: "gen-reseller", kind: "reseller", tierId: gold.id }),
    createPartner(db, { name: "Gen Agency", slug: "gen-agency", kind: "agency" }),
    createPartner(db, { name: "Gen Tech", slug: "gen-tech", kind: "technology" }),
  ];
  manager = actorOf(createUser(db, { role: "partner_manager" }));
  const customers: ReturnType<typeof createCustomer>[] = Array.from({ length: 40 }, () => createCustomer(db));
  const start = Date.parse("2025-01-05T10:00:00Z");
  const wonIds: number[] = [];
  for (let i = 0; i < 220; i++) {
    const customer = pick(customers);
    const partnerId = rnd() < 0.45 ? pick(partners).id : null;
    const submittedAt = new Date(start + Math.floor(rnd() * 500) * DAY + Math.floor(rnd() * DAY));
    const r = rnd();
    const stage = r < 0.5 ? "won" : r < 0.7 ? "lost" : r < 0.85 ? "approved" : "submitted";
    const closedAt = stage === "won" || stage === "lost" ? new Date(Math.min(submittedAt.getTime() + 3 * DAY + Math.floor(rnd() * 120 * DAY), AS_OF.getTime() - DAY)) : undefined;
    const deal = createDeal(
      db,
      { partnerId, customerId: customer.id, stage, submittedAt, closedAt, amountCents: 100_000 + Math.floor(rnd() * 50) * 10_000 },
      { withSubmissionTouch: partnerId !== null, now: AS_OF },
    );
    // Some direct registrations get a partner touch: influenced.
    if (partnerId === null && rnd() < 0.3) createTouch(db, { dealId: deal.id, partnerId: pick(partners).id, kind: "integration" });
    if (stage === "won") wonIds.push(deal.id);
    if (stage === "approved") open.push({ id: deal.id, partnerId, customerId: customer.id, submittedAt: submittedAt.getTime() });
  }
  // MDF paid in 2026-03, linking some generated deals.
  const p = partners[0]!;
  const admin = actorOf(createUser(db, { role: "partner_admin", partnerId: p.id }));
  const id = requestMdf(db, admin, p.id, { activityType: "market", title: "Generated roadshow", plannedOn: "2026-03-01", amount: "1000", expectedOutcome: "Leads" }, new Date("2026-02-01T12:00:00Z"));
  decideMdf(db, manager, id, { approve: true }, new Date("2026-02-02T12:00:00Z"));
  const linkable = db.select({ id: deals.id }).from(deals).where(eq(deals.partnerId, p.id)).all().slice(0, 5).map((d) => d.id);
  claimMdf(db, admin, p.id, id, { amount: "1000", leads: "12", results: "Done", dealIds: linkable }, [{ fileName: "i.pdf", bytes: new TextEncoder().encode("%PDF-1.7") }], path.join(path.dirname(created.file), `proofs-${path.basename(created.file)}`), new Date("2026-03-10T12:00:00Z"));
  approveClaim(db, manager, id, new Date("2026-03-20T12:00:00Z"));
  rebuildRollups(db);
});

afterAll(() => closeDatabase(db));

describe("cost figures from the rollups", () => {
  it("equal a direct recomputation from the deals after a rebuild", () => {
    const want = direct();
    const got = viaRollups();
    // The generated program is not trivial: several months, every channel, repeat customers.
    expect(Object.keys(want.newCustomers).length).toBeGreaterThan(5);
    for (const ch of ["sourced", "influenced", "direct"] as const) expect(want.lead[ch]!.wonInWindow).toBeGreaterThan(3);
    expect(got.m.mdf.total.linkedDeals).toBeGreaterThan(0);
    expect(got.newCustomers).toEqual(want.newCustomers);
    expect(got.lead).toEqual(want.lead);
  });

  it("stay equal after registrations and outcomes through the write paths (outcomes moving customers' first wins)", () => {
    const partnerOpen = open.filter((d) => d.partnerId !== null);
    const directOpen = open.filter((d) => d.partnerId === null);
    expect(partnerOpen.length).toBeGreaterThan(1);
    // Won a day after submission: often earlier than the customer's first win so far, which
    // moves that first win (and its month) to this deal.
    for (const d of partnerOpen) markWon(db, manager, d.id, 777_700, new Date(d.submittedAt + DAY));
    for (const d of directOpen) markWon(db, manager, d.id, 333_300, new Date(d.submittedAt + 2 * DAY));
    // New registrations in the window through the partner's write path (sourced, open).
    const p = db.select().from(deals).where(eq(deals.stage, "won")).all().find((d) => d.partnerId !== null)!.partnerId!;
    const user = createUser(db, { role: "partner_admin", partnerId: p, email: "gen-registrar@partner.test" });
    for (const n of [1, 2, 3]) {
      const r = registerDeal(db, { userId: user.id, partnerId: p, actor: actorOf(user) }, registrationInput(`gen-new-${n}.example`), new Date(`2026-06-0${n}T12:00:00Z`));
      expect(r.status).toBe("registered");
    }
    const before = direct();
    const got = viaRollups();
    expect(got.newCustomers).toEqual(before.newCustomers);
    expect(got.lead).toEqual(before.lead);
  });
});
