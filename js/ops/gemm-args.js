// Argument checks of the int8 GEMM operators and Linear layers: dimensions,
// operands, per-column zero points and scales, biases, and the status codes
// the C operators return.

import { ERROR_K_TOO_LARGE, ERROR_OUT_OF_MEMORY, ERROR_SIZE_OVERFLOW, GEMM_MAX_K } from '../runtime/abi.js';
import { byteCount } from '../runtime/binding.js';
import { allFinite, describe, integer, lengthOf, numberList, options, outArray, scale, typedArray, typedArrayKind } from '../runtime/validate.js';

/**
 * @param {string} name @param {unknown} v @param {number} [min] 0 where an empty dimension is valid
 * @returns {number} a dimension in [min, 2^31 - 1] (min default 1)
 */
export function dim(name, v, min = 1) {
  return integer(name, v, min, 2 ** 31 - 1);
}

/**
 * @param {string} name @param {unknown} k @param {number} [min] 0 where an empty sum is valid
 * @returns {number} an inner dimension, at most GEMM_MAX_K
 */
export function depth(name, k, min = 1) {
  const kk = dim(name, k, min);
  if (kk > GEMM_MAX_K) {
    throw new RangeError(`qdq-wasm: ${name} must be at most ${GEMM_MAX_K} (int32 accumulation is exact only up to there), got ${kk}`);
  }
  return kk;
}

/** @param {string} name @param {unknown} v @returns {Int8Array | Uint8Array} */
export function int8Data(name, v) {
  return typedArray(name, v, Int8Array, Uint8Array);
}

/** @param {ArrayBufferView} v @returns {boolean} whether v holds uint8 */
export const isUint8 = (v) => typedArrayKind(v) === 'Uint8Array';

/** @param {string} name @param {ArrayBufferView} v a typed array @param {number} n @param {string} shape */
export function length(name, v, n, shape) {
  const got = lengthOf(v);
  if (got !== n) throw new RangeError(`qdq-wasm: ${name} must have ${shape} = ${n} elements, got ${got}`);
}

/**
 * Throws for a negative status of a GEMM operator.
 * @param {number} code @param {string} what
 */
export function check(code, what) {
  if (code === ERROR_K_TOO_LARGE) throw new RangeError(`qdq-wasm: ${what}: k exceeds ${GEMM_MAX_K}`);
  if (code === ERROR_OUT_OF_MEMORY) throw new RangeError(`qdq-wasm: ${what}: out of WebAssembly memory`);
  if (code === ERROR_SIZE_OVERFLOW) throw new RangeError(`qdq-wasm: ${what}: the sizes overflow wasm32 arithmetic; split the work`);
}

/**
 * A zero point (scalar) or one per column, as Int32Array of length n.
 * @param {string} name @param {unknown} v @param {number} n @param {number} lo @param {number} hi
 * @returns {Int32Array}
 */
export function columnZeroPoints(name, v, n, lo, hi) {
  if (v == null || typeof v === 'number') return new Int32Array(n).fill(integer(name, v ?? 0, lo, hi));
  return numberList(name, v, n, Int32Array, (nm, x) => integer(nm, x, lo, hi), { broadcast: true });
}

/**
 * A scale (scalar) or one per column, as float32 values.
 * @param {string} name @param {unknown} v @param {number} n @returns {Float32Array}
 */
export function columnScales(name, v, n) {
  if (typeof v === 'number') return new Float32Array(n).fill(scale(name, v));
  return numberList(name, v, n, Float32Array, scale, { broadcast: true });
}

/**
 * An optional float bias of n finite values.
 * @param {string} name @param {unknown} v @param {number} n @returns {Float32Array | null}
 */
export function floatBias(name, v, n) {
  if (v === undefined || v === null) return null;
  const b = typedArray(name, v, Float32Array);
  length(name, b, n, 'outFeatures');
  allFinite(name, b, 'biases');
  return b;
}

/**
 * Rows of a forward call's input. batch is optional: undefined or null (the library's
 * "not given", as Sequential.forward treats it) means x.length / inFeatures.
 * @param {string} name @param {ArrayBufferView} x a typed array @param {number} inFeatures @param {unknown} batch
 * @returns {number}
 */
export function batchOf(name, x, inFeatures, batch) {
  if (batch == null) {
    const n = lengthOf(x);
    if (n % inFeatures !== 0) {
      throw new RangeError(`qdq-wasm: ${name}.length (${n}) is not a multiple of inFeatures (${inFeatures})`);
    }
    return n / inFeatures;
  }
  const b = integer('batch', batch, 0, 2 ** 31 - 1);
  length(name, x, b * inFeatures, 'batch * inFeatures');
  return b;
}

/**
 * The `out` option of a layer's forward(): the caller's array of `length`
 * elements of Type to write the result into, or undefined (a new array).
 * @template {Float32Array | Int8Array | Uint8Array} T
 * @param {unknown} opts forward()'s third argument
 * @param {new (n: number) => T} Type @param {number} length
 * @returns {T | undefined}
 */
export function forwardOut(opts, Type, length) {
  if (opts === undefined) return undefined;
  const o = options('forward options', opts, ['out']);
  return o.out === undefined ? undefined : /** @type {T} */ (outArray('out', o.out, Type, length));
}

/**
 * The float input of a Linear's forward(): x checked, its rows counted, and
 * the output's size checked before anything is allocated.
 * @param {unknown} x @param {number} inFeatures @param {number} outFeatures @param {unknown} batch
 * @returns {{ xv: Float32Array, m: number }}
 */
export function floatRows(x, inFeatures, outFeatures, batch) {
  const xv = typedArray('x', x, Float32Array);
  const m = batchOf('x', xv, inFeatures, batch);
  byteCount(`y (batch * outFeatures = ${m} * ${outFeatures} float32)`, m * outFeatures, 4);
  return { xv, m };
}

export { describe };
