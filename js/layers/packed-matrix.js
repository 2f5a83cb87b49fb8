// PackedMatrix: B of an int8 matrix product, packed once.
//   PackedMatrix.pack -> qdq_qs8_gemm_pack (src/packing/gemm-pack.c)

import { FLAG_TRANSPOSED, FLAG_UINT8 } from '../runtime/abi.js';
import { call, input, owned } from '../runtime/binding.js';
import { boolean, options } from '../runtime/validate.js';
import { check, columnZeroPoints, depth, dim, int8Data, isUint8, length } from '../ops/gemm-args.js';
import { Owned } from './owned.js';

/**
 * A quantized matrix B ([k, n], as ONNX MatMul's second input) packed once
 * into the layout the int8 kernels read, with its zero points folded in.
 * Pass it to matmulInteger or qlinearMatmul instead of B to skip packing on
 * every call. Owns wasm memory: call dispose().
 * @example
 * const packed = PackedMatrix.pack(b, { k: 64, n: 32, zeroPoint: 0 });
 * const y = matmulInteger(a, packed, { m: 4 });
 * packed.dispose();
 */
export class PackedMatrix extends Owned {
  /**
   * @param {Int8Array | Uint8Array} b quantized B, row-major [k, n] (or [n, k] with transposed)
   * @param {{ k: number, n: number, zeroPoint?: number | ArrayLike<number>, transposed?: boolean }} opts
   *   zeroPoint: B's zero point, scalar or one per column (default 0);
   *   transposed: b is stored [n, k], as a PyTorch Linear weight (default false)
   * @returns {PackedMatrix}
   */
  static pack(b, opts) {
    const o = options('options', opts, ['k', 'n', 'zeroPoint', 'transposed']);
    return new PackedMatrix(b, depth('k', o.k), dim('n', o.n), o.zeroPoint, boolean('transposed', o.transposed ?? false), null, 0);
  }

  /**
   * @param {unknown} b @param {number} k @param {number} n @param {unknown} zeroPoint
   * @param {boolean} transposed @param {Int32Array | null} bias int32, folded in (static Linear)
   * @param {number} aZeroPoint activation zero point folded in, int8 domain
   * @param {string} [zeroPointName] the zero point's argument name in errors
   * @internal use PackedMatrix.pack
   */
  constructor(b, k, n, zeroPoint, transposed, bias, aZeroPoint, zeroPointName = 'zeroPoint') {
    const data = int8Data('b', b);
    length('b', data, k * n, 'k * n');
    const u8 = isUint8(data);
    const zb = columnZeroPoints(zeroPointName, zeroPoint, n, u8 ? 0 : -128, u8 ? 255 : 127);
    super('PackedMatrix');
    /** Depth (rows of B). */
    this.k = k;
    /** Columns of B. */
    this.n = n;
    /** @type {'int8' | 'uint8'} */
    this.dtype = u8 ? 'uint8' : 'int8';
    const rt = this.rt;
    /** @internal */
    this.storage = this.own('packed weights', rt.exports.qdq_qs8_gemm_packed_size(n, k) >>> 0);
    const flags = (u8 ? FLAG_UINT8 : 0) | (transposed ? FLAG_TRANSPOSED : 0);
    const specs = [input('b', data), input('zb', zb), owned('packed', this.storage)];
    if (bias) specs.push(input('bias', bias));
    const r = call(rt, specs, (p, c) => c.qdq_qs8_gemm_pack(n, k, p.b, flags, p.zb, bias ? p.bias : 0, aZeroPoint, p.packed));
    check(r.status, 'PackedMatrix.pack');
  }
}
