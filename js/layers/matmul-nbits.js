// com.microsoft MatMulNBits with onnxruntime's semantics (issue 11): 4/8-bit
// block-quantized weights packed once, forward(a, m) per call.
//   MatMulNBits.pack     -> qdq_nbits_pack    (src/packing/nbits-pack.c)
//   MatMulNBits.forward  -> qdq_nbits_matmul  (src/operators/nbits-matmul.c)

import { NBITS_ACCURACY_INT8 } from '../runtime/abi.js';
import { call, input, output, owned } from '../runtime/binding.js';
import { checkBlockwise, checkNBits } from '../ops/blockwise.js';
import { integer, typedArray } from '../runtime/validate.js';
import { forwardOut } from '../ops/gemm-args.js';
import { Owned } from './owned.js';

/**
 * Rows of x given its length and the row width, or the caller's count.
 * @param {Float32Array} x @param {number} k @param {unknown} m @returns {number}
 */
export function rowsOf(x, k, m) {
  if (m === undefined) {
    if (x.length % k !== 0) throw new RangeError(`qdq-wasm: input length ${x.length} is not a multiple of k = ${k}`);
    return x.length / k;
  }
  const mm = integer('m', m, 0, 2 ** 31 - 1);
  if (x.length !== mm * k) throw new RangeError(`qdq-wasm: input must have m * k = ${mm * k} elements, got ${x.length}`);
  return mm;
}

/**
 * onnxruntime's com.microsoft MatMulNBits: Y [m, n] = A [m, k] x dequantized B^T + bias, where B is
 * [n, k] in blocks of blockSize along k. accuracyLevel 4 quantizes A per block to int8 as MLAS does
 * (scale = amax / 127, round half away from zero) and multiplies in integers; accuracyLevel 0 (and
 * 1-3) multiplies in float32 with the dequantized weights (q - zp) * scale. Results are identical in
 * every build (docs/blockwise.md). Owns wasm memory: call dispose() (or use `using`).
 * @example
 * const mm = MatMulNBits.pack({ data: B, scales, zeroPoints, n: 4096, k: 4096, bits: 4, blockSize: 32 });
 * const y = mm.forward(a, 1); // Float32Array [1 * 4096]
 * mm.dispose();
 */
export class MatMulNBits extends Owned {
  /**
   * Packs onnxruntime's MatMulNBits inputs as they are.
   * @param {{ data: Uint8Array, scales: Float32Array, zeroPoints?: Uint8Array | null, bias?: Float32Array | null,
   *   n: number, k: number, bits?: 4 | 8, blockSize?: number, accuracyLevel?: 0 | 1 | 2 | 3 | 4 }} opts
   *   data: B as uint8 [n, ceil(k / blockSize), blockSize * bits / 8]; scales: [n * ceil(k / blockSize)];
   *   zeroPoints: uint8, 4 bits packed [n, ceil(kb / 2)], 8 bits [n, kb] (default: 2^(bits-1));
   *   bias: [n] or null; bits default 4; blockSize default 32; accuracyLevel default 4
   * @returns {MatMulNBits}
   */
  static pack(opts) {
    return new MatMulNBits(opts);
  }

  /**
   * @param {unknown} opts
   * @internal use MatMulNBits.pack
   */
  constructor(opts) {
    const q = checkBlockwise(opts, ['bias', 'accuracyLevel']);
    const o = /** @type {Record<string, any>} */ (opts);
    const level = integer('accuracyLevel', o.accuracyLevel ?? 4, 0, 4);
    let bias = null;
    if (o.bias !== undefined && o.bias !== null) {
      bias = typedArray('bias', o.bias, Float32Array);
      if (bias.length !== q.n) throw new RangeError(`qdq-wasm: bias must have n = ${q.n} elements, got ${bias.length}`);
      bias = Float32Array.from(bias);
    }
    super('MatMulNBits');
    this.n = q.n;
    this.k = q.k;
    this.bits = q.bits;
    this.blockSize = q.blockSize;
    this.accuracyLevel = level;
    /** @private */
    this.bias = bias;
    const rt = this.rt;
    /** Bytes of packed weights in wasm memory. */
    this.packedBytes = rt.exports.qdq_nbits_packed_size(q.n, q.k, q.bits, q.blockSize) >>> 0;
    /** @private */
    this.storage = this.own('packed weights', this.packedBytes);
    const specs = [input('data', q.data), input('scales', q.scales), owned('packed', this.storage)];
    if (q.zeroPoints) specs.push(input('zp', q.zeroPoints));
    const r = call(rt, specs, (p, c) => c.qdq_nbits_pack(q.n, q.k, q.bits, q.blockSize, p.data, p.scales, q.zeroPoints ? p.zp : 0, p.packed));
    checkNBits(r.status, 'MatMulNBits.pack');
  }

  /**
   * @param {Float32Array} a row-major [m, k] (finite at accuracy level 4)
   * @param {number} [m] rows of a (default a.length / k)
   * @param {{ out?: Float32Array }} [opts] out: an array of m * n to write y into
   * @returns {Float32Array} row-major [m, n] (out when given)
   */
  forward(a, m, opts) {
    const rt = this.live();
    typedArray('a', a, Float32Array);
    const rows = rowsOf(a, this.k, m);
    const n = this.n, k = this.k;
    const into = forwardOut(opts, Float32Array, rows * n);
    if (rows === 0) return into ?? new Float32Array(0);
    const specs = [input('a', a), owned('packed', this.storage), output('y', Float32Array, rows * n, into)];
    if (this.bias) specs.push(input('bias', this.bias));
    const flags = this.accuracyLevel === 4 ? NBITS_ACCURACY_INT8 : 0;
    const r = call(rt, specs, (p, c) => c.qdq_nbits_matmul(rows, n, k, p.a, p.packed, this.bias ? p.bias : 0, p.y, flags));
    checkNBits(r.status, 'MatMulNBits.forward');
    if (r.status > 0) {
      throw new RangeError(`qdq-wasm: MatMulNBits.forward: input[${r.status - 1}] is ${a[r.status - 1]}; at accuracy level 4 activations must be finite`);
    }
    return r.y;
  }
}
