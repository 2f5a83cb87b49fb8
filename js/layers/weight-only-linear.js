// A Linear layer with 4/8-bit block-quantized weights and float activations
// (a weight-only qconfig, as LLM runtimes use): quantizeBlockwise once, then
// MatMulNBits per forward.
//   WeightOnlyQuantizedLinear.fromFloat -> qdq_quantize_blockwise, qdq_nbits_pack
//   WeightOnlyQuantizedLinear.fromQuantized -> qdq_nbits_pack (weights quantized before: a saved model)
//   WeightOnlyQuantizedLinear.forward   -> qdq_nbits_matmul (src/operators/nbits-matmul.c)

import { quantizeBlockwise } from '../ops/blockwise.js';
import { MatMulNBits, forwardNamed } from './matmul-nbits.js';
import { integer, options, typedArray } from '../runtime/validate.js';
import { floatBias } from '../ops/gemm-args.js';
import { INTERNAL, internalOnly } from './internal.js';

/** forward(x, batch)'s argument names in errors. */
const NAMES = { a: 'x', m: 'batch', k: 'inFeatures', what: 'WeightOnlyQuantizedLinear.forward' };

/**
 * y = x W^T + b with W quantized in blocks along inFeatures (onnxruntime's quantizer,
 * docs/blockwise.md B1-B3) and multiplied as MatMulNBits (accuracy level 4 by default: activations
 * quantized per block to int8 on the fly). Owns wasm memory: call dispose() (or use `using`).
 * @example
 * const layer = WeightOnlyQuantizedLinear.fromFloat(weight, bias, { inFeatures: 4096, outFeatures: 4096 });
 * const y = layer.forward(x, 1); // Float32Array [1 * 4096]
 * console.log(layer.error.sqnr);  // dB of the weight quantization
 * layer.dispose();
 */
export class WeightOnlyQuantizedLinear {
  /**
   * @param {Float32Array} weight row-major [outFeatures, inFeatures], as torch.nn.Linear.weight, finite
   * @param {Float32Array | null | undefined} bias [outFeatures] or null
   * @param {{ inFeatures: number, outFeatures: number, bits?: 4 | 8, blockSize?: 16 | 32 | 64 | 128 | 256,
   *   symmetric?: boolean, accuracyLevel?: 0 | 1 | 2 | 3 | 4 }} opts bits default 4, blockSize default 32,
   *   symmetric default false, accuracyLevel default 4 (MatMulNBits's levels: 4 int8 activations,
   *   0-3 float products; onnxruntime's 1-3, fp32/fp16/bf16, compute float32 activations as 0 on CPU)
   * @returns {WeightOnlyQuantizedLinear}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts, ['inFeatures', 'outFeatures', 'bits', 'blockSize', 'symmetric', 'accuracyLevel']);
    const inFeatures = integer('inFeatures', o.inFeatures, 1, 2 ** 31 - 1);
    const outFeatures = integer('outFeatures', o.outFeatures, 1, 2 ** 31 - 1);
    typedArray('weight', weight, Float32Array);
    const b = floatBias('bias', bias, outFeatures); // type, length and finiteness, as the int8 Linears
    const q = quantizeBlockwise(weight, { n: outFeatures, k: inFeatures, bits: o.bits, blockSize: o.blockSize, symmetric: o.symmetric });
    return new WeightOnlyQuantizedLinear(INTERNAL, q, b, o.accuracyLevel ?? 4);
  }

  /**
   * A layer from weights already quantized (another layer's `weight`, a saved model's tensors, or
   * onnxruntime's MatMulNBits inputs B, scales and zero_points), checked as MatMulNBits.pack checks
   * them. Its `error` is null: the float weights it would compare with are not given.
   * @param {{ weight: { data: Uint8Array, scales: Float32Array, zeroPoints?: Uint8Array | null },
   *   bias?: Float32Array | null, inFeatures: number, outFeatures: number, bits?: 4 | 8,
   *   blockSize?: 16 | 32 | 64 | 128 | 256, accuracyLevel?: 0 | 1 | 2 | 3 | 4 }} opts bits default 4,
   *   blockSize default 32, accuracyLevel default 4; weight.zeroPoints null or absent: 2^(bits-1) (symmetric)
   * @returns {WeightOnlyQuantizedLinear}
   * @example
   * const copy = WeightOnlyQuantizedLinear.fromQuantized({ weight: layer.weight, bias: layer.bias,
   *   inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, bits: layer.bits, blockSize: layer.blockSize });
   */
  static fromQuantized(opts) {
    const o = options('options', opts, ['weight', 'bias', 'inFeatures', 'outFeatures', 'bits', 'blockSize', 'accuracyLevel']);
    const inFeatures = integer('inFeatures', o.inFeatures, 1, 2 ** 31 - 1);
    const outFeatures = integer('outFeatures', o.outFeatures, 1, 2 ** 31 - 1);
    const w = options('weight', o.weight, ['data', 'scales', 'zeroPoints']);
    const b = floatBias('bias', o.bias, outFeatures);
    const q = { data: w.data, scales: w.scales, zeroPoints: w.zeroPoints ?? null, n: outFeatures, k: inFeatures,
      bits: o.bits ?? 4, blockSize: o.blockSize ?? 32, error: null };
    return new WeightOnlyQuantizedLinear(INTERNAL, q, b, o.accuracyLevel ?? 4);
  }

  /**
   * @param {symbol} token this library's (js/layers/internal.js); from anywhere else a TypeError
   * @param {Omit<ReturnType<typeof quantizeBlockwise>, 'error'> & { error: ReturnType<typeof quantizeBlockwise>['error'] | null }} q
   * @param {Float32Array | null} bias @param {unknown} accuracyLevel
   * @internal use fromFloat or fromQuantized
   */
  constructor(token, q, bias, accuracyLevel) {
    internalOnly(token, 'WeightOnlyQuantizedLinear', 'WeightOnlyQuantizedLinear.fromFloat(weight, bias, options)');
    /** @private */
    this.matmul = MatMulNBits.pack({ data: q.data, scales: q.scales, zeroPoints: q.zeroPoints, n: q.n, k: q.k,
      bits: q.bits, blockSize: q.blockSize, bias, accuracyLevel });
    this.inFeatures = q.k;
    this.outFeatures = q.n;
    this.bits = this.matmul.bits;
    this.blockSize = this.matmul.blockSize;
    /** MatMulNBits's accuracy level: 4 int8 activations, 0-3 float products. */
    this.accuracyLevel = this.matmul.accuracyLevel;
    // Copies (checked typed arrays, copied through their internal slots): the packed weights in wasm
    // memory are what forward() uses and these what the layer reports and saves, so a caller's later
    // writes to its arrays change neither.
    /** The quantized weights in MatMulNBits layout (data, scales, zeroPoints: null when symmetric). */
    this.weight = { data: new Uint8Array(q.data), scales: new Float32Array(q.scales), zeroPoints: q.zeroPoints ? new Uint8Array(q.zeroPoints) : null };
    /** The float bias [outFeatures], or null. */
    this.bias = bias ? new Float32Array(bias) : null;
    /** Weight quantization error (mse, maxAbsError, sqnr in dB, and per block); null from fromQuantized. */
    this.error = q.error;
  }

  /** Whether dispose() has been called. */
  get disposed() {
    return this.matmul.disposed;
  }

  /**
   * @param {Float32Array} x row-major [batch, inFeatures]
   * @param {number} [batch] rows of x (default x.length / inFeatures)
   * @param {{ out?: Float32Array }} [opts] out: an array of batch * outFeatures to write y into
   * @returns {Float32Array} row-major [batch, outFeatures] (out when given)
   */
  forward(x, batch, opts) {
    if (this.disposed) throw new Error('qdq-wasm: this WeightOnlyQuantizedLinear was disposed; create a new one');
    return forwardNamed(this.matmul, x, batch, opts, NAMES);
  }

  /** Frees the packed weights. Idempotent; forward() throws afterwards. */
  dispose() {
    this.matmul.dispose();
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}
