CREATE TABLE "nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_ids" text DEFAULT '[]' NOT NULL,
	"started_at" text NOT NULL,
	"heartbeat_at" text NOT NULL
);
