// Building the page's elements, and the numbers and times it shows. Text always goes in as text:
// strings become text nodes, never HTML.

/**
 * An element with attributes, listeners (`onclick`) and children, which may be nested in arrays.
 * @example el("button", { type: "button", onclick: stop }, "Stop")
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat(Number.POSITIVE_INFINITY).filter((child) => child !== undefined && child !== null && child !== false));
  return node;
}

export const byId = (id) => document.getElementById(id);

let nextId = 0;
/** A page-unique id, for aria-labelledby and friends. */
export const uniqueId = (prefix) => `${prefix}-${++nextId}`;

const alertText = byId("alert");
const dismiss = byId("dismiss");
dismiss.addEventListener("click", () => clearAlert());

/** The one alert of the page: a failed request, a limit, anything the person must know. */
export function showAlert(text) {
  alertText.textContent = text;
  dismiss.hidden = false;
}

export function clearAlert() {
  alertText.textContent = "";
  dismiss.hidden = true;
}

/** The start of a long text, for a list or a title. */
export const excerpt = (text, length = 80) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

const number = new Intl.NumberFormat();
export const count = (value) => number.format(value);

/** US dollars with the digits a small amount needs: $4.20, $0.0123, $0.0000015. */
export function usd(value) {
  if (value === 0) return "$0";
  const size = Math.abs(value);
  const digits = size >= 0.1 ? 2 : Math.min(10, Math.max(4, 1 - Math.floor(Math.log10(size))));
  return `$${value.toFixed(digits)}`;
}

export const ms = (value) => (value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`);

/** A wait in words: 45 s, 12 min, 3 h. */
export function wait(seconds) {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export const clock = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
export const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
