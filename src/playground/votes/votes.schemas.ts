import { z } from "@hono/zod-openapi";
import { booleanQuery, text } from "../../http/schemas.ts";
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

export const LeaderboardQuerySchema = z.object({
  scope: z.enum(["mine", "all"]).default("mine").openapi({
    description: "`mine`: your votes; `all`: everyone's votes on blind turns, at most VOTES_PER_USER_PER_DAY of a user in a UTC day",
  }),
  blind: booleanQuery().default(false).openapi({ description: "With `mine`: only your votes on blind turns" }),
  control: z
    .enum(["none", "length"])
    .default("none")
    .openapi({ description: "`length`: ratings as if every answer had been equally long (the length is a second factor of the fit)" }),
});

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
        votes: z.number().int().openapi({ description: "Votes counted on turns where the model completed its answer" }),
        provisional: z.boolean().openapi({ description: "Fewer than MIN_VOTES_FOR_RANK votes counted: listed after the ranked models" }),
      }),
    ),
    totalVotes: z.number().int().openapi({ description: "The votes counted" }),
    method: z.string().openapi({ description: "Which votes counted, and how the fit was made" }),
    lengthEffect: z
      .object({ coefficient: z.number(), ci95: z.tuple([z.number(), z.number()]) })
      .optional()
      .openapi({
        description:
          "With control=length: the change in log-odds per unit of ln(output tokens) difference; positive when longer answers win more often",
      }),
  })
  .openapi("Leaderboard");
