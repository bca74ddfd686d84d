// `node dev/profile-burst.ts [streams]`: where a stream's CPU goes. Starts the bench's stack with an
// unminified bundle (functions keep their names, modules their `// path` markers) and workerd's
// inspector, fires a burst of one-model streams of one user, takes a CPU profile of the Worker's
// isolate (its Durable Objects run there too) over the whole burst and its deferred work, and prints
// the self time by module and the busiest functions.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BURST_CHUNKS, BURST_MODEL, BURST_PACE, settle } from "./bench-burst.ts";
import { registerUser, scriptUpstream } from "./bench-client.ts";
import { checkedStream } from "./bench-load.ts";
import { startStack } from "./bench-stack.ts";
import { freePort } from "./local-stack.ts";

const BUILD_DIR = ".wrangler/profile-build";
const streams = Number(process.argv[2] ?? 100);
/** Without `--profile`, only the CPU a stream costs, the API's beside the relay's, over three bursts each. */
const profiling = process.argv.includes("--profile");
const ROUNDS = 5;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A DevTools protocol session with the Worker's isolate. */
async function inspect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { title: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((candidate) => candidate.title.includes("api")) ?? targets[0]!;
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (message) => {
    const { id, result } = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
    if (id !== undefined) pending.get(id)?.(result);
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (result: unknown) => void);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** The module each line of the unminified bundle comes from, from esbuild's `// path` markers. */
function modulesOfBundle(): (line: number) => string {
  const lines = readFileSync(join(BUILD_DIR, "index.js"), "utf8").split("\n");
  const starts: { line: number; module: string }[] = [];
  lines.forEach((text, line) => {
    const marker = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(text);
    if (marker) starts.push({ line, module: marker[1]! });
  });
  return (line) => starts.findLast((start) => start.line <= line)?.module ?? "(bundle)";
}

/** Where a module's time is counted, in the words of the README's table. */
function categoryOf(module: string): string {
  const rules: [RegExp, string][] = [
    [/^src\/auth\//, "auth (JWT, keys)"],
    [/^src\/meter\//, "the user's object and its calls"],
    [/^(src\/db\/|node_modules\/(drizzle-orm|@neondatabase)\/)/, "database (drizzle, Neon driver)"],
    [/^node_modules\/openai\//, "openai SDK"],
    [/^src\/providers\//, "providers"],
    [/^src\/playground\/stream\//, "the stream (plan, fan-out, events)"],
    [/^node_modules\/(zod|@hono\/zod-openapi|@asteasolutions)\//, "validation (zod)"],
    [/^node_modules\/hono\//, "hono (routing, middleware, streamSSE)"],
    [/^src\//, "the rest of src/"],
  ];
  return rules.find(([pattern]) => pattern.test(module))?.[1] ?? module;
}

function selfTimes(profile: Profile, moduleAt: (line: number) => string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  /** A builtin (no url) counts where it was called from. */
  const owner = (id: number): ProfileNode => {
    let node = byId.get(id)!;
    while (!node.callFrame.url && parent.has(node.id) && !node.callFrame.functionName.startsWith("("))
      node = byId.get(parent.get(node.id)!)!;
    return node;
  };
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  profile.samples.forEach((sample, index) => {
    const microseconds = profile.timeDeltas[index + 1] ?? 0;
    const node = owner(sample);
    const { functionName, url, lineNumber } = node.callFrame;
    const module = url ? moduleAt(lineNumber) : functionName || "(native)";
    const category = url ? categoryOf(module) : module;
    categories.set(category, (categories.get(category) ?? 0) + microseconds);
    const name = `${byId.get(sample)!.callFrame.functionName || "(anonymous)"}  ${module}`;
    functions.set(name, (functions.get(name) ?? 0) + microseconds);
  });
  return { categories, functions };
}

const table = (entries: Map<string, number>, count: number, limit: number) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => `  ${(us / 1000).toFixed(1).padStart(8)} ms  ${(us / 1000 / count).toFixed(3).padStart(7)} ms/stream  ${name}`)
    .join("\n");

/** CPU per stream of three bursts through the API and three through the relay, alternating. */
async function cpuOnly(
  stack: Awaited<ReturnType<typeof startStack>>,
  burst: (index: number) => Promise<unknown>,
  relay: (index: number) => Promise<unknown>,
) {
  const api: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [side, run, read] of [
      [api, burst, stack.workerdCpuMs],
      [floor, relay, stack.pipe.workerdCpuMs],
    ] as const) {
      const before = read();
      await Promise.all(Array.from({ length: streams }, (_, index) => run(round * streams + index)));
      // Long enough for every final write: the embedded database takes one batch at a time.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      side.push((read() - before) / streams);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `CPU per stream: API ${api.map((ms) => ms.toFixed(2)).join(", ")} ms; relay ${floor.map((ms) => ms.toFixed(2)).join(", ")} ms`,
  );
  console.log(`median ratio ${(median(api) / median(floor)).toFixed(2)}x`);
}

async function main() {
  const inspectorPort = await freePort();
  const stack = await startStack(profiling ? { inspectorPort, minify: false, buildDir: BUILD_DIR } : {});
  try {
    const { accessToken } = await registerUser(stack.origin);
    const chunks = Array.from({ length: BURST_CHUNKS }, (_, index) => `${BURST_MODEL}:${index} `);
    const tag = await scriptUpstream(stack.upstreamUrl, { [BURST_MODEL]: { chunks, ...BURST_PACE } });
    const expected = { [BURST_MODEL]: chunks.join("") };
    // A warm-up burst, so that the profile holds no first-use work.
    await Promise.all(Array.from({ length: 20 }, (_, index) => checkedStream(stack, accessToken, `Warm ${index} ${tag}`, expected)));
    await settle();
    if (!profiling) {
      const relay = (index: number) =>
        fetch(`${stack.pipe.origin}/v1/chat/completions`, {
          method: "POST",
          body: JSON.stringify({ model: BURST_MODEL, stream: true, messages: [{ role: "user", content: `Relay ${index} ${tag}` }] }),
        }).then((response) => response.arrayBuffer());
      await cpuOnly(stack, (index) => checkedStream(stack, accessToken, `Cpu ${index} ${tag}`, expected), relay);
      return;
    }
    const inspector = await inspect(inspectorPort);
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: 50 });
    const cpuBefore = stack.workerdCpuMs();
    await inspector.send("Profiler.start");
    const outcomes = await Promise.all(
      Array.from({ length: streams }, (_, index) => checkedStream(stack, accessToken, `Profile ${index} ${tag}`, expected)),
    );
    await settle();
    const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
    if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
    const cpuMs = stack.workerdCpuMs() - cpuBefore;
    inspector.close();
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    const { categories, functions } = selfTimes(profile, modulesOfBundle());
    const sampled = [...categories.values()].reduce((sum, us) => sum + us, 0) / 1000;
    console.log(
      `${streams} streams (${failed} failed); workerd CPU ${cpuMs.toFixed(0)} ms (${(cpuMs / streams).toFixed(2)} ms a stream); profile ${sampled.toFixed(0)} ms sampled\n`,
    );
    console.log(`By module:\n${table(categories, streams, 30)}\n`);
    console.log(`Busiest functions (self time):\n${table(functions, streams, 40)}`);
  } finally {
    await stack.stop();
  }
}

await main();
process.exit(0);
