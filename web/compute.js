// Every number the page shows about quantization comes from here, and
// everything here comes from qdq-wasm: observers for min/max and qparams,
// quantize, dequantize, fake-quantize (for the clipping mask), error
// statistics, and quantizeSteps for the intermediate values the derivation
// shows (x / scale before rounding, and its rounding).

import {
  init, backend, BLOCK_SIZES, calculateQParams, quantizeBlockwise, dequantize, errorStats, fakeQuantizePerChannel, fakeQuantizePerTensor,
  MinMaxObserver, PerChannelMinMaxObserver, quantizePerChannel, quantizePerTensor, quantizeSteps,
} from '../js/index.js'; // resolves to /js/ under npm start, and to the repo's js/ from any static server at the repo root

export { init, backend };

/**
 * @typedef {object} Settings
 * @property {'int8' | 'uint8'} dtype
 * @property {'affine' | 'symmetric'} scheme
 * @property {boolean} reduceRange
 * @property {boolean} includeZero
 * @property {'pytorch' | 'onnx'} compat
 * @property {0 | 1} axis
 * @property {number} bits 2-8: the codes are the n-bit range of the dtype's signedness
 * @property {number} group requested group size; the per-group scheme uses the largest divisor of the channel length not above it
 * @property {number | null} lo handle range for the per-tensor view
 * @property {number | null} hi
 */

/**
 * @typedef {object} RawQParams what raw min/max gives, before any clamping
 * @property {number} scale float32
 * @property {number} zeroPoint the formula's zero point, possibly outside [qmin, qmax]
 * @property {number} stored the zero point an int8/uint8 tensor can hold: clamped to [qmin, qmax]
 */

/**
 * The integer codes of n bits: [-2^(n-1), 2^(n-1) - 1] for int8, [0, 2^n - 1]
 * for uint8 (int8's and uint8's own ranges at 8 bits).
 * @param {'int8' | 'uint8'} dtype @param {number} bits
 * @returns {[number, number]}
 */
export function codeRange(dtype, bits) {
  return dtype === 'int8' ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/**
 * The library's quantMin/quantMax for the settings: none at 8 bits (the
 * dtype's range, so reduce range and everything else behave as PyTorch's
 * defaults), the n-bit range below 8 (as a PyTorch observer or FakeQuantize
 * built with quant_min/quant_max).
 * @param {Settings} s
 * @returns {{ quantMin?: number, quantMax?: number }}
 */
function bitRange(s) {
  if (s.bits === 8) return {};
  const [quantMin, quantMax] = codeRange(s.dtype, s.bits);
  return { quantMin, quantMax };
}

/**
 * Every integer code of the settings' n bits and its float value under
 * scale and zero point (the library's dequantize): the quantization grid.
 * @param {Settings} s @param {number} scale @param {number} zeroPoint
 */
function codeGrid(s, scale, zeroPoint) {
  const [lo, hi] = codeRange(s.dtype, s.bits);
  const codes = (s.dtype === 'int8' ? Int8Array : Uint8Array).from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return dequantize({ data: codes, scale, zeroPoint, dtype: s.dtype, shape: [codes.length] });
}

/**
 * Scale and zero point from the range [lo, hi] as given, not widened to
 * include 0 (the article's formula), computed by the library's
 * calculateQParams with includeZero: false.
 * @param {number} lo @param {number} hi @param {'int8' | 'uint8'} dtype @param {boolean} reduceRange
 * @param {number} [bits] 2-8
 * @returns {RawQParams}
 */
export function rawQParams(lo, hi, dtype, reduceRange, bits = 8) {
  const r = calculateQParams(lo, hi, { dtype, reduceRange, includeZero: false, ...bitRange(/** @type {Settings} */ ({ dtype, bits })) });
  return { scale: r.scale, zeroPoint: r.zeroPointUnclamped, stored: r.zeroPoint };
}

/** Observer options for a settings object. @param {Settings} s @param {'per_tensor' | 'per_channel'} kind */
function observerOptions(s, kind) {
  return { dtype: s.dtype, qscheme: `${kind}_${s.scheme}`, reduceRange: s.reduceRange, ...bitRange(s) };
}

/** @param {Uint8Array} mask @returns {number} count of clipped elements */
function countClipped(mask) {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] === 0 ? 1 : 0;
  return n;
}

/** x - xHat per element, for the heatmaps. @param {Float32Array} x @param {Float32Array} xHat */
function difference(x, xHat) {
  const d = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i] - xHat[i];
  return d;
}

/**
 * Per-tensor quantization of x under the settings, with everything the
 * panels show about it.
 * @param {Float32Array} x
 * @param {number[]} shape
 * @param {Settings} s
 */
export function perTensor(x, shape, s) {
  const data = new MinMaxObserver(observerOptions(s, 'per_tensor'));
  data.observe(x);
  const handles = s.lo !== null && s.hi !== null;
  // The handles replace what the observer sees, not how it turns a range into qparams.
  const obs = handles ? new MinMaxObserver(observerOptions(s, 'per_tensor')) : data;
  if (handles) obs.observe(Float32Array.of(/** @type {number} */ (s.lo), /** @type {number} */ (s.hi)));
  const lo = obs.minVal, hi = obs.maxVal;
  let { scale, zeroPoint } = obs.calculateQParams();
  /** @type {RawQParams | null} */
  let raw = null;
  if (!s.includeZero && s.scheme === 'affine' && (lo > 0 || hi < 0)) {
    raw = rawQParams(lo, hi, s.dtype, s.reduceRange, s.bits);
    scale = raw.scale;
    zeroPoint = raw.stored;
  }
  const opts = { scale, zeroPoint, dtype: s.dtype, compat: s.compat, ...bitRange(s) };
  const qt = quantizePerTensor(x, { ...opts, shape });
  const xHat = dequantize(qt);
  const mask = fakeQuantizePerTensor(x, opts).mask;
  const [dmin, dmax] = codeRange(s.dtype, s.bits);
  const grid = codeGrid(s, scale, zeroPoint);
  return {
    dataMin: data.minVal, dataMax: data.maxVal, handles, lo, hi,
    widenedLo: s.includeZero || s.scheme === 'symmetric' ? Math.min(lo, 0) : lo,
    widenedHi: s.includeZero || s.scheme === 'symmetric' ? Math.max(hi, 0) : hi,
    qmin: obs.quantMin, qmax: obs.quantMax, dtypeMin: dmin, dtypeMax: dmax,
    scale, zeroPoint, raw, q: qt.data, xHat, err: difference(x, xHat),
    stats: errorStats(x, xHat), mask, clipped: countClipped(mask), grid,
  };
}

/**
 * Per-channel quantization of x along s.axis.
 * @param {Float32Array} x
 * @param {number[]} shape
 * @param {Settings} s
 */
export function perChannel(x, shape, s) {
  const obs = new PerChannelMinMaxObserver({ ...observerOptions(s, 'per_channel'), axis: s.axis });
  obs.observe(x, shape);
  let { scales, zeroPoints } = obs.calculateQParams();
  const mins = obs.minVal, maxs = obs.maxVal;
  /** @type {RawQParams[] | null} */
  let raw = null;
  if (!s.includeZero && s.scheme === 'affine') {
    raw = Array.from(mins, (lo, c) => (lo > 0 || maxs[c] < 0 ? rawQParams(lo, maxs[c], s.dtype, s.reduceRange, s.bits)
      : { scale: scales[c], zeroPoint: zeroPoints[c], stored: zeroPoints[c] }));
    scales = Float32Array.from(raw, (r) => r.scale);
    zeroPoints = Int32Array.from(raw, (r) => r.stored);
  }
  const opts = { shape, axis: s.axis, scales, zeroPoints, dtype: s.dtype, compat: s.compat, ...bitRange(s) };
  const qt = quantizePerChannel(x, opts);
  const xHat = dequantize(qt);
  const mask = fakeQuantizePerChannel(x, opts).mask;
  const stats = errorStats(x, xHat, { shape, axis: s.axis });
  return {
    axis: s.axis, mins, maxs, qmin: obs.quantMin, qmax: obs.quantMax, scales: qt.scales, zeroPoints: qt.zeroPoints,
    raw, q: qt.data, xHat, err: difference(x, xHat), stats, channelStats: /** @type {NonNullable<typeof stats.channels>} */ (stats.channels),
    mask, clipped: countClipped(mask),
  };
}

/**
 * Quantizes and dequantizes x with given parameters (for the article panel,
 * which replays the article's own numbers through the library).
 * @param {Float32Array} x @param {number} scale @param {number} zeroPoint
 * @param {'pytorch' | 'onnx'} compat
 */
export function replay(x, scale, zeroPoint, compat) {
  const qt = quantizePerTensor(x, { scale, zeroPoint, dtype: 'int8', compat });
  const xHat = dequantize(qt);
  return { q: qt.data, xHat, stats: errorStats(x, xHat), clipped: countClipped(fakeQuantizePerTensor(x, { scale, zeroPoint, compat }).mask) };
}

/** @typedef {ReturnType<typeof perTensor>} TensorResult */
/** @typedef {ReturnType<typeof perChannel>} ChannelResult */

/**
 * What the library rounds, x / scale (ONNX) or x * (1 / scale) (PyTorch) in
 * float32, and its rounding half to even, for each of xs: the derivation
 * shows "round(42.5) = 42".
 * @param {ArrayLike<number>} xs @param {number} scale @param {'pytorch' | 'onnx'} compat
 * @returns {{ scaled: Float32Array, rounded: Float32Array }}
 */
export function steps(xs, scale, compat) {
  return quantizeSteps(Float32Array.from(xs), { scale, compat });
}

/**
 * One channel of a per-channel result, shaped like a per-tensor result so the
 * mapping and the histogram can draw it. The q values, mask and qparams are
 * the per-channel call's own; the grid is the library's dequantize of every code.
 * @param {Float32Array} x the whole tensor
 * @param {number[]} shape [rows, cols]
 * @param {Settings} s
 * @param {ChannelResult} c
 * @param {number} k channel index along c.axis
 * @returns {{ x: Float32Array, t: TensorResult }}
 */
export function channelView(x, shape, s, c, k) {
  const [rows, cols] = shape;
  const idx = c.axis === 0 ? Array.from({ length: cols }, (_, j) => k * cols + j) : Array.from({ length: rows }, (_, i) => i * cols + k);
  const xs = Float32Array.from(idx, (i) => x[i]);
  const xHat = Float32Array.from(idx, (i) => c.xHat[i]);
  const q = (c.q instanceof Int8Array ? Int8Array : Uint8Array).from(idx, (i) => c.q[i]);
  const mask = Uint8Array.from(idx, (i) => c.mask[i]);
  const [dmin, dmax] = codeRange(s.dtype, s.bits);
  const scale = c.scales[k], zeroPoint = c.zeroPoints[k];
  const grid = codeGrid(s, scale, zeroPoint);
  const lo = c.mins[k], hi = c.maxs[k];
  const widen = s.includeZero || s.scheme === 'symmetric';
  /** @type {TensorResult} */
  const t = {
    dataMin: lo, dataMax: hi, handles: false, lo, hi,
    widenedLo: widen ? Math.min(lo, 0) : lo, widenedHi: widen ? Math.max(hi, 0) : hi,
    qmin: c.qmin, qmax: c.qmax, dtypeMin: dmin, dtypeMax: dmax, scale, zeroPoint,
    raw: c.raw && c.raw[k].zeroPoint !== c.raw[k].stored ? c.raw[k] : null,
    q, xHat, err: difference(xs, xHat), stats: errorStats(xs, xHat), mask, clipped: countClipped(mask), grid,
  };
  return { x: xs, t };
}

/**
 * The group sizes a channel of this length can be cut into: its divisors,
 * so that every group is full (as in torch's group quantization, which
 * reshapes to [-1, group_size]).
 * @param {number} length elements per channel
 * @returns {number[]} ascending; the last is the length itself (one group per channel)
 */
export function groupSizes(length) {
  const out = [];
  for (let g = 1; g <= length; g++) if (length % g === 0) out.push(g);
  return out;
}

/**
 * The group size the page uses: the largest divisor of the channel length
 * not above the requested size, so a size chosen for one shape still means
 * something for another.
 * @param {number} length @param {number} requested
 */
export function groupSizeFor(length, requested) {
  let g = 1;
  for (const d of groupSizes(length)) if (d <= requested) g = d;
  return g;
}

/**
 * Per-group quantization: each channel along s.axis is cut into groups of
 * g consecutive elements, each with its own scale and zero point (the
 * "block" of 4-bit weight formats such as ONNX MatMulNBits, where the
 * channel is an output feature and the groups run along k). The library
 * computes it as per-channel quantization of the tensor regrouped to
 * [groups, g], one group per row (torch: x.reshape(-1, g) for axis 0,
 * x.t().reshape(-1, g) for axis 1); the results are put back in the
 * tensor's layout for the grids.
 * @param {Float32Array} x
 * @param {number[]} shape [rows, cols]
 * @param {Settings} s
 */
export function perGroup(x, shape, s) {
  const [rows, cols] = shape;
  const length = s.axis === 0 ? cols : rows;
  const size = groupSizeFor(length, s.group);
  const count = x.length / size;
  // order[j]: the index in x of element j of the regrouped tensor (channel by channel, along the
  // channel). Plain loops: typed-array from() with a callback costs a millisecond at 64 x 64.
  const order = new Uint32Array(x.length);
  for (let j = 0; j < order.length; j++) order[j] = s.axis === 0 ? j : (j % rows) * cols + Math.floor(j / rows);
  const xg = new Float32Array(x.length);
  for (let j = 0; j < xg.length; j++) xg[j] = x[order[j]];
  const grouped = perChannel(xg, [count, size], { ...s, axis: 0 });
  /** @template {Int8Array | Uint8Array | Float32Array} T @param {T} a @returns {T} */
  const scatter = (a) => {
    if (s.axis === 0) return a;
    const b = /** @type {T} */ (new /** @type {any} */ (a.constructor)(a.length));
    for (let j = 0; j < a.length; j++) b[order[j]] = a[j];
    return b;
  };
  return {
    ...grouped, axis: s.axis, size, count, perChannel: length / size, channelLength: length, xg, grouped,
    q: scatter(grouped.q), xHat: scatter(grouped.xHat), err: scatter(grouped.err), mask: scatter(grouped.mask),
  };
}

/** @typedef {ReturnType<typeof perGroup>} GroupResult */

/**
 * One group of a per-group result, shaped like a per-tensor result for the
 * mapping and the histogram.
 * @param {Settings} s @param {GroupResult} g @param {number} j group index
 */
export function groupView(s, g, j) {
  return channelView(g.xg, [g.count, g.size], { ...s, axis: 0 }, g.grouped, j);
}

/**
 * The same groups through onnxruntime's MatMulNBits quantizer (the library's
 * quantizeBlockwise: unsigned codes 0 to 2^bits - 1 with a zero point per
 * block, rounding half away from zero, docs/blockwise.md B1-B3), for
 * comparison with the PyTorch-style per-group result. Only where MatMulNBits
 * has the format: 4 or 8 bits, groups of 16 to 256 along the channel.
 * @param {Settings} s @param {GroupResult} g
 * @returns {{ bits: number, blockSize: number, symmetric: boolean, mse: number, maxAbsError: number, sqnr: number } | null}
 */
export function matMulNBitsView(s, g) {
  if ((s.bits !== 4 && s.bits !== 8) || !BLOCK_SIZES.includes(g.size)) return null;
  const symmetric = s.scheme === 'symmetric';
  const q = quantizeBlockwise(g.xg, { n: g.count / g.perChannel, k: g.channelLength, bits: /** @type {4 | 8} */ (s.bits), blockSize: /** @type {any} */ (g.size), symmetric });
  return { bits: s.bits, blockSize: g.size, symmetric, mse: q.error.mse, maxAbsError: q.error.maxAbsError, sqnr: q.error.sqnr };
}
