// A one-node com.microsoft MatMulNBits model for onnxruntime-web, with B,
// scales and (packed 4-bit) zero points as initializers, as the benchmarks
// of blockwise weights run it.
import { DataType, model, node, tensor, valueInfo } from '../../tests/helpers/onnx-model.js';

/**
 * @param {{ k: number, n: number, bits: number, blockSize: number, level: number,
 *   data: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array }} w weights in the ORT layout
 * @returns {Uint8Array} the serialized model; input A [m, k] float, output Y [m, n]
 */
export function matmulNBitsModel({ k, n, bits, blockSize, level, data, scales, zeroPoints }) {
  const kb = Math.ceil(k / blockSize);
  return model({
    irVersion: 8, opset: 17, opsets: [{ domain: 'com.microsoft', version: 1 }],
    nodes: [node('MatMulNBits', ['A', 'B', 'scales', 'zp'], ['Y'], { K: k, N: n, bits, block_size: blockSize, accuracy_level: level }, { domain: 'com.microsoft' })],
    initializers: [tensor('B', DataType.UINT8, [n, kb, blockSize * bits / 8], data), tensor('scales', DataType.FLOAT, [n * kb], scales),
      tensor('zp', DataType.UINT8, [zeroPoints.length], zeroPoints)],
    inputs: [valueInfo('A', DataType.FLOAT, ['m', k])],
    outputs: [valueInfo('Y', DataType.FLOAT, ['m', n])],
  });
}
