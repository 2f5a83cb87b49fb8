// Error statistics of a reconstruction against its original (E10):
// errorStats -> qdq_error_stats (src/operators/statistics.c).

import { call, inout, stream } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { channelLayout, tensorLayout } from './tensor.js';
import { lengthOf, options, typedArray } from '../runtime/validate.js';

/**
 * @typedef {object} ErrorStats
 * @property {number} mse mean of (x - xHat)^2 (NaN for an empty tensor)
 * @property {number} maxAbsError max |x - xHat| (0 for an empty tensor)
 * @property {number} sqnr 10 log10(sum x^2 / sum (x - xHat)^2) in dB; Infinity when the error is 0
 */

/**
 * @param {number} sse @param {number} ssx @param {number} maxAbs @param {number} count
 * @returns {ErrorStats}
 */
function summarize(sse, ssx, maxAbs, count) {
  return {
    mse: count === 0 ? NaN : sse / count,
    maxAbsError: maxAbs,
    sqnr: sse === 0 ? Infinity : 10 * Math.log10(ssx / sse),
  };
}

/**
 * Error statistics between a float tensor and its reconstruction, per
 * tensor, and per channel when axis is given. Sums are kept in float64.
 * @param {Float32Array} x the original
 * @param {Float32Array} xHat the reconstruction (e.g. dequantize(quantize(x)))
 * @param {{ shape?: number[], axis?: number }} [opts]
 * @returns {ErrorStats & { channels?: { mse: Float64Array, maxAbsError: Float64Array, sqnr: Float64Array } }}
 */
export function errorStats(x, xHat, opts) {
  typedArray('x', x, Float32Array);
  typedArray('xHat', xHat, Float32Array);
  const n = lengthOf(x);
  if (lengthOf(xHat) !== n) {
    throw new RangeError(`qdq-wasm: xHat must have the length of x (${n}), got ${lengthOf(xHat)}`);
  }
  const o = options('options', opts, ['shape', 'axis'], {});
  const perChannel = o.axis != null;
  const lay = perChannel ? channelLayout('x', n, o.shape, o.axis) : tensorLayout('x', n, o.shape);
  const rt = getRuntime();
  const acc = new Float64Array(3 * lay.channels); // sum (x - xHat)^2, sum x^2, max |x - xHat| per channel
  call(rt, [inout('acc', acc)], (p, c) => {
    stream(rt, n, [x, xHat], [], (slots, off, len) =>
      c.qdq_error_stats(slots.in[0], slots.in[1], len, off, lay.channels, lay.inner, p.acc));
  });
  let sse = 0, ssx = 0, maxAbs = 0;
  for (let c = 0; c < lay.channels; c++) {
    sse += acc[3 * c];
    ssx += acc[3 * c + 1];
    maxAbs = Math.max(maxAbs, acc[3 * c + 2]);
  }
  const total = summarize(sse, ssx, maxAbs, n);
  if (!perChannel) return total;
  const per = lay.channels === 0 ? 0 : n / lay.channels;
  const mse = new Float64Array(lay.channels), maxAbsError = new Float64Array(lay.channels), sqnr = new Float64Array(lay.channels);
  for (let c = 0; c < lay.channels; c++) {
    const s = summarize(acc[3 * c], acc[3 * c + 1], acc[3 * c + 2], per);
    mse[c] = s.mse;
    maxAbsError[c] = s.maxAbsError;
    sqnr[c] = s.sqnr;
  }
  return { ...total, channels: { mse, maxAbsError, sqnr } };
}
