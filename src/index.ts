// The Worker's entry: the app's fetch and the Durable Object classes it binds.
import { createApp } from "./app.ts";

export { RateLimiter } from "./ratelimit/rate-limiter.ts";

export default createApp() satisfies ExportedHandler<Env>;
