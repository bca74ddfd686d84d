// The Worker's entry: the app's fetch and the Durable Object classes it binds.
import { createApp } from "./app.ts";

export { UserMeter } from "./meter/user-meter.ts";

export default createApp() satisfies ExportedHandler<Env>;
