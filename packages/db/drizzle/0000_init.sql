CREATE TABLE `agent_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`ended_at` text,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`languages` text DEFAULT '[]' NOT NULL,
	`teams` text DEFAULT '[]' NOT NULL,
	`available` integer DEFAULT true NOT NULL,
	`disabled` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_email` ON `agents` (`email`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`conversation_id` text,
	`realm_id` text,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_conv` ON `audit_log` (`conversation_id`);--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`realm_id` text NOT NULL,
	`email_domains` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`realm_id`) REFERENCES `realms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`requester_kind` text NOT NULL,
	`owner_key` text NOT NULL,
	`visitor_id` text,
	`realm_id` text,
	`user_id` text,
	`requester_name` text,
	`requester_email` text,
	`claims` text,
	`contract_match` text DEFAULT 'unknown' NOT NULL,
	`request_type` text NOT NULL,
	`answers` text DEFAULT '{}' NOT NULL,
	`priority` text,
	`priority_trace` text DEFAULT '[]' NOT NULL,
	`status` text NOT NULL,
	`queue` text DEFAULT 'support' NOT NULL,
	`team` text,
	`assignee_id` text,
	`language` text NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`idempotency_key` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`queued_at` text,
	`first_agent_reply_at` text,
	`last_requester_msg_at` text,
	`last_agent_reply_at` text,
	`resolved_at` text,
	`requester_read_seq` integer DEFAULT 0 NOT NULL,
	`agent_read_seq` integer DEFAULT 0 NOT NULL,
	`escalated` integer DEFAULT false NOT NULL,
	`flagged_complex` integer DEFAULT false NOT NULL,
	`feedback` text,
	`breaches` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_owner_idem` ON `conversations` (`owner_key`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `conversations_owner` ON `conversations` (`owner_key`);--> statement-breakpoint
CREATE INDEX `conversations_queue` ON `conversations` (`queue`,`status`);--> statement-breakpoint
CREATE INDEX `conversations_assignee` ON `conversations` (`assignee_id`,`status`);--> statement-breakpoint
CREATE TABLE `escalations` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`reason` text NOT NULL,
	`description` text NOT NULL,
	`environment` text NOT NULL,
	`justification` text NOT NULL,
	`source` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `escalations_conv` ON `escalations` (`conversation_id`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`realm_id` text NOT NULL,
	`level` text NOT NULL,
	`granted_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE INDEX `grants_realm` ON `grants` (`realm_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`sender` text NOT NULL,
	`sender_name` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`client_msg_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_conv_seq` ON `messages` (`conversation_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_conv_sender_client` ON `messages` (`conversation_id`,`sender`,`client_msg_id`);--> statement-breakpoint
CREATE TABLE `pipelines` (
	`id` text PRIMARY KEY NOT NULL,
	`realm_id` text NOT NULL,
	`name` text NOT NULL,
	`key` text NOT NULL,
	`environment` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`project_id` text,
	`in_project_phase` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`realm_id`) REFERENCES `realms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `pipelines_realm` ON `pipelines` (`realm_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_realm_key` ON `pipelines` (`realm_id`,`key`);--> statement-breakpoint
CREATE TABLE `platform_users` (
	`realm_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text,
	`email` text,
	`perms` text DEFAULT '[]' NOT NULL,
	`last_seen_at` text NOT NULL,
	PRIMARY KEY(`realm_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`realm_id` text NOT NULL,
	`name` text NOT NULL,
	`ongoing` integer DEFAULT false NOT NULL,
	`team` text,
	FOREIGN KEY (`realm_id`) REFERENCES `realms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `projects_realm` ON `projects` (`realm_id`);--> statement-breakpoint
CREATE TABLE `realms` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `routing_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` text NOT NULL,
	`at` text NOT NULL,
	`queue` text NOT NULL,
	`team` text,
	`assignee_id` text,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `routing_conv` ON `routing_log` (`conversation_id`);--> statement-breakpoint
CREATE TABLE `visitors` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`forgotten_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visitors_token` ON `visitors` (`token_hash`);--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
