// Observers: running ranges and the quantization parameters they imply, as
// torch.ao.quantization's observers (torch 1.13) compute them.
//   observe()          -> qdq_minmax             (src/operators/statistics.c)
//     moving averages  -> qdq_moving_average_minmax (src/operators/qparams.c)
//   calculateQParams() -> qdq_calculate_qparams  (src/operators/qparams.c, via js/ops/qparams.js)

import { ERROR_OUT_OF_MEMORY } from '../runtime/abi.js';
import { call, inout, input, stream } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { channelLayout } from './tensor.js';
import { describe, integer, lengthOf, typedArray } from '../runtime/validate.js';
import { OBSERVER_KEYS, observerSettings, PER_CHANNEL, PER_TENSOR, qparamsOf } from './qparams.js';
import { aminmaxZero, perChannelZeroSigns } from './zero-sign.js';
import { copyState } from './copy-state.js';

export { FLOAT32_EPS } from './qparams.js';
/** @typedef {import('./qparams.js').ObserverOptions} ObserverOptions */

/**
 * Work per element of a min/max (the units of js/ops/quantize.js's
 * WORK): the kernel, about half of quantize's 14, and 1.5 per byte copied in.
 * Its windows (qdq_minmax_streamed) split only while the workers poll, as
 * after a model's layer: on a 2-vCPU AMD EPYC VM, split right after a GEMM
 * they ran 1.14-1.36x one thread from 512 Ki to 4 Mi elements, and after a 3 ms
 * pause 0.78-1.09x (busy) and 0.43-0.84x (idle: a timer)
 * (bench/probes/stream-windows.js --ops minmax; docs/threads.md T5).
 */
const MINMAX_WORK = 7 + 1.5 * 4;
/**
 * Per channel, windows only when each channel run holds at least this many
 * elements: the windowed operator keeps every run's range until its region
 * ends (16 bytes a run). Shorter runs keep the staging chunks.
 */
const MIN_WINDOW_RUN = 1024;

/**
 * Per-channel minima and maxima of x laid out as lay.
 * @param {Float32Array} x @param {import('./tensor.js').Layout} lay
 * @returns {{ mins: Float32Array, maxs: Float32Array }}
 */
function channelMinMax(x, lay) {
  const c = lay.channels;
  const mins = new Float32Array(c).fill(Infinity);
  const maxs = new Float32Array(c).fill(-Infinity);
  const n = lengthOf(x);
  if (n === 0) return { mins, maxs };
  const rt = getRuntime();
  call(rt, [inout('mins', mins), inout('maxs', maxs)], (p, fn) => {
    stream(rt, n, [x], [], (slots, off, len, _, streamed) => {
      const bad = (streamed ? fn.qdq_minmax_streamed : fn.qdq_minmax)(slots.in[0], len, off, c, lay.inner, p.mins, p.maxs);
      if (bad >= 0) throw new RangeError(`qdq-wasm: x[${off + bad}] is ${x[off + bad]}; observers need finite values`);
      if (bad === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in observe');
      if (bad !== -1) throw new Error(`qdq-wasm: internal: qdq_minmax_streamed returned ${bad} for a window of ${len}`);
    }, c === 1 || lay.inner >= MIN_WINDOW_RUN ? MINMAX_WORK : 0, Infinity);
  });
  return { mins, maxs };
}

/**
 * The moving-average update of running ranges (qdq_moving_average_minmax), in place.
 * @param {Float32Array} mins @param {Float32Array} maxs @param {Float32Array} batchMins @param {Float32Array} batchMaxs
 * @param {number} c the averaging constant
 */
function movingAverage(mins, maxs, batchMins, batchMaxs, c) {
  const n = lengthOf(batchMins);
  runningRanges(mins, maxs, n);
  call(getRuntime(), [inout('mins', mins), inout('maxs', maxs), input('bmins', batchMins), input('bmaxs', batchMaxs)],
    (p, fn) => fn.qdq_moving_average_minmax(n, p.mins, p.maxs, p.bmins, p.bmaxs, c));
}

/**
 * The running per-channel ranges, checked before they go to C: minVal and
 * maxVal are writable properties, and one assigned after the fact must not
 * size a region differently from the channel count the operator uses.
 * @param {unknown} mins @param {unknown} maxs @param {number} [n] the channel count they must have
 * @returns {{ mins: Float32Array, maxs: Float32Array }}
 */
function runningRanges(mins, maxs, n) {
  const lo = typedArray('minVal', mins, Float32Array), hi = typedArray('maxVal', maxs, Float32Array);
  const c = n ?? lengthOf(lo);
  if (lengthOf(lo) !== c || lengthOf(hi) !== c) {
    throw new RangeError(`qdq-wasm: the observer's minVal and maxVal must have one entry per channel (${c}), ` +
      `got ${lengthOf(lo)} and ${lengthOf(hi)}: they cannot be assigned (call reset() instead)`);
  }
  return { mins: lo, maxs: hi };
}

/**
 * torch 1.13's check_min_max_valid: qparams need min <= max in every channel. A moving average can break
 * that in float32 (its difference overflows to ±Infinity, or a batch far inside a huge running range
 * cancels to 0), and torch then asserts rather than compute; so do we. The no-data pair is not checked.
 * @param {ArrayLike<number>} mins @param {ArrayLike<number>} maxs @param {boolean} perChannel
 */
function checkOrdered(mins, maxs, perChannel) {
  for (let c = 0; c < mins.length; c++) {
    if (mins[c] <= maxs[c] || (mins[c] === Infinity && maxs[c] === -Infinity)) continue;
    const at = perChannel ? `[${c}]` : '';
    throw new RangeError(`qdq-wasm: minVal${at} (${mins[c]}) must not exceed maxVal${at} (${maxs[c]}): the running range is ` +
      "unordered (a moving average can overflow or cancel in float32; torch 1.13's calculate_qparams asserts min <= max); call reset()");
  }
}

/** What every observer shares: its checked settings and the range they imply. */
class ObserverBase {
  /** @param {unknown} opts @param {readonly string[]} schemes @param {readonly string[]} keys valid option keys */
  constructor(opts, schemes, keys) {
    /** @protected */
    this.settings = observerSettings(opts, schemes, 'uint8', keys);
    this.dtype = this.settings.dtype;
    this.qscheme = this.settings.qscheme;
    /** Bounds used for qparams: [quantMin, quantMax] after reduceRange. */
    this.quantMin = this.settings.qmin;
    this.quantMax = this.settings.qmax;
  }

  /**
   * A copy with the same settings and the state seen so far, observed on independently from then
   * on (what clone() of a prepared model gives each copied module, as torch's deepcopy does).
   * @returns {this}
   */
  clone() {
    return copyState(this);
  }
}

/**
 * Running min/max per tensor; qparams as torch.ao.quantization.MinMaxObserver.
 * @example
 * const obs = new MinMaxObserver({ dtype: 'int8' });
 * obs.observe(new Float32Array([1, 2, 3, 4, 5, 6]));
 * obs.calculateQParams(); // { scale: 0.0235294122248888, zeroPoint: -128 }
 */
export class MinMaxObserver extends ObserverBase {
  /** @param {ObserverOptions} [opts] */
  constructor(opts) {
    super(opts, PER_TENSOR, new.target === MinMaxObserver ? OBSERVER_KEYS : [...OBSERVER_KEYS, 'averagingConstant']);
    /** Running minimum (float32); +Infinity before any data. */
    this.minVal = Infinity;
    /** Running maximum (float32); -Infinity before any data. */
    this.maxVal = -Infinity;
  }

  /**
   * Folds x into the running range. Empty tensors are ignored. Throws a
   * RangeError naming the first NaN or infinity, leaving the state as it was.
   * @param {Float32Array} x
   * @returns {Float32Array} x, as PyTorch's forward returns its input
   */
  observe(x) {
    typedArray('x', x, Float32Array);
    const n = lengthOf(x);
    if (n === 0) return x;
    const { mins, maxs } = channelMinMax(x, { shape: [n], axis: 0, channels: 1, inner: n });
    // A zero extreme gets the sign torch.aminmax(x) gives it (docs/observers.md, Z1).
    if (mins[0] === 0 || maxs[0] === 0) {
      const z = aminmaxZero(x) ?? 0; // a zero extreme: x holds a zero
      if (mins[0] === 0) mins[0] = z;
      if (maxs[0] === 0) maxs[0] = z;
    }
    this.update(mins[0], maxs[0]);
    return x;
  }

  /** @protected @param {number} lo @param {number} hi */
  update(lo, hi) {
    // torch.min(new, old) and torch.max(new, old) of 0-d tensors: std::min(new, old) and
    // std::max(new, old), which keep the new value on a tie (-0 replaces +0 and vice versa; Z3).
    this.minVal = this.minVal < lo ? this.minVal : lo;
    this.maxVal = hi < this.maxVal ? this.maxVal : hi;
  }

  /**
   * Scale and zero point for the range seen so far (E1-E4).
   * @returns {{ scale: number, zeroPoint: number }}
   */
  calculateQParams() {
    checkOrdered([this.minVal], [this.maxVal], false);
    const { scales, zeroPoints } = qparamsOf(Float32Array.of(this.minVal), Float32Array.of(this.maxVal), this.settings);
    return { scale: scales[0], zeroPoint: zeroPoints[0] };
  }

  /** Forgets the range seen so far. */
  reset() {
    this.minVal = Infinity;
    this.maxVal = -Infinity;
  }
}

/**
 * Exponential moving average of per-batch min/max, as
 * torch.ao.quantization.MovingAverageMinMaxObserver: the first batch sets the
 * range, then min += averagingConstant * (batchMin - min) in float32.
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  /** @param {ObserverOptions & { averagingConstant?: number }} [opts] */
  constructor(opts) {
    super(opts);
    this.averagingConstant = averagingConstant(opts?.averagingConstant ?? 0.01);
  }

  /** @protected @param {number} lo @param {number} hi */
  update(lo, hi) {
    if (this.minVal === Infinity && this.maxVal === -Infinity) {
      this.minVal = lo;
      this.maxVal = hi;
      return;
    }
    const mins = Float32Array.of(this.minVal), maxs = Float32Array.of(this.maxVal);
    movingAverage(mins, maxs, Float32Array.of(lo), Float32Array.of(hi), this.averagingConstant);
    this.minVal = mins[0];
    this.maxVal = maxs[0];
  }
}

/** @param {unknown} c @returns {number} */
function averagingConstant(c) {
  if (typeof c !== 'number') throw new TypeError(`qdq-wasm: averagingConstant must be a number, got ${describe(c)}`);
  if (!(c >= 0 && c <= 1)) throw new RangeError(`qdq-wasm: averagingConstant must be in [0, 1], got ${c}`);
  return c;
}

/**
 * Running min/max per slice along an axis; qparams per channel, as
 * torch.ao.quantization.PerChannelMinMaxObserver.
 * @example
 * const obs = new PerChannelMinMaxObserver({ axis: 0, dtype: 'int8' });
 * obs.observe(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * obs.calculateQParams(); // { scales: Float32Array [3/255, 6/255], zeroPoints: Int32Array [-128, -128] }
 */
export class PerChannelMinMaxObserver extends ObserverBase {
  /** @param {ObserverOptions & { axis?: number }} [opts] */
  constructor(opts) {
    super(opts, PER_CHANNEL, new.target === PerChannelMinMaxObserver ? [...OBSERVER_KEYS, 'axis']
      : [...OBSERVER_KEYS, 'axis', 'averagingConstant']);
    /** Channel axis (PyTorch's ch_axis); negative counts from the end. */
    this.axis = integer('axis', opts?.axis ?? 0);
    /** Running per-channel minima; empty before any data. */
    this.minVal = new Float32Array(0);
    /** Running per-channel maxima; empty before any data. */
    this.maxVal = new Float32Array(0);
  }

  /**
   * Folds x, of the given shape, into the running per-channel ranges.
   * @param {Float32Array} x
   * @param {number[]} shape
   * @returns {Float32Array} x
   */
  observe(x, shape) {
    typedArray('x', x, Float32Array);
    const lay = channelLayout('x', lengthOf(x), shape, this.axis);
    // An empty tensor changes nothing, its channel count included: torch's forward returns it before
    // looking at it (x.numel() == 0), so calculateQParams() still gives one channel of (1, 0) after it.
    if (lengthOf(x) === 0) return x;
    if (this.minVal.length !== 0 && this.minVal.length !== lay.channels) {
      throw new RangeError(`qdq-wasm: x has ${lay.channels} channels along axis ${this.axis}, but the observer has seen ${this.minVal.length}`);
    }
    const { mins, maxs } = channelMinMax(x, lay);
    // Zero extremes get the signs torch.aminmax(y, dim=1) gives them (docs/observers.md, Z2).
    perChannelZeroSigns(x, lay, mins, maxs);
    this.update(mins, maxs);
    return x;
  }

  /** @protected @param {Float32Array} mins @param {Float32Array} maxs */
  update(mins, maxs) {
    if (this.minVal.length === 0) {
      this.minVal = mins;
      this.maxVal = maxs;
      return;
    }
    // torch.min(new, old) / torch.max(new, old) elementwise (Z3): cpu_kernel_vec runs channels
    // [0, 16 * floor(C / 16)) through _mm256_min_ps(new, old) / _mm256_max_ps(new, old), which keep
    // the old value on a tie, and the rest through std::min(new, old) / std::max(new, old), which
    // keep the new one. Only the sign of a zero can tell them apart.
    const c16 = mins.length - (mins.length % 16);
    for (let c = 0; c < mins.length; c++) {
      const lo = mins[c], hi = maxs[c], oldLo = this.minVal[c], oldHi = this.maxVal[c];
      this.minVal[c] = c < c16 ? (lo < oldLo ? lo : oldLo) : (oldLo < lo ? oldLo : lo);
      this.maxVal[c] = c < c16 ? (hi > oldHi ? hi : oldHi) : (hi < oldHi ? oldHi : hi);
    }
  }

  /**
   * Scales and zero points per channel (E1-E4). Before any data, one channel
   * with scale 1 and zero point 0, as PyTorch returns.
   * @returns {{ scales: Float32Array, zeroPoints: Int32Array }}
   */
  calculateQParams() {
    if (this.minVal.length === 0) return { scales: Float32Array.of(1), zeroPoints: Int32Array.of(0) };
    const { mins, maxs } = runningRanges(this.minVal, this.maxVal);
    checkOrdered(mins, maxs, true);
    const { scales, zeroPoints } = qparamsOf(mins, maxs, this.settings);
    return { scales, zeroPoints };
  }

  /** Forgets the ranges seen so far. */
  reset() {
    this.minVal = new Float32Array(0);
    this.maxVal = new Float32Array(0);
  }
}

/**
 * Per-channel exponential moving average of min/max, as
 * torch.ao.quantization.MovingAveragePerChannelMinMaxObserver.
 */
export class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
  /** @param {ObserverOptions & { axis?: number, averagingConstant?: number }} [opts] */
  constructor(opts) {
    super(opts);
    this.averagingConstant = averagingConstant(opts?.averagingConstant ?? 0.01);
  }

  /** @protected @param {Float32Array} mins @param {Float32Array} maxs */
  update(mins, maxs) {
    // No data yet (empty tensors leave no state): torch's test is numel() == 0; a channel whose
    // average overflowed to Infinity goes on averaging (to NaN).
    if (this.minVal.length === 0) {
      this.minVal = mins;
      this.maxVal = maxs;
      return;
    }
    movingAverage(this.minVal, this.maxVal, mins, maxs, this.averagingConstant);
  }
}
