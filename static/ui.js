// Page furniture: banners for problems with no field to sit beside, the status
// line, and the tab strip (WAI-ARIA tabs: arrow keys move, Home/End jump).

import { el } from "./dom.js";

export class Banners {
  constructor(root) {
    this.root = root;
    this.items = new Map();
  }

  /** Show (or replace) the banner `key`; `message` is a string or a list of lines. */
  show(key, message, { dismissible = true, kind = "error" } = {}) {
    const lines = Array.isArray(message) ? message : [message];
    const body =
      lines.length > 1
        ? el(
            "ul",
            {},
            lines.map((line) => el("li", { text: line })),
          )
        : el("p", { text: lines[0] });
    const banner = el("div", { class: `banner ${kind}`, dataset: { key }, role: "alert" }, body);
    if (dismissible) {
      banner.append(
        el("button", {
          type: "button",
          class: "dismiss",
          text: "×",
          "aria-label": "Dismiss this message",
          onclick: () => this.hide(key),
        }),
      );
    }
    const old = this.items.get(key);
    if (old) old.replaceWith(banner);
    else this.root.append(banner);
    this.items.set(key, banner);
  }

  hide(key) {
    this.items.get(key)?.remove();
    this.items.delete(key);
  }
}

export class Status {
  constructor(node) {
    this.node = node;
  }

  set(text, kind = "") {
    if (this.node.textContent !== text) this.node.textContent = text;
    this.node.dataset.kind = kind;
  }

  get kind() {
    return this.node.dataset.kind ?? "";
  }
}

export class Tabs {
  constructor(tabs) {
    this.tabs = tabs;
    for (const tab of tabs) {
      tab.addEventListener("click", () => this.select(tab.id));
      tab.addEventListener("keydown", (event) => this.key(event, tab));
    }
  }

  select(id, focus = false) {
    for (const tab of this.tabs) {
      const on = tab.id === id;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) tab.focus();
    }
  }

  key(event, tab) {
    const i = this.tabs.indexOf(tab);
    const n = this.tabs.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.select(this.tabs[to].id, true);
  }

  badge(id, text) {
    const badge = document.getElementById(id)?.querySelector(".badge");
    if (!badge) return;
    badge.textContent = text;
    badge.hidden = !text;
  }
}
