// The names of the meter's objects: `user:<id>` for a user (requests, spend, the turns' outbox,
// stream tickets, API keys); `ip:<address>` and `email:<hash>` count only requests.
import type { Bindings } from "../env.ts";

const USER = "user:";

/** The name of a user's object. */
export const userSubject = (userId: string) => `${USER}${userId}`;

/** Whether an object's name is a user's. */
export const isUserSubject = (name: string) => name.startsWith(USER);

/** The user's own object. */
export const userMeterOf = (env: Bindings, userId: string) => env.USER_METER.getByName(userSubject(userId));
