// Undo/redo over snapshots of the spec (JSON text). Rapid edits of one field
// coalesce into a single step, so Ctrl+Z undoes a typed word, not a letter.

const COALESCE_MS = 1500;

export class History {
  constructor(limit = 300) {
    this.limit = limit;
    this.entries = [];
    this.index = -1;
  }

  reset(snapshot) {
    this.entries = [{ snapshot, key: null, time: 0, sealed: true }];
    this.index = 0;
  }

  get current() {
    return this.entries[this.index]?.snapshot;
  }

  /**
   * Record a new state. `key` names the field being edited: consecutive edits
   * with the same key within COALESCE_MS replace the top step instead of adding one.
   * Returns false when nothing changed.
   */
  record(snapshot, key = null, now = performance.now()) {
    const top = this.entries[this.index];
    if (top && top.snapshot === snapshot) return false;
    this.entries.length = this.index + 1; // a new edit drops the redo tail
    if (top && key && top.key === key && !top.sealed && now - top.time < COALESCE_MS) {
      top.snapshot = snapshot;
      top.time = now;
      return true;
    }
    this.entries.push({ snapshot, key, time: now, sealed: !key });
    if (this.entries.length > this.limit) this.entries.shift();
    this.index = this.entries.length - 1;
    return true;
  }

  /** End coalescing of the top step (the field lost focus or a structural edit came). */
  seal() {
    const top = this.entries[this.index];
    if (top) top.sealed = true;
  }

  get canUndo() {
    return this.index > 0;
  }

  get canRedo() {
    return this.index < this.entries.length - 1;
  }

  undo() {
    if (!this.canUndo) return null;
    this.seal();
    this.index -= 1;
    this.seal();
    return this.current;
  }

  redo() {
    if (!this.canRedo) return null;
    this.index += 1;
    this.seal();
    return this.current;
  }
}
