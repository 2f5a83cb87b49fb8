// QConfig and the default qconfigs of torch 1.13 (torch/ao/quantization/qconfig.py),
// in camelCase: an observer factory for activations and one for weights.

import { MinMaxObserver, PerChannelMinMaxObserver } from '../ops/observers.js';
import { HistogramObserver } from '../ops/calibration-observers.js';
import { FakeQuantize } from './fake-quantize.js';
import { describe, oneOf, options } from '../runtime/validate.js';

/**
 * What an observer slot takes: anything with observe(x) and calculateQParams(), as PyTorch's
 * observers (MinMaxObserver, HistogramObserver, PercentileObserver, EntropyObserver, …).
 * @typedef {{ observe(x: Float32Array, shape?: number[]): unknown, calculateQParams(): any }} ObserverLike
 */

/**
 * How to observe a module's output activations and its weights, as torch.ao.quantization.QConfig:
 * two factories, each called once per observed module (torch's `Observer.with_args(...)`).
 * @example
 * const qconfig = new QConfig({
 *   activation: () => new MinMaxObserver({ dtype: 'uint8', qscheme: 'per_tensor_symmetric' }),
 *   weight: () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' }),
 * });
 */
export class QConfig {
  /** @param {{ activation: () => ObserverLike, weight: () => ObserverLike }} opts */
  constructor(opts) {
    const o = options('qconfig', opts, ['activation', 'weight']);
    for (const k of ['activation', 'weight']) {
      if (typeof o[k] !== 'function') {
        throw new TypeError(`qdq-wasm: qconfig.${k} must be a function that returns a new observer ` +
          `(PyTorch's Observer.with_args(...)), got ${describe(o[k])}`);
      }
    }
    /** Makes the observer of a module's output (and of a QuantStub's input). @type {() => ObserverLike} */
    this.activation = o.activation;
    /** Makes the observer of a Linear's weight. @type {() => ObserverLike} */
    this.weight = o.weight;
    Object.freeze(this);
  }
}

/** The backends of get_default_qconfig. */
const BACKENDS = /** @type {const} */ (['fbgemm', 'x86', 'qnnpack', 'onednn']);

/** torch 1.13's default_weight_observer: MinMaxObserver(qint8, per_tensor_symmetric). */
const perTensorWeight = () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
/** default_per_channel_weight_observer: PerChannelMinMaxObserver(qint8, per_channel_symmetric), axis 0. */
const perChannelWeight = () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' });

/**
 * torch 1.13's get_default_qconfig(backend) (version 0), exactly:
 * 'fbgemm' and 'x86': HistogramObserver(reduce_range=True) activations (quint8, [0, 127]),
 * PerChannelMinMaxObserver(qint8, per_channel_symmetric) weights; 'qnnpack':
 * HistogramObserver(reduce_range=False), MinMaxObserver(qint8, per_tensor_symmetric);
 * 'onednn': HistogramObserver(reduce_range=False), per-channel symmetric weights.
 * @param {'fbgemm' | 'x86' | 'qnnpack' | 'onednn'} [backend] default 'fbgemm', as torch
 * @returns {QConfig}
 * @example
 * const qconfig = getDefaultQConfig('qnnpack');
 */
export function getDefaultQConfig(backend = 'fbgemm') {
  return postTrainingQConfig(backend, HistogramObserver);
}

/**
 * A backend's post-training qconfig with the given activation observer: reduceRange on the x86
 * backends (fbgemm, x86), per-tensor weights for qnnpack, per-channel elsewhere.
 * @param {unknown} backend @param {typeof HistogramObserver | typeof MinMaxObserver} Observer
 */
function postTrainingQConfig(backend, Observer) {
  const b = oneOf('backend', backend, BACKENDS);
  const reduceRange = b === 'fbgemm' || b === 'x86';
  return new QConfig({
    activation: () => new Observer({ reduceRange }),
    weight: b === 'qnnpack' ? perTensorWeight : perChannelWeight,
  });
}

/**
 * A backend's default qconfig with MinMaxObserver activations (same dtype and reduceRange): what
 * the accuracy table calls 'minmax', and the observer of torch's default_qconfig family.
 * @param {'fbgemm' | 'x86' | 'qnnpack' | 'onednn'} [backend] default 'fbgemm'
 * @returns {QConfig}
 */
export function getMinMaxQConfig(backend = 'fbgemm') {
  return postTrainingQConfig(backend, MinMaxObserver);
}

/**
 * torch 1.13's get_default_qat_qconfig(backend) (version 1): FusedMovingAvgObsFakeQuantize everywhere.
 * Activations: MovingAverageMinMaxObserver, quint8 [0, 255], reduceRange for 'fbgemm'/'x86' (so [0, 127]).
 * Weights: qint8 [-128, 127] symmetric, per channel (MovingAveragePerChannelMinMaxObserver) except
 * 'qnnpack' (per tensor).
 * @param {'fbgemm' | 'x86' | 'qnnpack' | 'onednn'} [backend] default 'fbgemm'
 * @returns {QConfig}
 * @example
 * const qconfig = getDefaultQatQConfig('qnnpack');
 */
export function getDefaultQatQConfig(backend = 'fbgemm') {
  const b = oneOf('backend', backend, BACKENDS);
  const reduceRange = b === 'fbgemm' || b === 'x86';
  const qscheme = b === 'qnnpack' ? 'per_tensor_symmetric' : 'per_channel_symmetric';
  return new QConfig({
    activation: () => new FakeQuantize({ dtype: 'uint8', quantMin: 0, quantMax: 255, reduceRange }),
    weight: () => new FakeQuantize({ dtype: 'int8', qscheme, quantMin: -128, quantMax: 127 }),
  });
}
