// quantize, dequantize and fake-quantize, per tensor and per channel.
// Each call validates, then streams the tensor through the runtime's staging
// buffers in chunks, calling one C operator per chunk (a call worth splitting
// over threads goes in windows instead, docs/threads.md T5):
//   quantizePerTensor / quantizePerChannel -> qdq_quantize      (src/operators/quantize.c)
//   dequantize                             -> qdq_dequantize    (src/operators/quantize.c)
//   fakeQuantizePerTensor / ...PerChannel  -> qdq_fake_quantize (src/operators/quantize.c)

import { call, input, stream } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { FLAG_INPUT_STREAMED, FLAG_PYTORCH } from '../runtime/abi.js';
import { channelLayout, compatFlag, DTYPES, dtype, fakeQuantizeRange, quantizeRange, tensorLayout } from './tensor.js';
import { integer, lengthOf, numberList, oneOf, options, outArray, scale, typedArray, typedArrayKind } from '../runtime/validate.js';

const QUANTIZE_PER_TENSOR_KEYS = ['scale', 'zeroPoint', 'dtype', 'quantMin', 'quantMax', 'compat', 'shape', 'out'];
const QUANTIZE_PER_CHANNEL_KEYS = ['shape', 'axis', 'scales', 'zeroPoints', 'dtype', 'quantMin', 'quantMax', 'compat', 'out'];
const FAKE_QUANTIZE_PER_TENSOR_KEYS = ['scale', 'zeroPoint', 'dtype', 'quantMin', 'quantMax', 'compat', 'out', 'maskOut'];
const FAKE_QUANTIZE_PER_CHANNEL_KEYS = ['shape', 'axis', 'scales', 'zeroPoints', 'dtype', 'quantMin', 'quantMax', 'compat', 'out', 'maskOut'];
/** What a QTensor may hold (quantize() adds its error statistics). */
const QTENSOR_KEYS = ['data', 'shape', 'dtype', 'qscheme', 'scale', 'zeroPoint', 'scales', 'zeroPoints', 'axis', 'error'];
const QSCHEMES = /** @type {const} */ (['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric']);
/** The fields of the other kind of QTensor, which a per-tensor or per-channel one must not have. */
const PER_CHANNEL_FIELDS = ['scales', 'zeroPoints', 'axis'], PER_TENSOR_FIELDS = ['scale', 'zeroPoint'];

/** @typedef {import('./tensor.js').Layout} Layout */

/**
 * Per-channel scales and zero points, checked: one per channel, scales
 * finite and > 0 as float32, zero points integers in [qmin, qmax].
 * @param {unknown} scales @param {unknown} zeroPoints @param {number} channels
 * @param {number} qmin @param {number} qmax @param {string} [prefix] before the names in errors ('qtensor.')
 * @returns {{ scales: Float32Array, zeroPoints: Int32Array }}
 */
export function channelParams(scales, zeroPoints, channels, qmin, qmax, prefix = '') {
  const what = `one entry per channel (${channels})`;
  const s = numberList(`${prefix}scales`, scales, channels, Float32Array, scale, { what });
  return { scales: s, zeroPoints: channelZeroPoints(zeroPoints, channels, qmin, qmax, prefix) };
}

/**
 * Per-channel scales kept as the doubles they are (torch's per-channel
 * qtensors hold float64 scales), each checked as scale() checks a float32
 * one: finite and > 0 after rounding to float32, which is what quantizing
 * uses.
 * @param {string} name @param {unknown} scales @param {number} channels
 * @returns {Float64Array}
 */
function doubleScales(name, scales, channels) {
  return numberList(name, scales, channels, Float64Array, (n, v) => {
    scale(n, v);
    return /** @type {number} */ (v);
  }, { what: `one entry per channel (${channels})` });
}

/**
 * Per-channel zero points, checked: integers in [qmin, qmax], default 0.
 * @param {unknown} zeroPoints @param {number} channels @param {number} qmin @param {number} qmax @param {string} prefix
 * @returns {Int32Array}
 */
function channelZeroPoints(zeroPoints, channels, qmin, qmax, prefix) {
  const what = `one entry per channel (${channels})`;
  if (zeroPoints == null) {
    if (qmin > 0 || qmax < 0) {
      throw new RangeError(`qdq-wasm: ${prefix}zeroPoints default to 0, which is outside [${qmin}, ${qmax}]; pass ${prefix}zeroPoints`);
    }
    return new Int32Array(channels);
  }
  return numberList(`${prefix}zeroPoints`, zeroPoints, channels, Int32Array, (n, v) => integer(n, v, qmin, qmax), { what });
}

/**
 * Cost of an element on one thread, copies in and out included, in the
 * pool's unit (the GEMM's int8 multiply-adds at the same wall time): the
 * kernel's QDQ_*_WORK (src/operators/quantize.c) and 1.5 per byte copied
 * (one thread copied ~0.06 ns a byte beside ~0.29 ns an element of the
 * quantize kernel: bench/threads-elementwise.js, AMD EPYC). Pool#splitsStream
 * weighs a whole call with it (docs/threads.md T5).
 */
const WORK = { quantize: 14 + 1.5 * 5, dequantize: 6 + 1.5 * 5, fakeQuantize: 30 + 1.5 * 9 };

/**
 * Streams a tensor through one elementwise operator (qdq_quantize,
 * qdq_dequantize or qdq_fake_quantize), with the per-channel parameters in
 * wasm memory for the duration of the call.
 * @param {Layout} lay @param {Float32Array} scales @param {Int32Array} zeroPoints
 * @param {ArrayBufferView} x
 * @param {ArrayBufferView[]} outs
 * @param {number} work per element (WORK)
 * @param {(c: Record<string, Function>, xp: number, outp: number[], len: number, off: number, sp: number, zp: number,
 *   streamed: number) => void} op streamed: FLAG_INPUT_STREAMED or 0, to pass with the operator's flags
 */
function elementwise(lay, scales, zeroPoints, x, outs, work, op) {
  const n = lengthOf(x);
  if (n === 0) return;
  const rt = getRuntime();
  call(rt, [input('scales', scales), input('zeroPoints', zeroPoints)], (p, c) => {
    stream(rt, n, [x], outs, (slots, off, len, _, streamed) =>
      op(c, slots.in[0], slots.out, len, off, p.scales, p.zeroPoints, streamed ? FLAG_INPUT_STREAMED : 0), work);
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
 * @property {Float32Array | Float64Array} scales one per channel: float32, or with compat 'pytorch' the
 *   doubles given (a Float64Array, unless they were given as a Float32Array), as torch keeps them
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
  const o = options('options', opts, QUANTIZE_PER_TENSOR_KEYS);
  const { dtype: dt, qmin, qmax } = quantizeRange(o.dtype, o.quantMin, o.quantMax);
  const s = scale('scale', o.scale);
  const zp = integer('zeroPoint', o.zeroPoint ?? 0, qmin, qmax);
  const flags = DTYPES[dt].flag | compatFlag('compat', o.compat);
  const lay = tensorLayout('x', lengthOf(x), o.shape);
  const out = outArray('out', o.out, DTYPES[dt].Array, lengthOf(x));
  elementwise(lay, Float32Array.of(s), Int32Array.of(zp), x, [out], WORK.quantize, (c, xp, [qp], len, off, sp, zpp, st) =>
    c.qdq_quantize(xp, qp, len, off, lay.channels, lay.inner, sp, zpp, qmin, qmax, flags | st));
  return { data: out, shape: lay.shape, dtype: dt, qscheme: 'per_tensor_affine', scale: s, zeroPoint: zp };
}

/**
 * Quantizes x with a scale and zero point per slice along axis (E5). Each
 * element uses its channel's scale as a float32 (ONNX's scale is a float
 * tensor; torch's quantize_val computes 1.0f / (float) scale). With compat
 * 'pytorch' the qtensor keeps the scales as given, as torch's per-channel
 * qtensor keeps its float64 q_per_channel_scales(): a Float64Array (a
 * Float32Array when they came as one), which dequantize() multiplies in
 * double as torch does; with compat 'onnx' they are float32.
 * @param {Float32Array} x
 * @param {{ shape: number[], axis?: number, scales: ArrayLike<number>, zeroPoints?: ArrayLike<number>,
 *   dtype?: 'int8' | 'uint8', quantMin?: number, quantMax?: number, compat?: 'onnx' | 'pytorch',
 *   out?: Int8Array | Uint8Array }} opts
 * @returns {QTensorPerChannel}
 */
export function quantizePerChannel(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts, QUANTIZE_PER_CHANNEL_KEYS);
  const { dtype: dt, qmin, qmax } = quantizeRange(o.dtype, o.quantMin, o.quantMax);
  const lay = channelLayout('x', lengthOf(x), o.shape, o.axis);
  const { scales, zeroPoints } = channelParams(o.scales, o.zeroPoints, lay.channels, qmin, qmax);
  const flags = DTYPES[dt].flag | compatFlag('compat', o.compat);
  // torch's qtensor keeps the float64 scales it was given (dequantize multiplies by them); a
  // Float32Array's values are float32 already.
  const kept = (flags & FLAG_PYTORCH) !== 0 && typedArrayKind(o.scales) !== 'Float32Array'
    ? doubleScales('scales', o.scales, lay.channels) : scales;
  const out = outArray('out', o.out, DTYPES[dt].Array, lengthOf(x));
  elementwise(lay, scales, zeroPoints, x, [out], WORK.quantize, (c, xp, [qp], len, off, sp, zp, st) =>
    c.qdq_quantize(xp, qp, len, off, lay.channels, lay.inner, sp, zp, qmin, qmax, flags | st));
  return { data: out, shape: lay.shape, dtype: dt, qscheme: 'per_channel_affine', scales: kept, zeroPoints, axis: lay.axis };
}

/**
 * Dequantizes a QTensor (E7): x_hat = (q - zeroPoint) * scale in float32.
 * Per channel when qscheme is per_channel_* or, without a qscheme, when
 * scales is given; the qtensor must then have no scale or zeroPoint, and a
 * per-tensor one no scales, zeroPoints or axis (a TypeError naming the field).
 * Per-channel scales in a Float64Array are doubles, as torch's per-channel
 * dequantize has them: x_hat = fl((q - zeroPoint) * scale) with the product
 * in double (what quantizePerChannel with compat 'pytorch' returns); in a
 * Float32Array or an array of numbers they are float32, as ONNX
 * DequantizeLinear's float scale tensor.
 * @param {QTensor} qt
 * @param {{ out?: Float32Array }} [opts]
 * @returns {Float32Array}
 */
export function dequantize(qt, opts) {
  const t = options('qtensor', qt, QTENSOR_KEYS);
  const o = options('options', opts, ['out'], {});
  const data = typedArray('qtensor.data', t.data, Int8Array, Uint8Array);
  const dt = typedArrayKind(data) === 'Uint8Array' ? 'uint8' : 'int8';
  if (t.dtype != null && dtype('qtensor.dtype', t.dtype) !== dt) {
    throw new TypeError(`qdq-wasm: qtensor.dtype is '${t.dtype}' but qtensor.data is a ${typedArrayKind(data)}`);
  }
  const qscheme = t.qscheme == null ? null : oneOf('qtensor.qscheme', t.qscheme, QSCHEMES);
  const perChannel = qscheme === null ? t.scales != null : qscheme.startsWith('per_channel');
  const why = qscheme !== null ? `qscheme '${qscheme}'` : perChannel ? 'it has scales' : 'it has no scales';
  for (const key of perChannel ? PER_TENSOR_FIELDS : PER_CHANNEL_FIELDS) {
    if (t[key] != null) {
      throw new TypeError(`qdq-wasm: qtensor.${key} is given, but the qtensor is per ${perChannel ? 'channel' : 'tensor'} (${why}), ` +
        `which has ${perChannel ? 'scales, zeroPoints and axis' : 'scale and zeroPoint'} only`);
    }
  }
  const { min, max } = DTYPES[dt];
  const length = lengthOf(data);
  const out = outArray('out', o.out, Float32Array, length);
  let lay, scales, zeroPoints;
  if (perChannel) {
    lay = channelLayout('qtensor.data', length, t.shape, t.axis);
    ({ scales, zeroPoints } = channelParams(t.scales, t.zeroPoints, lay.channels, min, max, 'qtensor.'));
    if (typedArrayKind(t.scales) === 'Float64Array') {
      const s64 = doubleScales('qtensor.scales', t.scales, lay.channels);
      // torch's dequantize_per_channel_affine_kernel: (float(q) - zp) * (double) scale, stored to
      // float. When every scale is a float32 value the C kernel's float product has the same bits
      // ((q - zp) has at most 9 significant bits, the scale 24: the double product is exact, and
      // both round it once), so the C kernel runs; otherwise this loop does the double product.
      if (!s64.every((s, i) => s === scales[i])) {
        doubleDequantize(data, lay, s64, zeroPoints, out);
        return out;
      }
    }
  } else {
    lay = tensorLayout('qtensor.data', length, t.shape);
    scales = Float32Array.of(scale('qtensor.scale', t.scale));
    zeroPoints = Int32Array.of(integer('qtensor.zeroPoint', t.zeroPoint ?? 0, min, max));
  }
  const flags = DTYPES[dt].flag;
  elementwise(lay, scales, zeroPoints, data, [out], WORK.dequantize, (c, qp, [yp], len, off, sp, zp, st) =>
    c.qdq_dequantize(qp, yp, len, off, lay.channels, lay.inner, sp, zp, flags | st));
  return out;
}

/**
 * out[i] = fl((q[i] - zp[c]) * s[c]) with the product in double, c the channel of element i.
 * @param {Int8Array | Uint8Array} q @param {Layout} lay @param {Float64Array} s @param {Int32Array} zp @param {Float32Array} out
 */
function doubleDequantize(q, lay, s, zp, out) {
  const n = lengthOf(q), { channels, inner } = lay;
  for (let start = 0; start < n; start += channels * inner) {
    for (let c = 0; c < channels; c++) {
      const sc = s[c], z = zp[c], base = start + c * inner;
      for (let i = base; i < base + inner; i++) out[i] = (q[i] - z) * sc;
    }
  }
}

/**
 * @typedef {object} FakeQuantizeResult
 * @property {Float32Array} output x_hat = (clamp(round(x / scale) + zeroPoint) - zeroPoint) * scale (E8)
 * @property {Uint8Array} mask 1 where quantMin <= round(x / scale) + zeroPoint <= quantMax, else 0:
 *   the straight-through gradient mask (E9)
 */

/**
 * Streams x through qdq_fake_quantize into out and mask.
 * @param {Float32Array} x @param {Float32Array} out @param {Uint8Array} mask @param {Layout} lay
 * @param {Float32Array} scales @param {Int32Array} zeroPoints @param {number} qmin @param {number} qmax @param {number} flags
 */
function runFakeQuantize(x, out, mask, lay, scales, zeroPoints, qmin, qmax, flags) {
  elementwise(lay, scales, zeroPoints, x, [out, mask], WORK.fakeQuantize, (c, xp, [yp, mp], len, off, sp, zp, st) =>
    c.qdq_fake_quantize(xp, yp, mp, len, off, lay.channels, lay.inner, sp, zp, qmin, qmax, flags | st));
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
  const o = options('options', opts, FAKE_QUANTIZE_PER_TENSOR_KEYS);
  const { qmin, qmax } = fakeQuantizeRange(o.dtype, o.quantMin, o.quantMax);
  const flags = compatFlag('compat', o.compat);
  const s = scale('scale', o.scale);
  const zp = integer('zeroPoint', o.zeroPoint ?? 0, qmin, qmax);
  const out = outArray('out', o.out, Float32Array, lengthOf(x));
  const mask = outArray('maskOut', o.maskOut, Uint8Array, lengthOf(x));
  const lay = tensorLayout('x', lengthOf(x), undefined);
  runFakeQuantize(x, out, mask, lay, Float32Array.of(s), Int32Array.of(zp), qmin, qmax, flags);
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
  const o = options('options', opts, FAKE_QUANTIZE_PER_CHANNEL_KEYS);
  const { qmin, qmax } = fakeQuantizeRange(o.dtype, o.quantMin, o.quantMax);
  const flags = compatFlag('compat', o.compat);
  const lay = channelLayout('x', lengthOf(x), o.shape, o.axis);
  const { scales, zeroPoints } = channelParams(o.scales, o.zeroPoints, lay.channels, qmin, qmax);
  const out = outArray('out', o.out, Float32Array, lengthOf(x));
  const mask = outArray('maskOut', o.maskOut, Uint8Array, lengthOf(x));
  runFakeQuantize(x, out, mask, lay, scales, zeroPoints, qmin, qmax, flags);
  return { output: out, mask };
}
