// com.microsoft MatMulNBits with onnxruntime's semantics (issue 11): 4/8-bit
// block-quantized weights packed once, forward(a, m) per call.
//   MatMulNBits.pack     -> qdq_nbits_pack    (src/packing/nbits-pack.c)
//   MatMulNBits.forward  -> qdq_nbits_matmul  (src/operators/nbits-matmul.c)

import { NBITS_ACCURACY_INT8 } from '../runtime/abi.js';
import { call, input, output, owned } from '../runtime/binding.js';
import { checkBlockwise, checkNBits } from '../ops/blockwise.js';
import { allFinite, integer, lengthOf, typedArray } from '../runtime/validate.js';
import { forwardOut } from '../ops/gemm-args.js';
import { INTERNAL, internalOnly } from './internal.js';
import { Owned } from './owned.js';

/**
 * The argument names a forward call's errors use: MatMulNBits.forward(a, m), or a layer's own
 * (WeightOnlyQuantizedLinear.forward(x, batch), whose k is inFeatures).
 * @typedef {{ a: string, m: string, k: string, what: string }} ForwardNames
 */

/** @type {ForwardNames} */
const NAMES = { a: 'a', m: 'm', k: 'k', what: 'MatMulNBits.forward' };

/**
 * Rows of x given its length and the row width, or the caller's count (optional: undefined or
 * null, the library's "not given", means all of x).
 * @param {Float32Array} x @param {number} k @param {unknown} m @param {ForwardNames} names
 * @returns {number}
 */
function rowsOf(x, k, m, names) {
  const n = lengthOf(x); // the internal slot: x.length can be shadowed (validate.js)
  if (m == null) {
    if (n % k !== 0) throw new RangeError(`qdq-wasm: ${names.a}.length (${n}) is not a multiple of ${names.k} (${k})`);
    return n / k;
  }
  const mm = integer(names.m, m, 0, 2 ** 31 - 1);
  if (n !== mm * k) {
    throw new RangeError(`qdq-wasm: ${names.a} must have ${names.m} * ${names.k} = ${mm} * ${k} = ${mm * k} elements, got ${n}`);
  }
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
    return new MatMulNBits(INTERNAL, opts);
  }

  /**
   * @param {symbol} token this library's (js/layers/internal.js); from anywhere else a TypeError
   * @param {unknown} opts
   * @internal use MatMulNBits.pack
   */
  constructor(token, opts) {
    internalOnly(token, 'MatMulNBits', 'MatMulNBits.pack(options)');
    const q = checkBlockwise(opts, ['bias', 'accuracyLevel']);
    const o = /** @type {Record<string, any>} */ (opts);
    const level = integer('accuracyLevel', o.accuracyLevel ?? 4, 0, 4);
    // A NaN or infinite scale or bias would reach every output of its column: refused here, as
    // the int8 Linears refuse theirs (symmetric blocks have negative scales, so only finiteness).
    allFinite('scales', q.scales, 'scales');
    let bias = null;
    if (o.bias !== undefined && o.bias !== null) {
      bias = typedArray('bias', o.bias, Float32Array);
      if (lengthOf(bias) !== q.n) throw new RangeError(`qdq-wasm: bias must have n = ${q.n} elements, got ${lengthOf(bias)}`);
      allFinite('bias', bias, 'biases');
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
    /** @private @type {import('../runtime/binding.js').WasmBuffer} */
    this.storage = /** @type {any} */ (null);
    this.allocating(() => {
      this.storage = this.own('packed weights', this.packedBytes);
      const specs = [input('data', q.data), input('scales', q.scales), owned('packed', this.storage)];
      if (q.zeroPoints) specs.push(input('zp', q.zeroPoints));
      const r = call(rt, specs, (p, c) => c.qdq_nbits_pack(q.n, q.k, q.bits, q.blockSize, p.data, p.scales, q.zeroPoints ? p.zp : 0, p.packed));
      checkNBits(r.status, 'MatMulNBits.pack');
    });
  }

  /**
   * @param {Float32Array} a row-major [m, k] (finite at accuracy level 4)
   * @param {number} [m] rows of a (default a.length / k)
   * @param {{ out?: Float32Array }} [opts] out: an array of m * n to write y into
   * @returns {Float32Array} row-major [m, n] (out when given)
   */
  forward(a, m, opts) {
    return forwardNamed(this, a, m, opts, NAMES);
  }
}

/**
 * MatMulNBits.forward with the caller's argument names in its errors (WeightOnlyQuantizedLinear's x, batch).
 * @param {MatMulNBits} mm @param {unknown} a @param {unknown} m @param {unknown} opts @param {ForwardNames} names
 * @returns {Float32Array}
 */
export function forwardNamed(mm, a, m, opts, names) {
  const rt = /** @type {any} */ (mm).live();
  const av = typedArray(names.a, a, Float32Array);
  const rows = rowsOf(av, mm.k, m, names);
  const n = mm.n, k = mm.k;
  const bias = /** @type {Float32Array | null} */ (/** @type {any} */ (mm).bias);
  const into = forwardOut(opts, Float32Array, rows * n);
  if (rows === 0) return into ?? new Float32Array(0);
  const specs = [input('a', av), owned('packed', /** @type {any} */ (mm).storage), output('y', Float32Array, rows * n, into)];
  if (bias) specs.push(input('bias', bias));
  const flags = mm.accuracyLevel === 4 ? NBITS_ACCURACY_INT8 : 0;
  const r = call(rt, specs, (p, c) => c.qdq_nbits_matmul(rows, n, k, p.a, p.packed, bias ? p.bias : 0, p.y, flags));
  checkNBits(r.status, names.what);
  if (r.status > 0) {
    throw new RangeError(`qdq-wasm: ${names.what}: ${names.a}[${r.status - 1}] is ${av[r.status - 1]}; at accuracy level 4 activations must be finite`);
  }
  return r.y;
}
