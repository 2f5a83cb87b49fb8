// The two calls the thread benchmarks time, on operands of one shape: the
// dynamic Linear returning a new array (as onnxruntime's DynamicQuantizeMatMul
// returns its output) and u8s8 matmulInteger into a reused array. Values are
// from a seeded generator; the time does not depend on them.
import * as qdq from '../../js/index.js';

/**
 * @param {number} m @param {number} k @param {number} n @param {number} [seed]
 * @param {boolean} [keepWidened] the weights kept widened (PackedMatrix.pack's keepWidened)
 * @returns {{ dql: () => unknown, u8s8: () => unknown, dispose: () => void }}
 */
export function gemmOperands(m, k, n, seed = 12345, keepWidened = false) {
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
  const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
    weightScales: new Float32Array(n).fill(1 / 127), inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened });
  const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
  const packed = qdq.PackedMatrix.pack(new Int8Array(k * n).map(() => next()), { k, n, keepWidened });
  const a = new Uint8Array(m * k).map(() => next());
  const out = new Int32Array(m * n);
  return {
    dql: () => layer.forward(x),
    u8s8: () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 128, out }),
    dispose() {
      layer.dispose();
      packed.dispose();
    },
  };
}
