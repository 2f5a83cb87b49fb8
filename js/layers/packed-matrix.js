// PackedMatrix: B of an int8 matrix product, packed once.
//   PackedMatrix.pack -> qdq_qs8_gemm_pack (src/packing/gemm-pack.c),
//                        keepWidened: qdq_qs8_gemm_keep_widened (src/operators/gemm.c)

import { FLAG_TRANSPOSED, FLAG_UINT8 } from '../runtime/abi.js';
import { call, input, owned } from '../runtime/binding.js';
import { boolean, describe, integer, options, typedArray } from '../runtime/validate.js';
import { check, columnZeroPoints, depth, dim, int8Data, isUint8, length } from '../ops/gemm-args.js';
import { Owned } from './owned.js';

/**
 * A quantized matrix B ([k, n], as ONNX MatMul's second input) packed once
 * into the layout the int8 kernels read, with its zero points folded in.
 * Pass it to matmulInteger or qlinearMatmul instead of B to skip packing on
 * every call. Owns wasm memory: call dispose().
 *
 * With keepWidened, it also keeps its weights widened to int16 (about 2 bytes a weight more),
 * which calls with more than 16 rows of A then read instead of widening the weights on every
 * call. Since the kernels widen as they read (docs/gemm.md, xwiden) it gains nothing on one thread
 * (0.989-1.002 at 128x768x768 on the AMD EPYC VM of docs/threads.md), and 3-19% on two there
 * (three runs; 512x512x512 and 64x2048x2048: 0.97-1.02; docs/gemm.md, "Kept widened weights").
 * The results are the same bytes.
 * @example
 * const packed = PackedMatrix.pack(b, { k: 64, n: 32, zeroPoint: 0 });
 * const y = matmulInteger(a, packed, { m: 4 });
 * packed.dispose();
 */
export class PackedMatrix extends Owned {
  /**
   * @param {Int8Array | Uint8Array} b quantized B, row-major [k, n] (or [n, k] with transposed)
   * @param {{ k: number, n: number, zeroPoint?: number | ArrayLike<number>, transposed?: boolean,
   *   keepWidened?: boolean }} opts
   *   zeroPoint: B's zero point, scalar or one per column (default 0);
   *   transposed: b is stored [n, k], as a PyTorch Linear weight (default false);
   *   keepWidened: also keep the weights widened to int16 for calls of more than 16 rows (default false)
   * @returns {PackedMatrix}
   */
  static pack(b, opts) {
    const o = options('options', opts, ['k', 'n', 'zeroPoint', 'transposed', 'keepWidened']);
    return new PackedMatrix(b, depth('k', o.k), dim('n', o.n), o.zeroPoint, boolean('transposed', o.transposed ?? false), null, 0,
      'zeroPoint', boolean('keepWidened', o.keepWidened ?? false));
  }

  /**
   * Checks every argument itself, as pack() does (matmulInteger and the quantized Linears call it
   * directly): a caller outside the library gets an error, never a matrix read past its arrays.
   * @param {unknown} b @param {unknown} k @param {unknown} n @param {unknown} zeroPoint
   * @param {unknown} transposed @param {unknown} bias Int32Array [n] or null: int32, folded in (static Linear)
   * @param {unknown} aZeroPoint activation zero point folded in, int8 domain
   * @param {string} [zeroPointName] the zero point's argument name in errors
   * @param {unknown} [keepWidened] keep the weights widened to int16 as well (qdq_qs8_gemm_keep_widened)
   * @internal use PackedMatrix.pack
   */
  constructor(b, k, n, zeroPoint, transposed, bias, aZeroPoint, zeroPointName = 'zeroPoint', keepWidened = false) {
    if (typeof zeroPointName !== 'string') throw new TypeError(`qdq-wasm: zeroPointName must be a string, got ${describe(zeroPointName)}`);
    const kk = depth('k', k), cols = dim('n', n);
    const data = int8Data('b', b);
    length('b', data, kk * cols, 'k * n');
    const tr = boolean('transposed', transposed);
    const keep = boolean('keepWidened', keepWidened);
    const za = integer('aZeroPoint', aZeroPoint, -128, 127);
    const bias32 = bias === null || bias === undefined ? null : typedArray('bias', bias, Int32Array);
    if (bias32) length('bias', bias32, cols, 'n');
    const u8 = isUint8(data);
    const zb = columnZeroPoints(zeroPointName, zeroPoint, cols, u8 ? 0 : -128, u8 ? 255 : 127);
    super('PackedMatrix');
    /** Depth (rows of B). */
    this.k = kk;
    /** Columns of B. */
    this.n = cols;
    /** @type {'int8' | 'uint8'} */
    this.dtype = u8 ? 'uint8' : 'int8';
    const rt = this.rt;
    /** Bytes of the weights widened to int16 kept with them (0 when none: keepWidened false, or a build whose GEMM reads no widened weights). */
    this.widenedBytes = keep ? rt.exports.qdq_qs8_gemm_widened_size(cols, kk) >>> 0 : 0;
    /** @internal @type {import('../runtime/binding.js').WasmBuffer} */
    this.storage = /** @type {any} */ (null);
    this.allocating(() => {
      this.storage = this.own('packed weights', (rt.exports.qdq_qs8_gemm_packed_size(cols, kk) >>> 0) + this.widenedBytes);
      const flags = (u8 ? FLAG_UINT8 : 0) | (tr ? FLAG_TRANSPOSED : 0);
      const specs = [input('b', data), input('zb', zb), owned('packed', this.storage)];
      if (bias32) specs.push(input('bias', bias32));
      const r = call(rt, specs, (p, c) => c.qdq_qs8_gemm_pack(cols, kk, p.b, flags, p.zb, bias32 ? p.bias : 0, za, p.packed));
      check(r.status, 'PackedMatrix.pack');
      if (this.widenedBytes > 0) {
        const w = call(rt, [owned('packed', this.storage)], (p, c) => c.qdq_qs8_gemm_keep_widened(cols, kk, p.packed));
        check(w.status, 'PackedMatrix.pack');
      }
    });
  }
}
