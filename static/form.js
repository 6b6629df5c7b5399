// The form: one row per layer and the style-options panel, both built from the
// schema. The form never owns data: each edit is reported as (loc, value) to
// the editor, which updates the spec and re-renders only what must change, so
// the control being typed in is never rebuilt under the cursor.

import { el } from "./dom.js";
import { fieldControl, idFor, readControl, toHex } from "./fields.js";
import { inputsControl, withInputs } from "./inputs.js";
import { layerRows, showShapes, slot } from "./rows.js";

export class Form {
  /**
   * hooks: edit(loc, value, opts), seal(), structure(action, list, index, extra), hover(loc|null),
   * spec() (the current spec, for edits that touch more than one field)
   */
  constructor(schema, nodes, hooks) {
    this.schema = schema;
    this.nodes = nodes; // {side, layers, options, title, style, addType}
    this.hooks = hooks;
    this.controls = new Map(); // loc -> control, for errors and focus
    this.rows = new Map(); // row loc ('layers[5].layers[2]') -> <li>
    this.open = new Set(); // row locs whose "More" section is open
    this.localErrors = new Map();
    this.listen();
  }

  listen() {
    const { side, layers } = this.nodes;
    const onInput = (event) => {
      const control = event.target;
      const loc = control.dataset?.loc;
      if (!loc || !control.dataset.kind || control.dataset.kind === "type") return;
      if (control.dataset.kind === "color-picker") {
        const text = this.controls.get(loc);
        if (text) text.value = control.value;
        this.setLocalError(loc, null);
        this.hooks.edit(loc, control.value);
        return;
      }
      if (control.dataset.slider) {
        const number = this.controls.get(loc);
        if (number) number.value = control.value;
      } else if (control.type === "number") {
        const range = document.getElementById(`${control.id}-range`);
        if (range && control.value !== "") range.value = control.value;
      }
      if (control.dataset.kind === "color") {
        const picker = document.getElementById(`${control.id}-picker`);
        const hex = toHex(control.value);
        if (picker && hex) picker.value = hex;
      }
      const value = readControl(control);
      if (value && typeof value === "object" && "invalid" in value) {
        this.setLocalError(loc, value.invalid);
        return;
      }
      this.setLocalError(loc, null);
      this.hooks.edit(loc, value);
    };
    side.addEventListener("input", onInput);
    this.nodes.style.addEventListener("input", onInput);
    side.addEventListener("change", (event) => {
      const control = event.target;
      if (control.dataset?.kind === "type") {
        const { list, index } = control.dataset;
        this.hooks.structure("retype", list, Number(index), { type: control.value });
        return;
      }
      // A finished edit (blur, Enter, a picked option) ends the field's undo step.
      this.hooks.seal();
    });
    side.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button || button.disabled) return;
      const { action, list, index, loc } = button.dataset;
      if (action === "reset") {
        this.hooks.edit(loc, undefined, { structural: true });
      } else if (action === "add") {
        const select = button.parentElement.querySelector("select");
        this.hooks.structure("add", list, Number(index), { type: select?.value });
      } else {
        this.hooks.structure(action, list, Number(index));
      }
    });
    layers.addEventListener("keydown", (event) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      const row = event.target.closest("li[data-list]");
      if (!row) return;
      event.preventDefault();
      const action = event.key === "ArrowUp" ? "up" : "down";
      this.hooks.structure(action, row.dataset.list, Number(row.dataset.index), { keepFocus: true });
    });
    for (const type of ["pointerover", "focusin"]) {
      layers.addEventListener(type, (event) => {
        const row = event.target.closest?.("li[data-loc]");
        this.hooks.hover(row ? row.dataset.loc : null);
      });
    }
    layers.addEventListener("pointerleave", () => this.hooks.hover(null));
    layers.addEventListener("focusout", (event) => {
      if (!layers.contains(event.relatedTarget)) this.hooks.hover(null);
    });
    layers.addEventListener(
      "toggle",
      (event) => {
        const details = event.target;
        if (details.tagName !== "DETAILS" || !details.dataset.row) return;
        if (details.open) this.open.add(details.dataset.row);
        else this.open.delete(details.dataset.row);
      },
      true,
    );
  }

  setLocalError(loc, message) {
    if (message) this.localErrors.set(loc, message);
    else this.localErrors.delete(loc);
    const control = this.controls.get(loc);
    if (control) placeError(control, message ? [message] : [], "local");
  }

  /** Rebuild everything from the spec; `focus` (a focus key) names what to focus after. */
  render(spec, focus = null) {
    const active = document.activeElement;
    const selection = captureSelection(active);
    const key = focus ?? focusKey(active);
    this.spec = spec;
    this.controls.clear();
    this.renderDocument(spec);
    this.renderLayers(spec);
    this.renderOptions(spec);
    if (key) this.restoreFocus(key, focus ? null : selection);
  }

  renderDocument(spec) {
    const { title, style } = this.nodes;
    if (title.value !== showText(spec.title)) title.value = showText(spec.title);
    this.controls.set("title", title);
    const styles = [...this.schema.styles];
    if (spec.style !== undefined && !styles.includes(spec.style)) styles.push(spec.style);
    style.replaceChildren(...styles.map((s) => el("option", { value: String(s), text: String(s) })));
    style.value = String(spec.style ?? this.schema.defaultStyle);
    this.controls.set("style", style);
  }

  renderLayers(spec) {
    const layers = Array.isArray(spec.layers) ? spec.layers : [];
    this.rows.clear();
    this.nodes.layers.replaceChildren(...layerRows(this, layers, "layers"));
    const { addType } = this.nodes;
    if (!addType.options.length) {
      addType.replaceChildren(...this.schema.layerTypes.map((t) => el("option", { value: t, text: t })));
      addType.value = this.schema.layerTypes.includes("conv") ? "conv" : this.schema.layerTypes[0];
    }
  }

  control(field, loc, value, options) {
    const { wrap, control } = fieldControl(field, loc, value, options);
    this.controls.set(loc, control);
    wrap.append(slot(loc, true));
    return wrap;
  }

  /** The pick list of a layer's `inputs` (see inputs.js). */
  inputsField(field, loc, value) {
    const { wrap, control } = inputsControl(this, field, loc, value, { open: this.open.has(loc) });
    this.controls.set(loc, control);
    wrap.append(slot(loc, true));
    return wrap;
  }

  /** Ticked inputs -> one undoable edit of the layers (the inputs and any source name written). */
  pickInputs(loc, names, choices) {
    const current = this.hooks.spec?.() ?? this.spec;
    const { spec, named } = withInputs(current, loc, names, choices);
    this.hooks.edit("layers", spec.layers, { structural: named });
  }

  renderOptions(spec) {
    const root = this.nodes.options;
    const opts = spec.options && typeof spec.options === "object" ? spec.options : {};
    const style = spec.style ?? this.schema.defaultStyle;
    const sections = [];
    const shared = this.schema.sharedOptionFields();
    sections.push(this.optionSection("Shared by every style", "options", shared, opts));
    const own = this.schema.styleOptionFields(style);
    const styleOpts = opts[style] && typeof opts[style] === "object" ? opts[style] : {};
    if (own.length) {
      sections.push(this.optionSection(`Options of the ${style} style`, `options.${style}`, own, styleOpts));
    } else {
      sections.push(el("p", { class: "hint", text: `The ${style} style has no options of its own.` }));
    }
    root.replaceChildren(...sections, slot("options"));
  }

  optionSection(title, base, fields, values) {
    const grid = el("div", { class: "option-grid" });
    for (const field of fields) {
      const loc = `${base}.${field.key}`;
      const wrap = this.control(field, loc, values[field.key], { slider: true });
      const set = values[field.key] !== undefined;
      wrap.append(
        el("button", {
          type: "button",
          class: "reset",
          text: "↺",
          disabled: !set,
          dataset: { action: "reset", loc },
          "aria-label": `Reset ${field.title.toLowerCase()} to its default`,
          title: `Reset to the default (${field.default ?? "none"})`,
        }),
      );
      grid.append(wrap);
    }
    return el(
      "section",
      { class: "option-section", dataset: { loc: base } },
      el("h2", { text: title }),
      grid,
      base === "options" ? "" : slot(base),
    );
  }

  /** After an edit through the form, enable that option's reset button. */
  markSet(loc, isSet) {
    const control = this.controls.get(loc);
    const reset = control?.closest(".field")?.querySelector("button.reset");
    if (reset) reset.disabled = !isSet;
  }

  /** Show each row's inferred output shape, name and parameter count. */
  showShapes(shapes) {
    showShapes(this.rows, shapes);
    this.nodes.layers.classList.remove("stale");
  }

  markStale() {
    this.nodes.layers.classList.add("stale");
  }

  /**
   * Put each error beside its control (or the nearest row/section that exists).
   * Returns the errors with no place in the form, for the banner, and the
   * number of errors per tab.
   */
  showErrors(errors) {
    for (const node of document.querySelectorAll(".slot-error.has-error")) {
      node.replaceChildren();
      node.classList.remove("has-error");
    }
    for (const c of document.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
    for (const [loc, msg] of this.localErrors) {
      const control = this.controls.get(loc);
      if (control) placeError(control, [msg], "local");
    }
    const unplaced = [];
    const perTab = { layers: 0, options: 0 };
    const grouped = new Map();
    for (const err of errors) {
      let loc = String(err.loc ?? "");
      const item = loc.match(/^(.*\.inputs)\[\d+\]$/);
      if (item && this.controls.has(item[1])) loc = item[1];
      if (!grouped.has(loc)) grouped.set(loc, []);
      grouped.get(loc).push(String(err.msg ?? ""));
    }
    for (const [loc, msgs] of grouped) {
      const target = this.findTarget(loc);
      if (!target) {
        unplaced.push(...msgs.map((msg) => ({ loc, msg })));
        continue;
      }
      const { node, exact } = target;
      const shown = exact ? msgs : msgs.map((m) => `${loc}: ${m}`);
      if (node.matches(".slot-error")) fillSlot(node, shown);
      else if (!placeError(node, shown)) {
        unplaced.push(...msgs.map((msg) => ({ loc, msg })));
        continue;
      }
      const details = node.closest("details");
      if (details) details.open = true;
      if (node.closest("#panel-options")) perTab.options += msgs.length;
      else if (node.closest("#panel-layers")) perTab.layers += msgs.length;
    }
    return { unplaced, perTab };
  }

  findTarget(loc) {
    if (!loc) return null;
    if (this.controls.has(loc)) return { node: this.controls.get(loc), exact: true };
    let path = loc;
    while (path) {
      const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      if (cut <= 0) break;
      path = path.slice(0, cut);
      const slotNode = this.slotFor(path);
      if (slotNode) return { node: slotNode, exact: false };
    }
    if (loc === "layers") return { node: this.slotFor("layers"), exact: true };
    return null;
  }

  slotFor(loc) {
    for (const node of document.querySelectorAll(".slot-error[data-loc]")) {
      if (node.dataset.loc === loc && !node.classList.contains("field-slot")) return node;
    }
    return null;
  }

  restoreFocus(key, selection) {
    let target = null;
    if (key.startsWith("btn:")) {
      const [, action, row] = key.split(":");
      target = [...this.nodes.side.querySelectorAll(`button[data-action="${action}"]`)].find(
        (b) => b.dataset.row === row,
      );
      if (!target || target.disabled) target = this.controls.get(`${row}.type`) ?? null;
    } else if (key.includes("#")) {
      const [loc, part] = key.split("#");
      target = document.getElementById(`${idFor(loc)}-${part}`);
    } else {
      target = this.controls.get(key) ?? null;
    }
    if (!target) return;
    target.focus({ preventScroll: false });
    if (selection && typeof target.setSelectionRange === "function") {
      try {
        target.setSelectionRange(selection[0], selection[1]);
      } catch {
        /* number inputs have no selection */
      }
    }
  }
}

function showText(value) {
  return value === undefined || value === null ? "" : String(value);
}

function fillSlot(node, messages) {
  node.replaceChildren(...messages.map((m) => el("p", { text: m })));
  node.classList.toggle("has-error", messages.length > 0);
}

function placeError(control, messages, kind = "server") {
  const wrap = control.closest(".field") || control.parentElement;
  const slotNode = wrap?.querySelector(":scope > .field-slot");
  if (!slotNode) return false;
  const keep = kind === "local" ? [] : [...slotNode.querySelectorAll("p.local")].map((p) => p.textContent);
  const local = kind === "local" ? messages : keep;
  const server =
    kind === "local" ? [...slotNode.querySelectorAll("p:not(.local)")].map((p) => p.textContent) : messages;
  slotNode.replaceChildren(
    ...local.map((m) => el("p", { class: "local", text: m })),
    ...server.map((m) => el("p", { text: m })),
  );
  const any = slotNode.childElementCount > 0;
  slotNode.classList.toggle("has-error", any);
  if (any) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", slotNode.id);
  } else {
    control.removeAttribute("aria-invalid");
  }
  return true;
}

/** What to focus again after a re-render: a control's loc, or a row button. */
export function focusKey(node) {
  if (!node || node === document.body) return null;
  if (node.dataset?.action && node.dataset.row) return `btn:${node.dataset.action}:${node.dataset.row}`;
  if (node.dataset?.inputsFor && node.dataset.part) return `${node.dataset.inputsFor}#${node.dataset.part}`;
  if (node.dataset?.loc && node.closest?.(".side, .topbar")) {
    if (node.dataset.slider) return `${node.dataset.loc}#range`;
    if (node.dataset.kind === "color-picker") return `${node.dataset.loc}#picker`;
    return node.dataset.loc;
  }
  return null;
}

function captureSelection(node) {
  try {
    if (node && typeof node.selectionStart === "number") return [node.selectionStart, node.selectionEnd];
  } catch {
    /* not a text control */
  }
  return null;
}
