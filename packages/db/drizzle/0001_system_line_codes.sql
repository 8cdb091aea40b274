ALTER TABLE `messages` ADD `i18n_key` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `params` text;--> statement-breakpoint
ALTER TABLE `routing_log` ADD `code` text;--> statement-breakpoint
ALTER TABLE `routing_log` ADD `params` text;