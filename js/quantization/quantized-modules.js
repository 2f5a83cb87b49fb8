// The modules convert() and quantizeDynamic() put in place of float Linears.
//   QuantizedLinearModule        -> QuantizedLinear (js/layers/quantized-linear.js): int8 in, int8 out
//   DynamicQuantizedLinearModule -> DynamicQuantizedLinear (js/layers/dynamic-linear.js): float in, float out

import { DynamicQuantizedLinear } from '../layers/dynamic-linear.js';
import { QuantizedLinear, quantizeBias } from '../layers/quantized-linear.js';
import { foreign } from '../runtime/binding.js';
import { allFinite, boolean, describe, lengthOf, typedArray } from '../runtime/validate.js';
import { live, Module } from '../nn/module.js';

/**
 * The layer a module wraps: of the class it needs, not disposed.
 * @template T
 * @param {string} module the module's class @param {unknown} layer @param {{ name: string, prototype: T }} Layer
 * @returns {T}
 */
function checkLayer(module, layer, Layer) {
  if (!(layer instanceof /** @type {any} */ (Layer))) {
    throw new TypeError(`qdq-wasm: ${module}'s layer must be a ${Layer.name} (${Layer.name}.fromFloat or .fromQuantized), ` +
      `got ${foreign(layer)}`);
  }
  if (/** @type {any} */ (layer).disposed) throw new Error(`qdq-wasm: ${module}'s layer, a ${Layer.name}, was disposed; create a new one`);
  return /** @type {T} */ (layer);
}

/**
 * Set by loadModel() on the placeholder modules it builds: the layer that loading the state puts in
 * place keeps its weights widened (keepWidened), while the placeholder, which the load replaces, is
 * packed without (widening its zeros would cost 2 bytes a weight for nothing). Internal: not exported
 * from the package.
 */
export const KEEP_WIDENED_ON_LOAD = Symbol('qdq-wasm: keepWidened on load');

/** What both int8 Linear modules share: the layer they wrap, its sizes, its weights' state, dispose. */
class Int8LinearModule extends Module {
  /** @param {QuantizedLinear | DynamicQuantizedLinear} layer checked by the subclass */
  constructor(layer) {
    super();
    /** The int8 layer. */
    this.layer = layer;
    this.inFeatures = layer.inFeatures;
    this.outFeatures = layer.outFeatures;
  }

  /** The int8 weights and their scales, under PyTorch's names. @protected */
  weightState() {
    const l = this.layer;
    return {
      weight: { shape: [l.outFeatures, l.inFeatures], data: l.weight },
      weight_scale: { shape: [l.outFeatures], data: l.weightScales },
    };
  }

  dispose() {
    this.layer.dispose();
    super.dispose();
  }
}

/**
 * A statically quantized Linear (torch.ao.nn.quantized.Linear, or LinearReLU with relu): takes and
 * returns quantized activations. State: 'weight' (Int8Array [out, in]), 'weight_scale' (one per
 * output channel), 'bias' (float), 'scale' and 'zero_point' (the output's), 'input_scale' and
 * 'input_zero_point' (what the layer was built for). Owns wasm memory: dispose().
 */
export class QuantizedLinearModule extends Int8LinearModule {
  /**
   * @param {QuantizedLinear} layer
   * @param {Float32Array | null} bias the float bias it was built from ([outFeatures], finite; quantized with
   *   the layer's scales it must give layer.biasInt32), or null (undefined alike): the layer's biasInt32 alone
   */
  constructor(layer, bias) {
    const l = checkLayer('QuantizedLinearModule', layer, QuantizedLinear);
    let b = null;
    if (bias !== null && bias !== undefined) {
      b = typedArray('bias', bias, Float32Array);
      if (lengthOf(b) !== l.outFeatures) throw new RangeError(`qdq-wasm: bias must have outFeatures = ${l.outFeatures} elements, got ${lengthOf(b)}`);
      allFinite('bias', b, 'biases');
      const q = quantizeBias(b, l.weightScales, l.inputScale);
      const j = q.findIndex((v, i) => v !== l.biasInt32[i]);
      if (j >= 0) {
        throw new RangeError(`qdq-wasm: bias[${j}] (${b[j]}) quantized with inputScale * weightScales[${j}] gives ${q[j]}, ` +
          `but the layer's biasInt32[${j}] is ${l.biasInt32[j]}: pass the bias the layer was built from`);
      }
    }
    super(l);
    /** The float bias, as torch keeps it (the layer folds it in as biasInt32). */
    this.bias = b;
  }

  ownState() {
    const l = this.layer;
    /** @type {Record<string, import('../nn/module.js').StateTensor>} */
    const s = {
      ...this.weightState(),
      bias_int32: { shape: [l.outFeatures], data: l.biasInt32 },
      ...(this.bias ? { bias: { shape: [l.outFeatures], data: this.bias } } : {}),
      scale: { shape: [1], data: Float32Array.of(l.outputScale) },
      zero_point: { shape: [1], data: Int32Array.of(l.outputZeroPoint) },
      input_scale: { shape: [1], data: Float64Array.of(l.inputScale) },
      input_zero_point: { shape: [1], data: Int32Array.of(l.inputZeroPoint) },
    };
    return s;
  }

  /**
   * @param {import('./activation.js').QuantizedActivation} x
   * @param {number} [batch]
   * @returns {import('./activation.js').QuantizedActivation}
   */
  forward(x, batch) {
    live(this);
    if (x instanceof Float32Array || !x || typeof x !== 'object' || !('zeroPoint' in x)) {
      throw new TypeError(`qdq-wasm: QuantizedLinear got ${describe(x)}, not a quantized activation: a converted ` +
        'static model quantizes its input at a QuantStub (PyTorch fails here with "Could not run \'quantized::linear\' ' +
        'with arguments from the \'CPU\' backend")');
    }
    const l = this.layer;
    // The layer requantizes with inputScale's float32 value, so that is what must match.
    if (Math.fround(x.scale) !== Math.fround(l.inputScale) || x.zeroPoint !== l.inputZeroPoint) {
      throw new RangeError(`qdq-wasm: QuantizedLinear was built for input scale ${l.inputScale}, zero point ` +
        `${l.inputZeroPoint}; got ${x.scale}, ${x.zeroPoint}`);
    }
    return { data: l.forward(x.data, batch), scale: l.outputScale, zeroPoint: l.outputZeroPoint, dtype: l.dtype };
  }

  /**
   * Rebuilds the layer from a state dict's tensors (loadStateDict(), loadModel()): the float bias,
   * when this module has one, is quantized again and must give the saved bias_int32; without one,
   * bias_int32 is taken as it is.
   * @param {Record<string, import('../nn/module.js').StateTensor>} t
   */
  stageOwnState(t) {
    const l = this.layer;
    const bias = t.bias ? /** @type {Float32Array} */ (t.bias.data) : null;
    const saved = /** @type {Int32Array} */ (t.bias_int32.data);
    const layer = QuantizedLinear.fromQuantized({
      weight: t.weight.data, weightScales: t.weight_scale.data, ...(bias ? { bias } : { biasInt32: saved }),
      inFeatures: l.inFeatures, outFeatures: l.outFeatures,
      inputScale: /** @type {Float64Array} */ (t.input_scale.data)[0], inputZeroPoint: /** @type {Int32Array} */ (t.input_zero_point.data)[0],
      outputScale: /** @type {Float32Array} */ (t.scale.data)[0], outputZeroPoint: /** @type {Int32Array} */ (t.zero_point.data)[0],
      dtype: l.dtype, relu: l.relu, keepWidened: l.keepWidened || /** @type {any} */ (this)[KEEP_WIDENED_ON_LOAD] === true,
    });
    const j = layer.biasInt32.findIndex((v, i) => v !== saved[i]);
    if (j >= 0) {
      layer.dispose();
      throw new RangeError(`qdq-wasm: bias_int32[${j}] is ${saved[j]}, but bias[${j}] quantized with input_scale * ` +
        `weight_scale[${j}] gives ${layer.biasInt32[j]}: the tensors come from different models`);
    }
    return {
      commit: () => {
        this.layer.dispose();
        this.layer = layer;
        this.bias = bias ? Float32Array.from(bias) : null;
      },
      abort: () => layer.dispose(),
    };
  }

  /** @param {Record<string, import('../nn/module.js').StateTensor>} t */
  loadOwnState(t) {
    this.stageOwnState(t).commit();
  }

  clone() {
    live(this);
    const l = this.layer;
    return /** @type {this} */ (new QuantizedLinearModule(QuantizedLinear.fromQuantized({
      weight: l.weight, weightScales: l.weightScales, ...(this.bias ? { bias: this.bias } : { biasInt32: l.biasInt32 }),
      inFeatures: l.inFeatures, outFeatures: l.outFeatures,
      inputScale: l.inputScale, inputZeroPoint: l.inputZeroPoint, outputScale: l.outputScale,
      outputZeroPoint: l.outputZeroPoint, dtype: l.dtype, relu: l.relu, keepWidened: l.keepWidened,
    }), this.bias));
  }
}

/**
 * A dynamically quantized Linear (torch.ao.nn.quantized.dynamic.Linear, or LinearReLU with relu):
 * float in, float out, int8 weights. State: 'weight' (Int8Array), 'weight_scale', 'bias'.
 * Owns wasm memory: dispose().
 */
export class DynamicQuantizedLinearModule extends Int8LinearModule {
  /** @param {DynamicQuantizedLinear} layer @param {boolean} relu */
  constructor(layer, relu) {
    const l = checkLayer('DynamicQuantizedLinearModule', layer, DynamicQuantizedLinear);
    const r = boolean('relu', relu);
    super(l);
    /** Whether a ReLU follows (torch.ao.nn.intrinsic.quantized.dynamic.LinearReLU). */
    this.relu = r;
  }

  ownState() {
    const bias = this.layer.bias;
    return { ...this.weightState(), ...(bias ? { bias: { shape: [bias.length], data: bias } } : {}) };
  }

  /** @param {Float32Array} x @param {number} [batch] @returns {Float32Array} */
  forward(x, batch) {
    live(this);
    const y = this.layer.forward(x, batch);
    if (this.relu) for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) y[i] = y[i] < 0 ? 0 : y[i] + 0;
    return y;
  }

  /**
   * Rebuilds the layer from a state dict's tensors (loadStateDict(), loadModel()), keeping compat and reduceRange.
   * @param {Record<string, import('../nn/module.js').StateTensor>} t
   */
  stageOwnState(t) {
    const l = this.layer;
    const layer = DynamicQuantizedLinear.fromQuantized({
      weight: t.weight.data, weightScales: t.weight_scale.data, bias: t.bias ? t.bias.data : null,
      inFeatures: l.inFeatures, outFeatures: l.outFeatures, compat: l.compat, reduceRange: l.reduceRange,
      keepWidened: l.keepWidened || /** @type {any} */ (this)[KEEP_WIDENED_ON_LOAD] === true,
    });
    return { commit: () => { this.layer.dispose(); this.layer = layer; }, abort: () => layer.dispose() };
  }

  /** @param {Record<string, import('../nn/module.js').StateTensor>} t */
  loadOwnState(t) {
    this.stageOwnState(t).commit();
  }

  clone() {
    live(this);
    const l = this.layer;
    return /** @type {this} */ (new DynamicQuantizedLinearModule(DynamicQuantizedLinear.fromQuantized({
      weight: l.weight, weightScales: l.weightScales, bias: l.bias, inFeatures: l.inFeatures, outFeatures: l.outFeatures,
      compat: l.compat, reduceRange: l.reduceRange, keepWidened: l.keepWidened,
    }), this.relu));
  }
}
