// The catalogue's functions against a generated program: every partner's figures agree with
// the other computations that must give the same numbers — the tier evaluation's program-wide
// pass (the rollups), the attribution page, the registered deals themselves — under every model.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partners, programSettings, type AttributionModel } from "../../db/schema";
import { generateProgram } from "../../db/seed/program";
import { closeDatabase, type DB } from "../db.server";
import { createTestDatabase } from "../../tests/support/db";
import { MODELS } from "./attribution";
import { trailing12Months } from "./attribution.server";
import { openPipeline, partnerFigures, spanWindow } from "./figures.server";
import { partnerAttribution } from "./partner-attribution.server";
import { calendarWindow } from "./periods";
import { dealsByStage } from "./partners.server";
import { tierMetricsForAll, tierMetricsForPartner } from "./tier-metrics.server";

let db: DB;
const AS_OF = new Date("2026-11-15T00:00:00Z");
let partnerIds: number[];

function setModel(model: AttributionModel) {
  db.update(programSettings).set({ attributionModel: model }).where(eq(programSettings.id, 1)).run();
}

beforeAll(() => {
  db = createTestDatabase().db;
  generateProgram(db, { seed: 11, partners: 25, deals: 2500, months: 24, asOf: AS_OF, passwordHash: "x" });
  partnerIds = db.select({ id: partners.id }).from(partners).where(eq(partners.status, "active")).all().map((p) => p.id);
});
afterAll(() => closeDatabase(db));

describe("partnerFigures", () => {
  it.each(MODELS)("equals the tier evaluation's program-wide figures for every partner (%s model)", (model) => {
    setModel(model);
    const all = tierMetricsForAll(db, AS_OF, model);
    let credited = 0;
    for (const id of partnerIds) {
      const f = partnerFigures(db, id, trailing12Months(AS_OF), model);
      const m = all.get(id)!;
      expect({ id, revenue: f.creditedRevenue, won: f.dealsWon, closed: f.won + f.lost, rate: f.winRate }).toEqual({
        id,
        revenue: m.revenueCents,
        won: m.wonDeals,
        closed: m.closedDeals,
        rate: m.winRateBp,
      });
      expect(tierMetricsForPartner(db, id, AS_OF)).toEqual(m);
      credited += f.dealsWon;
    }
    expect(credited, "the program credits some deals").toBeGreaterThan(0);
  });

  it("equals the attribution page's credited revenue and deals for a month, a quarter and 12 months", () => {
    setModel("time_decay");
    for (const id of partnerIds.slice(0, 10)) {
      for (const period of [
        { kind: "ttm", value: null },
        { kind: "month", value: "2026-09" },
        { kind: "quarter", value: "2026-Q2" },
      ] as const) {
        const page = partnerAttribution(db, id, period, AS_OF);
        const window = { from: new Date(page.window.from), to: new Date(page.window.to) };
        const f = partnerFigures(db, id, window);
        expect([f.creditedRevenue, f.dealsWon]).toEqual([page.creditedCents, page.creditedDeals]);
      }
    }
  });

  it("adds up: a quarter's figures are the sum of its three months'", () => {
    setModel("linear");
    const additive = ["creditedRevenue", "dealsWon", "won", "lost", "registrationsSubmitted", "registrationsApproved"] as const;
    for (const id of partnerIds) {
      const quarter = partnerFigures(db, id, spanWindow({ kind: "quarter", value: "2026-Q2" }, AS_OF));
      const months = ["2026-04", "2026-05", "2026-06"].map((m) => partnerFigures(db, id, calendarWindow(m)));
      for (const key of additive) expect(months.reduce((s, m) => s + m[key], 0), `${id} ${key}`).toBe(quarter[key]);
    }
  });

  it("counts the win rate and registrations from the partner's own registrations", () => {
    const window = trailing12Months(AS_OF);
    const [from, to] = [window.from.getTime(), window.to.getTime()];
    for (const id of partnerIds) {
      const rows = db.$client
        .prepare(`SELECT stage, submitted_at AS s, decided_at AS d, closed_at AS c FROM deals WHERE partner_id = ?`)
        .all(id) as { stage: string; s: number; d: number | null; c: number | null }[];
      const inside = (t: number | null) => t !== null && t >= from && t < to;
      const won = rows.filter((r) => r.stage === "won" && inside(r.c)).length;
      const lost = rows.filter((r) => r.stage === "lost" && inside(r.c)).length;
      const f = partnerFigures(db, id, window);
      expect([f.won, f.lost]).toEqual([won, lost]);
      expect(f.winRate).toBe(won + lost === 0 ? null : Math.round((won / (won + lost)) * 10_000));
      expect(f.registrationsSubmitted).toBe(rows.filter((r) => inside(r.s)).length);
      expect(f.registrationsApproved).toBe(rows.filter((r) => r.stage !== "submitted" && r.stage !== "rejected" && inside(r.d)).length);
    }
  });

  it("gives the open pipeline of the registrations waiting or approved, as the stage chart has them", () => {
    for (const id of partnerIds) {
      const open = openPipeline(db, id);
      const stages = dealsByStage(db, id).filter((s) => s.stage === "submitted" || s.stage === "approved");
      expect(open.openRegistrations).toBe(stages.reduce((n, s) => n + s.deals, 0));
      expect(open.openPipeline).toBe(stages.reduce((n, s) => n + s.amountCents, 0));
    }
  });
});
