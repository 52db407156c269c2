// The whole domain (docs/domain.md "Objects") as drizzle tables. Money is integer cents,
// instants are UTC epoch milliseconds, calendar dates are 'YYYY-MM-DD' text and periods
// 'YYYY-MM' text.
import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import {
  ATTRIBUTION_MODELS,
  DEAL_STAGES,
  DELIVERY_STATUSES,
  GROWTH_PLAY_STATUSES,
  JOURNEY_STAGES,
  PARTNER_KINDS,
  PARTNER_STATUSES,
  PILLARS,
  REPORT_FORMATS,
  ROLES,
  TIER_REVIEW_STATUSES,
  TOUCH_KINDS,
} from "./vocabulary";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export * from "./vocabulary";

export const programSettings = sqliteTable(
  "program_settings",
  {
    id: integer("id").primaryKey(),
    programName: text("program_name").notNull().default("Partner Program"),
    currency: text("currency").notNull().default("USD"),
    attributionModel: text("attribution_model", { enum: ATTRIBUTION_MODELS })
      .notNull()
      .default("sourced"),
    protectionDays: integer("protection_days").notNull().default(90),
    reportCron: text("report_cron").notNull().default("0 6 1 * *"),
    reportTimeZone: text("report_time_zone").notNull().default("UTC"),
    /** Program staff must use two-factor sign-in; those without it enrol at their next sign-in. */
    requireStaffTwoFactor: integer("require_staff_two_factor", { mode: "boolean" }).notNull().default(false),
    /** The paper the report PDFs are printed on: A4 (595.28 × 841.89 pt) or US Letter (612 × 792 pt). */
    paperSize: text("paper_size", { enum: ["A4", "Letter"] }).notNull().default("A4"),
    /** The domain of every Message-ID (decision 0018); null: the domain of MAIL_FROM. */
    mailDomain: text("mail_domain"),
    /** Gross margin on partner-channel revenue, basis points: program ROIC (decision 0022). */
    grossMarginBp: integer("gross_margin_bp").notNull().default(7500),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [check("program_settings_singleton", sql`${t.id} = 1`)],
);

export const tiers = sqliteTable(
  "tiers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    rank: integer("rank").notNull(),
    minRevenueCents: integer("min_revenue_cents").notNull().default(0),
    minWonDeals: integer("min_won_deals").notNull().default(0),
    /** Optional; basis points (0–10,000). */
    minWinRateBp: integer("min_win_rate_bp"),
    /** 'all': every threshold must be met; 'any': one is enough (Silver: 50k or 3 wins). */
    thresholdRule: text("threshold_rule", { enum: ["all", "any"] }).notNull().default("all"),
    benefits: text("benefits").notNull().default(""),
    /** Market development funds a partner at this tier may be approved per calendar quarter. */
    mdfQuarterCents: integer("mdf_quarter_cents").notNull().default(0),
  },
  (t) => [uniqueIndex("tiers_rank_uq").on(t.rank), uniqueIndex("tiers_name_uq").on(t.name)],
);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased: the unique index is case-insensitive by construction. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    partnerId: integer("partner_id").references((): any => partners.id),
    passwordHash: text("password_hash"),
    passwordChangedAt: integer("password_changed_at", { mode: "timestamp_ms" }),
    disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
    reportOptIn: integer("report_opt_in", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_uq").on(t.email),
    index("users_partner_idx").on(t.partnerId),
    check(
      "users_partner_matches_role",
      sql`(${t.role} IN ('partner_user','partner_admin')) = (${t.partnerId} IS NOT NULL)`,
    ),
  ],
);

export const partners = sqliteTable(
  "partners",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    kind: text("kind", { enum: PARTNER_KINDS }).notNull(),
    region: text("region").notNull(),
    status: text("status", { enum: PARTNER_STATUSES }).notNull().default("active"),
    tierId: integer("tier_id")
      .notNull()
      .references(() => tiers.id),
    managerId: text("manager_id").references(() => users.id),
    website: text("website"),
    joinedOn: text("joined_on").notNull(),
    reportFormat: text("report_format", { enum: REPORT_FORMATS }).notNull().default("pdf"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("partners_slug_uq").on(t.slug),
    index("partners_manager_idx").on(t.managerId),
    index("partners_status_idx").on(t.status),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie token, hex: the token itself is never stored. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Sliding idle expiry, epoch seconds (lucia's unit). */
    expiresAt: integer("expires_at").notNull(),
    /** Absolute lifetime ends here whatever the activity, epoch ms. */
    absoluteExpiresAt: integer("absolute_expires_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const signInFailures = sqliteTable(
  "sign_in_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** 'email:<address>' or 'ip:<address>'. */
    key: text("key").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("sign_in_failures_key_at_idx").on(t.key, t.at)],
);

/** A user's TOTP authenticator: one per user, unconfirmed (enabledAt null) while enrolling. */
export const twoFactorCredentials = sqliteTable("two_factor_credentials", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** The TOTP key, AES-256-GCM encrypted with a key derived from APP_SECRET: never in clear. */
  encryptedKey: text("encrypted_key").notNull(),
  enabledAt: integer("enabled_at", { mode: "timestamp_ms" }),
  /** The last 30-second time step a code was accepted for: that code and older ones are refused. */
  lastUsedStep: integer("last_used_step"),
  createdAt: createdAt(),
});

export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the normalised code, hex. */
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("recovery_codes_user_code_uq").on(t.userId, t.codeHash)],
);

/**
 * A sign-in whose password was right but whose second step (a code, or enrolling when staff
 * must) is still to come. The browser holds a random token; only its SHA-256 is stored here.
 */
export const pendingSignIns = sqliteTable(
  "pending_sign_ins",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify", "enrol"] }).notNull(),
    /** Already checked by redirectAfterSignIn. */
    redirectTo: text("redirect_to").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("pending_sign_ins_user_idx").on(t.userId)],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    partnerId: integer("partner_id").references(() => partners.id),
    invitedBy: text("invited_by").references(() => users.id),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    acceptedAt: integer("accepted_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitations_token_uq").on(t.tokenHash),
    index("invitations_partner_idx").on(t.partnerId),
  ],
);

export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("password_resets_token_uq").on(t.tokenHash)],
);

export const partnerApplications = sqliteTable(
  "partner_applications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    companyName: text("company_name").notNull(),
    website: text("website").notNull(),
    kind: text("kind", { enum: PARTNER_KINDS }).notNull(),
    region: text("region").notNull(),
    contactName: text("contact_name").notNull(),
    contactEmail: text("contact_email").notNull(),
    message: text("message").notNull().default(""),
    status: text("status", { enum: ["pending", "approved", "declined"] })
      .notNull()
      .default("pending"),
    declineReason: text("decline_reason"),
    decidedBy: text("decided_by").references(() => users.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    partnerId: integer("partner_id").references(() => partners.id),
    createdAt: createdAt(),
  },
  // Hand-written in migration 0007 (partial unique indexes drizzle-kit cannot be told to
  // create after a backfill): at most one *pending* application per website domain and per
  // contact email — partner_applications_pending_website_uq, partner_applications_pending_email_uq.
  // Also there: triggers keeping partner status, users and application consistent
  // (docs/domain.md "Partner states").
  (t) => [index("partner_applications_status_idx").on(t.status, t.createdAt)],
);

/**
 * One row per create-form submission that created something: the form's token (a hidden
 * input generated per render), who sent it, and where the first submission led. A repeat of
 * the same token by the same actor gets that result back and creates nothing. Written in the
 * same transaction as the record it guards.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** A user id, or 'anonymous' for public forms. */
    actor: text("actor").notNull(),
    /** Which form: 'apply', 'deal.register', … */
    form: text("form").notNull(),
    token: text("token").notNull(),
    /** The first submission's outcome: a redirect location or a message. */
    result: text("result").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_actor_form_token_uq").on(t.actor, t.form, t.token),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);

export const customers = sqliteTable(
  "customers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    /** Normalized: lower-case, no scheme, no www., no path. The identity for conflicts. */
    domain: text("domain").notNull(),
    /** Company name normalized for near-duplicate detection (lower-case, no legal suffix). */
    normalizedName: text("normalized_name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("customers_domain_uq").on(t.domain),
    index("customers_normalized_name_idx").on(t.normalizedName),
  ],
);

export const deals = sqliteTable(
  "deals",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    customerId: integer("customer_id")
      .notNull()
      .references(() => customers.id),
    /** Registering partner; null = direct (vendor-sourced). */
    partnerId: integer("partner_id").references(() => partners.id),
    submittedBy: text("submitted_by").references(() => users.id),
    title: text("title").notNull(),
    /** The company name as this registration typed it; shown to the registering partner
     *  instead of the shared customer record's name, which another partner may have typed. */
    customerName: text("customer_name").notNull().default(""),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull().default("USD"),
    productLine: text("product_line").notNull(),
    expectedCloseOn: text("expected_close_on").notNull(),
    stage: text("stage", { enum: DEAL_STAGES }).notNull().default("submitted"),
    contactName: text("contact_name"),
    contactEmail: text("contact_email"),
    notes: text("notes").notNull().default(""),
    /** Set when the partner submitted despite an "already registered" answer. */
    conflictNote: text("conflict_note"),
    /** 1 while this registration holds the customer's domain claim (at most one per customer). */
    holdsClaim: integer("holds_claim", { mode: "boolean" }).notNull().default(false),
    rejectionReason: text("rejection_reason"),
    lostReason: text("lost_reason"),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }).notNull(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decidedBy: text("decided_by").references(() => users.id),
    protectionEndsAt: integer("protection_ends_at", { mode: "timestamp_ms" }),
    expiryWarnedAt: integer("expiry_warned_at", { mode: "timestamp_ms" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // A partner's deals of a stage; expired ones by protection end (the report's open
    // registrations at a period end: deals_partner_stage_closed_idx would read every row).
    index("deals_partner_stage_protection_idx").on(t.partnerId, t.stage, t.protectionEndsAt),
    index("deals_stage_closed_idx").on(t.stage, t.closedAt),
    index("deals_customer_idx").on(t.customerId),
    index("deals_stage_submitted_idx").on(t.stage, t.submittedAt),
    // Covering: deals a partner registered before a date (ecosystem long tail, ramping flag).
    index("deals_partner_submitted_idx").on(t.partnerId, t.submittedAt),
    // Covering: a partner's won/lost deals closed in a window, its deals and amounts per stage
    // and its decisions in a window (partnerFigures, dealsByStage, openPipeline) read the index
    // only, never the partner's whole history of rows.
    index("deals_partner_stage_closed_idx").on(t.partnerId, t.stage, t.closedAt, t.currency, t.amountCents),
    index("deals_partner_decided_idx").on(t.partnerId, t.decidedAt, t.stage),
    // A currency's deals closed before a day (missingRates: the deals its first rate misses).
    index("deals_currency_closed_idx").on(t.currency, t.closedAt),
    // Also deals_contact_domain_idx on the contact email's domain, an expression index written
    // by hand in its migration (registration-queue.server.ts CONTACT_DOMAIN_SQL).
    uniqueIndex("deals_one_claim_per_customer_uq")
      .on(t.customerId)
      .where(sql`${t.holdsClaim} = 1`),
    check("deals_amount_nonnegative", sql`${t.amountCents} >= 0`),
  ],
);

export const touches = sqliteTable(
  "touches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    dealId: integer("deal_id")
      .notNull()
      .references(() => deals.id, { onDelete: "cascade" }),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    occurredAt: integer("occurred_at", { mode: "timestamp_ms" }).notNull(),
    kind: text("kind", { enum: TOUCH_KINDS }).notNull(),
    pillar: text("pillar", { enum: PILLARS }).notNull(),
    journeyStage: text("journey_stage", { enum: JOURNEY_STAGES }).notNull(),
    note: text("note").notNull().default(""),
    createdBy: text("created_by").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index("touches_deal_idx").on(t.dealId, t.occurredAt),
    // A partner's touches over a span; covering for the monthly report's count of the ones it
    // logged itself (kind), which read ~3,800 rows from the table for the largest partner.
    index("touches_partner_occurred_kind_idx").on(t.partnerId, t.occurredAt, t.kind),
    // The deals a partner touched, in deal order (attribution's trailing 12 months): covering,
    // so the deals are then read by primary key in order (decision 0019).
    index("touches_partner_deal_idx").on(t.partnerId, t.dealId),
  ],
);

export const tierEvaluations = sqliteTable(
  "tier_evaluations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    period: text("period").notNull(),
    currentTierId: integer("current_tier_id")
      .notNull()
      .references(() => tiers.id),
    qualifyingTierId: integer("qualifying_tier_id")
      .notNull()
      .references(() => tiers.id),
    /** 'hold' | 'propose_upgrade' | 'warn_downgrade' | 'propose_downgrade' */
    outcome: text("outcome").notNull(),
    metrics: text("metrics", { mode: "json" }).notNull(),
    /**
     * A downgrade warning's email is claimed here (set while NULL) before it is sent, so two
     * runners never both send it; released (back to NULL) when the send fails.
     */
    warningClaimedAt: integer("warning_claimed_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("tier_evaluations_partner_period_uq").on(t.partnerId, t.period)],
);

export const tierReviews = sqliteTable(
  "tier_reviews",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    period: text("period").notNull(),
    fromTierId: integer("from_tier_id")
      .notNull()
      .references(() => tiers.id),
    toTierId: integer("to_tier_id")
      .notNull()
      .references(() => tiers.id),
    direction: text("direction", { enum: ["upgrade", "downgrade"] }).notNull(),
    metrics: text("metrics", { mode: "json" }).notNull(),
    status: text("status", { enum: TIER_REVIEW_STATUSES }).notNull().default("pending"),
    reviewerId: text("reviewer_id").references(() => users.id),
    note: text("note"),
    createdAt: createdAt(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("tier_reviews_partner_period_uq").on(t.partnerId, t.period),
    index("tier_reviews_status_idx").on(t.status, t.createdAt),
  ],
);

export const customerMrr = sqliteTable(
  "customer_mrr",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    customerId: integer("customer_id")
      .notNull()
      .references(() => customers.id),
    month: text("month").notNull(),
    mrrCents: integer("mrr_cents").notNull(),
  },
  (t) => [uniqueIndex("customer_mrr_customer_month_uq").on(t.customerId, t.month)],
);

export const reportDeliveries = sqliteTable(
  "report_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Null only for the internal ecosystem report (kind 'ecosystem'). */
    partnerId: integer("partner_id").references(() => partners.id),
    period: text("period").notNull(),
    /** partner_id, or 0 for the internal report: NULLs are distinct in a unique index. */
    partnerKey: integer("partner_key").generatedAlwaysAs(sql`coalesce(partner_id, 0)`, {
      mode: "virtual",
    }),
    kind: text("kind").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lockedUntil: integer("locked_until"),
    lockedBy: text("locked_by"),
    messageId: text("message_id"),
    error: text("error"),
    /** JSON [{ address, outcome: 'accepted' | 'rejected', reply }]: what the server said per recipient. */
    outcomes: text("outcomes"),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("report_deliveries_uq").on(t.partnerKey, t.period, t.kind),
    index("report_deliveries_status_idx").on(t.status, t.nextAttemptAt),
  ],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorId: text("actor_id").references(() => users.id),
    /** What the actor was at the time ('system' for jobs), kept even if the user goes. */
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    partnerId: integer("partner_id").references(() => partners.id),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
  },
  (t) => [
    index("audit_events_entity_idx").on(t.entityType, t.entityId, t.at),
    index("audit_events_partner_idx").on(t.partnerId, t.at),
  ],
);

export const growthPlays = sqliteTable(
  "growth_plays",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    flag: text("flag").notNull(),
    ownerId: text("owner_id").references(() => users.id),
    nextAction: text("next_action").notNull(),
    status: text("status", { enum: GROWTH_PLAY_STATUSES }).notNull().default("open"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("growth_plays_partner_idx").on(t.partnerId)],
);

/** Append-only: triggers in the migration refuse UPDATE and DELETE. */
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Partner = typeof partners.$inferSelect;
export type User = typeof users.$inferSelect;
export type Deal = typeof deals.$inferSelect;
export type Touch = typeof touches.$inferSelect;
export type Tier = typeof tiers.$inferSelect;

// The analytics rollups live in their own module, re-exported so `db/schema` stays the one
// import (and the one file drizzle-kit reads).
export * from "./rollup-schema";
export * from "./money-schema";
export * from "./job-schema";
export * from "./api-schema";
export * from "./outbox-schema";
export * from "./cost-schema";
export * from "./partner-deal-credit-schema";
