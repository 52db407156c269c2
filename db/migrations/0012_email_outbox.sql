CREATE TABLE `outbox_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`identity` text NOT NULL,
	`partner_id` integer,
	`recipients` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`headers` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`locked_by` text,
	`message_id` text,
	`error` text,
	`outcomes` text,
	`sent_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_messages_identity_uq` ON `outbox_messages` (`kind`,`identity`);--> statement-breakpoint
CREATE INDEX `outbox_messages_status_idx` ON `outbox_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_messages_status_id_idx` ON `outbox_messages` (`status`,`id`);--> statement-breakpoint
ALTER TABLE `program_settings` ADD `mail_domain` text;--> statement-breakpoint
ALTER TABLE `report_deliveries` ADD `outcomes` text;