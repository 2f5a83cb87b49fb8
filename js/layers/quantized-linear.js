// QuantizedLinear: torch.ao.nn.quantized.Linear (static quantization).
//   fromFloat -> qdq_linear_weight_quantize, qdq_quantize_bias, qdq_qs8_gemm_pack
//   multipliers -> qdq_qnnpack_requantization_multipliers (uint8, G4b) or
//                  qdq_requantization_multipliers (int8, G4a) (src/operators/linear-params.c)
//   forward   -> qdq_qs8_gemm (src/operators/gemm.c), requantized (G4)

import { GEMM_OUT_INT8, GEMM_OUT_UINT8 } from '../runtime/abi.js';
import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { boolean, describe, integer, oneOf, scale, typedArray, typedArrayKind } from '../runtime/validate.js';
import { batchOf, forwardOut, int8Data } from '../ops/gemm-args.js';
import { requantizationMultipliers, runGemm } from '../ops/matmul.js';
import { Int8Linear } from './int8-linear.js';
import { INTERNAL, internalOnly } from './internal.js';
import { PackedMatrix } from './packed-matrix.js';

/**
 * Statically quantized Linear, as torch.ao.nn.quantized.Linear (QNNPACK engine): quantized
 * activations in, quantized activations out. Weights int8 symmetric (per output channel by default),
 * bias quantized to int32 with scale inputScale * weightScale[j] (G9), output
 * clamp(roundHalfEven(float(acc) * multiplier[j]) + outputZeroPoint), with ReLU fused as a lower bound
 * of outputZeroPoint. The multiplier is torch 1.13's, all float32: for uint8 (QNNPACK,
 * generate_requantization_scales) float(float(weightScale[j] * inputScale) * float(1 / outputScale)) (G4b);
 * for int8 (the XNNPACK path torch takes for qint8 activations) float(float(inputScale * weightScale[j]) /
 * outputScale) (G4a, as ONNX QLinearMatMul). The two differ in the last bit, and then the output near
 * a tie. Made by fromFloat(weight, bias, options) or
 * fromQuantized({ weight, weightScales, bias, ...options }) with QuantizedLinearOptions (and perChannel,
 * default true, for fromFloat). Owns wasm memory: call dispose().
 * @example
 * const layer = QuantizedLinear.fromFloat(weight, bias, { inFeatures: 4, outFeatures: 2,
 *   inputScale: 0.02, inputZeroPoint: 128, outputScale: 0.05, outputZeroPoint: 128 });
 * const yq = layer.forward(xq); // Uint8Array [batch * 2]
 */
export class QuantizedLinear extends Int8Linear {
  /** fromFloat(weight, bias, opts) and fromQuantized(opts) (js/layers/int8-linear.js) take these and the weights'. */
  static KEYS = ['inFeatures', 'outFeatures', 'inputScale', 'inputZeroPoint', 'outputScale', 'outputZeroPoint', 'dtype', 'relu', 'biasInt32',
    'keepWidened'];

  /** Not a property: disposing it alone would leave this layer pointing at freed memory. */
  #packed;

  /**
   * @param {symbol} token this library's (js/layers/internal.js); from anywhere else a TypeError
   * @param {Int8Array} q @param {Float32Array} scales @param {Float32Array | null} bias
   * @param {number} inFeatures @param {number} outFeatures @param {Record<string, any>} o
   * @internal use fromFloat or fromQuantized
   */
  constructor(token, q, scales, bias, inFeatures, outFeatures, o) {
    internalOnly(token, 'QuantizedLinear', 'QuantizedLinear.fromFloat(weight, bias, options) or QuantizedLinear.fromQuantized(options)');
    const dt = oneOf('dtype', o.dtype ?? 'uint8', /** @type {const} */ (['int8', 'uint8']));
    const [lo, hi] = dt === 'uint8' ? [0, 255] : [-128, 127];
    const inScale = scale('inputScale', o.inputScale);
    const inZp = integer('inputZeroPoint', o.inputZeroPoint ?? 0, lo, hi);
    const outScale = scale('outputScale', o.outputScale);
    const outZp = integer('outputZeroPoint', o.outputZeroPoint ?? 0, lo, hi);
    const relu = boolean('relu', o.relu ?? false);
    const keepWidened = boolean('keepWidened', o.keepWidened ?? false);
    super('QuantizedLinear', q, scales, inFeatures, outFeatures);
    /** @type {'int8' | 'uint8'} */
    this.dtype = dt;
    /** Whether the weights are kept widened to int16 as well (the option; widenedBytes is what it holds). */
    this.keepWidened = keepWidened;
    /** As given: the bias was quantized with this double (torch's q_scale()); requantization uses its float32 value. */
    this.inputScale = /** @type {number} */ (o.inputScale);
    this.inputZeroPoint = inZp;
    this.outputScale = outScale;
    this.outputZeroPoint = outZp;
    this.relu = relu;
    if (o.biasInt32 != null && bias) {
      throw new TypeError('qdq-wasm: give bias (float, quantized here) or biasInt32 (already quantized), not both');
    }
    /** The int32 bias folded into the packed weights: given, or bias quantized with scale inputScale * weightScale[j]. */
    this.biasInt32 = o.biasInt32 != null
      ? Int32Array.from(int32Bias(o.biasInt32, outFeatures))
      : bias
      // The caller's inputScale as a double, as torch's q_scale().
      ? quantizeBias(bias, this.weightScales, this.inputScale)
      : new Int32Array(outFeatures);
    /** @private */
    this.mult = dt === 'uint8'
      ? qnnpackRequantizationMultipliers(inScale, this.weightScales, outScale)
      : requantizationMultipliers(inScale, this.weightScales, outScale);
    /** @private */
    this.ymin = relu ? Math.max(lo, outZp) : lo;
    /** @private */
    this.ymax = hi;
    const za8 = dt === 'uint8' ? inZp - 128 : inZp;
    this.#packed = new PackedMatrix(q, inFeatures, outFeatures, 0, true, this.biasInt32, za8, 'zeroPoint', keepWidened);
    /** Bytes of the weights widened to int16 kept with them (keepWidened; PackedMatrix#widenedBytes). */
    this.widenedBytes = this.#packed.widenedBytes;
  }

  /**
   * @param {Int8Array | Uint8Array} x quantized activations, row-major [batch, inFeatures], of the layer's dtype
   * @param {number} [batch] rows of x (default x.length / inFeatures)
   * @param {{ out?: Int8Array | Uint8Array }} [opts] out: an array of the layer's dtype and
   *   batch * outFeatures elements to write y into
   * @returns {Int8Array | Uint8Array} quantized output, row-major [batch, outFeatures] (out when given)
   */
  forward(x, batch, opts) {
    this.live();
    const xv = int8Data('x', x);
    if ((typedArrayKind(xv) === 'Uint8Array') !== (this.dtype === 'uint8')) {
      throw new TypeError(`qdq-wasm: x must be a ${this.dtype === 'uint8' ? 'Uint8Array' : 'Int8Array'} for this ${this.dtype} layer, got ${describe(x)}`);
    }
    const m = batchOf('x', xv, this.inFeatures, batch);
    const Y = this.dtype === 'uint8' ? Uint8Array : Int8Array;
    const out = forwardOut(opts, Y, m * this.outFeatures) ?? new Y(m * this.outFeatures);
    if (m === 0) return out;
    runGemm(this.#packed, xv, m, this.inputZeroPoint, this.dtype === 'uint8' ? GEMM_OUT_UINT8 : GEMM_OUT_INT8, out, this.mult,
      this.outputZeroPoint, this.ymin, this.ymax);
    return out;
  }

  /** Frees the packed weights. Idempotent; forward() throws afterwards. */
  dispose() {
    this.#packed?.dispose();
    super.dispose();
  }
}

/**
 * A float bias quantized to int32 with scale inputScale * weightScales[j] (G9, qdq_quantize_bias).
 * @param {Float32Array} bias [n], checked @param {Float32Array} weightScales [n] @param {number} inputScale
 * @returns {Int32Array}
 */
export function quantizeBias(bias, weightScales, inputScale) {
  const n = weightScales.length;
  return call(getRuntime(), [input('bias', bias), input('scales', weightScales), output('q', Int32Array, n)],
    (p, c) => c.qdq_quantize_bias(n, p.bias, p.scales, inputScale, p.q)).q;
}

/**
 * QNNPACK's requantization multipliers float(float(weightScales[j] * inputScale) * float(1 / outputScale))
 * (G4b, qdq_qnnpack_requantization_multipliers).
 * @param {number} inputScale @param {Float32Array} weightScales @param {number} outputScale @returns {Float32Array}
 */
function qnnpackRequantizationMultipliers(inputScale, weightScales, outputScale) {
  const n = weightScales.length;
  return call(getRuntime(), [input('scales', weightScales), output('mult', Float32Array, n)],
    (p, c) => c.qdq_qnnpack_requantization_multipliers(n, inputScale, p.scales, outputScale, p.mult)).mult;
}

/**
 * An already quantized bias (e.g. a saved model's, or ONNX QLinearMatMul's): outFeatures int32 values.
 * @param {unknown} v @param {number} n @returns {Int32Array}
 */
function int32Bias(v, n) {
  const b = typedArray('biasInt32', v, Int32Array);
  if (b.length !== n) throw new RangeError(`qdq-wasm: biasInt32 has ${b.length} values; outFeatures is ${n}`);
  return b;
}

/**
 * @typedef {object} QuantizedLinearOptions
 * @property {number} inFeatures
 * @property {number} outFeatures
 * @property {number} inputScale step of the input activations (> 0): requantization uses its float32
 *   value, the bias scale weightScale * inputScale is computed in double, as torch's q_scale()
 * @property {number} [inputZeroPoint] default 0
 * @property {number} outputScale float32 step of the output
 * @property {number} [outputZeroPoint] default 0
 * @property {'int8' | 'uint8'} [dtype] activation and output dtype (default 'uint8', as QNNPACK)
 * @property {boolean} [relu] fuse ReLU (default false)
 * @property {Int32Array} [biasInt32] fromQuantized only, instead of bias: the int32 bias itself
 */
