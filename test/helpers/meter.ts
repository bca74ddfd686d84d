// The user's Durable Object as the tests see it: its clock moved instead of sleeping, its database
// pointed elsewhere, its counts and queue read for what the API cannot show. All of it from inside
// the object (`runInDurableObject`): none of it is an RPC method.
import { env, runInDurableObject } from "cloudflare:test";
import type { Db } from "../../src/db/client.ts";
import { SlidingWindows } from "../../src/meter/sliding-window.ts";
import { userSubject } from "../../src/meter/subjects.ts";
import { TurnOutbox } from "../../src/meter/turn-outbox.ts";
import type { UserMeter } from "../../src/meter/user-meter.ts";

/** The object of a subject (`user:<id>`, `ip:<address>`). */
export const limiterOf = (subject: string) => env.USER_METER.getByName(subject);

/** The same object, by user id. */
export const meterOf = (userId: string) => limiterOf(userSubject(userId));

/** Runs `look` inside a subject's object. */
export const insideLimiter = <T>(subject: string, look: (instance: UserMeter, state: DurableObjectState) => T | Promise<T>) =>
  runInDurableObject(limiterOf(subject), look);

/** Runs `look` inside a user's object. */
export const insideMeter = <T>(userId: string, look: (instance: UserMeter, state: DurableObjectState) => T | Promise<T>) =>
  insideLimiter(userSubject(userId), look);

/** Stops the object's clock at `at` (ms since epoch). */
export const setClock = (subject: string, at: number) =>
  insideLimiter(subject, (instance) => {
    instance.dependencies.now = () => at;
  });

/** Points the object's queued writes at another database, until it restarts. */
export const setDatabase = (userId: string, database: () => Db) =>
  insideMeter(userId, (instance) => {
    instance.dependencies.database = database;
  });

/** Whether the object's storage holds `table` (an object that wiped its storage holds none). */
const holds = (state: DurableObjectState, table: string) =>
  state.storage.sql.exec("select 1 from sqlite_master where type = 'table' and name = ?", table).toArray().length > 0;

/** The requests a subject's object counts now for `policy`. */
export const countedBy = (subject: string, policy: string) =>
  insideLimiter(subject, (instance, state) =>
    holds(state, "hits") ? new SlidingWindows(state.storage.sql, () => instance.dependencies.now()).count(policy) : 0,
  );

/** The turns waiting in a user's object for the database. */
export const queuedTurnsOf = (userId: string) =>
  insideMeter(userId, (instance, state) =>
    holds(state, "queued_turns")
      ? new TurnOutbox(
          state.storage.sql,
          () => instance.dependencies.now(),
          () => instance.dependencies.database(),
        ).list()
      : [],
  );
