// Files in and out: SVG/PNG/PDF through /api/render, the JSON spec from the
// page itself, and opening a spec from the file picker or a drop on the page.

import { saveBlob, slug } from "./dom.js";
import { formatSpec, parseJson } from "./jsonpane.js";

/** 'attachment; filename="lenet-5.png"' -> 'lenet-5.png' (RFC 6266, both forms). */
export function dispositionName(header) {
  if (!header) return null;
  const star = header.match(/filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = header.match(/filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/);
  const name = plain ? (plain[1] ?? plain[2]).trim() : null;
  return name ? name.replace(/[\\/]/g, "_") : null;
}

/** Fetch a rendered file; resolves to {filename} or {errors}. */
export async function downloadRendered(spec, format, { scale = 1, transparent = true } = {}) {
  const params = new URLSearchParams({ format });
  if (format === "png") params.set("scale", String(scale));
  if (format !== "svg") params.set("background", transparent ? "transparent" : "white");
  let response;
  try {
    response = await fetch(`/api/render?${params}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(spec),
    });
  } catch {
    return { errors: [{ loc: "", msg: "Server unreachable: the file was not made; try again" }] };
  }
  if (!response.ok) {
    let data = null;
    try {
      data = await response.json();
    } catch {
      /* not the JSON error shape */
    }
    const errors = data?.errors?.length
      ? data.errors
      : [{ loc: "", msg: `The server answered ${response.status} while making the ${format.toUpperCase()}` }];
    return { errors };
  }
  const blob = await response.blob();
  const filename =
    dispositionName(response.headers.get("Content-Disposition")) || `${slug(spec.title)}.${format}`;
  saveBlob(blob, filename);
  return { filename };
}

export function downloadJson(spec) {
  const filename = `${slug(spec?.title)}.json`;
  saveBlob(new Blob([formatSpec(spec)], { type: "application/json" }), filename);
  return filename;
}

/** Read a dropped or picked file: {spec} or {error} (with line and column for bad JSON). */
export async function readSpecFile(file, maxBytes) {
  if (!file) return { error: "no file was given" };
  if (maxBytes && file.size > maxBytes) {
    return {
      error: `${file.name} is ${file.size.toLocaleString("en-US")} bytes, more than the ${maxBytes.toLocaleString("en-US")} the server accepts`,
    };
  }
  let text;
  try {
    text = await file.text();
  } catch (exc) {
    return { error: `${file.name} could not be read (${exc.name})` };
  }
  const parsed = parseJson(text);
  if (parsed.error) {
    const e = parsed.error;
    return { error: `${file.name} is not valid JSON: line ${e.line}, column ${e.column}: ${e.message}` };
  }
  const spec = parsed.value;
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) {
    return { error: `${file.name} does not hold a JSON object (a spec)` };
  }
  return { spec };
}

/** Accept files dropped anywhere on the page; `overlay` shows while dragging. */
export function installDrop(overlay, onFile) {
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  window.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  window.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  });
}
