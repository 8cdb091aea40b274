CREATE TABLE `conversation_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` text NOT NULL,
	`at` text NOT NULL,
	`kind` text NOT NULL,
	`actor` text,
	`priority` text,
	`language` text NOT NULL,
	`queue` text NOT NULL,
	`team` text,
	`request_type` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversation_events_at` ON `conversation_events` (`at`);--> statement-breakpoint
CREATE INDEX `conversation_events_conv` ON `conversation_events` (`conversation_id`,`id`);