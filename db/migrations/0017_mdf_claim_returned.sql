ALTER TABLE `mdf_requests` ADD `claim_return_reason` text;--> statement-breakpoint
ALTER TABLE `mdf_requests` ADD `claim_returned_at` integer;