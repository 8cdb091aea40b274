CREATE TABLE `email_contacts` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`address` text,
	`source` text NOT NULL,
	`verified_at` text,
	`code_hash` text,
	`code_expires_at` text,
	`code_attempts` integer DEFAULT 0 NOT NULL,
	`notified_seq` integer DEFAULT 0 NOT NULL,
	`last_message_id` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `email_inbound` (
	`message_id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`conversation_id` text,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`conversation_id` text,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`claimed_by` text,
	`claimed_until` text,
	`last_error` text,
	`sent_at` text
);
--> statement-breakpoint
CREATE INDEX `email_outbox_due` ON `email_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `email_outbox_conv` ON `email_outbox` (`conversation_id`,`kind`,`status`);