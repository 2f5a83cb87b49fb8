// The training kernels of this build (src/f32-matmul, src/f32-vrelugrad, src/f32-vsgd, named by
// their .inc lists) and their operators against the C references in the same module (T1-T3 of
// src/qdq.h): bit-exact, with XNNPACK's named GEMM tails, every length 0..67, unaligned outputs and
// guard floats after each output that must stay untouched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { rng } from '../helpers/oracle.js';
import { fma32 } from '../helpers/fma32.js';

const rt = testWasm(BUILD);
const ex = rt.exports;
const SRC = new URL('../../src/', import.meta.url);
const GUARD = 8;
const SENTINEL = 1234.5;
const FLAG_TRANSPOSED = 4;
const SGD_FIRST_STEP = 1;

/** @param {string} family @returns {{ name: string, mr: number, nr: number, isa: string }[]} */
function kernels(family) {
  const text = readFileSync(new URL(`${family}/${family}.inc`, SRC), 'utf8');
  const list = [...text.matchAll(/^QDQ_UKERNEL\((\w+),\s*(\d+)(?:,\s*(\d+),\s*\d+)?,\s*(\w+)\)/gm)]
    .map((m) => ({ name: m[1], mr: +m[2], nr: +(m[3] ?? 0), isa: m[4] }));
  assert.ok(list.length >= 2, `${family}.inc lists a scalar and a SIMD kernel`);
  return list.filter((k) => typeof ex[k.name] === 'function');
}

/** Floats in [-4, 4) with exact zeros, negative zeros and (when asked) NaN mixed in. @param {number} n */
function floats(random, n, nan = false) {
  return Float32Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.05) return r < 0.025 ? 0 : -0;
    if (nan && r < 0.08) return NaN;
    return (random() - 0.5) * 8;
  });
}

/** Allocates, runs fn with pointers, frees. @param {number[]} sizes bytes @param {(...p: number[]) => void} fn */
function withAlloc(sizes, fn) {
  const ptrs = sizes.map((s) => rt.alloc(s + 64));
  try {
    fn(...ptrs);
  } finally {
    ptrs.forEach((p) => rt.free(p));
  }
}

const bits = (/** @type {Float32Array} */ f) => new Uint32Array(f.buffer, f.byteOffset, f.length);

/** Compares got with want bit for bit and checks the guard after got. */
function same(/** @type {number} */ gotPtr, /** @type {number} */ wantPtr, /** @type {number} */ n, /** @type {string} */ what) {
  rt.refresh();
  const got = rt.f32.slice(gotPtr >> 2, (gotPtr >> 2) + n), want = rt.f32.slice(wantPtr >> 2, (wantPtr >> 2) + n);
  const gb = bits(got), wb = bits(want);
  for (let i = 0; i < n; i++) if (gb[i] !== wb[i]) assert.fail(`${what}: element ${i}: got ${got[i]}, reference ${want[i]}`);
  const guard = rt.f32.subarray((gotPtr >> 2) + n, (gotPtr >> 2) + n + GUARD);
  assert.ok(guard.every((v) => v === SENTINEL), `${what}: wrote past the end of its output`);
}

test(`f32-matmul microkernels on the ${BUILD} build`, async (t) => {
  for (const kd of kernels('f32-matmul')) {
    await t.test(`should match the reference with every named tail: ${kd.name}`, () => {
      const { mr, nr } = kd;
      /** @type {[string, number, number, number, boolean][]} name, m, n, k, A transposed */
      const cases = [
        ['k_eq_1', mr, nr, 1, false], ['k_gt_1', mr, nr, 7, false], ['k_div_4', mr, nr, 64, true], ['k_eq_0', mr, nr, 0, false],
        ['n_gt_NR', mr, nr + 3, 13, false], ['n_div_NR', mr, nr * 3, 9, true], ['n_lt_NR', mr, nr - 1, 7, false],
        ['subtile_m', 1, nr, 11, false], ['subtile_m', mr - 1, nr, 11, true],
        ['subtile_n', mr, 1, 11, false], ['subtile_n', mr, 4, 11, true], ['subtile_n', mr, 5, 11, false],
        ['transposed_a', mr, nr + 5, 17, true], ['strided_c', mr, nr, 5, false],
      ];
      const random = rng(kd.name.length * 131);
      for (const [name, m, n, k, transposed] of cases) {
        const a = floats(random, m * k), b = floats(random, k * n);
        const cStride = name === 'strided_c' ? n + 3 : n;
        withAlloc([4 * a.length, 4 * b.length + 16, 4 * (m * cStride + GUARD), 4 * m * n], (ap, bp, cp, rp) => {
          rt.refresh();
          rt.f32.set(a, ap >> 2);
          rt.f32.set(b, bp >> 2);
          rt.f32.fill(SENTINEL, cp >> 2, (cp >> 2) + m * cStride + GUARD);
          // A (i, l) at i * aStride + l * akStride bytes: A [m][k], or A^T stored [k][m].
          const aStride = 4 * (transposed ? 1 : k), akStride = 4 * (transposed ? m : 1);
          ex[kd.name](m, n, 4 * k, ap, aStride, akStride, bp, 4 * n, cp, 4 * cStride);
          ex.qdq_reference_f32_matmul(m, n, k, ap, transposed ? FLAG_TRANSPOSED : 0, bp, rp);
          rt.refresh();
          for (let i = 0; i < m; i++) {
            const got = bits(rt.f32.slice((cp >> 2) + i * cStride, (cp >> 2) + i * cStride + n));
            const want = bits(rt.f32.slice((rp >> 2) + i * n, (rp >> 2) + (i + 1) * n));
            for (let j = 0; j < n; j++) {
              if (got[j] !== want[j]) assert.fail(`${kd.name} ${name} m=${m} n=${n} k=${k} transposed=${transposed}: y[${i}][${j}] bits ${got[j]}, reference ${want[j]}`);
            }
            const gap = rt.f32.subarray((cp >> 2) + i * cStride + n, (cp >> 2) + (i + 1) * cStride);
            assert.ok(gap.every((v) => v === SENTINEL), `${kd.name} ${name}: wrote between rows`);
          }
          const tail = rt.f32.subarray((cp >> 2) + m * cStride, (cp >> 2) + m * cStride + GUARD);
          assert.ok(tail.every((v) => v === SENTINEL), `${kd.name} ${name}: wrote past the output`);
        });
      }
    });
  }
});

test(`qdq_f32_matmul() on the ${BUILD} build`, async (t) => {
  await t.test('should match the reference for every m, n, k in 0..11 and the MLP shapes, both A layouts', () => {
    const random = rng(99);
    const shapes = [];
    for (let m = 0; m <= 11; m++) for (let n = 0; n <= 11; n++) for (const k of [0, 1, 2, 5, 11]) shapes.push([m, n, k]);
    // The Fashion MLP's backward products: dX = dY W (64 x 256 x 128) and dW = dY^T X (256 x 64 x 784), and odd ones.
    shapes.push([64, 256, 128], [256, 784, 64], [10, 128, 64], [37, 67, 53], [5, 2000, 3]);
    for (const [m, n, k] of shapes) {
      for (const flags of [0, FLAG_TRANSPOSED]) {
        const a = floats(random, m * k), b = floats(random, k * n);
        withAlloc([4 * a.length, 4 * b.length + 16, 4 * (m * n + GUARD), 4 * m * n], (ap, bp, yp, rp) => {
          rt.refresh();
          rt.f32.set(a, ap >> 2);
          rt.f32.set(b, bp >> 2);
          rt.f32.fill(SENTINEL, yp >> 2, (yp >> 2) + m * n + GUARD);
          assert.equal(ex.qdq_f32_matmul(m, n, k, ap, flags, bp, yp), 0);
          ex.qdq_reference_f32_matmul(m, n, k, ap, flags, bp, rp);
          same(yp, rp, m * n, `m=${m} n=${n} k=${k} flags=${flags}`);
        });
      }
    }
  });

  await t.test('should compute the worked example: A^T B with A stored [k][m]', () => {
    // A = [[1, 2], [3, 4]] stored [k][m]: A^T = [[1, 3], [2, 4]]; B = [[1, 0, 2], [0, 1, -1]].
    withAlloc([16, 40, 40], (ap, bp, yp) => {
      rt.refresh();
      rt.f32.set([1, 2, 3, 4], ap >> 2);
      rt.f32.set([1, 0, 2, 0, 1, -1], bp >> 2);
      ex.qdq_f32_matmul(2, 3, 2, ap, FLAG_TRANSPOSED, bp, yp);
      rt.refresh();
      assert.deepEqual(Array.from(rt.f32.slice(yp >> 2, (yp >> 2) + 6)), [1, 3, -1, 2, 4, 0]);
    });
  });
});

test(`f32-vrelugrad kernels on the ${BUILD} build`, async (t) => {
  for (const kd of kernels('f32-vrelugrad')) {
    await t.test(`should match the reference on lengths 0..67 and 1000 with NaN, ±0: ${kd.name}`, () => {
      const random = rng(5);
      for (const n of [...Array(68).keys(), 1000]) {
        const y = floats(random, n, true), dy = floats(random, n, true);
        withAlloc([4 * n, 4 * n, 4 * (n + GUARD), 4 * n], (yp, dyp, dxp, rp) => {
          rt.refresh();
          rt.f32.set(y, yp >> 2);
          rt.f32.set(dy, dyp >> 2);
          rt.f32.fill(SENTINEL, dxp >> 2, (dxp >> 2) + n + GUARD);
          ex[kd.name](4 * n, yp, dyp, dxp);
          ex.qdq_reference_f32_relu_backward(n, yp, dyp, rp);
          same(dxp, rp, n, `${kd.name} n=${n}`);
        });
      }
    });
  }
  await t.test('should pass dy where y > 0 and give +0 elsewhere (NaN and -0 included)', () => {
    withAlloc([16, 16, 16], (yp, dyp, dxp) => {
      rt.refresh();
      rt.f32.set([1, -0, NaN, 0], yp >> 2);
      rt.f32.set([-3, -2, 5, -0], dyp >> 2);
      ex.qdq_relu_backward(4, yp, dyp, dxp);
      rt.refresh();
      assert.deepEqual(Array.from(bits(rt.f32.slice(dxp >> 2, (dxp >> 2) + 4))), Array.from(bits(Float32Array.of(-3, 0, 0, 0))));
    });
  });
});

test(`f32-vsgd kernels on the ${BUILD} build`, async (t) => {
  // lr, momentum, weight decay, first step: every branch of T3.
  const settings = [[0.05, 0.9, 0, 0], [0.05, 0.9, 0, SGD_FIRST_STEP], [0.1, 0.9, 1e-4, 0], [0.01, 0, 0, 0], [0.01, 0, 0.3, SGD_FIRST_STEP],
    [0.2, 0.5, 0.3, SGD_FIRST_STEP]];
  for (const kd of kernels('f32-vsgd')) {
    await t.test(`should match the reference on lengths 0..67 and 1000 for every setting: ${kd.name}`, () => {
      const random = rng(17);
      for (const [lr, momentum, wd, flags] of settings) {
        for (const n of [...Array(68).keys(), 1000]) {
          const p = floats(random, n), g = floats(random, n), buf = floats(random, n);
          withAlloc([4 * (n + GUARD), 4 * n, 4 * (n + GUARD), 4 * n, 4 * n, 16], (pp, gp, bp, rpp, rbp, params) => {
            rt.refresh();
            rt.f32.set(p, pp >> 2);
            rt.f32.set(p, rpp >> 2);
            rt.f32.set(g, gp >> 2);
            rt.f32.set(buf, bp >> 2);
            rt.f32.set(buf, rbp >> 2);
            rt.f32.fill(SENTINEL, (pp >> 2) + n, (pp >> 2) + n + GUARD);
            rt.f32.fill(SENTINEL, (bp >> 2) + n, (bp >> 2) + n + GUARD);
            ex.qdq_init_f32_sgd_params(params, lr, momentum, wd, flags);
            ex[kd.name](4 * n, pp, gp, bp, params);
            ex.qdq_reference_f32_sgd(n, rpp, gp, rbp, params);
            const what = `${kd.name} lr=${lr} momentum=${momentum} wd=${wd} flags=${flags} n=${n}`;
            same(pp, rpp, n, `${what} param`);
            same(bp, rbp, n, `${what} buffer`);
          });
        }
      }
    });
  }
  for (const kd of kernels('f32-vsgd')) {
    await t.test(`should round g + wd * p once where the double sum is a float halfway point: ${kd.name}`, () => {
      // (1 + 2^-23) * 2^-24 (1 - 2^-23) + (1 + 2^-23) is 1 + 2^-23 + 2^-24 - 2^-70: just below the halfway
      // point between 1 + 2^-23 and 1 + 2^-22, which is what its double rounding gives; rounding that to
      // float again (ties to even) would give 1 + 2^-22. The FMA gives 1 + 2^-23, in every lane and tail.
      const wd = 1 + 2 ** -23, p = 2 ** -24 * (1 - 2 ** -23), g = 1 + 2 ** -23;
      assert.equal(fma32(wd, p, g), 1 + 2 ** -23);
      for (const n of [1, 5, 8, 13]) {
        withAlloc([4 * n, 4 * n, 4 * n, 16], (pp, gp, bp, params) => {
          rt.refresh();
          rt.f32.fill(p, pp >> 2, (pp >> 2) + n);
          rt.f32.fill(g, gp >> 2, (gp >> 2) + n);
          ex.qdq_init_f32_sgd_params(params, 0, 0.9, wd, SGD_FIRST_STEP);
          ex[kd.name](4 * n, pp, gp, bp, params);
          rt.refresh();
          assert.deepEqual([...rt.f32.subarray(bp >> 2, (bp >> 2) + n)], new Array(n).fill(1 + 2 ** -23), `n=${n}`);
        });
      }
    });
  }
  await t.test("should compute torch's step: p - lr * (momentum * buf + g + wd * p), the two axpys fused", () => {
    const f = Math.fround;
    withAlloc([4, 4, 4], (pp, gp, bp) => {
      rt.refresh();
      rt.f32.set([0.7], pp >> 2);
      rt.f32.set([0.3], gp >> 2);
      rt.f32.set([-0.2], bp >> 2);
      ex.qdq_sgd_step(1, pp, gp, bp, 0.05, 0.9, 0.01, 0);
      rt.refresh();
      const d = fma32(f(0.01), f(0.7), f(0.3)), b = f(f(f(0.9) * f(-0.2)) + d);
      assert.equal(rt.f32[bp >> 2], b);
      assert.equal(rt.f32[pp >> 2], fma32(f(-0.05), b, f(0.7)));
    });
  });
});
