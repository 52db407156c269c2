CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`claimed_by` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`outcome` text DEFAULT 'running' NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_runs_job_tick_uq` ON `job_runs` (`job`,`scheduled_at`);--> statement-breakpoint
ALTER TABLE `tier_evaluations` ADD `warning_claimed_at` integer;