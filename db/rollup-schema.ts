// The analytics rollups (owned by app/domain/rollups.server.ts): derived data that lets the
// ecosystem and program-metrics pages answer from a few thousand rows instead of every deal.
// Kept in step with deals inside the same transaction as each change (refreshDealRollups) and
// rebuilt from scratch by rebuildRollups. Months are 'YYYY-MM' of the UTC close date.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ATTRIBUTION_MODELS, type AttributionModel } from "./vocabulary";

/**
 * What each closed (won or lost) deal currently contributes to the rollups, so that a change to
 * the deal can take its old contribution out before adding the new one. No foreign key: the
 * ledger row must outlive the deal to be subtracted.
 */
export const dealRollups = sqliteTable("deal_rollups", {
  dealId: integer("deal_id").primaryKey(),
  month: text("month").notNull(),
  stage: text("stage", { enum: ["won", "lost"] }).notNull(),
  /** Registering partner; null = not partner-sourced. */
  partnerId: integer("partner_id"),
  customerId: integer("customer_id").notNull(),
  /** Bit set of program segments (source, partner kinds, pillars): rollups.server.ts SEGMENTS. */
  segments: integer("segments").notNull(),
  amountCents: integer("amount_cents").notNull(),
  /** Won deals: whole days from submission to close. */
  cycleDays: integer("cycle_days"),
  /** Won deals: per model, [partnerId, cents] pairs. */
  credits: text("credits", { mode: "json" }).$type<Partial<Record<AttributionModel, [number, number][]>>>(),
});

/** Credited revenue and credited won deals per partner, month and attribution model. */
export const partnerMonthCredit = sqliteTable(
  "partner_month_credit",
  {
    model: text("model", { enum: ATTRIBUTION_MODELS }).notNull(),
    month: text("month").notNull(),
    partnerId: integer("partner_id").notNull(),
    creditedCents: integer("credited_cents").notNull(),
    creditedDeals: integer("credited_deals").notNull(),
  },
  (t) => [
    uniqueIndex("partner_month_credit_uq").on(t.model, t.month, t.partnerId),
    // Covering: the window sums read only the index.
    index("partner_month_credit_cover_idx").on(t.model, t.month, t.partnerId, t.creditedCents),
  ],
);

/** Won and lost deals per registering partner and close month (partner win rates). */
export const partnerMonthOutcomes = sqliteTable(
  "partner_month_outcomes",
  {
    month: text("month").notNull(),
    partnerId: integer("partner_id").notNull(),
    wonDeals: integer("won_deals").notNull(),
    lostDeals: integer("lost_deals").notNull(),
  },
  (t) => [
    uniqueIndex("partner_month_outcomes_uq").on(t.month, t.partnerId),
    index("partner_month_outcomes_cover_idx").on(t.month, t.partnerId, t.wonDeals, t.lostDeals),
  ],
);

/**
 * Closed deals per close month and program segment ('sourced' | 'influenced' | 'direct' |
 * 'kind:<partner kind>' | 'pillar:<pillar>'); a deal counts in every segment it belongs to.
 */
export const programMonthStats = sqliteTable(
  "program_month_stats",
  {
    month: text("month").notNull(),
    segment: text("segment").notNull(),
    wonDeals: integer("won_deals").notNull(),
    lostDeals: integer("lost_deals").notNull(),
    wonCents: integer("won_cents").notNull(),
  },
  (t) => [uniqueIndex("program_month_stats_uq").on(t.month, t.segment)],
);

/** Won deals per close month, segment and sales-cycle length in days (for exact medians). */
export const programMonthCycles = sqliteTable(
  "program_month_cycles",
  {
    month: text("month").notNull(),
    segment: text("segment").notNull(),
    cycleDays: integer("cycle_days").notNull(),
    wonDeals: integer("won_deals").notNull(),
  },
  (t) => [uniqueIndex("program_month_cycles_uq").on(t.month, t.segment, t.cycleDays)],
);

/**
 * Each customer's first won deal (earliest close, then lowest id), its segments and its close
 * month (so that a change can take the customer out of program_month_new_customers).
 */
export const customerFirstWins = sqliteTable(
  "customer_first_wins",
  {
    customerId: integer("customer_id").primaryKey(),
    dealId: integer("deal_id").notNull(),
    segments: integer("segments").notNull(),
    /** 'YYYY-MM' of the first won deal's close (the migration backfills it from deal_rollups). */
    month: text("month"),
  },
);

/** New customers (first won deal) per close month and source segment (sourced / influenced / direct). */
export const programMonthNewCustomers = sqliteTable(
  "program_month_new_customers",
  {
    month: text("month").notNull(),
    segment: text("segment").notNull(),
    customers: integer("customers").notNull(),
  },
  (t) => [uniqueIndex("program_month_new_customers_uq").on(t.month, t.segment)],
);

/**
 * Retention per month M and first-win segment: the cohort is the customers with MRR in M − 12;
 * churned = cohort customers without MRR in M; NRR = mrr_now / mrr_then.
 */
export const programMonthRetention = sqliteTable(
  "program_month_retention",
  {
    month: text("month").notNull(),
    segment: text("segment").notNull(),
    cohortCustomers: integer("cohort_customers").notNull(),
    churnedCustomers: integer("churned_customers").notNull(),
    mrrThenCents: integer("mrr_then_cents").notNull(),
    mrrNowCents: integer("mrr_now_cents").notNull(),
  },
  (t) => [uniqueIndex("program_month_retention_uq").on(t.month, t.segment)],
);

/** A version per month, bumped whenever that month's rollups change (cache keys). */
export const rollupMonths = sqliteTable("rollup_months", {
  month: text("month").primaryKey(),
  version: integer("version").notNull(),
});

/** Singleton: when the rollups were last rebuilt from scratch (absent: never). */
export const rollupState = sqliteTable(
  "rollup_state",
  {
    id: integer("id").primaryKey(),
    builtAt: integer("built_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [check("rollup_state_singleton", sql`${t.id} = 1`)],
);

/**
 * Each deal's registration as the cost figures count it (every deal, open or closed): month
 * submitted, channel (the source segment) and whether it is won — the ledger that lets a change
 * take the old count out of program_month_registrations.
 */
export const dealRegistrations = sqliteTable("deal_registrations", {
  dealId: integer("deal_id").primaryKey(),
  month: text("month").notNull(),
  segment: text("segment").notNull(),
  won: integer("won").notNull(),
});

/** Registrations per submission month and source segment, and how many of them are won. */
export const programMonthRegistrations = sqliteTable(
  "program_month_registrations",
  {
    month: text("month").notNull(),
    segment: text("segment").notNull(),
    registered: integer("registered").notNull(),
    wonDeals: integer("won_deals").notNull(),
  },
  (t) => [uniqueIndex("program_month_registrations_uq").on(t.month, t.segment)],
);

/**
 * A version per table whose rows feed memoized figures (cache keys), bumped by triggers on
 * every insert, update and delete, so no write path can forget it: 'partners' (the ecosystem
 * snapshot's partner list, the applications page's roster of possible duplicates).
 */
export const tableVersions = sqliteTable("table_versions", {
  name: text("name").primaryKey(),
  version: integer("version").notNull(),
});
