// The products and masks of a Linear's and a ReLU's backward pass, in C on unpacked operands
// (training changes W every step, so packing it would cost as much as using it):
//   dW = dYᵀ · X   (A = dY [batch, out] transposed, B = X [batch, in])   -> qdq_f32_matmul (T1)
//   dX = dY · W    (A = dY [batch, out], B = W [out, in])                 -> qdq_f32_matmul (T1)
//   ReLU: dX = y > 0 ? dY : 0                                             -> qdq_relu_backward (T2)
// Both products of a Linear run in one binding call.

import { FLAG_TRANSPOSED } from '../runtime/abi.js';
import { call, input, output, scratch } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { check } from '../ops/gemm-args.js';
import { describe, lengthOf, typedArray } from '../runtime/validate.js';

/**
 * a [m, k] · b [k, n] → [m, n] in float32 on the packed GEMM (qdq_f32_gemm, as the forward pass).
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
 * The gradients of y = x Wᵀ + b: dW and db always, dX when needDx (a model's first Linear needs
 * none: its input is data, as torch computes no gradient for a tensor that does not require one).
 * @param {Float32Array} x [m, inF] @param {Float32Array} w [outF, inF] @param {Float32Array} dy [m, outF]
 * @param {number} m @param {number} inF @param {number} outF @param {boolean} needDx
 * @returns {{ dx: Float32Array | null, dw: Float32Array, db: Float32Array }}
 */
export function linearBackward(x, w, dy, m, inF, outF, needDx) {
  const rt = getRuntime();
  const specs = [input('dy', dy), input('x', x), output('dw', Float32Array, outF * inF)];
  if (needDx) specs.push(input('w', w), output('dx', Float32Array, m * inF));
  const r = call(rt, specs, (p, c) => {
    const s = c.qdq_f32_matmul(outF, inF, m, p.dy, FLAG_TRANSPOSED, p.x, p.dw);
    return s !== 0 || !needDx ? s : c.qdq_f32_matmul(m, inF, outF, p.dy, 0, p.w, p.dx);
  });
  check(r.status, 'Linear.backward');
  const db = new Float32Array(outF);
  for (let i = 0; i < m; i++) {
    for (let j = 0, row = i * outF; j < outF; j++) db[j] += dy[row + j];
  }
  return { dx: needDx ? r.dx : null, dw: r.dw, db };
}

/**
 * dL/dx of y = relu(x) from its output y: dy where y > 0, else +0.
 * @param {Float32Array} y @param {unknown} dy same length @param {string} who the module, for errors
 * @returns {Float32Array}
 */
export function reluBackward(y, dy, who) {
  typedArray('dy', dy, Float32Array);
  // Lengths from the internal slots: the C operator reads n floats of dy, whatever dy.length says later.
  const n = lengthOf(y);
  if (lengthOf(dy) !== n) {
    throw new RangeError(`qdq-wasm: ${who}.backward needs dy of ${n} floats (its last forward's output), got ${describe(dy)}`);
  }
  if (n === 0) return new Float32Array(0);
  return call(getRuntime(), [input('y', y), input('dy', dy), output('dx', Float32Array, n)], (p, c) =>
    c.qdq_relu_backward(n, p.y, p.dy, p.dx)).dx;
}
