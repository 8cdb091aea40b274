CREATE TABLE `agent_invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`purpose` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agent_invites_agent` ON `agent_invites` (`agent_id`);--> statement-breakpoint
CREATE TABLE `canned_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`language` text NOT NULL,
	`shortcut` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `canned_lang_shortcut` ON `canned_replies` (`language`,`shortcut`);--> statement-breakpoint
CREATE TABLE `sla_tiers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`targets` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `contracts` ADD `tier` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
-- Teams named on agents and projects before the teams table existed become teams (their id is their name until renamed).
INSERT OR IGNORE INTO `teams` (`id`, `name`, `created_at`)
	SELECT DISTINCT j.value, j.value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM `agents`, json_each(`agents`.`teams`) j WHERE j.type = 'text' AND j.value <> ''
	UNION SELECT DISTINCT `team`, `team`, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM `projects` WHERE `team` IS NOT NULL AND `team` <> '';
