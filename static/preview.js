// The live preview: every change is posted to /api/preview at once (no
// debounce). Each request carries a sequence number; an answer older than the
// one on screen is dropped, and requests it makes hopeless are aborted. A
// newest request unanswered after SLOW_MS is reported as slow, and one that
// takes longer than `timeoutMs` is given up on and retried like a failure, so a
// hung server never leaves the editor waiting in silence. The SVG is parsed as
// image/svg+xml, stripped of anything executable, and swapped in with one
// replaceChildren call.

import { el } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_IN_FLIGHT = 4;
const RETRY_MS = [500, 1000, 2000, 4000, 8000];
const SLOW_MS = 2000;
const TIMEOUT_MS = 20000;

export class PreviewClient {
  /**
   * hooks.result({ok, data, ms}) for every answer that is the newest on screen;
   * hooks.unreachable(message, retryInMs) when the server cannot be reached;
   * hooks.slow() when the newest request has waited SLOW_MS for its answer.
   */
  constructor(hooks, url = "/api/preview") {
    this.hooks = hooks;
    this.url = url;
    this.seq = 0;
    this.shown = 0;
    this.inFlight = new Map(); // seq -> AbortController
    this.retries = 0;
    this.timer = null;
    this.slowTimer = null;
    this.timeoutMs = TIMEOUT_MS;
    this.latest = null;
  }

  request(spec) {
    clearTimeout(this.timer);
    this.latest = spec;
    const seq = ++this.seq;
    const controller = new AbortController();
    this.inFlight.set(seq, controller);
    for (const [old, ctl] of this.inFlight) {
      if (this.inFlight.size <= MAX_IN_FLIGHT) break;
      ctl.abort();
      this.inFlight.delete(old);
    }
    const started = performance.now();
    let body;
    try {
      body = JSON.stringify(spec);
    } catch (exc) {
      this.hooks.result({ ok: false, data: { errors: [{ loc: "", msg: String(exc) }] }, ms: 0 });
      return;
    }
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    clearTimeout(this.slowTimer);
    this.slowTimer = setTimeout(() => {
      if (seq === this.seq && seq > this.shown) this.hooks.slow?.();
    }, SLOW_MS);
    fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: controller.signal,
    })
      .then(async (response) => {
        let data = null;
        try {
          data = await response.json();
        } catch {
          data = null;
        }
        return { response, data };
      })
      .then(({ response, data }) => {
        this.inFlight.delete(seq);
        if (seq <= this.shown) return;
        if (!data || typeof data !== "object" || (response.status >= 500 && !data.errors)) {
          this.fail(seq, `The server answered ${response.status} ${response.statusText}`.trim());
          return;
        }
        this.accept(seq);
        this.retries = 0;
        this.hooks.result({ ok: data.ok === true, data, ms: performance.now() - started });
      })
      .catch((exc) => {
        this.inFlight.delete(seq);
        if (timedOut && seq > this.shown) {
          this.fail(seq, "The server is not answering");
          return;
        }
        if (exc?.name === "AbortError" || seq <= this.shown) return;
        this.fail(seq, "Server unreachable");
      })
      .finally(() => clearTimeout(deadline));
  }

  /** An answer is on screen: older requests can no longer be shown, so stop them. */
  accept(seq) {
    this.shown = seq;
    if (seq === this.seq) clearTimeout(this.slowTimer);
    for (const [old, ctl] of this.inFlight) {
      if (old < seq) {
        ctl.abort();
        this.inFlight.delete(old);
      }
    }
  }

  fail(seq, message) {
    if (seq !== this.seq) return; // a newer request is on its way; let it decide
    clearTimeout(this.slowTimer); // it failed: "slow" would now be the wrong news
    const wait = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.hooks.unreachable(message, wait);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.request(this.latest), wait);
  }
}

/** Parse the server's SVG into a node of this document, with nothing executable left. */
export function importSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SVG_NS || doc.getElementsByTagName("parsererror").length) {
    throw new Error("the server sent an SVG the browser cannot read");
  }
  for (const node of [...root.querySelectorAll("script, foreignObject, iframe, embed, object")]) {
    node.remove();
  }
  for (const node of [root, ...root.querySelectorAll("*")]) {
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (
        name.startsWith("on") ||
        ((name === "href" || name.endsWith(":href")) && value.startsWith("javascript:"))
      ) {
        node.removeAttribute(attr.name);
      }
    }
  }
  return document.importNode(root, true);
}

/** The preview stage: the SVG, zoom and pan, the hover tooltip and layer highlights. */
export class Stage {
  constructor(nodes, hooks) {
    this.nodes = nodes; // {stage, canvas, tooltip, stale, empty, zoomLevel}
    this.hooks = hooks; // {layerClick(group)}
    this.svg = null;
    this.drawnNames = new Set();
    this.size = { w: 1, h: 1 };
    this.view = { k: 1, x: 0, y: 0 };
    this.fit = true;
    this.highlighted = null;
    this.drag = null;
    this.listen();
    // The stage size is cached so a redraw never forces a synchronous layout.
    const rect = nodes.stage.getBoundingClientRect();
    this.box = { width: rect.width, height: rect.height };
    new ResizeObserver(([entry]) => {
      this.box = { width: entry.contentRect.width, height: entry.contentRect.height };
      if (this.fit) this.fitView();
    }).observe(nodes.stage);
  }

  show(svgText) {
    const svg = importSvg(svgText);
    svg.classList.add("diagram");
    svg.setAttribute("aria-hidden", "false");
    svg.setAttribute("role", "img");
    for (const group of svg.querySelectorAll("g.layer")) {
      const title = group.querySelector(":scope > title");
      if (title) {
        group.dataset.tip = title.textContent;
        title.remove(); // the tooltip div shows it; avoids a second, native tooltip
      }
    }
    const w = parseFloat(svg.getAttribute("width")) || svg.viewBox.baseVal?.width || 300;
    const h = parseFloat(svg.getAttribute("height")) || svg.viewBox.baseVal?.height || 150;
    this.size = { w, h };
    this.svg = svg;
    this.drawnNames = new Set([...svg.querySelectorAll("g.layer")].map((g) => g.dataset.name));
    if (this.highlighted) this.highlight(this.highlighted);
    if (this.fit) this.fitView();
    else this.applyView();
    this.nodes.canvas.replaceChildren(svg);
    this.nodes.empty.hidden = true;
    this.setStale(false);
  }

  setStale(stale) {
    this.nodes.stage.classList.toggle("stale", stale && Boolean(this.svg));
    this.nodes.stale.hidden = !(stale && this.svg);
  }

  showEmpty(text) {
    if (this.svg) return;
    this.nodes.empty.hidden = false;
    this.nodes.empty.textContent = text;
  }

  /** Mark the drawn groups of these layer names (null clears). */
  highlight(names) {
    this.highlighted = names;
    if (!this.svg) return;
    const wanted = new Set(names || []);
    for (const g of this.svg.querySelectorAll("g.layer")) {
      const on = wanted.has(g.dataset.name);
      if (on !== g.classList.contains("highlight")) g.classList.toggle("highlight", on);
    }
  }

  // -- zoom and pan ---------------------------------------------------------

  applyView() {
    if (!this.svg) return;
    const { k, x, y } = this.view;
    this.svg.style.width = `${this.size.w * k}px`;
    this.svg.style.height = `${this.size.h * k}px`;
    this.svg.style.transform = `translate(${x}px, ${y}px)`;
    this.nodes.zoomLevel.value = `${Math.round(k * 100)}%`;
  }

  fitView() {
    this.fit = true;
    const box = this.box;
    const pad = 24;
    const k = Math.min((box.width - 2 * pad) / this.size.w, (box.height - 2 * pad) / this.size.h, 2);
    const kk = Math.max(0.05, Number.isFinite(k) && k > 0 ? k : 1);
    this.view = {
      k: kk,
      x: (box.width - this.size.w * kk) / 2,
      y: (box.height - this.size.h * kk) / 2,
    };
    this.applyView();
  }

  zoomAt(factor, cx, cy) {
    const box = this.box;
    const px = cx ?? box.width / 2;
    const py = cy ?? box.height / 2;
    const { k, x, y } = this.view;
    const nk = Math.min(20, Math.max(0.05, k * factor));
    this.view = { k: nk, x: px - ((px - x) * nk) / k, y: py - ((py - y) * nk) / k };
    this.fit = false;
    this.applyView();
  }

  actualSize() {
    this.zoomAt(1 / this.view.k, this.box.width / 2, this.box.height / 2);
  }

  panBy(dx, dy) {
    this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy };
    this.fit = false;
    this.applyView();
  }

  listen() {
    const { stage, tooltip } = this.nodes;
    stage.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const box = stage.getBoundingClientRect();
        const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
        this.zoomAt(factor, event.clientX - box.left, event.clientY - box.top);
      },
      { passive: false },
    );

    stage.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      this.drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
    });
    stage.addEventListener("pointermove", (event) => {
      if (this.drag && this.drag.id === event.pointerId) {
        const dx = event.clientX - this.drag.x;
        const dy = event.clientY - this.drag.y;
        if (!this.drag.moved && Math.hypot(dx, dy) > 3) {
          this.drag.moved = true;
          stage.setPointerCapture(event.pointerId);
          stage.classList.add("panning");
        }
        if (this.drag.moved) {
          this.drag.x = event.clientX;
          this.drag.y = event.clientY;
          this.panBy(dx, dy);
          tooltip.hidden = true;
          return;
        }
      }
      this.hover(event);
    });
    const endDrag = (event) => {
      if (!this.drag || this.drag.id !== event.pointerId) return;
      const moved = this.drag.moved;
      this.drag = null;
      stage.classList.remove("panning");
      if (!moved && event.type === "pointerup") this.click(event);
    };
    stage.addEventListener("pointerup", endDrag);
    stage.addEventListener("pointercancel", endDrag);
    stage.addEventListener("pointerleave", () => {
      tooltip.hidden = true;
    });

    stage.addEventListener("keydown", (event) => {
      if (event.target !== stage || event.ctrlKey || event.metaKey || event.altKey) return;
      const step = event.shiftKey ? 120 : 40;
      const keys = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        "+": () => this.zoomAt(1.25),
        "=": () => this.zoomAt(1.25),
        "-": () => this.zoomAt(0.8),
        0: () => this.fitView(),
        1: () => this.actualSize(),
      };
      const action = keys[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });
  }

  layerAt(event) {
    const group = event.target.closest?.("g.layer[data-layer]");
    return group && this.svg?.contains(group) ? group : null;
  }

  hover(event) {
    const { tooltip, stage } = this.nodes;
    const group = this.layerAt(event);
    if (!group) {
      tooltip.hidden = true;
      stage.classList.remove("over-layer");
      return;
    }
    stage.classList.add("over-layer");
    const text = group.dataset.tip || group.dataset.name || "";
    if (tooltip.dataset.layer !== group.dataset.layer || tooltip.dataset.text !== text) {
      tooltip.replaceChildren(
        ...tipLines(text).map((line, i) => el("div", { class: i ? "" : "tip-head", text: line })),
      );
      tooltip.dataset.layer = group.dataset.layer;
      tooltip.dataset.text = text;
    }
    tooltip.hidden = false;
    const box = stage.getBoundingClientRect();
    const tw = tooltip.offsetWidth;
    const th = tooltip.offsetHeight;
    let left = event.clientX - box.left + 14;
    let top = event.clientY - box.top + 16;
    if (left + tw > box.width - 4) left = Math.max(4, event.clientX - box.left - tw - 14);
    if (top + th > box.height - 4) top = Math.max(4, event.clientY - box.top - th - 12);
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  }

  click(event) {
    const group = this.layerAt(event);
    if (group) this.hooks.layerClick(group);
  }
}

/** 'conv1 (conv): output 28×28×6, 156 params' -> ['conv1 (conv)', 'output 28×28×6', '156 params']. */
function tipLines(text) {
  const cut = text.indexOf(": ");
  if (cut < 0) return [text];
  return [text.slice(0, cut), ...text.slice(cut + 2).split(", ")];
}
