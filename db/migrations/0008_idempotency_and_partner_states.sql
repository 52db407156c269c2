CREATE TABLE `idempotency_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor` text NOT NULL,
	`form` text NOT NULL,
	`token` text NOT NULL,
	`result` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `idempotency_keys_actor_form_token_uq` ON `idempotency_keys` (`actor`,`form`,`token`);--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
-- hand-written
-- One pending application per company domain and per contact email. Duplicates already
-- waiting (the double-submitted form) are declined, the oldest of each kept, before the
-- partial unique indexes go on.
UPDATE `partner_applications` SET `status` = 'declined',
  `decline_reason` = 'Duplicate of an earlier application that is still being reviewed.',
  `decided_at` = (unixepoch('subsec') * 1000)
WHERE `status` = 'pending' AND EXISTS (
  SELECT 1 FROM `partner_applications` AS `o`
  WHERE `o`.`status` = 'pending' AND `o`.`id` < `partner_applications`.`id`
    AND (`o`.`website` = `partner_applications`.`website` OR `o`.`contact_email` = `partner_applications`.`contact_email`));
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_applications_pending_website_uq` ON `partner_applications` (`website`) WHERE `status` = 'pending';
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_applications_pending_email_uq` ON `partner_applications` (`contact_email`) WHERE `status` = 'pending';
--> statement-breakpoint
-- Partner states (docs/domain.md "Partner states"): an applied partner has no enabled users;
-- nothing goes back to applied; an applied partner becomes active only through its approved
-- application.
CREATE TRIGGER `users_none_enabled_in_applied_partner_ins` BEFORE INSERT ON `users`
WHEN NEW.`partner_id` IS NOT NULL AND NEW.`disabled_at` IS NULL
  AND (SELECT `status` FROM `partners` WHERE `id` = NEW.`partner_id`) = 'applied'
BEGIN SELECT RAISE(ABORT, 'partner_state: an applied partner has no enabled users; approve its application first'); END;
--> statement-breakpoint
CREATE TRIGGER `users_none_enabled_in_applied_partner_upd` BEFORE UPDATE OF `partner_id`, `disabled_at` ON `users`
WHEN NEW.`partner_id` IS NOT NULL AND NEW.`disabled_at` IS NULL
  AND (SELECT `status` FROM `partners` WHERE `id` = NEW.`partner_id`) = 'applied'
BEGIN SELECT RAISE(ABORT, 'partner_state: an applied partner has no enabled users; approve its application first'); END;
--> statement-breakpoint
CREATE TRIGGER `partners_never_back_to_applied` BEFORE UPDATE OF `status` ON `partners`
WHEN NEW.`status` = 'applied' AND OLD.`status` <> 'applied'
BEGIN SELECT RAISE(ABORT, 'partner_state: a partner cannot go back to applied'); END;
--> statement-breakpoint
CREATE TRIGGER `partners_active_from_applied_needs_approval` BEFORE UPDATE OF `status` ON `partners`
WHEN OLD.`status` = 'applied' AND NEW.`status` = 'active' AND NOT EXISTS (
  SELECT 1 FROM `partner_applications` WHERE `partner_id` = NEW.`id` AND `status` = 'approved')
BEGIN SELECT RAISE(ABORT, 'partner_state: an applied partner becomes active only by approving its application'); END;
