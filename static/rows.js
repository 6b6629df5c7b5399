// One row per layer, built from the layer type's schema. A field holding a
// list of layers (a repeated block) becomes a nested list of rows, so every
// row is addressed by its spec location: `layers[5]`, `layers[5].layers[2]`.

import { el, fmtInt } from "./dom.js";
import { idFor } from "./fields.js";

const HEADER_KEYS = ["label", "color"];

/** '5.2' for 'layers[5].layers[2]': the short number shown on a row. */
function rowNumber(loc) {
  return [...loc.matchAll(/\[(\d+)\]/g)].map((m) => m[1]).join(".");
}

function button(action, list, index, text, label, disabled = false) {
  return el("button", {
    type: "button",
    class: `row-button ${action}`,
    text,
    disabled,
    title: label,
    "aria-label": label,
    dataset: { action, list, index, row: `${list}[${index}]` },
  });
}

export function slot(loc, field = false) {
  return el("div", {
    class: field ? "slot-error field-slot" : "slot-error",
    dataset: { loc },
    id: `${idFor(loc)}-error`,
  });
}

/** The rows of the layer list at `list` (a loc such as 'layers'). */
export function layerRows(form, layers, list) {
  return layers.map((layer, i) => row(form, layer, list, i, layers.length));
}

function row(form, layer, list, i, count) {
  const loc = `${list}[${i}]`;
  const number = rowNumber(loc);
  const li = el("li", { class: "layer-row", dataset: { loc, list, index: i } });
  form.rows.set(loc, li);
  const buttons = el(
    "div",
    { class: "row-buttons" },
    button("up", list, i, "↑", `Move layer ${number} up (Alt+↑)`, i === 0),
    button("down", list, i, "↓", `Move layer ${number} down (Alt+↓)`, i === count - 1),
    button("dup", list, i, "❐", `Duplicate layer ${number}`),
    button("del", list, i, "✕", `Delete layer ${number}`, count <= 1),
  );
  if (layer === null || typeof layer !== "object" || Array.isArray(layer)) {
    li.append(
      el("div", { class: "row-head" }, el("span", { class: "row-index", text: `#${number}` }), buttons),
      el("p", { class: "row-note", text: "This entry is not a layer object; fix it in the JSON tab." }),
      slot(loc),
    );
    return li;
  }
  const type = layer.type;
  const typeLoc = `${loc}.type`;
  const typeId = idFor(typeLoc);
  const types = [...form.schema.layerTypes];
  if (!types.includes(type)) types.push(type);
  const select = el(
    "select",
    { id: typeId, class: "type-select", dataset: { loc: typeLoc, kind: "type", list, index: i } },
    types.map((t) => el("option", { value: String(t), text: t === undefined ? "(missing)" : String(t) })),
  );
  select.value = String(type);
  form.controls.set(typeLoc, select);

  const head = el(
    "div",
    { class: "row-head" },
    el("span", { class: "row-index", text: `#${number}` }),
    el("label", { for: typeId, class: "sr-only", text: `Layer ${number} type` }),
    select,
    el(
      "span",
      { class: "row-info" },
      el("span", { class: "row-shape", dataset: { role: "shape" } }),
      el("span", { class: "row-params", dataset: { role: "params" } }),
      el("span", { class: "row-name", dataset: { role: "name" } }),
    ),
    buttons,
  );

  const fields = form.schema.layerFields(type);
  const known = new Set(fields.map((f) => f.key));
  const main = el("div", { class: "row-fields" });
  const more = el("div", { class: "row-fields" });
  const blocks = [];
  for (const field of fields) {
    const fieldLoc = `${loc}.${field.key}`;
    if (field.kind === "layers") {
      blocks.push(nestedBlock(form, field, fieldLoc, layer[field.key]));
      continue;
    }
    const common = form.schema.isCommonField(type, field.key);
    if (field.key === "inputs" && field.kind === "list" && list.startsWith("layers")) {
      // In the graph style, or once set, the inputs are worth a line of their own.
      const shown = !common || layer.inputs !== undefined || form.spec?.style === "graph";
      (shown ? main : more).append(form.inputsField(field, fieldLoc, layer[field.key]));
      continue;
    }
    const header = HEADER_KEYS.includes(field.key);
    const wrap = form.control(field, fieldLoc, layer[field.key]);
    if (header) wrap.classList.add(`span-${field.key}`);
    (header || !common ? main : more).append(wrap);
  }
  for (const [key, value] of Object.entries(layer)) {
    if (key === "type" || known.has(key)) continue;
    const field = { key, title: key, kind: "json", description: "not a field of this layer type" };
    main.append(form.control(field, `${loc}.${key}`, value));
  }
  // Label and color first, then the type's own fields in schema order.
  main.prepend(...HEADER_KEYS.map((k) => main.querySelector(`:scope > .span-${k}`)).filter(Boolean));
  const details = more.childElementCount
    ? el(
        "details",
        { class: "row-more", open: form.open.has(loc), dataset: { row: loc } },
        el("summary", { text: "More: name and drawn size" }),
        more,
      )
    : "";
  li.append(head, main, ...blocks, details, slot(loc));
  return li;
}

function nestedBlock(form, field, loc, value) {
  const layers = Array.isArray(value) ? value : [];
  const list = el(
    "ol",
    {
      class: "layers nested",
      dataset: { list: loc },
      "aria-label": `${field.title} of layer ${rowNumber(loc)}`,
    },
    layerRows(form, layers, loc),
  );
  const selectId = `${idFor(loc)}-add-type`;
  const types = form.schema.layerTypes.filter((t) => t !== "input");
  const select = el(
    "select",
    { id: selectId, class: "add-type" },
    types.map((t) => el("option", { value: t, text: t })),
  );
  select.value = types.includes("conv") ? "conv" : types[0];
  return el(
    "div",
    { class: "nested-block" },
    el("div", { class: "nested-title", text: `${field.title} (${layers.length})` }),
    list,
    slot(loc),
    el(
      "div",
      { class: "add-row" },
      el("label", { for: selectId, text: "New layer in this block" }),
      select,
      el("button", {
        type: "button",
        text: "Add",
        dataset: { action: "add", list: loc, index: layers.length },
      }),
    ),
  );
}

/**
 * Show each row's inferred output, name and parameter count. A layer inside a
 * repeated block appears once per copy; a block row sums what its copies hold.
 */
export function showShapes(rows, shapes) {
  const byLoc = new Map();
  for (const info of shapes) {
    const loc = info.loc ?? `layers[${info.row ?? info.index}]`;
    if (!byLoc.has(loc)) byLoc.set(loc, []);
    byLoc.get(loc).push(info);
  }
  for (const [loc, li] of rows) {
    let entries = byLoc.get(loc);
    let copies = entries?.length ?? 0;
    if (!entries) {
      entries = shapes.filter((s) => typeof s.loc === "string" && s.loc.startsWith(`${loc}.`));
      copies = 0;
    }
    const head = li.querySelector(":scope > .row-head");
    if (!head) continue;
    const set = (role, text) => {
      const node = head.querySelector(`[data-role="${role}"]`);
      if (node && node.textContent !== text) node.textContent = text;
    };
    if (!entries.length) {
      set("shape", "");
      set("params", "");
      set("name", "");
      continue;
    }
    const shown = copies ? entries[0] : entries[entries.length - 1];
    const params = copies ? (entries[0].params ?? 0) : entries.reduce((n, s) => n + (s.params ?? 0), 0);
    set("shape", shown.output_text ?? (shown.output || []).join("×"));
    let text = params ? `${fmtInt(params)} params` : "no params";
    if (copies > 1) text += ` each, ×${copies}`;
    set("params", text);
    set("name", copies ? (entries[0].name ?? "") : "");
  }
}
