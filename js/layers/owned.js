// The base of every object that owns wasm memory: it holds WasmBuffers
// (js/runtime/binding.js), frees them on dispose() or [Symbol.dispose](),
// and throws on use afterwards.

import { BRAND, WasmBuffer } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';

export class Owned {
  /** @param {string} kind the class name, for errors */
  constructor(kind) {
    /** @private */
    this.kind = kind;
    /** @type {import('../runtime/binding.js').Runtime} @private */
    this.rt = getRuntime();
    /** @type {WasmBuffer[]} @private */
    this.buffers = [];
    /** @private */
    this.wasDisposed = false;
    Object.defineProperty(this, BRAND, { value: kind });
  }

  /**
   * A persistent buffer freed with this object.
   * @param {string} what @param {number} bytes @returns {WasmBuffer} @protected
   */
  own(what, bytes) {
    const b = new WasmBuffer(this.rt, `${this.kind}'s ${what}`, bytes);
    this.buffers.push(b);
    return b;
  }

  /**
   * Runs a constructor's allocations and packing: when a step throws (out of wasm memory), frees
   * what the steps before it allocated rather than leaving it to the garbage collector.
   * @param {() => void} steps @protected
   */
  allocating(steps) {
    try {
      steps();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Throws when disposed. @returns {import('../runtime/binding.js').Runtime} @protected */
  live() {
    if (this.wasDisposed) throw new Error(`qdq-wasm: this ${this.kind} was disposed; create a new one`);
    return this.rt;
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return this.wasDisposed;
  }

  /** Frees the wasm memory this object owns. Idempotent; later use throws an Error. */
  dispose() {
    for (const b of this.buffers) b.dispose();
    this.wasDisposed = true;
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}
