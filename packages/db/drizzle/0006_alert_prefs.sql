CREATE TABLE `alert_prefs` (
	`agent_id` text PRIMARY KEY NOT NULL,
	`prefs` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
