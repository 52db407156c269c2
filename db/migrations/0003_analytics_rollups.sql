CREATE TABLE `customer_first_wins` (
	`customer_id` integer PRIMARY KEY NOT NULL,
	`deal_id` integer NOT NULL,
	`segments` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deal_rollups` (
	`deal_id` integer PRIMARY KEY NOT NULL,
	`month` text NOT NULL,
	`stage` text NOT NULL,
	`partner_id` integer,
	`customer_id` integer NOT NULL,
	`segments` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	`cycle_days` integer,
	`credits` text
);
--> statement-breakpoint
CREATE TABLE `partner_month_credit` (
	`model` text NOT NULL,
	`month` text NOT NULL,
	`partner_id` integer NOT NULL,
	`credited_cents` integer NOT NULL,
	`credited_deals` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_month_credit_uq` ON `partner_month_credit` (`model`,`month`,`partner_id`);--> statement-breakpoint
CREATE INDEX `partner_month_credit_cover_idx` ON `partner_month_credit` (`model`,`month`,`partner_id`,`credited_cents`);--> statement-breakpoint
CREATE TABLE `partner_month_outcomes` (
	`month` text NOT NULL,
	`partner_id` integer NOT NULL,
	`won_deals` integer NOT NULL,
	`lost_deals` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_month_outcomes_uq` ON `partner_month_outcomes` (`month`,`partner_id`);--> statement-breakpoint
CREATE INDEX `partner_month_outcomes_cover_idx` ON `partner_month_outcomes` (`month`,`partner_id`,`won_deals`,`lost_deals`);--> statement-breakpoint
CREATE TABLE `program_month_cycles` (
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`cycle_days` integer NOT NULL,
	`won_deals` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_month_cycles_uq` ON `program_month_cycles` (`month`,`segment`,`cycle_days`);--> statement-breakpoint
CREATE TABLE `program_month_retention` (
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`cohort_customers` integer NOT NULL,
	`churned_customers` integer NOT NULL,
	`mrr_then_cents` integer NOT NULL,
	`mrr_now_cents` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_month_retention_uq` ON `program_month_retention` (`month`,`segment`);--> statement-breakpoint
CREATE TABLE `program_month_stats` (
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`won_deals` integer NOT NULL,
	`lost_deals` integer NOT NULL,
	`won_cents` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_month_stats_uq` ON `program_month_stats` (`month`,`segment`);--> statement-breakpoint
CREATE TABLE `rollup_months` (
	`month` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rollup_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`built_at` integer NOT NULL,
	CONSTRAINT "rollup_state_singleton" CHECK("rollup_state"."id" = 1)
);
