CREATE TABLE `deal_registrations` (
	`deal_id` integer PRIMARY KEY NOT NULL,
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`won` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `program_month_new_customers` (
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`customers` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_month_new_customers_uq` ON `program_month_new_customers` (`month`,`segment`);--> statement-breakpoint
CREATE TABLE `program_month_registrations` (
	`month` text NOT NULL,
	`segment` text NOT NULL,
	`registered` integer NOT NULL,
	`won_deals` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `program_month_registrations_uq` ON `program_month_registrations` (`month`,`segment`);--> statement-breakpoint
ALTER TABLE `customer_first_wins` ADD `month` text;--> statement-breakpoint
-- hand-written
-- The first win's close month, from the deal's ledger row (rebuildRollups writes it from then on).
UPDATE `customer_first_wins` SET `month` = (SELECT `month` FROM `deal_rollups` r WHERE r.`deal_id` = `customer_first_wins`.`deal_id`);--> statement-breakpoint
-- New customers per first-win month and source segment (bits 0, 1, 2 of the segment mask).
INSERT INTO `program_month_new_customers` (`month`, `segment`, `customers`)
  SELECT `month`, CASE WHEN `segments` & 1 THEN 'sourced' WHEN `segments` & 2 THEN 'influenced' ELSE 'direct' END, count(*)
    FROM `customer_first_wins` WHERE `month` IS NOT NULL GROUP BY 1, 2;--> statement-breakpoint
-- Every deal's registration (submission month, channel by the attribution rule, won or not) and
-- the monthly counts: what rebuildRollups computes, so existing databases need no rebuild.
INSERT INTO `deal_registrations` (`deal_id`, `month`, `segment`, `won`)
  SELECT d.`id`, strftime('%Y-%m', d.`submitted_at` / 1000, 'unixepoch'),
         CASE WHEN d.`partner_id` IS NOT NULL THEN 'sourced'
              WHEN EXISTS (SELECT 1 FROM `touches` t WHERE t.`deal_id` = d.`id`) THEN 'influenced' ELSE 'direct' END,
         d.`stage` = 'won'
    FROM `deals` d;--> statement-breakpoint
INSERT INTO `program_month_registrations` (`month`, `segment`, `registered`, `won_deals`)
  SELECT `month`, `segment`, count(*), sum(`won`) FROM `deal_registrations` GROUP BY 1, 2;--> statement-breakpoint
-- New customers, registration→won days and registrations now come from the rollups (decision
-- 0022): these covering indexes only slowed every deal write.
DROP INDEX IF EXISTS `deals_won_customer_cover_idx`;--> statement-breakpoint
DROP INDEX IF EXISTS `deals_submitted_cover_idx`;
