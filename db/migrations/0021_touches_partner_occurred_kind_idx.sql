DROP INDEX `touches_partner_idx`;--> statement-breakpoint
CREATE INDEX `touches_partner_occurred_kind_idx` ON `touches` (`partner_id`,`occurred_at`,`kind`);