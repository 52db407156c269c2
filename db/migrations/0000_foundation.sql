CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`partner_id` integer,
	`before` text,
	`after` text,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_events_entity_idx` ON `audit_events` (`entity_type`,`entity_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_events_partner_idx` ON `audit_events` (`partner_id`,`at`);--> statement-breakpoint
CREATE TABLE `customer_mrr` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`month` text NOT NULL,
	`mrr_cents` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_mrr_customer_month_uq` ON `customer_mrr` (`customer_id`,`month`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`domain` text NOT NULL,
	`normalized_name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_domain_uq` ON `customers` (`domain`);--> statement-breakpoint
CREATE INDEX `customers_normalized_name_idx` ON `customers` (`normalized_name`);--> statement-breakpoint
CREATE TABLE `deals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`partner_id` integer,
	`submitted_by` text,
	`title` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`product_line` text NOT NULL,
	`expected_close_on` text NOT NULL,
	`stage` text DEFAULT 'submitted' NOT NULL,
	`contact_name` text,
	`contact_email` text,
	`notes` text DEFAULT '' NOT NULL,
	`conflict_note` text,
	`holds_claim` integer DEFAULT false NOT NULL,
	`rejection_reason` text,
	`lost_reason` text,
	`submitted_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`protection_ends_at` integer,
	`expiry_warned_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "deals_amount_nonnegative" CHECK("deals"."amount_cents" >= 0)
);
--> statement-breakpoint
CREATE INDEX `deals_partner_stage_idx` ON `deals` (`partner_id`,`stage`);--> statement-breakpoint
CREATE INDEX `deals_stage_closed_idx` ON `deals` (`stage`,`closed_at`);--> statement-breakpoint
CREATE INDEX `deals_customer_idx` ON `deals` (`customer_id`);--> statement-breakpoint
CREATE INDEX `deals_stage_submitted_idx` ON `deals` (`stage`,`submitted_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `deals_one_claim_per_customer_uq` ON `deals` (`customer_id`) WHERE "deals"."holds_claim" = 1;--> statement-breakpoint
CREATE TABLE `growth_plays` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`partner_id` integer NOT NULL,
	`flag` text NOT NULL,
	`owner_id` text,
	`next_action` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `growth_plays_partner_idx` ON `growth_plays` (`partner_id`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`partner_id` integer,
	`invited_by` text,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	`revoked_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_uq` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_partner_idx` ON `invitations` (`partner_id`);--> statement-breakpoint
CREATE TABLE `partner_applications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`company_name` text NOT NULL,
	`website` text NOT NULL,
	`kind` text NOT NULL,
	`region` text NOT NULL,
	`contact_name` text NOT NULL,
	`contact_email` text NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`decline_reason` text,
	`decided_by` text,
	`decided_at` integer,
	`partner_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `partner_applications_status_idx` ON `partner_applications` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`kind` text NOT NULL,
	`region` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`tier_id` integer NOT NULL,
	`manager_id` text,
	`website` text,
	`joined_on` text NOT NULL,
	`report_format` text DEFAULT 'pdf' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`manager_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_slug_uq` ON `partners` (`slug`);--> statement-breakpoint
CREATE INDEX `partners_manager_idx` ON `partners` (`manager_id`);--> statement-breakpoint
CREATE INDEX `partners_status_idx` ON `partners` (`status`);--> statement-breakpoint
CREATE TABLE `password_resets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `password_resets_token_uq` ON `password_resets` (`token_hash`);--> statement-breakpoint
CREATE TABLE `program_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`program_name` text DEFAULT 'Partner Program' NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`attribution_model` text DEFAULT 'sourced' NOT NULL,
	`protection_days` integer DEFAULT 90 NOT NULL,
	`report_cron` text DEFAULT '0 6 1 * *' NOT NULL,
	`report_time_zone` text DEFAULT 'UTC' NOT NULL,
	`updated_at` integer,
	CONSTRAINT "program_settings_singleton" CHECK("program_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `report_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`partner_id` integer,
	`period` text NOT NULL,
	`partner_key` integer GENERATED ALWAYS AS (coalesce(partner_id, 0)) VIRTUAL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`locked_by` text,
	`message_id` text,
	`error` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `report_deliveries_uq` ON `report_deliveries` (`partner_key`,`period`,`kind`);--> statement-breakpoint
CREATE INDEX `report_deliveries_status_idx` ON `report_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`absolute_expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `sign_in_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sign_in_failures_key_at_idx` ON `sign_in_failures` (`key`,`at`);--> statement-breakpoint
CREATE TABLE `tier_evaluations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`partner_id` integer NOT NULL,
	`period` text NOT NULL,
	`current_tier_id` integer NOT NULL,
	`qualifying_tier_id` integer NOT NULL,
	`outcome` text NOT NULL,
	`metrics` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`current_tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`qualifying_tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tier_evaluations_partner_period_uq` ON `tier_evaluations` (`partner_id`,`period`);--> statement-breakpoint
CREATE TABLE `tier_reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`partner_id` integer NOT NULL,
	`period` text NOT NULL,
	`from_tier_id` integer NOT NULL,
	`to_tier_id` integer NOT NULL,
	`direction` text NOT NULL,
	`metrics` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reviewer_id` text,
	`note` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`from_tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`to_tier_id`) REFERENCES `tiers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tier_reviews_partner_period_uq` ON `tier_reviews` (`partner_id`,`period`);--> statement-breakpoint
CREATE INDEX `tier_reviews_status_idx` ON `tier_reviews` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `tiers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`rank` integer NOT NULL,
	`min_revenue_cents` integer DEFAULT 0 NOT NULL,
	`min_won_deals` integer DEFAULT 0 NOT NULL,
	`min_win_rate_bp` integer,
	`threshold_rule` text DEFAULT 'all' NOT NULL,
	`benefits` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tiers_rank_uq` ON `tiers` (`rank`);--> statement-breakpoint
CREATE UNIQUE INDEX `tiers_name_uq` ON `tiers` (`name`);--> statement-breakpoint
CREATE TABLE `touches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deal_id` integer NOT NULL,
	`partner_id` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`kind` text NOT NULL,
	`pillar` text NOT NULL,
	`journey_stage` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`deal_id`) REFERENCES `deals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `touches_deal_idx` ON `touches` (`deal_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `touches_partner_idx` ON `touches` (`partner_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`partner_id` integer,
	`password_hash` text,
	`password_changed_at` integer,
	`disabled_at` integer,
	`report_opt_in` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "users_partner_matches_role" CHECK(("users"."role" IN ('partner_user','partner_admin')) = ("users"."partner_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_uq` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_partner_idx` ON `users` (`partner_id`);