// "Import model": a Caffe prototxt, Keras JSON/.keras or ONNX file goes to
// POST /api/import; the spec that comes back replaces the current one as a
// single undoable edit. A file the server cannot read leaves the work as it was.

import { fmtInt } from "./dom.js";

/** Upload `file`; answers {spec, warnings, format} or {errors: [{loc, msg}]}. */
export async function importModel(file, maxBytes) {
  if (file.size > maxBytes) {
    const msg = `${file.name} is ${fmtInt(file.size)} bytes, over the ${fmtInt(maxBytes)} byte limit`;
    return { errors: [{ loc: "file", msg }] };
  }
  const body = new FormData();
  body.append("file", file, file.name);
  let response;
  try {
    response = await fetch("/api/import", {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
    });
  } catch {
    return { errors: [{ loc: "", msg: "the server could not be reached; try again" }] };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok && data?.ok && data.spec && typeof data.spec === "object") {
    return {
      spec: data.spec,
      format: String(data.format ?? ""),
      warnings: Array.isArray(data.warnings) ? data.warnings.map(String) : [],
    };
  }
  const errors =
    Array.isArray(data?.errors) && data.errors.length
      ? data.errors
      : [{ loc: "", msg: `the server answered ${response.status}` }];
  return { errors };
}

const FORMATS = { caffe: "Caffe", keras: "Keras", onnx: "ONNX", nnsketch: "nnsketch" };

/** Wire the file input `input` to the editor: import, commit, report. */
export function installImport(editor, input) {
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (!file) return;
    editor
      .busy(() => importInto(editor, file))
      .finally(() => {
        input.value = "";
      });
  });
}

async function importInto(editor, file) {
  editor.status.set(`Importing ${file.name}…`);
  const result = await importModel(file, editor.limits.maxBytes);
  if (result.errors) {
    const lines = result.errors.map((e) => (e.loc && e.loc !== "file" ? `${e.loc}: ${e.msg}` : e.msg));
    editor.banners.show("import", [`${file.name} could not be imported:`, ...lines].slice(0, 12));
    editor.status.set(`${file.name} could not be imported; your diagram is unchanged`, "error");
    return;
  }
  editor.banners.hide("import");
  editor.commit(result.spec, { source: "import" });
  const format = FORMATS[result.format] ?? result.format;
  const count = result.warnings.length;
  if (count) {
    const head = `Imported ${file.name} (${format}) with ${plural(count, "warning")}:`;
    editor.banners.show("import", [head, ...result.warnings], { kind: "warning" });
  }
  editor.status.set(`Imported ${file.name} (${format})${count ? `, ${plural(count, "warning")}` : ""}`, "ok");
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
