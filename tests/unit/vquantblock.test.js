// The level-4 activation staging kernels (src/f32-qs8-vquantblock/) against
// qdq_reference_nbits_quantize_activations, bit for bit: every k from 0 to 67
// and a few large ones, every block size, ties of round-half-away-from-zero,
// all-zero and single-value blocks, tiny blocks (0 < max|a| < 2^-64, where
// 1 / s overflows float below 127 * 2^-128; subnormals, zeros, padding),
// unaligned inputs; the zero padding to whole blocks, the int16 pair-permuted
// copy, and guard bytes after every output that must stay untouched. The
// reference itself is checked against B5 written out here in float64.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { rng } from '../helpers/gemm-ref.js';

const rt = testWasm(BUILD);
const ex = /** @type {any} */ (rt.exports);
const GUARD = 32, SENTINEL = 0xa5;
const text = readFileSync(new URL('../../src/f32-qs8-vquantblock/f32-qs8-vquantblock.inc', import.meta.url), 'utf8');
const kernels = [...text.matchAll(/^QDQ_UKERNEL\((\w+),/gm)].map((m) => m[1]).filter((name) => typeof ex[name] === 'function');

/** Inputs for one row: random magnitudes, with blocks that hold exact ties (max |a| = 127: scale 1). */
function row(k, bs, r, variant) {
  const a = Float32Array.from({ length: k }, () => r.float(8));
  for (let b = 0; b * bs < k; b++) {
    const l0 = b * bs, len = Math.min(bs, k - l0);
    const kind = (b + variant) % 4;
    if (kind === 1) {
      // Scale exactly 1: a[l] +- 0.5 are ties, rounded away from zero.
      for (let l = 0; l < len; l++) a[l0 + l] = (r.int(-254, 254)) / 2;
      a[l0 + r.int(0, len - 1)] = r.int(0, 1) ? 127 : -127;
    } else if (kind === 2) {
      a.fill(0, l0, l0 + len);
      if (variant % 2 && len > 1) a[l0 + len - 1] = -1e-30; // one tiny value: scale near the denormals
    } else if (kind === 3) {
      for (let l = 0; l < len; l++) a[l0 + l] = r.float(1) * 3e37;
    }
  }
  return a;
}

/**
 * x rounded to float32's 24 significant bits, to nearest even, without float32's exponent range
 * (no overflow, no subnormals). x: a float64 that is exact or once rounded to 53 bits (53 >= 2 * 24 + 2,
 * so rounding the quotient or product of floats twice is rounding it once).
 * @param {number} x
 */
function round24(x) {
  if (x === 0 || !Number.isFinite(x)) return x;
  let e = Math.floor(Math.log2(Math.abs(x)));
  if (Math.abs(x) < 2 ** e) e--;
  if (Math.abs(x) >= 2 ** (e + 1)) e++;
  // x / 2^e is in [1, 2), where float32 has its 24 bits: Math.fround rounds there exactly.
  return Math.fround(x / 2 ** e) * 2 ** e;
}

/**
 * B5 (docs/blockwise.md) on one block, in float64: s = amax / 127 in float32 (subnormal or 0 for tiny
 * blocks), r = s != 0 ? 1 / s' : 0 with s' = amax / 127 and 1 / s' rounded to 24 bits without range limits,
 * q = clamp(roundf(a r), -128, 127).
 * @param {Float32Array} a @returns {{ q: number[], s: number, sum: number }}
 */
function b5(a) {
  let amax = 0;
  for (const v of a) amax = Math.max(amax, Math.abs(v));
  const s = Math.fround(amax / 127);
  const r = s !== 0 ? round24(1 / round24(amax / 127)) : 0;
  const q = Array.from(a, (v) => {
    const x = round24(v * r);
    const t = Math.trunc(x);
    const rounded = Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
    return Math.min(127, Math.max(-128, rounded)) + 0;
  });
  return { q, s, sum: q.reduce((x, y) => x + y, 0) };
}

/**
 * Runs kernel `name` and the reference on row a (k values, blocks of bs) and compares them bit for
 * bit: q, the zero padding, scales, sums, the int16 copy (when wide), guard bytes; then the
 * reference against b5().
 * @param {string} name @param {number} k @param {number} bs @param {Float32Array} a @param {boolean} wide
 * @param {number} offset bytes past an aligned address (a multiple of 4)
 */
function check(name, k, bs, a, wide, offset) {
  const kb = Math.ceil(k / bs), kpad = kb * bs;
  const pa = rt.alloc(4 * k + 64), pq = rt.alloc(kpad + GUARD), pq16 = rt.alloc(2 * kpad + GUARD);
  const ps = rt.alloc(4 * kb + GUARD), psum = rt.alloc(4 * kb + GUARD);
  const rq = rt.alloc(kpad + 16), rs = rt.alloc(4 * kb + 16), rsum = rt.alloc(4 * kb + 16);
  try {
    rt.refresh();
    rt.f32.set(a, (pa + offset) >>> 2);
    for (const [p, n] of [[pq, kpad], [pq16, 2 * kpad], [ps, 4 * kb], [psum, 4 * kb]]) rt.u8.fill(SENTINEL, p, p + n + GUARD);
    ex[name](k, bs, pa + offset, pq, wide ? pq16 : 0, ps, psum);
    ex.qdq_reference_nbits_quantize_activations(k, bs, pa + offset, rq, rs, rsum);
    rt.refresh();
    const q = new Int8Array(rt.u8.slice(pq, pq + kpad).buffer);
    const want = new Int8Array(rt.u8.slice(rq, rq + k).buffer);
    for (let l = 0; l < k; l++) {
      if (q[l] !== want[l]) assert.fail(`${name} bs=${bs} k=${k}: q[${l}] = ${q[l]}, reference ${want[l]} (a = ${a[l]})`);
    }
    for (let l = k; l < kpad; l++) assert.equal(q[l], 0, `${name} bs=${bs} k=${k}: padding q[${l}]`);
    assert.deepEqual(rt.u8.slice(ps, ps + 4 * kb), rt.u8.slice(rs, rs + 4 * kb), `${name} bs=${bs} k=${k}: scales`);
    assert.deepEqual(rt.u8.slice(psum, psum + 4 * kb), rt.u8.slice(rsum, rsum + 4 * kb), `${name} bs=${bs} k=${k}: sums`);
    if (wide) {
      const q16 = new Int16Array(rt.u8.slice(pq16, pq16 + 2 * kpad).buffer);
      const perm = [0, 2, 1, 3];
      for (let l = 0; l < kpad; l++) {
        const src = (l & ~3) + perm[l & 3];
        if (q16[l] !== q[src]) assert.fail(`${name} bs=${bs} k=${k}: q16[${l}] = ${q16[l]}, want q[${src}] = ${q[src]}`);
      }
    }
    // Nothing written past any output (q16 untouched entirely when NULL).
    for (const [p, n] of [[pq, kpad], [pq16, wide ? 2 * kpad : 0], [ps, 4 * kb], [psum, 4 * kb]]) {
      const guard = rt.u8.subarray(p + n, p + n + GUARD);
      assert.ok(guard.every((v) => v === SENTINEL), `${name} bs=${bs} k=${k}: wrote past an output`);
    }
    // The reference is B5.
    const scales = new Float32Array(rt.u8.slice(rs, rs + 4 * kb).buffer), sums = new Int32Array(rt.u8.slice(rsum, rsum + 4 * kb).buffer);
    for (let b = 0; b < kb; b++) {
      const l0 = b * bs, l1 = Math.min(k, l0 + bs);
      const f = b5(a.subarray(l0, l1));
      assert.equal(scales[b], f.s, `reference bs=${bs} k=${k} block ${b}: scale`);
      assert.equal(sums[b], f.sum, `reference bs=${bs} k=${k} block ${b}: sum`);
      for (let l = l0; l < l1; l++) {
        if (want[l] !== f.q[l - l0]) assert.fail(`reference bs=${bs} k=${k}: q[${l}] = ${want[l]}, B5 ${f.q[l - l0]} (a = ${a[l]})`);
      }
    }
  } finally {
    for (const p of [pa, pq, pq16, ps, psum, rq, rs, rsum]) rt.free(p);
  }
}

/** Magnitudes of tiny blocks: around the smallest subnormals (s = amax / 127 rounds to 0 up to 63
 * ulps), 127 * 2^-128 (below it 1 / s overflows float), FLT_MIN, 1e-38, 2^-64 (the kernels' scaled
 * path below it), and 1. */
const TINY = [2 ** -149, 63 * 2 ** -149, 64 * 2 ** -149, 127 * 2 ** -149, 190 * 2 ** -149,
  Math.fround(127 * 2 ** -128), 127 * 2 ** -128 * (1 - 2 ** -24), 127 * 2 ** -128 * (1 + 2 ** -23),
  2 ** -126, 127 * 2 ** -126, Math.fround(1e-38), Math.fround(3.7e-37), 2 ** -64 * (1 - 2 ** -24), 2 ** -64, 1];

/** A row of tiny blocks: one value of a TINY magnitude and zeros; values up to it with a third zeros; or values
 * spread over [v 2^-30, v] (subnormals); the magnitude itself at a random place in each block. */
function tinyRow(k, bs, r, seed) {
  const a = new Float32Array(k);
  for (let b = 0; b * bs < k; b++) {
    const l0 = b * bs, len = Math.min(bs, k - l0);
    const v = TINY[(seed + 7 * b) % TINY.length], kind = (seed + b) % 3;
    for (let l = 0; l < len; l++) {
      let x = 0;
      if (kind === 1 && r.int(0, 2) !== 0) x = v * r.int(0, 1023) / 1024;
      if (kind === 2) x = v * 2 ** -r.int(0, 30) * (1 - r.int(0, 255) / 512);
      a[l0 + l] = r.int(0, 1) ? -x : x;
    }
    a[l0 + r.int(0, len - 1)] = r.int(0, 1) ? -v : v;
  }
  return a;
}

test(`level-4 staging kernels (f32-qs8-vquantblock) on the ${BUILD} build`, async (t) => {
  assert.ok(kernels.length >= (BUILD === 'simd128' || BUILD === 'relaxed' ? 2 : 1));
  for (const name of kernels) {
    await t.test(`should equal the reference: ${name}`, () => {
      const r = rng(77);
      for (const bs of [16, 32, 64, 128, 256]) {
        const ks = [...Array(68).keys(), bs - 1, bs, bs + 1, 3 * bs + 5, 1000, 4099];
        for (const k of ks) {
          for (let variant = 0; variant < 2; variant++) {
            check(name, k, bs, row(k, bs, r, variant), variant === 0, 4 * (variant + (k % 3)));
          }
        }
      }
    });
    // B5 with 1 / s' never overflowing (s' = amax / 127 without float's range): zeros and padding
    // stay 0, |q| <= 127, and every build's kernels give the reference's bytes.
    await t.test(`should equal the reference on tiny blocks (0 < max|a| < 2^-64, subnormals): ${name}`, () => {
      const r = rng(1234);
      for (const bs of [16, 32, 64, 128, 256]) {
        const ks = [...Array(68).keys(), bs - 1, bs, bs + 1, 3 * bs + 5];
        for (const k of ks) {
          for (let seed = 0; seed < 3; seed++) check(name, k, bs, tinyRow(k, bs, r, seed + k), seed !== 1, 4 * ((seed + k) % 3));
        }
      }
    });
  }
});
