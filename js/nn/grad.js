// The two transposed products of a Linear's backward pass, on the float GEMM:
//   dX = dY · W    (W [out, in] packed as B [k = out][n = in])        -> qdq_f32_gemm_pack, qdq_f32_gemm
//   dW = dYᵀ · X   (X [batch, in] packed as B [k = batch][n = in])    -> qdq_f32_gemm_pack, qdq_f32_gemm
// Each runs in one binding call: the packed B lives in that call's scratch.

import { call, input, output, scratch } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { check } from '../ops/gemm-args.js';

/**
 * a [m, k] · b [k, n] → [m, n] in float32, b packed for this call (no bias).
 * @param {Float32Array} a @param {Float32Array} b @param {number} m @param {number} k @param {number} n
 * @returns {Float32Array}
 */
export function matmulF32(a, b, m, k, n) {
  const rt = getRuntime();
  if (m === 0 || n === 0) return new Float32Array(m * n);
  const packedBytes = rt.exports.qdq_f32_gemm_packed_size(n, k) >>> 0;
  const r = call(rt, [input('a', a), input('b', b), scratch('packed', packedBytes), output('y', Float32Array, m * n)], (p, c) => {
    const s = c.qdq_f32_gemm_pack(n, k, p.b, 0, 0, p.packed);
    return s !== 0 ? s : c.qdq_f32_gemm(m, n, k, p.a, p.packed, p.y);
  });
  check(r.status, 'matmulF32');
  return r.y;
}

/**
 * The gradients of y = x Wᵀ + b.
 * @param {Float32Array} x [m, inF] @param {Float32Array} w [outF, inF] @param {Float32Array} dy [m, outF]
 * @param {number} m @param {number} inF @param {number} outF @param {boolean} needDx
 * @returns {{ dx: Float32Array | null, dw: Float32Array, db: Float32Array }}
 */
export function linearBackward(x, w, dy, m, inF, outF, needDx) {
  const dx = needDx ? matmulF32(dy, w, m, outF, inF) : null;
  const dyT = new Float32Array(outF * m);
  const db = new Float32Array(outF);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < outF; j++) {
      const g = dy[i * outF + j];
      dyT[j * m + i] = g;
      db[j] += g;
    }
  }
  const dw = matmulF32(dyT, x, outF, m, inF);
  return { dx, dw, db };
}
