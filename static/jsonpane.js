// The raw JSON pane, kept in sync with the form both ways. Text that does not
// parse is never overwritten: it stays as typed, with the line and column of
// the syntax error, until it parses or the user discards it.

import { el, lineCol } from "./dom.js";

/** The spec as text: layers one per line when short, everything else indented. */
export function formatSpec(spec) {
  return write(spec, 0, false) + "\n";
}

const WIDTH = 100;

function write(value, depth, inLayers) {
  const flat = oneLine(value);
  if (value === null || typeof value !== "object") return flat;
  const fits = flat.length + depth * 2 <= WIDTH;
  if (fits && (depth >= 2 || inLayers || !Object.keys(value).length)) return flat;
  const pad = "  ".repeat(depth);
  const inner = "  ".repeat(depth + 1);
  if (Array.isArray(value)) {
    if (fits && value.every((v) => v === null || typeof v !== "object")) return flat;
    const items = value.map((v) => inner + write(v, depth + 1, inLayers));
    return `[\n${items.join(",\n")}\n${pad}]`;
  }
  const items = Object.entries(value).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, depth + 1, depth === 0 && k === "layers")}`,
  );
  return `{\n${items.join(",\n")}\n${pad}}`;
}

/** One-line JSON with a space after ':' and ',' (as in the shipped examples). */
function oneLine(value) {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** {value} or {error: {message, line, column, offset}} for JSON text. */
export function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (exc) {
    // Browsers do not always say where (V8: "Unexpected token 'c', ..."), so find it.
    const found = findJsonError(text) ?? { offset: text.length, message: String(exc.message || exc) };
    return { error: { ...found, ...lineCol(text, found.offset) } };
  }
}

const WORDS = ["true", "false", "null"];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first syntax error of JSON text as {offset, message}, or null when it is valid. */
export function findJsonError(text) {
  const n = text.length;
  let i = 0;
  const fail = (message, at = i) => {
    throw { offset: at, message };
  };
  const shown = (c) => (c === undefined ? "end of the text" : `'${c}'`);
  const ws = () => {
    while (i < n && " \t\n\r".includes(text[i])) i += 1;
  };
  const string = () => {
    const start = i;
    i += 1;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i += 1;
        return;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("a \\u escape needs four hex digits");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`unknown escape \\${e ?? ""} in a string`);
      } else if (c < " ") fail("a line break or control character inside a string; write \\n instead");
      else i += 1;
    }
    fail("a string is not closed with a double quote", start);
  };
  const value = (depth) => {
    if (depth > 512) fail("arrays or objects are nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") return members(depth, "}", true);
    if (c === "[") return members(depth, "]", false);
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      if (!NUMBER.exec(text)) fail("an invalid number");
      i = NUMBER.lastIndex;
      return undefined;
    }
    const word = WORDS.find((w) => text.startsWith(w, i));
    if (word) {
      i += word.length;
      return undefined;
    }
    return fail(`unexpected ${shown(c)}; expected a value (text needs "double quotes")`);
  };
  const members = (depth, close, object) => {
    i += 1;
    ws();
    if (text[i] === close) {
      i += 1;
      return;
    }
    for (;;) {
      ws();
      if (object) {
        if (text[i] !== '"') fail(`unexpected ${shown(text[i])}; expected a "double-quoted" property name`);
        string();
        ws();
        if (text[i] !== ":") fail(`unexpected ${shown(text[i])}; expected ':' after the property name`);
        i += 1;
      }
      value(depth + 1);
      ws();
      if (text[i] === ",") {
        const comma = i;
        i += 1;
        ws();
        if (text[i] === close) fail(`a trailing comma before '${close}'`, comma);
        continue;
      }
      if (text[i] === close) {
        i += 1;
        return;
      }
      fail(`unexpected ${shown(text[i])}; expected ',' or '${close}'`);
    }
  };
  try {
    value(0);
    ws();
    if (i < n) fail(`unexpected ${shown(text[i])} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (err && typeof err.offset === "number") return err;
    throw err;
  }
}

export class JsonPane {
  /** hooks.edit(value) when the text parses to something new. */
  constructor(nodes, hooks) {
    this.nodes = nodes; // {textarea, error, goto, revert, format, problems}
    this.hooks = hooks;
    this.invalid = null;
    this.lastGood = "";
    nodes.textarea.addEventListener("input", () => this.onInput());
    nodes.textarea.addEventListener("change", () => this.hooks.seal());
    nodes.goto.addEventListener("click", () => this.gotoError());
    nodes.revert.addEventListener("click", () => this.discard());
    nodes.format.addEventListener("click", () => this.reformat());
  }

  /** Show the spec unless the user holds unparsed text in the pane. */
  show(spec, { force = false } = {}) {
    this.spec = spec;
    if (this.invalid && !force) {
      this.nodes.revert.hidden = false;
      return;
    }
    const text = formatSpec(spec);
    this.lastGood = text;
    if (this.nodes.textarea.value !== text) this.nodes.textarea.value = text;
    this.setError(null);
  }

  onInput() {
    const text = this.nodes.textarea.value;
    const parsed = parseJson(text);
    if (parsed.error) {
      this.setError(parsed.error);
      return;
    }
    const value = parsed.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      const what = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
      this.setError({
        message: `the spec must be a JSON object ({…}), not ${what}`,
        offset: 0,
        line: 1,
        column: 1,
      });
      return;
    }
    this.setError(null);
    this.hooks.edit(value);
  }

  setError(error) {
    this.invalid = error;
    const { error: box, goto, revert, textarea } = this.nodes;
    textarea.classList.toggle("invalid", Boolean(error));
    if (error) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
    box.hidden = !error;
    goto.hidden = !error;
    revert.hidden = !error;
    box.textContent = error
      ? `JSON error at line ${error.line}, column ${error.column}: ${error.message}. Nothing else changed; the form and diagram show the last valid spec.`
      : "";
    this.hooks.status?.(Boolean(error));
  }

  gotoError() {
    if (!this.invalid) return;
    const { textarea } = this.nodes;
    textarea.focus();
    textarea.setSelectionRange(this.invalid.offset, Math.min(textarea.value.length, this.invalid.offset + 1));
    // Scroll the caret's line into view: the line height is fixed by the CSS.
    const lh = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
    textarea.scrollTop = Math.max(0, (this.invalid.line - 3) * lh);
  }

  discard() {
    this.setError(null);
    if (this.spec !== undefined) this.show(this.spec, { force: true });
  }

  reformat() {
    if (this.invalid) return;
    this.show(this.spec, { force: true });
  }

  /** The server's problems as a list under the pane (the form shows them in place). */
  showProblems(errors) {
    this.nodes.problems.replaceChildren(
      ...errors.map((e) =>
        el("li", {}, e.loc ? el("code", { text: e.loc }) : "", e.loc ? ": " : "", String(e.msg ?? "")),
      ),
    );
  }
}
