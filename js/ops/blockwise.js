// Blockwise 4/8-bit weight quantization (issue 11), in onnxruntime's
// MatMulNBits layout, and its conversion to and from ONNX opset-21 blockwise
// DequantizeLinear. docs/blockwise.md derives the formulas (B1-B9).
//   quantizeBlockwise      -> qdq_quantize_blockwise, qdq_blockwise_error_stats (src/operators/nbits.c)
//   dequantizeBlockwise    -> qdq_dequantize_blockwise
//   toDequantizeLinear     -> qdq_nbits_to_dq
//   fromDequantizeLinear   -> qdq_nbits_from_dq
// Pointers live in js/runtime/nbits-binding.js.

import {
  FLAG_ROUND_EVEN, FLAG_SYMMETRIC, blockwiseDequantize, blockwiseErrorStats, blockwiseQuantize, fromDq, ortSizes, toDq,
} from '../runtime/nbits-binding.js';
import { boolean, integer, oneOf, options, typedArray } from '../runtime/validate.js';

/** Int8Array bytes as a Uint8Array view (DequantizeLinear int8 tensors). @param {unknown} v */
const bytesOf = (v) => (v instanceof Int8Array ? new Uint8Array(v.buffer, v.byteOffset, v.length) : v);

/** Block sizes MatMulNBits supports. */
export const BLOCK_SIZES = Object.freeze([16, 32, 64, 128, 256]);

/**
 * @typedef {object} BlockwiseWeights weights in onnxruntime's MatMulNBits layout
 * @property {Uint8Array} data B: [n, kb, blockSize * bits / 8]; 4 bits: element 2t in the low nibble of byte t
 * @property {Float32Array} scales [n * kb]
 * @property {Uint8Array | null} zeroPoints 4 bits: [n, ceil(kb / 2)] packed nibbles, 8 bits: [n, kb]; null: the default 2^(bits-1)
 * @property {number} n output features (rows of the weight)
 * @property {number} k input features (the reduction depth)
 * @property {4 | 8} bits
 * @property {number} blockSize
 */

/**
 * Checks shape options shared by every blockwise function.
 * @param {Record<string, any>} o
 * @returns {{ n: number, k: number, bits: 4 | 8, blockSize: number }}
 */
export function blockShape(o) {
  const n = integer('n', o.n, 1, 2 ** 31 - 1);
  const k = integer('k', o.k, 1, 2 ** 31 - 1);
  const bits = /** @type {4 | 8} */ (integer('bits', o.bits ?? 4, 4, 8));
  if (bits !== 4 && bits !== 8) throw new RangeError(`qdq-wasm: bits must be 4 or 8, got ${bits}`);
  const blockSize = integer('blockSize', o.blockSize ?? 32, 16, 256);
  if (!BLOCK_SIZES.includes(blockSize)) {
    throw new RangeError(`qdq-wasm: blockSize must be one of ${BLOCK_SIZES.join(', ')}, got ${blockSize}`);
  }
  return { n, k, bits, blockSize };
}

/** @param {string} name @param {{ length: number }} v @param {number} n */
function exactLength(name, v, n) {
  if (v.length !== n) throw new RangeError(`qdq-wasm: ${name} must have ${n} elements, got ${v.length}`);
}

/**
 * Checks weights in the MatMulNBits layout.
 * @param {unknown} q
 * @returns {BlockwiseWeights}
 */
export function checkBlockwise(q) {
  const o = options('weights', q);
  const { n, k, bits, blockSize } = blockShape(o);
  const s = ortSizes(n, k, bits, blockSize);
  typedArray('data', o.data, Uint8Array);
  exactLength('data', o.data, s.data);
  typedArray('scales', o.scales, Float32Array);
  exactLength('scales', o.scales, s.scales);
  if (o.zeroPoints !== undefined && o.zeroPoints !== null) {
    typedArray('zeroPoints', o.zeroPoints, Uint8Array);
    exactLength('zeroPoints', o.zeroPoints, s.zeroPoints);
  }
  return { data: o.data, scales: o.scales, zeroPoints: o.zeroPoints ?? null, n, k, bits, blockSize };
}

/** @param {number} se @param {number} sx @param {number} count @param {number} max */
function stats(se, sx, count, max) {
  return { mse: count > 0 ? se / count : 0, maxAbsError: max, sqnr: se > 0 ? 10 * Math.log10(sx / se) : Infinity };
}

/**
 * Quantizes float weights [n, k] in blocks of blockSize along k, exactly as
 * onnxruntime's quantizer (MlasQuantizeBlockwise, used by its
 * MatMulNBits tools): asymmetric (B1) with zero points, or symmetric (B2)
 * where the block's signed value of largest magnitude maps to -2^(bits-1)
 * (so its scale is negative when that value is positive); values rounded
 * half away from zero (B3), or half to even with rounding 'half-even'.
 * @param {Float32Array} weight row-major [n, k] (a torch.nn.Linear weight: n = outFeatures), finite
 * @param {{ n: number, k: number, bits?: 4 | 8, blockSize?: 16 | 32 | 64 | 128 | 256, symmetric?: boolean,
 *   rounding?: 'onnxruntime' | 'half-even' }} opts bits default 4, blockSize default 32, symmetric default false,
 *   rounding default 'onnxruntime' (roundf, half away from zero)
 * @returns {BlockwiseWeights & { error: { mse: number, maxAbsError: number, sqnr: number,
 *   blocks: { mse: Float64Array, maxAbsError: Float64Array, sqnr: Float64Array } } }}
 *   the MatMulNBits inputs and the quantization error, overall and per block ([n * kb], SQNR in dB)
 * @example
 * const q = quantizeBlockwise(weight, { n: 4096, k: 4096, bits: 4, blockSize: 32 });
 * q.data; q.scales; q.zeroPoints; // onnxruntime MatMulNBits inputs B, scales, zero_points
 * q.error.sqnr;                    // dB
 */
export function quantizeBlockwise(weight, opts) {
  const o = options('options', opts);
  const { n, k, bits, blockSize } = blockShape(o);
  typedArray('weight', weight, Float32Array);
  exactLength('weight', weight, n * k);
  const symmetric = boolean('symmetric', o.symmetric ?? false);
  const rounding = oneOf('rounding', o.rounding ?? 'onnxruntime', /** @type {const} */ (['onnxruntime', 'half-even']));
  const flags = (symmetric ? FLAG_SYMMETRIC : 0) | (rounding === 'half-even' ? FLAG_ROUND_EVEN : 0);
  const q = blockwiseQuantize(weight, n, k, bits, blockSize, flags);
  const back = blockwiseDequantize(q.data, q.scales, q.zeroPoints, n, k, bits, blockSize);
  const acc = blockwiseErrorStats(weight, back, n, k, blockSize);
  const kb = Math.ceil(k / blockSize);
  const blocks = { mse: new Float64Array(n * kb), maxAbsError: new Float64Array(n * kb), sqnr: new Float64Array(n * kb) };
  let se = 0, sx = 0, max = 0;
  for (let i = 0; i < n * kb; i++) {
    const count = Math.min(blockSize, k - (i % kb) * blockSize);
    const b = stats(acc[3 * i], acc[3 * i + 1], count, acc[3 * i + 2]);
    blocks.mse[i] = b.mse;
    blocks.maxAbsError[i] = b.maxAbsError;
    blocks.sqnr[i] = b.sqnr;
    se += acc[3 * i];
    sx += acc[3 * i + 1];
    max = Math.max(max, acc[3 * i + 2]);
  }
  return { ...q, n, k, bits, blockSize, error: { ...stats(se, sx, n * k, max), blocks } };
}

/**
 * Dequantizes MatMulNBits weights as onnxruntime does (B4): (q - zp) * scale in float32.
 * @param {BlockwiseWeights} weights as quantizeBlockwise returns them, or onnxruntime's B, scales and zero_points
 * @returns {Float32Array} row-major [n, k]
 * @example
 * const w = dequantizeBlockwise({ data, scales, zeroPoints, n: 768, k: 768, bits: 4, blockSize: 32 });
 */
export function dequantizeBlockwise(weights) {
  const q = checkBlockwise(weights);
  return blockwiseDequantize(q.data, q.scales, q.zeroPoints, q.n, q.k, q.bits, q.blockSize);
}

/**
 * The inputs of an ONNX opset-21 DequantizeLinear (axis 0, block_size) that
 * dequantizes to the same values as the MatMulNBits weights (B8), for the
 * MatMul weight B = W^T [k, n].
 * @param {BlockwiseWeights} weights
 * @param {{ signed?: boolean }} [opts] signed: int4/int8 (values q - 2^(bits-1)) instead of uint4/uint8 (default false)
 * @returns {{ x: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array, dims: [number, number],
 *   type: 'int4' | 'uint4' | 'int8' | 'uint8', axis: 0, blockSize: number }}
 *   x: [k, n] raw bytes (4 bits: two per byte, low nibble first); scales and zeroPoints: [ceil(k / blockSize), n]
 * @example
 * const dq = toDequantizeLinear(q, { signed: true }); // int4 x, scales, zero points for DequantizeLinear
 */
export function toDequantizeLinear(weights, opts) {
  const q = checkBlockwise(weights);
  const signed = boolean('signed', options('options', opts, {}).signed ?? false);
  const r = toDq(q.data, q.scales, q.zeroPoints, q.n, q.k, q.bits, q.blockSize, signed);
  const type = /** @type {'int4' | 'uint4' | 'int8' | 'uint8'} */ (`${signed ? '' : 'u'}int${q.bits}`);
  return { ...r, dims: [q.k, q.n], type, axis: 0, blockSize: q.blockSize };
}

/**
 * MatMulNBits weights from ONNX opset-21 DequantizeLinear inputs (axis 0,
 * block_size) of a MatMul weight B [k, n] (B8).
 * @param {{ x: Uint8Array | Int8Array, scales: Float32Array, zeroPoints?: Uint8Array | Int8Array | null, k: number, n: number,
 *   bits?: 4 | 8, blockSize?: number, signed?: boolean }} dq x: [k, n] raw bytes (4 bits: two per byte);
 *   scales, zeroPoints: [ceil(k / blockSize), n] (zeroPoints default 0); signed: int4/int8 (default false)
 * @returns {BlockwiseWeights} with zero points always present
 * @example
 * const w = fromDequantizeLinear({ x, scales, zeroPoints, k: 768, n: 768, bits: 4, blockSize: 32, signed: true });
 */
export function fromDequantizeLinear(dq) {
  const o = options('dq', dq);
  const { n, k, bits, blockSize } = blockShape(o);
  const signed = boolean('signed', o.signed ?? false);
  const kb = Math.ceil(k / blockSize);
  const x = typedArray('x', bytesOf(o.x), Uint8Array);
  exactLength('x', x, bits === 4 ? Math.ceil((k * n) / 2) : k * n);
  typedArray('scales', o.scales, Float32Array);
  exactLength('scales', o.scales, kb * n);
  const zp = o.zeroPoints === undefined || o.zeroPoints === null ? null : typedArray('zeroPoints', bytesOf(o.zeroPoints), Uint8Array);
  if (zp) exactLength('zeroPoints', zp, bits === 4 ? Math.ceil((kb * n) / 2) : kb * n);
  const r = fromDq(x, o.scales, zp, n, k, bits, blockSize, signed);
  return { ...r, n, k, bits, blockSize };
}

