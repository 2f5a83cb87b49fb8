// Shapes, axes, dtypes and clamp ranges: how a flat typed array is viewed as
// [outer, channels, inner] by the C operators, and which integers it may hold.

import { FLAG_PYTORCH, FLAG_UINT8, QUANT_RANGE_LIMIT } from '../runtime/abi.js';
import { describe, integer, oneOf } from '../runtime/validate.js';

export const DTYPE_NAMES = /** @type {const} */ (['int8', 'uint8']);

/** @type {Record<'int8' | 'uint8', { min: number, max: number, Array: Int8ArrayConstructor | Uint8ArrayConstructor, flag: number }>} */
export const DTYPES = {
  int8: { min: -128, max: 127, Array: Int8Array, flag: 0 },
  uint8: { min: 0, max: 255, Array: Uint8Array, flag: FLAG_UINT8 },
};

/** @param {string} name @param {unknown} v @returns {'int8' | 'uint8'} */
export function dtype(name, v) {
  return oneOf(name, v ?? 'int8', DTYPE_NAMES);
}

/** @param {string} name @param {unknown} v @returns {number} the FLAG_PYTORCH bit or 0 */
export function compatFlag(name, v) {
  return oneOf(name, v ?? 'onnx', /** @type {const} */ (['onnx', 'pytorch'])) === 'pytorch' ? FLAG_PYTORCH : 0;
}

/**
 * @param {number} lo @param {number} hi @param {unknown} quantMin @param {unknown} quantMax
 * @returns {{ qmin: number, qmax: number }}
 */
function range(lo, hi, quantMin, quantMax) {
  const qmin = quantMin == null ? Math.max(lo, -128) : integer('quantMin', quantMin, lo, hi);
  const qmax = quantMax == null ? Math.min(hi, lo < 0 ? 127 : 255) : integer('quantMax', quantMax, lo, hi);
  if (qmin > qmax) throw new RangeError(`qdq-wasm: quantMin (${qmin}) must not exceed quantMax (${qmax})`);
  return { qmin, qmax };
}

/**
 * The dtype and clamp range of a quantize call. With a dtype, quantMin and
 * quantMax narrow its range and must fit in it. Without one, the range
 * chooses the dtype as PyTorch's (quant_min, quant_max) pairs do: int8 when
 * it fits in [-128, 127], else uint8 when it fits in [0, 255] (0..255 is
 * quint8); no range means int8.
 * @param {unknown} dt @param {unknown} quantMin @param {unknown} quantMax
 * @returns {{ dtype: 'int8' | 'uint8', qmin: number, qmax: number }}
 */
export function quantizeRange(dt, quantMin, quantMax) {
  if (dt != null || (quantMin == null && quantMax == null)) {
    const d = dtype('dtype', dt);
    return { dtype: d, ...range(DTYPES[d].min, DTYPES[d].max, quantMin, quantMax) };
  }
  const { qmin, qmax } = range(-128, 255, quantMin, quantMax);
  if (qmin >= -128 && qmax <= 127) return { dtype: 'int8', qmin, qmax };
  if (qmin >= 0) return { dtype: 'uint8', qmin, qmax };
  throw new RangeError(`qdq-wasm: [quantMin, quantMax] = [${qmin}, ${qmax}] fits neither int8 nor uint8, ` +
    'the codes quantize can store; fakeQuantize* takes wider ranges');
}

/**
 * The clamp range of a fake-quantize call: with a dtype, within it (default
 * its whole range); without, any integers PyTorch's fake_quantize_* accepts
 * (quant_min <= quant_max), up to QUANT_RANGE_LIMIT in magnitude.
 * @param {unknown} dt @param {unknown} quantMin @param {unknown} quantMax
 * @returns {{ qmin: number, qmax: number }}
 */
export function fakeQuantizeRange(dt, quantMin, quantMax) {
  if (dt != null || (quantMin == null && quantMax == null)) {
    const d = DTYPES[dtype('dtype', dt)];
    return range(d.min, d.max, quantMin, quantMax);
  }
  return range(-QUANT_RANGE_LIMIT, QUANT_RANGE_LIMIT, quantMin, quantMax);
}

/**
 * @typedef {object} Layout
 * @property {number[]} shape
 * @property {number} axis normalized to [0, rank)
 * @property {number} channels extent of the axis
 * @property {number} inner elements after the axis (the stride of the axis)
 */

/**
 * Checks a shape against a length.
 * @param {string} name name of the tensor argument
 * @param {number} length
 * @param {unknown} shape
 * @returns {number[]}
 */
export function checkShape(name, length, shape) {
  if (shape == null) return [length];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`qdq-wasm: shape must be an array of non-negative integers, got ${describe(shape)}${Array.isArray(shape) ? ` [${shape.join(', ')}]` : ''}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== length) {
    throw new RangeError(`qdq-wasm: shape [${shape.join(', ')}] holds ${count} elements but ${name} has ${length}`);
  }
  return shape.slice();
}

/**
 * A per-channel layout: shape checked against the length, axis normalized
 * (negative counts from the end, as in PyTorch).
 * @param {string} name @param {number} length @param {unknown} shape @param {unknown} axis
 * @returns {Layout}
 */
export function channelLayout(name, length, shape, axis) {
  if (shape == null) throw new TypeError(`qdq-wasm: shape is required with a channel axis, got ${describe(shape)}`);
  const s = checkShape(name, length, shape);
  if (s.length === 0) throw new RangeError('qdq-wasm: a per-channel tensor needs at least one dimension, got shape []');
  const rank = s.length;
  const a = integer('axis', axis ?? 0, -rank, rank - 1);
  const norm = a < 0 ? a + rank : a;
  const inner = s.slice(norm + 1).reduce((p, d) => p * d, 1);
  return { shape: s, axis: norm, channels: s[norm], inner: Math.max(inner, 1) };
}

/**
 * A per-tensor layout: one channel spanning everything.
 * @param {string} name @param {number} length @param {unknown} shape @returns {Layout}
 */
export function tensorLayout(name, length, shape) {
  const s = checkShape(name, length, shape);
  return { shape: s, axis: 0, channels: 1, inner: Math.max(length, 1) };
}
