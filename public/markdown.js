// Answers read as Markdown: marked's lexer parses them, and the nodes are built here, one by one, so
// nothing a model writes ever becomes HTML. Raw HTML shows as text; links open http(s) pages only.
import { el } from "./dom.js";
import { Lexer } from "./vendor/marked.esm.js";

// breaks: a single newline is a line break, as people who write in chat boxes mean it.
const lex = (text) => Lexer.lex(text, { gfm: true, breaks: true });

// marked leaves entities to its HTML renderer; these are the ones answers use.
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const decode = (text) => text.replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_, name) => ENTITIES[name]);

/** An absolute http: or https: address, or null: no javascript:, data: or page-relative links. */
function webAddress(href) {
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

const link = (href, title, children) => el("a", { href, title: title || null, rel: "noopener noreferrer", target: "_blank" }, children);

function inline(token) {
  switch (token.type) {
    case "text":
      return token.tokens ? token.tokens.map(inline) : decode(token.text);
    case "escape":
      return token.text;
    case "strong":
    case "em":
    case "del":
      return el(token.type === "del" ? "s" : token.type, {}, token.tokens.map(inline));
    case "codespan":
      return el("code", {}, token.text);
    case "br":
      return el("br");
    case "link": {
      const href = webAddress(token.href);
      return href ? link(href, token.title, token.tokens.map(inline)) : token.raw;
    }
    case "image": {
      // The page loads nothing from elsewhere (img-src 'self'): a picture is a link to it.
      const href = webAddress(token.href);
      return href ? link(href, token.title, `image: ${token.text || href}`) : token.raw;
    }
    case "checkbox":
      return token.checked ? "☑ " : "☐ ";
    default:
      // Raw HTML among them: shown as the text it is.
      return token.raw ?? token.text ?? "";
  }
}

/** Copies a code block's text; where the clipboard is refused, selects it to copy by hand. */
async function copy(button, code) {
  try {
    await navigator.clipboard.writeText(code.textContent);
    button.textContent = "Copied";
  } catch {
    getSelection().selectAllChildren(code);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => {
    button.textContent = "Copy";
  }, 2000);
}

function codeBlock(token) {
  const code = el("code", {}, token.text);
  const button = el("button", { type: "button", class: "quiet", onclick: () => copy(button, code) }, "Copy");
  const language = token.lang?.split(/\s/)[0];
  return el("div", { class: "code" }, el("div", { class: "code-head" }, el("span", {}, language || "code"), button), el("pre", {}, code));
}

function table(token) {
  const cell = (tag, { tokens, align }) => el(tag, { class: align ? `align-${align}` : null }, tokens.map(inline));
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      {},
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          token.header.map((header) => cell("th", header)),
        ),
      ),
      el(
        "tbody",
        {},
        token.rows.map((row) =>
          el(
            "tr",
            {},
            row.map((data) => cell("td", data)),
          ),
        ),
      ),
    ),
  );
}

/** The nodes of block tokens; a tight list item's text is inline. */
function blocks(tokens) {
  return tokens.flatMap((token) => {
    switch (token.type) {
      case "space":
      case "def":
        return [];
      case "paragraph":
        return el("p", {}, token.tokens.map(inline));
      case "heading":
        // The answer sits under its model's h4: its own headings come below that.
        return el(token.depth === 1 ? "h5" : "h6", { class: `depth-${token.depth}` }, token.tokens.map(inline));
      case "code":
        return codeBlock(token);
      case "blockquote":
        return el("blockquote", {}, blocks(token.tokens));
      case "list":
        return el(
          token.ordered ? "ol" : "ul",
          { start: token.ordered && token.start !== 1 ? token.start : null },
          token.items.map((item) => el("li", {}, blocks(item.tokens))),
        );
      case "table":
        return table(token);
      case "hr":
        return el("hr");
      case "html":
        return el("p", { class: "raw" }, token.text);
      default:
        return inline(token);
    }
  });
}

/** Block tokens as a flat list of nodes, to be taken out again: a stray token may give bare text. */
const nodes = (tokens) =>
  blocks(tokens)
    .flat(Number.POSITIVE_INFINITY)
    .map((node) => (typeof node === "string" ? document.createTextNode(node) : node));

/**
 * An answer's Markdown, rendered into `container` while it grows: at most once an animation frame,
 * and only its last block is parsed again, because the blocks before it can no longer change.
 * @example const view = new MarkdownView(output); view.append("# Hi"); view.finish();
 */
export class MarkdownView {
  constructor(container) {
    this.container = container;
    this.text = "";
    /** How much of the text is in blocks that are settled: rendered, and not parsed again. */
    this.settled = 0;
    /** The nodes of the blocks that may still change. */
    this.live = [];
    this.frame = 0;
  }

  get length() {
    return this.text.length;
  }

  append(text) {
    this.text += text;
    this.frame ||= requestAnimationFrame(() => this.render());
  }

  /** Renders the whole text now, from the start: the end of a stream, or a stored answer. */
  finish() {
    this.container.replaceChildren();
    this.settled = 0;
    this.live = [];
    this.render();
  }

  render() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const node of this.live) node.remove();
    const tokens = lex(this.text.slice(this.settled));
    const last = Math.max(
      0,
      tokens.findLastIndex((token) => token.type !== "space"),
    );
    const closed = tokens.slice(0, last);
    const raw = closed.map((token) => token.raw).join("");
    // marked rewrites some text (\r\n) before it parses: then nothing is settled, all is parsed again.
    const settles = this.text.startsWith(raw, this.settled);
    if (settles) {
      this.container.append(...nodes(closed));
      this.settled += raw.length;
    }
    this.live = nodes(settles ? tokens.slice(last) : tokens);
    this.container.append(...this.live);
  }
}
