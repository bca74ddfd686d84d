// A switch in front of the test database (Node), for tests of what happens when the database
// fails: a Worker given its connection string reaches the same database through it, until a test
// turns it `down` (connections are dropped), `failing` (the proxy answers 503) or `refusing` (every
// statement fails as Postgres fails a value out of range, SQL state 22003: a permanent failure).
// Other tests keep using the database directly, so turning it off disturbs nothing else.
import { createServer, request as forward } from "node:http";
import type { AddressInfo } from "node:net";

type DatabaseSwitchMode = "up" | "down" | "failing" | "refusing";

/** Starts the switch in front of `target` (the SQL endpoint's origin, e.g. http://127.0.0.1:5432). */
export async function startDatabaseSwitch(target: string) {
  let mode: DatabaseSwitchMode = "up";
  const server = createServer((incoming, outgoing) => {
    if (incoming.url === "/switch" && incoming.method === "POST") {
      let body = "";
      incoming.on("data", (part: Buffer) => (body += part));
      incoming.on("end", () => {
        mode = (JSON.parse(body) as { mode: DatabaseSwitchMode }).mode;
        outgoing.writeHead(204).end();
      });
      return;
    }
    if (mode === "down") return void incoming.socket.destroy();
    if (mode === "failing") return void outgoing.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
    if (mode === "refusing") {
      const error = { message: "value out of range for type integer", code: "22003", severity: "ERROR" };
      return void outgoing.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(error));
    }
    const proxied = forward(`${target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on("error", () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** A DATABASE_URL that reaches the database through the switch. */
    connectionString: `postgres://local:local@127.0.0.1:${port}/playground`,
    /** POST `{ mode }` here to turn it. */
    controlUrl: `http://127.0.0.1:${port}/switch`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
