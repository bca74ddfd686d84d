// The model picker: a checkbox per model of GET /playground/models, named by its id; the ones the
// server cannot reach are shown disabled, with why. One to six may be chosen.
import { byId, el, usd } from "./dom.js";
import { json, send } from "./http.js";

const MAX_MODELS = 6;

const picker = byId("model-picker");
const list = byId("models");
const countText = byId("model-count");
let locked = false;
let beforeLock = [];

const boxes = () => [...list.querySelectorAll("input[type=checkbox]")];

export const chosenModels = () =>
  boxes()
    .filter((box) => box.checked)
    .map((box) => box.value);

function price(model) {
  if (model.inputPricePerMTok === 0 && model.outputPricePerMTok === 0) return "free";
  return `${usd(model.inputPricePerMTok)} in, ${usd(model.outputPricePerMTok)} out per 1M tokens`;
}

function option(model, checked) {
  const id = `model-${model.id}`;
  const about = el(
    "span",
    { id: `${id}-about`, class: "hint" },
    model.available ? `${model.label}, ${price(model)}` : `unavailable: ${model.provider} is not set up on the server`,
  );
  return el(
    "div",
    { class: model.available ? "model" : "model unavailable" },
    el("input", {
      type: "checkbox",
      id,
      value: model.id,
      checked,
      disabled: !model.available,
      "data-available": String(model.available),
      "aria-describedby": about.id,
    }),
    el("label", { for: id }, model.id),
    about,
  );
}

/** Fills the picker; the first available model is chosen to begin with. */
export async function loadModels() {
  const { models } = await json(await send("/playground/models"));
  const ordered = [...models.filter((model) => model.available), ...models.filter((model) => !model.available)];
  const chosen = new Set(chosenModels());
  if (chosen.size === 0 && ordered[0]?.available) chosen.add(ordered[0].id);
  list.replaceChildren(...ordered.map((model) => option(model, chosen.has(model.id))));
  update();
}

/** At most six: the other boxes are disabled once six are chosen. */
function update() {
  const chosen = chosenModels().length;
  for (const box of boxes()) box.disabled = box.dataset.available !== "true" || (!box.checked && chosen >= MAX_MODELS);
  countText.textContent = locked ? "(those of the session)" : `(${chosen} of up to ${MAX_MODELS})`;
}

list.addEventListener("change", update);

/** While a session is continued its models are fixed: `models` are checked and the picker is disabled. */
export function lockModels(models) {
  if (models === null && !locked) return;
  // What the person had chosen comes back when the session is left.
  if (!locked && models !== null) beforeLock = chosenModels();
  locked = models !== null;
  // The models are named in the "Continuing" line then.
  picker.hidden = picker.disabled = locked;
  const checked = locked ? models : beforeLock;
  for (const box of boxes()) box.checked = checked.includes(box.value);
  update();
}
