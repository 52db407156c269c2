// One row per (partner, won deal it registered or touched): its credit under every model, the
// deal's close instant and how the partner is involved (owned by app/domain/rollups.server.ts,
// kept by refreshDealRollups and rebuildRollups like the other rollups). The attribution page
// sums a period's rows and pages the deal table on (partner_id, closed_at, deal_id) instead of
// running the attribution engine over every deal of the period.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** compareModels' groups (attribution-explain.ts): how the partner is involved in the deal. */
export const DEAL_INVOLVEMENTS = ["influenced", "registered_untouched", "registered_shared", "registered_own"] as const;
export type DealInvolvement = (typeof DEAL_INVOLVEMENTS)[number];

export const partnerDealCredits = sqliteTable(
  "partner_deal_credits",
  {
    partnerId: integer("partner_id").notNull(),
    dealId: integer("deal_id").notNull(),
    /** The deal's close instant (ms), the list's order and the window's filter. */
    closedAt: integer("closed_at").notNull(),
    /** 1 when this partner registered the deal (its "sourced" deals), else 0 (influenced). */
    registered: integer("registered").notNull(),
    involvement: text("involvement", { enum: DEAL_INVOLVEMENTS }).notNull(),
    /** This partner's credit in reporting-currency cents under each model (0 when none). */
    sourcedCents: integer("sourced_cents").notNull(),
    firstCents: integer("first_cents").notNull(),
    lastCents: integer("last_cents").notNull(),
    linearCents: integer("linear_cents").notNull(),
    timeDecayCents: integer("time_decay_cents").notNull(),
    positionCents: integer("position_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.dealId, t.partnerId] }),
    // Covering: a period's rows (the page's sums, the keyset pages, the report's top deals) are
    // read from the index alone, in close order, without a table lookup per deal.
    index("partner_deal_credits_partner_closed_idx").on(
      t.partnerId,
      t.closedAt,
      t.dealId,
      t.registered,
      t.involvement,
      t.sourcedCents,
      t.firstCents,
      t.lastCents,
      t.linearCents,
      t.timeDecayCents,
      t.positionCents,
    ),
  ],
);
