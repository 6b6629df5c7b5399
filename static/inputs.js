// The `inputs` of a layer as a pick list of the layers that can feed it, so a
// skip connection is two ticks instead of typing names the user cannot see.
// Unnamed layers get the same default names the server gives them (conv1,
// pool2, ...); picking one writes that name into the spec so the link stays
// put when layers are added or moved later.

import { el } from "./dom.js";
import { getAt, idFor, parseLoc } from "./fields.js";

export const BLOCK_INPUT = "@input";

/** Each layer's name: its own, or type + counter avoiding clashes (nnsketch/topology.py). */
export function defaultNames(layers) {
  const list = Array.isArray(layers) ? layers : [];
  const taken = new Set(list.map((l) => l?.name).filter(Boolean));
  const counts = new Map();
  return list.map((layer) => {
    if (layer?.name) return String(layer.name);
    const type = String(layer?.type ?? "layer");
    let n = counts.get(type) ?? 0;
    let candidate;
    do {
      n += 1;
      candidate = `${type}${n}`;
    } while (taken.has(candidate));
    counts.set(type, n);
    taken.add(candidate);
    return candidate;
  });
}

/**
 * The layers that can feed the row at `rowLoc` ('layers[4]' or 'layers[1].layers[2]'):
 * the earlier top-level layers and, inside a repeat block, '@input' and the
 * block's earlier layers. Each choice is {name, note, path} where `path` is
 * the spec path of its layer (null for '@input').
 */
export function inputChoices(spec, rowLoc) {
  const path = parseLoc(rowLoc); // ['layers', i] or ['layers', i, 'layers', j]
  const top = Array.isArray(spec?.layers) ? spec.layers : [];
  const topNames = defaultNames(top);
  const row = path[1];
  const choices = [];
  for (let k = 0; k < Math.min(row, top.length); k += 1) {
    choices.push({ name: topNames[k], note: `#${k} ${top[k]?.type ?? ""}`, path: ["layers", k] });
  }
  if (path.length >= 4) {
    const block = Array.isArray(top[row]?.layers) ? top[row].layers : [];
    const local = defaultNames(block);
    choices.push({ name: BLOCK_INPUT, note: "the block's input", path: null });
    for (let j = 0; j < Math.min(path[3], block.length); j += 1) {
      choices.push({
        name: local[j],
        note: `#${row}.${j} ${block[j]?.type ?? ""}`,
        path: ["layers", row, "layers", j],
      });
    }
  }
  return choices;
}

/** '5.2' for 'layers[5].layers[2]', as on the row. */
function rowNumber(loc) {
  return [...loc.matchAll(/\[(\d+)\]/g)].map((m) => m[1]).join(".");
}

function summaryText(value, type, rowLoc) {
  if (Array.isArray(value) && value.length) return value.join(", ");
  if (type === "input") return "none";
  return /\.layers\[0\]$/.test(rowLoc) ? "the block's input" : "the previous layer";
}

function hintText(type, rowLoc) {
  if (type === "input") return "An input layer takes no inputs.";
  return `None ticked: ${summaryText([], type, rowLoc)} feeds this one.`;
}

/**
 * A labelled, keyboard-usable pick list for the `inputs` at `loc`: a <details>
 * whose summary shows the current inputs and opens onto one checkbox per
 * candidate layer. A change goes to `form.pickInputs(loc, names, choices)`.
 */
export function inputsControl(form, field, loc, value, { open = false } = {}) {
  const id = idFor(loc);
  const rowLoc = loc.slice(0, loc.lastIndexOf("."));
  const spec = form.spec ?? {};
  const layer = getAt(spec, parseLoc(rowLoc)) ?? {};
  const current = Array.isArray(value) ? value.map(String) : [];
  const choices = inputChoices(spec, rowLoc);
  for (const name of current) {
    if (!choices.some((c) => c.name === name)) {
      choices.push({ name, note: "not an earlier layer", path: null, odd: true });
    }
  }
  const shown = summaryText(current, layer.type, rowLoc);
  const summaryLabel = el("span", { class: "inputs-current", text: shown });
  const summary = el(
    "summary",
    { id, title: field.description || null, dataset: { inputsFor: loc } },
    el("span", { class: "inputs-title", text: field.title }),
    summaryLabel,
  );
  const boxes = choices.map((choice, n) => {
    const boxId = `${id}-opt-${n}`;
    const box = el("input", {
      type: "checkbox",
      id: boxId,
      value: choice.name,
      checked: current.includes(choice.name),
      dataset: { inputsFor: loc, part: `opt-${n}`, index: n },
    });
    return el(
      "li",
      { class: choice.odd ? "inputs-choice odd" : "inputs-choice" },
      box,
      el(
        "label",
        { for: boxId },
        el("span", { class: "inputs-name", text: choice.name }),
        el("span", { class: "inputs-note", text: choice.note }),
      ),
    );
  });
  const list = boxes.length
    ? el("ul", { class: "inputs-list" }, boxes)
    : el("p", { class: "inputs-empty", text: "No earlier layer to pick." });
  const details = el(
    "details",
    { class: "inputs-pick", open, dataset: { row: loc } },
    summary,
    el(
      "fieldset",
      {},
      el("legend", { class: "sr-only", text: `${field.title} of layer ${rowNumber(rowLoc)}` }),
      list,
      el("p", { class: "inputs-hint", text: hintText(layer.type, rowLoc) }),
    ),
  );
  details.addEventListener("change", (event) => {
    const box = event.target;
    if (box.dataset?.inputsFor !== loc) return;
    const ticked = new Set(
      [...details.querySelectorAll("input[type=checkbox]")].filter((b) => b.checked).map((b) => b.value),
    );
    // Keep the order the user built (concat cares), append new picks at the end.
    const next = current.filter((n) => ticked.has(n));
    for (const c of choices) if (ticked.has(c.name) && !next.includes(c.name)) next.push(c.name);
    current.splice(0, current.length, ...next);
    summaryLabel.textContent = summaryText(next, layer.type, rowLoc);
    form.pickInputs(loc, next, choices);
  });
  const wrap = el("div", { class: "field kind-inputs", dataset: { field: loc } }, details);
  return { wrap, control: summary };
}

/**
 * The spec with `inputs` at `loc` set to `names`, naming any unnamed source
 * picked; `named` says whether a name was written (the form must show it).
 */
export function withInputs(spec, loc, names, choices) {
  const next = structuredClone(spec);
  const owner = getAt(next, parseLoc(loc).slice(0, -1));
  let named = false;
  if (!owner || typeof owner !== "object") return { spec: next, named };
  if (names.length) owner.inputs = names;
  else delete owner.inputs;
  for (const name of names) {
    const source = choices.find((c) => c.name === name)?.path;
    const target = source ? getAt(next, source) : null;
    if (target && typeof target === "object" && !target.name) {
      target.name = name;
      named = true;
    }
  }
  return { spec: next, named };
}
