// Server-Sent Events read from a fetch response's body: EventSource cannot POST or send headers.
// The API's events are unnamed, with one JSON object in `data:`; ids and `: ping` comments are skipped.

/** Each event's parsed JSON, in order, until the server closes the stream. */
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  let data = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const lines = (pending + value).split(/\r\n|\r|\n/);
      // The last piece is a line still arriving.
      pending = lines.pop();
      for (const line of lines) {
        if (line === "" && data.length > 0) {
          yield JSON.parse(data.join("\n"));
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
