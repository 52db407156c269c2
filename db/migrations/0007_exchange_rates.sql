CREATE TABLE `exchange_rates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`currency` text NOT NULL,
	`quote_currency` text NOT NULL,
	`valid_from` text NOT NULL,
	`rate_micros` integer NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	CONSTRAINT "exchange_rates_rate_positive" CHECK("exchange_rates"."rate_micros" > 0),
	CONSTRAINT "exchange_rates_distinct" CHECK("exchange_rates"."currency" <> "exchange_rates"."quote_currency")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `exchange_rates_pair_day_uq` ON `exchange_rates` (`currency`,`quote_currency`,`valid_from`);