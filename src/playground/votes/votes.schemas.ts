import { z } from "@hono/zod-openapi";
import { text } from "../../http/schemas.ts";
import { SessionVoteSchema } from "../sessions/sessions.schemas.ts";

export const VoteRequestSchema = z
  .object({
    winner: text().min(1).max(100).openapi({
      description: "A model of the turn (its id, or its label while the session is blind), `tie` or `bothBad`",
      example: "model-a",
    }),
    turn: z.number().int().min(1).max(2_147_483_647).optional().openapi({ description: "The latest turn when absent" }),
  })
  .openapi("VoteRequest");

export const VoteResultSchema = z
  .object({
    vote: SessionVoteSchema.extend({ sessionId: z.uuid() }),
    models: z.record(z.string(), z.string()).openapi({
      description: "The turn's models: each label (a blind session) or id, and the model it names",
      example: { "model-a": "gpt-4o", "model-b": "gpt-4o-mini" },
    }),
  })
  .openapi("VoteResult");

export const LeaderboardQuerySchema = z.object({ scope: z.enum(["mine", "all"]).default("mine") });

export const LeaderboardSchema = z
  .object({
    models: z.array(
      z.object({
        model: z.string(),
        rating: z.number().openapi({ description: "Bradley-Terry strength on the Elo scale; 1000 is the average" }),
        ci95: z.tuple([z.number(), z.number()]).openapi({ description: "The 95% interval of the rating" }),
        wins: z.number().int(),
        losses: z.number().int(),
        ties: z.number().int(),
        votes: z.number().int().openapi({ description: "Votes on turns where the model completed its answer" }),
      }),
    ),
    totalVotes: z.number().int(),
    method: z.string(),
  })
  .openapi("Leaderboard");
