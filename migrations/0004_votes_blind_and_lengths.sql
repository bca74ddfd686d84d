ALTER TABLE "votes" ADD COLUMN "output_tokens" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "votes" ADD COLUMN "blind" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_created_idx" ON "conversations" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "votes_blind_user_created_idx" ON "votes" USING btree ("user_id","created_at") WHERE "votes"."blind";--> statement-breakpoint
-- The vote that revealed a blind session was cast blind: it set the session's revealed_at to its own time.
UPDATE "votes" SET "blind" = true FROM "sessions" WHERE "votes"."session_id" = "sessions"."id" AND "sessions"."revealed_at" = "votes"."created_at";--> statement-breakpoint
-- Each player's output tokens, in the order of the vote's models.
UPDATE "votes" SET "output_tokens" = ARRAY(SELECT "c"."output_tokens" FROM unnest("votes"."models") WITH ORDINALITY AS "m"("name", "position") JOIN "conversations" "c" ON "c"."session_id" = "votes"."session_id" AND "c"."turn" = "votes"."turn" AND "c"."model_name" = "m"."name" ORDER BY "m"."position");
