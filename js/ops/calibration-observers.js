// Calibration observers that look at the distribution, not only the extremes
// (docs/observers.md):
//   HistogramObserver.observe()            -> qdq_histogram_observer_observe  (src/operators/histogram.c)
//   HistogramObserver.calculateQParams()   -> qdq_histogram_observer_qparams  (src/operators/histogram-qparams.c)
//   PercentileObserver / EntropyObserver   -> qdq_minmax (the batch's range), qdq_calib_histogram_bins_after,
//     .observe()                              qdq_calib_histogram_observe     (src/operators/calibration.c)
//     .calculateRange()                    -> qdq_calib_percentile_range / qdq_calib_entropy_range
//                                                                             (src/operators/calibration-range.c)
// Every observer's state lives in a typed array that the observer owns; the
// binding copies it into wasm memory for each call and back.

import {
  CALIB_ABSOLUTE, CALIB_STATE_HEADER, ENTROPY_FRACTIONAL_Q, ERROR_HISTOGRAM_INT64, ERROR_HISTOGRAM_RANGE,
  ERROR_HISTOGRAM_SHAPE, ERROR_OUT_OF_MEMORY, FLAG_INPUT_STREAMED, HISTOGRAM_EXACT_BOUNDS, QPARAMS_CUSTOM_RANGE, QPARAMS_SYMMETRIC,
  QPARAMS_UINT8,
} from '../runtime/abi.js';
import { call, inout, input, output, scratch } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { boolean, describe, integer, lengthOf, oneOf, options, typedArray } from '../runtime/validate.js';
import { OBSERVER_KEYS, observerSettings, PER_TENSOR, qparamsOf } from './qparams.js';
import { aminmaxZero } from './zero-sign.js';
import { copyState } from './copy-state.js';

/** @typedef {import('./qparams.js').ObserverOptions} ObserverOptions */
/** @typedef {import('./qparams.js').Settings} Settings */

/** Largest bin count: float32 counts and indices stay exact below 2^24. */
const MAX_BINS = 2 ** 24;
/** The most elements qdq_minmax_streamed takes from the start of a tensor: 64 blocks of 64 Ki (src/qdq.h). */
const MINMAX_STREAMED_MAX = 64 * 65536;

/** @param {Settings} s */
function qparamsFlags(s) {
  return (s.symmetric ? QPARAMS_SYMMETRIC : 0) | (s.dtype === 'uint8' ? QPARAMS_UINT8 : 0) | (s.custom ? QPARAMS_CUSTOM_RANGE : 0);
}

/**
 * An observer's state array, checked before it goes to C: the observers'
 * properties are writable from JavaScript, and a state array or bin count
 * assigned after construction must not size a region differently from
 * what the operator reads and writes (a TypeError or RangeError instead).
 * @param {string} name @param {unknown} state @param {Float32ArrayConstructor | Float64ArrayConstructor} Type
 * @param {number} length what the state's length must be
 */
function checkState(name, state, Type, length) {
  const s = typedArray(name, state, Type);
  if (lengthOf(s) !== length) {
    throw new RangeError(`qdq-wasm: ${name} has ${lengthOf(s)} entries but the observer needs ${length}: ` +
      'its state and bins cannot be assigned (create a new observer)');
  }
  return s;
}

/** @param {Float32Array} x @param {number} bad index of the first non-finite element */
function nonFinite(x, bad) {
  return new RangeError(`qdq-wasm: x[${bad}] is ${x[bad]}; observers need finite values`);
}

/**
 * An observer option: an integer in [lo, hi], or the default.
 * @param {Record<string, any>} o @param {string} name @param {number} fallback @param {number} lo @param {number} hi
 */
function intOption(o, name, fallback, lo, hi) {
  return o[name] == null ? fallback : integer(name, o[name], lo, hi);
}

/**
 * The observer settings. torch 1.13 refuses reduce_range with a symmetric
 * quint8 qscheme in MinMaxObserver only; HistogramObserver accepts it and
 * halves the range as calculate_qmin_qmax does, so the check is skipped here
 * and the halving applied by hand.
 * @param {unknown} opts @param {readonly string[]} keys the valid option keys @returns {Settings}
 */
function settingsOf(opts, keys) {
  const o = options('options', opts, keys, {});
  const reduceRange = boolean('reduceRange', o.reduceRange ?? false);
  const s = observerSettings({ ...o, reduceRange: false }, PER_TENSOR, 'uint8', keys);
  if (!reduceRange) return s;
  const [qmin, qmax] = s.custom ? [Math.floor(s.qmin / 2), Math.floor(s.qmax / 2)] : s.dtype === 'int8' ? [-64, 63] : [0, 127];
  return { ...s, reduceRange, qmin, qmax };
}

/** What the three observers share: settings, quant range, and the qparams of a range. */
class DistributionObserver {
  /** @param {unknown} opts @param {readonly string[]} keys the valid option keys */
  constructor(opts, keys) {
    /** @protected */
    this.settings = settingsOf(opts, keys);
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

  /**
   * Scale and zero point of a chosen range (E1-E4).
   * @protected @param {number} lo @param {number} hi
   * @returns {{ scale: number, zeroPoint: number }}
   */
  qparamsOfRange(lo, hi) {
    const { scales, zeroPoints } = qparamsOf(Float32Array.of(lo), Float32Array.of(hi), this.settings);
    return { scale: scales[0], zeroPoint: zeroPoints[0] };
  }

  /** Where minVal, maxVal and the counts sit in this.state (the C state layout). @protected */
  get layout() {
    return { min: 0, max: 1, counts: 2 };
  }

  /** Smallest value seen (float32; torch widens it as it merges); +Infinity before any data. */
  get minVal() {
    return /** @type {any} */ (this).state[this.layout.min];
  }

  /** Largest value seen; -Infinity before any data. */
  get maxVal() {
    return /** @type {any} */ (this).state[this.layout.max];
  }

  /** A copy of the bin counts over [minVal, maxVal] (the collectors' histogram grows with the range). */
  get histogram() {
    return /** @type {any} */ (this).state.slice(this.layout.counts);
  }
}

/**
 * torch.ao.quantization.HistogramObserver of torch 1.13, bit for bit: a
 * running float32 histogram of `bins` bins over [minVal, maxVal], merged
 * across batches by upsampling, and qparams from the range that minimizes
 * the L2 quantization error (docs/observers.md, H1-H9).
 * @example
 * const obs = new HistogramObserver({ reduceRange: true }); // fbgemm's activation observer
 * obs.observe(activations);                                  // once per calibration batch
 * const { scale, zeroPoint } = obs.calculateQParams();
 */
export class HistogramObserver extends DistributionObserver {
  /**
   * @param {ObserverOptions & { bins?: number, upsampleRate?: number, histcBounds?: 'truncated' | 'exact' }} [opts]
   *   bins: default 2048; upsampleRate: default 128; histcBounds: 'truncated' (default) bins each batch
   *   over [int(min), int(max)] as torch 1.13 does, 'exact' over [min, max] as PyTorch >= 2.0 does
   */
  constructor(opts) {
    const keys = [...OBSERVER_KEYS, 'bins', 'upsampleRate', 'histcBounds'];
    super(opts, keys);
    const o = options('options', opts, keys, {});
    /** Number of histogram bins. */
    this.bins = intOption(o, 'bins', 2048, 1, MAX_BINS);
    /** Upsampling factor used when the range grows; bins * upsampleRate <= 2^28 (the cells a merge visits). */
    this.upsampleRate = intOption(o, 'upsampleRate', 128, 1, Math.floor(2 ** 28 / this.bins));
    /** 'truncated' (torch 1.13) or 'exact' (PyTorch >= 2.0, pytorch#90355). */
    this.histcBounds = oneOf('histcBounds', o.histcBounds ?? 'truncated', /** @type {const} */ (['truncated', 'exact']));
    /** @private [min_val, max_val, histogram...] as in src/qdq.h */
    this.state = new Float32Array(2 + this.bins);
    this.reset();
  }


  /**
   * Adds x to the histogram, as HistogramObserver.forward. Empty x is ignored.
   * Throws a RangeError, leaving the state as it was, for a NaN or infinity,
   * and where torch 1.13 raises: bounds past int64 with histcBounds
   * 'truncated', a range that grows too far at once, or a resampled
   * histogram that does not fit its grid.
   * @param {Float32Array} x
   * @returns {Float32Array} x, as PyTorch's forward returns its input
   */
  observe(x) {
    typedArray('x', x, Float32Array);
    const n = lengthOf(x);
    if (n === 0) return x;
    const { bins: b, state } = this.checked();
    const flags = this.histcBounds === 'exact' ? HISTOGRAM_EXACT_BOUNDS : 0;
    // The state is copied back only on success: the operator leaves it alone on errors.
    const next = Float32Array.from(state);
    // x is streamed into the operator's min/max region, its copy overlapping the workers' folds,
    // when its binning splits (that region then runs on as many threads).
    const rt = getRuntime();
    const streamable = rt.exports.qdq_histogram_observer_threads(n, b) > 1;
    const r = call(rt, [inout('state', next), input('x', x, streamable), scratch('scratch', 4 * b)],
      (p, c, unwritten) => c.qdq_histogram_observer_observe(p.state, b, this.upsampleRate, p.x, n,
        flags | (unwritten.has('x') ? FLAG_INPUT_STREAMED : 0), p.scratch)).status;
    if (r === 0) {
      zeroExtremeSigns(x, state, next);
      state.set(next);
    }
    if (r > 0) throw nonFinite(x, r - 1);
    if (r === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in observe');
    if (r === ERROR_HISTOGRAM_INT64) {
      throw new RangeError("qdq-wasm: x's range passes the int64 bounds that torch 1.13's histc(min=int(min), max=int(max)) needs (torch raises); use histcBounds: 'exact'");
    }
    if (r === ERROR_HISTOGRAM_RANGE) {
      throw new RangeError(`qdq-wasm: the range cannot grow from [${state[0]}, ${state[1]}] to include x: its resampling rate is not finite (torch 1.13 fails too)`);
    }
    if (r === ERROR_HISTOGRAM_SHAPE) {
      throw new RangeError("qdq-wasm: the resampled histogram overhangs its grid for this x (torch 1.13 raises 'shape mismatch' here)");
    }
    return x;
  }

  /**
   * Scale and zero point from the L2 search over the histogram (H8, then E1-E4);
   * scale 1 and zero point 0 before any data, as torch.
   * @returns {{ scale: number, zeroPoint: number }}
   */
  calculateQParams() {
    const s = this.settings;
    const { bins, state } = this.checked();
    const r = call(getRuntime(), [input('state', state), output('out', Float32Array, 3), output('zp', Int32Array, 1)],
      (p, c) => c.qdq_histogram_observer_qparams(p.state, bins, s.qmin, s.qmax, qparamsFlags(s), s.eps, p.out, p.zp));
    if (r.status === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in calculateQParams');
    return { scale: r.out[0], zeroPoint: r.zp[0] };
  }

  /**
   * bins, upsampleRate and the state, checked as the constructor left them.
   * @private @returns {{ bins: number, state: Float32Array }}
   */
  checked() {
    const bins = integer('bins', this.bins, 1, MAX_BINS);
    integer('upsampleRate', this.upsampleRate, 1, Math.floor(2 ** 28 / bins));
    return { bins, state: checkState('HistogramObserver state', this.state, Float32Array, 2 + bins) };
  }

  /** Forgets everything seen: min +Infinity, max -Infinity, an empty histogram. */
  reset() {
    this.state.fill(0);
    this.state[0] = Infinity;
    this.state[1] = -Infinity;
  }
}

/**
 * minVal and maxVal with the sign torch.aminmax(x) gives a zero extreme (docs/observers.md, Z1),
 * where the state takes the batch's own extreme: both after a reset (H4), and the minimum when
 * torch.min(new, old) keeps the new one (a tie included). The maximum of a merge is combined_max +
 * e, whose zero is +0 in torch and in the operator alike.
 * @param {Float32Array} x @param {Float32Array} old the state before the batch @param {Float32Array} next after it
 */
function zeroExtremeSigns(x, old, next) {
  const reset = (old[0] === Infinity && old[1] === -Infinity) || old[0] === old[1];
  if (next[0] === 0 && (reset || !(old[0] < 0))) {
    // Not a reset: the minimum is the batch's zero when the batch holds one (else the old one).
    const z = aminmaxZero(x);
    if (z !== undefined) next[0] = z;
  }
  if (reset && next[1] === 0) next[1] = /** @type {number} */ (aminmaxZero(x));
}

/**
 * A growable double-precision histogram as onnxruntime's HistogramCollector
 * keeps it (P1, P2), shared by the percentile and entropy observers.
 */
class CollectorObserver extends DistributionObserver {
  /**
   * @param {unknown} opts @param {readonly string[]} keys the valid option keys
   * @param {number} defaultBins @param {boolean} absolute
   */
  constructor(opts, keys, defaultBins, absolute) {
    super(opts, keys);
    const o = options('options', opts, keys, {});
    /** Initial number of histogram bins (it grows with the range). */
    this.bins = intOption(o, 'bins', defaultBins, 1, MAX_BINS);
    /** @private */
    this.flags = absolute ? CALIB_ABSOLUTE : 0;
    /** @private [lo, width, min, max, bins, T, counts...] as in src/qdq.h */
    this.state = new Float64Array(0);
    this.reset();
  }

  /** [lo, width, min, max, bins, T, counts...] as in src/qdq.h. @protected */
  get layout() {
    return { min: 2, max: 3, counts: CALIB_STATE_HEADER };
  }

  /** The histogram's bin edges: lo + i * width, i = 0..bins. */
  get binEdges() {
    const [lo, width, , , bins] = this.state;
    return Float64Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  }

  /**
   * Adds x to the histogram, growing it when x passes its range. Empty x is
   * ignored. Throws a RangeError, leaving the state as it was, for a NaN or
   * infinity or a range that grows past 2^40 bins.
   * @param {Float32Array} x
   * @returns {Float32Array} x
   */
  observe(x) {
    typedArray('x', x, Float32Array);
    const n = lengthOf(x);
    if (n === 0) return x;
    const flags = this.flags, rt = getRuntime();
    // Where the binning splits, x is streamed into both passes over it (their copies overlapping the
    // workers' min/max and binning), the min/max while it fits qdq_minmax_streamed's 64 blocks.
    const state = this.checked();
    const split = rt.exports.qdq_calib_histogram_threads(n, state[4] || this.bins) > 1;
    const lo1 = Float32Array.of(Infinity), hi1 = Float32Array.of(-Infinity);
    const bad = call(rt, [input('x', x, split && n <= MINMAX_STREAMED_MAX), inout('lo', lo1), inout('hi', hi1)],
      (p, c, unwritten) => (unwritten.has('x') ? c.qdq_minmax_streamed : c.qdq_minmax)(p.x, n, 0, 1, n, p.lo, p.hi)).status;
    if (bad >= 0) throw nonFinite(x, bad);
    if (bad === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in observe');
    const lo = lo1[0], hi = hi1[0];
    const grown = new Float64Array(CALIB_STATE_HEADER + this.binsAfter(lo, hi));
    grown.set(state);
    // x is streamed into the binning region, its copy overlapping the workers' binning; but the first
    // batch of |x| reads x before (the range of |x|).
    const streamable = split && !((flags & CALIB_ABSOLUTE) !== 0 && grown[2] === Infinity);
    const r = call(rt, [inout('state', grown), input('x', x, streamable)], (p, c, unwritten) =>
      c.qdq_calib_histogram_observe(p.state, p.x, n, lo, hi, flags | (unwritten.has('x') ? FLAG_INPUT_STREAMED : 0))).status;
    if (r !== 0) throw new RangeError(`qdq-wasm: the histogram cannot grow from [${this.minVal}, ${this.maxVal}] to include x (past 2^40 bins)`);
    this.state = grown;
    return x;
  }

  /**
   * The bin count after observing a batch whose min and max are lo and hi.
   * @private @param {number} lo @param {number} hi
   */
  binsAfter(lo, hi) {
    const header = this.checked().subarray(0, CALIB_STATE_HEADER);
    const bins = call(getRuntime(), [input('state', header)],
      (p, c) => c.qdq_calib_histogram_bins_after(p.state, lo, hi, this.flags)).status;
    if (bins === 0) throw new RangeError(`qdq-wasm: the histogram cannot grow from [${this.minVal}, ${this.maxVal}] to [${lo}, ${hi}] (past 2^40 bins)`);
    return bins;
  }

  /**
   * The calibrated range as floats, or null before any data.
   * @protected @param {(c: Record<string, (...args: number[]) => number>, state: number, out: number) => number} fn the C range function
   * @returns {{ min: number, max: number } | null}
   */
  rangeWith(fn) {
    const r = call(getRuntime(), [input('state', this.checked()), output('out', Float32Array, 2)], (p, c) => fn(c, p.state, p.out));
    if (r.status === ERROR_OUT_OF_MEMORY) throw new RangeError('qdq-wasm: out of WebAssembly memory in calculateRange');
    return r.status === 0 ? { min: r.out[0], max: r.out[1] } : null;
  }

  /**
   * @abstract
   * @returns {{ min: number, max: number } | null}
   */
  calculateRange() {
    return null;
  }

  /**
   * Scale and zero point of calculateRange() (E1-E4); scale 1, zero point 0
   * before any data.
   * @returns {{ scale: number, zeroPoint: number }}
   */
  calculateQParams() {
    const r = this.calculateRange();
    return r === null ? { scale: 1, zeroPoint: 0 } : this.qparamsOfRange(r.min, r.max);
  }

  /**
   * The state, checked: a Float64Array whose length is what its header's bin count says (C reads that count).
   * @private @returns {Float64Array}
   */
  checked() {
    const state = typedArray('observer state', this.state, Float64Array);
    const bins = lengthOf(state) > CALIB_STATE_HEADER ? state[4] : NaN;
    if (!Number.isInteger(bins) || bins < 1 || lengthOf(state) !== CALIB_STATE_HEADER + bins) {
      throw new RangeError(`qdq-wasm: the observer's state (${lengthOf(state)} entries, bin count ${bins}) is not one it built: ` +
        'its state cannot be assigned (create a new observer)');
    }
    return state;
  }

  /** Forgets everything seen, back to `bins` empty bins. */
  reset() {
    this.state = new Float64Array(CALIB_STATE_HEADER + this.bins);
    this.state.set([0, 0, Infinity, -Infinity, this.bins, 0]);
  }
}

/**
 * Percentile calibration as onnxruntime's PercentileCalibrater defines it
 * (docs/observers.md, P1-P3): a histogram of |x| (symmetric, the default) or
 * of x, and the range where its cdf reaches the percentile, clamped to the
 * values seen.
 * @example
 * const obs = new PercentileObserver({ percentile: 99.99, dtype: 'int8', qscheme: 'per_tensor_symmetric' });
 * obs.observe(activations);
 * obs.calculateRange();   // { min, max }
 * obs.calculateQParams(); // { scale, zeroPoint }
 */
export class PercentileObserver extends CollectorObserver {
  /**
   * @param {ObserverOptions & { bins?: number, percentile?: number, symmetric?: boolean }} [opts]
   *   bins: default 2048; percentile: in [0, 100], default 99.999; symmetric: histogram of |x| and a
   *   range [-t, t] (default true, onnxruntime's default), else a two-sided cut of x's histogram
   */
  constructor(opts) {
    const keys = [...OBSERVER_KEYS, 'bins', 'percentile', 'symmetric'];
    const o = options('options', opts, keys, {});
    const symmetric = boolean('symmetric', o.symmetric ?? true);
    super(opts, keys, 2048, symmetric);
    /** onnxruntime's symmetric option. */
    this.symmetric = symmetric;
    const p = o.percentile ?? 99.999;
    if (typeof p !== 'number') throw new TypeError(`qdq-wasm: percentile must be a number, got ${describe(p)}`);
    if (!(p >= 0 && p <= 100)) throw new RangeError(`qdq-wasm: percentile must be in [0, 100], got ${p}`);
    /** The percentile, in [0, 100]. */
    this.percentile = p;
  }

  /**
   * The percentile range (P3), or null before any data.
   * @returns {{ min: number, max: number } | null}
   */
  calculateRange() {
    return this.rangeWith((ex, sp, out) => ex.qdq_calib_percentile_range(sp, this.percentile, this.flags, out));
  }
}

/**
 * Entropy (KL-divergence) calibration as onnxruntime's EntropyCalibrater
 * defines it, after TensorRT (docs/observers.md, K1-K5): of the symmetric
 * windows around zero, the one whose quantization to quantizedBins bins
 * loses the least information.
 * @example
 * const obs = new EntropyObserver({ bins: 2048, quantizedBins: 128 });
 * obs.observe(activations);
 * obs.calculateQParams(); // { scale, zeroPoint }
 */
export class EntropyObserver extends CollectorObserver {
  /**
   * @param {ObserverOptions & { bins?: number, quantizedBins?: number, fractionalQ?: boolean }} [opts]
   *   bins: default 128; quantizedBins: default 128, at most bins; fractionalQ: keep the expanded
   *   candidate distribution fractional (TensorRT) instead of truncating it to integers
   *   (onnxruntime, the default false)
   */
  constructor(opts) {
    const keys = [...OBSERVER_KEYS, 'bins', 'quantizedBins', 'fractionalQ'];
    super(opts, keys, 128, false);
    const o = options('options', opts, keys, {});
    /** Number of quantized bins each candidate is merged into. */
    this.quantizedBins = integer('quantizedBins', o.quantizedBins ?? 128, 1, this.bins);
    /** Whether q stays fractional (TensorRT) or is truncated (onnxruntime). */
    this.fractionalQ = boolean('fractionalQ', o.fractionalQ ?? false);
  }

  /**
   * The least-divergence range (K1-K5), or null before any data.
   * @returns {{ min: number, max: number } | null}
   */
  calculateRange() {
    const flags = this.fractionalQ ? ENTROPY_FRACTIONAL_Q : 0;
    return this.rangeWith((ex, sp, out) => ex.qdq_calib_entropy_range(sp, this.quantizedBins, flags, out));
  }
}
