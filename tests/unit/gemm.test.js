// The int8 GEMM operators (matmulInteger, qlinearMatmul, PackedMatrix) and
// every microkernel of this build, against the C semantic reference
// (src/reference/gemm.c), bit for bit. Runs on the SIMD128 build (Node 20)
// and the relaxed build (Node 22); see scripts/test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq, BUILD } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { testWasm } from '../helpers/wasm.js';
import { firstDiff, kernelList, randomQ, referenceGemm, referenceRequantize, rng } from '../helpers/gemm-ref.js';

const DTYPES = /** @type {const} */ (['int8', 'uint8']);
const range = (/** @type {string} */ dt) => (dt === 'uint8' ? [0, 255] : [-128, 127]);

/** @param {string} what @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {number} n */
function assertSame(what, got, want, n) {
  const i = firstDiff(got, want);
  if (i >= 0) {
    assert.fail(`${what}: index ${i} (row ${Math.floor(i / n)}, column ${i % n}): reference ${want[i]}, output ${got[i]}`);
  }
}

test('linear exports', async (t) => {
  await t.test('should export the linear API from the package index', () => {
    assert.deepEqual(
      ['DynamicQuantizedLinear', 'GEMM_MAX_K', 'Linear', 'PackedMatrix', 'QuantizedLinear', 'matmulInteger', 'qlinearMatmul']
        .filter((name) => name in qdq),
      ['DynamicQuantizedLinear', 'GEMM_MAX_K', 'Linear', 'PackedMatrix', 'QuantizedLinear', 'matmulInteger', 'qlinearMatmul'],
    );
    assert.equal(qdq.GEMM_MAX_K, 33025);
  });
});

test('matmulInteger()', async (t) => {
  await t.test('should match the C reference for every m, n, k in 1..17 and every dtype combination', () => {
    const r = rng(1);
    let cases = 0;
    for (const adt of DTYPES) {
      for (const bdt of DTYPES) {
        for (let m = 1; m <= 17; m++) {
          for (let n = 1; n <= 17; n++) {
            for (let k = 1; k <= 17; k++) {
              // Half the cases use 7-bit-range activations, which the relaxed
              // build routes to its i7 kernel; the rest the general kernel.
              const [lo, hi] = range(adt);
              const a = randomQ(r, adt, m * k, (m + k) % 2 ? [lo, lo + r.int(0, 127)] : undefined);
              const b = randomQ(r, bdt, k * n);
              const za = r.int(...range(adt));
              const zb = (n + k) % 2 ? Array.from({ length: n }, () => r.int(...range(bdt))) : [r.int(...range(bdt))];
              const zbFull = zb.length === 1 ? new Array(n).fill(zb[0]) : zb;
              const y = qdq.matmulInteger(a, b, { m, k, n, aZeroPoint: za, bZeroPoint: zb.length === 1 ? zb[0] : zb });
              assertSame(`${adt} x ${bdt} m=${m} n=${n} k=${k} za=${za}`, y, referenceGemm(m, n, k, a, za, b, zbFull), n);
              cases++;
              void hi;
            }
          }
        }
      }
    }
    assert.equal(cases, 4 * 17 ** 3);
  });

  await t.test('should match the C reference on random large shapes', () => {
    const r = rng(2);
    for (const [m, k, n] of [[1, 1000, 77], [37, 513, 129], [64, 64, 300], [5, 3001, 24], [130, 96, 41]]) {
      for (const adt of DTYPES) {
        const bdt = adt === 'int8' ? 'uint8' : 'int8';
        const a = randomQ(r, adt, m * k);
        const b = randomQ(r, bdt, k * n);
        const za = r.int(...range(adt)), zb = Array.from({ length: n }, () => r.int(...range(bdt)));
        const y = qdq.matmulInteger(a, b, { m, k, n, aZeroPoint: za, bZeroPoint: zb });
        assertSame(`${adt} x ${bdt} ${m}x${k}x${n}`, y, referenceGemm(m, n, k, a, za, b, zb), n);
      }
    }
  });

  await t.test('should give the same result whether rows take the 7-bit or the 8-bit path', () => {
    // Property: the path choice (per block of rows, by their range) never
    // changes the result: mixed blocks, a row of range exactly 127 and one of 128.
    const r = rng(3);
    const m = 29, k = 67, n = 19;
    const a = new Int8Array(m * k);
    for (let i = 0; i < m; i++) {
      const lo = r.int(-128, 0), span = i % 3 === 0 ? 255 : i % 3 === 1 ? 127 : 128;
      for (let l = 0; l < k; l++) a[i * k + l] = Math.min(127, lo + r.int(0, span));
      a[i * k] = lo;
      a[i * k + 1] = Math.min(127, lo + span);
    }
    const b = randomQ(r, 'int8', k * n);
    const y = qdq.matmulInteger(a, b, { m, k, n, aZeroPoint: 3 });
    assertSame('mixed ranges', y, referenceGemm(m, n, k, a, 3, b, new Array(n).fill(0)), n);
  });

  await t.test('should be exact at the int32 bound k = GEMM_MAX_K', () => {
    // Property: |Y| = k * 255 * 255 = 2147450625 is the largest magnitude, still exact.
    const k = qdq.GEMM_MAX_K;
    const a = new Uint8Array(2 * k).fill(255);
    a.fill(0, k);
    const b = new Int8Array(k).fill(-128);
    const y = qdq.matmulInteger(a, b, { m: 2, k, n: 1, aZeroPoint: 0, bZeroPoint: 127 });
    assert.deepEqual(Array.from(y), [-2147450625, 0]);
    const y2 = qdq.matmulInteger(new Uint8Array(k).fill(0), b, { m: 1, k, n: 1, aZeroPoint: 255, bZeroPoint: 127 });
    assert.deepEqual(Array.from(y2), [2147450625]);
  });

  await t.test('should reject k above GEMM_MAX_K with a RangeError', () => {
    const k = qdq.GEMM_MAX_K + 1;
    assert.throws(() => qdq.matmulInteger(new Int8Array(k), new Int8Array(k), { m: 1, k, n: 1 }),
      { name: 'RangeError', message: /k must be at most 33025.*got 33026/ });
    assert.throws(() => qdq.PackedMatrix.pack(new Int8Array(k), { k, n: 1 }), RangeError);
  });

  await t.test('should accept a PackedMatrix and reuse it across calls', () => {
    const r = rng(4);
    const m = 9, k = 45, n = 21;
    const b = randomQ(r, 'uint8', k * n);
    const zb = Array.from({ length: n }, () => r.int(0, 255));
    const packed = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb });
    try {
      for (const za of [0, 77, 255]) {
        const a = randomQ(r, 'uint8', m * k);
        const out = new Int32Array(m * n);
        const y = qdq.matmulInteger(a, packed, { m, aZeroPoint: za, out });
        assert.equal(y, out);
        assertSame(`packed za=${za}`, y, referenceGemm(m, n, k, a, za, b, zb), n);
      }
      // A transposed ([n, k]) matrix packs to the same product.
      const bt = new Uint8Array(k * n);
      for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) bt[j * k + l] = b[l * n + j];
      const pt = qdq.PackedMatrix.pack(bt, { k, n, zeroPoint: zb, transposed: true });
      const a = randomQ(r, 'int8', m * k);
      assert.deepEqual(qdq.matmulInteger(a, pt, { m }), qdq.matmulInteger(a, packed, { m }));
      pt.dispose();
    } finally {
      packed.dispose();
    }
  });

  await t.test('should reject bad input naming the argument, and stay usable', () => {
    const a = new Int8Array(6), b = new Int8Array(6);
    assert.throws(() => qdq.matmulInteger(new Float32Array(6), b, { m: 2, k: 3, n: 2 }), { name: 'TypeError', message: /a must be an Int8Array or Uint8Array, got Float32Array\(6\)/ });
    assert.throws(() => qdq.matmulInteger(a, [1, 2], { m: 2, k: 3, n: 2 }), { name: 'TypeError', message: /b must be/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3, n: 3 }), { name: 'RangeError', message: /b must have k \* n = 9 elements, got 6/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 3, k: 3, n: 2 }), { name: 'RangeError', message: /a must have m \* k = 9 elements, got 6/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: -1, k: 3, n: 2 }), { name: 'RangeError', message: /m must be an integer in \[0, / });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3.5, n: 2 }), { name: 'RangeError', message: /k must be an integer/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3, n: 2, aZeroPoint: 200 }), { name: 'RangeError', message: /aZeroPoint must be an integer in \[-128, 127\], got 200/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3, n: 2, bZeroPoint: [1, 2, 3] }), { name: 'RangeError', message: /bZeroPoint must have 1 or n = 2 entries, got 3/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3, n: 2, bZeroPoint: 'x' }), { name: 'TypeError', message: /bZeroPoint/ });
    assert.throws(() => qdq.matmulInteger(a, b, { m: 2, k: 3, n: 2, out: new Int32Array(3) }), { name: 'RangeError', message: /out must have length 4, got 3/ });
    assert.throws(() => qdq.matmulInteger(a, b, null), { name: 'TypeError', message: /options must be an options object, got null/ });
    const packed = qdq.PackedMatrix.pack(b, { k: 3, n: 2 });
    assert.throws(() => qdq.matmulInteger(a, packed, { m: 2, k: 4 }), { name: 'RangeError', message: /k is 4 but the PackedMatrix has k = 3/ });
    assert.throws(() => qdq.matmulInteger(a, packed, { m: 2, n: 3 }), { name: 'RangeError', message: /n is 3/ });
    assert.throws(() => qdq.matmulInteger(a, packed, { m: 2, bZeroPoint: 1 }), { name: 'TypeError', message: /bZeroPoint belongs to PackedMatrix.pack/ });
    packed.dispose();
    assert.throws(() => qdq.matmulInteger(a, packed, { m: 2 }), { name: 'Error', message: /PackedMatrix was disposed/ });
    // Still usable afterwards.
    assert.deepEqual(Array.from(qdq.matmulInteger(Int8Array.of(1, 2), Int8Array.of(3, 4), { m: 1, k: 2, n: 1 })), [11]);
  });

  await t.test('should not grow wasm memory across repeated calls', () => {
    const r = rng(5);
    const m = 33, k = 300, n = 70;
    const a = randomQ(r, 'int8', m * k), b = randomQ(r, 'int8', k * n);
    const packed = qdq.PackedMatrix.pack(b, { k, n });
    qdq.matmulInteger(a, packed, { m });
    qdq.qlinearMatmul(a, packed, { m, aScale: 0.1, bScale: 0.1, yScale: 1 });
    const before = getRuntime().memory.buffer.byteLength;
    for (let i = 0; i < 50; i++) {
      qdq.matmulInteger(a, packed, { m });
      qdq.matmulInteger(a, b, { m, k, n });
      qdq.qlinearMatmul(a, packed, { m, aScale: 0.1, bScale: 0.1, yScale: 1 });
    }
    assert.equal(getRuntime().memory.buffer.byteLength, before);
    packed.dispose();
  });
});

test('qlinearMatmul()', async (t) => {
  await t.test('should equal requantize(reference accumulator) for every m, n, k in 1..17', () => {
    const r = rng(6);
    for (let m = 1; m <= 17; m++) {
      for (let n = 1; n <= 17; n++) {
        for (let k = 1; k <= 17; k++) {
          const adt = (m + n + k) % 2 ? 'uint8' : 'int8', bdt = (m * n + k) % 2 ? 'uint8' : 'int8';
          const ydt = (n + k) % 2 ? 'uint8' : 'int8';
          const a = randomQ(r, adt, m * k), b = randomQ(r, bdt, k * n);
          const za = r.int(...range(adt)), zb = r.int(...range(bdt)), yzp = r.int(...range(ydt));
          const aScale = 0.01 + r.int(0, 1000) / 997, yScale = 0.5 + r.int(0, 1000) / 13;
          const bScale = (m % 2) ? Array.from({ length: n }, () => 0.001 + r.int(0, 100) / 1000) : [0.02];
          const y = qdq.qlinearMatmul(a, b, { m, k, n, aScale, aZeroPoint: za, bScale, bZeroPoint: zb, yScale, yZeroPoint: yzp, yDtype: ydt });
          const acc = referenceGemm(m, n, k, a, za, b, new Array(n).fill(zb));
          const [qmin, qmax] = range(ydt);
          const want = new Int32Array(m * n);
          for (let i = 0; i < m * n; i++) {
            const bs = bScale.length === 1 ? bScale[0] : bScale[i % n];
            const mult = Math.fround(Math.fround(Math.fround(aScale) * Math.fround(bs)) / Math.fround(yScale));
            want[i] = referenceRequantize(acc[i], mult, yzp, qmin, qmax);
          }
          assert.equal(y instanceof Uint8Array, ydt === 'uint8');
          assertSame(`${adt} x ${bdt} -> ${ydt} m=${m} n=${n} k=${k}`, y, want, n);
        }
      }
    }
  });

  await t.test('should round exact ties half to even and saturate', () => {
    // Property: acc * 0.5 lands on .5 exactly; ties go to the even neighbour.
    const a = Int8Array.of(1, 3, 5, -1, -3, 127);
    const b = Int8Array.of(1);
    const y = qdq.qlinearMatmul(a, b, { m: 6, k: 1, n: 1, aScale: 0.5, bScale: 1, yScale: 1, yDtype: 'int8' });
    assert.deepEqual(Array.from(y), [0, 2, 2, 0, -2, 64]);
    const big = qdq.qlinearMatmul(Int8Array.of(127, -128), Int8Array.of(127), { m: 2, k: 1, n: 1, aScale: 1, bScale: 1, yScale: 1, yZeroPoint: 10, yDtype: 'uint8' });
    assert.deepEqual(Array.from(big), [255, 0]);
  });

  await t.test('should default the output dtype to the activation dtype and validate scales', () => {
    const y = qdq.qlinearMatmul(Uint8Array.of(130, 126), Int8Array.of(2, 2), { m: 1, k: 2, n: 1, aScale: 0.5, aZeroPoint: 128, bScale: 1, yScale: 1, yZeroPoint: 128 });
    assert.ok(y instanceof Uint8Array);
    assert.deepEqual(Array.from(y), [128]);
    const base = { m: 1, k: 2, n: 1, aScale: 1, bScale: 1, yScale: 1 };
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, aScale: 0 }), { name: 'RangeError', message: /aScale must be finite and > 0/ });
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, yScale: '1' }), { name: 'TypeError', message: /yScale must be a number/ });
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, bScale: [1, 2] }), { name: 'RangeError', message: /bScale must have 1 or n = 1 entries, got 2/ });
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, bScale: 'x' }), { name: 'TypeError', message: /bScale/ });
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, yDtype: 'int16' }), { name: 'RangeError', message: /yDtype must be one of 'int8', 'uint8', got "int16"/ });
    assert.throws(() => qdq.qlinearMatmul(Int8Array.of(1, 2), Int8Array.of(1, 2), { ...base, yZeroPoint: 128 }), { name: 'RangeError', message: /yZeroPoint/ });
  });
});

test('PackedMatrix.pack()', async (t) => {
  await t.test('should own its memory until dispose(), idempotently, and support Symbol.dispose', () => {
    const p = qdq.PackedMatrix.pack(Int8Array.of(1, 2, 3, 4), { k: 2, n: 2, zeroPoint: [0, 1] });
    assert.equal(p.k, 2);
    assert.equal(p.n, 2);
    assert.equal(p.dtype, 'int8');
    assert.equal(p.disposed, false);
    assert.deepEqual(Array.from(qdq.matmulInteger(Int8Array.of(1, 1), p, { m: 1 })), [4, 4]);
    p[Symbol.dispose]();
    assert.equal(p.disposed, true);
    p.dispose();
    assert.throws(() => qdq.matmulInteger(Int8Array.of(1, 1), p, { m: 1 }), /disposed/);
  });

  await t.test('should add the activation zero point term on symmetric weights, and write in place when it is 0', () => {
    // Symmetric int8 weights (no zero point) packed for an activation zero point of 0 (128 for
    // uint8): every G3 term but (za - za0) (k zb[j] - cs[j]) is 0, and with za = za0 that one too, so
    // the kernels write the int32 result in place (src/operators/gemm.c, run.direct); any other za
    // takes the output stage. Both must give the reference, on every kernel path (m 1, 2-16, 17+).
    const r = rng(43);
    for (const [m, k, n] of [[1, 9, 5], [3, 17, 9], [4, 33, 17], [16, 64, 24], [17, 33, 17], [18, 5, 1], [40, 67, 9], [67, 100, 77], [130, 64, 130]]) {
      const b = randomQ(r, 'int8', k * n);
      const packed = qdq.PackedMatrix.pack(b, { k, n });
      try {
        for (const [adt, zas] of /** @type {const} */ ([['uint8', [128, 0, 77, 255]], ['int8', [0, -128, 3, 127]]])) {
          for (const za of zas) {
            // Half the calls 7-bit-range activations (the relaxed build's i7 kernel adds its row shifts back).
            const [lo] = range(adt);
            const a = randomQ(r, adt, m * k, za % 2 ? [lo, lo + 100] : undefined);
            const want = referenceGemm(m, n, k, a, za, b, new Array(n).fill(0));
            assertSame(`${adt} za=${za} ${m}x${k}x${n}`, qdq.matmulInteger(a, packed, { m, aZeroPoint: za }), want, n);
            const out = new Int32Array(m * n).fill(-7);
            assertSame(`${adt} za=${za} ${m}x${k}x${n} into out`, qdq.matmulInteger(a, packed, { m, aZeroPoint: za, out }), want, n);
          }
        }
      } finally {
        packed.dispose();
      }
    }
  });

  await t.test('should keep the weights widened with keepWidened, giving the same bytes for every m', () => {
    const r = rng(41);
    // m 16 and below never read widened weights; 17 and above do (the xw path): tails of m, n and k.
    for (const [m, k, n] of [[1, 9, 5], [16, 33, 17], [17, 33, 17], [18, 5, 1], [33, 67, 9], [67, 100, 77], [130, 64, 130]]) {
      for (const [adt, bdt] of [['uint8', 'int8'], ['int8', 'uint8']]) {
        const b = randomQ(r, /** @type {'int8' | 'uint8'} */ (bdt), k * n);
        const zb = Array.from({ length: n }, () => r.int(...range(bdt)));
        const a = randomQ(r, /** @type {'int8' | 'uint8'} */ (adt), m * k);
        const za = r.int(...range(adt));
        const plain = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb });
        const kept = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb, keepWidened: true });
        try {
          assert.equal(plain.widenedBytes, 0);
          // Both builds have the xw kernel: 8 columns x (4 int32 + kpad int16) per group, and up to 15 bytes to align.
          assert.equal(kept.widenedBytes, Math.ceil(n / 8) * (32 + 16 * kpadOf(k)) + 15);
          const want = referenceGemm(m, n, k, a, za, b, zb);
          assertSame(`kept ${adt} x ${bdt} ${m}x${k}x${n}`, qdq.matmulInteger(a, kept, { m, aZeroPoint: za }), want, n);
          assertSame(`plain ${adt} x ${bdt} ${m}x${k}x${n}`, qdq.matmulInteger(a, plain, { m, aZeroPoint: za }), want, n);
          const q = { m, aScale: 0.02, aZeroPoint: za, bScale: 0.01, yScale: 0.5, yZeroPoint: 3 };
          assert.deepEqual(qdq.qlinearMatmul(a, kept, q), qdq.qlinearMatmul(a, plain, q));
        } finally {
          plain.dispose();
          kept.dispose();
        }
      }
    }
  });

  await t.test('should read the kept copy on the widening path only (m > 16), as qdq_qs8_gemm_keep_widened records it', () => {
    // At the C level: zero the kept copy's weights after keeping it. Calls that
    // read it then give the product of zero weights (the biases and column
    // sums stay B's); the others still give B's product.
    const rt = testWasm(BUILD);
    const ex = /** @type {any} */ (rt.exports);
    const r = rng(43);
    const k = 24, n = 12, kpad = kpadOf(k);
    const b = randomQ(r, 'int8', k * n);
    const size = ex.qdq_qs8_gemm_packed_size(n, k), widened = ex.qdq_qs8_gemm_widened_size(n, k);
    assert.equal(widened, 2 * (32 + 16 * kpad) + 15);
    const [packed, bp, zp] = [size + widened, k * n, 4 * n].map((bytes) => rt.alloc(bytes + 16));
    try {
      rt.refresh();
      rt.i8.set(b, bp);
      rt.i32.fill(0, zp >>> 2, (zp >>> 2) + n);
      assert.equal(ex.qdq_qs8_gemm_pack(n, k, bp, 0, zp, 0, 0, packed), 0);
      rt.refresh();
      const trailer = (packed + size) / 4 - 1; // kept: the trailer's last word
      assert.equal(rt.i32[trailer], 0, 'packed alone keeps nothing');
      assert.equal(ex.qdq_qs8_gemm_keep_widened(n, k, packed), 0);
      rt.refresh();
      const at = rt.i32[trailer];
      assert.ok(at >= size && at < size + 16 && (packed + at) % 16 === 0, `the copy at offset ${at}, 16-aligned after ${size} bytes`);
      // The copy is qdq_qs8_gemm_widen_w's: group g's 8 int32 biases, then its kpad x 8 weights as int16.
      const copy = new Int16Array(rt.memory.buffer, packed + at, 2 * (16 + 8 * kpad));
      for (let j = 0; j < n; j++) {
        for (let l = 0; l < k; l++) assert.equal(copy[(j >> 3) * (16 + 8 * kpad) + 16 + (l >> 2) * 32 + (j & 7) * 4 + (l & 3)], b[l * n + j]);
      }
      for (let g = 0; g < 2; g++) copy.fill(0, g * (16 + 8 * kpad) + 16, (g + 1) * (16 + 8 * kpad));
      // (A last block of one row runs the one-row kernel on the int8 weights: m = 17 would read both.)
      for (const m of [16, 18, 40]) {
        const a = randomQ(r, 'int8', m * k);
        const [ap, yp] = [m * k, 4 * m * n].map((bytes) => rt.alloc(bytes + 16));
        try {
          rt.refresh();
          rt.i8.set(a, ap);
          assert.equal(ex.qdq_qs8_gemm(m, n, k, ap, 0, 0, packed, yp, 0, 0, 0, 0, 0, 0), 0);
          rt.refresh();
          const y = rt.i32.slice(yp >>> 2, (yp >>> 2) + m * n);
          const want = referenceGemm(m, n, k, a, 0, m > 16 ? new Int8Array(k * n) : b, new Array(n).fill(0));
          assertSame(`m=${m} ${m > 16 ? 'reads the zeroed copy' : 'does not read the copy'}`, y, want, n);
        } finally {
          rt.free(ap);
          rt.free(yp);
        }
      }
    } finally {
      for (const p of [packed, bp, zp]) rt.free(p);
    }
  });

  await t.test('should validate its arguments', () => {
    assert.throws(() => qdq.PackedMatrix.pack(Int8Array.of(1), { k: 1, n: 1, transposed: 1 }), { name: 'TypeError', message: /transposed must be a boolean/ });
    assert.throws(() => qdq.PackedMatrix.pack(Int8Array.of(1), { k: 1, n: 1, keepWidened: 'yes' }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
    assert.throws(() => qdq.PackedMatrix.pack(Uint8Array.of(1), { k: 1, n: 1, zeroPoint: -1 }), { name: 'RangeError', message: /zeroPoint must be an integer in \[0, 255\], got -1/ });
    assert.throws(() => qdq.PackedMatrix.pack(Int8Array.of(1), { k: 1 }), { name: 'TypeError', message: /n must be a number, got undefined/ });
  });
});

/** k rounded up to the c4 packing's 4. @param {number} k */
const kpadOf = (k) => Math.ceil(k / 4) * 4;

/**
 * The xw kernels' packed-A layout (qdq_qs8_gemm_pack_a16), as the C header
 * defines it: per chunk c of 4 k, rows 0..3 x 4 values, each byte xor flip
 * read as int8; k past the row and rows past m are 0.
 * @param {Int8Array} a rows of aStride values @param {number} m at most 4 @param {number} k @param {number} aStride
 * @param {number} flip 0 or 0x80
 */
function packA16(a, m, k, aStride, flip) {
  const kpad = kpadOf(k);
  const out = new Int16Array(4 * kpad);
  for (let c = 0; c < kpad / 4; c++) {
    for (let i = 0; i < m; i++) {
      for (let q = 0; q < 4; q++) if (4 * c + q < k) out[16 * c + 4 * i + q] = (a[i * aStride + 4 * c + q] ^ flip) << 24 >> 24;
    }
  }
  return out;
}

test('qdq_qs8_gemm_pack_a16 (the xw kernels\' packed activations)', () => {
  // Every row count, k from 1 to 67 (the SIMD steps of 16 k, their tails,
  // and k short of kpad), rows at a stride with bytes between them, int8
  // bytes and uint8 ones (flip 0x80), guard values after.
  const rt = testWasm(BUILD);
  const r = rng(4242);
  for (let k = 1; k <= 67; k++) {
    const kpad = kpadOf(k);
    for (let rows = 1; rows <= 4; rows++) {
      for (const flip of [0, 0x80]) {
        const stride = k + 5;
        const a = Int8Array.from({ length: 4 * stride + 16 }, () => r.int(-128, 127));
        a[0] = -128;
        a[1] = 127;
        const ap = rt.alloc(a.length), op = rt.alloc(8 * kpad + 32);
        try {
          rt.refresh();
          rt.i8.set(a, ap);
          new Int16Array(rt.memory.buffer, op, 4 * kpad + 8).fill(0x5a5a);
          rt.exports.qdq_qs8_gemm_pack_a16(rows, k, kpad, ap, stride, flip, op);
          rt.refresh();
          const got = new Int16Array(rt.memory.buffer, op, 4 * kpad + 8);
          const want = packA16(a, rows, k, stride, flip);
          for (let i = 0; i < 4 * kpad + 8; i++) {
            const w = i < 4 * kpad ? want[i] : 0x5a5a;
            if (got[i] !== w) assert.fail(`rows ${rows} k ${k} flip ${flip}: out[${i}] is ${got[i]}, want ${w}`);
          }
        } finally {
          rt.free(ap);
          rt.free(op);
        }
      }
    }
  }
});

// Every microkernel this build can run, called directly on packed weights,
// with XNNPACK's named tails. c = bias + sum a * w exactly (zero points 0).
const ISAS = BUILD === 'relaxed' ? ['scalar', 'wasmsimd', 'wasmrelaxedsimd'] : ['scalar', 'wasmsimd'];
test('qs8-qc8w-gemm, qs16-qc8w-gemm, qs16-qc8w-gemm-xw and -xwiden microkernels', async (t) => {
  const kernels = [...kernelList('qs8-qc8w-gemm'), ...kernelList('qs16-qc8w-gemm'), ...kernelList('qs16-qc8w-gemm-xw'),
    ...kernelList('qs16-qc8w-gemm-xwiden')]
    .filter((kd) => ISAS.includes(kd.isa));
  await t.test('should list every kernel of the .inc lists that this build exports', () => {
    assert.ok(kernels.length >= (BUILD === 'relaxed' ? 14 : 11));
    for (const kd of kernels) assert.equal(typeof testWasm(BUILD).exports[kd.name], 'function', kd.name);
  });
  for (const kd of kernels) {
    await t.test(`should match the reference: ${kd.name}`, () => {
      const { mr, nr, kr } = kd;
      const kb = kr * 2;
      /** @type {[string, number, number, number, number][]} name, m, n, k, a_stride (0 = k) */
      const cases = [
        ['k_eq_KB', mr, nr, kb, 0], ['k_lt_KB', mr, nr, kb - 1, 0], ['k_lt_KB', mr, nr, 1, 0],
        ['k_gt_KB', mr, nr, kb + 3, 0], ['k_div_KB', mr, nr, kb * 5, 0],
        ['n_gt_NR', mr, nr + 3, 13, 0], ['n_div_NR', mr, nr * 3, 9, 0], ['n_lt_NR', mr, nr - 1, 7, 0],
        ['subtile_m', 1, nr, 11, 0], ['subtile_m', Math.max(1, mr - 1), nr, 11, 0],
        ['subtile_n', mr, 1, 11, 0], ['subtile_n', mr, 5, 11, 0],
        ['strided_a', mr, nr + 1, 19, 37],
        ['saturation', mr, nr, 24, 0],
      ];
      const r = rng(kd.name.length * 7919);
      const rt = testWasm(BUILD);
      for (const [name, m, n, k, stride] of cases) {
        const aStride = stride || k;
        // The relaxed kernels' i7 operand must be in [0, 127] (G7).
        const a = randomQ(r, 'int8', m * aStride, kd.isa === 'wasmrelaxedsimd' ? [0, 127] : undefined);
        const w = randomQ(r, 'int8', n * k);
        w[0] = -128;
        if (name === 'saturation') {
          // The extremes: every product at +-128 * 127 (or 128 * 128), so any
          // saturating i16 step would show (G7 bounds the relaxed pair sums).
          a.fill(kd.isa === 'wasmrelaxedsimd' ? 127 : -128);
          for (let i = 0; i < w.length; i++) w[i] = (i / k) % 2 < 1 ? -128 : 127;
        }
        const bias = Int32Array.from({ length: n }, () => r.int(-100000, 100000));
        const cStride = n + 3; // guard columns after each row
        const wide = kd.name.startsWith('qdq_qs16_'); // int16 activations
        const xw = kd.name.includes('_gemm_xw_'); // weights widened to int16, A packed per 4 rows
        // int8 weights, A packed per 4 rows, storing the weights widened as xw reads them (or not: wx null)
        const xwiden = kd.name.includes('_gemm_xwiden_');
        const widenedBytes = Math.ceil(n / nr) * (32 + 2 * nr * kpadOf(k));
        const ptrs = [rt.exports.qdq_qs8_gemm_packed_size_tile(n, k, kr), Math.max((wide ? 2 : 1) * m * aStride, 8 * kpadOf(k)), 4 * n, 4 * n, 4 * m * cStride, n * k,
          2 * rt.exports.qdq_qs8_gemm_packed_size_tile(n, k, kr), widenedBytes].map((s) => rt.alloc(s + 16));
        try {
          const [wp, ap, zp, bp, cp, wsrc, wxp, wop] = ptrs;
          rt.refresh();
          rt.i8.set(w, wsrc);
          rt.i32.fill(0, zp >>> 2, (zp >>> 2) + n);
          rt.i32.set(bias, bp >>> 2);
          rt.exports.qdq_qs8_gemm_pack_tile(n, k, wsrc, 4, zp, bp, 0, kr, wp);
          if (xw || xwiden) rt.exports.qdq_qs8_gemm_widen_w(Math.ceil(n / nr), Math.ceil(k / kr) * kr, wp, wxp);
          rt.refresh();
          if (xw || xwiden) new Int16Array(rt.memory.buffer, ap, 4 * kpadOf(k)).set(packA16(a, m, k, aStride));
          else if (wide) new Int16Array(rt.memory.buffer, ap, a.length).set(a);
          else rt.i8.set(a, ap);
          /** c = bias + sum a * w exactly, and the guard columns untouched. */
          const checkC = () => {
            const c = rt.i32.slice(cp >>> 2, (cp >>> 2) + m * cStride);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < cStride; j++) {
                let want = 0x5a5a5a5a;
                if (j < n) {
                  want = bias[j];
                  for (let l = 0; l < k; l++) want += a[i * aStride + l] * w[j * k + l];
                }
                if (c[i * cStride + j] !== want) {
                  assert.fail(`${kd.name} ${name} m=${m} n=${n} k=${k} stride=${aStride}: c[${i}][${j}] reference ${want}, output ${c[i * cStride + j]} (tile ${mr}x${nr}c${kr})`);
                }
              }
            }
          };
          for (const store of xwiden ? [true, false] : [false]) {
            rt.i32.fill(0x5a5a5a5a, cp >>> 2, (cp >>> 2) + m * cStride);
            rt.u8.fill(0xa5, wop, wop + widenedBytes + 16);
            if (xwiden) rt.exports[kd.name](m, n, k, ap, 2 * aStride, wp, cp, cStride * 4, store ? wop : 0);
            else rt.exports[kd.name](m, n, k, ap, (wide ? 2 : 1) * aStride, xw ? wxp : wp, cp, cStride * 4);
            rt.refresh();
            if (xwiden) {
              // The copy it stored is qdq_qs8_gemm_widen_w's, byte for byte, and nothing past it was written.
              const got = rt.u8.slice(wop, wop + widenedBytes + 16);
              const want = rt.u8.slice(wxp, wxp + widenedBytes);
              for (let i = 0; i < got.length; i++) {
                const expect = store && i < widenedBytes ? want[i] : 0xa5;
                if (got[i] !== expect) assert.fail(`${kd.name} ${name} m=${m} n=${n} k=${k} ${store ? 'storing' : 'wx null'}: widened byte ${i} ${got[i]}, want ${expect}`);
              }
            }
            checkC();
          }
        } finally {
          for (const p of ptrs) rt.free(p);
        }
      }
    });
  }
});
