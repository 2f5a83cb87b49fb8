// QuantStub and DeQuantStub, as torch.ao.quantization's: identities in a float
// model, where convert() puts the input's quantize and the output's dequantize.
// The converted forms (Quantize, DeQuantize) live here too.

import { dequantize, quantizePerTensor } from '../ops/quantize.js';
import { describe, integer, oneOf, scale } from '../runtime/validate.js';
import { copyPrepared, Identity, live, Module } from '../nn/module.js';

/**
 * Marks where a statically quantized model quantizes its float input (torch.ao.quantization.QuantStub).
 * An identity until convert() turns it into a Quantize with the scale and zero point its observer saw.
 */
export class QuantStub extends Identity {
  clone() {
    live(this);
    const c = new QuantStub().train(this.training);
    c.qconfig = this.qconfig;
    copyPrepared(this, c); // a prepared QuantStub's observer, with its range
    return /** @type {this} */ (c);
  }
}

/**
 * Marks where a statically quantized model dequantizes its output (torch.ao.quantization.DeQuantStub).
 * An identity until convert() turns it into a DeQuantize.
 */
export class DeQuantStub extends QuantStub {
  clone() {
    live(this);
    const c = new DeQuantStub().train(this.training);
    c.qconfig = this.qconfig;
    return /** @type {this} */ (c);
  }
}

/**
 * Quantizes a float input once per forward (torch.ao.nn.quantized.Quantize): PyTorch rounding
 * (x · fl(1/scale), half to even) over the dtype's full range. State: 'scale', 'zero_point'.
 */
export class Quantize extends Module {
  /**
   * @param {number} s float32 step, finite and > 0 @param {number} zeroPoint an integer in dtype's range
   * @param {'int8' | 'uint8'} dtype
   */
  constructor(s, zeroPoint, dtype) {
    const dt = oneOf('dtype', dtype, /** @type {const} */ (['int8', 'uint8']));
    const sc = scale('scale', s);
    const zp = integer('zeroPoint', zeroPoint, dt === 'uint8' ? 0 : -128, dt === 'uint8' ? 255 : 127);
    super();
    this.scale = sc;
    this.zeroPoint = zp;
    this.dtype = dt;
  }

  ownState() {
    return { scale: { shape: [1], data: Float32Array.of(this.scale) }, zero_point: { shape: [1], data: Int32Array.of(this.zeroPoint) } };
  }

  /** @param {Record<string, import('../nn/module.js').StateTensor>} t */
  stageOwnState(t) {
    const s = scale('scale', /** @type {Float32Array} */ (t.scale.data)[0]);
    const [lo, hi] = this.dtype === 'uint8' ? [0, 255] : [-128, 127];
    const z = integer('zero_point', /** @type {Int32Array} */ (t.zero_point.data)[0], lo, hi);
    return { commit: () => { this.scale = s; this.zeroPoint = z; }, abort: () => {} };
  }

  /** @param {Record<string, import('../nn/module.js').StateTensor>} t */
  loadOwnState(t) {
    this.stageOwnState(t).commit();
  }

  /**
   * @param {Float32Array} x
   * @returns {import('./activation.js').QuantizedActivation}
   */
  forward(x) {
    live(this);
    if (!(x instanceof Float32Array)) {
      throw new TypeError(`qdq-wasm: Quantize.forward: x must be a Float32Array, got ${describe(x)}`);
    }
    const q = quantizePerTensor(x, { scale: this.scale, zeroPoint: this.zeroPoint, dtype: this.dtype, compat: 'pytorch' });
    return { data: q.data, scale: this.scale, zeroPoint: this.zeroPoint, dtype: this.dtype };
  }

  clone() {
    live(this);
    return /** @type {this} */ (new Quantize(this.scale, this.zeroPoint, this.dtype).train(this.training));
  }
}

/** Dequantizes the output (torch.ao.nn.quantized.DeQuantize): (q − zeroPoint) · scale in float32. */
export class DeQuantize extends Module {
  /**
   * @param {import('./activation.js').QuantizedActivation} x
   * @returns {Float32Array}
   */
  forward(x) {
    live(this);
    if (!x || typeof x !== 'object' || !('zeroPoint' in x)) {
      throw new TypeError(`qdq-wasm: DeQuantize.forward: x must be a quantized activation { data, scale, zeroPoint, dtype }, got ${describe(x)}`);
    }
    return dequantize({ data: x.data, scale: x.scale, zeroPoint: x.zeroPoint });
  }

  clone() {
    live(this);
    return /** @type {this} */ (new DeQuantize().train(this.training));
  }
}
