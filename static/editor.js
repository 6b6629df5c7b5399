// The editor: the spec is the document. Every edit (form, JSON pane, style,
// options, files, undo) goes through `commit`, which records history,
// autosaves, refreshes the other views and asks for a new preview at once.

import { byId, fmtCount, fmtInt } from "./dom.js";
import { getAt, parseLoc, setAt } from "./fields.js";
import { downloadJson, downloadRendered, installDrop, readSpecFile } from "./files.js";
import { focusKey, Form } from "./form.js";
import { History } from "./history.js";
import { installImport } from "./importer.js";
import { JsonPane } from "./jsonpane.js";
import { PreviewClient, Stage } from "./preview.js";
import { newLayer, Schema } from "./schema.js";
import { pruneOptions, remapRows, restructure } from "./edits.js";
import { decodeFragment, encodeFragment, loadLocal, saveLocal } from "./storage.js";
import { Banners, Status, Tabs } from "./ui.js";

const DEFAULT_EXAMPLE = "lenet5";

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

class Editor {
  constructor() {
    const data = document.body.dataset;
    this.limits = {
      maxLayers: Number(data.maxLayers) || 1000,
      maxBytes: Number(data.maxBytes) || 1_000_000,
    };
    this.banners = new Banners(byId("banners"));
    this.status = new Status(byId("status"));
    this.history = new History();
    this.spec = null;
    this.snapshot = "";
    this.linkSeq = 0;
    this.shapes = [];
    this.pending = 0;
  }

  async start() {
    this.schema = new Schema(await this.fetchSchema());
    this.tabs = new Tabs([byId("tab-layers"), byId("tab-options"), byId("tab-json")]);
    this.form = new Form(
      this.schema,
      {
        side: document.querySelector(".side"),
        layers: byId("layers"),
        options: byId("options"),
        title: byId("f-title"),
        style: byId("style"),
        addType: byId("add-type"),
      },
      {
        edit: (loc, value, opts) => this.edit(loc, value, opts),
        seal: () => this.history.seal(),
        structure: (action, list, index, extra) => this.structure(action, list, index, extra),
        hover: (loc) => this.stage.highlight(loc ? this.namesAt(loc) : null),
        spec: () => this.spec,
      },
    );
    this.json = new JsonPane(
      {
        textarea: byId("json"),
        error: byId("json-error"),
        goto: byId("json-goto"),
        revert: byId("json-revert"),
        format: byId("json-format"),
        problems: byId("json-problems"),
      },
      {
        edit: (value) => this.commit(value, { source: "json", key: "json" }),
        seal: () => this.history.seal(),
        status: (bad) => this.tabs.badge("tab-json", bad ? "!" : ""),
      },
    );
    this.stage = new Stage(
      {
        stage: byId("stage"),
        canvas: byId("canvas"),
        tooltip: byId("tooltip"),
        stale: byId("stale-note"),
        empty: byId("empty-note"),
        zoomLevel: byId("zoom-level"),
      },
      { layerClick: (group) => this.jumpToRow(group) },
    );
    this.client = new PreviewClient({
      result: (answer) => this.onPreview(answer),
      unreachable: (message, wait) => this.onUnreachable(message, wait),
      slow: () => this.onSlow(),
    });
    this.wire();
    await this.loadInitial();
  }

  async fetchSchema() {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const schema = await getJson("/api/schema");
        this.status.set("");
        return schema;
      } catch {
        const wait = Math.min(8000, 500 * 2 ** attempt);
        this.status.set(`Server unreachable, retrying in ${Math.ceil(wait / 1000)} s…`, "offline");
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  // -- loading --------------------------------------------------------------

  async loadInitial() {
    let spec = null;
    if (location.hash) {
      try {
        spec = await decodeFragment(location.hash);
        if (spec) this.status.set("Opened the diagram from the link");
      } catch (exc) {
        this.banners.show("link", `The link's diagram could not be opened: ${exc.message}. It was ignored.`);
      }
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (!spec) {
      const saved = loadLocal();
      if (saved?.error) {
        this.banners.show(
          "storage",
          `Your autosaved diagram could not be restored: ${saved.error}. It was ignored.`,
        );
      } else if (saved?.spec) spec = saved.spec;
    }
    if (!spec) spec = await this.example(DEFAULT_EXAMPLE);
    this.history.reset(JSON.stringify(spec));
    this.commit(spec, { source: "load", force: true });
  }

  async example(name) {
    if (name === "new") {
      return {
        style: this.spec?.style ?? this.schema.defaultStyle,
        title: "",
        layers: [newLayer(this.schema, "input")],
        options: {},
      };
    }
    try {
      return await getJson(`/api/examples/${encodeURIComponent(name)}`);
    } catch {
      return this.example("new");
    }
  }

  // -- the one way the spec changes -----------------------------------------

  commit(next, { source = "form", key = null, structural = false, focus = null, force = false } = {}) {
    const snapshot = JSON.stringify(next);
    if (snapshot === this.snapshot && !force) return;
    this.spec = next;
    this.snapshot = snapshot;
    if (source !== "history" && source !== "load") {
      this.history.record(snapshot, key);
      if (!key) this.history.seal();
    }
    saveLocal(next);
    if (source !== "form" || structural) this.form.render(next, focus);
    if (source !== "json") this.json.show(next, { force: source === "history" || source === "load" });
    this.client.request(next);
    this.updateHistoryButtons();
    if (this.linkShown) this.updateLink();
  }

  edit(loc, value, { structural = false } = {}) {
    const base = this.spec && typeof this.spec === "object" ? this.spec : {};
    let next = setAt(base, parseLoc(loc), value);
    next = pruneOptions(next);
    const restyle = loc === "style";
    this.commit(next, {
      source: "form",
      key: restyle || structural ? null : loc,
      structural: structural || restyle,
    });
    if (!structural) this.form.markSet(loc, getAt(next, parseLoc(loc)) !== undefined);
  }

  /** Add, duplicate, delete, move or retype the row `index` of the layer list at `list`. */
  structure(action, list, index, extra = {}) {
    const ctx = { activeKey: focusKey(document.activeElement), maxLayers: this.limits.maxLayers };
    const result = restructure(this.schema, this.spec, action, list, index, extra, ctx);
    if (!result) return;
    if (result.tooMany) {
      this.tooMany();
      return;
    }
    if (result.remap) this.form.open = remapRows(this.form.open, list, result.remap);
    this.commit(result.spec, { source: "form", structural: true, focus: result.focus });
    if (action === "add" || action === "dup") document.activeElement?.scrollIntoView?.({ block: "nearest" });
  }

  tooMany() {
    this.banners.show(
      "limit",
      `A diagram can have at most ${fmtInt(this.limits.maxLayers)} layers (max_layers).`,
    );
  }

  undo() {
    const snapshot = this.history.undo();
    if (snapshot !== null) this.restore(snapshot, "Undone");
  }

  redo() {
    const snapshot = this.history.redo();
    if (snapshot !== null) this.restore(snapshot, "Redone");
  }

  restore(snapshot, what) {
    this.commit(JSON.parse(snapshot), { source: "history", structural: true });
    this.status.set(what);
  }

  updateHistoryButtons() {
    byId("undo").disabled = !this.history.canUndo;
    byId("redo").disabled = !this.history.canRedo;
  }

  // -- preview answers ------------------------------------------------------

  onPreview({ ok, data, ms }) {
    let errors = [];
    if (ok) {
      try {
        this.shapes = Array.isArray(data.shapes) ? data.shapes : [];
        this.stage.show(data.svg);
        this.form.showShapes(this.shapes);
        this.showTotals(data);
        // Routine redraws update the timing only; the live status speaks when something changes.
        byId("timing").textContent = `Updated in ${Math.round(ms)} ms`;
        if (this.status.kind === "offline" || this.status.kind === "error") {
          this.status.set("The diagram is up to date", "ok");
        }
      } catch (exc) {
        errors = [{ loc: "", msg: exc.message }];
      }
    } else {
      errors = Array.isArray(data.errors) ? data.errors : [{ loc: "", msg: "the server rejected the spec" }];
      this.status.set("The diagram is out of date: showing the last good one", "error");
    }
    if (errors.length) {
      this.stage.setStale(true);
      this.form.markStale();
      this.stage.showEmpty("Fix the problems to see the diagram.");
    }
    this.showErrors(errors);
  }

  onUnreachable(message, wait) {
    this.stage.setStale(true);
    this.stage.showEmpty(`${message}.`);
    this.status.set(
      `${message}, retrying in ${Math.max(1, Math.round(wait / 1000))} s… Your edits are kept.`,
      "offline",
    );
  }

  onSlow() {
    this.stage.setStale(true);
    this.status.set("The server is slow to answer, waiting… Your edits are kept.", "offline");
  }

  showTotals(data) {
    const parts = [`${fmtInt(data.total_params)} parameters`];
    if (data.total_non_trainable) parts.push(`${fmtInt(data.total_non_trainable)} non-trainable`);
    if (data.total_macs) parts.push(`${fmtCount(data.total_macs)} MACs`);
    byId("totals").textContent = `Total: ${parts.join(" · ")}`;
  }

  showErrors(errors) {
    const { unplaced, perTab } = this.form.showErrors(errors);
    this.json.showProblems(errors);
    this.tabs.badge("tab-layers", perTab.layers ? String(perTab.layers) : "");
    this.tabs.badge("tab-options", perTab.options ? String(perTab.options) : "");
    if (!this.json.invalid) this.tabs.badge("tab-json", errors.length ? String(errors.length) : "");
    if (unplaced.length) {
      this.banners.show(
        "spec",
        unplaced.map((e) => (e.loc ? `${e.loc}: ${e.msg}` : e.msg)),
        { dismissible: false },
      );
    } else this.banners.hide("spec");
    byId("problems-summary").textContent = errors.length
      ? `${errors.length} problem${errors.length === 1 ? "" : "s"} (shown beside the fields)`
      : "";
  }

  /**
   * Names of the drawn groups for the row at `loc` (every copy of a repeated
   * block). A layer a style folds into its producer (a norm after a conv) has
   * no group of its own, so the producer's group stands for it.
   */
  namesAt(loc) {
    const own = this.shapes.filter((s) => {
      const at = s.loc ?? `layers[${s.row ?? s.index}]`;
      return at === loc || at.startsWith(`${loc}.`);
    });
    if (!own.length) return null;
    const drawn = this.stage.drawnNames;
    const byIndex = new Map(this.shapes.map((s) => [s.index, s]));
    const names = new Set();
    for (const start of own) {
      let info = start;
      for (let hops = 0; info && hops < 16; hops += 1) {
        if (drawn.has(info.name)) {
          names.add(info.name);
          break;
        }
        const from = Array.isArray(info.inputs) && info.inputs.length ? info.inputs[0] : info.index - 1;
        info = byIndex.get(from);
      }
    }
    return [...names];
  }

  /** A click on a drawn layer focuses its row. */
  jumpToRow(group) {
    const info = this.shapes.find((s) => s.name === group.dataset.name);
    const loc = info?.loc ?? `layers[${group.dataset.layer}]`;
    const row = this.form.rows.get(loc) ?? this.form.rows.get(`layers[${group.dataset.layer}]`);
    if (!row) return;
    this.tabs.select("tab-layers");
    row.scrollIntoView({ block: "nearest", behavior: "smooth" });
    row.querySelector(".type-select, input, select")?.focus({ preventScroll: true });
    row.classList.remove("flash");
    void row.offsetWidth; // restart the highlight animation
    row.classList.add("flash");
  }

  // -- files and links ------------------------------------------------------

  async download(format) {
    const button = byId(`dl-${format}`);
    if (format === "json") {
      const name = downloadJson(this.spec);
      this.status.set(`Saved ${name}`);
      return;
    }
    button.disabled = true;
    this.status.set(`Making the ${format.toUpperCase()}…`);
    try {
      const result = await downloadRendered(this.spec, format, {
        scale: Number(byId("png-scale").value),
        transparent: byId("transparent").checked,
      });
      if (result.errors) {
        this.banners.show(
          "download",
          result.errors.map((e) => (e.loc ? `${e.loc}: ${e.msg}` : e.msg)),
        );
        this.status.set(`The ${format.toUpperCase()} could not be made`, "error");
      } else {
        this.banners.hide("download");
        this.status.set(`Downloaded ${result.filename}`);
      }
    } finally {
      button.disabled = false;
    }
  }

  /** Run an async step; `pending` counts them so tests (and the status) know when all is done. */
  async busy(step) {
    this.pending += 1;
    try {
      await step();
    } finally {
      this.pending -= 1;
    }
  }

  openFile(file) {
    return this.busy(() => this.readFile(file));
  }

  async readFile(file) {
    const result = await readSpecFile(file, this.limits.maxBytes);
    if (result.error) {
      this.banners.show("file", result.error);
      return;
    }
    this.banners.hide("file");
    this.commit(result.spec, { source: "file" });
    this.status.set(`Opened ${file.name}`);
  }

  async updateLink() {
    const seq = ++this.linkSeq;
    const fragment = await encodeFragment(this.spec);
    if (seq !== this.linkSeq) return null;
    const url = `${location.origin}${location.pathname}#${fragment}`;
    byId("share-link").value = url;
    return url;
  }

  async copyLink() {
    this.linkShown = true;
    const url = await this.updateLink();
    const input = byId("share-link");
    try {
      await navigator.clipboard.writeText(url);
      this.status.set("Link copied: it holds the whole diagram");
    } catch {
      input.focus();
      input.select();
      this.status.set("Link ready in the box: press Ctrl+C to copy it");
    }
  }

  async openHash() {
    try {
      const spec = await decodeFragment(location.hash);
      if (!spec) return;
      this.banners.hide("link");
      this.commit(spec, { source: "link" });
      this.status.set("Opened the diagram from the link");
    } catch (exc) {
      this.banners.show("link", `The link's diagram could not be opened: ${exc.message}. It was ignored.`);
    }
    history.replaceState(null, "", location.pathname + location.search);
  }

  // -- wiring ---------------------------------------------------------------

  wire() {
    byId("undo").addEventListener("click", () => this.undo());
    byId("redo").addEventListener("click", () => this.redo());
    byId("example").addEventListener("change", (event) => {
      const name = event.target.value;
      if (!name) return;
      this.busy(async () => {
        const spec = await this.example(name);
        this.commit(spec, { source: "example" });
        this.status.set(name === "new" ? "Started a blank diagram" : `Loaded the example ${name}`);
      });
    });
    byId("add-layer").addEventListener("click", () => {
      this.structure("add", "layers", -1, { type: byId("add-type").value });
    });
    byId("zoom-in").addEventListener("click", () => this.stage.zoomAt(1.25));
    byId("zoom-out").addEventListener("click", () => this.stage.zoomAt(0.8));
    byId("zoom-fit").addEventListener("click", () => this.stage.fitView());
    byId("zoom-actual").addEventListener("click", () => this.stage.actualSize());
    for (const format of ["svg", "png", "pdf", "json"]) {
      byId(`dl-${format}`).addEventListener("click", () => this.download(format));
    }
    byId("open-file").addEventListener("change", (event) => {
      const file = event.target.files?.[0];
      if (file) this.openFile(file).finally(() => (event.target.value = ""));
    });
    installDrop(byId("drop-overlay"), (file) => this.openFile(file));
    installImport(this, byId("import-file"));
    byId("copy-link").addEventListener("click", () => this.copyLink());
    byId("share-link").addEventListener("focus", (event) => event.target.select());
    window.addEventListener("hashchange", () => this.busy(() => this.openHash()));
    document.addEventListener("keydown", (event) => this.shortcut(event), true);
  }

  shortcut(event) {
    const mod = event.ctrlKey || event.metaKey;
    if (!mod || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      this.undo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      this.redo();
    } else if (key === "s") {
      event.preventDefault();
      this.download("json");
    }
  }
}

const editor = new Editor();
window.nnsketchEditor = editor; // for the browser tests and the console
editor.start().catch((exc) => {
  editor.banners.show("start", `The editor could not start: ${exc.message}`);
  console.error(exc);
});
