CREATE TABLE "article_stats" (
	"day" text NOT NULL,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"searches" integer DEFAULT 0 NOT NULL,
	"suggested" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"continued" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "article_stats_day_channel_language_pk" PRIMARY KEY("day","channel","language")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"language" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"html" text NOT NULL,
	"plain" text NOT NULL,
	"audience" text NOT NULL,
	"request_types" text DEFAULT '[]' NOT NULL,
	"tags" text DEFAULT '[]' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"updated_by" text NOT NULL,
	"published_at" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "articles_slug_language" ON "articles" USING btree ("slug","language");--> statement-breakpoint
CREATE INDEX "articles_status_language" ON "articles" USING btree ("status","language");