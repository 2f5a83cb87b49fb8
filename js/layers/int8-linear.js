// What the two int8 Linear layers share: their factories. Each subclass
// lists its option keys and takes (INTERNAL, q, scales, bias, inFeatures, outFeatures, o):
// only these factories hold the token (js/layers/internal.js).

import { options } from '../runtime/validate.js';
import { INTERNAL } from './internal.js';
import { Owned } from './owned.js';
import { weightsFromFloat, weightsFromQuantized } from './weights.js';

export class Int8Linear extends Owned {
  /** Option keys of the layer's constructor options, besides the weights'. @type {readonly string[]} */
  static KEYS = [];

  /**
   * @param {string} kind the class name @param {Int8Array} q int8 weights [outFeatures, inFeatures]
   * @param {Float32Array} scales one per output channel @param {number} inFeatures @param {number} outFeatures
   */
  constructor(kind, q, scales, inFeatures, outFeatures) {
    super(kind);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    /** The int8 weights, row-major [outFeatures, inFeatures] (a copy), zero point 0. */
    this.weight = Int8Array.from(q);
    /** The weight scales, one per output channel. */
    this.weightScales = Float32Array.from(scales);
  }

  /**
   * Quantizes float weights (symmetric int8, per output channel by default) and packs them.
   * @template {typeof Int8Linear} C
   * @this {C}
   * @param {Float32Array} weight row-major [outFeatures, inFeatures], as torch.nn.Linear.weight
   * @param {Float32Array | null | undefined} bias [outFeatures] finite floats, or null
   * @param {Record<string, any>} opts the layer's options, and perChannel (default true)
   * @returns {InstanceType<C>}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts, [...this.KEYS, 'perChannel']);
    const w = weightsFromFloat(weight, bias, o);
    return /** @type {InstanceType<C>} */ (new (/** @type {any} */ (this))(INTERNAL, w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o));
  }

  /**
   * Wraps weights that are already quantized (int8, zero point 0), e.g. from a PyTorch checkpoint.
   * @template {typeof Int8Linear} C
   * @this {C}
   * @param {Record<string, any>} opts the layer's options, and weight (Int8Array, row-major
   *   [outFeatures, inFeatures]), weightScales (one, or one per output channel), bias
   * @returns {InstanceType<C>}
   */
  static fromQuantized(opts) {
    const o = options('options', opts, [...this.KEYS, 'weight', 'weightScales', 'bias']);
    const w = weightsFromQuantized(o);
    return /** @type {InstanceType<C>} */ (new (/** @type {any} */ (this))(INTERNAL, w.q, w.scales, w.bias, w.inFeatures, w.outFeatures, o));
  }
}
