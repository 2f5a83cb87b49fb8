// The wasm side of blockwise 4/8-bit weights (issue 11): every pointer the
// blockwise API touches is here. Callers pass checked typed arrays and get
// new typed arrays back (never views of wasm memory); PackedNBits owns its
// packed weights until dispose() or garbage collection.
//   blockwiseQuantize      -> qdq_quantize_blockwise     (src/operators/nbits.c)
//   blockwiseDequantize    -> qdq_dequantize_blockwise   (src/operators/nbits.c)
//   blockwiseErrorStats    -> qdq_blockwise_error_stats  (src/operators/nbits.c)
//   toDq, fromDq           -> qdq_nbits_to_dq, qdq_nbits_from_dq
//   PackedNBits            -> qdq_nbits_pack             (src/packing/nbits-pack.c)
//   PackedNBits.matmul     -> qdq_nbits_matmul           (src/operators/nbits-matmul.c)

import { getRuntime } from './loader.js';

const ERROR_OUT_OF_MEMORY = -3;
const ERROR_BAD_SIZE = -4;
export const FLAG_SYMMETRIC = 1;
export const FLAG_ROUND_EVEN = 2;
export const FLAG_ACCURACY_INT8 = 4;
export const FLAG_DQ_SIGNED = 8;

/** @typedef {import('./binding.js').Runtime} Runtime */

/**
 * Byte and element counts of the ORT (MatMulNBits) layout.
 * @param {number} n @param {number} k @param {number} bits @param {number} blockSize
 */
export function ortSizes(n, k, bits, blockSize) {
  const kb = Math.ceil(k / blockSize);
  return { kb, data: n * kb * blockSize * bits / 8, scales: n * kb, zeroPoints: n * (bits === 8 ? kb : Math.ceil(kb / 2)) };
}

/**
 * Runs fn on fresh wasm copies of `inputs` and zeroed buffers of `outBytes`,
 * all freed afterwards.
 * @template T
 * @param {Runtime} rt @param {(ArrayBufferView | null)[]} inputs @param {number[]} outBytes
 * @param {(ins: number[], outs: number[]) => T} fn @returns {T}
 */
function withMemory(rt, inputs, outBytes, fn) {
  /** @type {number[]} */
  const ptrs = [];
  try {
    const ins = inputs.map((a) => {
      if (a === null) return 0;
      const p = rt.alloc(a.byteLength + 16);
      ptrs.push(p);
      rt.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
      return p;
    });
    const outs = outBytes.map((b) => {
      const p = rt.alloc(b + 16);
      ptrs.push(p);
      rt.u8.fill(0, p, p + b);
      return p;
    });
    rt.refresh();
    return fn(ins, outs);
  } finally {
    for (const p of ptrs) rt.free(p);
  }
}

/** @param {number} code @param {string} what */
function check(code, what) {
  if (code === ERROR_OUT_OF_MEMORY) throw new RangeError(`qdq-wasm: ${what}: out of WebAssembly memory`);
  if (code === ERROR_BAD_SIZE) throw new RangeError(`qdq-wasm: ${what}: the sizes overflow 32-bit WebAssembly memory`);
}

/**
 * MlasQuantizeBlockwise semantics (B1-B3). Throws a RangeError naming the first non-finite weight.
 * @param {Float32Array} w [n, k] @param {number} n @param {number} k @param {number} bits @param {number} blockSize
 * @param {number} flags FLAG_SYMMETRIC | FLAG_ROUND_EVEN
 * @returns {{ data: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array | null }}
 */
export function blockwiseQuantize(w, n, k, bits, blockSize, flags) {
  const rt = getRuntime();
  const s = ortSizes(n, k, bits, blockSize);
  const symmetric = (flags & FLAG_SYMMETRIC) !== 0;
  return withMemory(rt, [w], [s.data, 4 * s.scales, s.zeroPoints], ([wp], [bp, sp, zp]) => {
    const code = rt.exports.qdq_quantize_blockwise(n, k, bits, blockSize, wp, flags, bp, sp, symmetric ? 0 : zp);
    check(code, 'quantizeBlockwise');
    if (code > 0) throw new RangeError(`qdq-wasm: weight[${code - 1}] is ${w[code - 1]}; weights must be finite`);
    rt.refresh();
    return {
      data: rt.u8.slice(bp, bp + s.data),
      scales: rt.f32.slice(sp >>> 2, (sp >>> 2) + s.scales),
      zeroPoints: symmetric ? null : rt.u8.slice(zp, zp + s.zeroPoints),
    };
  });
}

/**
 * B4: (q - zp) * scale in float32, [n, k].
 * @param {Uint8Array} data @param {Float32Array} scales @param {Uint8Array | null} zeroPoints
 * @param {number} n @param {number} k @param {number} bits @param {number} blockSize
 * @returns {Float32Array}
 */
export function blockwiseDequantize(data, scales, zeroPoints, n, k, bits, blockSize) {
  const rt = getRuntime();
  return withMemory(rt, [data, scales, zeroPoints], [4 * n * k], ([bp, sp, zp], [wp]) => {
    check(rt.exports.qdq_dequantize_blockwise(n, k, bits, blockSize, bp, sp, zp, wp), 'dequantizeBlockwise');
    rt.refresh();
    return rt.f32.slice(wp >>> 2, (wp >>> 2) + n * k);
  });
}

/**
 * Per-block sums for error statistics: [sum (w - w_hat)^2, sum w^2, max |w - w_hat|] per block.
 * @param {Float32Array} w @param {Float32Array} wHat @param {number} n @param {number} k @param {number} blockSize
 * @returns {Float64Array} 3 * n * kb
 */
export function blockwiseErrorStats(w, wHat, n, k, blockSize) {
  const rt = getRuntime();
  const kb = Math.ceil(k / blockSize);
  return withMemory(rt, [w, wHat], [24 * n * kb], ([wp, hp], [ap]) => {
    check(rt.exports.qdq_blockwise_error_stats(n, k, blockSize, wp, hp, ap), 'quantizeBlockwise');
    rt.refresh();
    return rt.f64.slice(ap >>> 3, (ap >>> 3) + 3 * n * kb);
  });
}

/**
 * The ORT layout as opset-21 blockwise DequantizeLinear inputs (B8).
 * @param {Uint8Array} data @param {Float32Array} scales @param {Uint8Array | null} zeroPoints
 * @param {number} n @param {number} k @param {number} bits @param {number} blockSize @param {boolean} signed
 * @returns {{ x: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array }}
 */
export function toDq(data, scales, zeroPoints, n, k, bits, blockSize, signed) {
  const rt = getRuntime();
  const kb = Math.ceil(k / blockSize);
  const xBytes = bits === 4 ? Math.ceil((k * n) / 2) : k * n, zBytes = bits === 4 ? Math.ceil((kb * n) / 2) : kb * n;
  return withMemory(rt, [data, scales, zeroPoints], [xBytes, 4 * kb * n, zBytes], ([bp, sp, zp], [xp, dsp, dzp]) => {
    check(rt.exports.qdq_nbits_to_dq(n, k, bits, blockSize, bp, sp, zp, signed ? FLAG_DQ_SIGNED : 0, xp, dsp, dzp), 'toDequantizeLinear');
    rt.refresh();
    return { x: rt.u8.slice(xp, xp + xBytes), scales: rt.f32.slice(dsp >>> 2, (dsp >>> 2) + kb * n), zeroPoints: rt.u8.slice(dzp, dzp + zBytes) };
  });
}

/**
 * Opset-21 blockwise DequantizeLinear inputs as the ORT layout (zero points always written).
 * @param {Uint8Array} x @param {Float32Array} scales @param {Uint8Array | null} zeroPoints
 * @param {number} n @param {number} k @param {number} bits @param {number} blockSize @param {boolean} signed
 * @returns {{ data: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array }}
 */
export function fromDq(x, scales, zeroPoints, n, k, bits, blockSize, signed) {
  const rt = getRuntime();
  const s = ortSizes(n, k, bits, blockSize);
  return withMemory(rt, [x, scales, zeroPoints], [s.data, 4 * s.scales, s.zeroPoints], ([xp, dsp, dzp], [bp, sp, zp]) => {
    check(rt.exports.qdq_nbits_from_dq(n, k, bits, blockSize, xp, dsp, dzp, signed ? FLAG_DQ_SIGNED : 0, bp, sp, zp), 'fromDequantizeLinear');
    rt.refresh();
    return { data: rt.u8.slice(bp, bp + s.data), scales: rt.f32.slice(sp >>> 2, (sp >>> 2) + s.scales), zeroPoints: rt.u8.slice(zp, zp + s.zeroPoints) };
  });
}

/** Frees packed weights of dropped PackedNBits objects. */
const registry = new FinalizationRegistry((/** @type {{ rt: Runtime, ptr: number }} */ held) => {
  if (held.ptr !== 0) held.rt.free(held.ptr);
  held.ptr = 0;
});

/** Packed MatMulNBits weights in wasm memory (qdq_nbits_pack's layout); owns them. */
export class PackedNBits {
  /**
   * @param {Uint8Array} data @param {Float32Array} scales @param {Uint8Array | null} zeroPoints
   * @param {number} n @param {number} k @param {number} bits @param {number} blockSize
   */
  constructor(data, scales, zeroPoints, n, k, bits, blockSize) {
    const rt = getRuntime();
    const bytes = rt.exports.qdq_nbits_packed_size(n, k, bits, blockSize);
    if (bytes === 0) throw new RangeError(`qdq-wasm: a ${n} x ${k} weight does not fit 32-bit WebAssembly memory`);
    /** @private */
    this.held = { rt, ptr: rt.alloc(bytes) };
    registry.register(this, this.held, this);
    this.n = n;
    this.k = k;
    this.bytes = bytes;
    withMemory(rt, [data, scales, zeroPoints], [], ([bp, sp, zp]) => {
      check(rt.exports.qdq_nbits_pack(n, k, bits, blockSize, bp, sp, zp, this.held.ptr), 'MatMulNBits.pack');
    });
  }

  /** Whether the packed weights were freed. */
  get disposed() {
    return this.held.ptr === 0;
  }

  /**
   * y [m, n] = a [m, k] W^T + bias (B6 at level 4, B7 at level 0).
   * @param {Float32Array} a @param {number} m @param {Float32Array | null} bias @param {boolean} int8 accuracy level 4
   * @param {string} what the caller, for messages
   * @returns {Float32Array}
   */
  matmul(a, m, bias, int8, what) {
    const rt = this.held.rt;
    const n = this.n, k = this.k;
    const out = new Float32Array(m * n);
    if (m === 0) return out;
    withMemory(rt, [a, bias], [4 * m * n], ([ap, biasp], [yp]) => {
      const code = rt.exports.qdq_nbits_matmul(m, n, k, ap, this.held.ptr, biasp, yp, int8 ? FLAG_ACCURACY_INT8 : 0);
      check(code, what);
      if (code > 0) throw new RangeError(`qdq-wasm: ${what}: input[${code - 1}] is ${a[code - 1]}; at accuracy level 4 activations must be finite`);
      rt.refresh();
      out.set(rt.f32.subarray(yp >>> 2, (yp >>> 2) + m * n));
    });
    return out;
  }

  /** Frees the packed weights. Idempotent. */
  dispose() {
    registry.unregister(this);
    if (this.held.ptr !== 0) this.held.rt.free(this.held.ptr);
    this.held.ptr = 0;
  }
}
