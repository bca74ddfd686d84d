// Votes on a turn: which model answered best, a tie, or both bad. The first vote of a blind
// session reveals its models.
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { SQL_STATE, sqlStateOf } from "../../db/errors.ts";
import { sessions, votes, voteVerdicts } from "../../db/schema.ts";
import { AppError, invalidInput } from "../../http/errors.ts";
import { isHidden, labelAt, modelOfLabel, shownAs } from "../blind.ts";
import { type ConversationRow, getSession, type SessionRow } from "../sessions/sessions.service.ts";

export interface VoteInput {
  /** A model of the turn (its id, or its label while the session is blind), `tie` or `bothBad`. */
  winner: string;
  /** The latest when absent. */
  turn?: number;
}

/**
 * Records the user's vote on a turn of their session, in one more round trip after reading it.
 * Only a model that completed its answer can win; a turn takes one vote (a unique index, so two
 * votes at once cannot both land). The vote keeps what the leaderboard needs of the turn: the models
 * that completed, each one's output tokens, and whether the voter knew which was which.
 */
export async function castVote(db: Db, userId: string, sessionId: string, input: VoteInput) {
  const { session, conversations } = await getSession(db, userId, sessionId);
  const latest = conversations.reduce((last, row) => Math.max(last, row.turn), 0);
  if (latest === 0) throw invalidInput("turn", "the session has no finished turn yet");
  const turn = input.turn ?? latest;
  const answers = conversations.filter((row) => row.turn === turn);
  if (answers.length === 0) throw invalidInput("turn", `the session has no turn ${turn}; its turns are 1 to ${latest}`);
  if (answers.length < 2) throw invalidInput("turn", `a vote compares models, and turn ${turn} asked one`);
  const winner = winnerOf(session, answers, turn, input.winner);
  const players = answers.filter((row) => row.status === "completed").sort((a, b) => (a.modelName < b.modelName ? -1 : 1));
  const vote = {
    id: crypto.randomUUID(),
    sessionId,
    userId,
    turn,
    winner,
    models: players.map((row) => row.modelName),
    outputTokens: players.map((row) => row.outputTokens),
    blind: isHidden(session),
    createdAt: new Date(),
  };
  try {
    await db.batch([
      db.insert(votes).values(vote),
      db
        .update(sessions)
        .set({ revealedAt: vote.createdAt })
        .where(and(eq(sessions.id, sessionId), isNotNull(sessions.blindModels), isNull(sessions.revealedAt))),
    ]);
  } catch (error) {
    if (sqlStateOf(error) === SQL_STATE.uniqueViolation) {
      throw new AppError("ALREADY_VOTED", 409, `turn ${turn} of this session has a vote already`);
    }
    throw error;
  }
  // A blind session's labels name its models from now on; the others' ids name themselves.
  const labelOf = (modelId: string) => (session.blindModels ? labelAt(session.blindModels.indexOf(modelId)) : modelId);
  return {
    vote: { id: vote.id, sessionId, turn, winner, createdAt: vote.createdAt.toISOString() },
    models: Object.fromEntries(answers.map((row) => [labelOf(row.modelName), row.modelName])),
  };
}

/** The winner a vote names, as a model id, `tie` or `bothBad`: only a model of the turn that completed can win. */
function winnerOf(session: SessionRow, answers: ConversationRow[], turn: number, named: string): string {
  if ((voteVerdicts as readonly string[]).includes(named)) return named;
  const shown = shownAs(session);
  const winner = (isHidden(session) && modelOfLabel(session, named)) || named;
  const answer = answers.find((row) => row.modelName === winner);
  if (!answer) {
    const names = answers.map((row) => shown(row.modelName)).join(", ");
    throw invalidInput("winner", `must be a model of turn ${turn} (${names}), tie or bothBad`);
  }
  if (answer.status !== "completed") {
    throw invalidInput("winner", `only a model that completed its answer can win; ${shown(winner)} ended ${answer.status}`);
  }
  return winner;
}
