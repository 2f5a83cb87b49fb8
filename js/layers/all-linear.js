// Int8 linear algebra: ONNX MatMulInteger / QLinearMatMul, PyTorch's dynamic
// and static quantized Linear, and a float Linear for honest comparison.
//   matmulInteger, qlinearMatmul     -> qdq_qs8_gemm        (src/operators/gemm.c)
//   PackedMatrix                     -> qdq_qs8_gemm_pack   (src/packing/gemm-pack.c)
//   DynamicQuantizedLinear.forward   -> qdq_dynamic_linear  (src/operators/gemm.c)
//   QuantizedLinear.forward          -> qdq_qs8_gemm
//   Linear.forward                   -> qdq_f32_gemm
// Every call copies its inputs into wasm memory allocated for that call and
// freed before it returns, and copies results out: no view of wasm memory
// escapes, and repeated calls do not grow memory.

import { getRuntime } from '../runtime/loader.js';
import { FLOAT32_EPS } from '../ops/observers.js';
import { describe, integer, oneOf, options, outArray, scale, typedArray } from '../runtime/validate.js';

/**
 * The largest k (inner dimension) with exact int32 accumulation: 255 * 255 * k < 2^31
 * (QDQ_GEMM_MAX_K). Larger k throws a RangeError.
 * @example
 * if (inFeatures > GEMM_MAX_K) throw new Error('split the layer along k');
 */
export const GEMM_MAX_K = 33025;

const FLAG_UINT8 = 1;
const FLAG_TRANSPOSED = 4;
const FLAG_ONNX_QPARAMS = 8;
const FLAG_REDUCE_RANGE = 16;
const OUT_INT32 = 0;
const OUT_INT8 = 1;
const OUT_UINT8 = 2;
const OUT_FLOAT = 3;
const ERROR_K_TOO_LARGE = -2;
const ERROR_OUT_OF_MEMORY = -3;

/** @typedef {import('../runtime/binding.js').Runtime} Runtime */

/** @param {string} name @param {unknown} v @returns {number} */
function dim(name, v) {
  return integer(name, v, 1, 2 ** 31 - 1);
}

/** @param {unknown} k @returns {number} */
function depth(k) {
  const kk = dim('k', k);
  if (kk > GEMM_MAX_K) {
    throw new RangeError(`qdq-wasm: k must be at most ${GEMM_MAX_K} (int32 accumulation is exact only up to there), got ${kk}`);
  }
  return kk;
}

/** @param {string} name @param {unknown} v @returns {Int8Array | Uint8Array} */
function int8Data(name, v) {
  if (!(v instanceof Int8Array || v instanceof Uint8Array)) {
    throw new TypeError(`qdq-wasm: ${name} must be an Int8Array or Uint8Array, got ${describe(v)}`);
  }
  return v;
}

/** @param {string} name @param {{ length: number }} v @param {number} n @param {string} shape */
function length(name, v, n, shape) {
  if (v.length !== n) throw new RangeError(`qdq-wasm: ${name} must have ${shape} = ${n} elements, got ${v.length}`);
}

/** @param {number} code @param {string} what */
function check(code, what) {
  if (code === ERROR_K_TOO_LARGE) throw new RangeError(`qdq-wasm: ${what}: k exceeds ${GEMM_MAX_K}`);
  if (code === ERROR_OUT_OF_MEMORY) throw new RangeError(`qdq-wasm: ${what}: out of WebAssembly memory`);
}

/**
 * A zero point (scalar) or one per column, as Int32Array of length n.
 * @param {string} name @param {unknown} v @param {number} n @param {number} lo @param {number} hi
 * @returns {Int32Array}
 */
function columnZeroPoints(name, v, n, lo, hi) {
  const out = new Int32Array(n);
  if (v === undefined || typeof v === 'number') {
    out.fill(integer(name, v ?? 0, lo, hi));
    return out;
  }
  if (!(ArrayBuffer.isView(v) || Array.isArray(v))) {
    throw new TypeError(`qdq-wasm: ${name} must be a number or one integer per column, got ${describe(v)}`);
  }
  const a = /** @type {ArrayLike<unknown>} */ (v);
  if (a.length !== n && a.length !== 1) {
    throw new RangeError(`qdq-wasm: ${name} must have 1 or n = ${n} entries, got ${a.length}`);
  }
  for (let j = 0; j < n; j++) out[j] = integer(`${name}[${a.length === 1 ? 0 : j}]`, Number(a[a.length === 1 ? 0 : j]), lo, hi);
  return out;
}

/**
 * A scale (scalar) or one per column, as float32 values.
 * @param {string} name @param {unknown} v @param {number} n @returns {Float32Array}
 */
function columnScales(name, v, n) {
  if (typeof v === 'number') return new Float32Array(n).fill(scale(name, v));
  if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v))) {
    throw new TypeError(`qdq-wasm: ${name} must be a number or one scale per column, got ${describe(v)}`);
  }
  if (v.length !== n && v.length !== 1) throw new RangeError(`qdq-wasm: ${name} must have 1 or n = ${n} entries, got ${v.length}`);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = scale(`${name}[${v.length === 1 ? 0 : j}]`, v[v.length === 1 ? 0 : j]);
  return out;
}

/** @param {string} name @param {unknown} v @param {number} n @returns {Float32Array | null} */
function floatBias(name, v, n) {
  if (v === undefined || v === null) return null;
  typedArray(name, v, Float32Array);
  length(name, /** @type {Float32Array} */ (v), n, 'outFeatures');
  return /** @type {Float32Array} */ (v);
}

/** Round half to even, as nearbyint in the default rounding mode. @param {number} x */
function roundHalfEven(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Runs fn with a temporary wasm allocation, freed afterwards.
 * @template T
 * @param {Runtime} rt @param {number[]} sizes @param {(...ptrs: number[]) => T} fn @returns {T}
 */
function withBuffers(rt, sizes, fn) {
  /** @type {number[]} */
  const ptrs = [];
  try {
    for (const s of sizes) ptrs.push(rt.alloc(s + 16));
    rt.refresh();
    return fn(...ptrs);
  } finally {
    for (const p of ptrs) rt.free(p);
  }
}

/**
 * Owns wasm allocations; frees them on dispose() or, as a safety net, when
 * garbage-collected.
 */
const registry = new FinalizationRegistry((/** @type {{ rt: Runtime, ptrs: number[] }} */ held) => {
  for (const p of held.ptrs) held.rt.free(p);
  held.ptrs.length = 0;
});

class Owned {
  /** @param {string} kind */
  constructor(kind) {
    this.kind = kind;
    /** @type {{ rt: Runtime, ptrs: number[] }} */
    this.held = { rt: getRuntime(), ptrs: [] };
    /** @private */
    this.wasDisposed = false;
    registry.register(this, this.held, this);
  }

  /** @param {number} bytes @returns {number} */
  own(bytes) {
    const p = this.held.rt.alloc(bytes + 16);
    this.held.ptrs.push(p);
    return p;
  }

  /** @returns {Runtime} */
  live() {
    if (this.disposed) throw new Error(`qdq-wasm: this ${this.kind} was disposed; create a new one`);
    return this.held.rt;
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return this.wasDisposed;
  }

  /** Frees the wasm memory this object owns. Idempotent. */
  dispose() {
    registry.unregister(this);
    for (const p of this.held.ptrs) this.held.rt.free(p);
    this.held.ptrs.length = 0;
    this.wasDisposed = true;
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}

/**
 * A quantized matrix B ([k, n], as ONNX MatMul's second input) packed once
 * into the layout the int8 kernels read, with its zero points folded in.
 * Pass it to matmulInteger or qlinearMatmul instead of B to skip packing on
 * every call. Owns wasm memory: call dispose() (or use `using`).
 * @example
 * const packed = PackedMatrix.pack(b, { k: 64, n: 32, zeroPoint: 0 });
 * const y = matmulInteger(a, packed, { m: 4 });
 * packed.dispose();
 */
export class PackedMatrix extends Owned {
  /**
   * @param {Int8Array | Uint8Array} b quantized B, row-major [k, n] (or [n, k] with transposed)
   * @param {{ k: number, n: number, zeroPoint?: number | ArrayLike<number>, transposed?: boolean }} opts
   *   zeroPoint: B's zero point, scalar or one per column (default 0);
   *   transposed: b is stored [n, k], as a PyTorch Linear weight (default false)
   * @returns {PackedMatrix}
   */
  static pack(b, opts) {
    const o = options('options', opts);
    return new PackedMatrix(b, depth(o.k), dim('n', o.n), o.zeroPoint, o.transposed ?? false, null, 0);
  }

  /**
   * @param {unknown} b @param {number} k @param {number} n @param {unknown} zeroPoint
   * @param {unknown} transposed @param {Int32Array | null} bias
   * @param {number} aZeroPoint activation zero point folded in, int8 domain
   * @param {string} [zeroPointName] the zero point's argument name in errors
   * @internal use PackedMatrix.pack
   */
  constructor(b, k, n, zeroPoint, transposed, bias, aZeroPoint, zeroPointName = 'zeroPoint') {
    const data = int8Data('b', b);
    length('b', data, k * n, 'k * n');
    if (typeof transposed !== 'boolean') throw new TypeError(`qdq-wasm: transposed must be a boolean, got ${describe(transposed)}`);
    const u8 = data instanceof Uint8Array;
    const zb = columnZeroPoints(zeroPointName, zeroPoint, n, u8 ? 0 : -128, u8 ? 255 : 127);
    super('PackedMatrix');
    /** Depth (rows of B). */
    this.k = k;
    /** Columns of B. */
    this.n = n;
    /** @type {'int8' | 'uint8'} */
    this.dtype = u8 ? 'uint8' : 'int8';
    const rt = this.held.rt;
    this.ptr = this.own(rt.exports.qdq_qs8_gemm_packed_size(n, k));
    withBuffers(rt, [k * n, 4 * n, 4 * n], (bp, zp, biasp) => {
      (u8 ? rt.u8 : rt.i8).set(data, bp);
      rt.i32.set(zb, zp >>> 2);
      if (bias) rt.i32.set(bias, biasp >>> 2);
      check(rt.exports.qdq_qs8_gemm_pack(n, k, bp, (u8 ? FLAG_UINT8 : 0) | (transposed ? FLAG_TRANSPOSED : 0),
        zp, bias ? biasp : 0, aZeroPoint, this.ptr), 'PackedMatrix.pack');
    });
  }
}

/**
 * @param {unknown} b @param {Record<string, any>} o
 * @returns {{ packed: PackedMatrix, k: number, n: number, temporary: boolean }}
 */
function packedB(b, o) {
  if (b instanceof PackedMatrix) {
    b.live();
    if (o.k !== undefined && o.k !== b.k) throw new RangeError(`qdq-wasm: k is ${o.k} but the PackedMatrix has k = ${b.k}`);
    if (o.n !== undefined && o.n !== b.n) throw new RangeError(`qdq-wasm: n is ${o.n} but the PackedMatrix has n = ${b.n}`);
    if (o.bZeroPoint !== undefined) throw new TypeError('qdq-wasm: bZeroPoint belongs to PackedMatrix.pack when b is packed');
    return { packed: b, k: b.k, n: b.n, temporary: false };
  }
  const k = depth(o.k), n = dim('n', o.n);
  int8Data('b', b);
  return { packed: new PackedMatrix(b, k, n, o.bZeroPoint, false, null, 0, 'bZeroPoint'), k, n, temporary: true };
}

/**
 * Runs qdq_qs8_gemm on a (copied in) and copies the output out.
 * @param {PackedMatrix} packed @param {Int8Array | Uint8Array} a @param {number} m @param {number} aZeroPoint
 * @param {number} kind @param {Int32Array | Int8Array | Uint8Array} out @param {Float32Array | null} mult
 * @param {number} yzp @param {number} ymin @param {number} ymax
 */
function runGemm(packed, a, m, aZeroPoint, kind, out, mult, yzp, ymin, ymax) {
  const rt = packed.live();
  const { k, n } = packed;
  const ybytes = kind === OUT_INT32 ? 4 * m * n : m * n;
  withBuffers(rt, [m * k, ybytes, mult ? 4 * n : 0], (ap, yp, mp) => {
    (a instanceof Uint8Array ? rt.u8 : rt.i8).set(a, ap);
    if (mult) rt.f32.set(mult, mp >>> 2);
    const code = rt.exports.qdq_qs8_gemm(m, n, k, ap, a instanceof Uint8Array ? FLAG_UINT8 : 0, aZeroPoint,
      packed.ptr, yp, kind, mp, 0, yzp, ymin, ymax);
    check(code, 'qdq_qs8_gemm');
    rt.refresh();
    if (kind === OUT_INT32) out.set(rt.i32.subarray(yp >>> 2, (yp >>> 2) + m * n));
    else out.set((kind === OUT_UINT8 ? rt.u8 : rt.i8).subarray(yp, yp + m * n));
  });
}

/**
 * ONNX MatMulInteger: Y[i, j] = sum_l (A[i, l] - aZeroPoint) * (B[l, j] - bZeroPoint[j]),
 * exact in int32 (k <= GEMM_MAX_K).
 * @param {Int8Array | Uint8Array} a activations, row-major [m, k]
 * @param {Int8Array | Uint8Array | PackedMatrix} b weights, row-major [k, n], or packed by PackedMatrix.pack
 * @param {{ m: number, k?: number, n?: number, aZeroPoint?: number, bZeroPoint?: number | ArrayLike<number>,
 *   out?: Int32Array }} opts m, k, n: dimensions (k and n come from a PackedMatrix);
 *   aZeroPoint: scalar in a's dtype (default 0); bZeroPoint: scalar or per column (default 0; not with a PackedMatrix);
 *   out: optional Int32Array of m * n to write into
 * @returns {Int32Array} Y, row-major [m, n]
 * @example
 * const y = matmulInteger(Uint8Array.of(1, 2), Int8Array.of(3, 4), { m: 1, k: 2, n: 1, aZeroPoint: 1 });
 * // Int32Array [4]: (1 - 1) * 3 + (2 - 1) * 4
 */
export function matmulInteger(a, b, opts) {
  const o = options('options', opts);
  const m = dim('m', o.m);
  const av = int8Data('a', a);
  const { packed, k, n, temporary } = packedB(b, o);
  try {
    length('a', av, m * k, 'm * k');
    const u8 = av instanceof Uint8Array;
    const za = integer('aZeroPoint', o.aZeroPoint ?? 0, u8 ? 0 : -128, u8 ? 255 : 127);
    const out = outArray('out', o.out, Int32Array, m * n);
    runGemm(packed, av, m, za, OUT_INT32, out, null, 0, 0, 0);
    return out;
  } finally {
    if (temporary) packed.dispose();
  }
}

/**
 * ONNX QLinearMatMul: Y = clamp(roundHalfEven(float(acc) * M[j]) + yZeroPoint, qmin, qmax) with
 * acc the MatMulInteger sum and M[j] = float(float(aScale * bScale[j]) / yScale), as onnxruntime.
 * @param {Int8Array | Uint8Array} a activations, row-major [m, k]
 * @param {Int8Array | Uint8Array | PackedMatrix} b weights, row-major [k, n], or packed
 * @param {{ m: number, k?: number, n?: number, aScale: number, aZeroPoint?: number, bScale: number | ArrayLike<number>,
 *   bZeroPoint?: number | ArrayLike<number>, yScale: number, yZeroPoint?: number, yDtype?: 'int8' | 'uint8',
 *   out?: Int8Array | Uint8Array }} opts scales are float32 steps (> 0); bScale scalar or per column;
 *   zero points default to 0; yDtype defaults to a's dtype
 * @returns {Int8Array | Uint8Array} Y, row-major [m, n]
 * @example
 * const y = qlinearMatmul(Uint8Array.of(130, 126), Int8Array.of(2, 2),
 *   { m: 1, k: 2, n: 1, aScale: 0.5, aZeroPoint: 128, bScale: 1, yScale: 1, yZeroPoint: 128 });
 * // Uint8Array [128]: (2 * 2 + -2 * 2) * 0.5 = 0
 */
export function qlinearMatmul(a, b, opts) {
  const o = options('options', opts);
  const m = dim('m', o.m);
  const av = int8Data('a', a);
  const aScale = scale('aScale', o.aScale);
  const yScale = scale('yScale', o.yScale);
  const yDtype = oneOf('yDtype', o.yDtype ?? (av instanceof Uint8Array ? 'uint8' : 'int8'), /** @type {const} */ (['int8', 'uint8']));
  const { packed, k, n, temporary } = packedB(b, o);
  try {
    length('a', av, m * k, 'm * k');
    const u8 = av instanceof Uint8Array;
    const za = integer('aZeroPoint', o.aZeroPoint ?? 0, u8 ? 0 : -128, u8 ? 255 : 127);
    const bScale = columnScales('bScale', o.bScale, n);
    const [ymin, ymax] = yDtype === 'uint8' ? [0, 255] : [-128, 127];
    const yzp = integer('yZeroPoint', o.yZeroPoint ?? 0, ymin, ymax);
    const mult = new Float32Array(n);
    for (let j = 0; j < n; j++) mult[j] = Math.fround(Math.fround(aScale * bScale[j]) / yScale);
    const out = outArray('out', o.out, yDtype === 'uint8' ? Uint8Array : Int8Array, m * n);
    runGemm(packed, av, m, za, yDtype === 'uint8' ? OUT_UINT8 : OUT_INT8, out, mult, yzp, ymin, ymax);
    return out;
  } finally {
    if (temporary) packed.dispose();
  }
}

/**
 * Features and batch of a forward call.
 * @param {string} name @param {{ length: number }} x @param {number} inFeatures @param {unknown} batch
 * @returns {number}
 */
function batchOf(name, x, inFeatures, batch) {
  if (batch === undefined) {
    if (x.length % inFeatures !== 0) {
      throw new RangeError(`qdq-wasm: ${name}.length (${x.length}) is not a multiple of inFeatures (${inFeatures})`);
    }
    return x.length / inFeatures;
  }
  const b = integer('batch', batch, 0, 2 ** 31 - 1);
  length(name, x, b * inFeatures, 'batch * inFeatures');
  return b;
}

/**
 * Symmetric int8 weight quantization of a [outFeatures, inFeatures] weight, per output
 * channel or per tensor, as torch's (PerChannel)MinMaxObserver with qint8 and
 * per_channel_symmetric / per_tensor_symmetric, then torch.quantize_per_channel.
 * @param {Runtime} rt @param {Float32Array} w @param {number} n @param {number} k @param {boolean} perChannel
 * @returns {{ q: Int8Array, scales: Float32Array }}
 */
function quantizeWeight(rt, w, n, k, perChannel) {
  const c = perChannel ? n : 1;
  const mins = new Float32Array(c).fill(Infinity), maxs = new Float32Array(c).fill(-Infinity);
  for (let j = 0; j < n; j++) {
    const ch = perChannel ? j : 0;
    for (let l = 0; l < k; l++) {
      const v = w[j * k + l];
      if (!Number.isFinite(v)) throw new RangeError(`qdq-wasm: weight[${j * k + l}] is ${v}; weights must be finite`);
      if (v < mins[ch]) mins[ch] = v;
      if (v > maxs[ch]) maxs[ch] = v;
    }
  }
  return withBuffers(rt, [16 * c, 4 * n * k, n * k], (p, xp, qp) => {
    rt.f32.set(mins, p >>> 2);
    rt.f32.set(maxs, (p >>> 2) + c);
    // Flags 1: QDQ_QPARAMS_SYMMETRIC (src/qdq.h); no unclamped zero points wanted (NULL).
    rt.exports.qdq_calculate_qparams(c, p, p + 4 * c, -128, 127, 1, FLOAT32_EPS, p + 8 * c, p + 12 * c, 0);
    rt.f32.set(w, xp >>> 2);
    // FLAG_PYTORCH (2): x * (1 / scale), as torch.quantize_per_channel.
    rt.exports.qdq_quantize(xp, qp, n * k, 0, c, perChannel ? k : n * k, p + 8 * c, p + 12 * c, -128, 127, 2);
    rt.refresh();
    const scales = rt.f32.slice((p >>> 2) + 2 * c, (p >>> 2) + 3 * c);
    return {
      q: rt.i8.slice(qp, qp + n * k),
      scales: perChannel ? scales : new Float32Array(n).fill(scales[0]),
    };
  });
}

/**
 * @typedef {object} LinearWeights checked int8 weights of a quantized Linear
 * @property {Int8Array} q row-major [outFeatures, inFeatures], zero point 0
 * @property {Float32Array} scales one per output channel
 * @property {Float32Array | null} bias
 * @property {number} inFeatures
 * @property {number} outFeatures
 */

/**
 * The factories' fromFloat half: checks float weights and bias, then
 * quantizes the weights (symmetric int8, per output channel unless
 * o.perChannel is false).
 * @param {unknown} weight @param {unknown} bias @param {Record<string, any>} o
 * @returns {LinearWeights}
 */
function weightsFromFloat(weight, bias, o) {
  const { inFeatures, outFeatures } = features(o);
  typedArray('weight', weight, Float32Array);
  length('weight', weight, inFeatures * outFeatures, 'outFeatures * inFeatures');
  const perChannel = o.perChannel ?? true;
  if (typeof perChannel !== 'boolean') throw new TypeError(`qdq-wasm: perChannel must be a boolean, got ${describe(perChannel)}`);
  const bf = floatBias('bias', bias, outFeatures);
  const { q, scales } = quantizeWeight(getRuntime(), /** @type {Float32Array} */ (weight), outFeatures, inFeatures, perChannel);
  return { q, scales, bias: bf, inFeatures, outFeatures };
}

/**
 * The factories' fromQuantized half: checks int8 weights, their scales and the bias.
 * @param {Record<string, any>} o
 * @returns {LinearWeights}
 */
function weightsFromQuantized(o) {
  const { inFeatures, outFeatures } = features(o);
  typedArray('weight', o.weight, Int8Array);
  length('weight', o.weight, inFeatures * outFeatures, 'outFeatures * inFeatures');
  const scales = columnScales('weightScales', o.weightScales, outFeatures);
  return { q: o.weight, scales, bias: floatBias('bias', o.bias, outFeatures), inFeatures, outFeatures };
}

/**
 * @param {Record<string, any>} o
 * @returns {{ inFeatures: number, outFeatures: number }}
 */
function features(o) {
  const inFeatures = depth(o.inFeatures);
  return { inFeatures, outFeatures: dim('outFeatures', o.outFeatures) };
}

/**
 * Dynamically quantized Linear, as torch.ao.nn.quantized.dynamic.Linear (QNNPACK engine), or
 * onnxruntime's DynamicQuantizeMatMul with compat 'onnx'. Weights are int8, quantized once;
 * each forward() quantizes the float activations per tensor to uint8 from their min and max,
 * runs the int8 GEMM, and returns float(acc) * float(inputScale * weightScale[j]) + bias[j].
 * Owns wasm memory: call dispose() (or use `using`).
 * @example
 * const layer = DynamicQuantizedLinear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x); // Float32Array [batch * 768]
 * layer.dispose();
 */
export class DynamicQuantizedLinear extends Owned {
  /**
   * Quantizes float weights (symmetric int8, per output channel by default) and packs them.
   * @param {Float32Array} weight row-major [outFeatures, inFeatures], as torch.nn.Linear.weight
   * @param {Float32Array | null | undefined} bias [outFeatures] floats, or null
   * @param {{ inFeatures: number, outFeatures: number, perChannel?: boolean, compat?: 'pytorch' | 'onnx',
   *   reduceRange?: boolean }} opts perChannel: one weight scale per output channel (default true);
   *   compat: how activations are quantized, 'pytorch' (ChooseQuantizationParams, x * (1 / scale);
   *   default) or 'onnx' (DynamicQuantizeLinear, x / scale); reduceRange: 7-bit activations [0, 127]
   *   (default false), which the relaxed-SIMD build runs on its fastest kernel
   * @returns {DynamicQuantizedLinear}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts);
    const w = weightsFromFloat(weight, bias, o);
    return new DynamicQuantizedLinear(w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o);
  }

  /**
   * Wraps weights that are already quantized (int8, zero point 0), e.g. from a PyTorch checkpoint.
   * @param {{ weight: Int8Array, weightScales: number | ArrayLike<number>, bias?: Float32Array | null,
   *   inFeatures: number, outFeatures: number, compat?: 'pytorch' | 'onnx', reduceRange?: boolean }} opts
   *   weight: row-major [outFeatures, inFeatures]; weightScales: one, or one per output channel
   * @returns {DynamicQuantizedLinear}
   */
  static fromQuantized(opts) {
    const o = options('options', opts);
    const w = weightsFromQuantized(o);
    return new DynamicQuantizedLinear(w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o);
  }

  /**
   * @param {Int8Array} q @param {Float32Array} scales @param {Float32Array | null} bias
   * @param {number} inFeatures @param {number} outFeatures @param {Record<string, any>} o
   * @internal use fromFloat or fromQuantized
   */
  constructor(q, scales, bias, inFeatures, outFeatures, o) {
    const compat = oneOf('compat', o.compat ?? 'pytorch', /** @type {const} */ (['pytorch', 'onnx']));
    const reduceRange = o.reduceRange ?? false;
    if (typeof reduceRange !== 'boolean') throw new TypeError(`qdq-wasm: reduceRange must be a boolean, got ${describe(reduceRange)}`);
    super('DynamicQuantizedLinear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.compat = compat;
    this.reduceRange = reduceRange;
    this.flags = (compat === 'onnx' ? FLAG_ONNX_QPARAMS : 0) | (reduceRange ? FLAG_REDUCE_RANGE : 0);
    /** The int8 weights, row-major [outFeatures, inFeatures] (a copy). */
    this.weight = Int8Array.from(q);
    /** The weight scales, one per output channel. */
    this.weightScales = Float32Array.from(scales);
    /** The input qparams of the last forward() call. @type {{ scale: number, zeroPoint: number } | null} */
    this.lastInputQParams = null;
    const rt = this.held.rt;
    this.packed = new PackedMatrix(q, inFeatures, outFeatures, 0, true, null, 0);
    this.scalesPtr = this.own(4 * outFeatures);
    this.biasPtr = bias ? this.own(4 * outFeatures) : 0;
    rt.refresh();
    rt.f32.set(scales, this.scalesPtr >>> 2);
    if (bias) rt.f32.set(bias, this.biasPtr >>> 2);
  }

  /**
   * y = x W^T + b with x quantized on the fly.
   * @param {Float32Array} x row-major [batch, inFeatures], finite
   * @param {number} [batch] rows of x (default x.length / inFeatures)
   * @returns {Float32Array} row-major [batch, outFeatures]
   */
  forward(x, batch) {
    const rt = this.live();
    typedArray('x', x, Float32Array);
    const m = batchOf('x', x, this.inFeatures, batch);
    const n = this.outFeatures, k = this.inFeatures;
    const out = new Float32Array(m * n);
    if (m === 0) return out;
    withBuffers(rt, [4 * m * k, 4 * m * n, 8], (xp, yp, qp) => {
      rt.f32.set(x, xp >>> 2);
      const code = rt.exports.qdq_dynamic_linear(m, n, k, xp, this.packed.ptr, this.scalesPtr, this.biasPtr, yp,
        this.flags, qp);
      check(code, 'DynamicQuantizedLinear.forward');
      if (code > 0) throw new RangeError(`qdq-wasm: x[${code - 1}] is ${x[code - 1]}; activations must be finite`);
      rt.refresh();
      out.set(rt.f32.subarray(yp >>> 2, (yp >>> 2) + m * n));
      this.lastInputQParams = { scale: rt.f32[qp >>> 2], zeroPoint: rt.f32[(qp >>> 2) + 1] };
    });
    return out;
  }

  /** Frees the packed weights. Idempotent; forward() throws afterwards. */
  dispose() {
    this.packed?.dispose();
    super.dispose();
  }
}

/**
 * Statically quantized Linear, as torch.ao.nn.quantized.Linear (QNNPACK engine): quantized
 * activations in, quantized activations out. Weights int8 symmetric (per output channel by default),
 * bias quantized to int32 with scale inputScale * weightScale[j], output
 * clamp(roundHalfEven(float(acc) * float(float(weightScale[j] * inputScale) / outputScale)) + outputZeroPoint),
 * with ReLU fused as a lower bound of outputZeroPoint. Owns wasm memory: call dispose().
 * @example
 * const layer = QuantizedLinear.fromFloat(weight, bias, { inFeatures: 4, outFeatures: 2,
 *   inputScale: 0.02, inputZeroPoint: 128, outputScale: 0.05, outputZeroPoint: 128 });
 * const yq = layer.forward(xq); // Uint8Array [batch * 2]
 */
export class QuantizedLinear extends Owned {
  /**
   * @param {Float32Array} weight row-major [outFeatures, inFeatures]
   * @param {Float32Array | null | undefined} bias [outFeatures] floats, or null
   * @param {QuantizedLinearOptions & { perChannel?: boolean }} opts perChannel: default true
   * @returns {QuantizedLinear}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts);
    const w = weightsFromFloat(weight, bias, o);
    return new QuantizedLinear(w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o);
  }

  /**
   * @param {QuantizedLinearOptions & { weight: Int8Array, weightScales: number | ArrayLike<number>,
   *   bias?: Float32Array | null }} opts weight: int8 row-major [outFeatures, inFeatures], zero point 0
   * @returns {QuantizedLinear}
   */
  static fromQuantized(opts) {
    const o = options('options', opts);
    const w = weightsFromQuantized(o);
    return new QuantizedLinear(w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o);
  }

  /**
   * @param {Int8Array} q @param {Float32Array} scales @param {Float32Array | null} bias
   * @param {number} inFeatures @param {number} outFeatures @param {Record<string, any>} o
   * @internal use fromFloat or fromQuantized
   */
  constructor(q, scales, bias, inFeatures, outFeatures, o) {
    const dt = oneOf('dtype', o.dtype ?? 'uint8', /** @type {const} */ (['int8', 'uint8']));
    const [lo, hi] = dt === 'uint8' ? [0, 255] : [-128, 127];
    const inScale = scale('inputScale', o.inputScale);
    const inZp = integer('inputZeroPoint', o.inputZeroPoint ?? 0, lo, hi);
    const outScale = scale('outputScale', o.outputScale);
    const outZp = integer('outputZeroPoint', o.outputZeroPoint ?? 0, lo, hi);
    const relu = o.relu ?? false;
    if (typeof relu !== 'boolean') throw new TypeError(`qdq-wasm: relu must be a boolean, got ${describe(relu)}`);
    super('QuantizedLinear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    /** @type {'int8' | 'uint8'} */
    this.dtype = dt;
    this.inputScale = inScale;
    this.inputZeroPoint = inZp;
    this.outputScale = outScale;
    this.outputZeroPoint = outZp;
    this.relu = relu;
    this.weight = Int8Array.from(q);
    this.weightScales = Float32Array.from(scales);
    // torch quantizes the float bias per channel to qint32 with scale weightScale * inputScale.
    /** The int32 bias folded into the packed weights. */
    this.biasInt32 = new Int32Array(outFeatures);
    const mult = new Float32Array(outFeatures);
    for (let j = 0; j < outFeatures; j++) {
      // torch scales the bias by weight_scale * input_scale in double (the
      // quantized tensor's q_scale() is a double) and rounds it to float,
      // but builds the requantization multiplier from float32 scales.
      const biasScale = Math.fround(scales[j] * /** @type {number} */ (o.inputScale));
      if (bias) {
        const v = roundHalfEven(Math.fround(bias[j] * Math.fround(1 / biasScale)));
        this.biasInt32[j] = Number.isNaN(v) ? 0 : Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), v));
      }
      mult[j] = Math.fround(Math.fround(scales[j] * inScale) / outScale);
    }
    this.ymin = relu ? Math.max(lo, outZp) : lo;
    this.ymax = hi;
    this.mult = mult;
    const za8 = dt === 'uint8' ? inZp - 128 : inZp;
    this.packed = new PackedMatrix(q, inFeatures, outFeatures, 0, true, this.biasInt32, za8);
  }

  /**
   * @param {Int8Array | Uint8Array} x quantized activations, row-major [batch, inFeatures], of the layer's dtype
   * @param {number} [batch] rows of x (default x.length / inFeatures)
   * @returns {Int8Array | Uint8Array} quantized output, row-major [batch, outFeatures]
   */
  forward(x, batch) {
    this.live();
    const xv = int8Data('x', x);
    if ((xv instanceof Uint8Array) !== (this.dtype === 'uint8')) {
      throw new TypeError(`qdq-wasm: x must be a ${this.dtype === 'uint8' ? 'Uint8Array' : 'Int8Array'} for this ${this.dtype} layer, got ${describe(x)}`);
    }
    const m = batchOf('x', xv, this.inFeatures, batch);
    const out = new (this.dtype === 'uint8' ? Uint8Array : Int8Array)(m * this.outFeatures);
    if (m === 0) return out;
    runGemm(this.packed, xv, m, this.inputZeroPoint, this.dtype === 'uint8' ? OUT_UINT8 : OUT_INT8, out, this.mult,
      this.outputZeroPoint, this.ymin, this.ymax);
    return out;
  }

  /** Frees the packed weights. Idempotent; forward() throws afterwards. */
  dispose() {
    this.packed?.dispose();
    super.dispose();
  }
}

/**
 * @typedef {object} QuantizedLinearOptions
 * @property {number} inFeatures
 * @property {number} outFeatures
 * @property {number} inputScale step of the input activations (> 0): requantization uses its float32
 *   value, the bias scale weightScale * inputScale is computed in double, as torch's q_scale()
 * @property {number} [inputZeroPoint] default 0
 * @property {number} outputScale float32 step of the output
 * @property {number} [outputZeroPoint] default 0
 * @property {'int8' | 'uint8'} [dtype] activation and output dtype (default 'uint8', as QNNPACK)
 * @property {boolean} [relu] fuse ReLU (default false)
 */

/**
 * A float32 Linear on the same wasm SIMD128 GEMM machinery: y = x W^T + b, each term
 * multiplied then added in order (no FMA). The baseline our int8 speed-ups are measured
 * against. Owns wasm memory: call dispose().
 * @example
 * const layer = Linear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x);
 */
export class Linear extends Owned {
  /**
   * @param {Float32Array} weight row-major [outFeatures, inFeatures]
   * @param {Float32Array | null | undefined} bias [outFeatures], or null
   * @param {{ inFeatures: number, outFeatures: number }} opts
   * @returns {Linear}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts);
    const inFeatures = dim('inFeatures', o.inFeatures);
    const outFeatures = dim('outFeatures', o.outFeatures);
    typedArray('weight', weight, Float32Array);
    length('weight', weight, inFeatures * outFeatures, 'outFeatures * inFeatures');
    const bf = floatBias('bias', bias, outFeatures);
    return new Linear(weight, bf, inFeatures, outFeatures);
  }

  /**
   * @param {Float32Array} weight @param {Float32Array | null} bias @param {number} inFeatures @param {number} outFeatures
   * @internal use fromFloat
   */
  constructor(weight, bias, inFeatures, outFeatures) {
    super('Linear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const rt = this.held.rt;
    this.ptr = this.own(rt.exports.qdq_f32_gemm_packed_size(outFeatures, inFeatures));
    withBuffers(rt, [4 * weight.length, 4 * outFeatures], (wp, bp) => {
      rt.f32.set(weight, wp >>> 2);
      if (bias) rt.f32.set(bias, bp >>> 2);
      rt.exports.qdq_f32_gemm_pack(outFeatures, inFeatures, wp, FLAG_TRANSPOSED, bias ? bp : 0, this.ptr);
    });
  }

  /**
   * @param {Float32Array} x row-major [batch, inFeatures]
   * @param {number} [batch] default x.length / inFeatures
   * @returns {Float32Array} row-major [batch, outFeatures]
   */
  forward(x, batch) {
    const rt = this.live();
    typedArray('x', x, Float32Array);
    const m = batchOf('x', x, this.inFeatures, batch);
    const n = this.outFeatures, k = this.inFeatures;
    const out = new Float32Array(m * n);
    if (m === 0) return out;
    withBuffers(rt, [4 * m * k, 4 * m * n], (xp, yp) => {
      rt.f32.set(x, xp >>> 2);
      rt.exports.qdq_f32_gemm(m, n, k, xp, this.ptr, yp);
      rt.refresh();
      out.set(rt.f32.subarray(yp >>> 2, (yp >>> 2) + m * n));
    });
    return out;
  }
}
