// Shapes, axes and dtypes: how a flat typed array is viewed as
// [outer, channels, inner] by the C operators.

import { describe, integer, oneOf } from '../runtime/validate.js';

/** Flag bits of src/qdq.h. */
export const FLAG_UINT8 = 1;
export const FLAG_PYTORCH = 2;

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

/** @param {string} name @param {unknown} v @returns {number} the QDQ_FLAG_PYTORCH bit or 0 */
export function compatFlag(name, v) {
  return oneOf(name, v ?? 'onnx', /** @type {const} */ (['onnx', 'pytorch'])) === 'pytorch' ? FLAG_PYTORCH : 0;
}

/**
 * The clamp range of a quantize call: the dtype's range unless narrowed by
 * quantMin/quantMax.
 * @param {'int8' | 'uint8'} dt @param {unknown} quantMin @param {unknown} quantMax
 * @returns {{ qmin: number, qmax: number }}
 */
export function clampRange(dt, quantMin, quantMax) {
  const d = DTYPES[dt];
  const qmin = quantMin === undefined ? d.min : integer('quantMin', quantMin, d.min, d.max);
  const qmax = quantMax === undefined ? d.max : integer('quantMax', quantMax, d.min, d.max);
  if (qmin > qmax) throw new RangeError(`qdq-wasm: quantMin (${qmin}) must not exceed quantMax (${qmax})`);
  return { qmin, qmax };
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
  if (shape === undefined) return [length];
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
  if (shape === undefined) throw new TypeError(`qdq-wasm: shape is required with a channel axis`);
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
