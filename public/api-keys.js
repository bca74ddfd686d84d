// The API keys view (/auth/api-keys): the user's keys for programs, a new one shown once, and where
// to point an OpenAI client. It takes the workspace's place while open.
import { authorized } from "./auth.js";
import { byId, clearAlert, el, showAlert, when } from "./dom.js";
import { failure, json } from "./http.js";

const view = byId("api-keys-view");
const workspace = byId("signed-in");
const toggle = byId("api-keys-button");
const form = byId("create-api-key");
const created = byId("created-key");
const newKey = byId("new-api-key");
const copyStatus = byId("copy-status");
const list = byId("api-keys");
/** Counts sign-outs and user changes: an answer that arrives after one is not shown. */
let generation = 0;

const baseUrl = `${location.origin}/v1`;
byId("base-url").textContent = baseUrl;
byId("client-settings").textContent = [
  "# read by OpenAI's SDKs",
  `OPENAI_BASE_URL=${baseUrl}`,
  "OPENAI_API_KEY=mpk_…",
  "",
  "# or in code",
  `new OpenAI({ baseURL: "${baseUrl}", apiKey: "mpk_…" })`,
].join("\n");

function item(key) {
  const expiry = key.expiresAt ? `expires ${when(key.expiresAt)}` : "no expiry";
  const use = key.lastUsedAt ? `last used ${when(key.lastUsedAt)}` : "never used";
  return el(
    "li",
    {},
    el("p", { class: "key-name" }, key.name, " ", el("code", {}, `${key.prefix}…`)),
    el("p", { class: "hint" }, `created ${when(key.createdAt)} · ${expiry} · ${use}`),
    el(
      "button",
      { type: "button", class: "quiet", onclick: () => revoke(key) },
      "Revoke",
      el("span", { class: "visually-hidden" }, ` ${key.name}`),
    ),
  );
}

async function loadKeys() {
  const asked = generation;
  try {
    const { apiKeys } = await json(await authorized("/auth/api-keys"));
    if (asked !== generation) return;
    list.replaceChildren(...(apiKeys.length > 0 ? apiKeys.map(item) : [el("li", { class: "hint" }, "No API keys yet.")]));
  } catch (error) {
    if (asked === generation) showAlert(failure("Loading the API keys", error));
  }
}

async function revoke(key) {
  if (!confirm(`Revoke the API key “${key.name}”? Programs that use it stop working at once.`)) return;
  clearAlert();
  try {
    await authorized(`/auth/api-keys/${key.id}`, { method: "DELETE" });
    await loadKeys();
  } catch (error) {
    showAlert(failure("Revoking the key", error));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAlert();
  const days = form.elements.expiresInDays.valueAsNumber;
  const body = { name: form.elements.name.value, expiresInDays: Number.isNaN(days) ? undefined : days };
  const asked = generation;
  try {
    const { key } = await json(await authorized("/auth/api-keys", { method: "POST", body }));
    if (asked !== generation) return;
    form.reset();
    newKey.value = key;
    copyStatus.textContent = "";
    created.hidden = false;
    newKey.select();
    await loadKeys();
  } catch (error) {
    if (asked === generation) showAlert(failure("Creating the key", error));
  }
});

byId("copy-key").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(newKey.value);
    copyStatus.textContent = "Copied.";
  } catch {
    // The clipboard may be refused (permissions, an insecure origin): the key is selected to copy by hand.
    newKey.select();
    copyStatus.textContent = "Could not copy: the key is selected, copy it with Ctrl+C.";
  }
});

function open() {
  view.hidden = false;
  workspace.hidden = true;
  toggle.setAttribute("aria-expanded", "true");
  byId("api-keys-heading").focus();
  loadKeys();
}

function close() {
  view.hidden = true;
  workspace.hidden = false;
  toggle.setAttribute("aria-expanded", "false");
  toggle.focus();
}

toggle.addEventListener("click", () => (view.hidden ? open() : close()));
byId("close-api-keys").addEventListener("click", close);
view.addEventListener("keydown", (event) => {
  if (event.key === "Escape") close();
});

/** Signed out or another user: the view closes, and no key of theirs stays in the page. */
export function clearApiKeys() {
  generation++;
  view.hidden = true;
  toggle.setAttribute("aria-expanded", "false");
  form.reset();
  newKey.value = "";
  created.hidden = true;
  list.replaceChildren();
}
