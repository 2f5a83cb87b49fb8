// The model lab's engine: float evaluation and training, dynamic, weight-only,
// static and QAT runs, and the look inside a quantized model, all computed by qdq-wasm.
// It takes the library module as an argument (the worker passes /js/index.js,
// the Node tests the package entry), so the same code runs in both.

import { argmax } from './data.js';
import { random, sgdEpoch, shuffledOrder } from './epoch.js';

/** @typedef {typeof import('../../js/index.js')} Qdq */
/** @typedef {{ pixels: Uint8Array, images: Float32Array, labels: Uint8Array, count: number }} Split */
/**
 * What a long run reports to and asks of its caller.
 * @typedef {object} Control
 * @property {(msg: Record<string, unknown>) => void} [progress] a progress message (curve points, ranges)
 * @property {() => Promise<void>} [tick] lets messages in; throws Cancelled when the run was cancelled
 */

/** Thrown by a run whose Control.tick saw a cancel. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** The [Linear, ReLU] pairs of the MLP that fuse (Sequential indices, as models/README.md). */
export const FUSE = [['1', '2'], ['3', '4']];
/** Where the MLP's Linears sit in its Sequential, and what the lab calls them. */
export const LAYERS = [{ index: 1, name: 'fc1' }, { index: 3, name: 'fc2' }, { index: 5, name: 'fc3' }];
export const OBSERVERS = ['minmax', 'movingavg', 'histogram', 'percentile', 'entropy'];
export const OBSERVER_NAMES = {
  minmax: 'MinMax', movingavg: 'Moving-avg MinMax', histogram: 'Histogram', percentile: 'Percentile (99.999)', entropy: 'Entropy (KL)',
};
const CALIB_BATCH = 100;
const EVAL_BATCH = 500;
const GALLERY = 24;
/** Test images the look-inside pass runs through both models. */
const INSPECT_IMAGES = 256;

/**
 * The settings of every workflow.
 * @typedef {object} Settings
 * @property {'fbgemm' | 'qnnpack'} backend torch's qconfig family
 * @property {boolean} fuse Linear + ReLU fused before static quantization
 * @property {string} observer one of OBSERVERS
 * @property {number} calibration images, 1 to 1000
 * @property {number} wBits weight bits, 2 to 8
 * @property {number} aBits activation bits, 2 to 8
 * @property {boolean | null} perChannel weights per channel; null: the backend's default (fbgemm per channel, qnnpack per tensor)
 * @property {boolean} dynamicPerChannel
 * @property {number} qatEpochs
 * @property {number} qatLr
 * @property {number} trainEpochs float training
 * @property {number} trainLr
 * @property {4 | 8} woBits weight-only: bits per weight
 * @property {16 | 32 | 64 | 128 | 256} woBlockSize weight-only: weights per block along inFeatures
 * @property {boolean} woSymmetric weight-only: symmetric blocks (no zero points)
 */

/** @type {Readonly<Settings>} Default settings of every workflow (what run-all uses). */
export const DEFAULTS = Object.freeze({
  backend: 'fbgemm', fuse: true, observer: 'histogram', calibration: 100, wBits: 8, aBits: 8, perChannel: null,
  dynamicPerChannel: false, qatEpochs: 1, qatLr: 0.001, trainEpochs: 3, trainLr: 0.05,
  woBits: /** @type {4 | 8} */ (4), woBlockSize: /** @type {16 | 32 | 64 | 128 | 256} */ (32), woSymmetric: false,
});

/** The bit widths weight-only takes (MatMulNBits's 4 and 8): the bit sweep's weight-only points. */
export const WEIGHT_ONLY_BITS = [4, 8];

/**
 * The bit sweep's name for its weight-only series: it says the activations stay float, as the other
 * series' do not, and which blocks (the settings' block size and symmetry).
 * @param {Pick<Settings, 'woBlockSize' | 'woSymmetric'>} s
 */
export const weightOnlySeries = (s) => `weight-only, float activations (block ${s.woBlockSize}${s.woSymmetric ? ', symmetric' : ''})`;

/** The block sizes the weight-only control offers: every one the library takes. */
export const BLOCK_SIZES = /** @type {const} */ ([16, 32, 64, 128, 256]);

/**
 * The weight-only qconfig of the settings. The accuracy level stays the library's default, 4
 * (MatMulNBits rounds each block of a layer's inputs to int8 inside the product; what passes
 * between layers stays float).
 * @param {Qdq} q @param {Pick<Settings, 'woBits' | 'woBlockSize' | 'woSymmetric'>} s
 */
export const weightOnlyQConfig = (q, s) => q.getWeightOnlyQConfig({ bits: s.woBits, blockSize: s.woBlockSize, symmetric: s.woSymmetric });

/** @param {Settings} s */
export const perChannelOf = (s) => s.perChannel ?? s.backend !== 'qnnpack';

/** Symmetric signed range of b bits: [−2^(b−1), 2^(b−1) − 1]. @param {number} b */
export const weightRange = (b) => [-(2 ** (b - 1)), 2 ** (b - 1) - 1];

/**
 * The static qconfig of the settings. At 8 bits it is torch 1.13's (reduceRange on fbgemm activations);
 * below, activations take [0, 2^b − 1] and weights [−2^(b−1), 2^(b−1) − 1] through quantMin/quantMax
 * (reduceRange off: it exists for fbgemm's 8-bit overflow, and would take one more bit).
 * @param {Qdq} q @param {Settings} s
 */
export function staticQConfig(q, s) {
  const reduceRange = s.backend === 'fbgemm' && s.aBits === 8;
  const a = s.aBits < 8 ? { quantMin: 0, quantMax: 2 ** s.aBits - 1 } : {};
  const act = {
    minmax: () => new q.MinMaxObserver({ reduceRange, ...a }),
    movingavg: () => new q.MovingAverageMinMaxObserver({ reduceRange, ...a }),
    histogram: () => new q.HistogramObserver({ reduceRange, ...a }),
    percentile: () => new q.PercentileObserver({ reduceRange, symmetric: false, ...a }),
    entropy: () => new q.EntropyObserver({ reduceRange, ...a }),
  }[s.observer];
  if (!act) throw new RangeError(`lab: unknown observer '${s.observer}'`);
  return new q.QConfig({ activation: act, weight: weightObserver(q, s) });
}

/** @param {Qdq} q @param {Settings} s */
function weightObserver(q, s) {
  const [quantMin, quantMax] = weightRange(s.wBits);
  const w = s.wBits < 8 ? { quantMin, quantMax } : {};
  return perChannelOf(s)
    ? () => new q.PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric', ...w })
    : () => new q.MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric', ...w });
}

/**
 * The QAT qconfig: torch 1.13's get_default_qat_qconfig(backend) at 8 bits, narrower ranges below.
 * @param {Qdq} q @param {Settings} s
 */
export function qatQConfig(q, s) {
  const reduceRange = s.backend === 'fbgemm' && s.aBits === 8;
  const [quantMin, quantMax] = weightRange(s.wBits);
  const qscheme = perChannelOf(s) ? 'per_channel_symmetric' : 'per_tensor_symmetric';
  return new q.QConfig({
    activation: () => new q.FakeQuantize({ dtype: 'uint8', quantMin: 0, quantMax: 2 ** s.aBits - 1, reduceRange }),
    weight: () => new q.FakeQuantize({ dtype: 'int8', qscheme, quantMin, quantMax }),
  });
}

/** Median of numbers. @param {number[]} v */
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];

/**
 * An activation's quantization in the converted model: the scale and zero point convert() took from the
 * observer (or fake-quantize), the code range the model clamps to (its dtype's: torch 1.13's convert keeps
 * uint8's [0, 255]), and the narrower one the observer fitted the scale to (reduce_range, or under 8 bits).
 * @typedef {{ scale: number, zeroPoint: number, quantMin: number, quantMax: number, fitMin: number, fitMax: number }} ActQuant
 */

/**
 * The output quantization of a converted model's module (a Quantize, or a QuantizedLinearModule's layer).
 * @param {any} mod @param {any} observer the observer or fake-quantize convert() took it from
 * @returns {ActQuant}
 */
function appliedQuant(mod, observer) {
  const l = mod.layer ?? mod;
  const [quantMin, quantMax] = l.dtype === 'int8' ? [-128, 127] : [0, 255];
  return {
    scale: l.outputScale ?? l.scale, zeroPoint: l.outputZeroPoint ?? l.zeroPoint, quantMin, quantMax,
    fitMin: observer.quantMin, fitMax: observer.quantMax,
  };
}

/**
 * What the page draws a tensor with (web/histogram.js): a copy of its values, their extent, and
 * the quantization grid, every code's float value as the library dequantizes it (none: no fixed range).
 * @param {Qdq} q @param {Float32Array} x
 * @param {{ codes: Int8Array | Uint8Array, scale: number, zeroPoint: number } | null} quant
 */
function drawn(q, x, quant) {
  const [dataMin, dataMax] = extent(x);
  const grid = quant ? q.dequantize({ data: quant.codes, scale: quant.scale, zeroPoint: quant.zeroPoint }) : new Float32Array(0);
  return { values: x.slice(), dataMin, dataMax, scale: quant ? quant.scale : 0, grid };
}

/** The integers lo..hi in a typed array of their dtype. @param {number} lo @param {number} hi */
function codes(lo, hi) {
  const out = lo < 0 ? new Int8Array(hi - lo + 1) : new Uint8Array(hi - lo + 1);
  for (let i = 0; i < out.length; i++) out[i] = lo + i;
  return out;
}

/** @param {Float32Array} x */
function extent(x) {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
  return [lo, hi];
}

export class Lab {
  /**
   * @param {Qdq} q the library, initialized
   * @param {{ train: Split, test: Split, weights: Map<string, any> | Record<string, any> }} data
   */
  constructor(q, { train, test, weights }) {
    this.q = q;
    this.train = train;
    this.test = test;
    /** The committed float weights (models/fashion-mlp-f32.safetensors). */
    this.committed = weights;
    /** The float model's state: committed, or trained here. */
    this.floatState = weights;
    /** Where the float model's weights came from: 'committed' or 'trained'. */
    this.floatSource = 'committed';
    /** @type {Uint8Array} */
    this.floatPreds = this.withFloat((m) => this.predict(m));
    /** The last quantized model, for the look inside. @type {{ model: any, reference: any, acts: Map<number, ActQuant>, wBits: number, workflow: string } | null} */
    this.last = null;
    this.runs = 0;
  }

  /** A fresh float MLP (784-256-128-10 between the stubs) with the current float weights, in eval mode. */
  floatModel() {
    const { nn, QuantStub, DeQuantStub } = this.q;
    return new nn.Sequential(new QuantStub(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(),
      new nn.Linear(128, 10), new DeQuantStub()).loadStateDict(this.floatState).eval();
  }

  /**
   * Calls fn with a fresh float model (fused if asked) and frees the model's wasm memory after.
   * @template T @param {(model: any) => T} fn @param {boolean} [fused] @returns {T}
   */
  withFloat(fn, fused = false) {
    const float = this.floatModel();
    const model = fused ? this.q.fuseModules(float, FUSE) : float;
    if (fused) float.dispose();
    try {
      return fn(model);
    } finally {
      model.dispose();
    }
  }

  /** The float model, fused or not, for the caller to own. @param {boolean} fused */
  ownFloat(fused) {
    const float = this.floatModel();
    if (!fused) return float;
    const m = this.q.fuseModules(float, FUSE);
    float.dispose();
    return m;
  }

  /** Predictions on every test image. @param {any} model */
  predict(model) {
    const { images, count } = this.test;
    const preds = new Uint8Array(count);
    for (let i = 0; i < count; i += EVAL_BATCH) {
      const n = Math.min(EVAL_BATCH, count - i);
      preds.set(argmax(model.forward(images.subarray(i * 784, (i + n) * 784), n), 10), i);
    }
    return preds;
  }

  /**
   * A results row: accuracy and agreement with the float model on the test images, model bytes,
   * batch-1 latency, and the images whose prediction changed.
   * @param {any} model @param {string} workflow @param {string} label @param {Record<string, unknown>} settings
   */
  evaluate(model, workflow, label, settings) {
    const preds = this.predict(model);
    /** The predictions of the last row measured. */
    this.lastPreds = preds;
    const { labels, count, pixels } = this.test;
    let correct = 0, agree = 0;
    /** @type {number[]} */
    const changed = [];
    for (let i = 0; i < count; i++) {
      correct += preds[i] === labels[i] ? 1 : 0;
      if (preds[i] === this.floatPreds[i]) agree++;
      else changed.push(i);
    }
    // Batch-1 latency: 40 single-image calls timed together (one call is near a browser clock's
    // resolution), five rounds after a warm-up, the median round per image.
    const times = [];
    for (let round = 0; round < 6; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 40; i++) model.forward(this.test.images.subarray(i * 784, (i + 1) * 784), 1);
      if (round > 0) times.push((performance.now() - t0) / 40);
    }
    return {
      id: ++this.runs, workflow, label, settings, images: count, correct,
      accuracy: correct / count, agreement: agree / count, bytes: model.byteLength(), latencyMs: median(times),
      changedCount: changed.length,
      gallery: changed.slice(0, GALLERY).map((i) => ({
        index: i, label: labels[i], floatPred: this.floatPreds[i], pred: preds[i], pixels: pixels.slice(i * 784, (i + 1) * 784),
      })),
    };
  }

  /** Loads the committed float weights and measures the float model. */
  runFloat() {
    this.floatState = this.committed;
    this.floatSource = 'committed';
    return this.withFloat((model) => {
      this.floatPreds = this.predict(model);
      return this.evaluate(model, 'float', 'float (committed weights)', { source: 'committed' });
    });
  }

  /**
   * Mini-batch SGD over the training images, one shuffled pass per epoch, reporting each step's
   * loss and batch accuracy; returns the losses and accuracies the curve shows.
   * @param {any} model in training mode @param {{ epochs: number, lr: number, task: string, seed: number }} o
   * @param {Control} ctl @param {(epoch: number) => Record<string, unknown>} [afterEpoch]
   */
  async sgd(model, o, ctl, afterEpoch) {
    const { nn } = this.q;
    const opt = new nn.SGD(model.parameters(), { lr: o.lr, momentum: 0.9 });
    const rnd = random(o.seed);
    const { count } = this.train;
    const steps = Math.ceil(count / 64) * o.epochs;
    let step = 0;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      for (const { n, logits, labels, loss } of sgdEpoch(nn, model, opt, this.train, shuffledOrder(count, rnd))) {
        const p = argmax(logits, 10);
        let ok = 0;
        for (let i = 0; i < n; i++) ok += p[i] === labels[i] ? 1 : 0;
        step++;
        ctl.progress?.({ type: 'curve', task: o.task, step, steps, epoch, loss, batchAccuracy: ok / n });
        await ctl.tick?.();
      }
      if (afterEpoch) ctl.progress?.({ type: 'epoch', task: o.task, epoch, epochs: o.epochs, step, ...afterEpoch(epoch) });
    }
  }

  /**
   * Trains the float MLP from PyTorch-style random weights (U(±1/√in), seeded) and makes it the float model.
   * @param {{ trainEpochs: number, trainLr: number }} s @param {Control} ctl
   */
  async trainFloat(s, ctl = {}) {
    const model = this.floatModel().train();
    const rnd = random(7);
    const state = model.stateDict();
    for (const [name, t] of Object.entries(state)) {
      const bound = 1 / Math.sqrt(name.startsWith('1.') ? 784 : name.startsWith('3.') ? 256 : 128);
      const d = /** @type {Float32Array} */ (t.data);
      for (let i = 0; i < d.length; i++) d[i] = (2 * rnd() - 1) * bound;
    }
    model.loadStateDict(state);
    try {
      await this.sgd(model, { epochs: s.trainEpochs, lr: s.trainLr, task: 'train', seed: 11 }, ctl, () => {
        model.eval();
        const preds = this.predict(model);
        model.train();
        let ok = 0;
        for (let i = 0; i < preds.length; i++) ok += preds[i] === this.test.labels[i] ? 1 : 0;
        return { testAccuracy: ok / preds.length };
      });
    } catch (e) {
      model.dispose();
      throw e;
    }
    model.eval();
    this.floatState = model.stateDict();
    this.floatSource = 'trained';
    this.floatPreds = this.predict(model);
    const row = this.evaluate(model, 'float', `float (trained here, ${s.trainEpochs} epochs)`, { source: 'trained', trainEpochs: s.trainEpochs, trainLr: s.trainLr });
    model.dispose();
    return row;
  }

  /** Dynamic quantization of the float model. @param {{ dynamicPerChannel: boolean }} s */
  runDynamic(s) {
    const float = this.floatModel();
    const model = this.q.quantizeDynamic(float, { perChannel: s.dynamicPerChannel });
    return this.measureAndKeep({ model, reference: float, acts: new Map(), wBits: 8, workflow: 'dynamic' },
      'dynamic', `dynamic ${s.dynamicPerChannel ? 'per-channel' : 'per-tensor'}`, { dynamicPerChannel: s.dynamicPerChannel });
  }

  /**
   * Weight-only quantization of the float model: quantizeDynamic with the settings' weight-only
   * qconfig, so each Linear gets block-quantized weights and the activations stay float.
   * @param {Pick<Settings, 'woBits' | 'woBlockSize' | 'woSymmetric'>} s
   */
  runWeightOnly(s) {
    const qconfig = weightOnlyQConfig(this.q, s);
    const float = this.floatModel();
    const model = this.q.quantizeDynamic(float, { qconfig });
    const { bits, blockSize, symmetric, accuracyLevel } = qconfig;
    return this.measureAndKeep({ model, reference: float, acts: new Map(), wBits: bits, workflow: 'weight-only' },
      'weight-only', `weight-only int${bits}, block ${blockSize}${symmetric ? ', symmetric' : ''}`, { bits, blockSize, symmetric, accuracyLevel });
  }

  /**
   * Static quantization: prepare with the settings' qconfig, calibrate on the first `calibration`
   * training images (batches of 100) reporting the observed ranges, convert, measure.
   * @param {Settings} s @param {Control} ctl
   */
  async runStatic(s, ctl = {}) {
    const { q } = this;
    const reference = this.ownFloat(s.fuse);
    const prepared = q.prepare(reference, { qconfig: staticQConfig(q, s) });
    const n = Math.max(1, Math.min(this.train.count, Math.round(s.calibration)));
    const observed = [{ index: 0, name: 'input' }, ...LAYERS];
    try {
      for (let i = 0; i < n; i += CALIB_BATCH) {
        const b = Math.min(CALIB_BATCH, n - i);
        prepared.forward(this.train.images.subarray(i * 784, (i + b) * 784), b);
        ctl.progress?.({
          type: 'ranges', done: i + b, total: n,
          layers: observed.map(({ index, name }) => {
            const o = /** @type {any} */ (q.activationObserver(prepared.modules[index]));
            return { name, min: o.minVal, max: o.maxVal };
          }),
        });
        await ctl.tick?.();
      }
    } catch (e) {
      prepared.dispose();
      reference.dispose();
      throw e;
    }
    const model = q.convert(prepared);
    /** @type {Map<number, ActQuant>} */
    const acts = new Map();
    // The clipping range is the converted model's, not the observer's: below 8 bits (and with fbgemm's
    // reduce_range) the observer fits its scale to fewer codes, but the model clamps to all of uint8's.
    const final = observed.map(({ index, name }) => {
      const o = /** @type {any} */ (q.activationObserver(prepared.modules[index]));
      const a = appliedQuant(model.modules[index], o);
      acts.set(index, a);
      const at = (/** @type {number} */ code) => (code - a.zeroPoint) * a.scale;
      return {
        name, min: o.minVal, max: o.maxVal, scale: a.scale, zeroPoint: a.zeroPoint,
        clip: [at(a.quantMin), at(a.quantMax)], fitted: [at(a.fitMin), at(a.fitMax)], codes: [a.quantMin, a.quantMax], fitCodes: [a.fitMin, a.fitMax],
      };
    });
    ctl.progress?.({ type: 'ranges', done: n, total: n, final: true, layers: final });
    prepared.dispose();
    const settings = pick(s, ['backend', 'fuse', 'observer', 'calibration', 'wBits', 'aBits']);
    const pc = perChannelOf(s);
    return this.measureAndKeep({ model, reference, acts, wBits: s.wBits, workflow: 'static' }, 'static',
      `static ${s.backend}, ${OBSERVER_NAMES[/** @type {keyof typeof OBSERVER_NAMES} */ (s.observer)]}, ${n} images` +
      `${s.fuse ? '' : ', unfused'}${bitsLabel(s)}${pc === (s.backend !== 'qnnpack') ? '' : pc ? ', per-channel' : ', per-tensor'}`,
      { ...settings, calibration: n, perChannel: pc });
  }

  /**
   * Quantization-aware training: fuse, prepareQat with the settings' QAT qconfig, SGD (lr qatLr,
   * momentum 0.9, batch 64) for qatEpochs from the float weights, then convert and measure.
   * @param {Settings} s @param {Control} ctl
   */
  async runQat(s, ctl = {}) {
    const { q } = this;
    const reference = this.ownFloat(true);
    const qat = q.prepareQat(reference.clone().train(), { qconfig: qatQConfig(q, s), inplace: true });
    try {
      await this.sgd(qat, { epochs: s.qatEpochs, lr: s.qatLr, task: 'qat', seed: 13 }, ctl);
    } catch (e) {
      qat.dispose();
      reference.dispose();
      throw e;
    }
    const model = q.convert(qat.eval());
    /** @type {Map<number, ActQuant>} */
    const acts = new Map();
    // As in runStatic: the converted model clamps to uint8's codes, not to the fake-quantize's narrower ones.
    for (const { index } of LAYERS) acts.set(index, appliedQuant(model.modules[index], q.activationObserver(qat.modules[index])));
    qat.dispose();
    const pc = perChannelOf(s);
    return this.measureAndKeep({ model, reference, acts, wBits: s.wBits, workflow: 'qat' }, 'qat',
      `QAT ${s.backend}, ${s.qatEpochs} epoch${s.qatEpochs === 1 ? '' : 's'}${bitsLabel(s)}` +
      `${pc === (s.backend !== 'qnnpack') ? '' : pc ? ', per-channel' : ', per-tensor'}`,
      { ...pick(s, ['backend', 'qatEpochs', 'qatLr', 'wBits', 'aBits']), perChannel: pc });
  }

  /**
   * Measures a newly built quantized model (evaluate) and keeps it for inspect(); when measuring
   * throws, frees it and its reference instead of leaving their wasm memory behind.
   * @param {NonNullable<Lab['last']>} last @param {string} workflow @param {string} label @param {Record<string, unknown>} settings
   */
  measureAndKeep(last, workflow, label, settings) {
    let row;
    try {
      row = this.evaluate(last.model, workflow, label, settings);
    } catch (e) {
      last.model.dispose();
      last.reference.dispose();
      throw e;
    }
    this.keep(last);
    return row;
  }

  /** Holds the newest quantized model for inspect(), freeing the one before. @param {NonNullable<Lab['last']>} last */
  keep(last) {
    this.last?.model.dispose();
    this.last?.reference.dispose();
    this.last = last;
  }

  /** Test accuracy of a model's predictions. @param {Uint8Array} preds */
  accuracyOf(preds) {
    let ok = 0;
    for (let i = 0; i < preds.length; i++) ok += preds[i] === this.test.labels[i] ? 1 : 0;
    return ok / preds.length;
  }

  /** Static quantization with the settings, measured by test accuracy only (for the sweeps). @param {Settings} s */
  staticAccuracy(s) {
    const { q } = this;
    const prepared = this.withFloat((m) => q.prepare(m, { qconfig: staticQConfig(q, s) }), s.fuse);
    for (let i = 0; i < s.calibration; i += CALIB_BATCH) {
      const b = Math.min(CALIB_BATCH, s.calibration - i);
      prepared.forward(this.train.images.subarray(i * 784, (i + b) * 784), b);
    }
    const model = q.convert(prepared);
    prepared.dispose();
    const accuracy = this.accuracyOf(this.predict(model));
    model.dispose();
    return accuracy;
  }

  /**
   * Accuracy against calibration-set size for each observer (static, the other settings as given).
   * @param {Settings} s @param {number[]} sizes @param {Control} ctl
   */
  async sweep(s, sizes, ctl = {}) {
    /** @type {{ observer: string, calibration: number, accuracy: number }[]} */
    const points = [];
    const total = sizes.length * OBSERVERS.length;
    for (const observer of OBSERVERS) {
      for (const calibration of sizes) {
        const point = { observer, calibration, accuracy: this.staticAccuracy({ ...s, observer, calibration }) };
        points.push(point);
        ctl.progress?.({ type: 'sweep', done: points.length, total, point });
        await ctl.tick?.();
      }
    }
    return points;
  }

  /** Weight-only quantization with the settings, measured by test accuracy only (for the bit sweep). @param {Pick<Settings, 'woBits' | 'woBlockSize' | 'woSymmetric'>} s */
  weightOnlyAccuracy(s) {
    const model = this.withFloat((m) => this.q.quantizeDynamic(m, { qconfig: weightOnlyQConfig(this.q, s) }));
    try {
      return this.accuracyOf(this.predict(model));
    } finally {
      model.dispose();
    }
  }

  /**
   * Accuracy against bit width: static with per-tensor and with per-channel weights, and QAT (the
   * settings' epochs and learning rate, per-channel weights), weights and activations alike at each
   * width; and, at the widths weight-only takes (4 and 8), weight-only with the settings' block size
   * and symmetry, whose activations stay float (a point's activationBits is then null).
   * @param {Settings} s @param {number[]} bits @param {Control} ctl
   */
  async bitSweep(s, bits, ctl = {}) {
    /** @type {{ bits: number, series: string, accuracy: number, activationBits: number | null }[]} */
    const points = [];
    const total = bits.length * 3 + bits.filter((b) => WEIGHT_ONLY_BITS.includes(b)).length;
    const { q } = this;
    const add = async (/** @type {number} */ b, /** @type {string} */ series, /** @type {number} */ accuracy, /** @type {number | null} */ activationBits = b) => {
      const point = { bits: b, series, accuracy, activationBits };
      points.push(point);
      ctl.progress?.({ type: 'bits', done: points.length, total, point });
      await ctl.tick?.();
    };
    for (const b of bits) {
      const sb = { ...s, wBits: b, aBits: b };
      await add(b, 'static per-tensor', this.staticAccuracy({ ...sb, perChannel: false }));
      await add(b, 'static per-channel', this.staticAccuracy({ ...sb, perChannel: true }));
      const qat = this.withFloat((m) => q.prepareQat(m.clone().train(), { qconfig: qatQConfig(q, { ...sb, perChannel: true }), inplace: true }), true);
      try {
        // Silent: the sweep reports one point per run, not the training steps.
        await this.sgd(qat, { epochs: s.qatEpochs, lr: s.qatLr, task: 'bits', seed: 13 }, { tick: ctl.tick });
      } catch (e) {
        qat.dispose();
        throw e;
      }
      const model = q.convert(qat.eval());
      qat.dispose();
      const accuracy = this.accuracyOf(this.predict(model));
      model.dispose();
      await add(b, 'QAT per-channel', accuracy);
      if (WEIGHT_ONLY_BITS.includes(b)) {
        const wb = /** @type {4 | 8} */ (b);
        await add(b, weightOnlySeries(s), this.weightOnlyAccuracy({ ...s, woBits: wb }), null);
      }
    }
    return points;
  }

  /**
   * The look inside the newest quantized model (PyTorch numeric suite style): per Linear, the float
   * weights and the float activations on the first 256 test images with the quantization grid the
   * quantized model puts them on (per-channel weights: the widest channel's; weight-only: the widest
   * block's; dynamic and weight-only activations: none), and the SQNR of the quantized weights and activations (dequantized) against float; the
   * worst layer is the one with the lowest activation SQNR.
   */
  inspect() {
    const { q } = this;
    if (!this.last) return null;
    const { model, reference, acts, wBits } = this.last;
    const n = Math.min(INSPECT_IMAGES, this.test.count);
    let fa = this.test.images.subarray(0, n * 784);
    /** @type {any} */
    let qa = fa;
    const layers = [];
    for (let i = 0; i < reference.modules.length; i++) {
      fa = reference.modules[i].forward(fa, n);
      qa = model.modules[i].forward(qa, n);
      const spot = LAYERS.find((l) => l.index === i);
      if (!spot) continue;
      const qaFloat = qa instanceof Float32Array ? qa : q.dequantize({ data: qa.data, scale: qa.scale, zeroPoint: qa.zeroPoint });
      const act = acts.get(i);
      const lin = reference.modules[i], ql = model.modules[i].layer;
      const w = lin.weight;
      const { wq, grid, perChannel, blockSize, shown } = ql instanceof q.WeightOnlyQuantizedLinear ? blockGrid(q, ql, w) : int8Grid(q, ql, wBits, w);
      layers.push({
        name: spot.name, index: i, fused: lin.constructor.name === 'LinearReLU',
        weight: { sqnr: q.errorStats(w, wq).sqnr, perChannel, blockSize, ...drawn(q, shown, grid) },
        activation: {
          sqnr: q.errorStats(fa, qaFloat).sqnr,
          ...drawn(q, fa, act ? { codes: codes(act.quantMin, act.quantMax), scale: act.scale, zeroPoint: act.zeroPoint } : null),
          codes: act ? [act.quantMin, act.quantMax] : null, fitCodes: act ? [act.fitMin, act.fitMax] : null,
        },
      });
    }
    const worst = layers.reduce((a, b) => (b.activation.sqnr < a.activation.sqnr ? b : a));
    return { workflow: this.last.workflow, images: n, layers, worst: worst.name };
  }
}

/**
 * An int8 layer's dequantized weights and the grid drawn with all its weights: per-channel weights
 * show the widest channel's, symmetric about 0, whose range holds every channel's weights.
 * @param {Qdq} q @param {any} ql a QuantizedLinear or DynamicQuantizedLinear @param {number} wBits
 * @param {Float32Array} w the float weights
 */
function int8Grid(q, ql, wBits, w) {
  const wq = q.dequantize({
    data: ql.weight, shape: [ql.outFeatures, ql.inFeatures], axis: 0, scales: ql.weightScales,
    zeroPoints: new Int32Array(ql.outFeatures),
  });
  const [wmin, wmax] = weightRange(wBits);
  return { wq, grid: { codes: codes(wmin, wmax), scale: Math.max(...ql.weightScales), zeroPoint: 0 }, perChannel: new Set(ql.weightScales).size > 1, blockSize: 0, shown: w };
}

/**
 * A weight-only layer's dequantized weights (as MatMulNBits multiplies them), and the widest block's
 * grid with that block's own float weights: an asymmetric block's range is its own min to max, so
 * another block's weights may lie past it and would be drawn as clipped where no block clips.
 * A symmetric block's scale is negative when its extreme is positive (docs/blockwise.md B2); its codes
 * 0..qmax at (c − zp)·scale are the same points as codes qmax..0 at (c − (qmax − zp))·|scale|, which is how
 * the grid is drawn (dequantize takes a positive scale).
 * @param {Qdq} q @param {import('../../js/index.js').WeightOnlyQuantizedLinear} ql @param {Float32Array} w the float weights
 */
function blockGrid(q, ql, w) {
  const { data, scales, zeroPoints } = ql.weight;
  const n = ql.outFeatures, k = ql.inFeatures, bits = ql.bits, blockSize = /** @type {16 | 32 | 64 | 128 | 256} */ (ql.blockSize);
  const wq = q.dequantizeBlockwise({ data, scales, zeroPoints, n, k, bits, blockSize });
  let widest = 0;
  for (let b = 1; b < scales.length; b++) if (Math.abs(scales[b]) > Math.abs(scales[widest])) widest = b;
  const qmax = 2 ** bits - 1;
  const kb = Math.ceil(k / blockSize);
  const zp = blockZeroPoint(zeroPoints, widest, kb, bits);
  const scale = scales[widest];
  const start = Math.floor(widest / kb) * k + (widest % kb) * blockSize;
  return {
    wq, perChannel: false, blockSize, shown: w.slice(start, start + Math.min(blockSize, k - (widest % kb) * blockSize)),
    grid: { codes: codes(0, qmax), scale: Math.abs(scale), zeroPoint: scale < 0 ? qmax - zp : zp },
  };
}

/**
 * Block b's zero point in MatMulNBits's packing: per row, 4 bits two to a byte (low nibble first, a
 * row's count rounded up to whole bytes) or 8 bits one a byte; symmetric (null): 2^(bits−1).
 * @param {Uint8Array | null} zeroPoints @param {number} b block index, row-major [n, kb] @param {number} kb @param {number} bits
 */
export function blockZeroPoint(zeroPoints, b, kb, bits) {
  if (!zeroPoints) return 2 ** (bits - 1);
  if (bits === 8) return zeroPoints[b];
  const row = Math.floor(b / kb), col = b % kb;
  const byte = zeroPoints[row * Math.ceil(kb / 2) + (col >> 1)];
  return col & 1 ? byte >> 4 : byte & 15;
}

/** @param {Record<string, any>} o @param {string[]} keys */
function pick(o, keys) {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

/** @param {Settings} s */
function bitsLabel(s) {
  return s.wBits === 8 && s.aBits === 8 ? '' : `, W${s.wBits}/A${s.aBits}`;
}
