// Quantization parameters from a range (E1-E4), the way torch 1.13's
// observers compute them, and the settings every observer checks.
//   calculateQParams() -> qdq_calculate_qparams  (src/operators/qparams.c)

import { QPARAMS_CUSTOM_RANGE, QPARAMS_RAW_RANGE, QPARAMS_SYMMETRIC, QPARAMS_UINT8 } from '../runtime/abi.js';
import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { DTYPES, dtype } from './tensor.js';
import { boolean, describe, finite, integer, lengthOf, numberList, oneOf, options, typedArrayKind } from '../runtime/validate.js';

/** The options every observer takes (observers add theirs). */
export const OBSERVER_KEYS = ['dtype', 'qscheme', 'reduceRange', 'quantMin', 'quantMax', 'eps'];

/** float32 machine epsilon, PyTorch's default eps. */
export const FLOAT32_EPS = 2 ** -23;

export const PER_TENSOR = /** @type {const} */ (['per_tensor_affine', 'per_tensor_symmetric']);
export const PER_CHANNEL = /** @type {const} */ (['per_channel_affine', 'per_channel_symmetric']);

/**
 * @typedef {object} ObserverOptions
 * @property {'int8' | 'uint8'} [dtype] default 'uint8' (PyTorch's quint8 default)
 * @property {string} [qscheme] 'per_tensor_affine' (default) or 'per_tensor_symmetric'; per-channel
 *   observers take 'per_channel_affine' (default) or 'per_channel_symmetric'
 * @property {boolean} [reduceRange] halve the range (int8 [-64, 63], uint8 [0, 127]); default false
 * @property {number} [quantMin] custom lower bound; needs quantMax; must be <= 0
 * @property {number} [quantMax] custom upper bound; needs quantMin; must be >= 0
 * @property {number} [eps] smallest scale; default float32 epsilon (2^-23)
 */

/**
 * The observer's settings, checked, with [qmin, qmax] derived as torch 1.13's
 * calculate_qmin_qmax does.
 * @param {unknown} opts @param {readonly string[]} schemes @param {'int8' | 'uint8'} [defaultDtype]
 * @param {readonly string[]} [keys] the valid option keys
 */
export function observerSettings(opts, schemes, defaultDtype = 'uint8', keys = OBSERVER_KEYS) {
  const o = options('options', opts, keys, {});
  const dt = dtype('dtype', o.dtype ?? defaultDtype);
  const qscheme = oneOf('qscheme', o.qscheme ?? schemes[0], schemes);
  const reduceRange = boolean('reduceRange', o.reduceRange ?? false);
  const symmetric = qscheme.endsWith('_symmetric');
  if (symmetric && reduceRange && dt === 'uint8') {
    throw new RangeError(`qdq-wasm: reduceRange is not supported with qscheme '${qscheme}' and dtype 'uint8' (as in PyTorch)`);
  }
  const custom = o.quantMin != null || o.quantMax != null;
  let qmin, qmax;
  if (custom) {
    if (o.quantMin == null || o.quantMax == null) {
      const [given, missing] = o.quantMin == null ? ['quantMax', 'quantMin'] : ['quantMin', 'quantMax'];
      throw new TypeError(`qdq-wasm: quantMin and quantMax must be given together; got ${given} = ${describe(o[given])} ` +
        `and ${missing} = ${describe(o[missing])}`);
    }
    const d = DTYPES[dt];
    qmin = integer('quantMin', o.quantMin, d.min, 0);
    qmax = integer('quantMax', o.quantMax, 0, d.max);
    if (qmin >= qmax) throw new RangeError(`qdq-wasm: quantMin (${qmin}) must be less than quantMax (${qmax})`);
    if (reduceRange) {
      qmin = Math.floor(qmin / 2);
      qmax = Math.floor(qmax / 2);
    }
  } else if (dt === 'int8') {
    [qmin, qmax] = reduceRange ? [-64, 63] : [-128, 127];
  } else {
    [qmin, qmax] = reduceRange ? [0, 127] : [0, 255];
  }
  let eps = FLOAT32_EPS;
  if (o.eps != null) {
    if (typeof o.eps !== 'number') throw new TypeError(`qdq-wasm: eps must be a number, got ${describe(o.eps)}`);
    eps = Math.fround(o.eps);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`qdq-wasm: eps must be finite and > 0, got ${o.eps}`);
  }
  return { dtype: dt, qscheme, reduceRange, qmin, qmax, eps, symmetric, custom };
}

/** @typedef {ReturnType<typeof observerSettings>} Settings */

/**
 * qdq_calculate_qparams over channels.
 * @param {Float32Array} mins @param {Float32Array} maxs @param {Settings} s
 * @param {boolean} [raw] skip E1 (use the range as given)
 * @returns {{ scales: Float32Array, zeroPoints: Int32Array, zeroPointsUnclamped: Int32Array }}
 */
export function qparamsOf(mins, maxs, s, raw = false) {
  const c = lengthOf(mins);
  if (lengthOf(maxs) !== c) throw new RangeError(`qdq-wasm: internal: ${c} minima but ${lengthOf(maxs)} maxima`);
  const flags = (s.symmetric ? QPARAMS_SYMMETRIC : 0) | (s.dtype === 'uint8' ? QPARAMS_UINT8 : 0) |
    (s.custom ? QPARAMS_CUSTOM_RANGE : 0) | (raw ? QPARAMS_RAW_RANGE : 0);
  const r = call(getRuntime(), [
    input('mins', mins), input('maxs', maxs),
    output('scales', Float32Array, c), output('zeroPoints', Int32Array, c), output('zeroPointsUnclamped', Int32Array, c),
  ], (p, fn) => fn.qdq_calculate_qparams(c, p.mins, p.maxs, s.qmin, s.qmax, flags, s.eps, p.scales, p.zeroPoints,
    p.zeroPointsUnclamped));
  return { scales: r.scales, zeroPoints: r.zeroPoints, zeroPointsUnclamped: r.zeroPointsUnclamped };
}

/**
 * Why qparams gave a scale that is not finite, for the RangeErrors that name the range. torch 1.13
 * divides by quantMax - quantMin, which reduceRange can halve to 0: of the ranges quantMin <= 0 <
 * quantMax, only [0, 1] becomes one level ([0, 0]). Otherwise the range over its steps overflows float32.
 * @param {{ qmin: number, qmax: number }} s [quantMin, quantMax] after reduceRange
 * @returns {string} the cause in parentheses, and what to do
 */
export function scaleCause(s) {
  return s.qmax === s.qmin
    ? '(reduceRange halves quantMin and quantMax (0, 1) to the single level 0)'
    : `(the range is too wide for a float32 scale over quantMin .. quantMax = ${s.qmin} .. ${s.qmax}); narrow the range`;
}

/**
 * A range bound: finite as a float32 (the observers' type), as a number or
 * an array of them (one per channel).
 * @param {string} name @param {unknown} v
 * @returns {Float32Array}
 */
function rangeValues(name, v) {
  if (typeof v === 'number') return Float32Array.of(float32(name, v));
  if (typeof v === 'bigint' || v === null || (typeof v !== 'object')) {
    throw new TypeError(`qdq-wasm: ${name} must be a number or an array of numbers, got ${describe(v)}`);
  }
  const n = typedArrayKind(v) !== undefined ? lengthOf(/** @type {any} */ (v)) : /** @type {{ length?: unknown }} */ (v).length;
  return numberList(name, v, typeof n === 'number' ? n : 0, Float32Array, float32);
}

/**
 * A number that stays finite when rounded to float32 (|v| < 2^128 - 2^103,
 * the first value that rounds to Infinity).
 * @param {string} name @param {unknown} v @returns {number}
 */
function float32(name, v) {
  const x = finite(name, v);
  if (!Number.isFinite(Math.fround(x))) {
    throw new RangeError(`qdq-wasm: ${name} must be finite as a float32 (|${name}| < 3.4028235677973366e38), got ${x}`);
  }
  return x;
}

/**
 * Scale and zero point for the range [min, max] (E1-E3), as an observer that
 * had seen exactly that range would compute them. Numbers give one pair;
 * arrays give one pair per channel. With includeZero: false the range is used
 * as given (no E1), which is not what PyTorch or ONNX do: the zero point may
 * then fall outside [quantMin, quantMax] (zeroPointUnclamped shows where),
 * which is why they widen the range.
 * @param {number | ArrayLike<number>} min
 * @param {number | ArrayLike<number>} max
 * @param {{ dtype?: 'int8' | 'uint8', qscheme?: string, reduceRange?: boolean, quantMin?: number, quantMax?: number,
 *   eps?: number, includeZero?: boolean }} [opts] dtype defaults to 'int8', qscheme to affine, includeZero to true
 * @returns {{ scale: number, zeroPoint: number, zeroPointUnclamped: number } |
 *   { scales: Float32Array, zeroPoints: Int32Array, zeroPointsUnclamped: Int32Array }}
 * @example
 * calculateQParams(1, 6, { dtype: 'int8' });                      // { scale: 6/255, zeroPoint: -128, zeroPointUnclamped: -128 }
 * calculateQParams(1, 6, { dtype: 'int8', includeZero: false });  // { scale: 5/255, zeroPoint: -128, zeroPointUnclamped: -179 }
 */
export function calculateQParams(min, max, opts) {
  const keys = [...OBSERVER_KEYS, 'includeZero'];
  const o = options('options', opts, keys, {});
  const s = observerSettings(o, [...PER_TENSOR, ...PER_CHANNEL], 'int8', keys);
  const includeZero = boolean('includeZero', o.includeZero ?? true);
  const lo = rangeValues('min', min);
  const hi = rangeValues('max', max);
  if (lo.length !== hi.length) throw new RangeError(`qdq-wasm: min and max must have the same length, got ${lo.length} and ${hi.length}`);
  lo.forEach((l, i) => {
    if (l > hi[i]) throw new RangeError(`qdq-wasm: min${typeof min === 'number' ? '' : `[${i}]`} (${l}) must not exceed max (${hi[i]})`);
  });
  const r = qparamsOf(lo, hi, s, !includeZero);
  r.scales.forEach((scale, i) => {
    if (!Number.isFinite(scale)) {
      const [at, l, h] = typeof min === 'number' ? ['', min, max] : [`[${i}]`, /** @type {any} */ (min)[i], /** @type {any} */ (max)[i]];
      throw new RangeError(`qdq-wasm: min${at} = ${l} and max${at} = ${h} give scale ${scale}, which is not finite ` +
        `in float32 ${scaleCause(s)}`);
    }
  });
  if (typeof min === 'number' && typeof max === 'number') {
    return { scale: r.scales[0], zeroPoint: r.zeroPoints[0], zeroPointUnclamped: r.zeroPointsUnclamped[0] };
  }
  return r;
}
