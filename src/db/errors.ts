// What a database failure was: its SQL state, whether the database could not be reached at all, and
// one description of it that is safe to log (Postgres's messages may quote the values of a row).

/** The SQL states the code answers differently. */
export const SQL_STATE = { uniqueViolation: "23505", foreignKeyViolation: "23503" } as const;

/** The error and every error it was caused by, outermost first (drizzle wraps the driver's). */
function* causesOf(error: unknown): Generator<Error> {
  for (let cause = error; cause instanceof Error; cause = cause.cause) yield cause;
}

/** The SQL state of a failed statement (`23505` for a unique violation), looking through drizzle's wrapper. */
export function sqlStateOf(error: unknown): string | undefined {
  for (const cause of causesOf(error)) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * True when the database could not be reached or did not answer in time (the driver keeps the
 * fetch's failure as `sourceError`), or its proxy failed, as opposed to a bad query.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (const cause of causesOf(error)) {
    if (cause.name !== "NeonDbError") continue;
    if ((cause as { sourceError?: unknown }).sourceError || /^Server error \(HTTP status 5\d\d\)/.test(cause.message)) return true;
  }
  return false;
}

/**
 * SQL states of a database that is failing rather than refusing: a connection lost (08), a
 * transaction that lost a race (40), resources running out (53), the server going down or not yet
 * up (57P), its own system and internal errors (58, XX). Anything else is the data or the statement.
 */
const TRANSIENT_SQL_STATE = /^(08|40|53|55P03|57P|58|XX)/;

/**
 * True when trying again later can succeed: the database was unreachable, did not answer in time,
 * its endpoint failed (5xx), or it reported a transient state. False for a write it refused for
 * what it was asked (a value out of range, a constraint, a bad statement: SQL states 22, 23, 42…),
 * which would be refused again however often it is tried.
 *
 * @example
 * if (isTransientFailure(error)) queue(turn); else reportOurFault(error);
 */
export function isTransientFailure(error: unknown): boolean {
  if (isDatabaseUnreachable(error)) return true;
  const code = sqlStateOf(error);
  return code !== undefined && TRANSIENT_SQL_STATE.test(code);
}

/** The constraint a failed statement broke, as Postgres names it. */
export function constraintOf(error: unknown): string | undefined {
  for (const cause of causesOf(error)) {
    const constraint = (cause as { constraint?: unknown }).constraint;
    if (typeof constraint === "string") return constraint;
  }
  return undefined;
}

/**
 * A failure in words for a log line: the innermost error's name, its SQL state, and the first line
 * of its message unless it came from the database, whose messages may quote the values of a row.
 *
 * @example
 * console.error(`the turn could not be written (${describeFailure(error)})`); // "NeonDbError 23505"
 */
export function describeFailure(error: unknown): string {
  const chain = [...causesOf(error)];
  const root = chain.at(-1);
  if (!root) return String(error);
  const code = sqlStateOf(error);
  const fromDatabase = code !== undefined || chain.some((cause) => cause.name === "NeonDbError");
  return `${root.name}${code ? ` ${code}` : ""}${fromDatabase ? "" : `: ${root.message.split("\n")[0]}`}`;
}
