// FakeQuantize with torch 1.13's FusedMovingAvgObsFakeQuantize semantics: while its
// observer is enabled, each forward() folds x into a moving-average min/max observer
// and recomputes scale and zero point; while fake-quant is enabled, it returns
// quantize-then-dequantize of x (PyTorch rounding) and keeps the straight-through mask.
//   observe        -> MovingAverage(PerChannel)MinMaxObserver (js/ops/observers.js)
//   forward's qparams -> qdq_choose_qparams (src/operators/choose-qparams.c, E12); calculateQParams(),
//                        what convert() takes, is the observer's (E1-E4)
//   fake-quantize  -> qdq_fake_quantize (fakeQuantizePerTensor / fakeQuantizePerChannel)

import { copyState } from '../ops/copy-state.js';
import { MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver } from '../ops/observers.js';
import { scaleCause } from '../ops/qparams.js';
import { fakeQuantizePerChannel, fakeQuantizePerTensor } from '../ops/quantize.js';
import { CHOOSE_PRESERVE_SPARSITY } from '../runtime/abi.js';
import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { boolean, lengthOf, oneOf, options, typedArray } from '../runtime/validate.js';

/** What FakeQuantize's qscheme may be. */
const QSCHEMES = /** @type {const} */ (['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric']);

/**
 * torch.ao.quantization.FusedMovingAvgObsFakeQuantize (and FakeQuantize with a moving-average observer).
 * Options are the observer's (dtype default 'uint8', qscheme, reduceRange, quantMin, quantMax, eps,
 * averagingConstant = 0.01, and axis = 0 for per-channel qschemes). Without quantMin and quantMax,
 * uint8 takes torch's defaults, quantMin 0 and quantMax 255, which torch hands to the observer as a
 * custom range: calculateQParams() then gives a symmetric uint8 tensor zero point 127, (0 + 255) // 2,
 * as torch does, while forward() uses the fused op's 128. (int8 needs a range in torch, whose
 * defaults are out of bounds for qint8; here it defaults to [-128, 127].) Per channel, torch 1.13's
 * fused op takes axis 0 only (any other is a RuntimeError there); here the observer and the
 * fake-quantization both run along `axis`, which is torch's result on the tensor with that axis
 * moved first.
 * @example
 * const fq = new FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric' });
 * const { output, mask } = fq.forward(weight, [outFeatures, inFeatures]);
 */
export class FakeQuantize {
  /** @param {Record<string, any>} [opts] */
  constructor(opts = {}) {
    const o = options('options', opts, ['dtype', 'qscheme', 'reduceRange', 'quantMin', 'quantMax', 'eps', 'averagingConstant', 'axis']);
    // Checked here, against all four: the observer chosen from it knows only its own two.
    const qscheme = o.qscheme ?? 'per_tensor_affine';
    oneOf('qscheme', qscheme, QSCHEMES);
    const perChannel = qscheme.startsWith('per_channel');
    if (!perChannel && o.axis !== undefined && o.axis !== null) {
      throw new TypeError(`qdq-wasm: axis is an option of the per-channel qschemes, and qscheme is '${qscheme}'`);
    }
    // FusedMovingAvgObsFakeQuantize.__init__(quant_min=0, quant_max=255) passes its range on to the
    // observer, whose has_customized_qrange is then True (the symmetric quint8 zero point is the
    // range's midpoint, 127, not 128). qint8 has no valid default there; ours stays [-128, 127].
    const torchDefaults = o.quantMin == null && o.quantMax == null && (o.dtype ?? 'uint8') === 'uint8' ? { quantMin: 0, quantMax: 255 } : {};
    const obs = { ...o, ...torchDefaults };
    /** The moving-average observer. @type {any} */
    this.observer = perChannel ? new MovingAveragePerChannelMinMaxObserver(obs) : new MovingAverageMinMaxObserver({ ...obs, axis: undefined });
    this.perChannel = perChannel;
    this.dtype = this.observer.dtype;
    /** The fake-quantize range: the observer's, after reduceRange (as torch's FakeQuantize). */
    this.quantMin = this.observer.quantMin;
    this.quantMax = this.observer.quantMax;
    /** Whether forward() observes. */
    this.observerEnabled = true;
    /** Whether forward() fake-quantizes. */
    this.fakeQuantEnabled = true;
    /** @type {{ scale: number, zeroPoint: number } | { scales: Float32Array, zeroPoints: Int32Array } | null} */
    this.qparams = null;
    /** The straight-through mask of the last forward() (1 where the value was not clamped), or null. @type {Uint8Array | null} */
    this.mask = null;
    /** Elements of the last forward()'s input; -1 before the first. @private */
    this.lastLength = -1;
  }

  /** @param {boolean} [on] default true @returns {this} */
  enableObserver(on = true) {
    this.observerEnabled = boolean('on', on);
    return this;
  }

  /** @returns {this} */
  disableObserver() {
    return this.enableObserver(false);
  }

  /** @param {boolean} [on] default true @returns {this} */
  enableFakeQuant(on = true) {
    this.fakeQuantEnabled = boolean('on', on);
    return this;
  }

  /** @returns {this} */
  disableFakeQuant() {
    return this.enableFakeQuant(false);
  }

  /**
   * forward(x, shape).output: what a Sequential feeds module outputs through, and convert() weights.
   * @param {Float32Array} x @param {number[]} [shape] @returns {Float32Array}
   */
  observe(x, shape) {
    return this.forward(x, shape).output;
  }

  /**
   * @param {Float32Array} x
   * @param {number[]} [shape] needed per channel ([outFeatures, inFeatures] for weights)
   * @returns {{ output: Float32Array, mask: Uint8Array | null }}
   */
  forward(x, shape) {
    typedArray('x', x, Float32Array);
    if (this.observerEnabled) this.observeFused(x, shape);
    if (!this.fakeQuantEnabled) {
      this.mask = null;
      this.lastLength = lengthOf(x);
      return { output: x, mask: null };
    }
    if (lengthOf(x) === 0) {
      // torch's fused op returns an empty x as it is, its scale and zero point untouched.
      this.mask = new Uint8Array(0);
      this.lastLength = 0;
      return { output: new Float32Array(0), mask: this.mask };
    }
    // As torch's fused op: the qparams come from the running range whenever it fake-quantizes, the
    // observer on or off, and not otherwise (an unordered range is refused then, and only then).
    if (this.nothingObserved()) {
      throw new RangeError("qdq-wasm: FakeQuantize: nothing observed yet (the observer is disabled), so there is no range to " +
        "fake-quantize with; torch 1.13's fused op refuses it too ('In ChooseQuantizationParams, min should be less than or equal " +
        "to max'): enableObserver(), or disableFakeQuant()");
    }
    this.qparams = this.fusedQParams();
    const q = /** @type {any} */ (this.qparams);
    const range = { quantMin: this.quantMin, quantMax: this.quantMax, compat: /** @type {const} */ ('pytorch') };
    const r = this.perChannel
      ? fakeQuantizePerChannel(x, { shape: shape ?? [lengthOf(x)], axis: this.observer.axis, scales: q.scales, zeroPoints: q.zeroPoints, ...range })
      : fakeQuantizePerTensor(x, { scale: q.scale, zeroPoint: q.zeroPoint, ...range });
    this.mask = r.mask;
    this.lastLength = lengthOf(x);
    return { output: r.output, mask: r.mask };
  }

  /**
   * Folds x into the observer as torch's fused op does (calculate_moving_average in
   * fused_obs_fake_quant.cpp): each running value is averaged on its own, and one that is ±Infinity
   * restarts from the batch's. The observer alone restarts only before any data, so a moving average
   * that overflowed float32 would go on to NaN there (as torch's Python observer's does).
   * @private @param {Float32Array} x @param {number[]} [shape]
   */
  observeFused(x, shape) {
    const o = this.observer;
    const observe = (/** @type {any} */ obs) => (this.perChannel ? obs.observe(x, shape) : obs.observe(x));
    const lo = this.perChannel ? Array.from(o.minVal) : [o.minVal];
    const hi = this.perChannel ? Array.from(o.maxVal) : [o.maxVal];
    const isInf = (/** @type {number} */ v) => v === Infinity || v === -Infinity;
    // The pair (+Infinity, -Infinity) is a channel with no data yet, which the observer restarts itself.
    const restart = lo.some((l, c) => (isInf(l) || isInf(hi[c])) && !(l === Infinity && hi[c] === -Infinity));
    if (!restart || lengthOf(x) === 0) {
      observe(o);
      return;
    }
    const batch = o.clone();
    batch.reset();
    observe(batch);
    observe(o);
    if (!this.perChannel) {
      if (isInf(lo[0])) o.minVal = batch.minVal;
      if (isInf(hi[0])) o.maxVal = batch.maxVal;
      return;
    }
    lo.forEach((l, c) => { if (isInf(l)) o.minVal[c] = batch.minVal[c]; });
    hi.forEach((h, c) => { if (isInf(h)) o.maxVal[c] = batch.maxVal[c]; });
  }

  /**
   * A copy with the same settings, switches and observer state, trained on independently from then on
   * (what clone() of a QAT-prepared model gives each copied module, as torch's deepcopy does).
   * @returns {this}
   */
  clone() {
    return copyState(this);
  }

  /**
   * The observer's scale and zero point (E1-E4), what convert() uses, as torch's
   * FakeQuantize.calculate_qparams (the Python observer's, symmetric over 127.5 steps).
   * @returns {{ scale: number, zeroPoint: number } | { scales: Float32Array, zeroPoints: Int32Array }}
   */
  calculateQParams() {
    return this.observer.calculateQParams();
  }

  /** Whether the observer has seen no data (per tensor: the range (+Infinity, -Infinity); per channel: none). @private */
  nothingObserved() {
    const o = this.observer;
    return this.perChannel ? o.minVal.length === 0 : o.minVal === Infinity && o.maxVal === -Infinity;
  }

  /**
   * Scale and zero point of the observed range as the fused op computes them (qdq_choose_qparams:
   * torch's C++ ChooseQuantizationParams, symmetric over 127/128 steps, not the Python observer's
   * 127.5). forward() calls it once the observer has seen data.
   * @returns {{ scale: number, zeroPoint: number } | { scales: Float32Array, zeroPoints: Int32Array }}
   * @private
   */
  fusedQParams() {
    const o = this.observer;
    const mins = this.perChannel ? o.minVal : Float32Array.of(o.minVal);
    const maxs = this.perChannel ? o.maxVal : Float32Array.of(o.maxVal);
    const n = mins.length;
    // torch's ChooseQuantizationParams checks min <= max (a RuntimeError); an overflowed or cancelled
    // moving average breaks it, and the state stays as torch's does: the next batch may restart it.
    for (let c = 0; c < n; c++) {
      if (mins[c] <= maxs[c]) continue;
      const at = this.perChannel ? ` of channel ${c}` : '';
      throw new RangeError(`qdq-wasm: FakeQuantize: the running min${at} (${mins[c]}) exceeds the running max (${maxs[c]}); ` +
        "torch 1.13's fused op refuses it too ('In ChooseQuantizationParams, min should be less than or equal to max')");
    }
    const flags = String(o.qscheme).endsWith('_symmetric') ? CHOOSE_PRESERVE_SPARSITY : 0;
    const r = call(getRuntime(), [input('mins', mins), input('maxs', maxs), output('scales', Float32Array, n), output('zps', Int32Array, n)],
      (p, c) => c.qdq_choose_qparams(n, p.mins, p.maxs, this.quantMin, this.quantMax, flags, p.scales, p.zps));
    r.scales.forEach((scale, c) => {
      if (scale > 0 && Number.isFinite(scale)) return;
      // torch fake-quantizes to NaN with scale inf, and refuses NaN: we refuse both, naming the range they come from.
      const twoLevels = flags === CHOOSE_PRESERVE_SPARSITY && this.quantMax - this.quantMin < 2;
      const cause = twoLevels
        ? `(symmetric over quantMin .. quantMax = ${this.quantMin} .. ${this.quantMax}, torch's ChooseQuantizationParams leaves ` +
          'the positive side no level; torch refuses it too)'
        : scaleCause({ qmin: this.quantMin, qmax: this.quantMax });
      throw new RangeError(`qdq-wasm: FakeQuantize: the running range${this.perChannel ? ` of channel ${c}` : ''} [${mins[c]}, ${maxs[c]}] ` +
        `gives scale ${scale}, which is not finite in float32 ${cause}`);
    });
    return this.perChannel ? { scales: r.scales, zeroPoints: r.zps } : { scale: r.scales[0], zeroPoint: r.zps[0] };
  }

  /**
   * dL/dx from dL/dy of the last forward(): dy where the value was not clamped, 0 elsewhere (STE).
   * @param {Float32Array} dy @returns {Float32Array}
   */
  backward(dy) {
    const g = typedArray('dy', dy, Float32Array);
    const n = this.lastLength;
    if (n < 0) throw new Error('qdq-wasm: FakeQuantize.backward needs a forward() first');
    if (lengthOf(g) !== n) {
      throw new RangeError(`qdq-wasm: FakeQuantize.backward needs dy of ${n} values (its last forward's input), got ${lengthOf(g)}`);
    }
    const m = this.mask;
    if (!m) return g; // fake quantization off: forward was the identity
    const dx = new Float32Array(n);
    for (let i = 0; i < n; i++) dx[i] = m[i] ? g[i] : 0;
    return dx;
  }
}
