// quantize(): observe, compute qparams, quantize, and report the error, in
// one call, as a PyTorch user would with an observer and quantize_per_*.

import { dequantize, quantizePerChannel, quantizePerTensor } from './quantize.js';
import { MinMaxObserver, PerChannelMinMaxObserver } from './observers.js';
import { scaleCause } from './qparams.js';
import { errorStats } from './stats.js';
import { options, typedArray } from '../runtime/validate.js';

/**
 * Quantizes x with parameters observed from x itself (min/max), and returns
 * the QTensor with its error statistics. Per channel when axis is given or
 * qscheme is per_channel_*. Quantization clamps to the dtype's full range,
 * as torch.quantize_per_tensor does with an observer's qparams.
 * @param {Float32Array} x
 * @param {{ shape?: number[], axis?: number, dtype?: 'int8' | 'uint8', qscheme?: string, reduceRange?: boolean,
 *   quantMin?: number, quantMax?: number, eps?: number, compat?: 'onnx' | 'pytorch' }} [opts]
 *   dtype defaults to 'int8'; qscheme to 'per_tensor_affine', or 'per_channel_affine' when axis is given
 * @returns {import('./quantize.js').QTensor & { error: import('./stats.js').ErrorStats & { channels?: object } }}
 * @throws {RangeError} x holds NaN or an infinity, or its range (or a channel's) gives a scale that is not finite
 * @example
 * const qt = quantize(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], compat: 'pytorch' });
 * // qt.scale = 6/255, qt.zeroPoint = -128, qt.data = Int8Array [-86, -43, 0, 42, 84, 127]
 */
export function quantize(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts, ['shape', 'axis', 'dtype', 'qscheme', 'reduceRange', 'quantMin', 'quantMax', 'eps', 'compat'], {});
  const perChannel = o.axis != null || (typeof o.qscheme === 'string' && o.qscheme.startsWith('per_channel'));
  const observerOptions = {
    dtype: o.dtype ?? 'int8',
    qscheme: o.qscheme,
    reduceRange: o.reduceRange,
    quantMin: o.quantMin,
    quantMax: o.quantMax,
    eps: o.eps,
  };
  if (perChannel) {
    const obs = new PerChannelMinMaxObserver({ ...observerOptions, axis: o.axis ?? 0 });
    obs.observe(x, o.shape);
    // An empty x leaves the observer without channels (as torch's): each channel gets E4's (1, 0).
    const axis = obs.axis < 0 ? o.shape.length + obs.axis : obs.axis;
    const { scales, zeroPoints } = obs.minVal.length === 0
      ? { scales: new Float32Array(o.shape[axis]).fill(1), zeroPoints: new Int32Array(o.shape[axis]) }
      : obs.calculateQParams();
    scales.forEach((scale, c) => checkScale(scale, obs.minVal[c], obs.maxVal[c], `channel ${c}'s range`, obs));
    const qt = quantizePerChannel(x, { shape: o.shape, axis: obs.axis, scales, zeroPoints, dtype: obs.dtype, compat: o.compat });
    const q = { ...qt, qscheme: /** @type {'per_channel_affine' | 'per_channel_symmetric'} */ (obs.qscheme) };
    return { ...q, error: errorStats(x, dequantize(q), { shape: q.shape, axis: q.axis }) };
  }
  const obs = new MinMaxObserver(observerOptions);
  obs.observe(x);
  const { scale, zeroPoint } = obs.calculateQParams();
  checkScale(scale, obs.minVal, obs.maxVal, 'the range', obs);
  const qt = quantizePerTensor(x, { scale, zeroPoint, dtype: obs.dtype, compat: o.compat, shape: o.shape });
  const q = { ...qt, qscheme: /** @type {'per_tensor_affine' | 'per_tensor_symmetric'} */ (obs.qscheme) };
  return { ...q, error: errorStats(x, dequantize(q)) };
}

/**
 * The observer computes the scale from x (and returns torch's Infinity when it does not fit), so a bad
 * scale is x's range's doing: say so, rather than let quantizePerTensor name a scale the caller never passed.
 * @param {number} scale @param {number} min @param {number} max @param {string} what
 * @param {{ quantMin: number, quantMax: number }} obs
 */
function checkScale(scale, min, max, what, obs) {
  if (scale > 0 && Number.isFinite(scale)) return;
  throw new RangeError(`qdq-wasm: ${what} [${Math.min(min, 0)}, ${Math.max(max, 0)}] of x gives scale ${scale}, which is not ` +
    `finite in float32 ${scaleCause({ qmin: obs.quantMin, qmax: obs.quantMax })}`);
}
