CREATE TABLE "attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"uploader" text NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"blob_key" text NOT NULL,
	"thumb_key" text,
	"width" integer,
	"height" integer,
	"client_msg_id" text,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "attachments_message" ON "attachments" USING btree ("conversation_id","uploader","client_msg_id");--> statement-breakpoint
CREATE INDEX "attachments_expiry" ON "attachments" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "attachments_blob" ON "attachments" USING btree ("blob_key");