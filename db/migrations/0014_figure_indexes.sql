CREATE INDEX `deals_partner_stage_closed_idx` ON `deals` (`partner_id`,`stage`,`closed_at`,`currency`,`amount_cents`);--> statement-breakpoint
CREATE INDEX `deals_partner_decided_idx` ON `deals` (`partner_id`,`decided_at`,`stage`);--> statement-breakpoint
CREATE INDEX `deals_currency_closed_idx` ON `deals` (`currency`,`closed_at`);--> statement-breakpoint
-- hand-written
-- The registration queue's "same contact email domain" check (registration-queue.server.ts
-- CONTACT_DOMAIN_SQL spells the same expression, so SQLite uses this index).
CREATE INDEX `deals_contact_domain_idx` ON `deals` (lower(substr(contact_email, instr(contact_email, '@') + 1)));
