// A partner's touch counts for the monthly report against a real migrated SQLite: the counts
// over a span, and the index that answers them without reading the touches table (the
// largest partner logs ~3,800 touches a month).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeal, createPartner, createTouch } from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { partnerTouchCounts } from "./deal-activity.server";

let db: DB;

beforeAll(() => {
  ({ db } = createTestDatabase());
});

afterAll(() => closeDatabase(db));

describe("partnerTouchCounts", () => {
  it("counts the partner's touches in the span, and apart the ones it logged itself (not the registration's referral)", () => {
    const partner = createPartner(db);
    const other = createPartner(db);
    const deal = createDeal(db, { partnerId: partner.id, stage: "won", submittedAt: new Date("2026-09-20T00:00:00Z"), closedAt: new Date("2026-11-20T00:00:00Z") });
    const at = (day: string) => new Date(`${day}T12:00:00Z`);
    createTouch(db, { dealId: deal.id, partnerId: partner.id, kind: "referral", occurredAt: at("2026-10-01") });
    createTouch(db, { dealId: deal.id, partnerId: partner.id, kind: "co_sell_meeting", occurredAt: at("2026-10-15") });
    createTouch(db, { dealId: deal.id, partnerId: partner.id, kind: "technical_validation", occurredAt: at("2026-10-31") });
    createTouch(db, { dealId: deal.id, partnerId: partner.id, kind: "technical_validation", occurredAt: at("2026-11-01") });
    createTouch(db, { dealId: deal.id, partnerId: other.id, kind: "technical_validation", occurredAt: at("2026-10-20") });
    expect(partnerTouchCounts(db, partner.id, new Date("2026-10-01T00:00:00Z"), new Date("2026-11-01T00:00:00Z"))).toEqual({ all: 3, logged: 2 });
    expect(partnerTouchCounts(db, other.id, new Date("2026-10-01T00:00:00Z"), new Date("2026-11-01T00:00:00Z"))).toEqual({ all: 1, logged: 1 });
  });

  it("is answered from an index alone (partner, time, kind), not by reading each touch", () => {
    const plan = (
      db.$client
        .prepare(
          `EXPLAIN QUERY PLAN SELECT count(*), coalesce(sum(kind <> 'referral'), 0) FROM touches
            WHERE partner_id = ? AND occurred_at >= ? AND occurred_at < ?`,
        )
        .all(1, 0, 1) as { detail: string }[]
    )
      .map((p) => p.detail)
      .join("\n");
    expect(plan).toMatch(/SEARCH touches USING COVERING INDEX touches_partner_occurred_kind_idx \(partner_id=\? AND occurred_at>\? AND occurred_at<\?\)/);
  });
});
