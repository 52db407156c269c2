// What the program costs and what market development funds (MDF) buy (docs/domain.md "Cost
// and return", decision 0022): MDF requests with their claim and proof files, the deals a claim
// links, and recorded spend by month and category. Money is integer cents in the program's
// reporting currency; months are 'YYYY-MM', calendar dates 'YYYY-MM-DD'.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { PILLARS } from "./vocabulary";

export const MDF_STATUSES = ["requested", "approved", "rejected", "claimed", "paid"] as const;
export type MdfStatus = (typeof MDF_STATUSES)[number];

/** Recorded spend categories: each belongs to one channel. MDF paid comes from paid claims. */
export const SPEND_CATEGORIES = ["commissions", "team", "tools", "other_partner", "direct_sales_marketing"] as const;
export type SpendCategory = (typeof SPEND_CATEGORIES)[number];

export const mdfRequests = sqliteTable(
  "mdf_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    partnerId: integer("partner_id").notNull(),
    activityType: text("activity_type", { enum: PILLARS }).notNull(),
    title: text("title").notNull(),
    plannedOn: text("planned_on").notNull(),
    /** 'YYYY-Qn' of plannedOn: the quarter whose tier allowance the request draws on. */
    quarter: text("quarter").notNull(),
    amountCents: integer("amount_cents").notNull(),
    expectedOutcome: text("expected_outcome").notNull(),
    status: text("status", { enum: MDF_STATUSES }).notNull().default("requested"),
    requestedBy: text("requested_by"),
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    rejectionReason: text("rejection_reason"),
    claimedCents: integer("claimed_cents"),
    claimLeads: integer("claim_leads"),
    claimResults: text("claim_results"),
    claimedAt: integer("claimed_at", { mode: "timestamp_ms" }),
    /** Set when the partner team returns a claim for changes (status back to approved); cleared by the next claim. */
    claimReturnReason: text("claim_return_reason"),
    claimReturnedAt: integer("claim_returned_at", { mode: "timestamp_ms" }),
    paidCents: integer("paid_cents"),
    paidBy: text("paid_by"),
    paidAt: integer("paid_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    index("mdf_requests_partner_quarter_idx").on(t.partnerId, t.quarter),
    index("mdf_requests_status_idx").on(t.status, t.createdAt),
    check("mdf_requests_amount_positive", sql`${t.amountCents} > 0`),
    check("mdf_requests_claim_within", sql`${t.claimedCents} IS NULL OR (${t.claimedCents} > 0 AND ${t.claimedCents} <= ${t.amountCents})`),
  ],
);

export const mdfClaimDeals = sqliteTable(
  "mdf_claim_deals",
  {
    requestId: integer("request_id")
      .notNull()
      .references(() => mdfRequests.id, { onDelete: "cascade" }),
    dealId: integer("deal_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.dealId] }), index("mdf_claim_deals_deal_idx").on(t.dealId)],
);

export const mdfProofFiles = sqliteTable(
  "mdf_proof_files",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: integer("request_id")
      .notNull()
      .references(() => mdfRequests.id, { onDelete: "cascade" }),
    partnerId: integer("partner_id").notNull(),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** Random name under DATA folder/mdf-proofs: never derived from what the partner typed. */
    storedName: text("stored_name").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index("mdf_proof_files_request_idx").on(t.requestId), uniqueIndex("mdf_proof_files_stored_uq").on(t.storedName)],
);

export const programSpend = sqliteTable(
  "program_spend",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    month: text("month").notNull(),
    category: text("category", { enum: SPEND_CATEGORIES }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    note: text("note").notNull().default(""),
    createdBy: text("created_by"),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("program_spend_month_category_uq").on(t.month, t.category),
    check("program_spend_amount_nonnegative", sql`${t.amountCents} >= 0`),
  ],
);
