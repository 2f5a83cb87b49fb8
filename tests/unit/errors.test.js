// Bad input: every kind of mistake gets a TypeError or RangeError whose
// message names the argument and the value, and the module stays usable:
// a valid call right after each error gives the right answer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';

const x = Float32Array.of(1, 2, 3, 4, 5, 6);
const good = () => {
  const q = qdq.quantizePerTensor(x, { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' });
  assert.deepEqual([...q.data], [-86, -43, 0, 42, 84, 127]);
};

/** [what, call, error type, message pattern] */
const CASES = [
  ['x as a plain array', () => qdq.quantizePerTensor([1, 2], { scale: 1 }), TypeError, /x must be a Float32Array, got Array\(2\)/],
  ['x as Float64Array', () => qdq.quantizePerTensor(new Float64Array(2), { scale: 1 }), TypeError, /x must be a Float32Array, got Float64Array\(2\)/],
  ['options missing', () => qdq.quantizePerTensor(x), TypeError, /options must be an options object, got undefined/],
  ['scale missing', () => qdq.quantizePerTensor(x, {}), TypeError, /scale must be a number, got undefined/],
  ['scale 0', () => qdq.quantizePerTensor(x, { scale: 0 }), RangeError, /scale must be finite and > 0 \(as a float32\), got 0/],
  ['scale negative', () => qdq.quantizePerTensor(x, { scale: -1 }), RangeError, /scale .* got -1/],
  ['scale NaN', () => qdq.quantizePerTensor(x, { scale: NaN }), RangeError, /scale .* got NaN/],
  ['scale Infinity', () => qdq.quantizePerTensor(x, { scale: Infinity }), RangeError, /scale .* got Infinity/],
  ['scale that underflows float32', () => qdq.quantizePerTensor(x, { scale: 1e-50 }), RangeError, /scale .* got 1e-50/],
  ['scale that overflows float32', () => qdq.quantizePerTensor(x, { scale: 1e39 }), RangeError, /scale .* got 1e\+39/],
  ['scale as string', () => qdq.quantizePerTensor(x, { scale: '0.1' }), TypeError, /scale must be a number, got "0.1"/],
  ['zero point above int8', () => qdq.quantizePerTensor(x, { scale: 1, zeroPoint: 128 }), RangeError, /zeroPoint must be an integer in \[-128, 127\], got 128/],
  ['zero point of the article (-180)', () => qdq.quantizePerTensor(x, { scale: 1, zeroPoint: -180 }), RangeError, /zeroPoint .* got -180/],
  ['zero point negative for uint8', () => qdq.quantizePerTensor(x, { scale: 1, zeroPoint: -1, dtype: 'uint8' }), RangeError, /zeroPoint must be an integer in \[0, 255\], got -1/],
  ['zero point fractional', () => qdq.quantizePerTensor(x, { scale: 1, zeroPoint: 0.5 }), RangeError, /zeroPoint .* got 0.5/],
  ['zero point outside quantMin/quantMax', () => qdq.quantizePerTensor(x, { scale: 1, zeroPoint: 20, quantMin: 0, quantMax: 15 }), RangeError, /zeroPoint must be an integer in \[0, 15\], got 20/],
  ['unknown dtype', () => qdq.quantizePerTensor(x, { scale: 1, dtype: 'int4' }), RangeError, /dtype must be one of 'int8', 'uint8', got "int4"/],
  ['dtype not a string', () => qdq.quantizePerTensor(x, { scale: 1, dtype: 8 }), TypeError, /dtype must be one of .* got 8/],
  ['unknown compat', () => qdq.quantizePerTensor(x, { scale: 1, compat: 'tflite' }), RangeError, /compat must be one of 'onnx', 'pytorch', got "tflite"/],
  ['quantMin above quantMax', () => qdq.quantizePerTensor(x, { scale: 1, quantMin: 5, quantMax: 4, zeroPoint: 4 }), RangeError, /quantMin \(5\) must not exceed quantMax \(4\)/],
  ['quantMax outside the dtype', () => qdq.quantizePerTensor(x, { scale: 1, quantMax: 300 }), RangeError, /quantMax must be an integer in \[-128, 255\], got 300/],
  ['shape that does not match', () => qdq.quantizePerTensor(x, { scale: 1, shape: [4, 2] }), RangeError, /shape \[4, 2\] holds 8 elements but x has 6/],
  ['shape with a negative', () => qdq.quantizePerTensor(x, { scale: 1, shape: [-2, -3] }), TypeError, /shape must be an array of non-negative integers/],
  ['out of the wrong type', () => qdq.quantizePerTensor(x, { scale: 1, out: new Uint8Array(6) }), TypeError, /out must be an Int8Array, got Uint8Array\(6\)/],
  ['out of the wrong length', () => qdq.quantizePerTensor(x, { scale: 1, out: new Int8Array(5) }), RangeError, /out must have length 6, got 5/],
  ['per channel without shape', () => qdq.quantizePerChannel(x, { scales: [1] }), TypeError, /shape is required/],
  ['axis out of range', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: 2, scales: [1, 1, 1] }), RangeError, /axis must be an integer in \[-2, 1\], got 2/],
  ['axis fractional', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0.5, scales: [1, 1] }), RangeError, /axis .* got 0.5/],
  ['scales of the wrong count', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: [1, 1, 1] }), RangeError, /scales must have one entry per channel \(2\), got 3/],
  ['a bad scale among scales', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: [1, -2] }), RangeError, /scales\[1\] must be finite and > 0 .* got -2/],
  ['scales not an array', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: 0, scales: 1 }), TypeError, /scales must be an array of numbers, got 1/],
  ['zero points of the wrong count', () => qdq.quantizePerChannel(x, { shape: [2, 3], scales: [1, 1], zeroPoints: [0] }), RangeError, /zeroPoints must have one entry per channel \(2\), got 1/],
  ['a zero point out of range', () => qdq.quantizePerChannel(x, { shape: [2, 3], scales: [1, 1], zeroPoints: [0, -255] }), RangeError, /zeroPoints\[1\] must be an integer in \[-128, 127\], got -255/],
  ['default zero point outside the range', () => qdq.quantizePerChannel(x, { shape: [2, 3], scales: [1, 1], quantMin: 1, quantMax: 9 }), RangeError, /zeroPoints default to 0, which is outside \[1, 9\]/],
  ['dequantize without data', () => qdq.dequantize({ scale: 1 }), TypeError, /qtensor.data must be an Int8Array or Uint8Array, got undefined/],
  ['dequantize a Float32Array', () => qdq.dequantize({ data: x, scale: 1 }), TypeError, /qtensor.data must be an Int8Array or Uint8Array, got Float32Array\(6\)/],
  ['dequantize with a dtype that contradicts data', () => qdq.dequantize({ data: new Int8Array(2), dtype: 'uint8', scale: 1 }), TypeError, /qtensor.dtype is 'uint8' but qtensor.data is a Int8Array/],
  ['dequantize with a bad scale', () => qdq.dequantize({ data: new Int8Array(2), scale: 0 }), RangeError, /qtensor.scale must be finite and > 0/],
  ['dequantize with a uint8 zero point out of range', () => qdq.dequantize({ data: new Uint8Array(2), scale: 1, zeroPoint: 256 }), RangeError, /qtensor.zeroPoint must be an integer in \[0, 255\], got 256/],
  ['dequantize out of the wrong type', () => qdq.dequantize({ data: new Int8Array(2), scale: 1 }, { out: new Float64Array(2) }), TypeError, /out must be a Float32Array, got Float64Array\(2\)/],
  ['fake-quantize mask of the wrong length', () => qdq.fakeQuantizePerTensor(x, { scale: 1, maskOut: new Uint8Array(2) }), RangeError, /maskOut must have length 6, got 2/],
  ['fake-quantize per channel with a bad axis', () => qdq.fakeQuantizePerChannel(x, { shape: [6], axis: -2, scales: [1] }), RangeError, /axis must be an integer in \[-1, 0\], got -2/],
  ['errorStats with lengths that differ', () => qdq.errorStats(x, new Float32Array(5)), RangeError, /xHat must have the length of x \(6\), got 5/],
  ['errorStats with xHat of the wrong type', () => qdq.errorStats(x, new Int8Array(6)), TypeError, /xHat must be a Float32Array, got Int8Array\(6\)/],
  ['dynamicQuantizeLinear fed NaN', () => qdq.dynamicQuantizeLinear(Float32Array.of(0, 1, NaN)), RangeError, /x\[2\] is NaN/],
  ['dynamicQuantizeLinear out of the wrong type', () => qdq.dynamicQuantizeLinear(x, { out: new Int8Array(6) }), TypeError, /out must be a Uint8Array, got Int8Array\(6\)/],
  ['observer fed NaN', () => new qdq.MinMaxObserver().observe(Float32Array.of(1, NaN)), RangeError, /x\[1\] is NaN; observers need finite values/],
  ['observer fed -Infinity deep in a large tensor', () => { const y = new Float32Array(100000); y[77777] = -Infinity; new qdq.MinMaxObserver().observe(y); }, RangeError, /x\[77777\] is -Infinity/],
  ['per-channel observer fed Infinity', () => new qdq.PerChannelMinMaxObserver().observe(Float32Array.of(1, 2, Infinity, 4), [2, 2]), RangeError, /x\[2\] is Infinity/],
  ['observer with an unknown qscheme', () => new qdq.MinMaxObserver({ qscheme: 'per_channel_affine' }), RangeError, /qscheme must be one of 'per_tensor_affine', 'per_tensor_symmetric', got "per_channel_affine"/],
  ['observer with reduceRange not a boolean', () => new qdq.MinMaxObserver({ reduceRange: 1 }), TypeError, /reduceRange must be a boolean, got 1/],
  ['observer with only quantMin', () => new qdq.MinMaxObserver({ quantMin: -10 }), TypeError, /quantMin and quantMax must be given together/],
  ['observer range that excludes 0', () => new qdq.MinMaxObserver({ quantMin: 1, quantMax: 10 }), RangeError, /quantMin must be an integer in \[0, 0\], got 1/],
  ['observer with eps 0', () => new qdq.MinMaxObserver({ eps: 0 }), RangeError, /eps must be finite and > 0, got 0/],
  ['symmetric uint8 with reduceRange', () => new qdq.MinMaxObserver({ dtype: 'uint8', qscheme: 'per_tensor_symmetric', reduceRange: true }), RangeError, /reduceRange is not supported with qscheme 'per_tensor_symmetric' and dtype 'uint8'/],
  ['moving average constant above 1', () => new qdq.MovingAverageMinMaxObserver({ averagingConstant: 2 }), RangeError, /averagingConstant must be in \[0, 1\], got 2/],
  ['per-channel observer whose channel count changes', () => { const o = new qdq.PerChannelMinMaxObserver(); o.observe(x, [2, 3]); o.observe(x, [3, 2]); }, RangeError, /x has 3 channels along axis 0, but the observer has seen 2/],
  ['per-channel observer with axis as string', () => new qdq.PerChannelMinMaxObserver({ axis: '1' }), TypeError, /axis must be a number, got "1"/],
  // A number that is not an integer is a RangeError for every integer argument (validate.js integer()), axis included.
  ['per-channel observer with a fractional axis', () => new qdq.PerChannelMinMaxObserver({ axis: 0.5 }), RangeError, /axis must be an integer, got 0.5/],
  ['per-channel observer with axis NaN', () => new qdq.PerChannelMinMaxObserver({ axis: NaN }), RangeError, /axis must be an integer, got NaN/],
  ['moving-average per-channel observer with a fractional axis', () => new qdq.MovingAveragePerChannelMinMaxObserver({ axis: 1.5 }), RangeError, /axis must be an integer, got 1.5/],
  ['quantize with a fractional axis', () => qdq.quantize(x, { shape: [2, 3], axis: 0.5 }), RangeError, /axis must be an integer, got 0.5/],
  ['quantizePerChannel with axis NaN', () => qdq.quantizePerChannel(x, { shape: [2, 3], axis: NaN, scales: [1, 1] }), RangeError, /axis must be an integer in \[-2, 1\], got NaN/],
  // calculateQParams: bounds and scales that float32 cannot hold.
  ['calculateQParams with min beyond float32', () => qdq.calculateQParams(-1e39, 1), RangeError, /min must be finite as a float32 .*got -1e\+39/],
  ['calculateQParams with max beyond float32', () => qdq.calculateQParams(0, 3.5e38), RangeError, /max must be finite as a float32 .*got 3\.5e\+38/],
  ['calculateQParams with an array bound beyond float32', () => qdq.calculateQParams([0, -1e39], [1, 1]), RangeError, /min\[1\] must be finite as a float32 .*got -1e\+39/],
  ['calculateQParams whose scale overflows float32', () => qdq.calculateQParams(-3e38, 3e38), RangeError, /min = -3e\+38 and max = 3e\+38 give scale Infinity/],
  ['calculateQParams whose scale overflows in one channel', () => qdq.calculateQParams([0, -3e38], [1, 3e38]), RangeError, /min\[1\] = -3e\+38 and max\[1\] = 3e\+38 give scale Infinity/],
  // torch 1.13 divides by quantMax - quantMin = 0 here (scale Infinity): reduceRange halves [0, 1] to [0, 0].
  ['calculateQParams whose reduceRange leaves one level', () => qdq.calculateQParams(-1, 1, { dtype: 'uint8', reduceRange: true, quantMin: 0, quantMax: 1 }), RangeError,
    /min = -1 and max = 1 give scale Infinity, which is not finite in float32 \(reduceRange halves quantMin and quantMax \(0, 1\) to the single level 0\)/],
  ['calculateQParams whose symmetric scale overflows', () => qdq.calculateQParams(-2e38, 2e38, { qscheme: 'per_tensor_symmetric', quantMin: -1, quantMax: 0 }), RangeError,
    /min = -2e\+38 and max = 2e\+38 give scale Infinity, which is not finite in float32 \(the range is too wide for a float32 scale over quantMin \.\. quantMax = -1 \.\. 0\); narrow the range/],
  // FakeQuantize's fused qparams come from its running range: the message names that range. torch 1.13 gives scale inf
  // (its symmetric branch rounds the widened range to -inf in float) and fake-quantizes to NaN; NaN it refuses.
  ['FakeQuantize whose running range gives scale Infinity', () => new qdq.FakeQuantize({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }).forward(Float32Array.of(-1, 3.4028234663852886e38)),
    RangeError, /^qdq-wasm: FakeQuantize: the running range \[-1, 3\.4028234663852886e\+38\] gives scale Infinity, which is not finite in float32 \(the range is too wide/],
  ['FakeQuantize per channel whose channel 1 gives scale Infinity', () => new qdq.FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric' }).forward(Float32Array.of(1, 2, -1, 3.4028234663852886e38), [2, 2]),
    RangeError, /^qdq-wasm: FakeQuantize: the running range of channel 1 \[-1, 3\.4028234663852886e\+38\] gives scale Infinity/],
  ['FakeQuantize symmetric over two levels', () => new qdq.FakeQuantize({ dtype: 'uint8', qscheme: 'per_tensor_symmetric', quantMin: 0, quantMax: 1 }).forward(Float32Array.of(-1, 1)),
    RangeError, /^qdq-wasm: FakeQuantize: the running range \[-1, 1\] gives scale NaN, which is not finite in float32 \(symmetric over quantMin \.\. quantMax = 0 \.\. 1, torch's ChooseQuantizationParams leaves the positive side no level; torch refuses it too\)/],
  // quantize() observes x: the scale is x's doing, so x's range is what the message names, not a scale the caller never passed.
  ['quantize whose range overflows a float32 scale', () => qdq.quantize(Float32Array.of(-3e38, 3e38)), RangeError,
    /^qdq-wasm: the range \[-3\.0000000054977558e\+38, 3\.0000000054977558e\+38\] of x gives scale Infinity, which is not finite in float32 \(the range is too wide/],
  ['quantize per channel whose range overflows in one channel', () => qdq.quantize(Float32Array.of(-3e38, 1, 3e38, 2), { shape: [2, 2], axis: 1 }), RangeError,
    /^qdq-wasm: channel 0's range \[-3\.0000000054977558e\+38, 3\.0000000054977558e\+38\] of x gives scale Infinity/],
  ['quantize whose reduceRange leaves one level', () => qdq.quantize(Float32Array.of(1, 2), { dtype: 'uint8', reduceRange: true, quantMin: 0, quantMax: 1 }), RangeError,
    /^qdq-wasm: the range \[0, 2\] of x gives scale Infinity, which is not finite in float32 \(reduceRange halves quantMin and quantMax \(0, 1\) to the single level 0\)/],
  // dequantize: the qtensor's fields are checked, not ignored.
  ['dequantize with a qscheme that is a number', () => qdq.dequantize({ data: new Int8Array(2), scale: 1, qscheme: 8 }), TypeError, /qtensor\.qscheme must be one of 'per_tensor_affine', .* got 8/],
  ['dequantize with a qscheme that is an object', () => qdq.dequantize({ data: new Int8Array(2), scale: 1, qscheme: {} }), TypeError, /qtensor\.qscheme must be one of .* got Object/],
  ['dequantize with an unknown qscheme', () => qdq.dequantize({ data: new Int8Array(2), scale: 1, qscheme: 'PER_TENSOR_AFFINE' }), RangeError, /qtensor\.qscheme must be one of .* got "PER_TENSOR_AFFINE"/],
  ['dequantize with an axis but no scales', () => qdq.dequantize({ data: new Int8Array(2), scale: 1, axis: 1, shape: [1, 2] }), TypeError, /qtensor\.axis is given, but the qtensor is per tensor \(it has no scales\)/],
  ['dequantize with both scale and scales', () => qdq.dequantize({ data: new Int8Array(2), scale: 1, scales: [1, 2], shape: [2] }), TypeError, /qtensor\.scale is given, but the qtensor is per channel \(it has scales\)/],
  ['dequantize per channel by qscheme with a scale', () => qdq.dequantize({ data: new Int8Array(2), qscheme: 'per_channel_affine', scale: 1, shape: [2] }), TypeError, /qtensor\.scale is given, but the qtensor is per channel \(qscheme 'per_channel_affine'\)/],
  ['dequantize per tensor by qscheme with scales', () => qdq.dequantize({ data: new Int8Array(2), qscheme: 'per_tensor_symmetric', scale: 1, scales: [1, 2] }), TypeError, /qtensor\.scales is given, but the qtensor is per tensor \(qscheme 'per_tensor_symmetric'\)/],
  ['dequantize per channel by qscheme without scales', () => qdq.dequantize({ data: new Int8Array(2), qscheme: 'per_channel_symmetric', shape: [2] }), TypeError, /qtensor\.scales must be an array of numbers, got undefined/],
  // Integer options are checked for type before they are compared.
  ['k as a string next to a PackedMatrix', () => withPacked((p) => qdq.matmulInteger(Int8Array.of(1, 2), p, { m: 1, k: '2' })), TypeError, /k must be a number, got "2"/],
  ['n as a string next to a PackedMatrix', () => withPacked((p) => qdq.qlinearMatmul(Int8Array.of(1, 2), p, { m: 1, n: '1', aScale: 1, bScale: 1, yScale: 1 })), TypeError, /n must be a number, got "1"/],
  ['k that disagrees with a PackedMatrix', () => withPacked((p) => qdq.matmulInteger(Int8Array.of(1, 2), p, { m: 1, k: 3 })), RangeError, /k is 3 but the PackedMatrix has k = 2/],
  // null where a required option belongs is a TypeError naming it.
  ['scale null', () => qdq.quantizePerTensor(x, { scale: null }), TypeError, /scale must be a number, got null/],
  ['shape null with a channel axis', () => qdq.quantizePerChannel(x, { shape: null, scales: [1] }), TypeError, /shape is required with a channel axis, got null/],
  ['scales null', () => qdq.fakeQuantizePerChannel(x, { shape: [2, 3], scales: null }), TypeError, /scales must be an array of numbers, got null/],
  ['m null', () => qdq.matmulInteger(new Int8Array(2), new Int8Array(2), { m: null, k: 2, n: 1 }), TypeError, /m must be a number, got null/],
  ['yScale null', () => qdq.qlinearMatmul(new Int8Array(2), new Int8Array(2), { m: 1, k: 2, n: 1, aScale: 1, bScale: 1, yScale: null }), TypeError, /yScale must be a number, got null/],
  ['blockwise n null', () => qdq.quantizeBlockwise(new Float32Array(16), { n: null, k: 16, blockSize: 16 }), TypeError, /n must be a number, got null/],
  ['qtensor data null', () => qdq.dequantize({ data: null, scale: 1 }), TypeError, /qtensor\.data must be an Int8Array or Uint8Array, got null/],
  ['qtensor scale null', () => qdq.dequantize({ data: new Int8Array(2), scale: null }), TypeError, /qtensor\.scale must be a number, got null/],
];

/** Runs fn with a packed 2x1 matrix, disposed afterwards. @param {(p: any) => unknown} fn */
function withPacked(fn) {
  const p = qdq.PackedMatrix.pack(Int8Array.of(1, 2), { k: 2, n: 1 });
  try {
    return fn(p);
  } finally {
    p.dispose();
  }
}

test('bad input', async (t) => {
  for (const [what, call, Type, pattern] of CASES) {
    await t.test(`should throw ${Type.name} for ${what}, then still work`, () => {
      assert.throws(call, (err) => {
        assert.ok(err instanceof Type, `expected ${Type.name}, got ${err?.constructor?.name}: ${err?.message}`);
        assert.match(err.message, pattern);
        assert.match(err.message, /^qdq-wasm: /);
        return true;
      });
      good();
    });
  }
});

test('observer state after a rejected batch', async (t) => {
  await t.test('should keep the range it had before the bad batch', () => {
    const o = new qdq.MinMaxObserver({ dtype: 'int8' });
    o.observe(Float32Array.of(-1, 2));
    assert.throws(() => o.observe(Float32Array.of(-50, NaN, 70)), RangeError);
    assert.equal(o.minVal, -1);
    assert.equal(o.maxVal, 2);
  });
});

test('null for an optional option', async (t) => {
  // null means "not given" for an optional option (as None for a PyTorch keyword argument): the same result as leaving it out.
  const y = Float32Array.of(-1.5, 0.25, 2, 7);
  await t.test('should give the default in the elementwise functions', () => {
    const nulls = { zeroPoint: null, dtype: null, quantMin: null, quantMax: null, compat: null, shape: null, out: null };
    assert.deepEqual(qdq.quantizePerTensor(y, { scale: 0.5, ...nulls }), qdq.quantizePerTensor(y, { scale: 0.5 }));
    assert.deepEqual(qdq.fakeQuantizePerTensor(y, { scale: 0.5, ...nulls, shape: undefined, maskOut: null }), qdq.fakeQuantizePerTensor(y, { scale: 0.5 }));
    assert.deepEqual(qdq.quantizePerChannel(y, { shape: [2, 2], scales: [1, 2], axis: null, zeroPoints: null, dtype: null, quantMin: null }),
      qdq.quantizePerChannel(y, { shape: [2, 2], scales: [1, 2] }));
    assert.deepEqual(qdq.errorStats(y, y, { axis: null, shape: null }), qdq.errorStats(y, y));
    const qt = qdq.quantizePerTensor(y, { scale: 0.5 });
    assert.deepEqual(qdq.dequantize({ ...qt, zeroPoint: null, dtype: null, qscheme: null, scales: null, axis: null }), qdq.dequantize(qt));
  });
  await t.test('should give the default in observers and calculateQParams', () => {
    const a = new qdq.MinMaxObserver({ quantMin: null, quantMax: null, eps: null, dtype: null, qscheme: null, reduceRange: null });
    a.observe(y);
    const b = new qdq.MinMaxObserver();
    b.observe(y);
    assert.deepEqual(a.calculateQParams(), b.calculateQParams());
    assert.equal(new qdq.MovingAverageMinMaxObserver({ averagingConstant: null }).averagingConstant, 0.01);
    assert.equal(new qdq.MovingAveragePerChannelMinMaxObserver({ averagingConstant: null, axis: null }).axis, 0);
    assert.equal(new qdq.HistogramObserver({ bins: null, upsampleRate: null, histcBounds: null }).bins, 2048);
    assert.equal(new qdq.EntropyObserver({ bins: null, quantizedBins: null }).quantizedBins, 128);
    assert.deepEqual(qdq.calculateQParams(-1, 2, { eps: null, quantMin: null, quantMax: null, includeZero: null }), qdq.calculateQParams(-1, 2));
  });
  await t.test('should give the default in the GEMM functions', () => {
    const a = Int8Array.of(1, 2, 3, 4), b = Int8Array.of(5, 6, 7, 8);
    const want = qdq.matmulInteger(a, b, { m: 2, k: 2, n: 2 });
    assert.deepEqual(qdq.matmulInteger(a, b, { m: 2, k: 2, n: 2, aZeroPoint: null, bZeroPoint: null, out: null }), want);
    withPacked((p) => assert.deepEqual(qdq.matmulInteger(Int8Array.of(1, 2), p, { m: 1, k: null, n: null, bZeroPoint: null }), Int32Array.of(5)));
  });
});
