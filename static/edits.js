// Structural edits of a spec (add, duplicate, delete, move, retype a layer in
// any layer list, top level or nested) as pure functions: spec in, new spec
// out, plus where the focus should go so keyboard users keep their place.

import { getAt, parseLoc, setAt } from "./fields.js";
import { newLayer, retype } from "./schema.js";

/**
 * Apply `action` to row `index` of the layer list at `list` ('layers' or a
 * nested 'layers[5].layers'). Returns {spec, focus, remap} (remap: old row
 * index -> new, -1 when gone), {tooMany: true}, or null when nothing changes.
 */
export function restructure(schema, source, action, list, index, extra = {}, ctx = {}) {
  let spec = structuredClone(source);
  const path = parseLoc(list);
  if (!Array.isArray(getAt(spec, path))) spec = setAt(spec, path, []);
  const layers = getAt(spec, path);
  const row = (i) => `${list}[${i}]`;
  const full = list === "layers" && layers.length >= (ctx.maxLayers ?? Infinity);
  if (action === "up" || action === "down") {
    const to = action === "up" ? index - 1 : index + 1;
    if (to < 0 || to >= layers.length) return null;
    [layers[index], layers[to]] = [layers[to], layers[index]];
    const focus =
      extra.keepFocus && ctx.activeKey
        ? shiftKey(ctx.activeKey, row(index), row(to))
        : `btn:${action}:${row(to)}`;
    return { spec, focus, remap: (i) => (i === index ? to : i === to ? index : i) };
  }
  if (action === "dup") {
    if (full) return { tooMany: true };
    const copy = structuredClone(layers[index]);
    if (copy && typeof copy === "object" && copy.name) copy.name = uniqueName(copy.name, layers);
    layers.splice(index + 1, 0, copy);
    return { spec, focus: `${row(index + 1)}.type`, remap: (i) => (i > index ? i + 1 : i) };
  }
  if (action === "del") {
    if (list === "layers" && layers.length <= 1) return null;
    layers.splice(index, 1);
    const focus = layers.length ? `${row(Math.min(index, layers.length - 1))}.type` : null;
    return { spec, focus, remap: (i) => (i === index ? -1 : i > index ? i - 1 : i) };
  }
  if (action === "retype") {
    layers[index] = retype(schema, layers[index] ?? {}, extra.type, layers, index);
    return { spec, focus: `${row(index)}.type`, remap: null };
  }
  if (action === "add") {
    if (full) return { tooMany: true };
    layers.push(newLayer(schema, extra.type, layers));
    return { spec, focus: `${row(layers.length - 1)}.type`, remap: null };
  }
  return null;
}

/** Drop empty `options.<style>` sections left behind by resets. */
export function pruneOptions(spec) {
  const opts = spec?.options;
  if (!opts || typeof opts !== "object" || Array.isArray(opts)) return spec;
  for (const [key, value] of Object.entries(opts)) {
    if (value && typeof value === "object" && !Array.isArray(value) && !Object.keys(value).length) {
      delete opts[key];
    }
  }
  return spec;
}

/** True when `loc` is the row `row` or a location inside it. */
function within(loc, row) {
  return loc === row || loc.startsWith(`${row}.`) || loc.startsWith(`${row}#`);
}

/** A focus key for the same control after its row moved from one loc to another. */
export function shiftKey(key, from, to) {
  const button = key.match(/^(btn:[^:]+:)(.*)$/);
  const [prefix, loc] = button ? [button[1], button[2]] : ["", key];
  return within(loc, from) ? prefix + to + loc.slice(from.length) : key;
}

/** Row locs under `list` renumbered by `map` (old index -> new, -1 drops it). */
export function remapRows(locs, list, map) {
  const out = new Set();
  const prefix = `${list}[`;
  for (const loc of locs) {
    if (!loc.startsWith(prefix)) {
      out.add(loc);
      continue;
    }
    const close = loc.indexOf("]", prefix.length);
    const to = map(Number(loc.slice(prefix.length, close)));
    if (to >= 0) out.add(`${prefix}${to}${loc.slice(close)}`);
  }
  return out;
}

/** 'conv1' -> 'conv1_2' (or the next free suffix) for a duplicated layer. */
export function uniqueName(name, layers) {
  const names = new Set(layers.map((l) => l?.name).filter(Boolean));
  const stem = String(name).replace(/_\d+$/, "");
  for (let i = 2; ; i += 1) {
    const candidate = `${stem}_${i}`;
    if (!names.has(candidate)) return candidate;
  }
}
