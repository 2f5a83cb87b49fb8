// Test helpers for the GEMM suites: the C semantic reference called through
// the loaded build's exports, a seeded RNG, random operands, and the kernel
// list parsed from the family .inc files.
import { readFileSync } from 'node:fs';
import { testWasm } from './wasm.js';

const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
const getRuntime = () => testWasm(BUILD);

/** Deterministic RNG (LCG), so every failure reproduces. @param {number} seed */
export function rng(seed) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
  return {
    /** @param {number} lo @param {number} hi inclusive */
    int: (lo, hi) => lo + (next() % (hi - lo + 1)),
    /** @param {number} scale */
    float: (scale) => ((next() / 16777216) - 0.5) * scale,
  };
}

/** @param {ReturnType<typeof rng>} r @param {'int8' | 'uint8'} dt @param {number} n @param {[number, number]} [range] */
export function randomQ(r, dt, n, range) {
  const a = dt === 'uint8' ? new Uint8Array(n) : new Int8Array(n);
  const [lo, hi] = range ?? (dt === 'uint8' ? [0, 255] : [-128, 127]);
  for (let i = 0; i < n; i++) a[i] = r.int(lo, hi);
  return a;
}

/**
 * qdq_reference_q8_gemm (src/reference/gemm.c): int32 Y of G1.
 * @param {number} m @param {number} n @param {number} k @param {Int8Array | Uint8Array} a @param {number} za
 * @param {Int8Array | Uint8Array} b [k, n] @param {ArrayLike<number>} zb per column @param {Int32Array | null} [bias]
 * @param {boolean} [transposed] b is [n, k]
 * @returns {Int32Array}
 */
export function referenceGemm(m, n, k, a, za, b, zb, bias = null, transposed = false) {
  const rt = getRuntime();
  const ptrs = [m * k, k * n, 4 * n, 4 * n, 4 * m * n].map((s) => rt.alloc(s + 16));
  try {
    const [ap, bp, zp, biasp, yp] = ptrs;
    rt.refresh();
    (a instanceof Uint8Array ? rt.u8 : rt.i8).set(a, ap);
    (b instanceof Uint8Array ? rt.u8 : rt.i8).set(b, bp);
    rt.i32.set(Int32Array.from(zb), zp >>> 2);
    if (bias) rt.i32.set(bias, biasp >>> 2);
    rt.exports.qdq_reference_q8_gemm(m, n, k, ap, a instanceof Uint8Array ? 1 : 0, za, bp,
      (b instanceof Uint8Array ? 1 : 0) | (transposed ? 4 : 0), zp, bias ? biasp : 0, yp);
    rt.refresh();
    return rt.i32.slice(yp >>> 2, (yp >>> 2) + m * n);
  } finally {
    for (const p of ptrs) rt.free(p);
  }
}

/** qdq_reference_requantize_value (G4). @param {number} acc @param {number} mult @param {number} zp @param {number} qmin @param {number} qmax */
export function referenceRequantize(acc, mult, zp, qmin, qmax) {
  return getRuntime().exports.qdq_reference_requantize_value(acc, mult, zp, qmin, qmax);
}

/**
 * qdq_reference_f32_gemm (G6).
 * @param {number} m @param {number} n @param {number} k @param {Float32Array} a @param {Float32Array} b [n, k]
 * @param {Float32Array | null} bias
 */
export function referenceF32Gemm(m, n, k, a, b, bias) {
  const rt = getRuntime();
  const ptrs = [4 * m * k, 4 * k * n, 4 * n, 4 * m * n].map((s) => rt.alloc(s + 16));
  try {
    const [ap, bp, biasp, yp] = ptrs;
    rt.refresh();
    rt.f32.set(a, ap >>> 2);
    rt.f32.set(b, bp >>> 2);
    if (bias) rt.f32.set(bias, biasp >>> 2);
    rt.exports.qdq_reference_f32_gemm(m, n, k, ap, bp, 4, bias ? biasp : 0, yp);
    rt.refresh();
    return rt.f32.slice(yp >>> 2, (yp >>> 2) + m * n);
  } finally {
    for (const p of ptrs) rt.free(p);
  }
}

/**
 * qdq_reference_nbits_gemm (src/reference/nbits.c, B6 at level 4, B7 at 0) on
 * weights in onnxruntime's MatMulNBits layout, as quantizeBlockwise returns them.
 * @param {number} m @param {number} n @param {number} k @param {number} bits @param {number} bs block size
 * @param {Float32Array} a [m, k] @param {{ data: Uint8Array, scales: Float32Array, zeroPoints: Uint8Array | null }} q
 * @param {Float32Array | null} bias @param {number} level 4 (QDQ_NBITS_ACCURACY_INT8) or 0
 */
export function referenceNBitsGemm(m, n, k, bits, bs, a, q, bias, level) {
  const rt = getRuntime();
  const arrays = [a, q.data, q.scales, q.zeroPoints ?? new Uint8Array(1), bias ?? new Float32Array(1), new Float32Array(m * n)];
  const ptrs = arrays.map((x) => rt.alloc(x.byteLength + 16));
  try {
    rt.refresh();
    arrays.forEach((x, i) => rt.u8.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), ptrs[i]));
    rt.exports.qdq_reference_nbits_gemm(m, n, k, bits, bs, ptrs[0], ptrs[1], ptrs[2], q.zeroPoints ? ptrs[3] : 0, bias ? ptrs[4] : 0, ptrs[5], level);
    rt.refresh();
    return rt.f32.slice(ptrs[5] >>> 2, (ptrs[5] >>> 2) + m * n);
  } finally {
    ptrs.forEach((p) => rt.free(p));
  }
}

/**
 * The kernels of a family .inc list: QDQ_UKERNEL(name, mr, nr, kr, isa).
 * @param {string} family e.g. 'qs8-qc8w-gemm'
 * @returns {{ name: string, mr: number, nr: number, kr: number, isa: string }[]}
 */
export function kernelList(family) {
  const text = readFileSync(new URL(`../../src/${family}/${family}.inc`, import.meta.url), 'utf8');
  return [...text.matchAll(/^QDQ_UKERNEL\((\w+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\w+)\)/gm)].map((m) => ({
    name: m[1], mr: Number(m[2]), nr: Number(m[3]), kr: Number(m[4]), isa: m[5],
  }));
}

/** First index where two arrays differ, or -1. @param {ArrayLike<number>} x @param {ArrayLike<number>} y */
export function firstDiff(x, y) {
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}
