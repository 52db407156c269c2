import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTouch } from "../../db/factories";
import { auditEvents, programSettings, tiers, type Tier, type User } from "../../db/schema";
import {
  partnerOn,
  run,
  startTierProgram,
  stopTierProgram,
  won,
  type TierLadder,
} from "../../tests/support/tier-program";
import type { DB } from "../db.server";
import { actorOf } from "./audit.server";
import { periodEnd } from "./periods";
import {
  ladderProblems,
  previewProgramChange,
  saveProgramSettings,
  SettingsError,
  type LadderRow,
} from "./program-settings.server";

const DAY = 86_400_000;

let db: DB, ladder: TierLadder, admin: User;

beforeEach(() => {
  ({ db, ladder, admin } = startTierProgram());
});
afterEach(stopTierProgram);

describe("program settings and the ladder", () => {
  const rowsOf = (list: Tier[]): LadderRow[] =>
    list.map((t) => ({
      id: t.id,
      name: t.name,
      rank: t.rank,
      minRevenueCents: t.minRevenueCents,
      minWonDeals: t.minWonDeals,
      minWinRateBp: t.minWinRateBp,
      thresholdRule: t.thresholdRule,
      benefits: t.benefits,
    }));
  const current = () => rowsOf(Object.values(ladder).sort((a, b) => a.rank - b.rank));

  it("refuses to remove a tier a partner is on, or one that evaluations refer to, and reports rule problems by row", async () => {
    partnerOn(ladder.Gold);
    const rows = current().map((r) => (r.name === "Gold" ? { ...r, remove: true } : r));
    expect(ladderProblems(db, rows)).toEqual([
      { index: 2, message: "Gold cannot be removed: 1 partner is on it. Move them first." },
    ]);

    await run("2024-05");
    const referenced = current().map((r) => (r.name === "Registered" ? { ...r, remove: true } : r));
    expect(ladderProblems(db, referenced)).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringMatching(/Registered cannot be removed/) }),
    ]);

    const broken = current().map((r) => (r.name === "Platinum" ? { ...r, minWonDeals: 5 } : r));
    expect(ladderProblems(db, broken)).toEqual([
      { index: 3, message: "Platinum needs fewer won deals than Gold, which ranks below it." },
    ]);
    expect(() =>
      saveProgramSettings(db, actorOf(admin), {
        programName: "P",
        attributionModel: "sourced",
        protectionDays: 90,
        ladder: broken,
      })
    ).toThrow(SettingsError);
  });

  it("saves settings and ladder in one go (swapped names, an added and a removed tier) with one audit event", () => {
    const rows = current();
    rows[1] = { ...rows[1], name: "Bronze" };
    rows.push({
      name: "Diamond",
      rank: 4,
      minRevenueCents: 500_000_000,
      minWonDeals: 50,
      minWinRateBp: 3_500,
      thresholdRule: "all",
      benefits: "Everything.",
    });
    rows[3] = { ...rows[3], remove: true };
    saveProgramSettings(db, actorOf(admin), {
      programName: "Acme Partners",
      attributionModel: "linear",
      protectionDays: 120,
      ladder: rows,
    });

    expect(db.select().from(programSettings).get()).toMatchObject({
      programName: "Acme Partners",
      attributionModel: "linear",
      protectionDays: 120,
    });
    const saved = db
      .select()
      .from(tiers)
      .all()
      .sort((a, b) => a.rank - b.rank);
    expect(saved.map((t) => [t.name, t.rank, t.minWinRateBp])).toEqual([
      ["Registered", 0, null],
      ["Bronze", 1, null],
      ["Gold", 2, null],
      ["Diamond", 4, 3_500],
    ]);
    const audit = db.select().from(auditEvents).where(eq(auditEvents.action, "settings.updated")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0].before).toMatchObject({ attributionModel: "sourced", protectionDays: 90 });
    expect(audit[0].after).toMatchObject({ attributionModel: "linear", programName: "Acme Partners" });
  });

  it("swaps the ranks of two tiers despite the unique index", () => {
    const rows = current();
    rows[2] = { ...rows[2], name: "Platinum", rank: 2 };
    rows[3] = { ...rows[3], name: "Gold", rank: 3 };
    saveProgramSettings(db, actorOf(admin), {
      programName: "P",
      attributionModel: "sourced",
      protectionDays: 90,
      ladder: rows,
    });
    expect(db.select().from(tiers).where(eq(tiers.id, ladder.Gold.id)).get()).toMatchObject({
      name: "Platinum",
      rank: 2,
    });
  });

  it("previews how many partners would move under a new ladder and model, writing nothing", () => {
    const now = new Date();
    const recent = new Date(now.getTime() - 20 * DAY).toISOString();
    const a = partnerOn(ladder.Registered);
    for (let i = 0; i < 3; i++) won(a.partner.id, recent, 500_000);
    partnerOn(ladder.Silver); // nothing won: would be lower
    partnerOn(ladder.Registered); // stays

    const unchanged = previewProgramChange(db, { attributionModel: "sourced", ladder: current() }, now);
    expect(unchanged).toMatchObject({ activePartners: 3, higher: 1, same: 1, lower: 1 });

    const stricter = current().map((r) => (r.name === "Silver" ? { ...r, minWonDeals: 5 } : r));
    expect(previewProgramChange(db, { attributionModel: "linear", ladder: stricter }, now)).toMatchObject({
      higher: 0,
      same: 2,
      lower: 1,
    });
    expect(db.select().from(auditEvents).all()).toEqual([]);
    expect(db.select().from(tiers).where(eq(tiers.id, ladder.Silver.id)).get()?.minWonDeals).toBe(3);
  });

  it("previews exactly what a real evaluation then does on the same data, under the proposed model and ladder", async () => {
    // Silver A registers three won deals that only B touched: under "sourced" A keeps Silver and
    // B stays Registered; under the linear model the credit is B's, so B rises and A falls.
    const a = partnerOn(ladder.Silver);
    const b = partnerOn(ladder.Registered);
    for (const d of ["2024-03-01", "2024-04-01", "2024-05-01"]) {
      const deal = won(a.partner.id, `${d}T10:00:00Z`, 2_000_000);
      createTouch(db, { dealId: deal.id, partnerId: b.partner.id });
    }
    partnerOn(ladder.Gold); // nothing won: would be lower
    partnerOn(ladder.Registered); // stays
    const asOf = periodEnd("2024-05");
    const ladderRows = current().map((r) => (r.name === "Platinum" ? { ...r, minWonDeals: 30 } : r));

    const underSourced = previewProgramChange(db, { attributionModel: "sourced", ladder: ladderRows }, asOf);
    const underLinear = previewProgramChange(db, { attributionModel: "linear", ladder: ladderRows }, asOf);
    expect(underSourced).toMatchObject({ activePartners: 4, higher: 0, same: 3, lower: 1 });
    expect(underLinear).toMatchObject({ activePartners: 4, higher: 1, same: 1, lower: 2 });

    saveProgramSettings(db, actorOf(admin), {
      programName: "P",
      attributionModel: "linear",
      protectionDays: 90,
      ladder: ladderRows,
    });
    const counts = await run("2024-05");
    expect({
      activePartners: counts.evaluated,
      higher: counts.upgrades,
      same: counts.unchanged,
      lower: counts.downgrades + counts.warnings,
    }).toEqual({
      activePartners: underLinear.activePartners,
      higher: underLinear.higher,
      same: underLinear.same,
      lower: underLinear.lower,
    });
  });
});

