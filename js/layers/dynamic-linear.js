// DynamicQuantizedLinear: torch.ao.nn.quantized.dynamic.Linear.
//   fromFloat -> qdq_linear_weight_quantize, qdq_qs8_gemm_pack
//   forward   -> qdq_dynamic_linear (src/operators/gemm.c)

import { FLAG_INPUT_STREAMED, FLAG_ONNX_QPARAMS, FLAG_REDUCE_RANGE } from '../runtime/abi.js';
import { call, input, output, owned } from '../runtime/binding.js';
import { boolean, oneOf } from '../runtime/validate.js';
import { check, floatRows, forwardOut } from '../ops/gemm-args.js';
import { Int8Linear } from './int8-linear.js';
import { INTERNAL, internalOnly } from './internal.js';
import { PackedMatrix } from './packed-matrix.js';

/**
 * Dynamically quantized Linear, as torch.ao.nn.quantized.dynamic.Linear (QNNPACK engine), or
 * onnxruntime's DynamicQuantizeMatMul with compat 'onnx'. Weights are int8, quantized once;
 * each forward() quantizes the float activations per tensor to uint8 from their min and max,
 * runs the int8 GEMM, and returns float(acc) * float(inputScale * weightScale[j]) + bias[j].
 * Made by fromFloat(weight, bias, { inFeatures, outFeatures, perChannel = true, compat = 'pytorch',
 * reduceRange = false, keepWidened = false }) or fromQuantized({ weight, weightScales, bias, inFeatures,
 * outFeatures, compat, reduceRange, keepWidened }): compat is how activations are quantized, 'pytorch'
 * (ChooseQuantizationParams, x * (1 / scale)) or 'onnx' (DynamicQuantizeLinear, x / scale); reduceRange
 * gives 7-bit activations [0, 127], which the relaxed-SIMD build runs on its fastest kernel; keepWidened
 * keeps the weights widened to int16 too, for batches of more than 16 rows (PackedMatrix.pack). Owns
 * wasm memory: call dispose().
 * @example
 * const layer = DynamicQuantizedLinear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x); // Float32Array [batch * 768]
 * layer.dispose();
 */
export class DynamicQuantizedLinear extends Int8Linear {
  /** fromFloat(weight, bias, opts) and fromQuantized(opts) (js/layers/int8-linear.js) take these and the weights'. */
  static KEYS = ['inFeatures', 'outFeatures', 'compat', 'reduceRange', 'keepWidened'];

  /** Not a property: disposing it alone would leave this layer pointing at freed memory. */
  #packed;
  /** Weight scales and bias, kept in wasm memory between calls. */
  #scales;
  /** @type {import('../runtime/binding.js').WasmBuffer | null} */
  #bias = null;

  /**
   * @param {symbol} token this library's (js/layers/internal.js); from anywhere else a TypeError
   * @param {Int8Array} q @param {Float32Array} scales @param {Float32Array | null} bias
   * @param {number} inFeatures @param {number} outFeatures @param {Record<string, any>} o
   * @internal use fromFloat or fromQuantized
   */
  constructor(token, q, scales, bias, inFeatures, outFeatures, o) {
    internalOnly(token, 'DynamicQuantizedLinear', 'DynamicQuantizedLinear.fromFloat(weight, bias, options) or DynamicQuantizedLinear.fromQuantized(options)');
    const compat = oneOf('compat', o.compat ?? 'pytorch', /** @type {const} */ (['pytorch', 'onnx']));
    const reduceRange = boolean('reduceRange', o.reduceRange ?? false);
    const keepWidened = boolean('keepWidened', o.keepWidened ?? false);
    super('DynamicQuantizedLinear', q, scales, inFeatures, outFeatures);
    this.compat = compat;
    this.reduceRange = reduceRange;
    /** Whether the weights are kept widened to int16 as well (the option; widenedBytes is what it holds). */
    this.keepWidened = keepWidened;
    /** @private */
    this.flags = (compat === 'onnx' ? FLAG_ONNX_QPARAMS : 0) | (reduceRange ? FLAG_REDUCE_RANGE : 0);
    /** The float bias (a copy), or null. */
    this.bias = bias ? Float32Array.from(bias) : null;
    /** The input qparams of the last forward() call. @type {{ scale: number, zeroPoint: number } | null} */
    this.lastInputQParams = null;
    this.allocating(() => {
      this.#packed = new PackedMatrix(q, inFeatures, outFeatures, 0, true, null, 0, 'zeroPoint', keepWidened);
      /** Bytes of the weights widened to int16 kept with them (keepWidened; PackedMatrix#widenedBytes). */
      this.widenedBytes = this.#packed.widenedBytes;
      this.#scales = this.own('weight scales', 4 * outFeatures);
      this.#scales.set(this.weightScales);
      if (bias) {
        this.#bias = this.own('bias', 4 * outFeatures);
        this.#bias.set(bias);
      }
    });
  }

  /**
   * y = x W^T + b with x quantized on the fly.
   * @param {Float32Array} x row-major [batch, inFeatures], finite
   * @param {number} [batch] rows of x (default x.length / inFeatures)
   * @param {{ out?: Float32Array }} [opts] out: an array of batch * outFeatures to write y into
   *   (reused across calls, it saves allocating and first touching a new one each time)
   * @returns {Float32Array} row-major [batch, outFeatures] (out when given)
   */
  forward(x, batch, opts) {
    const rt = this.live();
    const { xv, m } = floatRows(x, this.inFeatures, this.outFeatures, batch);
    const n = this.outFeatures, k = this.inFeatures;
    const into = forwardOut(opts, Float32Array, m * n);
    if (m === 0) return into ?? new Float32Array(0);
    const specs = [input('x', xv, true), owned('packed', this.#packed.storage), owned('scales', this.#scales),
      output('y', Float32Array, m * n, into, true), output('qp', Float32Array, 2)];
    if (this.#bias) specs.push(owned('bias', this.#bias));
    const r = call(rt, specs, (p, c, unwritten) =>
      c.qdq_dynamic_linear(m, n, k, p.x, p.packed, p.scales, p.bias ?? 0, p.y,
        this.flags | (unwritten.has('x') ? FLAG_INPUT_STREAMED : 0), p.qp));
    check(r.status, 'DynamicQuantizedLinear.forward');
    if (r.status > 0) throw new RangeError(`qdq-wasm: x[${r.status - 1}] is ${xv[r.status - 1]}; activations must be finite`);
    this.lastInputQParams = { scale: r.qp[0], zeroPoint: r.qp[1] };
    return r.y;
  }

  /** Frees the packed weights. Idempotent; forward() throws afterwards. */
  dispose() {
    this.#packed?.dispose();
    super.dispose();
  }
}
