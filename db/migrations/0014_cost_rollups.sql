ALTER TABLE `customer_first_wins` ADD `month` text;--> statement-breakpoint
CREATE INDEX `customer_first_wins_month_idx` ON `customer_first_wins` (`month`,`segments`);--> statement-breakpoint
-- hand-written
-- The first win's close month, from the deal's ledger row (rebuildRollups writes it from then on).
UPDATE `customer_first_wins` SET `month` = (SELECT `month` FROM `deal_rollups` r WHERE r.`deal_id` = `customer_first_wins`.`deal_id`);--> statement-breakpoint
-- New customers and registration→won days now come from the rollups (decision 0022): this covering
-- index only slowed every deal write.
DROP INDEX IF EXISTS `deals_won_customer_cover_idx`;
