CREATE TABLE "agent_invites" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"purpose" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"used_at" text
);
--> statement-breakpoint
CREATE TABLE "canned_replies" (
	"id" text PRIMARY KEY NOT NULL,
	"language" text NOT NULL,
	"shortcut" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_tiers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"targets" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "tier" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_invites" ADD CONSTRAINT "agent_invites_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_invites_agent" ON "agent_invites" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "canned_lang_shortcut" ON "canned_replies" USING btree ("language","shortcut");--> statement-breakpoint
-- Teams named on agents and projects before the teams table existed become teams (their id is their name until renamed).
INSERT INTO "teams" ("id", "name", "created_at")
	SELECT DISTINCT t, t, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM (
		SELECT jsonb_array_elements_text("teams"::jsonb) AS t FROM "agents"
		UNION SELECT "team" FROM "projects" WHERE "team" IS NOT NULL
	) s WHERE t <> ''
	ON CONFLICT ("id") DO NOTHING;
