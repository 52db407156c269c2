CREATE TABLE `table_versions` (
	`name` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
-- hand-written: the partners version, bumped by every write to partners.
INSERT INTO `table_versions` (`name`, `version`) VALUES ('partners', 1);
--> statement-breakpoint
CREATE TRIGGER `partners_version_ins` AFTER INSERT ON `partners`
BEGIN UPDATE `table_versions` SET `version` = `version` + 1 WHERE `name` = 'partners'; END;
--> statement-breakpoint
CREATE TRIGGER `partners_version_upd` AFTER UPDATE ON `partners`
BEGIN UPDATE `table_versions` SET `version` = `version` + 1 WHERE `name` = 'partners'; END;
--> statement-breakpoint
CREATE TRIGGER `partners_version_del` AFTER DELETE ON `partners`
BEGIN UPDATE `table_versions` SET `version` = `version` + 1 WHERE `name` = 'partners'; END;
