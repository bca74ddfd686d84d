// The benchmark's floor: a Worker that only relays an upstream's streamed answer, token for token,
// through JavaScript as any gateway that reads the tokens must, and logs a line per request as a
// real Worker does (the API logs one too). What the API costs beyond this is ours.
export default {
  async fetch(request, env) {
    const started = performance.now();
    const upstream = await fetch(`${env.UPSTREAM_URL}/v1/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${env.UPSTREAM_API_KEY}`, "Content-Type": "application/json" },
      body: await request.text(),
    });
    let controller;
    const body = new ReadableStream({ start: (streamController) => (controller = streamController) });
    const relay = async () => {
      const reader = upstream.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) controller.enqueue(read.value);
      controller.close();
    };
    relay();
    const path = new URL(request.url).pathname;
    console.log(JSON.stringify({ method: request.method, path, status: upstream.status, ms: Math.round(performance.now() - started) }));
    return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
  },
};
