// Int8 matrix products of ONNX: MatMulInteger and QLinearMatMul.
//   matmulInteger, qlinearMatmul -> qdq_qs8_gemm (src/operators/gemm.c)
//   requantization multipliers   -> qdq_requantization_multipliers (src/operators/linear-params.c)

import { FLAG_UINT8, GEMM_OUT_INT32, GEMM_OUT_INT8, GEMM_OUT_UINT8 } from '../runtime/abi.js';
import { BRAND, byteCount, call, foreign, input, output, owned } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { integer, oneOf, options, outArray, scale } from '../runtime/validate.js';
import { check, columnScales, columnZeroPoints, depth, dim, int8Data, isUint8, length } from './gemm-args.js';
import { PackedMatrix } from '../layers/packed-matrix.js';

/** %TypedArray%.prototype.fill, which a caller's `out` cannot shadow. */
const fill = /** @type {(this: ArrayBufferView, v: number) => void} */ (Object.getPrototypeOf(Int8Array.prototype).fill);

/**
 * B as a PackedMatrix, checked, or null when the product is empty (m, k or n
 * is 0: nothing to pack, and no kernel runs). k, n and bZeroPoint are
 * checked for type before they are compared with a PackedMatrix's.
 * @param {unknown} b @param {Record<string, any>} o @param {number} m
 * @returns {{ packed: PackedMatrix | null, k: number, n: number, temporary: boolean }}
 */
function packedB(b, o, m) {
  if (b instanceof PackedMatrix) {
    if (b.disposed) throw new Error('qdq-wasm: this PackedMatrix was disposed; create a new one');
    if (o.k != null && depth('k', o.k, 0) !== b.k) throw new RangeError(`qdq-wasm: k is ${o.k} but the PackedMatrix has k = ${b.k}`);
    if (o.n != null && dim('n', o.n, 0) !== b.n) throw new RangeError(`qdq-wasm: n is ${o.n} but the PackedMatrix has n = ${b.n}`);
    if (o.bZeroPoint != null) throw new TypeError('qdq-wasm: bZeroPoint belongs to PackedMatrix.pack when b is packed');
    return { packed: b, k: b.k, n: b.n, temporary: false };
  }
  if (typeof b === 'object' && b !== null && BRAND in b) {
    throw new TypeError(`qdq-wasm: b must be an Int8Array, Uint8Array or PackedMatrix, got ${foreign(b)}`);
  }
  const data = int8Data('b', b);
  const k = depth('k', o.k, 0), n = dim('n', o.n, 0);
  if (m !== 0 && k !== 0 && n !== 0) {
    return { packed: new PackedMatrix(b, k, n, o.bZeroPoint, false, null, 0, 'bZeroPoint'), k, n, temporary: true };
  }
  // An empty product: b and its zero points are checked as pack() would.
  length('b', data, k * n, 'k * n');
  const u8 = isUint8(data);
  columnZeroPoints('bZeroPoint', o.bZeroPoint, n, u8 ? 0 : -128, u8 ? 255 : 127);
  return { packed: null, k, n, temporary: false };
}

/**
 * Runs qdq_qs8_gemm on a and returns Y (int32 or requantized).
 * @param {PackedMatrix} packed @param {Int8Array | Uint8Array} a @param {number} m @param {number} aZeroPoint
 * @param {number} kind GEMM_OUT_* @param {Int32Array | Int8Array | Uint8Array} out @param {Float32Array | null} mult
 * @param {number} yzp @param {number} ymin @param {number} ymax
 */
export function runGemm(packed, a, m, aZeroPoint, kind, out, mult, yzp, ymin, ymax) {
  const { k, n } = packed;
  const Y = kind === GEMM_OUT_INT32 ? Int32Array : kind === GEMM_OUT_UINT8 ? Uint8Array : Int8Array;
  byteCount(`y (m * n = ${m} * ${n} ${Y.name.replace('Array', '').toLowerCase()})`, m * n, Y.BYTES_PER_ELEMENT);
  const specs = [input('a', a), owned('packed', packed.storage), output('y', Y, m * n, out, true)];
  if (mult) specs.push(input('mult', mult));
  const aFlags = isUint8(a) ? FLAG_UINT8 : 0;
  const r = call(packed.rt, specs, (p, c) =>
    c.qdq_qs8_gemm(m, n, k, p.a, aFlags, aZeroPoint, p.packed, p.y, kind, mult ? p.mult : 0, 0, yzp, ymin, ymax));
  check(r.status, 'qdq_qs8_gemm');
}

/**
 * Requantization multipliers float(float(aScale * bScale[j]) / yScale), computed in C.
 * @param {number} aScale @param {Float32Array} bScales @param {number} yScale @returns {Float32Array}
 */
export function requantizationMultipliers(aScale, bScales, yScale) {
  const n = bScales.length;
  return call(getRuntime(), [input('b', bScales), output('mult', Float32Array, n)], (p, c) =>
    c.qdq_requantization_multipliers(n, aScale, p.b, yScale, p.mult)).mult;
}

/**
 * ONNX MatMulInteger: Y[i, j] = sum_l (A[i, l] - aZeroPoint) * (B[l, j] - bZeroPoint[j]),
 * exact in int32 (k <= GEMM_MAX_K). m, k and n may be 0: k = 0 gives zeros (an empty sum).
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
  const o = options('options', opts, ['m', 'k', 'n', 'aZeroPoint', 'bZeroPoint', 'out']);
  const m = dim('m', o.m, 0);
  const av = int8Data('a', a);
  const { packed, k, n, temporary } = packedB(b, o, m);
  try {
    length('a', av, m * k, 'm * k');
    const u8 = isUint8(av);
    const za = integer('aZeroPoint', o.aZeroPoint ?? 0, u8 ? 0 : -128, u8 ? 255 : 127);
    byteCount(`y (m * n = ${m} * ${n} int32)`, m * n, 4);
    const out = outArray('out', o.out, Int32Array, m * n);
    if (packed === null || m === 0 || k === 0 || n === 0) fill.call(out, 0);
    else runGemm(packed, av, m, za, GEMM_OUT_INT32, out, null, 0, 0, 0);
    return out;
  } finally {
    if (temporary) packed?.dispose();
  }
}

/**
 * ONNX QLinearMatMul: Y = clamp(roundHalfEven(float(acc) * M[j]) + yZeroPoint, qmin, qmax) with
 * acc the MatMulInteger sum and M[j] = float(float(aScale * bScale[j]) / yScale), as onnxruntime.
 * m, k and n may be 0: k = 0 gives yZeroPoint everywhere (acc = 0).
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
  const o = options('options', opts,
    ['m', 'k', 'n', 'aScale', 'aZeroPoint', 'bScale', 'bZeroPoint', 'yScale', 'yZeroPoint', 'yDtype', 'out']);
  const m = dim('m', o.m, 0);
  const av = int8Data('a', a);
  const aScale = scale('aScale', o.aScale);
  const yScale = scale('yScale', o.yScale);
  const yDtype = oneOf('yDtype', o.yDtype ?? (isUint8(av) ? 'uint8' : 'int8'), /** @type {const} */ (['int8', 'uint8']));
  const { packed, k, n, temporary } = packedB(b, o, m);
  try {
    length('a', av, m * k, 'm * k');
    const u8 = isUint8(av);
    const za = integer('aZeroPoint', o.aZeroPoint ?? 0, u8 ? 0 : -128, u8 ? 255 : 127);
    const bScale = columnScales('bScale', o.bScale, n);
    const [ymin, ymax] = yDtype === 'uint8' ? [0, 255] : [-128, 127];
    const yzp = integer('yZeroPoint', o.yZeroPoint ?? 0, ymin, ymax);
    const mult = requantizationMultipliers(aScale, bScale, yScale);
    byteCount(`y (m * n = ${m} * ${n} ${yDtype})`, m * n, 1);
    const out = outArray('out', o.out, yDtype === 'uint8' ? Uint8Array : Int8Array, m * n);
    // k = 0: every sum is 0, and round(0 * M[j]) + yZeroPoint is yZeroPoint (already in range).
    if (packed === null || m === 0 || k === 0 || n === 0) fill.call(out, yzp);
    else runGemm(packed, av, m, za, yDtype === 'uint8' ? GEMM_OUT_UINT8 : GEMM_OUT_INT8, out, mult, yzp, ymin, ymax);
    return out;
  } finally {
    if (temporary) packed?.dispose();
  }
}
