// The blockwise 4/8-bit API (quantizeBlockwise, dequantizeBlockwise,
// toDequantizeLinear, fromDequantizeLinear, MatMulNBits,
// WeightOnlyQuantizedLinear): exact cases of onnxruntime's quantizer, results
// equal to the C reference called directly, bad input, and disposal.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { referenceNBitsGemm as referenceGemm, rng } from '../helpers/gemm-ref.js';

const f32 = Math.fround;

test('quantizeBlockwise()', async (t) => {
  await t.test('should follow onnxruntime on exact blocks: asymmetric, symmetric with a negative scale, ties', () => {
    // Asymmetric [-1, 14]: scale 1, zero point 1, q = x + 1.
    const a = qdq.quantizeBlockwise(Float32Array.of(-1, 0, 2, 14), { n: 1, k: 4, blockSize: 16 });
    assert.deepEqual([...a.scales], [1]);
    assert.equal(a.zeroPoints?.[0] & 15, 1);
    assert.deepEqual([a.data[0] & 15, a.data[0] >> 4, a.data[1] & 15, a.data[1] >> 4], [0, 1, 3, 15]);
    // Symmetric with a positive extreme: scale -1, 8 -> 0, 1 -> 7 (onnxruntime's range2scale).
    const s = qdq.quantizeBlockwise(Float32Array.of(8, 1), { n: 1, k: 2, blockSize: 16, symmetric: true });
    assert.deepEqual([...s.scales], [-1]);
    assert.equal(s.zeroPoints, null);
    assert.deepEqual([s.data[0] & 15, s.data[0] >> 4], [0, 7]);
    assert.deepEqual([...qdq.dequantizeBlockwise(s)], [8, 1]);
    // 2.5 rounds away from zero (3), or to even (2).
    assert.equal(qdq.quantizeBlockwise(Float32Array.of(0, 15, 2.5), { n: 1, k: 3, blockSize: 16 }).data[1] & 15, 3);
    assert.equal(qdq.quantizeBlockwise(Float32Array.of(0, 15, 2.5), { n: 1, k: 3, blockSize: 16, rounding: 'half-even' }).data[1] & 15, 2);
  });

  // B3 with 1 / scale rounded without float's range: a subnormal power-of-two scale u = 2^-140
  // (1 / u = 2^140 overflows float, and 0 * inf would be NaN) quantizes multiples of u exactly.
  await t.test('should quantize blocks of tiny weights exactly when 1 / scale overflows float', () => {
    const u = 2 ** -140;
    const codes = (/** @type {Uint8Array} */ d, /** @type {number} */ n) => Array.from({ length: n }, (_, l) => ((l & 1) ? d[l >> 1] >> 4 : d[l >> 1] & 15));
    const x = Float32Array.from([0, 1, 2, 2.5, 7, 15, 4, 0], (v) => v * u);
    const a = qdq.quantizeBlockwise(x, { n: 1, k: 8, blockSize: 16 });
    assert.deepEqual([...a.scales], [u]);
    assert.equal(a.zeroPoints?.[0] & 15, 0);
    assert.deepEqual(codes(a.data, 8), [0, 1, 2, 3, 7, 15, 4, 0]);
    assert.deepEqual(codes(qdq.quantizeBlockwise(x, { n: 1, k: 8, blockSize: 16, rounding: 'half-even' }).data, 8), [0, 1, 2, 2, 7, 15, 4, 0]);
    // Symmetric: -8u is the extreme, scale u, q = x / u + 8 (8.5 away from zero: 9).
    const sx = Float32Array.from([-8, -1, 0, 3, 7, 0.5], (v) => v * u);
    const s = qdq.quantizeBlockwise(sx, { n: 1, k: 6, blockSize: 16, symmetric: true });
    assert.deepEqual([...s.scales], [u]);
    assert.deepEqual(codes(s.data, 6), [0, 7, 8, 11, 15, 9]);
    assert.deepEqual([...qdq.dequantizeBlockwise(s)], [-8, -1, 0, 3, 7, 1].map((v) => v * u));
    // 8 bits: scale 255u / 255 = u.
    const e = qdq.quantizeBlockwise(Float32Array.from([0, 255, 100, 37.5], (v) => v * u), { n: 1, k: 4, bits: 8, blockSize: 16 });
    assert.deepEqual([...e.scales], [u]);
    assert.deepEqual([...e.data.subarray(0, 4)], [0, 255, 100, 38]);
  });

  // B1 with hi - lo past FLT_MAX (finite weights ±3e38): onnxruntime's scale is (hi - lo) / qmax = ∞
  // and its block dequantizes to NaN; qdq-wasm's is that quotient rounded once with an unbounded
  // exponent (halving first is exact), so the block quantizes like any other.
  await t.test('should give a finite scale to a block whose range overflows float32', () => {
    const w = Float32Array.of(3e38, -3e38, 1e38, 0, -2e38);
    for (const bits of /** @type {const} */ ([4, 8])) {
      const qmax = 2 ** bits - 1;
      const hi = f32(3e38), lo = f32(-3e38);
      const scale = 2 * f32(f32(hi / 2 - lo / 2) / qmax);
      const q = qdq.quantizeBlockwise(w, { n: 1, k: 5, bits, blockSize: 16 });
      assert.deepEqual([...q.scales], [scale], `bits ${bits}`);
      assert.equal(bits === 8 ? q.zeroPoints?.[0] : q.zeroPoints?.[0] & 15, Math.round(f32(-lo / scale)));
      const back = qdq.dequantizeBlockwise(q);
      // Half a step, plus an ulp of 3e38 (2^104) for the roundings of x / scale and (q - zp) * scale:
      // the extremes sit at ties here, half a step from the nearest codes.
      const tol = scale / 2 + 2 ** 104;
      for (let l = 0; l < 5; l++) {
        assert.ok(Math.abs(back[l] - w[l]) <= tol, `bits ${bits}: w[${l}] = ${w[l]} dequantized to ${back[l]}, scale ${scale}`);
      }
      assert.ok(Number.isFinite(q.error.sqnr) && q.error.maxAbsError <= tol, `error ${JSON.stringify(q.error)}`);
      // The layer takes it (a scale of ∞ was refused as a bad parameter) and multiplies finitely.
      const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 5, outFeatures: 1, bits, accuracyLevel: 0 });
      const y = layer.forward(Float32Array.of(1e-38, 0, 0, 0, 0), 1)[0];
      layer.dispose();
      assert.equal(y, f32(f32(1e-38) * back[0]));
    }
  });

  await t.test('should report error statistics that match the dequantized weights', () => {
    const r = rng(3);
    const n = 6, k = 100, blockSize = 32;
    const w = Float32Array.from({ length: n * k }, () => r.float(3));
    for (const bits of /** @type {const} */ ([4, 8])) {
      const q = qdq.quantizeBlockwise(w, { n, k, bits, blockSize });
      const back = qdq.dequantizeBlockwise(q);
      let se = 0, sx = 0, max = 0;
      for (let i = 0; i < n * k; i++) {
        se += (w[i] - back[i]) ** 2;
        sx += w[i] ** 2;
        max = Math.max(max, Math.abs(w[i] - back[i]));
      }
      // The C side sums per block, then JS sums the blocks: another order of the same doubles.
      assert.ok(Math.abs(q.error.mse - se / (n * k)) <= 1e-12 * se, `mse ${q.error.mse} vs ${se / (n * k)}`);
      assert.equal(q.error.maxAbsError, max);
      assert.ok(Math.abs(q.error.sqnr - 10 * Math.log10(sx / se)) < 1e-9);
      assert.equal(q.error.blocks.mse.length, n * Math.ceil(k / blockSize));
      // The last block of each row holds k mod blockSize = 4 values.
      let last = 0;
      for (let l = 96; l < 100; l++) last += (w[l] - back[l]) ** 2;
      assert.ok(Math.abs(q.error.blocks.mse[3] - last / 4) <= 1e-12 * last);
      if (bits === 8) assert.ok(q.error.sqnr > 40, `8-bit SQNR ${q.error.sqnr}`);
      else assert.ok(q.error.sqnr > 15 && q.error.sqnr < 30, `4-bit SQNR ${q.error.sqnr}`);
    }
  });

  await t.test('should reject bad input with named arguments', () => {
    const w = new Float32Array(64);
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, bits: 3 }), { name: 'RangeError', message: 'qdq-wasm: bits must be 4 or 8, got 3' });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, bits: 2 }), { name: 'RangeError', message: "qdq-wasm: bits must be 4 or 8, got 2 (onnxruntime's 2-bit MatMulNBits is not supported)" });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, bits: 4.5 }), { name: 'RangeError', message: 'qdq-wasm: bits must be an integer, got 4.5' });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, blockSize: 512 }), { name: 'RangeError', message: 'qdq-wasm: blockSize must be one of 16, 32, 64, 128, 256, got 512' });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, bits: 5 }), { name: 'RangeError', message: 'qdq-wasm: bits must be 4 or 8, got 5' });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, blockSize: 48 }), { name: 'RangeError', message: 'qdq-wasm: blockSize must be one of 16, 32, 64, 128, 256, got 48' });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 3, k: 32 }), { name: 'RangeError', message: 'qdq-wasm: weight must have 96 elements, got 64' });
    assert.throws(() => qdq.quantizeBlockwise(new Float64Array(64), { n: 2, k: 32 }), { name: 'TypeError', message: /^qdq-wasm: weight must be a Float32Array, got Float64Array\(64\)/ });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, symmetric: 1 }), { name: 'TypeError', message: /^qdq-wasm: symmetric must be a boolean/ });
    assert.throws(() => qdq.quantizeBlockwise(w, { n: 2, k: 32, rounding: 'up' }), { name: 'RangeError', message: /^qdq-wasm: rounding must be one of/ });
    assert.throws(() => qdq.quantizeBlockwise(w, null), { name: 'TypeError', message: /^qdq-wasm: options must be an options object/ });
    const bad = new Float32Array(64);
    bad[40] = NaN;
    assert.throws(() => qdq.quantizeBlockwise(bad, { n: 2, k: 32 }), { name: 'RangeError', message: 'qdq-wasm: weight[40] is NaN; weights must be finite' });
  });
});

test('dequantizeBlockwise()', async (t) => {
  await t.test('should compute (q - zp) * scale in float32, default zero point 8', () => {
    const data = Uint8Array.of(0x21, 0xf0, ...new Array(6).fill(0x88));
    const got = qdq.dequantizeBlockwise({ data, scales: Float32Array.of(0.1), zeroPoints: null, n: 1, k: 4, bits: 4, blockSize: 16 });
    assert.deepEqual([...got], [f32(-7 * f32(0.1)), f32(-6 * f32(0.1)), f32(-8 * f32(0.1)), f32(7 * f32(0.1))]);
  });

  await t.test('should reject arrays of the wrong length or type', () => {
    const base = { data: new Uint8Array(8), scales: new Float32Array(1), zeroPoints: null, n: 1, k: 16, bits: 4, blockSize: 16 };
    assert.throws(() => qdq.dequantizeBlockwise({ ...base, data: new Uint8Array(7) }), { name: 'RangeError', message: 'qdq-wasm: data must have 8 elements, got 7' });
    assert.throws(() => qdq.dequantizeBlockwise({ ...base, scales: new Float64Array(1) }), { name: 'TypeError', message: /^qdq-wasm: scales must be a Float32Array/ });
    assert.throws(() => qdq.dequantizeBlockwise({ ...base, zeroPoints: new Uint8Array(2) }), { name: 'RangeError', message: 'qdq-wasm: zeroPoints must have 1 elements, got 2' });
  });

  await t.test('should take NaN and infinite scales as ONNX DequantizeLinear does: NaN or ±∞ in their block (B4)', () => {
    // Codes 7, 8, 9 then 8s (zero point 8): q - zp = -1, 0, 1, 0, ...; three blocks of 16.
    const block = Uint8Array.of(0x87, 0x89, ...new Array(6).fill(0x88));
    const q = { data: Uint8Array.of(...block, ...block, ...block), scales: Float32Array.of(NaN, Infinity, 0.5), zeroPoints: null, n: 1, k: 48, bits: 4, blockSize: 16 };
    const w = qdq.dequantizeBlockwise(q);
    assert.ok(w.subarray(0, 16).every(Number.isNaN), 'the NaN block');
    assert.deepEqual([...w.subarray(16, 20)], [-Infinity, NaN, Infinity, NaN]); // 0 · ∞ = NaN where q = zp
    assert.deepEqual([...w.subarray(32, 36)], [-0.5, 0, 0.5, 0]);
    // The DequantizeLinear conversions carry them as they are (bit for bit).
    const back = qdq.fromDequantizeLinear(qdq.toDequantizeLinear(q));
    assert.deepEqual(new Uint32Array(back.scales.buffer), new Uint32Array(q.scales.buffer));
    assert.deepEqual(qdq.dequantizeBlockwise(back), w);
    // A layer refuses them where they come in (tests/unit/layer-errors.test.js).
    assert.throws(() => qdq.MatMulNBits.pack(q), { name: 'RangeError', message: /^qdq-wasm: scales\[0\] is NaN; scales must be finite/ });
  });
});

test('toDequantizeLinear() / fromDequantizeLinear()', async (t) => {
  await t.test('should round-trip to the same weights, signed and unsigned, 4 and 8 bits', () => {
    const r = rng(8);
    for (const bits of /** @type {const} */ ([4, 8])) {
      for (const signed of [false, true]) {
        const n = 5, k = 77;
        const q = qdq.quantizeBlockwise(Float32Array.from({ length: n * k }, () => r.float(2)), { n, k, bits, blockSize: 16 });
        const dq = qdq.toDequantizeLinear(q, { signed });
        assert.equal(dq.type, `${signed ? '' : 'u'}int${bits}`);
        assert.deepEqual(dq.dims, [k, n]);
        const x = bits === 8 && signed ? new Int8Array(dq.x.buffer) : dq.x;
        const back = qdq.fromDequantizeLinear({ x, scales: dq.scales, zeroPoints: dq.zeroPoints, k, n, bits, blockSize: 16, signed });
        assert.deepEqual(back.data, q.data);
        assert.deepEqual(qdq.dequantizeBlockwise(back), qdq.dequantizeBlockwise(q));
      }
    }
  });

  await t.test('should reject a wrong x length', () => {
    assert.throws(() => qdq.fromDequantizeLinear({ x: new Uint8Array(2), scales: new Float32Array(2), k: 3, n: 2, blockSize: 16 }),
      { name: 'RangeError', message: 'qdq-wasm: x must have 3 elements, got 2' });
  });

  await t.test('should take toDequantizeLinear\'s result back as it is: dims, type and axis read, the round trip exact', () => {
    const r = rng(9);
    for (const bits of /** @type {const} */ ([4, 8])) {
      for (const symmetric of [false, true]) {
        for (const signed of [false, true]) {
          const n = 3, k = 70;
          const q = qdq.quantizeBlockwise(Float32Array.from({ length: n * k }, () => r.float(2)), { n, k, bits, blockSize: 32, symmetric });
          const dq = qdq.toDequantizeLinear(q, { signed });
          const want = qdq.dequantizeBlockwise(q);
          // As returned (k, n from dims; bits, signed from type), and with k and n spelled out too:
          // before, type was ignored and signed defaulted to false, decoding int4 as uint4.
          for (const back of [qdq.fromDequantizeLinear(dq), qdq.fromDequantizeLinear({ ...dq, k, n }), qdq.fromDequantizeLinear({ ...dq, axis: -2 })]) {
            assert.deepEqual(qdq.dequantizeBlockwise(back), want, `bits ${bits} symmetric ${symmetric} signed ${signed}`);
            assert.deepEqual([back.n, back.k, back.bits, back.blockSize], [n, k, bits, 32]);
            if (!symmetric) assert.deepEqual(back.data, q.data);
          }
        }
      }
    }
  });

  await t.test('should refuse dims, type and axis that disagree with the layout, naming them', () => {
    const q = qdq.quantizeBlockwise(Float32Array.from({ length: 4 * 32 }, (_, i) => Math.sin(i)), { n: 4, k: 32, bits: 4, blockSize: 32 });
    const dq = qdq.toDequantizeLinear(q, { signed: true });
    /** @param {object} extra @param {string} name @param {RegExp} message */
    const refuses = (extra, name, message) => assert.throws(() => qdq.fromDequantizeLinear({ ...dq, ...extra }), (/** @type {any} */ e) => {
      assert.equal(e.name, name, e.message);
      assert.match(e.message, /^qdq-wasm: /);
      assert.match(e.message, message);
      return true;
    });
    refuses({ k: 32, n: 2 }, 'RangeError', /dims \[32, 4\] must be \[k, n\] = \[32, 2\]/);
    refuses({ dims: [7, 7], k: 32, n: 4 }, 'RangeError', /dims \[7, 7\] must be \[k, n\] = \[32, 4\]/);
    refuses({ dims: [32] }, 'RangeError', /dims must be \[k, n\] .* got 1 entries \[32\]/);
    refuses({ dims: 'x' }, 'TypeError', /dims must be an array \[k, n\], got "x"/);
    refuses({ dims: [32, '4'] }, 'TypeError', /dims\[1\] must be a number, got "4"/);
    refuses({ type: 'float16' }, 'RangeError', /type must be one of 'int4', 'uint4', 'int8', 'uint8', got "float16"/);
    refuses({ type: 4 }, 'TypeError', /type must be one of .* got 4/);
    refuses({ bits: 8 }, 'RangeError', /type 'int4' is 4-bit signed, but bits is 8/);
    refuses({ signed: false }, 'RangeError', /type 'int4' is 4-bit signed, but signed is false/);
    refuses({ type: 'uint4', signed: true }, 'RangeError', /type 'uint4' is 4-bit unsigned, but signed is true/);
    refuses({ axis: 1 }, 'RangeError', /axis must be 0 \(or -2\).* got 1/);
    refuses({ axis: '0' }, 'TypeError', /axis must be a number, got "0"/);
    refuses({ axis: 0.5 }, 'RangeError', /axis must be an integer, got 0.5/);
    // Without dims, k and n are required as before.
    refuses({ dims: undefined }, 'TypeError', /n must be a number, got undefined/);
  });
});

test('MatMulNBits', async (t) => {
  await t.test('should equal the C reference bit for bit at accuracy levels 4 and 0', () => {
    const r = rng(21);
    for (const [m, k, n, bits, blockSize, symmetric] of [[1, 200, 40, 4, 32, false], [6, 64, 19, 8, 16, true], [9, 130, 8, 4, 64, true]]) {
      const q = qdq.quantizeBlockwise(Float32Array.from({ length: n * k }, () => r.float(2)), { n, k, bits, blockSize, symmetric });
      const bias = Float32Array.from({ length: n }, () => r.float(1));
      const a = Float32Array.from({ length: m * k }, () => r.float(4));
      for (const accuracyLevel of [4, 0]) {
        const mm = qdq.MatMulNBits.pack({ ...q, bias, accuracyLevel });
        try {
          assert.deepEqual(mm.forward(a, m), referenceGemm(m, n, k, bits, blockSize, a, q, bias, accuracyLevel === 4 ? 4 : 0));
          assert.deepEqual(mm.forward(a), mm.forward(a, m));
          assert.ok(mm.packedBytes > q.data.length);
        } finally {
          mm.dispose();
        }
      }
    }
  });

  // B5 on blocks with 0 < max|a| < 127 * 2^-128, where MLAS's r = 1 / s overflows float (and a zero
  // times it is NaN): r = 1 / s' with s' = max|a| / 127 rounded without float's range, so q = 127 at
  // the maximum and 0 at zeros and padding, while s = max|a| / 127 is the float (subnormal) scale.
  // Then B6: y = +0 + ((float) D * s) * scale. Every expected value is that formula in Math.fround.
  await t.test('should quantize blocks of tiny activations by B5 without overflow (level 4)', () => {
    const a0 = f32(1e-38), s = f32(a0 / 127); // s is subnormal: 1 / s overflows float
    // The audit's case: codes 9 (zero point 8: w = 1), scale 1; a = 1e-38 then 31 zeros: D = 127.
    const mm = qdq.MatMulNBits.pack({ data: new Uint8Array(16).fill(0x99), scales: Float32Array.of(1), zeroPoints: null, n: 1, k: 32, bits: 4, blockSize: 32, accuracyLevel: 4 });
    const a = new Float32Array(32);
    a[0] = a0;
    assert.deepEqual(mm.forward(a, 1), Float32Array.of(f32(127 * s)));
    a[0] = -a0;
    assert.deepEqual(mm.forward(a, 1), Float32Array.of(f32(-127 * s)));
    // 190 ulps of 2^-149: s = 2^-149 (190 / 127 rounded down), q = 127, not 190 clamped.
    a[0] = 190 * 2 ** -149;
    assert.deepEqual(mm.forward(a, 1), Float32Array.of(127 * 2 ** -149));
    mm.dispose();
    // WeightOnlyQuantizedLinear (level 4 by default) on ones: scale 1/15, zero point 0, codes 15: D = 127 * 15.
    const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(new Float32Array(32).fill(1), null, { inFeatures: 32, outFeatures: 1, bits: 4, blockSize: 32 });
    a[0] = a0;
    assert.deepEqual(layer.forward(a, 1), Float32Array.of(f32(f32(1905 * s) * f32(1 / 15))));
    layer.dispose();
    // k = 20 in a block of 32, a = 1e-38 everywhere: the 12 padding positions stay 0, every q is 127.
    const k = 20;
    const q = qdq.quantizeBlockwise(Float32Array.from({ length: k }, (_, i) => (i % 2 ? 1 : -1)), { n: 1, k, bits: 4, blockSize: 32 });
    const zp = (q.zeroPoints?.[0] ?? 0) & 15;
    let d = 0;
    for (let l = 0; l < k; l++) d += 127 * (((l & 1) ? q.data[l >> 1] >> 4 : q.data[l >> 1] & 15) - zp);
    const mm20 = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 4 });
    assert.deepEqual(mm20.forward(new Float32Array(k).fill(a0), 1), Float32Array.of(f32(f32(d * s) * q.scales[0])));
    mm20.dispose();
  });

  await t.test('should refuse non-finite activations at level 4 only, and bad shapes', (t) => {
    const q = qdq.quantizeBlockwise(new Float32Array(16 * 8).fill(1), { n: 8, k: 16, blockSize: 16 });
    const mm4 = qdq.MatMulNBits.pack(q);
    const mm0 = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 0 });
    t.after(() => { mm4.dispose(); mm0.dispose(); });
    const a = new Float32Array(16);
    a[3] = Infinity;
    assert.throws(() => mm4.forward(a), { name: 'RangeError', message: 'qdq-wasm: MatMulNBits.forward: a[3] is Infinity; at accuracy level 4 activations must be finite' });
    assert.equal(mm0.forward(a)[0], Infinity);
    assert.throws(() => mm4.forward(new Float32Array(15)), { name: 'RangeError', message: 'qdq-wasm: a.length (15) is not a multiple of k (16)' });
    assert.throws(() => mm4.forward(new Float32Array(16), 2), { name: 'RangeError', message: 'qdq-wasm: a must have m * k = 2 * 16 = 32 elements, got 16' });
    assert.deepEqual(mm4.forward(new Float32Array(0), 0), new Float32Array(0));
    assert.throws(() => qdq.MatMulNBits.pack({ ...q, accuracyLevel: 5 }), { name: 'RangeError', message: 'qdq-wasm: accuracyLevel must be an integer in [0, 4], got 5' });
    assert.throws(() => qdq.MatMulNBits.pack({ ...q, bias: new Float32Array(3) }), { name: 'RangeError', message: 'qdq-wasm: bias must have n = 8 elements, got 3' });
  });

  await t.test('should free its memory on dispose and throw when used afterwards', () => {
    const q = qdq.quantizeBlockwise(new Float32Array(16 * 8).fill(1), { n: 8, k: 16, blockSize: 16 });
    const mm = qdq.MatMulNBits.pack(q);
    assert.equal(mm.disposed, false);
    mm.dispose();
    mm.dispose();
    assert.equal(mm.disposed, true);
    assert.throws(() => mm.forward(new Float32Array(16)), { name: 'Error', message: 'qdq-wasm: this MatMulNBits was disposed; create a new one' });
    const rt = getRuntime();
    const cycle = () => {
      const big = qdq.MatMulNBits.pack(qdq.quantizeBlockwise(new Float32Array(256 * 256), { n: 256, k: 256 }));
      big.forward(new Float32Array(256));
      big[Symbol.dispose]();
    };
    // One cycle first: the shared-memory builds start with less memory (64
    // pages) and may grow once to fit a cycle; a leak grows it again.
    cycle();
    rt.refresh();
    const before = rt.memory.buffer.byteLength;
    for (let i = 0; i < 50; i++) cycle();
    assert.equal(rt.memory.buffer.byteLength, before, 'memory grew: packed weights leak');
  });
});

test('WeightOnlyQuantizedLinear', async (t) => {
  await t.test('should equal MatMulNBits on its quantized weights, and dispose', () => {
    const r = rng(34);
    const inFeatures = 96, outFeatures = 20;
    const weight = Float32Array.from({ length: inFeatures * outFeatures }, () => r.float(1));
    const bias = Float32Array.from({ length: outFeatures }, () => r.float(1));
    const x = Float32Array.from({ length: 3 * inFeatures }, () => r.float(2));
    for (const accuracyLevel of /** @type {const} */ ([4, 0])) {
      const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(weight, bias, { inFeatures, outFeatures, bits: 4, blockSize: 32, accuracyLevel });
      const q = qdq.quantizeBlockwise(weight, { n: outFeatures, k: inFeatures, bits: 4, blockSize: 32 });
      assert.deepEqual(layer.weight.data, q.data);
      assert.equal(layer.error.sqnr, q.error.sqnr);
      assert.deepEqual(layer.forward(x, 3), referenceGemm(3, outFeatures, inFeatures, 4, 32, x, q, bias, accuracyLevel));
      // Close to the float layer: 4-bit blocks of 32 keep SQNR well above 10 dB on the outputs too.
      layer[Symbol.dispose]();
      assert.equal(layer.disposed, true);
      assert.throws(() => layer.forward(x), { message: 'qdq-wasm: this WeightOnlyQuantizedLinear was disposed; create a new one' });
    }
    assert.throws(() => qdq.WeightOnlyQuantizedLinear.fromFloat(weight, new Float64Array(20), { inFeatures, outFeatures }), { name: 'TypeError', message: /^qdq-wasm: bias must be a Float32Array/ });
    assert.throws(() => qdq.WeightOnlyQuantizedLinear.fromFloat(weight, null, { inFeatures: 0, outFeatures }), { name: 'RangeError', message: /^qdq-wasm: inFeatures must be an integer/ });
  });
});
