// Linear: a float32 Linear on the same GEMM machinery, the baseline the int8
// speed-ups are measured against.
//   fromFloat -> qdq_f32_gemm_pack (src/packing/gemm-pack.c)
//   forward   -> qdq_f32_gemm (src/operators/gemm.c)

import { FLAG_TRANSPOSED } from '../runtime/abi.js';
import { call, input, output, owned } from '../runtime/binding.js';
import { allFinite, options, typedArray } from '../runtime/validate.js';
import { check, dim, floatBias, floatRows, forwardOut, length } from '../ops/gemm-args.js';
import { INTERNAL, internalOnly } from './internal.js';
import { Owned } from './owned.js';

/**
 * A float32 Linear on the same wasm SIMD128 GEMM machinery: y = x W^T + b, each term
 * multiplied then added in order (no FMA). The baseline our int8 speed-ups are measured
 * against. Owns wasm memory: call dispose().
 * @example
 * const layer = Linear.fromFloat(weight, bias, { inFeatures: 768, outFeatures: 768 });
 * const y = layer.forward(x);
 */
export class Linear extends Owned {
  /** The packed weights and bias. */
  #packed;

  /**
   * @param {Float32Array} weight row-major [outFeatures, inFeatures], finite
   * @param {Float32Array | null | undefined} bias [outFeatures] finite, or null
   * @param {{ inFeatures: number, outFeatures: number }} opts
   * @returns {Linear}
   */
  static fromFloat(weight, bias, opts) {
    const o = options('options', opts, ['inFeatures', 'outFeatures']);
    const inFeatures = dim('inFeatures', o.inFeatures);
    const outFeatures = dim('outFeatures', o.outFeatures);
    const w = typedArray('weight', weight, Float32Array);
    length('weight', w, inFeatures * outFeatures, 'outFeatures * inFeatures');
    allFinite('weight', w, 'weights');
    const bf = floatBias('bias', bias, outFeatures);
    return new Linear(INTERNAL, w, bf, inFeatures, outFeatures);
  }

  /**
   * @param {symbol} token this library's (js/layers/internal.js); from anywhere else a TypeError
   * @param {Float32Array} weight @param {Float32Array | null} bias @param {number} inFeatures @param {number} outFeatures
   * @internal use fromFloat
   */
  constructor(token, weight, bias, inFeatures, outFeatures) {
    internalOnly(token, 'Linear', 'Linear.fromFloat(weight, bias, { inFeatures, outFeatures })');
    super('Linear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.allocating(() => {
      this.#packed = this.own('packed weights', this.rt.exports.qdq_f32_gemm_packed_size(outFeatures, inFeatures) >>> 0);
      const specs = [input('w', weight), owned('packed', this.#packed)];
      if (bias) specs.push(input('bias', bias));
      check(call(this.rt, specs, (p, c) =>
        c.qdq_f32_gemm_pack(outFeatures, inFeatures, p.w, FLAG_TRANSPOSED, p.bias ?? 0, p.packed)).status, 'Linear.fromFloat');
    });
  }

  /**
   * @param {Float32Array} x row-major [batch, inFeatures]
   * @param {number} [batch] default x.length / inFeatures
   * @param {{ out?: Float32Array }} [opts] out: an array of batch * outFeatures to write y into
   * @returns {Float32Array} row-major [batch, outFeatures] (out when given)
   */
  forward(x, batch, opts) {
    const rt = this.live();
    const { xv, m } = floatRows(x, this.inFeatures, this.outFeatures, batch);
    const n = this.outFeatures, k = this.inFeatures;
    const into = forwardOut(opts, Float32Array, m * n);
    if (m === 0) return into ?? new Float32Array(0);
    return call(rt, [input('x', xv), owned('packed', this.#packed), output('y', Float32Array, m * n, into)], (p, c) =>
      c.qdq_f32_gemm(m, n, k, p.x, p.packed, p.y)).y;
  }
}
