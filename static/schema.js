// Reads the spec's JSON Schema (GET /api/schema) into field descriptors, so the
// form shows every layer type, field and option the server knows without the
// editor listing them: a new layer type or option appears here automatically.

/**
 * A field descriptor:
 * {key, title, description, kind, nullable, required, default, min, max,
 *  exclusiveMin, enum, maxLength, integer}
 * kind is one of: bool, enum, int, number, color, text, pair, pair-enum, object, const, json.
 */

function titleOf(key, prop) {
  const raw = prop.title || key.replace(/_/g, " ");
  const lower = raw.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

function isPairLike(variant) {
  if (variant.type === "integer") return true;
  return variant.type === "array" && variant.items && variant.items.type === "integer";
}

export class Schema {
  constructor(json) {
    this.root = json;
    this.defs = json.$defs || json.definitions || {};
  }

  resolve(node) {
    let out = node || {};
    let guard = 0;
    while (out.$ref && guard++ < 20) {
      out = this.defs[out.$ref.split("/").pop()] || {};
    }
    return out;
  }

  get styles() {
    const style = this.root.properties?.style || {};
    return style.enum || (style.const ? [style.const] : []);
  }

  get defaultStyle() {
    return this.root.properties?.style?.default || this.styles[0];
  }

  /** {type: schema} for every layer type, in the schema's order. */
  get layerDefs() {
    if (this._layerDefs) return this._layerDefs;
    const items = this.resolve(this.root.properties?.layers?.items);
    const out = new Map();
    const variants = items.oneOf || items.anyOf || [];
    for (const ref of variants) {
      const def = this.resolve(ref);
      const tag = def.properties?.type?.const ?? def.properties?.type?.default;
      if (tag) out.set(tag, def);
    }
    const mapping = items.discriminator?.mapping || {};
    for (const [tag, ref] of Object.entries(mapping)) {
      if (!out.has(tag)) out.set(tag, this.resolve({ $ref: ref }));
    }
    this._layerDefs = out;
    return out;
  }

  get layerTypes() {
    return [...this.layerDefs.keys()];
  }

  /**
   * Keys every layer type has (name, label, color, drawn-size overrides), each with
   * the schema most types give it. A type whose field differs (an input layer's
   * height is its real size, not an override) treats that field as its own.
   */
  get commonLayerKeys() {
    if (this._common) return this._common;
    const defs = [...this.layerDefs.values()];
    const keys = Object.keys(defs[0]?.properties || {}).filter(
      (key) => key !== "type" && defs.every((d) => d.properties?.[key]),
    );
    this._common = new Map();
    for (const key of keys) {
      const counts = new Map();
      for (const d of defs) {
        const json = JSON.stringify(d.properties[key]);
        counts.set(json, (counts.get(json) || 0) + 1);
      }
      const [base] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      this._common.set(key, base);
    }
    return this._common;
  }

  /** True when `key` of layer `type` is one of the shared fields, not the type's own. */
  isCommonField(type, key) {
    const base = this.commonLayerKeys.get(key);
    const prop = this.layerDefs.get(type)?.properties?.[key];
    return base !== undefined && prop !== undefined && JSON.stringify(prop) === base;
  }

  /** Field descriptors of one layer type (the type tag itself excluded). */
  layerFields(type) {
    const def = this.layerDefs.get(type);
    if (!def) return [];
    return this.fields(def).filter((f) => f.kind !== "const" && f.key !== "type");
  }

  get optionsDef() {
    return this.resolve(this.root.properties?.options);
  }

  /** Options every style shares (the non-object properties of `options`). */
  sharedOptionFields() {
    return this.fields(this.optionsDef).filter((f) => f.kind !== "object");
  }

  /** The section `options.<style>`, or [] when the style has none. */
  styleOptionFields(style) {
    const prop = this.optionsDef.properties?.[style];
    if (!prop) return [];
    return this.fields(this.resolve(prop));
  }

  fields(def) {
    const required = new Set(def.required || []);
    return Object.entries(def.properties || {}).map(([key, prop]) =>
      this.describe(key, prop, required.has(key)),
    );
  }

  describe(key, prop, required = false) {
    let node = prop;
    let nullable = false;
    let variants = null;
    if (node.anyOf || node.oneOf) {
      const all = (node.anyOf || node.oneOf).map((v) => this.resolve(v));
      nullable = all.some((v) => v.type === "null");
      const rest = all.filter((v) => v.type !== "null");
      if (rest.length === 1) node = { ...rest[0], ...pick(prop) };
      else variants = flatten(rest, this);
    } else if (node.$ref) {
      node = { ...this.resolve(node), ...pick(prop) };
    }
    const field = {
      key,
      title: titleOf(key, prop),
      description: prop.description || node.description || "",
      nullable,
      required,
      default: prop.default,
      kind: "json",
    };
    if (variants) {
      const enums = variants.filter((v) => v.enum).flatMap((v) => v.enum);
      const pairs = variants.filter((v) => !v.enum);
      if (pairs.length && pairs.every(isPairLike)) {
        field.kind = enums.length ? "pair-enum" : "pair";
        field.enum = enums;
        const ints = pairs.find((v) => v.type === "integer") || {};
        field.min = ints.minimum;
        field.max = ints.maximum;
      }
      return field;
    }
    if (node.const !== undefined) field.kind = "const";
    else if (node.type === "array") {
      const items = this.resolve(node.items);
      if (
        items.discriminator ||
        (items.oneOf && items.oneOf.every((v) => this.resolve(v).properties?.type))
      ) {
        field.kind = "layers"; // a nested block of layers (e.g. a repeated stage)
      } else if (items.type === "string") {
        field.kind = "list";
        field.maxItems = node.maxItems;
      }
    } else if (node.type === "object" || node.properties) field.kind = "object";
    else if (node.enum) {
      field.kind = "enum";
      field.enum = node.enum;
    } else if (node.type === "boolean") field.kind = "bool";
    else if (node.type === "integer" || node.type === "number") {
      field.kind = node.type === "integer" ? "int" : "number";
      field.integer = node.type === "integer";
      field.min = node.minimum;
      field.max = node.maximum;
      if (node.exclusiveMinimum !== undefined) {
        field.min = node.exclusiveMinimum;
        field.exclusiveMin = true;
      }
    } else if (node.type === "string") {
      field.kind = node.format === "color" ? "color" : "text";
      field.maxLength = node.maxLength;
      field.pattern = node.pattern;
    }
    return field;
  }
}

function pick(prop) {
  const out = {};
  for (const k of ["title", "description", "default"]) if (prop[k] !== undefined) out[k] = prop[k];
  return out;
}

/** Nested anyOf (e.g. padding: enum | (int | [int, int])) flattened into one list. */
function flatten(variants, schema) {
  return variants.flatMap((v) =>
    v.anyOf || v.oneOf
      ? flatten(
          (v.anyOf || v.oneOf).map((x) => schema.resolve(x)),
          schema,
        )
      : [v],
  );
}

/** Starting values for the required fields of a new layer: nearest layer of that type, then a hint. */
const HINTS = { filters: 16, units: 64, height: 32, width: 32, channels: 3 };

export function newLayer(schema, type, layers = [], near = layers.length) {
  const layer = { type };
  const def = schema.layerDefs.get(type);
  if (!def) return layer;
  const fields = schema.layerFields(type);
  const sameType = [...layers.slice(0, near).reverse(), ...layers.slice(near)].find(
    (l) => l && l.type === type,
  );
  for (const f of fields) {
    if (!f.required) continue;
    if (sameType && sameType[f.key] !== undefined) layer[f.key] = sameType[f.key];
    else if (HINTS[f.key] !== undefined) layer[f.key] = HINTS[f.key];
    else if (f.kind === "int" || f.kind === "number") layer[f.key] = f.min ?? 1;
    else if (f.kind === "enum") layer[f.key] = f.enum[0];
    else if (f.kind === "bool") layer[f.key] = false;
  }
  // An input layer must say its size; it is validated as a group, not per field.
  if (type === "input" && !sameType) Object.assign(layer, { height: 32, width: 32, channels: 3 });
  else if (type === "input" && sameType) {
    for (const k of ["height", "width", "channels", "units"]) {
      if (sameType[k] !== undefined) layer[k] = sameType[k];
    }
  }
  return layer;
}

/** A layer changed to another type keeps the fields that mean the same in both. */
export function retype(schema, layer, type, layers, index) {
  const from = layer.type;
  const own = (t, k) => schema.layerFields(t).some((f) => f.key === k);
  const keep = (k) =>
    own(type, k) && (schema.isCommonField(type, k) === schema.isCommonField(from, k) || !own(from, k));
  const out = { type };
  for (const [k, v] of Object.entries(layer)) if (k !== "type" && keep(k)) out[k] = v;
  const fresh = newLayer(schema, type, layers, index);
  const vector = type === "input" && out.units !== undefined;
  for (const [k, v] of Object.entries(fresh)) {
    if (out[k] !== undefined) continue;
    if (vector && ["height", "width", "channels"].includes(k)) continue;
    out[k] = v;
  }
  return out;
}
