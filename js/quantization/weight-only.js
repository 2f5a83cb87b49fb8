// Weight-only quantization in the model workflows: a qconfig that asks for 4- or 8-bit block
// weights and float activations (torchao's int4_weight_only(group_size), onnxruntime's
// MatMulNBits), and the module quantizeDynamic() puts in place of each Linear it covers.
//   getWeightOnlyQConfig            -> WeightOnlyQConfig (no observers: nothing to calibrate)
//   WeightOnlyQuantizedLinearModule -> WeightOnlyQuantizedLinear (js/layers/weight-only-linear.js)

import { blockBits, blockSizeOf } from '../ops/blockwise.js';
import { WeightOnlyQuantizedLinear } from '../layers/weight-only-linear.js';
import { foreign } from '../runtime/binding.js';
import { boolean, integer, lengthOf, options } from '../runtime/validate.js';
import { live, Module } from '../nn/module.js';

/**
 * How quantizeDynamic() quantizes a Linear's weights when it has no activations to observe: in
 * blocks of blockSize along inFeatures to 4 or 8 bits (docs/blockwise.md), multiplied as
 * MatMulNBits. Made by getWeightOnlyQConfig(); frozen.
 */
export class WeightOnlyQConfig {
  /**
   * @param {{ bits?: 4 | 8, blockSize?: 16 | 32 | 64 | 128 | 256, symmetric?: boolean, accuracyLevel?: 0 | 1 | 2 | 3 | 4 }} [opts]
   */
  constructor(opts) {
    const o = options('options', opts, ['bits', 'blockSize', 'symmetric', 'accuracyLevel'], {});
    // Checked here, not at quantizeDynamic(): a bad qconfig is the line that made it.
    const bits = blockBits(o.bits);
    const blockSize = blockSizeOf(o.blockSize);
    /** Bits per weight: 4 or 8. @type {4 | 8} */
    this.bits = bits;
    /** Weights per block along inFeatures, each block with its own scale (and zero point). @type {16 | 32 | 64 | 128 | 256} */
    this.blockSize = blockSize;
    /** Symmetric blocks (no zero point), as MLAS's symmetric quantizer. */
    this.symmetric = boolean('symmetric', o.symmetric ?? false);
    /** MatMulNBits's accuracy level: 4 quantizes activations per block to int8; 0-3 multiply in float32. @type {0 | 1 | 2 | 3 | 4} */
    this.accuracyLevel = /** @type {0 | 1 | 2 | 3 | 4} */ (integer('accuracyLevel', o.accuracyLevel ?? 4, 0, 4));
    Object.freeze(this);
  }
}

/**
 * A weight-only qconfig for quantizeDynamic(): each Linear it covers gets 4-bit (or 8-bit) weights
 * in blocks along inFeatures, quantized once as onnxruntime's MatMulNBits quantizer does, and keeps
 * float activations (what torchao's int4_weight_only(group_size) does for an LLM's Linears). Set it
 * as quantizeDynamic's qconfig, or as a module's qconfig for that module and its children.
 * @param {{ bits?: 4 | 8, blockSize?: 16 | 32 | 64 | 128 | 256, symmetric?: boolean, accuracyLevel?: 0 | 1 | 2 | 3 | 4 }} [opts]
 *   bits default 4, blockSize default 32, symmetric default false, accuracyLevel default 4
 * @returns {WeightOnlyQConfig}
 * @example
 * const int4 = quantizeDynamic(model, { qconfig: getWeightOnlyQConfig({ bits: 4, blockSize: 32 }) });
 */
export function getWeightOnlyQConfig(opts) {
  return new WeightOnlyQConfig(opts);
}

/**
 * A Linear (or LinearReLU, with relu) with weight-only quantized weights: float in, float out.
 * State: 'weight' (Uint8Array [outFeatures, blocks, blockSize * bits / 8], MatMulNBits's B),
 * 'scales' ([outFeatures, blocks]), 'zero_points' (uint8, MatMulNBits's packing; absent when
 * symmetric), 'bias'. Owns wasm memory: dispose().
 */
export class WeightOnlyQuantizedLinearModule extends Module {
  /** @param {WeightOnlyQuantizedLinear} layer @param {boolean} [relu] default false */
  constructor(layer, relu = false) {
    if (!(layer instanceof WeightOnlyQuantizedLinear)) {
      throw new TypeError('qdq-wasm: WeightOnlyQuantizedLinearModule\'s layer must be a WeightOnlyQuantizedLinear ' +
        `(WeightOnlyQuantizedLinear.fromFloat or .fromQuantized), got ${foreign(layer)}`);
    }
    if (layer.disposed) throw new Error('qdq-wasm: WeightOnlyQuantizedLinearModule\'s layer, a WeightOnlyQuantizedLinear, was disposed; create a new one');
    const r = boolean('relu', relu);
    super();
    /** The weight-only layer. */
    this.layer = layer;
    this.inFeatures = layer.inFeatures;
    this.outFeatures = layer.outFeatures;
    /** Whether a ReLU follows (a fused LinearReLU). */
    this.relu = r;
  }

  ownState() {
    const l = this.layer;
    const blocks = Math.ceil(l.inFeatures / l.blockSize);
    const zp = l.weight.zeroPoints;
    return {
      weight: { shape: [l.outFeatures, blocks, l.blockSize * l.bits / 8], data: l.weight.data },
      scales: { shape: [l.outFeatures, blocks], data: l.weight.scales },
      ...(zp ? { zero_points: { shape: [l.outFeatures, lengthOf(zp) / l.outFeatures], data: zp } } : {}),
      ...(l.bias ? { bias: { shape: [l.outFeatures], data: l.bias } } : {}),
    };
  }

  /** @param {Float32Array} x row-major [batch, inFeatures] @param {number} [batch] @returns {Float32Array} */
  forward(x, batch) {
    live(this);
    const y = this.layer.forward(x, batch);
    // As nn.ReLU: negatives to 0; -0 and NaN stay, as torch 1.13's relu leaves them.
    if (this.relu) for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
    return y;
  }

  /** A layer with this one's sizes and settings on other tensors. @param {Record<string, import('../nn/module.js').StateTensor>} t */
  #rebuilt(t) {
    const l = this.layer;
    return WeightOnlyQuantizedLinear.fromQuantized({
      weight: { data: /** @type {Uint8Array} */ (t.weight.data), scales: /** @type {Float32Array} */ (t.scales.data),
        zeroPoints: t.zero_points ? /** @type {Uint8Array} */ (t.zero_points.data) : null },
      bias: t.bias ? /** @type {Float32Array} */ (t.bias.data) : null,
      inFeatures: l.inFeatures, outFeatures: l.outFeatures, bits: l.bits,
      blockSize: /** @type {16 | 32 | 64 | 128 | 256} */ (l.blockSize), accuracyLevel: /** @type {0 | 1 | 2 | 3 | 4} */ (l.accuracyLevel),
    });
  }

  /**
   * Rebuilds the layer from a state dict's tensors (loadStateDict(), loadModel()), keeping bits,
   * blockSize and accuracyLevel.
   * @param {Record<string, import('../nn/module.js').StateTensor>} t
   */
  stageOwnState(t) {
    const layer = this.#rebuilt(t);
    return { commit: () => { this.layer.dispose(); this.layer = layer; }, abort: () => layer.dispose() };
  }

  /** @param {Record<string, import('../nn/module.js').StateTensor>} t */
  loadOwnState(t) {
    this.stageOwnState(t).commit();
  }

  clone() {
    live(this);
    const layer = this.#rebuilt(this.ownState());
    // The copy's weights are the same quantization of the same floats: the same error.
    layer.error = this.layer.error;
    try {
      return /** @type {this} */ (new WeightOnlyQuantizedLinearModule(layer, this.relu).train(this.training));
    } catch (e) {
      layer.dispose();
      throw e;
    }
  }

  dispose() {
    this.layer.dispose();
    super.dispose();
  }
}
