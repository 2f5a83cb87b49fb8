// The public API against exact expectations: the article's example (checked
// against torch 1.13), and random tensors of many shapes and axes against the
// independent JS statement of E5-E9 in tests/helpers/oracle.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { channelOf, dequantizeValue, quantizeValue, randomFloats, rng, roundHalfEven, scaled } from '../helpers/oracle.js';

const f32 = Math.fround;
const ARTICLE = Float32Array.of(1, 2, 3, 4, 5, 6);
const CHUNK = getRuntime().chunk; // src/operators/staging.c: tensors stream through chunks of this many elements

test('exports', async (t) => {
  await t.test('should be exactly the documented list', () => {
    assert.deepEqual(Object.keys(qdq).sort(), [
      'BLOCK_SIZES', 'DeQuantStub', 'DeQuantize', 'DynamicQuantizedLinear', 'DynamicQuantizedLinearModule',
      'EntropyObserver', 'FLOAT32_EPS', 'FakeQuantize', 'GEMM_MAX_K', 'HistogramObserver', 'Linear', 'MatMulNBits',
      'MinMaxObserver', 'MovingAverageMinMaxObserver', 'MovingAveragePerChannelMinMaxObserver', 'PackedMatrix',
      'PerChannelMinMaxObserver', 'PercentileObserver', 'QConfig', 'QuantStub', 'Quantize', 'QuantizedLinear',
      'QuantizedLinearModule', 'WeightOnlyQConfig', 'WeightOnlyQuantizedLinear', 'WeightOnlyQuantizedLinearModule', 'activationObserver', 'backend', 'calculateQParams',
      'convert', 'dequantize', 'dequantizeBlockwise', 'dynamicQuantizeLinear', 'errorStats', 'fakeQuantizePerChannel',
      'fakeQuantizePerTensor', 'fromDequantizeLinear', 'fuseModules', 'getDefaultQConfig', 'getDefaultQatQConfig',
      'getMinMaxQConfig', 'getWeightOnlyQConfig', 'init', 'initSync', 'loadModel', 'matmulInteger', 'nn', 'prepare', 'prepareQat', 'qlinearMatmul',
      'quantize', 'quantizeBlockwise', 'quantizeDynamic', 'quantizePerChannel', 'quantizePerTensor', 'quantizeSteps',
      'readNpy', 'readNpz', 'readSafetensors', 'saveModel', 'shutdownThreads', 'supportsRelaxedSimd', 'supportsSimd128', 'threads',
      'toDequantizeLinear', 'writeNpy', 'writeNpz', 'writeSafetensors',
    ]);
  });
});

test('quantize()', async (t) => {
  // Property: the article's 2x3 tensor, int8, as torch 1.13 gives it (the article's own -180 is outside int8).
  await t.test('should reproduce torch 1.13 on the article example, per tensor', () => {
    for (const compat of ['pytorch', 'onnx']) {
      const q = qdq.quantize(ARTICLE, { shape: [2, 3], compat });
      assert.equal(q.scale, f32(6 / 255));
      assert.equal(q.zeroPoint, -128);
      assert.deepEqual([...q.data], [-86, -43, 0, 42, 84, 127]);
      assert.equal(q.qscheme, 'per_tensor_affine');
      assert.deepEqual(q.shape, [2, 3]);
    }
  });
  await t.test('should reproduce torch 1.13 on the article example, per channel along axis 0', () => {
    const q = qdq.quantize(ARTICLE, { shape: [2, 3], axis: 0, compat: 'pytorch' });
    assert.deepEqual([...q.scales], [f32(3 / 255), f32(6 / 255)]);
    assert.deepEqual([...q.zeroPoints], [-128, -128]);
    assert.deepEqual([...q.data], [-43, 42, 127, 42, 84, 127]);
    assert.equal(q.axis, 0);
    assert.equal(q.qscheme, 'per_channel_affine');
    // Channel 0 (values 1, 2, 3 at steps of 3/255) is represented exactly.
    assert.equal(q.error.channels.mse[0], 0);
    assert.equal(q.error.channels.sqnr[0], Infinity);
    assert.ok(q.error.sqnr > qdq.quantize(ARTICLE, { shape: [2, 3] }).error.sqnr);
  });
  await t.test('should give symmetric int8 zero point 0 and scale max|x| / 127.5', () => {
    const q = qdq.quantize(Float32Array.of(-2, 0.5, 1), { qscheme: 'per_tensor_symmetric' });
    assert.equal(q.scale, f32(2 / 127.5));
    assert.equal(q.zeroPoint, 0);
    // -2 / fl(2 / 127.5) is -127.4999..., not a tie: symmetric int8 rarely reaches -128.
    assert.deepEqual([...q.data], [-127, 32, 64]);
  });
  await t.test('should give symmetric uint8 zero point 128', () => {
    const q = qdq.quantize(Float32Array.of(-2, 1), { dtype: 'uint8', qscheme: 'per_tensor_symmetric' });
    assert.equal(q.zeroPoint, 128);
    assert.deepEqual([...q.data], [1, 192]);
  });
  await t.test('should observe with the reduced range but quantize over the full dtype, as PyTorch', () => {
    const q = qdq.quantize(Float32Array.of(0, 6.3), { reduceRange: true });
    assert.equal(q.scale, f32(f32(6.3) / 127));
    assert.equal(q.zeroPoint, -64);
    assert.deepEqual([...q.data], [-64, 63]);
  });
  await t.test('should accept empty tensors', () => {
    const q = qdq.quantize(new Float32Array(0));
    assert.equal(q.data.length, 0);
    assert.equal(q.scale, 1);
    assert.equal(q.zeroPoint, 0);
    assert.ok(Number.isNaN(q.error.mse));
  });
});

test('quantizePerTensor()', async (t) => {
  // Property: exact .5 ties round to even under both conventions when the scale is a power of two.
  await t.test('should round exact ties to even', () => {
    const x = Float32Array.of(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5).map((v) => v / 4);
    for (const compat of ['onnx', 'pytorch']) {
      const q = qdq.quantizePerTensor(x, { scale: 0.25, compat });
      assert.deepEqual([...q.data], [-2, -2, 0, 0, 2, 2, 4]);
    }
  });
  // Property: -0, +-Infinity, NaN and huge values follow E6.
  await t.test('should saturate infinities, send NaN to the zero point and keep -0 at the zero point', () => {
    const x = Float32Array.of(-0, Infinity, -Infinity, NaN, 3e38, -3e38, 1e10);
    const q = qdq.quantizePerTensor(x, { scale: 0.1, zeroPoint: 7 });
    assert.deepEqual([...q.data], [7, 127, -128, 7, 127, -128, 127]);
    const u = qdq.quantizePerTensor(x, { scale: 0.1, zeroPoint: 200, dtype: 'uint8' });
    assert.deepEqual([...u.data], [200, 255, 0, 200, 255, 0, 255]);
  });
  // Property: the two conventions differ exactly where x / s and x * fl(1/s) round to different integers.
  await t.test('should implement both ONNX division and PyTorch reciprocal multiplication', () => {
    const random = rng(3);
    let differ = 0;
    for (let trial = 0; trial < 200; trial++) {
      const s = f32(random() * 0.1 + 1e-3);
      const x = new Float32Array(256);
      for (let i = 0; i < x.length; i++) x[i] = f32((Math.floor(random() * 200) - 100 + 0.5) * s); // near ties
      const a = qdq.quantizePerTensor(x, { scale: s, compat: 'onnx' }).data;
      const b = qdq.quantizePerTensor(x, { scale: s, compat: 'pytorch' }).data;
      for (let i = 0; i < x.length; i++) {
        assert.equal(a[i], quantizeValue(x[i], s, 0, -128, 127, 'onnx'));
        assert.equal(b[i], quantizeValue(x[i], s, 0, -128, 127, 'pytorch'));
        if (a[i] !== b[i]) differ++;
      }
    }
    assert.ok(differ > 100, `the conventions disagreed on only ${differ} near-ties`);
  });
  await t.test('should clamp to quantMin/quantMax', () => {
    const q = qdq.quantizePerTensor(Float32Array.of(-9, 0, 9), { scale: 1, zeroPoint: 8, dtype: 'uint8', quantMin: 0, quantMax: 15 });
    assert.deepEqual([...q.data], [0, 8, 15]);
  });
  await t.test('should write into out and return it', () => {
    const out = new Int8Array(6);
    const q = qdq.quantizePerTensor(ARTICLE, { scale: 0.5, out });
    assert.equal(q.data, out);
    assert.deepEqual([...out], [2, 4, 6, 8, 10, 12]);
  });
  await t.test('should stream tensors longer than a chunk without seams', () => {
    const random = rng(5);
    for (const n of [CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17]) {
      const x = randomFloats(n, random, 3);
      const q = qdq.quantizePerTensor(x, { scale: 0.02, zeroPoint: 5 });
      for (let i = 0; i < n; i++) {
        if (q.data[i] !== quantizeValue(x[i], 0.02, 5, -128, 127, 'onnx')) assert.fail(`n=${n} i=${i}`);
      }
    }
  });
});

/** Random shape of rank 1..4 with `total` near the target, and an axis. */
function randomLayout(random) {
  const rank = 1 + Math.floor(random() * 4);
  const shape = Array.from({ length: rank }, () => 1 + Math.floor(random() * 7));
  return { shape, axis: Math.floor(random() * rank) - (random() < 0.3 ? rank : 0) };
}

test('quantizePerChannel()', async (t) => {
  await t.test('should match the oracle on random shapes, axes (negative too), dtypes and conventions', () => {
    const random = rng(21);
    for (let trial = 0; trial < 300; trial++) {
      const { shape, axis } = randomLayout(random);
      const n = shape.reduce((a, b) => a * b, 1);
      const ax = axis < 0 ? axis + shape.length : axis;
      const c = shape[ax];
      const dtype = random() < 0.5 ? 'int8' : 'uint8';
      const compat = random() < 0.5 ? 'onnx' : 'pytorch';
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const scales = Array.from({ length: c }, () => f32(random() * 0.05 + 1e-3));
      const zeroPoints = Array.from({ length: c }, () => lo + Math.floor(random() * (hi - lo + 1)));
      const x = randomFloats(n, random, 4);
      const q = qdq.quantizePerChannel(x, { shape, axis, scales, zeroPoints, dtype, compat });
      assert.equal(q.axis, ax);
      for (let i = 0; i < n; i++) {
        const ch = channelOf(i, shape, ax);
        assert.equal(q.data[i], quantizeValue(x[i], scales[ch], zeroPoints[ch], lo, hi, compat), `shape ${shape} axis ${axis} i ${i}`);
      }
      const back = qdq.dequantize(q);
      for (let i = 0; i < n; i++) {
        const ch = channelOf(i, shape, ax);
        assert.equal(back[i], dequantizeValue(q.data[i], scales[ch], zeroPoints[ch]));
      }
    }
  });
  await t.test('should stream large per-channel tensors whose channels straddle chunks', () => {
    const random = rng(23);
    const H = CHUNK / 2 + 7; // odd, so channel runs and chunk boundaries never line up
    for (const [shape, axis] of [[[3, H], 0], [[H, 3], 1], [[5, H, 2], 1], [[2 * CHUNK + 5], 0]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[axis];
      const scales = Array.from({ length: c }, () => f32(random() * 0.05 + 1e-3));
      const zeroPoints = Array.from({ length: c }, () => Math.floor(random() * 256) - 128);
      const x = randomFloats(n, random, 4);
      const q = qdq.quantizePerChannel(x, { shape, axis, scales, zeroPoints });
      for (let i = 0; i < n; i++) {
        const ch = channelOf(i, shape, axis);
        if (q.data[i] !== quantizeValue(x[i], scales[ch], zeroPoints[ch], -128, 127, 'onnx')) assert.fail(`shape ${shape} i ${i}`);
      }
    }
  });
  await t.test('should accept zero-sized dimensions', () => {
    const q = qdq.quantizePerChannel(new Float32Array(0), { shape: [0, 3], axis: 1, scales: [1, 1, 1] });
    assert.equal(q.data.length, 0);
    const r = qdq.quantizePerChannel(new Float32Array(0), { shape: [4, 0], axis: 1, scales: [] });
    assert.equal(r.data.length, 0);
  });
});

test('dequantize()', async (t) => {
  await t.test('should compute (q - zeroPoint) * scale in float32', () => {
    assert.deepEqual([...qdq.dequantize({ data: Int8Array.of(-128, 0, 127), scale: 0.5, zeroPoint: 0 })], [-64, 0, 63.5]);
    const u = qdq.dequantize({ data: Uint8Array.of(0, 128, 255), scale: 0.1, zeroPoint: 128 });
    assert.deepEqual([...u], [f32(-128 * f32(0.1)), 0, f32(127 * f32(0.1))]);
  });
  await t.test('should write into out', () => {
    const out = new Float32Array(2);
    assert.equal(qdq.dequantize({ data: Int8Array.of(1, 2), scale: 2 }, { out }), out);
    assert.deepEqual([...out], [2, 4]);
  });
  await t.test('should round-trip within half a step inside the range', () => {
    const random = rng(29);
    const x = randomFloats(5000, random, 1);
    const q = qdq.quantize(x, { dtype: 'uint8' });
    const back = qdq.dequantize(q);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(back[i] - x[i]) <= q.scale / 2 + 1e-7);
  });
});

test('fakeQuantizePerTensor()', async (t) => {
  await t.test('should equal dequantize(quantize(x)) and mask clamped values', () => {
    const random = rng(31);
    const x = randomFloats(3000, random, 2);
    for (const compat of ['onnx', 'pytorch']) {
      const { output, mask } = qdq.fakeQuantizePerTensor(x, { scale: 0.01, zeroPoint: 3, compat });
      for (let i = 0; i < x.length; i++) {
        const q = quantizeValue(x[i], 0.01, 3, -128, 127, compat);
        assert.equal(output[i], dequantizeValue(q, 0.01, 3));
        const r = roundHalfEven(scaled(x[i], 0.01, compat)) + 3;
        assert.equal(mask[i], r >= -128 && r <= 127 ? 1 : 0);
      }
    }
  });
  await t.test('should give 0 with mask 0 for NaN, and clamp infinities with mask 0', () => {
    const { output, mask } = qdq.fakeQuantizePerTensor(Float32Array.of(NaN, Infinity, -Infinity, 1), { scale: 0.5, quantMin: 0, quantMax: 7, dtype: 'uint8' });
    assert.deepEqual([...output], [0, 3.5, 0, 1]);
    assert.deepEqual([...mask], [0, 0, 0, 1]);
  });
});

test('fakeQuantizePerChannel()', async (t) => {
  await t.test('should use each channel\'s scale and zero point', () => {
    const { output, mask } = qdq.fakeQuantizePerChannel(Float32Array.of(1, 2, 3, 40), { shape: [2, 2], axis: 1, scales: [1, 0.5], zeroPoints: [0, 1], quantMin: -8, quantMax: 7 });
    // column 0: scale 1, zp 0 -> 1, 3; column 1: scale 0.5, zp 1 -> 2 (q 5), 40 clamps at q 7 -> 3
    assert.deepEqual([...output], [1, 2, 3, 3]);
    assert.deepEqual([...mask], [1, 1, 1, 0]);
  });
});

test('errorStats()', async (t) => {
  await t.test('should compute MSE, max abs error and SQNR in float64', () => {
    const s = qdq.errorStats(Float32Array.of(1, 2), Float32Array.of(1, 2.5));
    assert.equal(s.mse, 0.125);
    assert.equal(s.maxAbsError, 0.5);
    assert.equal(s.sqnr, 10 * Math.log10(5 / 0.25));
  });
  await t.test('should report per channel along an axis', () => {
    const s = qdq.errorStats(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 2, 3, 5), { shape: [2, 2], axis: 0 });
    assert.deepEqual([...s.channels.mse], [0, 0.5]);
    assert.deepEqual([...s.channels.maxAbsError], [0, 1]);
    assert.deepEqual([...s.channels.sqnr], [Infinity, 10 * Math.log10(25)]);
    assert.equal(s.mse, 0.25);
  });
});

test('MinMaxObserver', async (t) => {
  await t.test('should give the article qparams across two batches', () => {
    const o = new qdq.MinMaxObserver({ dtype: 'int8' });
    o.observe(Float32Array.of(1, 2, 3));
    o.observe(Float32Array.of(4, 5, 6));
    assert.deepEqual(o.calculateQParams(), { scale: f32(6 / 255), zeroPoint: -128 });
    assert.equal(o.minVal, 1);
    assert.equal(o.maxVal, 6);
  });
  await t.test('should default to uint8 affine and return (1, 0) before any data', () => {
    const o = new qdq.MinMaxObserver();
    assert.equal(o.dtype, 'uint8');
    assert.equal(o.qscheme, 'per_tensor_affine');
    assert.deepEqual(o.calculateQParams(), { scale: 1, zeroPoint: 0 });
    o.observe(new Float32Array(0));
    assert.deepEqual(o.calculateQParams(), { scale: 1, zeroPoint: 0 });
    o.observe(Float32Array.of(-1, 3));
    assert.deepEqual(o.calculateQParams(), { scale: f32(4 / 255), zeroPoint: 64 });
    o.reset();
    assert.equal(o.minVal, Infinity);
  });
  await t.test('should floor the scale at eps when the tensor is all zero', () => {
    const o = new qdq.MinMaxObserver({ dtype: 'int8' });
    o.observe(new Float32Array(5));
    assert.deepEqual(o.calculateQParams(), { scale: qdq.FLOAT32_EPS, zeroPoint: -128 });
  });
  await t.test('should honour a custom range, halved by reduceRange', () => {
    const o = new qdq.MinMaxObserver({ dtype: 'int8', quantMin: -127, quantMax: 127, reduceRange: true });
    assert.equal(o.quantMin, -64);
    assert.equal(o.quantMax, 63);
  });
});

test('MovingAverageMinMaxObserver', async (t) => {
  await t.test('should set the range from the first batch, then average in float32', () => {
    const o = new qdq.MovingAverageMinMaxObserver({ dtype: 'int8' });
    o.observe(Float32Array.of(-1, 1));
    o.observe(Float32Array.of(-3, 5));
    assert.equal(o.minVal, f32(-1 + f32(f32(0.01) * -2)));
    assert.equal(o.maxVal, f32(1 + f32(f32(0.01) * 4)));
    assert.equal(o.averagingConstant, 0.01);
  });
});

test('PerChannelMinMaxObserver', async (t) => {
  await t.test('should track per-channel ranges on any axis', () => {
    const o = new qdq.PerChannelMinMaxObserver({ axis: -1, dtype: 'int8', qscheme: 'per_channel_symmetric' });
    o.observe(Float32Array.of(1, -4, 3, 2), [2, 2]);
    assert.deepEqual([...o.minVal], [1, -4]);
    assert.deepEqual([...o.maxVal], [3, 2]);
    o.observe(Float32Array.of(-5, 0, 0, 0), [2, 2]);
    const { scales, zeroPoints } = o.calculateQParams();
    assert.deepEqual([...scales], [f32(5 / 127.5), f32(4 / 127.5)]);
    assert.deepEqual([...zeroPoints], [0, 0]);
  });
  await t.test('should return one channel of (1, 0) before any data, as PyTorch', () => {
    const o = new qdq.PerChannelMinMaxObserver();
    assert.deepEqual(o.calculateQParams(), { scales: Float32Array.of(1), zeroPoints: Int32Array.of(0) });
    o.observe(new Float32Array(0), [0, 2]);
    assert.equal(o.minVal.length, 0);
    o.observe(Float32Array.of(1, 2), [1, 2]);
    o.reset();
    assert.equal(o.minVal.length, 0);
  });
  await t.test('should take an empty tensor as torch 1.13 does: no state, whatever its channel count', () => {
    // torch: PerChannelMinMaxObserver(ch_axis=0)(torch.empty(2, 0)) leaves min_val empty and
    // calculate_qparams() gives (tensor([1.]), tensor([0])); data then starts the ranges.
    for (const C of [qdq.PerChannelMinMaxObserver, qdq.MovingAveragePerChannelMinMaxObserver]) {
      const o = new C({ axis: 0 });
      o.observe(new Float32Array(0), [2, 0]);
      assert.equal(o.minVal.length, 0, C.name);
      assert.deepEqual(o.calculateQParams(), { scales: Float32Array.of(1), zeroPoints: Int32Array.of(0) });
      o.observe(Float32Array.of(1, 2, 3, 4), [2, 2]);
      o.observe(new Float32Array(0), [3, 0]); // torch returns an empty x before looking at it
      assert.deepEqual([...o.minVal, ...o.maxVal], [1, 3, 2, 4], C.name);
      const { scales } = o.calculateQParams();
      assert.deepEqual([...scales], [f32(2 / 255), f32(4 / 255)]); // torch: [0.0078, 0.0157]
    }
  });
});

test('MovingAveragePerChannelMinMaxObserver', async (t) => {
  await t.test('should average each channel', () => {
    const o = new qdq.MovingAveragePerChannelMinMaxObserver({ axis: 0, averagingConstant: 0.5 });
    o.observe(Float32Array.of(0, 2, -2, 0), [2, 2]);
    o.observe(Float32Array.of(0, 4, -4, 0), [2, 2]);
    assert.deepEqual([...o.minVal], [0, -3]);
    assert.deepEqual([...o.maxVal], [3, 0]);
  });
});

test('calculateQParams()', async (t) => {
  // Property: a range gives what an observer that saw exactly that range gives.
  await t.test('should agree with MinMaxObserver for int8 and uint8, affine and symmetric', () => {
    const random = rng(37);
    for (let i = 0; i < 200; i++) {
      const a = f32((random() - 0.7) * 10), b = f32(a + random() * 10);
      for (const dtype of ['int8', 'uint8']) {
        for (const qscheme of ['per_tensor_affine', 'per_tensor_symmetric']) {
          const o = new qdq.MinMaxObserver({ dtype, qscheme });
          o.observe(Float32Array.of(a, b));
          const { scale, zeroPoint } = o.calculateQParams();
          assert.deepEqual(qdq.calculateQParams(a, b, { dtype, qscheme }), { scale, zeroPoint, zeroPointUnclamped: zeroPoint });
        }
      }
    }
  });
  await t.test('should show the zero point the article needs without E1: -179, outside int8', () => {
    assert.deepEqual(qdq.calculateQParams(1, 6, { includeZero: false }), { scale: f32(5 / 255), zeroPoint: -128, zeroPointUnclamped: -179 });
    assert.deepEqual(qdq.calculateQParams(1, 6), { scale: f32(6 / 255), zeroPoint: -128, zeroPointUnclamped: -128 });
  });
  await t.test('should give one pair per channel for arrays', () => {
    const r = qdq.calculateQParams([1, 4], [3, 6], { includeZero: false });
    assert.deepEqual([...r.scales], [f32(2 / 255), f32(2 / 255)]);
    // -128 - 1 / fl(2/255) = -255.49999 and -128 - 4 / fl(2/255) = -638.0: the article's per-channel zero points
    assert.deepEqual([...r.zeroPointsUnclamped], [-255, -638]);
    assert.deepEqual([...r.zeroPoints], [-128, -128]);
  });
  await t.test('should reject bad ranges', () => {
    assert.throws(() => qdq.calculateQParams(2, 1), /min \(2\) must not exceed max \(1\)/);
    assert.throws(() => qdq.calculateQParams(NaN, 1), /min must be finite, got NaN/);
    assert.throws(() => qdq.calculateQParams([0, 1], [1]), /same length, got 2 and 1/);
    assert.throws(() => qdq.calculateQParams('0', 1), TypeError);
    assert.throws(() => qdq.calculateQParams(0, 1, { includeZero: 'no' }), /includeZero must be a boolean/);
  });
});

test('empty products (m, k or n = 0)', async (t) => {
  // README: empty tensors are valid. ONNX MatMulInteger sums over an empty k to 0; QLinearMatMul then
  // gives saturate(round(0 * M) + yZeroPoint) = yZeroPoint. onnxruntime 1.30 accepts m = 0 and n = 0,
  // and for k = 0 returns uninitialized memory (the audit's run: 6,2,0,0,2,3): we give the ONNX values.
  await t.test('should give an empty Y for m = 0 or n = 0, checking the operands all the same', () => {
    assert.deepEqual(qdq.matmulInteger(new Uint8Array(0), new Int8Array(6), { m: 0, k: 2, n: 3 }), new Int32Array(0));
    assert.deepEqual(qdq.matmulInteger(new Uint8Array(4), new Int8Array(0), { m: 2, k: 2, n: 0 }), new Int32Array(0));
    assert.deepEqual(qdq.qlinearMatmul(new Int8Array(0), new Int8Array(6), { m: 0, k: 2, n: 3, aScale: 1, bScale: 1, yScale: 1 }), new Int8Array(0));
    const packed = qdq.PackedMatrix.pack(Int8Array.of(1, 2, 3, 4), { k: 2, n: 2 });
    try {
      assert.deepEqual(qdq.matmulInteger(new Int8Array(0), packed, { m: 0 }), new Int32Array(0));
    } finally {
      packed.dispose();
    }
    assert.throws(() => qdq.matmulInteger(new Uint8Array(1), new Int8Array(6), { m: 0, k: 2, n: 3 }), { name: 'RangeError', message: /a must have m \* k = 0 elements, got 1/ });
    assert.throws(() => qdq.matmulInteger(new Uint8Array(0), new Int8Array(5), { m: 0, k: 2, n: 3 }), { name: 'RangeError', message: /b must have k \* n = 6 elements, got 5/ });
    assert.throws(() => qdq.matmulInteger(new Uint8Array(0), new Int8Array(6), { m: 0, k: 2, n: 3, bZeroPoint: [1, 2] }), { name: 'RangeError', message: /bZeroPoint must have 1 or n = 3 entries, got 2/ });
    assert.throws(() => qdq.matmulInteger(new Uint8Array(0), new Int8Array(0), { m: -1, k: 0, n: 3 }), { name: 'RangeError', message: /m must be an integer in \[0, / });
  });
  await t.test('should give zeros for k = 0 (an empty sum), whatever the zero points, into out too', () => {
    const y = qdq.matmulInteger(new Uint8Array(0), new Int8Array(0), { m: 2, k: 0, n: 3, aZeroPoint: 7, bZeroPoint: [1, -2, 3] });
    assert.deepEqual(y, new Int32Array(6));
    const out = new Int32Array(6).fill(99);
    assert.equal(qdq.matmulInteger(new Int8Array(0), new Int8Array(0), { m: 2, k: 0, n: 3, out }), out);
    assert.deepEqual(out, new Int32Array(6));
  });
  await t.test('should give yZeroPoint for QLinearMatMul with k = 0', () => {
    const y = qdq.qlinearMatmul(new Uint8Array(0), new Int8Array(0), { m: 2, k: 0, n: 2, aScale: 0.5, aZeroPoint: 128, bScale: [1, 2], yScale: 0.25, yZeroPoint: 100 });
    assert.deepEqual(y, new Uint8Array(4).fill(100));
    const out = new Int8Array(4).fill(5);
    qdq.qlinearMatmul(new Int8Array(0), new Int8Array(0), { m: 2, k: 0, n: 2, aScale: 1, bScale: 1, yScale: 1, yZeroPoint: -3, out });
    assert.deepEqual(out, new Int8Array(4).fill(-3));
    // The scales are still checked.
    assert.throws(() => qdq.qlinearMatmul(new Int8Array(0), new Int8Array(0), { m: 2, k: 0, n: 2, aScale: 0, bScale: 1, yScale: 1 }), { name: 'RangeError', message: /aScale must be finite and > 0/ });
  });
});
