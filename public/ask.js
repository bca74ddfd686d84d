// The ask form: one prompt to the chosen models over POST /playground/stream, each answer streamed
// into its own column as the events arrive; Stop aborts the request and what arrived stays.
import { authorized } from "./auth.js";
import { byId, clearAlert, showAlert } from "./dom.js";
import { failure } from "./http.js";
import { chosenModels } from "./models.js";
import { readEvents } from "./sse.js";
import { addTurn, began, currentSession, offerVote } from "./transcript.js";

const form = byId("ask");
const prompt = byId("prompt");
const system = byId("system");
const temperature = byId("temperature");
const maxTokens = byId("max-tokens");
const blind = byId("blind");
const sendButton = byId("send");
const stopButton = byId("stop");

/** The running stream's controller, or null. */
let running = null;

/** Blind streams name their models model-a, model-b, … (API.md). */
const blindLabels = (count) => Array.from({ length: count }, (_, index) => `model-${String.fromCharCode(97 + index)}`);

function streamRequest() {
  const session = currentSession();
  const body = { prompt: prompt.value, models: session ? session.models : chosenModels() };
  if (session) body.sessionId = session.id;
  else if (blind.checked) body.blind = true;
  if (system.value.trim()) body.system = system.value;
  if (temperature.value !== "") body.temperature = Number(temperature.value);
  if (maxTokens.value !== "") body.maxTokens = Number(maxTokens.value);
  return body;
}

function setRunning(controller) {
  const hadFocus = document.activeElement;
  running = controller;
  sendButton.disabled = controller !== null;
  stopButton.disabled = controller === null;
  form.setAttribute("aria-busy", String(controller !== null));
  // Keep the keyboard where it was going: Send becomes Stop and back.
  if (controller && hadFocus === sendButton) stopButton.focus();
  if (!controller && hadFocus === stopButton) prompt.focus();
}

/** Applies one event of the stream to the turn's columns; true once the stream is done. */
function apply(turn, event, body, startedAt) {
  switch (event.type) {
    case "session":
      began(event.sessionId, {
        prompt: body.prompt,
        models: body.blind ? blindLabels(body.models.length) : body.models,
        blind: body.blind === true,
      });
      break;
    case "status":
      turn.column(event.model).setStatus(event.status);
      break;
    case "chunk":
      turn.column(event.model).addText(event.content, performance.now() - startedAt);
      break;
    case "metrics":
      turn.column(event.model).setFigures(event);
      break;
    case "error":
      // Without a model, the stream failed as a whole: its answers could not be kept.
      if (event.model === undefined) throw new Error(event.message);
      turn.column(event.model).showError(event.message);
      break;
    case "done":
      turn.summarize(event);
      offerVote(turn, event.sessionId);
      return true;
  }
  return false;
}

async function ask(event) {
  event.preventDefault();
  if (running) return;
  clearAlert();
  const body = streamRequest();
  if (body.models.length === 0) return showAlert("Choose at least one model.");
  const controller = new AbortController();
  setRunning(controller);
  const startedAt = performance.now();
  let turn = null;
  try {
    const response = await authorized("/playground/stream", { method: "POST", body, signal: controller.signal });
    turn = addTurn({ prompt: body.prompt, system: body.system, hidden: body.blind === true || currentSession()?.blind === true });
    for (const model of body.blind ? blindLabels(body.models.length) : body.models) turn.column(model);
    let done = false;
    for await (const streamEvent of readEvents(response.body)) done = apply(turn, streamEvent, body, startedAt) || done;
    if (!done) throw new Error("the stream ended before it was done");
    prompt.value = "";
  } catch (error) {
    if (error.name === "AbortError") turn?.stopped("cancelled");
    else {
      turn?.stopped("interrupted");
      showAlert(failure("Send", error));
    }
  } finally {
    setRunning(null);
    dispatchEvent(new Event("playground:asked"));
  }
}

form.addEventListener("submit", ask);
stopButton.addEventListener("click", () => running?.abort());
prompt.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});
