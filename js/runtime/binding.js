// A loaded qdq-wasm instance: its exports, fresh views of its memory, and
// the staging buffers every operator streams tensors through.

/** Elements of per-channel parameters kept in the permanent scratch area. */
const SCRATCH_CHANNELS = 256;
/** QDQ_EXTRA_BYTES in src/qdq.h: kernels may read this far past an input. */
const EXTRA_BYTES = 16;

export class Runtime {
  /**
   * @param {WebAssembly.Instance} instance
   * @param {string} build
   */
  constructor(instance, build) {
    /** @type {Record<string, any>} */
    this.exports = instance.exports;
    /** @type {WebAssembly.Memory} */
    this.memory = this.exports.memory;
    this.build = build;
    /** Elements per chunk; tensors stream through buffers of this size. */
    this.chunk = this.exports.qdq_staging_elements();
    const n = this.chunk;
    // Allocated once and never freed: repeated calls reuse them, so memory
    // does not grow with use.
    this.xPtr = this.alloc(n * 4 + EXTRA_BYTES); // float input
    this.x2Ptr = this.alloc(n * 4 + EXTRA_BYTES); // second float input (error statistics)
    this.yPtr = this.alloc(n * 4 + EXTRA_BYTES); // float output
    this.qPtr = this.alloc(n + EXTRA_BYTES); // int8/uint8 input or output
    this.maskPtr = this.alloc(n + EXTRA_BYTES); // fake-quantize gradient mask
    this.scalesPtr = this.alloc(SCRATCH_CHANNELS * 4);
    this.zeroPointsPtr = this.alloc(SCRATCH_CHANNELS * 4);
    this.accPtr = this.alloc(SCRATCH_CHANNELS * 3 * 8);
    /** @type {ArrayBuffer | null} */
    this.viewsOf = null;
    this.refresh();
  }

  /** Re-creates the typed-array views when memory.grow detached the old ones. */
  refresh() {
    const buffer = this.memory.buffer;
    if (buffer === this.viewsOf) return;
    this.viewsOf = buffer;
    this.u8 = new Uint8Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /**
   * malloc that throws instead of returning 0.
   * @param {number} bytes
   * @returns {number}
   */
  alloc(bytes) {
    const ptr = this.exports.malloc(Math.max(bytes, 1));
    if (ptr === 0) throw new RangeError(`qdq-wasm: out of WebAssembly memory allocating ${bytes} bytes`);
    this.refresh();
    return ptr;
  }

  /** @param {number} ptr */
  free(ptr) {
    this.exports.free(ptr);
  }

  /**
   * Copies per-channel scales and zero points into wasm memory for the
   * duration of fn, using the scratch area when they fit.
   * @template T
   * @param {Float32Array} scales
   * @param {Int32Array} zeroPoints
   * @param {(scalesPtr: number, zeroPointsPtr: number) => T} fn
   * @returns {T}
   */
  withChannelParams(scales, zeroPoints, fn) {
    const c = scales.length;
    const owned = c > SCRATCH_CHANNELS;
    const sp = owned ? this.alloc(c * 4) : this.scalesPtr;
    let zp = this.zeroPointsPtr;
    try {
      if (owned) zp = this.alloc(c * 4);
      this.refresh();
      this.f32.set(scales, sp >>> 2);
      this.i32.set(zeroPoints, zp >>> 2);
      return fn(sp, zp);
    } finally {
      if (owned) {
        this.free(sp);
        if (zp !== this.zeroPointsPtr) this.free(zp);
      }
    }
  }

  /**
   * Zeroed per-channel double accumulators (3 per channel) for fn, then
   * copied out.
   * @param {number} channels
   * @param {(accPtr: number) => void} fn
   * @returns {Float64Array}
   */
  withAccumulators(channels, fn) {
    const owned = channels > SCRATCH_CHANNELS;
    const ptr = owned ? this.alloc(channels * 24) : this.accPtr;
    try {
      this.refresh();
      this.f64.fill(0, ptr >>> 3, (ptr >>> 3) + channels * 3);
      fn(ptr);
      this.refresh();
      return this.f64.slice(ptr >>> 3, (ptr >>> 3) + channels * 3);
    } finally {
      if (owned) this.free(ptr);
    }
  }
}
