// The library against PyTorch: every case in tests/fixtures/quantization.json
// (written by tests/fixtures/gen_quantization.py with torch 1.13 on this
// machine), with compat 'pytorch', compared bit for bit. Float32 values in
// the fixture are uint32 bit patterns; every float comparison here is on
// bits, so -0 vs +0 and NaN payloads would show up too. Tolerance: none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq, BUILD } from '../helpers/setup.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/quantization.json', import.meta.url), 'utf8'));

/** @param {number[]} bits uint32 bit patterns @returns {Float32Array} */
const f32 = (bits) => new Float32Array(Uint32Array.from(bits).buffer);
/** @param {number} bits @returns {number} */
const f32One = (bits) => f32([bits])[0];
/** @param {ArrayLike<number>} a float values @returns {Uint32Array} their float32 bit patterns */
const bitsOf = (a) => new Uint32Array(Float32Array.from(a).buffer);

/**
 * Asserts equal integer arrays, reporting the first mismatch with its index,
 * the input there, the expected and the actual value.
 * @param {string} what @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {ArrayLike<number>} [x]
 */
function sameInts(what, got, want, x) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      assert.fail(`${what} [${BUILD}]: index ${i}${x ? ` (x = ${x[i]})` : ''}: expected ${want[i]}, got ${got[i]}`);
    }
  }
}

/**
 * Asserts bit-identical float32 arrays.
 * @param {string} what @param {ArrayLike<number>} got @param {number[]} wantBits @param {ArrayLike<number>} [x]
 */
function sameFloats(what, got, wantBits, x) {
  const g = bitsOf(got);
  assert.equal(g.length, wantBits.length, `${what}: length`);
  for (let i = 0; i < wantBits.length; i++) {
    if (g[i] !== wantBits[i]) {
      assert.fail(`${what} [${BUILD}]: index ${i}${x ? ` (x = ${x[i]})` : ''}: expected ${f32One(wantBits[i])} ` +
        `(0x${wantBits[i].toString(16)}), got ${got[i]} (0x${g[i].toString(16)})`);
    }
  }
}

const DTYPE_RANGE = { int8: [-128, 127], uint8: [0, 255] };

test('fixtures', async (t) => {
  // Property: the fixture file is the one the generator documents, made by
  // the torch this project targets, and holds every section.
  await t.test('should come from torch 1.13 and hold every section', () => {
    assert.match(fixtures.torch, /^1\.13\./);
    for (const k of ['observers', 'quantizePerTensor', 'quantizePerChannel', 'dequantize', 'fakeQuantizePerTensor', 'fakeQuantizePerChannel']) {
      assert.ok(Array.isArray(fixtures[k]) && fixtures[k].length > 0, k);
    }
  });
});

test('observers vs torch.ao.quantization', async (t) => {
  /** @param {any} c */
  function run(c) {
    const o = c.options;
    const opts = {
      dtype: o.dtype, qscheme: o.qscheme, reduceRange: o.reduceRange,
      quantMin: o.quantMin, quantMax: o.quantMax, eps: o.eps, averagingConstant: o.averagingConstant, axis: o.axis,
    };
    const Observer = qdq[c.observer];
    const obs = new Observer(opts);
    for (const b of c.batches) obs.observe(f32(b.x), b.shape);
    return obs;
  }

  for (const kind of ['MinMaxObserver', 'MovingAverageMinMaxObserver']) {
    const cases = fixtures.observers.filter((/** @type {any} */ c) => c.observer === kind);
    // Property: the running min/max and (scale, zeroPoint) of a per-tensor
    // observer equal torch's, bit for bit, over every edge range (min == max,
    // all zero, one-signed, 1e-12, 1e30, overflow to inf, single element),
    // dtype, qscheme, reduce_range and custom range.
    await t.test(`should match torch's ${kind} on ${cases.length} cases`, () => {
      for (const c of cases) {
        const obs = run(c);
        sameFloats(`${c.name}: min_val`, [obs.minVal], c.minVal);
        sameFloats(`${c.name}: max_val`, [obs.maxVal], c.maxVal);
        const { scale, zeroPoint } = obs.calculateQParams();
        sameFloats(`${c.name}: scale`, [scale], c.scales);
        sameInts(`${c.name}: zero_point`, [zeroPoint], c.zeroPoints);
      }
    });
  }

  for (const kind of ['PerChannelMinMaxObserver', 'MovingAveragePerChannelMinMaxObserver']) {
    const cases = fixtures.observers.filter((/** @type {any} */ c) => c.observer === kind);
    // Property: per-channel observers match torch's along every axis of 2-D,
    // 3-D and 4-D shapes, with a different edge case in each channel.
    await t.test(`should match torch's ${kind} on ${cases.length} cases`, () => {
      for (const c of cases) {
        const obs = run(c);
        sameFloats(`${c.name}: min_val`, obs.minVal, c.minVal);
        sameFloats(`${c.name}: max_val`, obs.maxVal, c.maxVal);
        const { scales, zeroPoints } = obs.calculateQParams();
        sameFloats(`${c.name}: scales`, scales, c.scales);
        sameInts(`${c.name}: zero_points`, zeroPoints, c.zeroPoints);
      }
    });
  }

  // Property: the article's example: [[1,2,3],[4,5,6]] int8 per tensor gives
  // scale 6/255 (float32) and zero point -128; per channel on axis 0 gives
  // [3/255, 6/255] and [-128, -128].
  await t.test('should reproduce the article example as torch does', () => {
    const perTensor = fixtures.observers.find((/** @type {any} */ c) => c.name === 'MinMaxObserver article example int8');
    assert.deepEqual(Array.from(f32(perTensor.scales)), [Math.fround(6 / 255)]);
    assert.deepEqual(perTensor.zeroPoints, [-128]);
    const perChannel = fixtures.observers.find((/** @type {any} */ c) => c.name === 'PerChannelMinMaxObserver article example axis 0');
    assert.deepEqual(Array.from(f32(perChannel.scales)), [Math.fround(3 / 255), Math.fround(6 / 255)]);
    assert.deepEqual(perChannel.zeroPoints, [-128, -128]);
  });
});

test('quantizePerTensor() and dequantize() vs torch.quantize_per_tensor', async (t) => {
  const cases = fixtures.quantizePerTensor;
  // Property: with compat 'pytorch', q = clamp(zp + rint(x * fl(1/scale)))
  // equals torch.quantize_per_tensor's int_repr for every case: random data
  // of lengths 0..33 and beyond (SIMD tails), exact .5 ties with power-of-two
  // scales (half to even), near-ties, saturation, -0, subnormals, and scales
  // from 1e-30 to 3e38; dequantize equals torch's dequantize() bit for bit.
  await t.test(`should match torch on ${cases.length} cases`, () => {
    for (const c of cases) {
      const x = f32(c.x);
      const qt = qdq.quantizePerTensor(x, { scale: f32One(c.scale), zeroPoint: c.zeroPoint, dtype: c.dtype, compat: 'pytorch', shape: c.shape });
      assert.equal(qt.data.constructor, c.dtype === 'int8' ? Int8Array : Uint8Array);
      sameInts(`${c.name}: q`, qt.data, c.q, x);
      assert.deepEqual(qt.shape, c.shape);
      sameFloats(`${c.name}: dequantized`, qdq.dequantize(qt), c.dequantized, x);
    }
  });

  // Property: the default compat 'onnx' (x / scale) differs from PyTorch's
  // x * (1 / scale) exactly on near-ties; on every case its result equals
  // the ONNX formula evaluated by numpy in float32.
  await t.test('should follow x / scale with compat onnx, and differ from torch on every near-tie', () => {
    let differ = 0;
    for (const c of cases.filter((/** @type {any} */ c) => c.onnxQ)) {
      const x = f32(c.x);
      const qt = qdq.quantizePerTensor(x, { scale: f32One(c.scale), zeroPoint: c.zeroPoint, dtype: c.dtype });
      sameInts(`${c.name}: q (onnx)`, qt.data, c.onnxQ, x);
      if (c.name.includes('near-ties')) {
        for (let i = 0; i < c.q.length; i++) assert.notEqual(c.onnxQ[i], c.q[i], `${c.name}: index ${i} is not a near-tie`);
        differ += c.q.length;
      }
    }
    assert.ok(differ >= 100, `only ${differ} near-ties`);
  });

  // Property: exact .5 ties round half to even in both modes (power-of-two
  // scales make x / scale and x * (1 / scale) exact).
  await t.test('should round exact .5 ties half to even, as torch does', () => {
    const c = cases.find((/** @type {any} */ c) => c.name === 'int8 ties scale 2^-3 zp 0');
    const x = f32(c.x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i] * 8; // exactly k + 0.5
      assert.equal(Math.abs(v % 1), 0.5);
      const even = (Math.floor(v) % 2 === 0 ? Math.floor(v) : Math.ceil(v)) + 0; // + 0: no -0
      const want = Math.max(-128, Math.min(127, even));
      assert.equal(c.q[i], want, `torch at x = ${x[i]}`);
    }
    sameInts('ties', qdq.quantizePerTensor(x, { scale: 0.125, compat: 'pytorch' }).data, c.q, x);
    sameInts('ties (onnx)', qdq.quantizePerTensor(x, { scale: 0.125 }).data, c.q, x);
  });
});

test('quantizePerChannel() and dequantize() vs torch.quantize_per_channel', async (t) => {
  const cases = fixtures.quantizePerChannel;
  // Property: per-channel quantize with compat 'pytorch' equals
  // torch.quantize_per_channel on every axis of 2-D/3-D/4-D shapes (channel
  // runs of 1 element and of many), ties, near-ties and saturation; a
  // negative axis (counted from the end) gives the same; dequantize matches.
  await t.test(`should match torch on ${cases.length} cases`, () => {
    for (const c of cases) {
      const x = f32(c.x);
      for (const axis of [c.axis, c.axis - c.shape.length]) {
        const qt = qdq.quantizePerChannel(x, {
          shape: c.shape, axis, scales: f32(c.scales), zeroPoints: c.zeroPoints, dtype: c.dtype, compat: 'pytorch',
        });
        assert.equal(qt.axis, c.axis);
        sameInts(`${c.name}: q (axis ${axis})`, qt.data, c.q, x);
        sameFloats(`${c.name}: dequantized (axis ${axis})`, qdq.dequantize(qt), c.dequantized, x);
      }
    }
  });
});

test('per-channel float64 scales vs torch.quantize_per_channel and its dequantize()', async (t) => {
  const cases = fixtures.quantizePerChannelDouble;
  // Property: with scales that are not float32 values (0.1, 1/3, random doubles), compat 'pytorch'
  // gives torch's integers (each scale used as a float32: 1.0f / (float) scale) and a qtensor that
  // keeps the doubles (a Float64Array, as torch's q_per_channel_scales()), which dequantize()
  // multiplies in double and rounds once to float32, as torch's per-channel dequantize does. The
  // same doubles given as a Float64Array by hand dequantize the same; as float32 (compat 'onnx',
  // ONNX's float scale tensor) they do not, in most of these cases.
  await t.test(`should match torch on ${cases.length} cases`, () => {
    let differs = 0;
    for (const c of cases) {
      const Array8 = c.dtype === 'int8' ? Int8Array : Uint8Array;
      if (c.x) {
        const x = f32(c.x);
        const qt = qdq.quantizePerChannel(x, { shape: c.shape, axis: c.axis, scales: c.scales64, zeroPoints: c.zeroPoints, dtype: c.dtype, compat: 'pytorch' });
        sameInts(`${c.name}: q`, qt.data, c.q, x);
        assert.ok(qt.scales instanceof Float64Array, `${c.name}: scales kept as doubles`);
        assert.deepEqual(Array.from(qt.scales), c.scales64);
        sameFloats(`${c.name}: dequantized`, qdq.dequantize(qt), c.dequantized, x);
        const onnx = qdq.quantizePerChannel(x, { shape: c.shape, axis: c.axis, scales: c.scales64, zeroPoints: c.zeroPoints, dtype: c.dtype });
        assert.ok(onnx.scales instanceof Float32Array, `${c.name}: compat 'onnx' keeps float32 scales`);
        if (!bitsOf(qdq.dequantize(onnx)).every((b, i) => b === c.dequantized[i])) differs++;
      }
      const data = Array8.from(c.q);
      const byHand = { data, shape: c.shape, dtype: c.dtype, scales: Float64Array.from(c.scales64), zeroPoints: c.zeroPoints, axis: c.axis };
      sameFloats(`${c.name}: dequantize(Float64Array scales)`, qdq.dequantize(byHand), c.dequantized, data);
      const out = new Float32Array(data.length);
      assert.equal(qdq.dequantize(byHand, { out }), out);
      sameFloats(`${c.name}: dequantize(Float64Array scales, out)`, out, c.dequantized, data);
    }
    assert.ok(differs >= 10, `float32 scales should differ from torch's double products in most cases, differ in ${differs}`);
  });

  await t.test('should give the audit\'s repro torch\'s values', () => {
    const qt = qdq.quantizePerChannel(Float32Array.of(0.3, 1.6666666666666667), { shape: [2, 1], axis: 0, scales: [0.1, 1 / 3], dtype: 'int8', compat: 'pytorch' });
    assert.deepEqual(Array.from(qdq.dequantize(qt)), [0.30000001192092896, 1.6666666269302368]);
  });

  await t.test('should keep float32 scales given as a Float32Array, and take the C kernel for float32-valued doubles', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    const s32 = Float32Array.of(3 / 255, 6 / 255);
    const a = qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: s32, compat: 'pytorch', dtype: 'int8', zeroPoints: [-128, -128] });
    assert.ok(a.scales instanceof Float32Array);
    const b = qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: Float64Array.from(s32), compat: 'pytorch', dtype: 'int8', zeroPoints: [-128, -128] });
    assert.ok(b.scales instanceof Float64Array);
    assert.deepEqual(qdq.dequantize(b), qdq.dequantize(a));
  });

  await t.test('should check float64 scales as float32 ones: finite and > 0 after rounding to float32', () => {
    const data = Int8Array.of(1, 2);
    assert.throws(() => qdq.dequantize({ data, shape: [2], axis: 0, scales: Float64Array.of(0.1, 1e-50) }),
      { name: 'RangeError', message: /^qdq-wasm: qtensor\.scales\[1\] must be finite and > 0 \(as a float32\), got 1e-50/ });
    assert.throws(() => qdq.dequantize({ data, shape: [2], axis: 0, scales: Float64Array.of(NaN, 1) }),
      { name: 'RangeError', message: /^qdq-wasm: qtensor\.scales\[0\] must be finite and > 0/ });
  });
});

test('dequantize() vs torch dequantize()', async (t) => {
  const cases = fixtures.dequantize;
  // Property: (q - zp) * scale in float32 equals torch's dequantize() for
  // every int8/uint8 code, per tensor and per channel, with scales from
  // 1e-30 to 3e36 and zero points at both ends of the range.
  await t.test(`should match torch on every code in ${cases.length} cases`, () => {
    for (const c of cases) {
      const Array8 = c.dtype === 'int8' ? Int8Array : Uint8Array;
      const data = Array8.from(c.q);
      const qt = c.scales
        ? { data, shape: c.shape, dtype: c.dtype, scales: f32(c.scales), zeroPoints: c.zeroPoints, axis: c.axis }
        : { data, shape: c.shape, dtype: c.dtype, scale: f32One(c.scale), zeroPoint: c.zeroPoint };
      sameFloats(c.name, qdq.dequantize(qt), c.dequantized, data);
      const out = new Float32Array(data.length);
      assert.equal(qdq.dequantize(qt, { out }), out);
      sameFloats(`${c.name} (out)`, out, c.dequantized, data);
    }
  });
});

test('fakeQuantizePerTensor() vs torch.fake_quantize_per_tensor_affine', async (t) => {
  const cases = fixtures.fakeQuantizePerTensor;
  // Property: the forward output and the straight-through gradient mask
  // (torch's cachemask, equal to x.grad of a backward pass with ones) match
  // torch for quant ranges [-128,127], [0,255], [-64,63], [0,127], [0,15],
  // [-8,7], [-127,127], at the clamp edges, ties and near-ties.
  await t.test(`should match torch's output and gradient mask on ${cases.length} cases`, () => {
    for (const c of cases) {
      const x = f32(c.x);
      const { output, mask } = qdq.fakeQuantizePerTensor(x, {
        scale: f32One(c.scale), zeroPoint: c.zeroPoint, quantMin: c.quantMin, quantMax: c.quantMax,
        dtype: c.quantMin < 0 ? 'int8' : 'uint8', compat: 'pytorch',
      });
      sameFloats(`${c.name}: output`, output, c.output, x);
      sameInts(`${c.name}: mask`, mask, c.mask, x);
    }
  });
});

test('fakeQuantize*() signed zeros', async (t) => {
  // Property: an input that rounds to the zero point (-0.0, or a negative
  // value within half a step of it) fake-quantizes to +0.0, as in torch
  // (and E8), where q - zeroPoint is an integer whose zero has no sign. The
  // SIMD kernel once returned -0.0 there (found by the fixtures above).
  const x = new Float32Array(37).fill(-0.01); // 37: two SIMD blocks and a tail
  x[0] = -0;
  x[20] = -0;
  for (const compat of /** @type {const} */ (['pytorch', 'onnx'])) {
    await t.test(`should give +0.0 for -0.0 and small negatives (${compat})`, () => {
      const zeros = Array.from(bitsOf(new Float32Array(37)));
      const perTensor = qdq.fakeQuantizePerTensor(x, { scale: 0.1, zeroPoint: 3, compat });
      sameFloats('per tensor', perTensor.output, zeros, x);
      assert.deepEqual(Array.from(perTensor.mask), new Array(37).fill(1));
      const perChannel = qdq.fakeQuantizePerChannel(x, { shape: [1, 37], axis: 0, scales: [0.1], zeroPoints: [0], compat });
      sameFloats('per channel', perChannel.output, zeros, x);
    });
  }
});

test('fakeQuantizePerChannel() vs torch.fake_quantize_per_channel_affine', async (t) => {
  const cases = fixtures.fakeQuantizePerChannel;
  // Property: as per tensor, with a scale and zero point per channel along
  // each axis of 2-D/3-D/4-D shapes.
  await t.test(`should match torch's output and gradient mask on ${cases.length} cases`, () => {
    for (const c of cases) {
      const x = f32(c.x);
      const { output, mask } = qdq.fakeQuantizePerChannel(x, {
        shape: c.shape, axis: c.axis, scales: f32(c.scales), zeroPoints: c.zeroPoints,
        quantMin: c.quantMin, quantMax: c.quantMax, dtype: c.quantMin < 0 ? 'int8' : 'uint8', compat: 'pytorch',
      });
      sameFloats(`${c.name}: output`, output, c.output, x);
      sameInts(`${c.name}: mask`, mask, c.mask, x);
    }
  });
});

test('where PyTorch is undefined', async (t) => {
  // Property: inputs excluded from the fixtures (PyTorch's quantize_val is
  // C++ undefined behaviour there) get the library's documented results in
  // both compat modes (E6): NaN -> zero point, +Inf and x/scale >= 2^31 ->
  // qmax, -Inf and x/scale <= -2^31 -> qmin; fake-quantize maps NaN to 0.0
  // with mask 0, and saturates infinities with mask 0.
  const x = Float32Array.of(NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 3e38, -3e38, -NaN);
  for (const compat of /** @type {const} */ (['pytorch', 'onnx'])) {
    await t.test(`should map NaN to the zero point and saturate infinities (${compat})`, () => {
      for (const [dtype, zp, lo, hi] of /** @type {const} */ ([['int8', -3, -128, 127], ['uint8', 7, 0, 255]])) {
        const { data } = qdq.quantizePerTensor(x, { scale: 0.5, zeroPoint: zp, dtype, compat });
        assert.deepEqual(Array.from(data), [zp, hi, lo, hi, lo, hi, lo, zp]);
        assert.deepEqual(DTYPE_RANGE[dtype], [lo, hi]);
      }
      const { output, mask } = qdq.fakeQuantizePerTensor(x, { scale: 0.5, zeroPoint: -3, compat });
      sameFloats('fake-quantize', output, Array.from(bitsOf([0, 65, -62.5, 65, -62.5, 65, -62.5, 0])));
      assert.deepEqual(Array.from(mask), [0, 0, 0, 0, 0, 0, 0, 0]);
    });
  }
});

test('quantize() vs a torch observer then quantize_per_*', async (t) => {
  const cases = fixtures.quantizeObserved;
  // Property: the one-call quantize(x, {compat: 'pytorch'}) gives exactly
  // what torch gives with MinMaxObserver / PerChannelMinMaxObserver followed
  // by quantize_per_tensor / quantize_per_channel: same scale(s), zero
  // point(s) and q, bit for bit, and a dequantized form whose error
  // statistics match numpy's float64 ones. maxAbsError is exact (one float64
  // subtraction of two float32 values, the same in both); mse and sqnr are
  // sums of n float64 squares taken in a different order, so they may
  // differ in the last bits: relative tolerance 1e-12 (n <= 120, each
  // addition adds at most 2^-53 relative error: 120 * 2^-53 ~ 1.3e-14).
  await t.test(`should match torch on ${cases.length} cases`, () => {
    for (const c of cases) {
      const x = f32(c.x);
      const { dtype, qscheme, reduceRange, shape, axis } = c.options;
      const qt = qdq.quantize(x, { dtype, qscheme, reduceRange, shape, axis, compat: 'pytorch' });
      assert.equal(qt.qscheme, qscheme, c.name);
      if ('scales' in qt) {
        sameFloats(`${c.name}: scales`, qt.scales, c.scales);
        sameInts(`${c.name}: zero points`, qt.zeroPoints, c.zeroPoints);
      } else {
        sameFloats(`${c.name}: scale`, [qt.scale], c.scales);
        sameInts(`${c.name}: zero point`, [qt.zeroPoint], c.zeroPoints);
      }
      sameInts(`${c.name}: q`, qt.data, c.q, x);
      sameFloats(`${c.name}: dequantized`, qdq.dequantize(qt), c.dequantized, x);
      assert.equal(qt.error.maxAbsError, c.error.maxAbsError, `${c.name}: maxAbsError`);
      for (const k of /** @type {const} */ (['mse', 'sqnr'])) {
        const want = c.error[k];
        assert.ok(Math.abs(qt.error[k] - want) <= 1e-12 * Math.abs(want), `${c.name}: ${k} ${qt.error[k]} vs numpy ${want}`);
      }
      // errorStats() directly, with the same layout, gives the same numbers.
      const direct = qdq.errorStats(x, qdq.dequantize(qt), 'axis' in qt ? { shape: qt.shape, axis: qt.axis } : undefined);
      assert.deepEqual(direct, qt.error);
    }
  });
});
