// Blockwise 4/8-bit weight quantization (issue 11), in onnxruntime's
// MatMulNBits layout, and its conversion to and from ONNX opset-21 blockwise
// DequantizeLinear. docs/blockwise.md derives the formulas (B1-B9).
//   quantizeBlockwise      -> qdq_quantize_blockwise, qdq_dequantize_blockwise,
//                             qdq_blockwise_error_stats (src/operators/nbits.c)
//   dequantizeBlockwise    -> qdq_dequantize_blockwise
//   toDequantizeLinear     -> qdq_nbits_to_dq
//   fromDequantizeLinear   -> qdq_nbits_from_dq

import { ERROR_BAD_SIZE, ERROR_OUT_OF_MEMORY, ERROR_SIZE_OVERFLOW, NBITS_DQ_SIGNED, NBITS_ROUND_EVEN, NBITS_SYMMETRIC } from '../runtime/abi.js';
import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { boolean, bytesOf, describe, integer, lengthOf, oneOf, options, typedArray, typedArrayKind } from '../runtime/validate.js';

/**
 * A DequantizeLinear byte tensor (Uint8Array, or Int8Array for int8) as a Uint8Array of its bytes.
 * @param {string} name @param {unknown} v @returns {Uint8Array}
 */
function dqBytes(name, v) {
  const a = typedArray(name, v, Uint8Array, Int8Array);
  return typedArrayKind(a) === 'Uint8Array' ? /** @type {Uint8Array} */ (a) : bytesOf(a);
}

/** The element types of DequantizeLinear that MatMulNBits weights convert to and from. */
const DQ_TYPES = /** @type {const} */ (['int4', 'uint4', 'int8', 'uint8']);

/**
 * Throws for the C operators' negative status codes.
 * @param {number} code @param {string} what
 */
export function checkNBits(code, what) {
  if (code === ERROR_OUT_OF_MEMORY) throw new RangeError(`qdq-wasm: ${what}: out of WebAssembly memory`);
  if (code === ERROR_SIZE_OVERFLOW) throw new RangeError(`qdq-wasm: ${what}: the sizes overflow wasm32 arithmetic; split the work`);
  if (code === ERROR_BAD_SIZE) throw new RangeError(`qdq-wasm: ${what}: unsupported bits or block size, or weights of another shape`);
}

/**
 * Element counts of the ORT (MatMulNBits) layout.
 * @param {number} n @param {number} k @param {number} bits @param {number} blockSize
 */
export function ortSizes(n, k, bits, blockSize) {
  const kb = Math.ceil(k / blockSize);
  return { kb, data: n * kb * blockSize * bits / 8, scales: n * kb, zeroPoints: n * (bits === 8 ? kb : Math.ceil(kb / 2)) };
}

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
 * Checks a blockwise format's bits (default 4): one check, so every function that takes them (and
 * getWeightOnlyQConfig) refuses a value in the same words.
 * @param {unknown} bits
 * @returns {4 | 8}
 */
export function blockBits(bits) {
  // Membership, not a range: [4, 8] would suggest 5 to 7.
  const b = integer('bits', bits ?? 4);
  if (b !== 4 && b !== 8) {
    throw new RangeError(`qdq-wasm: bits must be 4 or 8, got ${b}${b === 2 ? " (onnxruntime's 2-bit MatMulNBits is not supported)" : ''}`);
  }
  return /** @type {4 | 8} */ (b);
}

/**
 * Checks a blockwise format's blockSize (default 32), as blockBits checks bits.
 * @param {unknown} blockSize
 * @returns {16 | 32 | 64 | 128 | 256}
 */
export function blockSizeOf(blockSize) {
  // Membership, not a range: [16, 256] would suggest any size between.
  const b = integer('blockSize', blockSize ?? 32);
  if (!BLOCK_SIZES.includes(b)) {
    throw new RangeError(`qdq-wasm: blockSize must be one of ${BLOCK_SIZES.join(', ')}, got ${b}`);
  }
  return /** @type {16 | 32 | 64 | 128 | 256} */ (b);
}

/**
 * Checks shape options shared by every blockwise function.
 * @param {Record<string, any>} o
 * @returns {{ n: number, k: number, bits: 4 | 8, blockSize: number }}
 */
export function blockShape(o) {
  const n = integer('n', o.n, 1, 2 ** 31 - 1);
  const k = integer('k', o.k, 1, 2 ** 31 - 1);
  return { n, k, bits: blockBits(o.bits), blockSize: blockSizeOf(o.blockSize) };
}

/** @param {string} name @param {ArrayBufferView} v @param {number} n */
function exactLength(name, v, n) {
  const length = lengthOf(v);
  if (length !== n) throw new RangeError(`qdq-wasm: ${name} must have ${n} elements, got ${length}`);
}

/**
 * Checks weights in the MatMulNBits layout.
 * @param {unknown} q @param {string[]} [extraKeys] other option names the caller accepts
 * @returns {BlockwiseWeights}
 */
export function checkBlockwise(q, extraKeys = []) {
  const o = options('weights', q, ['data', 'scales', 'zeroPoints', 'n', 'k', 'bits', 'blockSize', 'error', ...extraKeys]);
  const { n, k, bits, blockSize } = blockShape(o);
  const s = ortSizes(n, k, bits, blockSize);
  typedArray('data', o.data, Uint8Array);
  exactLength('data', o.data, s.data);
  typedArray('scales', o.scales, Float32Array);
  exactLength('scales', o.scales, s.scales);
  if (o.zeroPoints != null) {
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
 * (so its scale is negative when that value is positive); each value as
 * round(x * fl(1 / scale) + zeroPoint) in float32 (B3), rounded half away
 * from zero, or half to even with rounding 'half-even'. Neither is ONNX
 * QuantizeLinear's roundHalfEven(x / scale) + zeroPoint: near ties they
 * differ by a step now and then.
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
  const o = options('options', opts, ['n', 'k', 'bits', 'blockSize', 'symmetric', 'rounding']);
  const { n, k, bits, blockSize } = blockShape(o);
  typedArray('weight', weight, Float32Array);
  exactLength('weight', weight, n * k);
  const symmetric = boolean('symmetric', o.symmetric ?? false);
  const rounding = oneOf('rounding', o.rounding ?? 'onnxruntime', /** @type {const} */ (['onnxruntime', 'half-even']));
  const flags = (symmetric ? NBITS_SYMMETRIC : 0) | (rounding === 'half-even' ? NBITS_ROUND_EVEN : 0);
  const s = ortSizes(n, k, bits, blockSize);
  const r = call(getRuntime(), [input('w', weight), output('data', Uint8Array, s.data), output('scales', Float32Array, s.scales),
    output('zeroPoints', Uint8Array, s.zeroPoints), output('back', Float32Array, n * k), output('acc', Float64Array, 3 * s.scales)], (p, c) => {
    const code = c.qdq_quantize_blockwise(n, k, bits, blockSize, p.w, flags, p.data, p.scales, symmetric ? 0 : p.zeroPoints);
    if (code !== 0) return code;
    c.qdq_dequantize_blockwise(n, k, bits, blockSize, p.data, p.scales, symmetric ? 0 : p.zeroPoints, p.back);
    return c.qdq_blockwise_error_stats(n, k, blockSize, p.w, p.back, p.acc);
  });
  checkNBits(r.status, 'quantizeBlockwise');
  if (r.status > 0) throw new RangeError(`qdq-wasm: weight[${r.status - 1}] is ${weight[r.status - 1]}; weights must be finite`);
  const acc = /** @type {Float64Array} */ (r.acc);
  const kb = s.kb;
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
  return {
    data: r.data, scales: r.scales, zeroPoints: symmetric ? null : r.zeroPoints,
    n, k, bits, blockSize, error: { ...stats(se, sx, n * k, max), blocks },
  };
}

/**
 * Dequantizes MatMulNBits weights as onnxruntime does (B4): (q - zp) * scale in float32. Every
 * float32 scale is taken, as ONNX DequantizeLinear and onnxruntime take it: a NaN or infinite one
 * is data (NaN or ±Infinity in its block, docs/blockwise.md B4), where MatMulNBits.pack, a layer,
 * refuses it.
 * @param {BlockwiseWeights} weights as quantizeBlockwise returns them, or onnxruntime's B, scales and zero_points
 * @returns {Float32Array} row-major [n, k]
 * @example
 * const w = dequantizeBlockwise({ data, scales, zeroPoints, n: 768, k: 768, bits: 4, blockSize: 32 });
 */
export function dequantizeBlockwise(weights) {
  const q = checkBlockwise(weights);
  const specs = [input('data', q.data), input('scales', q.scales), output('w', Float32Array, q.n * q.k)];
  if (q.zeroPoints) specs.push(input('zp', q.zeroPoints));
  const r = call(getRuntime(), specs, (p, c) =>
    c.qdq_dequantize_blockwise(q.n, q.k, q.bits, q.blockSize, p.data, p.scales, q.zeroPoints ? p.zp : 0, p.w));
  checkNBits(r.status, 'dequantizeBlockwise');
  return r.w;
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
  const signed = boolean('signed', options('options', opts, ['signed'], {}).signed ?? false);
  const kb = Math.ceil(q.k / q.blockSize);
  const xBytes = q.bits === 4 ? Math.ceil((q.k * q.n) / 2) : q.k * q.n, zBytes = q.bits === 4 ? Math.ceil((kb * q.n) / 2) : kb * q.n;
  const specs = [input('data', q.data), input('scales', q.scales), output('x', Uint8Array, xBytes),
    output('dqScales', Float32Array, kb * q.n), output('dqZeroPoints', Uint8Array, zBytes)];
  if (q.zeroPoints) specs.push(input('zp', q.zeroPoints));
  const r = call(getRuntime(), specs, (p, c) => c.qdq_nbits_to_dq(q.n, q.k, q.bits, q.blockSize, p.data, p.scales,
    q.zeroPoints ? p.zp : 0, signed ? NBITS_DQ_SIGNED : 0, p.x, p.dqScales, p.dqZeroPoints));
  checkNBits(r.status, 'toDequantizeLinear');
  const type = /** @type {'int4' | 'uint4' | 'int8' | 'uint8'} */ (`${signed ? '' : 'u'}int${q.bits}`);
  return { x: r.x, scales: r.dqScales, zeroPoints: r.dqZeroPoints, dims: [q.k, q.n], type, axis: 0, blockSize: q.blockSize };
}

/**
 * The [k, n] of a DequantizeLinear's dims option: an array of two integers.
 * @param {unknown} dims @returns {[number, number]}
 */
function dqDims(dims) {
  if (!Array.isArray(dims)) throw new TypeError(`qdq-wasm: dims must be an array [k, n], got ${describe(dims)}`);
  if (dims.length !== 2) {
    throw new RangeError(`qdq-wasm: dims must be [k, n] (B = W^T is 2-D), got ${dims.length} entries [${dims.map(describe).join(', ')}]`);
  }
  return [integer('dims[0]', dims[0], 1, 2 ** 31 - 1), integer('dims[1]', dims[1], 1, 2 ** 31 - 1)];
}

/**
 * MatMulNBits weights from ONNX opset-21 DequantizeLinear inputs (axis 0,
 * block_size) of a MatMul weight B [k, n] (B8). Takes what toDequantizeLinear
 * returns as it is: `dims` stands for [k, n] and `type` for bits and signed;
 * given both ways, they must agree, and `axis` must be 0 (or -2), the
 * blocked axis of this layout (a RangeError naming the key otherwise).
 * @param {{ x: Uint8Array | Int8Array, scales: Float32Array, zeroPoints?: Uint8Array | Int8Array | null, k?: number, n?: number,
 *   dims?: [number, number], type?: 'int4' | 'uint4' | 'int8' | 'uint8', axis?: 0 | -2,
 *   bits?: 4 | 8, blockSize?: number, signed?: boolean }} dq x: [k, n] raw bytes (4 bits: two per byte);
 *   scales, zeroPoints: [ceil(k / blockSize), n] (zeroPoints default 0); k and n, or dims [k, n];
 *   type, or bits (default 4) and signed (int4/int8; default false)
 * @returns {BlockwiseWeights} with zero points always present
 * @example
 * const w = fromDequantizeLinear({ x, scales, zeroPoints, k: 768, n: 768, bits: 4, blockSize: 32, signed: true });
 * const same = fromDequantizeLinear(toDequantizeLinear(q, { signed: true })); // dims, type, axis as returned
 */
export function fromDequantizeLinear(dq) {
  const o = options('dq', dq, ['x', 'scales', 'zeroPoints', 'k', 'n', 'bits', 'blockSize', 'signed', 'dims', 'type', 'axis']);
  const dims = o.dims == null ? null : dqDims(o.dims);
  const type = o.type == null ? null : oneOf('type', o.type, DQ_TYPES);
  const { n, k, bits, blockSize } = blockShape({
    n: o.n ?? dims?.[1], k: o.k ?? dims?.[0], bits: o.bits ?? (type === null ? undefined : Number(type.slice(-1))), blockSize: o.blockSize,
  });
  if (dims !== null && (dims[0] !== k || dims[1] !== n)) {
    throw new RangeError(`qdq-wasm: dims [${dims.join(', ')}] must be [k, n] = [${k}, ${n}]`);
  }
  const signed = boolean('signed', o.signed ?? (type === null ? false : !type.startsWith('u')));
  if (type !== null && type !== `${signed ? '' : 'u'}int${bits}`) {
    const clash = Number(type.slice(-1)) !== bits ? `bits is ${bits}` : `signed is ${signed}`;
    throw new RangeError(`qdq-wasm: type '${type}' is ${type.slice(-1)}-bit ${type.startsWith('u') ? 'unsigned' : 'signed'}, but ${clash}`);
  }
  if (o.axis != null && integer('axis', o.axis) !== 0 && o.axis !== -2) {
    throw new RangeError(`qdq-wasm: axis must be 0 (or -2): the blocks run along k, axis 0 of B [k, n]; got ${o.axis}`);
  }
  const kb = Math.ceil(k / blockSize);
  const x = dqBytes('x', o.x);
  exactLength('x', x, bits === 4 ? Math.ceil((k * n) / 2) : k * n);
  typedArray('scales', o.scales, Float32Array);
  exactLength('scales', o.scales, kb * n);
  const zp = o.zeroPoints == null ? null : dqBytes('zeroPoints', o.zeroPoints);
  if (zp) exactLength('zeroPoints', zp, bits === 4 ? Math.ceil((kb * n) / 2) : kb * n);
  const sz = ortSizes(n, k, bits, blockSize);
  const specs = [input('x', x), input('dqScales', o.scales), output('data', Uint8Array, sz.data), output('scales', Float32Array, sz.scales),
    output('zeroPoints', Uint8Array, sz.zeroPoints)];
  if (zp) specs.push(input('dqZp', zp));
  const r = call(getRuntime(), specs, (p, c) => c.qdq_nbits_from_dq(n, k, bits, blockSize, p.x, p.dqScales, zp ? p.dqZp : 0,
    signed ? NBITS_DQ_SIGNED : 0, p.data, p.scales, p.zeroPoints));
  checkNBits(r.status, 'fromDequantizeLinear');
  return { data: r.data, scales: r.scales, zeroPoints: r.zeroPoints, n, k, bits, blockSize };
}

