DROP INDEX `deals_partner_stage_idx`;--> statement-breakpoint
CREATE INDEX `deals_partner_stage_protection_idx` ON `deals` (`partner_id`,`stage`,`protection_ends_at`);