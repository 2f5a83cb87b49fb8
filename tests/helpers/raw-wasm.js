// A module instance seen raw: malloc/free and fresh typed views of its
// memory. No Node built-ins, so the browser tests import it too.

/** A module instance with malloc/free and fresh typed views of its memory. */
export class RawWasm {
  /** @param {WebAssembly.Instance | { exports: Record<string, any>, memory?: WebAssembly.Memory }} instance
   *  a Runtime of a shared-memory build has its (imported) memory as `memory` */
  constructor(instance) {
    /** @type {Record<string, any>} */
    this.exports = instance.exports;
    /** @type {WebAssembly.Memory} */
    this.memory = ('memory' in instance ? instance.memory : undefined) ?? this.exports.memory;
    /** @type {ArrayBuffer | null} */
    this.viewsOf = null;
    this.refresh();
  }

  refresh() {
    const b = this.memory.buffer;
    if (b === this.viewsOf) return;
    this.viewsOf = b;
    this.u8 = new Uint8Array(b);
    this.i8 = new Int8Array(b);
    this.i16 = new Int16Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
  }

  /** @param {number} bytes */
  alloc(bytes) {
    const p = this.exports.malloc(Math.max(bytes, 1));
    if (p === 0) throw new Error(`test: malloc(${bytes}) failed`);
    this.refresh();
    return p;
  }

  /** @param {number} p */
  free(p) {
    this.exports.free(p);
  }
}
