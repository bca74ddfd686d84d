// What a database failure was: its SQL state, whether the database could not be reached at all, and
// one description of it that is safe to log (Postgres's messages may quote the values of a row).

/** The SQL states the code answers differently. */
export const SQL_STATE = { uniqueViolation: "23505" } as const;

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
