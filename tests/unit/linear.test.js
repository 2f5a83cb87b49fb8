// DynamicQuantizedLinear, QuantizedLinear and Linear: against PyTorch 1.13
// (tests/fixtures/linear.json, from tests/fixtures/gen_linear.py, engine
// qnnpack), against exact integer math, and their ownership rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { firstDiff, randomQ, referenceF32Gemm, referenceGemm, rng } from '../helpers/gemm-ref.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/linear.json', import.meta.url), 'utf8'));
const f32 = (/** @type {number[]} */ v) => Float32Array.from(v);

/** @param {string} what @param {ArrayLike<number>} got @param {ArrayLike<number>} want */
function assertSame(what, got, want) {
  const i = firstDiff(got, want);
  if (i >= 0) assert.fail(`${what}: index ${i}: expected ${want[i]}, got ${got[i]}`);
}

/** Round half to even. @param {number} x */
function rne(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

test('DynamicQuantizedLinear.fromFloat()', async (t) => {
  assert.equal(fixture.engine, 'qnnpack');
  for (const c of fixture.dynamic) {
    await t.test(`should equal torch ${fixture.torch} dynamic Linear bit for bit: batch ${c.batch}, ${c.inFeatures} -> ${c.outFeatures}, ${c.perChannel ? 'per channel' : 'per tensor'}`, () => {
      // Tolerance 0: torch's qnnpack path is float(acc) * float(s_x * s_w) + b, which we replicate.
      const layer = qdq.DynamicQuantizedLinear.fromFloat(f32(c.weight), c.bias && f32(c.bias),
        { inFeatures: c.inFeatures, outFeatures: c.outFeatures, perChannel: c.perChannel });
      try {
        assertSame('int8 weights', layer.weight, c.weightInt8);
        assertSame('weight scales', layer.weightScales, f32(c.weightScales));
        assertSame('output', layer.forward(f32(c.x), c.batch), f32(c.y));
      } finally {
        layer.dispose();
      }
    });
  }

  await t.test('should equal the exact integer math of its own quantization, for both compat modes and reduceRange', () => {
    const r = rng(11);
    for (const [m, k, n] of [[1, 19, 7], [6, 40, 33], [13, 128, 9]]) {
      for (const compat of /** @type {const} */ (['pytorch', 'onnx'])) {
        for (const reduceRange of [false, true]) {
          const w = Float32Array.from({ length: n * k }, () => r.float(2));
          const bias = Float32Array.from({ length: n }, () => r.float(1));
          const x = Float32Array.from({ length: m * k }, () => r.float(10) + 1);
          const layer = qdq.DynamicQuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n, compat, reduceRange });
          const y = layer.forward(x);
          const qp = /** @type {{ scale: number, zeroPoint: number }} */ (layer.lastInputQParams);
          const qmax = reduceRange ? 127 : 255;
          // x quantized as the compat mode defines (E5a or E5b), to uint8.
          const inv = Math.fround(1 / qp.scale);
          const xq = new Uint8Array(m * k);
          for (let i = 0; i < m * k; i++) {
            const v = compat === 'onnx' ? Math.fround(x[i] / qp.scale) : Math.fround(x[i] * inv);
            xq[i] = Math.min(qmax, Math.max(0, rne(v) + qp.zeroPoint));
          }
          const acc = referenceGemm(m, n, k, xq, qp.zeroPoint, layer.weight, new Array(n).fill(0), null, true);
          const want = new Float32Array(m * n);
          for (let i = 0; i < m * n; i++) {
            const j = i % n;
            want[i] = Math.fround(Math.fround(acc[i] * Math.fround(layer.weightScales[j] * qp.scale)) + bias[j]);
          }
          assertSame(`${compat} reduceRange=${reduceRange} ${m}x${k}x${n}`, y, want);
          if (reduceRange) assert.ok(qp.zeroPoint <= 127);
          layer.dispose();
        }
      }
    }
  });

  await t.test('should choose torch ChooseQuantizationParams for the input', () => {
    // Property: [-1, 3] -> scale 4/255 in double rounded to float, zp = round(255 / 4) = 64.
    const layer = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.of(1, 1), null, { inFeatures: 2, outFeatures: 1 });
    layer.forward(Float32Array.of(-1, 3));
    assert.deepEqual(layer.lastInputQParams, { scale: Math.fround(4 / 255), zeroPoint: 64 });
    // All zeros: torch falls back to scale 0.1, zero point 0.
    assert.deepEqual(Array.from(layer.forward(Float32Array.of(0, 0))), [0]);
    assert.deepEqual(layer.lastInputQParams, { scale: Math.fround(0.1), zeroPoint: 0 });
    layer.dispose();
  });

  await t.test('should reject bad input naming the argument, and stay usable', () => {
    const w = new Float32Array(6).fill(0.5);
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(new Float64Array(6), null, { inFeatures: 3, outFeatures: 2 }), { name: 'TypeError', message: /weight must be a Float32Array, got Float64Array\(6\)/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 4, outFeatures: 2 }), { name: 'RangeError', message: /weight must have outFeatures \* inFeatures = 8 elements, got 6/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, new Float32Array(3), { inFeatures: 3, outFeatures: 2 }), { name: 'RangeError', message: /bias must have outFeatures = 2 elements, got 3/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 40000, outFeatures: 2 }), { name: 'RangeError', message: /inFeatures must be at most 33025/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 3, outFeatures: 2, compat: 'tf' }), { name: 'RangeError', message: /compat must be one of 'pytorch', 'onnx', got "tf"/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 3, outFeatures: 2, perChannel: 'yes' }), { name: 'TypeError', message: /perChannel must be a boolean/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 3, outFeatures: 2, reduceRange: 1 }), { name: 'TypeError', message: /reduceRange must be a boolean/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromFloat(Float32Array.of(1, NaN, 0, 0, 0, 0), null, { inFeatures: 3, outFeatures: 2 }), { name: 'RangeError', message: /weight\[1\] is NaN/ });
    const layer = qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 3, outFeatures: 2 });
    assert.throws(() => layer.forward(new Float32Array(4)), { name: 'RangeError', message: /x.length \(4\) is not a multiple of inFeatures \(3\)/ });
    assert.throws(() => layer.forward(new Float32Array(6), 3), { name: 'RangeError', message: /x must have batch \* inFeatures = 9 elements, got 6/ });
    assert.throws(() => layer.forward(Float32Array.of(1, Infinity, 2)), { name: 'RangeError', message: /x\[1\] is Infinity; activations must be finite/ });
    assert.throws(() => layer.forward([1, 2, 3]), { name: 'TypeError', message: /x must be a Float32Array, got Array\(3\)/ });
    assert.deepEqual(Array.from(layer.forward(new Float32Array(0))), []);
    const y = layer.forward(Float32Array.of(1, 2, 3));
    assert.equal(y.length, 2);
    assert.ok(Math.abs(y[0] - 3) < 0.05, `y[0] = ${y[0]}`); // 0.5 * 6 = 3, within a step or two of the 8-bit grid
    layer.dispose();
  });

  await t.test('should throw after dispose(), dispose idempotently, and not grow memory', () => {
    const w = Float32Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i));
    const x = Float32Array.from({ length: 5 * 64 }, (_, i) => Math.cos(i));
    const layer = qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 64, outFeatures: 48 });
    layer.forward(x);
    const before = getRuntime().memory.buffer.byteLength;
    for (let i = 0; i < 30; i++) layer.forward(x);
    assert.equal(getRuntime().memory.buffer.byteLength, before);
    layer[Symbol.dispose]();
    assert.equal(layer.disposed, true);
    layer.dispose();
    assert.throws(() => layer.forward(x), { name: 'Error', message: /DynamicQuantizedLinear was disposed/ });
  });
});

test('DynamicQuantizedLinear.fromQuantized()', async (t) => {
  await t.test('should run torch\'s own int8 weights to the same output', () => {
    const c = fixture.dynamic[1];
    const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: Int8Array.from(c.weightInt8), weightScales: c.weightScales,
      bias: c.bias && f32(c.bias), inFeatures: c.inFeatures, outFeatures: c.outFeatures });
    assertSame('output', layer.forward(f32(c.x)), f32(c.y));
    layer.dispose();
    assert.throws(() => qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Uint8Array(4), weightScales: 1, inFeatures: 2, outFeatures: 2 }), { name: 'TypeError', message: /weight must be an Int8Array/ });
    assert.throws(() => qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(4), weightScales: [1, 2, 3], inFeatures: 2, outFeatures: 2 }), { name: 'RangeError', message: /weightScales must have 1 or n = 2 entries/ });
  });
});

test('QuantizedLinear.fromQuantized()', async (t) => {
  for (const c of fixture.static) {
    await t.test(`should equal torch ${fixture.torch} quantized Linear${c.relu ? 'ReLU' : ''} bit for bit: batch ${c.batch}, ${c.inFeatures} -> ${c.outFeatures}`, () => {
      // Tolerance 0: int32 bias and float(acc) * float(float(s_w * s_x) * float(1 / s_y)), rounded half to even, as QNNPACK.
      const layer = qdq.QuantizedLinear.fromQuantized({ weight: Int8Array.from(c.weightInt8), weightScales: c.weightScales,
        bias: f32(c.bias), inFeatures: c.inFeatures, outFeatures: c.outFeatures, inputScale: c.inputScale,
        inputZeroPoint: c.inputZeroPoint, outputScale: c.outputScale, outputZeroPoint: c.outputZeroPoint, relu: c.relu });
      assertSame('int32 bias', layer.biasInt32, c.biasInt32);
      assertSame('output', layer.forward(Uint8Array.from(c.x), c.batch), c.y);
      if (c.relu) assert.ok(layer.forward(Uint8Array.from(c.x)).every((v) => v >= c.outputZeroPoint));
      layer.dispose();
    });
  }

  // Property: on accumulators next to a .5 tie, where the two float32 multipliers
  // G4a fl(fl(s_x * s_w) / s_y) and G4b fl(fl(s_w * s_x) * fl(1 / s_y)) round to
  // different integers, the layer gives torch 1.13's output bit for bit: G4b for
  // uint8 (QNNPACK's generate_requantization_scales), G4a for int8 (torch's XNNPACK
  // path for qint8). ONNX's qlinearMatmul keeps G4a on the same operands.
  await t.test(`should requantize as torch ${fixture.torch} next to ties (${fixture.requantTies.length} layers)`, () => {
    let ties = 0;
    for (const [ci, c] of fixture.requantTies.entries()) {
      const name = `case ${ci} (${c.dtype})`;
      const X = c.dtype === 'uint8' ? Uint8Array : Int8Array;
      const layer = qdq.QuantizedLinear.fromQuantized({ weight: Int8Array.from(c.weightInt8), weightScales: f32(c.weightScales),
        bias: null, inFeatures: c.inFeatures, outFeatures: c.outFeatures, inputScale: c.inputScale, inputZeroPoint: c.inputZeroPoint,
        outputScale: c.outputScale, outputZeroPoint: c.outputZeroPoint, dtype: c.dtype });
      try {
        assertSame(`${name}: output`, layer.forward(X.from(c.x), c.batch), c.y);
      } finally {
        layer.dispose();
      }
      // Row 0 is on ties: the formula torch did not use gives another integer there.
      const other = c.dtype === 'uint8' ? c.yDivide : c.yReciprocal;
      for (let j = 0; j < c.outFeatures; j++) assert.notEqual(other[j], c.y[j], `${name}: output ${j} is not a tie`);
      ties += c.outFeatures;
      // qlinearMatmul (ONNX): B = W^T, [k][n].
      const { inFeatures: k, outFeatures: n } = c;
      const b = new Int8Array(k * n);
      for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) b[l * n + j] = c.weightInt8[j * k + l];
      const y = qdq.qlinearMatmul(X.from(c.x), b, { m: c.batch, k, n, aScale: c.inputScale, aZeroPoint: c.inputZeroPoint,
        bScale: f32(c.weightScales), yScale: c.outputScale, yZeroPoint: c.outputZeroPoint });
      assertSame(`${name}: qlinearMatmul`, y, c.yDivide);
    }
    assert.ok(ties >= 40, `only ${ties} ties`);
    assert.ok(fixture.requantTies.some((/** @type {any} */ c) => c.dtype === 'int8') && fixture.requantTies.some((/** @type {any} */ c) => c.dtype === 'uint8'));
  });

  await t.test('should run int8 activations as the integer math defines', () => {
    const r = rng(12);
    const m = 7, k = 50, n = 13;
    const w = randomQ(r, 'int8', n * k);
    const scales = Float32Array.from({ length: n }, () => 0.001 + r.int(0, 100) / 10000);
    const bias = Float32Array.from({ length: n }, () => r.float(4));
    const layer = qdq.QuantizedLinear.fromQuantized({ weight: /** @type {Int8Array} */ (w), weightScales: scales, bias, inFeatures: k, outFeatures: n,
      inputScale: 0.03, inputZeroPoint: -5, outputScale: 0.07, outputZeroPoint: 3, dtype: 'int8' });
    const x = /** @type {Int8Array} */ (randomQ(r, 'int8', m * k));
    const acc = referenceGemm(m, n, k, x, -5, w, new Array(n).fill(0), layer.biasInt32, true);
    const want = new Int8Array(m * n);
    for (let i = 0; i < m * n; i++) {
      const j = i % n;
      // G4a, as torch's XNNPACK path for qint8 activations.
      const mult = Math.fround(Math.fround(scales[j] * Math.fround(0.03)) / Math.fround(0.07));
      want[i] = Math.min(127, Math.max(-128, rne(Math.fround(acc[i] * mult)) + 3));
    }
    const y = layer.forward(x);
    assert.ok(y instanceof Int8Array);
    assertSame('int8 static', y, want);
    assert.throws(() => layer.forward(new Uint8Array(m * k)), { name: 'TypeError', message: /x must be a Int8Array for this int8 layer, got Uint8Array/ });
    layer.dispose();
    assert.throws(() => layer.forward(x), { name: 'Error', message: /QuantizedLinear was disposed/ });
  });
});

test('QuantizedLinear.fromFloat()', async (t) => {
  await t.test('should quantize weights as torch per-channel symmetric and match the torch fixture', () => {
    for (const c of fixture.static) {
      const layer = qdq.QuantizedLinear.fromFloat(f32(c.weight), f32(c.bias), { inFeatures: c.inFeatures, outFeatures: c.outFeatures,
        inputScale: c.inputScale, inputZeroPoint: c.inputZeroPoint, outputScale: c.outputScale, outputZeroPoint: c.outputZeroPoint, relu: c.relu });
      assertSame('weights', layer.weight, c.weightInt8);
      assertSame('output', layer.forward(Uint8Array.from(c.x)), c.y);
      layer.dispose();
    }
  });

  await t.test('should validate qparams', () => {
    const base = { inFeatures: 2, outFeatures: 1, inputScale: 0.1, outputScale: 0.1 };
    const w = Float32Array.of(1, -1);
    assert.throws(() => qdq.QuantizedLinear.fromFloat(w, null, { ...base, inputScale: -1 }), { name: 'RangeError', message: /inputScale must be finite and > 0/ });
    assert.throws(() => qdq.QuantizedLinear.fromFloat(w, null, { ...base, outputZeroPoint: 300 }), { name: 'RangeError', message: /outputZeroPoint must be an integer in \[0, 255\], got 300/ });
    assert.throws(() => qdq.QuantizedLinear.fromFloat(w, null, { ...base, relu: 'no' }), { name: 'TypeError', message: /relu must be a boolean/ });
    assert.throws(() => qdq.QuantizedLinear.fromFloat(w, null, { ...base, perChannel: 0 }), { name: 'TypeError', message: /perChannel must be a boolean/ });
    const layer = qdq.QuantizedLinear.fromFloat(w, null, { ...base, perChannel: false, inputZeroPoint: 128, outputZeroPoint: 128 });
    // x = (138 - 128) * 0.1 = 1, (118 - 128) * 0.1 = -1: y = 1 * 1 + -1 * -1 = 2 -> 128 + 20.
    assert.deepEqual(Array.from(layer.forward(Uint8Array.of(138, 118))), [148]);
    assert.deepEqual(Array.from(layer.forward(new Uint8Array(0))), []);
    layer.dispose();
  });
});

test('keepWidened (the int8 Linears)', async (t) => {
  // The layers pack through PackedMatrix; a kept copy only changes where the
  // weights are widened from (tests/unit/gemm.test.js), never a result.
  await t.test('should give the same bytes with and without it, for batches on both sides of 16 rows', () => {
    const r = rng(17);
    for (const [k, n] of [[40, 33], [96, 8], [7, 130]]) {
      const w = /** @type {Int8Array} */ (randomQ(r, 'int8', n * k));
      const scales = Float32Array.from({ length: n }, () => 0.001 + r.int(0, 100) / 10000);
      const bias = Float32Array.from({ length: n }, () => r.float(4));
      const weights = { weight: w, weightScales: scales, bias, inFeatures: k, outFeatures: n };
      const statics = { ...weights, inputScale: 0.03, inputZeroPoint: 128, outputScale: 0.07, outputZeroPoint: 120 };
      const layers = [
        [qdq.DynamicQuantizedLinear.fromQuantized(weights), qdq.DynamicQuantizedLinear.fromQuantized({ ...weights, keepWidened: true })],
        [qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from(w, (v) => v / 64), bias, { inFeatures: k, outFeatures: n, compat: 'onnx' }),
          qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from(w, (v) => v / 64), bias, { inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened: true })],
        [qdq.QuantizedLinear.fromQuantized(statics), qdq.QuantizedLinear.fromQuantized({ ...statics, keepWidened: true })],
      ];
      try {
        for (const [plain, kept] of layers) {
          assert.equal(plain.widenedBytes, 0);
          assert.equal(kept.widenedBytes, Math.ceil(n / 8) * (32 + 16 * Math.ceil(k / 4) * 4) + 15);
          for (const batch of [1, 16, 17, 40, 67]) {
            const x = plain instanceof qdq.QuantizedLinear ? randomQ(r, 'uint8', batch * k)
              : Float32Array.from({ length: batch * k }, () => r.float(6));
            const a = /** @type {any} */ (plain).forward(x, batch), b = /** @type {any} */ (kept).forward(x, batch);
            assert.deepEqual(new Uint8Array(b.buffer), new Uint8Array(a.buffer), `${plain.constructor.name} ${batch}x${k}x${n}`);
          }
        }
      } finally {
        for (const pair of layers) for (const l of pair) l.dispose();
      }
    }
  });

  await t.test('should validate it, and free the kept copy with the layer', () => {
    const base = { weight: new Int8Array(64 * 64).fill(3), weightScales: 0.1, inFeatures: 64, outFeatures: 64 };
    assert.throws(() => qdq.DynamicQuantizedLinear.fromQuantized({ ...base, keepWidened: 1 }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
    assert.throws(() => qdq.QuantizedLinear.fromQuantized({ ...base, inputScale: 1, outputScale: 1, keepWidened: 'yes' }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
    // 512 -> 256: 0.4 MB packed with its copy, so that 100 leaked would grow the memory by 40 MB.
    const big = { weight: new Int8Array(256 * 512).fill(3), weightScales: 0.1, inFeatures: 512, outFeatures: 256, keepWidened: true };
    const x = new Float32Array(20 * 512).fill(0.5);
    const warm = qdq.DynamicQuantizedLinear.fromQuantized(big);
    warm.forward(x);
    warm.dispose();
    const before = getRuntime().memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) {
      const layer = qdq.DynamicQuantizedLinear.fromQuantized(big);
      layer.forward(x);
      layer.dispose();
      assert.throws(() => layer.forward(x), /disposed/);
    }
    assert.equal(getRuntime().memory.buffer.byteLength, before);
  });
});

test('Linear.fromFloat()', async (t) => {
  await t.test('should equal the float reference (G6) bit for bit for every m, n, k in 1..17', () => {
    const r = rng(13);
    for (let m = 1; m <= 17; m++) {
      for (let n = 1; n <= 17; n++) {
        for (let k = 1; k <= 17; k += 2) {
          const w = Float32Array.from({ length: n * k }, () => r.float(3));
          const bias = m % 2 ? Float32Array.from({ length: n }, () => r.float(1)) : null;
          const x = Float32Array.from({ length: m * k }, () => r.float(5));
          const layer = qdq.Linear.fromFloat(w, bias, { inFeatures: k, outFeatures: n });
          assertSame(`f32 ${m}x${k}x${n}`, layer.forward(x), referenceF32Gemm(m, n, k, x, w, bias));
          layer.dispose();
        }
      }
    }
    const big = qdq.Linear.fromFloat(Float32Array.from({ length: 300 * 70 }, (_, i) => Math.sin(i)), null, { inFeatures: 300, outFeatures: 70 });
    const x = Float32Array.from({ length: 9 * 300 }, (_, i) => Math.cos(i));
    assertSame('f32 9x300x70', big.forward(x, 9), referenceF32Gemm(9, 70, 300, x, Float32Array.from({ length: 300 * 70 }, (_, i) => Math.sin(i)), null));
    big.dispose();
    assert.throws(() => big.forward(x), /Linear was disposed/);
    assert.throws(() => qdq.Linear.fromFloat(new Float32Array(2), null, { inFeatures: 2, outFeatures: 2 }), { name: 'RangeError', message: /weight must have/ });
  });
});
