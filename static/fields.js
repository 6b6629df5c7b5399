// One form control per schema field, and the rule that turns a control's
// current text back into a spec value. Whatever the user typed stays in the
// control: values the editor cannot parse go to the server as typed, so the
// server's located error explains them beside the field.

import { el } from "./dom.js";

/** 'layers[3].kernel' -> ['layers', 3, 'kernel']. */
export function parseLoc(loc) {
  const out = [];
  for (const part of String(loc).matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    out.push(part[2] !== undefined ? Number(part[2]) : part[1]);
  }
  return out;
}

export function getAt(obj, path) {
  let node = obj;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}

/** A copy of `obj` with the value at `path` replaced (undefined deletes it). */
export function setAt(obj, path, value) {
  const root = structuredClone(obj);
  let node = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = path[i];
    if (node[key] === null || typeof node[key] !== "object") {
      if (value === undefined) return root;
      node[key] = typeof path[i + 1] === "number" ? [] : {};
    }
    node = node[key];
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1);
    else delete node[last];
  } else node[last] = value;
  return root;
}

export function idFor(loc) {
  return `f-${String(loc).replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** Display text of a value in a text control. */
export function showValue(value) {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value) && value.every((v) => typeof v === "number" || typeof v === "string")) {
    return value.join(", ");
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Text typed into a pair control -> 5, [3, 5], an enum word, or the raw text. */
function parsePair(text) {
  const t = text.trim();
  if (t === "") return undefined;
  if (/^-?\d+$/.test(t)) return Number(t);
  const m = t.match(/^\[?\s*(-?\d+)\s*(?:,|x|×|\s)\s*(-?\d+)\s*\]?$/i);
  if (m) return [Number(m[1]), Number(m[2])];
  return t;
}

/** The spec value for a control, or {invalid: message} when it cannot hold one. */
export function readControl(control) {
  const kind = control.dataset.kind;
  if (kind === "bool") return control.checked;
  if (control.type === "number" && control.validity.badInput) {
    return { invalid: "enter a number" };
  }
  const text = control.value;
  if (kind === "int" || kind === "number") {
    if (text.trim() === "") return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (kind === "pair" || kind === "pair-enum") return parsePair(text);
  if (kind === "list") {
    const items = text
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    return items.length ? items : undefined;
  }
  if (kind === "json") {
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (kind === "enum" || kind === "color" || kind === "text") {
    return text === "" ? undefined : text;
  }
  return text;
}

const probe = document.createElement("canvas").getContext("2d");

/** Any CSS color -> '#rrggbb' for <input type=color>, or null. */
export function toHex(color) {
  if (typeof color !== "string" || !color.trim() || !probe) return null;
  probe.fillStyle = "#010203";
  probe.fillStyle = color;
  const out = probe.fillStyle;
  if (out === "#010203" && color.trim().toLowerCase() !== "#010203") return null;
  return /^#[0-9a-f]{6}$/i.test(out) ? out : null;
}

function niceStep(raw) {
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

function sliderStep(field) {
  const range = field.max - field.min;
  const step = niceStep(range / 200);
  return field.integer ? Math.max(1, Math.round(step)) : step;
}

function defaultText(field) {
  const d = field.default;
  if (d === undefined || d === null) return "";
  if (Array.isArray(d) && d.length === 2 && d[0] === d[1]) return String(d[0]); // [3, 3] is written 3
  return showValue(d);
}

/**
 * A labelled control for `field` at `loc`, showing `value` (or the default as a
 * placeholder). `slider` asks for range + number inputs for bounded numbers.
 */
export function fieldControl(field, loc, value, { slider = false, compact = false } = {}) {
  const id = idFor(loc);
  const hint =
    field.kind === "pair" || field.kind === "pair-enum"
      ? [field.description, "e.g. 3 or 3, 5"].filter(Boolean).join("; ")
      : field.description;
  const common = { id, dataset: { loc, kind: field.kind }, title: hint || null };
  const label = el("label", { for: id, text: field.title });
  const wrap = el("div", { class: `field kind-${field.kind}`, dataset: { field: loc } });
  const shown = value === undefined ? field.default : value;

  if (field.kind === "bool") {
    const box = el("input", { ...common, type: "checkbox", checked: Boolean(shown) });
    wrap.classList.add("check");
    wrap.append(box, label);
    return { wrap, control: box };
  }

  if (field.kind === "enum") {
    const select = el("select", common);
    const hasDefault = field.default !== undefined && field.default !== null;
    if (!field.required && !hasDefault) select.append(el("option", { value: "", text: "(none)" }));
    const values = [...field.enum];
    if (value !== undefined && value !== null && !values.includes(value)) values.push(value);
    for (const v of values) select.append(el("option", { value: String(v), text: String(v) }));
    select.value =
      value === undefined || value === null ? (hasDefault ? String(field.default) : "") : String(value);
    wrap.append(label, select);
    return { wrap, control: select };
  }

  if (field.kind === "color") {
    const text = el("input", {
      ...common,
      type: "text",
      value: showValue(value),
      placeholder: defaultText(field) || "default",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: 64,
    });
    const pickerId = `${id}-picker`;
    const picker = el("input", {
      id: pickerId,
      type: "color",
      value: toHex(shown) || "#cccccc",
      dataset: { loc, kind: "color-picker" },
      title: `Pick the ${field.title.toLowerCase()}`,
    });
    wrap.append(
      label,
      el(
        "div",
        { class: "color-pair" },
        el("label", { for: pickerId, class: "sr-only", text: `${field.title} picker` }),
        picker,
        text,
      ),
    );
    return { wrap, control: text };
  }

  const bounded = Number.isFinite(field.min) && Number.isFinite(field.max);
  if ((field.kind === "int" || field.kind === "number") && typeof shown !== "string") {
    const attrs = {
      ...common,
      type: "number",
      value: value === undefined || value === null ? "" : String(value),
      placeholder: defaultText(field),
      step: field.integer ? 1 : "any",
      min: field.min !== undefined && !field.exclusiveMin ? field.min : null,
      max: field.max,
      inputmode: field.integer ? "numeric" : "decimal",
    };
    const number = el("input", attrs);
    if (slider && bounded && !field.nullable) {
      const step = sliderStep(field);
      const rangeId = `${id}-range`;
      const range = el("input", {
        id: rangeId,
        type: "range",
        min: field.exclusiveMin ? field.min + step : field.min,
        max: field.max,
        step,
        value: String(shown ?? field.min),
        dataset: { loc, kind: field.kind, slider: "1" },
      });
      if (!attrs.value) number.value = shown === undefined || shown === null ? "" : String(shown);
      number.classList.add("slider-value");
      wrap.classList.add("slider");
      label.htmlFor = rangeId;
      wrap.append(
        label,
        el(
          "div",
          { class: "slider-pair" },
          range,
          el("label", { for: id, class: "sr-only", text: `${field.title} value` }),
          number,
        ),
      );
      return { wrap, control: number, range };
    }
    wrap.append(label, number);
    return { wrap, control: number };
  }

  // text, pair, pair-enum, json (and numbers holding a non-number from the JSON pane)
  const kind = field.kind === "int" || field.kind === "number" ? "json" : field.kind;
  const input = el("input", {
    ...common,
    dataset: { loc, kind },
    type: "text",
    value: showValue(value),
    placeholder: placeholderFor(field),
    maxlength: field.maxLength ?? null,
    autocomplete: "off",
    spellcheck: kind === "text" && !compact ? "true" : "false",
  });
  if (field.kind === "pair-enum" && field.enum.length) {
    const listId = `${id}-list`;
    input.setAttribute("list", listId);
    wrap.append(
      el(
        "datalist",
        { id: listId },
        field.enum.map((v) => el("option", { value: v })),
      ),
    );
  }
  wrap.append(label, input);
  return { wrap, control: input };
}

function placeholderFor(field) {
  const def = defaultText(field);
  if (field.kind === "list") return "names, comma separated";
  if (field.kind === "pair" || field.kind === "pair-enum") return def || "n or h, w";
  return def;
}
