// Small DOM helpers. Text always goes in through textContent or Text nodes,
// never through innerHTML, so user strings can never become markup.

const PROPS = new Set(["value", "checked", "disabled", "hidden", "open", "selected", "readOnly"]);

/** Create an element: el("button", {class: "x", text: "Go", onclick: fn}, child...). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (PROPS.has(key)) node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

/** Element by id; throws early (at start-up) when the template lacks it. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`editor.html lacks #${id}`);
  return node;
}

/** '1234567' -> '1,234,567'. */
export function fmtInt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

/** 12345678 -> '12.3M'; small counts stay exact (same rule as the SVG captions). */
export function fmtCount(n) {
  if (!Number.isFinite(n)) return "–";
  for (const [div, suffix] of [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ]) {
    if (n >= div * 10 || (n >= div && suffix !== "k")) {
      return `${(n / div).toFixed(1).replace(/\.0$/, "")}${suffix}`;
    }
  }
  return fmtInt(n);
}

/** Line and column (1-based) of a character offset in text. */
export function lineCol(text, offset) {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** A file name stem from a title, as the server makes it: 'LeNet-5 (v2)' -> 'LeNet-5-v2'. */
export function slug(text, fallback = "diagram") {
  const ascii = String(text || "")
    .normalize("NFKD")
    .replace(/[^ -~]/g, "");
  const stem = ascii
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 80);
  return stem.replace(/[-_]+$/, "") || fallback;
}

/** Offer a Blob as a file download through a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, class: "sr-only" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
