// What the GEMM thread benchmarks (threads.js, kept-widened.js) give us and
// onnxruntime alike: one shape's operands from a seeded generator, and
// onnxruntime's one-node models of them, B (and its scales) as initializers
// so that onnxruntime may prepack them.
import { DataType, elemTypeOf, oneNodeModel } from '../../tests/helpers/onnx-model.js';

const { FLOAT, INT32 } = DataType;

/**
 * @param {number} m @param {number} k @param {number} n @param {() => number} next 24-bit random integers
 * @returns {{ bS8: Int8Array, wT: Int8Array, aU8: Uint8Array, x: Float32Array, scales: Float32Array }}
 *   B [k, n] int8, the same as a Linear weight [n, k], A [m, k] uint8, x [m, k] float, B's scales
 */
export function gemmData(m, k, n, next) {
  const bS8 = new Int8Array(k * n).map(() => next());
  const wT = new Int8Array(n * k);
  for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) wT[j * k + l] = bS8[l * n + j];
  const aU8 = new Uint8Array(m * k).map(() => next());
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const scales = new Float32Array(n).fill(1 / 127);
  return { bS8, wT, aU8, x, scales };
}

/**
 * onnxruntime's DynamicQuantizeMatMul (x, B, scales, zero points 0) and MatMulInteger u8s8 (A zero
 * point 128, B's 0), as ONNX models, with the feeds their runs take.
 * @param {number} m @param {number} k @param {number} n @param {ReturnType<typeof gemmData>} d
 */
export function ortGemmModels(m, k, n, d) {
  const dq = oneNodeModel({ op: 'DynamicQuantizeMatMul', domain: 'com.microsoft',
    inputs: [{ name: 'A', type: FLOAT, dims: [m, k] }],
    initializers: [{ name: 'B', dims: [k, n], data: d.bS8 }, { name: 'bs', dims: [n], data: d.scales }, { name: 'bz', dims: [n], data: new Int8Array(n) }],
    nodeInputs: ['A', 'B', 'bs', 'bz'], output: { name: 'Y', type: FLOAT, dims: [m, n] } });
  const mi = oneNodeModel({ op: 'MatMulInteger', inputs: [{ name: 'A', type: elemTypeOf(d.aU8), dims: [m, k] }],
    initializers: [{ name: 'B', dims: [k, n], data: d.bS8 }, { name: 'az', dims: [], data: Uint8Array.of(128) }, { name: 'bz', dims: [], data: Int8Array.of(0) }],
    nodeInputs: ['A', 'B', 'az', 'bz'], output: { name: 'Y', type: INT32, dims: [m, n] } });
  return {
    dq: { model: dq, feeds: { A: { type: /** @type {const} */ ('float32'), data: d.x, dims: [m, k] } } },
    mi: { model: mi, feeds: { A: { type: /** @type {const} */ ('uint8'), data: d.aU8, dims: [m, k] } } },
  };
}
