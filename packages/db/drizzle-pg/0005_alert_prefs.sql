CREATE TABLE "alert_prefs" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"prefs" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_prefs" ADD CONSTRAINT "alert_prefs_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;