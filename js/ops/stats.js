// Error statistics of a reconstruction against its original (E10):
// errorStats -> qdq_error_stats (src/operators/statistics.c), or on several
//   threads qdq_error_stats_streamed, in windows (docs/threads.md T5).

import { ERROR_OUT_OF_MEMORY } from '../runtime/abi.js';
import { call, inout, stream } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { channelLayout, tensorLayout } from './tensor.js';
import { lengthOf, options, typedArray } from '../runtime/validate.js';

/**
 * Work per element of error statistics in windows (the units of
 * js/ops/quantize.js's WORK): the kernel's QDQ_ERROR_STATS_WORK
 * (src/operators/statistics.c) and 1.5 per byte copied in (x and xHat).
 * While the workers poll they split from ~96 Ki elements on two threads.
 */
const ERROR_STATS_WORK = 75 + 1.5 * 8;
/**
 * While the workers sleep, windows need twice the usual work (Pool#splitsStream):
 * from ~1.5 Mi elements on two threads. On a 2-vCPU AMD EPYC VM every window
 * split ran, against one thread, 1.09-1.80x from 512 Ki after a 3 ms busy
 * pause, but after a 3 ms timer 0.44x at 512 Ki, 0.50x at 1 Mi and 1.49x at
 * 2 Mi: a split then loses a millisecond or two (bench/probes/stream-windows.js
 * --ops error-stats; docs/threads.md T5).
 */
const ERROR_STATS_ASLEEP_SCALE = 2;
/**
 * Per channel, windows only when each channel run holds at least this many
 * elements: the windowed operator keeps every run's sums until its region
 * ends (32 bytes a run: 32 KiB for a window of 1 Mi elements at this length).
 * Shorter runs keep the staging chunks, split by channels (docs/threads.md T4).
 */
const MIN_WINDOW_RUN = 1024;

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
    stream(rt, n, [x, xHat], [], (slots, off, len, _, streamed) => {
      const status = (streamed ? c.qdq_error_stats_streamed : c.qdq_error_stats)(slots.in[0], slots.in[1], len, off,
        lay.channels, lay.inner, p.acc);
      if (status === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in errorStats');
      if (status !== 0) throw new Error(`qdq-wasm: internal: qdq_error_stats_streamed returned ${status} for a window of ${len}`);
    }, lay.channels === 1 || lay.inner >= MIN_WINDOW_RUN ? ERROR_STATS_WORK : 0, ERROR_STATS_ASLEEP_SCALE);
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
