// The closed vocabularies of the domain (docs/domain.md "Objects"): roles, partner kinds and
// statuses, deal stages, touch kinds, pillars, attribution models… Every table that stores one
// of them declares it as a text enum from here.
export const ROLES = ["partner_user", "partner_admin", "partner_manager", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const PARTNER_KINDS = [
  "reseller",
  "referral",
  "agency",
  "affiliate",
  "technology",
  "strategic",
] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];
export const PARTNER_STATUSES = ["applied", "active", "suspended", "churned"] as const;
export const REGIONS = ["North America", "Latin America", "EMEA", "APAC"] as const;
export const REPORT_FORMATS = ["pdf", "email", "off"] as const;
export const DEAL_STAGES = ["submitted", "approved", "rejected", "won", "lost", "expired"] as const;
export type DealStage = (typeof DEAL_STAGES)[number];
export const TOUCH_KINDS = [
  "referral",
  "co_sell_meeting",
  "technical_validation",
  "implementation",
  "co_marketing",
  "integration",
  "support",
] as const;
export const PILLARS = ["build", "market", "sell", "serve"] as const;
export const JOURNEY_STAGES = [
  "awareness",
  "consideration",
  "decision",
  "onboarding",
  "expansion",
] as const;
export const ATTRIBUTION_MODELS = [
  "sourced",
  "first",
  "last",
  "linear",
  "time_decay",
  "position",
] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
export const TIER_REVIEW_STATUSES = ["pending", "approved", "rejected", "overridden"] as const;
/** 'partial': sent, but the mail server refused some recipients (see the row's recipients). */
export const DELIVERY_STATUSES = ["queued", "sending", "sent", "partial", "skipped", "failed"] as const;
export const GROWTH_PLAY_STATUSES = ["open", "in_progress", "done"] as const;
