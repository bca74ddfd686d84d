CREATE TABLE "votes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"turn" integer NOT NULL,
	"winner" text NOT NULL,
	"models" text[] NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "turn" integer;--> statement-breakpoint
-- Existing rows: the conversations of one stream share its start time, so each distinct time of a session is a turn.
UPDATE "conversations" AS c SET "turn" = numbered."turn" FROM (
	SELECT "id", dense_rank() OVER (PARTITION BY "session_id" ORDER BY "created_at") AS "turn" FROM "conversations"
) AS numbered WHERE c."id" = numbered."id";--> statement-breakpoint
ALTER TABLE "conversations" ALTER COLUMN "turn" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "blind_models" text[];--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "revealed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "votes_session_turn_key" ON "votes" USING btree ("session_id","turn");--> statement-breakpoint
CREATE INDEX "votes_user_idx" ON "votes" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_session_turn_model_key" ON "conversations" USING btree ("session_id","turn","model_name");