// Blockwise 4/8-bit weights (MatMulNBits) on the loaded build: every kernel
// named in the qs8-qb4w-gemm, qs16-qb4w-gemm, qs8-qb8w-gemm, f32-qb4w-gemm and
// f32-qb8w-gemm lists that this build exports, and the qdq_nbits_matmul operator, against
// the C reference (src/reference/nbits.c), bit for bit, on random inputs
// over every block size, both bit widths, with and without zero points, and
// m, n, k tails. Raw exports of the test build (tests/helpers/wasm.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { rng } from '../helpers/gemm-ref.js';

const rt = testWasm(BUILD);
const ex = rt.exports;
const SRC = new URL('../../src/', import.meta.url);
const BLOCK_SIZES = [16, 32, 64, 128, 256];
const LEVEL4 = 4; // QDQ_NBITS_ACCURACY_INT8

/** Kernels of a family from its .inc list, limited to this build's exports. */
function kernels(family) {
  const text = readFileSync(new URL(`${family}/${family}.inc`, SRC), 'utf8');
  const all = [...text.matchAll(/^QDQ_UKERNEL\((\w+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\w+)\)/gm)]
    .map((m) => ({ name: m[1], mr: +m[2], isa: m[5] }));
  assert.ok(all.length >= 4, `${family}.inc lists kernels`);
  return all.filter((k) => typeof ex[k.name] === 'function');
}

/** Copies typed arrays into fresh wasm allocations (16 spare bytes each); returns pointers. */
function put(...arrays) {
  return arrays.map((a) => {
    const p = rt.alloc(a.byteLength + 16);
    rt.refresh();
    rt.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    return p;
  });
}
const freeAll = (/** @type {number[]} */ ptrs) => ptrs.forEach((p) => rt.free(p));
const f32At = (/** @type {number} */ p, /** @type {number} */ n) => (rt.refresh(), rt.f32.slice(p >>> 2, (p >>> 2) + n));

/** Random MatMulNBits weights in the ORT layout. */
function randomWeights(r, n, k, bits, bs) {
  const kb = Math.ceil(k / bs);
  const b = Uint8Array.from({ length: n * kb * bs * bits / 8 }, () => r.int(0, 255));
  const scales = Float32Array.from({ length: n * kb }, () => r.float(0.2));
  const zp = Uint8Array.from({ length: n * (bits === 8 ? kb : Math.ceil(kb / 2)) }, () => r.int(0, 255));
  return { b, scales, zp, kb };
}

/** qdq_reference_nbits_gemm. */
function referenceGemm(m, n, k, bits, bs, a, w, useZp, bias, flags) {
  const ptrs = put(a, w.b, w.scales, w.zp, bias ?? new Float32Array(1), new Float32Array(m * n));
  const [ap, bp, sp, zp, biasp, yp] = ptrs;
  try {
    ex.qdq_reference_nbits_gemm(m, n, k, bits, bs, ap, bp, sp, useZp ? zp : 0, bias ? biasp : 0, yp, flags);
    return f32At(yp, m * n);
  } finally {
    freeAll(ptrs);
  }
}

function pack(n, k, bits, bs, w, useZp) {
  const size = ex.qdq_nbits_packed_size(n, k, bits, bs);
  assert.ok(size > 0);
  const [bp, sp, zp] = put(w.b, w.scales, w.zp);
  const packed = rt.alloc(size + 16);
  try {
    assert.equal(ex.qdq_nbits_pack(n, k, bits, bs, bp, sp, useZp ? zp : 0, packed), 0);
  } finally {
    freeAll([bp, sp, zp]);
  }
  return packed;
}

/** @param {string} what @param {Float32Array} got @param {Float32Array} want @param {number} n */
function assertBits(what, got, want, n) {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < want.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what}: row ${Math.floor(i / n)} column ${i % n}: reference ${want[i]}, output ${got[i]}`);
  }
}

const SENTINEL = 0x5a5a5a5a;

/**
 * The qs16-qb4w kernels' activations (src/qdq.h): int16, k = 4t + r at element 4t + {0, 2, 1, 3}[r].
 * @param {Int8Array} q @returns {Int16Array}
 */
function widenPairs(q) {
  const out = new Int16Array(q.length);
  for (let l = 0; l < q.length; l += 4) [out[l], out[l + 1], out[l + 2], out[l + 3]] = [q[l], q[l + 2], q[l + 1], q[l + 3]];
  return out;
}

test(`blockwise kernels (qs8-qb4w, qs16-qb4w, qs8-qb8w, f32-qb4w, f32-qb8w) on the ${BUILD} build`, async (t) => {
  for (const [family, bits, int8] of [['qs8-qb4w-gemm', 4, true], ['qs16-qb4w-gemm', 4, true], ['qs8-qb8w-gemm', 8, true], ['f32-qb4w-gemm', 4, false], ['f32-qb8w-gemm', 8, false]]) {
    const wide = family.startsWith('qs16');
    for (const kern of kernels(family)) {
      await t.test(`should match the reference bit for bit: ${kern.name}`, () => {
        const r = rng(bits * 7 + kern.mr + (int8 ? 100 : 0) + kern.isa.length);
        let cases = 0;
        for (const bs of BLOCK_SIZES) {
          // Every kernel also over every k and n from 1 to 67 at block 16 (1 to 5 blocks, 1 to 9 column
          // groups: every tail of the 8-column tile and of the 1x32 GEMV's passes of 4, 2 and 1 groups).
          const sweep = bs === 16;
          const ks = sweep ? Array.from({ length: 67 }, (_, i) => i + 1) : [1, 5, bs - 1, bs, bs + 1, 2 * bs + 3];
          for (const k of ks) {
            for (const n of sweep ? (k === 67 ? Array.from({ length: 67 }, (_, i) => i + 1) : [1, 9, 67]) : [1, 3, 8, 9, 16, 17, 25, 40]) {
              const useZp = (n + k) % 2 === 1;
              const w = randomWeights(r, n, k, bits, bs);
              const kb = w.kb, kpad = kb * bs;
              const packed = pack(n, k, bits, bs, w, useZp);
              const bias = Float32Array.from({ length: Math.ceil(n / 8) * 8 }, (_, j) => (j < n ? r.float(2) : 0));
              for (let mr = 1; mr <= kern.mr; mr++) {
                const a = Float32Array.from({ length: mr * k }, () => r.float(6));
                const want = referenceGemm(mr, n, k, bits, bs, a, w, useZp, bias.subarray(0, n), int8 ? LEVEL4 : 0);
                // Staged activations: kpad per row, zero past k (quantized by the reference B5 at level 4).
                const stride = n + 3; // output row stride in floats, with a gap to catch stray writes
                const ptrs = put(bias, new Float32Array(mr * stride));
                const [biasp, cpp] = ptrs;
                try {
                  rt.refresh();
                  new Uint32Array(rt.memory.buffer).fill(SENTINEL, cpp >>> 2, (cpp >>> 2) + mr * stride);
                  const w0 = packed + 16;
                  if (int8) {
                    const [aq, as, asum, af] = put(new Int8Array(mr * kpad), new Float32Array(mr * kb), new Int32Array(mr * kb), a);
                    ptrs.push(aq, as, asum, af);
                    for (let i = 0; i < mr; i++) ex.qdq_reference_nbits_quantize_activations(k, bs, af + 4 * i * k, aq + i * kpad, as + 4 * i * kb, asum + 4 * i * kb);
                    if (wide) {
                      rt.refresh();
                      const [aw] = put(widenPairs(new Int8Array(rt.memory.buffer, aq, mr * kpad).slice()));
                      ptrs.push(aw);
                      ex[kern.name](mr, n, kb, bs, aw, 2 * kpad, as, asum, kb, w0, biasp, cpp, 4 * stride);
                    } else {
                      ex[kern.name](mr, n, kb, bs, aq, kpad, as, asum, kb, w0, biasp, cpp, 4 * stride);
                    }
                  } else {
                    const ap = new Float32Array(mr * kpad);
                    for (let i = 0; i < mr; i++) ap.set(a.subarray(i * k, (i + 1) * k), i * kpad);
                    const [app] = put(ap);
                    ptrs.push(app);
                    ex[kern.name](mr, n, kb, bs, app, 4 * kpad, w0, biasp, cpp, 4 * stride);
                  }
                  rt.refresh();
                  const out = rt.f32.slice(cpp >>> 2, (cpp >>> 2) + mr * stride);
                  const got = new Float32Array(mr * n);
                  const words = new Uint32Array(out.buffer);
                  for (let i = 0; i < mr; i++) {
                    got.set(out.subarray(i * stride, i * stride + n), i * n);
                    for (let j = n; j < stride; j++) assert.equal(words[i * stride + j], SENTINEL, `${kern.name} wrote past column ${n}`);
                  }
                  assertBits(`${kern.name} bs=${bs} k=${k} n=${n} mr=${mr} zp=${useZp}`, got, want, n);
                  cases++;
                } finally {
                  freeAll(ptrs);
                }
              }
              rt.free(packed);
            }
          }
        }
        assert.ok(cases >= 5 * 6 * 6, `${cases} cases`);
      });
    }
  }
});

test(`qdq_nbits_matmul on the ${BUILD} build`, async (t) => {
  await t.test('should match the reference bit for bit at both accuracy levels', () => {
    const r = rng(99);
    for (const [m, k, n, bits, bs] of [[1, 300, 77, 4, 32], [7, 513, 41, 4, 128], [13, 96, 130, 8, 16], [33, 200, 24, 4, 64], [5, 1024, 9, 8, 256], [1, 4096, 64, 4, 32]]) {
      for (const useZp of [false, true]) {
        const w = randomWeights(r, n, k, bits, bs);
        const packed = pack(n, k, bits, bs, w, useZp);
        const bias = Float32Array.from({ length: n }, () => r.float(1));
        const a = Float32Array.from({ length: m * k }, () => r.float(10));
        for (const level of [0, LEVEL4]) {
          const want = referenceGemm(m, n, k, bits, bs, a, w, useZp, bias, level);
          const ptrs = put(a, bias, new Float32Array(m * n));
          try {
            assert.equal(ex.qdq_nbits_matmul(m, n, k, ptrs[0], packed, ptrs[1], ptrs[2], level), 0);
            assertBits(`${m}x${k}x${n} bits=${bits} bs=${bs} zp=${useZp} level=${level}`, f32At(ptrs[2], m * n), want, n);
          } finally {
            freeAll(ptrs);
          }
        }
        rt.free(packed);
      }
    }
  });
});
