// Where a spec lives outside the page: localStorage (autosave) and the URL
// fragment (#spec=<base64url of deflate-raw of the JSON>), both read defensively:
// a corrupt entry is reported to the caller and never thrown at start-up.

const KEY = "nnsketch.editor.v1";
const PREFIX = "spec=";
// A link unpacks to at most this much JSON: a deflate bomb (a few hundred kB that
// inflate to gigabytes) is refused as it streams, before it can exhaust the tab.
const MAX_SPEC_BYTES = 8_000_000;

export function saveLocal(spec) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ version: 1, saved: Date.now(), spec }));
    return true;
  } catch {
    return false; // storage full or disabled: the editor keeps working without it
  }
}

/** {spec} when a saved spec exists, {error} when it is unreadable, null when none. */
export function loadLocal() {
  let raw;
  try {
    raw = localStorage.getItem(KEY);
  } catch (exc) {
    return { error: `local storage is not available (${exc.name})` };
  }
  if (raw === null) return null;
  try {
    const data = JSON.parse(raw);
    if (!data || typeof data !== "object" || !isObject(data.spec)) {
      throw new Error("it holds no spec object");
    }
    return { spec: data.spec };
  } catch (exc) {
    return { error: `the autosaved spec is unreadable: ${exc.message}` };
  }
}

export function clearLocal() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function toBase64Url(bytes) {
  if (typeof bytes.toBase64 === "function") {
    return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
  }
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("it is not base64url text");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

async function pipe(bytes, transform, limit = Infinity) {
  const reader = new Blob([bytes]).stream().pipeThrough(transform).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`it unpacks to more than ${limit.toLocaleString("en")} bytes, too large for a spec`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The fragment text for a spec: 'spec=' + base64url(deflate-raw(JSON)). */
export async function encodeFragment(spec) {
  const json = new TextEncoder().encode(JSON.stringify(spec));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(packed);
}

/** The spec in a location hash, null when the hash holds none; throws with a reason when corrupt. */
export async function decodeFragment(hash) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!text.startsWith(PREFIX)) return null;
  const payload = text.slice(PREFIX.length);
  if (!payload) throw new Error("the link holds an empty spec");
  let json;
  try {
    const bytes = await pipe(fromBase64Url(payload), new DecompressionStream("deflate-raw"), MAX_SPEC_BYTES);
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (exc) {
    throw new Error(`the link's data is damaged (${exc.message || exc.name})`);
  }
  let spec;
  try {
    spec = JSON.parse(json);
  } catch (exc) {
    throw new Error(`the link's spec is not valid JSON (${exc.message})`);
  }
  if (!isObject(spec)) throw new Error("the link's spec is not a JSON object");
  return spec;
}
