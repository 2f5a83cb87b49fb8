// quantize, dequantize and fake-quantize, per tensor and per channel.
// Each call validates, then streams the tensor through the runtime's staging
// buffers in chunks, calling one C operator per chunk:
//   quantizePerTensor / quantizePerChannel -> qdq_quantize      (src/operators/quantize.c)
//   dequantize                             -> qdq_dequantize    (src/operators/quantize.c)
//   fakeQuantizePerTensor / ...PerChannel  -> qdq_fake_quantize (src/operators/quantize.c)

import { getRuntime } from '../runtime/loader.js';
import { channelLayout, clampRange, compatFlag, DTYPES, dtype, tensorLayout } from './tensor.js';
import { describe, integer, options, outArray, scale, typedArray } from '../runtime/validate.js';

/**
 * @typedef {import('./tensor.js').Layout} Layout
 * @typedef {import('../runtime/binding.js').Runtime} Runtime
 */

/**
 * Per-channel scales and zero points, checked: one per channel, scales
 * finite and > 0 as float32, zero points integers in [qmin, qmax].
 * @param {unknown} scales @param {unknown} zeroPoints @param {number} channels
 * @param {number} qmin @param {number} qmax
 * @returns {{ scales: Float32Array, zeroPoints: Int32Array }}
 */
export function channelParams(scales, zeroPoints, channels, qmin, qmax) {
  if (!(scales instanceof Float32Array || scales instanceof Float64Array || Array.isArray(scales))) {
    throw new TypeError(`qdq-wasm: scales must be a Float32Array or an array of numbers, got ${describe(scales)}`);
  }
  if (scales.length !== channels) {
    throw new RangeError(`qdq-wasm: scales must have one entry per channel (${channels}), got ${scales.length}`);
  }
  const s = new Float32Array(channels);
  for (let c = 0; c < channels; c++) s[c] = scale(`scales[${c}]`, scales[c]);
  const z = new Int32Array(channels);
  if (zeroPoints !== undefined) {
    if (!(ArrayBuffer.isView(zeroPoints) || Array.isArray(zeroPoints))) {
      throw new TypeError(`qdq-wasm: zeroPoints must be an Int32Array or an array of integers, got ${describe(zeroPoints)}`);
    }
    const zp = /** @type {ArrayLike<unknown>} */ (zeroPoints);
    if (zp.length !== channels) {
      throw new RangeError(`qdq-wasm: zeroPoints must have one entry per channel (${channels}), got ${zp.length}`);
    }
    for (let c = 0; c < channels; c++) z[c] = integer(`zeroPoints[${c}]`, Number(zp[c]), qmin, qmax);
  } else if (qmin > 0 || qmax < 0) {
    throw new RangeError(`qdq-wasm: zeroPoints default to 0, which is outside [${qmin}, ${qmax}]; pass zeroPoints`);
  }
  return { scales: s, zeroPoints: z };
}

/**
 * Streams x (float) through qdq_quantize into out.
 * @param {Runtime} rt @param {Float32Array} x @param {Int8Array | Uint8Array} out @param {Layout} lay
 * @param {Float32Array} scales @param {Int32Array} zeroPoints @param {number} qmin @param {number} qmax @param {number} flags
 */
function runQuantize(rt, x, out, lay, scales, zeroPoints, qmin, qmax, flags) {
  const n = x.length;
  if (n === 0) return;
  rt.withChannelParams(scales, zeroPoints, (sp, zp) => {
    const chunk = rt.chunk;
    const q = rt.qPtr;
    for (let off = 0; off < n; off += chunk) {
      const len = Math.min(chunk, n - off);
      rt.f32.set(x.subarray(off, off + len), rt.xPtr >>> 2);
      rt.exports.qdq_quantize(rt.xPtr, q, len, off, lay.channels, lay.inner, sp, zp, qmin, qmax, flags);
      out.set((out instanceof Uint8Array ? rt.u8 : rt.i8).subarray(q, q + len), off);
    }
  });
}

/**
 * Streams q through qdq_dequantize into out.
 * @param {Runtime} rt @param {Int8Array | Uint8Array} data @param {Float32Array} out @param {Layout} lay
 * @param {Float32Array} scales @param {Int32Array} zeroPoints @param {number} flags
 */
function runDequantize(rt, data, out, lay, scales, zeroPoints, flags) {
  const n = data.length;
  if (n === 0) return;
  rt.withChannelParams(scales, zeroPoints, (sp, zp) => {
    const chunk = rt.chunk;
    const y = rt.yPtr >>> 2;
    for (let off = 0; off < n; off += chunk) {
      const len = Math.min(chunk, n - off);
      (data instanceof Uint8Array ? rt.u8 : rt.i8).set(data.subarray(off, off + len), rt.qPtr);
      rt.exports.qdq_dequantize(rt.qPtr, rt.yPtr, len, off, lay.channels, lay.inner, sp, zp, flags);
      out.set(rt.f32.subarray(y, y + len), off);
    }
  });
}

/**
 * Streams x through qdq_fake_quantize into out and mask.
 * @param {Runtime} rt @param {Float32Array} x @param {Float32Array} out @param {Uint8Array | null} mask
 * @param {Layout} lay @param {Float32Array} scales @param {Int32Array} zeroPoints
 * @param {number} qmin @param {number} qmax @param {number} flags
 */
function runFakeQuantize(rt, x, out, mask, lay, scales, zeroPoints, qmin, qmax, flags) {
  const n = x.length;
  if (n === 0) return;
  rt.withChannelParams(scales, zeroPoints, (sp, zp) => {
    const chunk = rt.chunk;
    const y = rt.yPtr >>> 2;
    const m = rt.maskPtr;
    for (let off = 0; off < n; off += chunk) {
      const len = Math.min(chunk, n - off);
      rt.f32.set(x.subarray(off, off + len), rt.xPtr >>> 2);
      rt.exports.qdq_fake_quantize(rt.xPtr, rt.yPtr, mask ? m : 0, len, off, lay.channels, lay.inner, sp, zp, qmin, qmax, flags);
      out.set(rt.f32.subarray(y, y + len), off);
      if (mask) mask.set(rt.u8.subarray(m, m + len), off);
    }
  });
}

/**
 * @typedef {object} QTensorPerTensor
 * @property {Int8Array | Uint8Array} data quantized values, row-major
 * @property {number[]} shape
 * @property {'int8' | 'uint8'} dtype
 * @property {'per_tensor_affine' | 'per_tensor_symmetric'} qscheme
 * @property {number} scale float32 step
 * @property {number} zeroPoint
 */
/**
 * @typedef {object} QTensorPerChannel
 * @property {Int8Array | Uint8Array} data
 * @property {number[]} shape
 * @property {'int8' | 'uint8'} dtype
 * @property {'per_channel_affine' | 'per_channel_symmetric'} qscheme
 * @property {Float32Array} scales one per channel
 * @property {Int32Array} zeroPoints one per channel
 * @property {number} axis channel axis, in [0, shape.length)
 */
/** @typedef {QTensorPerTensor | QTensorPerChannel} QTensor */

/**
 * Quantizes x with one scale and zero point (E5):
 * q = clamp(roundHalfEven(x / scale) + zeroPoint, quantMin, quantMax).
 * compat 'pytorch' uses x * (1 / scale) in float32, bit-exact with
 * torch.quantize_per_tensor.
 * @param {Float32Array} x
 * @param {{ scale: number, zeroPoint?: number, dtype?: 'int8' | 'uint8', quantMin?: number, quantMax?: number,
 *   compat?: 'onnx' | 'pytorch', shape?: number[], out?: Int8Array | Uint8Array }} opts
 * @returns {QTensorPerTensor}
 */
export function quantizePerTensor(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts);
  const dt = dtype('dtype', o.dtype);
  const { qmin, qmax } = clampRange(dt, o.quantMin, o.quantMax);
  const s = scale('scale', o.scale);
  const zp = integer('zeroPoint', o.zeroPoint ?? 0, qmin, qmax);
  const flags = DTYPES[dt].flag | compatFlag('compat', o.compat);
  const lay = tensorLayout('x', x.length, o.shape);
  const out = outArray('out', o.out, DTYPES[dt].Array, x.length);
  runQuantize(getRuntime(), x, out, lay, Float32Array.of(s), Int32Array.of(zp), qmin, qmax, flags);
  return { data: out, shape: lay.shape, dtype: dt, qscheme: 'per_tensor_affine', scale: s, zeroPoint: zp };
}

/**
 * Quantizes x with a scale and zero point per slice along axis (E5).
 * @param {Float32Array} x
 * @param {{ shape: number[], axis?: number, scales: ArrayLike<number>, zeroPoints?: ArrayLike<number>,
 *   dtype?: 'int8' | 'uint8', quantMin?: number, quantMax?: number, compat?: 'onnx' | 'pytorch',
 *   out?: Int8Array | Uint8Array }} opts
 * @returns {QTensorPerChannel}
 */
export function quantizePerChannel(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts);
  const dt = dtype('dtype', o.dtype);
  const { qmin, qmax } = clampRange(dt, o.quantMin, o.quantMax);
  const lay = channelLayout('x', x.length, o.shape, o.axis);
  const { scales, zeroPoints } = channelParams(o.scales, o.zeroPoints, lay.channels, qmin, qmax);
  const flags = DTYPES[dt].flag | compatFlag('compat', o.compat);
  const out = outArray('out', o.out, DTYPES[dt].Array, x.length);
  runQuantize(getRuntime(), x, out, lay, scales, zeroPoints, qmin, qmax, flags);
  return { data: out, shape: lay.shape, dtype: dt, qscheme: 'per_channel_affine', scales, zeroPoints, axis: lay.axis };
}

/**
 * Dequantizes a QTensor (E7): x_hat = (q - zeroPoint) * scale in float32.
 * @param {QTensor} qt
 * @param {{ out?: Float32Array }} [opts]
 * @returns {Float32Array}
 */
export function dequantize(qt, opts) {
  const t = options('qtensor', qt);
  const o = options('options', opts, {});
  const data = t.data;
  if (!(data instanceof Int8Array || data instanceof Uint8Array)) {
    throw new TypeError(`qdq-wasm: qtensor.data must be an Int8Array or Uint8Array, got ${describe(data)}`);
  }
  const dt = data instanceof Uint8Array ? 'uint8' : 'int8';
  if (t.dtype !== undefined && dtype('qtensor.dtype', t.dtype) !== dt) {
    throw new TypeError(`qdq-wasm: qtensor.dtype is '${t.dtype}' but qtensor.data is a ${data.constructor.name}`);
  }
  const { min, max } = DTYPES[dt];
  const out = outArray('out', o.out, Float32Array, data.length);
  let lay, scales, zeroPoints;
  if (t.scales !== undefined) {
    lay = channelLayout('qtensor.data', data.length, t.shape, t.axis);
    ({ scales, zeroPoints } = channelParams(t.scales, t.zeroPoints, lay.channels, min, max));
  } else {
    lay = tensorLayout('qtensor.data', data.length, t.shape);
    scales = Float32Array.of(scale('qtensor.scale', t.scale));
    zeroPoints = Int32Array.of(integer('qtensor.zeroPoint', t.zeroPoint ?? 0, min, max));
  }
  runDequantize(getRuntime(), data, out, lay, scales, zeroPoints, DTYPES[dt].flag);
  return out;
}

/**
 * @typedef {object} FakeQuantizeResult
 * @property {Float32Array} output x_hat = (clamp(round(x / scale) + zeroPoint) - zeroPoint) * scale (E8)
 * @property {Uint8Array} mask 1 where quantMin <= round(x / scale) + zeroPoint <= quantMax, else 0:
 *   the straight-through gradient mask (E9)
 */

/**
 * @param {Record<string, any>} o
 * @returns {{ qmin: number, qmax: number, flags: number }}
 */
function fakeQuantizeRange(o) {
  const dt = dtype('dtype', o.dtype);
  const { qmin, qmax } = clampRange(dt, o.quantMin, o.quantMax);
  return { qmin, qmax, flags: compatFlag('compat', o.compat) };
}

/**
 * Fake-quantizes x per tensor (quantize, then dequantize, in one pass) and
 * returns the gradient mask, as torch.fake_quantize_per_tensor_affine and its
 * cachemask variant do.
 * @param {Float32Array} x
 * @param {{ scale: number, zeroPoint?: number, dtype?: 'int8' | 'uint8', quantMin?: number, quantMax?: number,
 *   compat?: 'onnx' | 'pytorch', out?: Float32Array, maskOut?: Uint8Array }} opts
 * @returns {FakeQuantizeResult}
 */
export function fakeQuantizePerTensor(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts);
  const { qmin, qmax, flags } = fakeQuantizeRange(o);
  const s = scale('scale', o.scale);
  const zp = integer('zeroPoint', o.zeroPoint ?? 0, qmin, qmax);
  const out = outArray('out', o.out, Float32Array, x.length);
  const mask = outArray('maskOut', o.maskOut, Uint8Array, x.length);
  const lay = tensorLayout('x', x.length, undefined);
  runFakeQuantize(getRuntime(), x, out, mask, lay, Float32Array.of(s), Int32Array.of(zp), qmin, qmax, flags);
  return { output: out, mask };
}

/**
 * Fake-quantizes x with a scale and zero point per slice along axis, as
 * torch.fake_quantize_per_channel_affine.
 * @param {Float32Array} x
 * @param {{ shape: number[], axis?: number, scales: ArrayLike<number>, zeroPoints?: ArrayLike<number>,
 *   dtype?: 'int8' | 'uint8', quantMin?: number, quantMax?: number, compat?: 'onnx' | 'pytorch',
 *   out?: Float32Array, maskOut?: Uint8Array }} opts
 * @returns {FakeQuantizeResult}
 */
export function fakeQuantizePerChannel(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts);
  const { qmin, qmax, flags } = fakeQuantizeRange(o);
  const lay = channelLayout('x', x.length, o.shape, o.axis);
  const { scales, zeroPoints } = channelParams(o.scales, o.zeroPoints, lay.channels, qmin, qmax);
  const out = outArray('out', o.out, Float32Array, x.length);
  const mask = outArray('maskOut', o.maskOut, Uint8Array, x.length);
  runFakeQuantize(getRuntime(), x, out, mask, lay, scales, zeroPoints, qmin, qmax, flags);
  return { output: out, mask };
}
