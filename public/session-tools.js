// The session on screen, shared and exported: "Share" makes its link (POST …/share) and shows it,
// "Stop sharing" withdraws it; "Export Markdown" and "Export JSON" download the file the API makes.
import { authorized } from "./auth.js";
import { byId, clearAlert, el, showAlert } from "./dom.js";
import { failure, json } from "./http.js";

const tools = byId("session-tools");
const shareBox = byId("share-box");
const shareLink = byId("share-link");

/** The session these tools act on, or null. */
let sessionId = null;

/** Shows the tools for a session (its link hidden until it is shared again), or hides them for null. */
export function showSessionTools(id) {
  tools.hidden = id === null;
  if (id === sessionId) return;
  sessionId = id;
  shareLink.value = "";
  shareBox.hidden = true;
}

async function share() {
  const id = sessionId;
  clearAlert();
  try {
    const { share: made } = await json(await authorized(`/playground/sessions/${id}/share`, { method: "POST" }));
    if (id !== sessionId) return;
    shareLink.value = `${location.origin}${made.url}`;
    shareBox.hidden = false;
    shareLink.select();
  } catch (error) {
    showAlert(failure("Sharing the session", error));
  }
}

async function stopSharing() {
  const id = sessionId;
  clearAlert();
  try {
    await authorized(`/playground/sessions/${id}/share`, { method: "DELETE" });
    if (id !== sessionId) return;
    shareLink.value = "";
    shareBox.hidden = true;
  } catch (error) {
    showAlert(failure("Stopping the share", error));
  }
}

/** The name in `Content-Disposition: attachment; filename="…"`, or `fallback`. */
const fileName = (disposition, fallback) => disposition?.match(/filename="?([^";]+)"?/)?.[1] ?? fallback;

/** Downloads the export: the request needs the access token, so not a plain link. */
async function download(format, extension) {
  clearAlert();
  try {
    const response = await authorized(`/playground/sessions/${sessionId}/export?format=${format}`);
    const name = fileName(response.headers.get("content-disposition"), `session.${extension}`);
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: name }).click();
    // Let go of a while later: browsers differ on when a download has read its blob.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    showAlert(failure("The export", error));
  }
}

byId("share").addEventListener("click", share);
byId("stop-sharing").addEventListener("click", stopSharing);
byId("export-markdown").addEventListener("click", () => download("markdown", "md"));
byId("export-json").addEventListener("click", () => download("json", "json"));
