// HistogramObserver, PercentileObserver and EntropyObserver through the
// public API: the torch 1.13 fixtures (tests/fixtures/gen_observers.py) and
// the double-precision calibration reference (tests/fixtures/gen_calibration.py)
// bit for bit, their options, state and errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';

const { HistogramObserver, PercentileObserver, EntropyObserver } = qdq;
const load = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const torchFixtures = load('observers.json');
const calibFixtures = load('calibration.json');
const fromBits = (b) => new Float32Array(Uint32Array.from(b).buffer);
const bitsOf = (v) => new Uint32Array(Float32Array.of(v).buffer)[0];

/** The public options for a torch fixture case. */
function histogramOptions(c) {
  const { bins, upsampleRate, dtype, qscheme, reduceRange, quantMin, quantMax } = c.options;
  return {
    bins, upsampleRate, dtype: dtype ?? 'uint8', qscheme, reduceRange, quantMin, quantMax,
    histcBounds: c.flavour === 'exactBounds' ? 'exact' : 'truncated',
  };
}

test('HistogramObserver', async (t) => {
  // histogramTorchEdges: bins + 1 a multiple of 16, where torch's last histc edge is linspace's
  // vectorized lane (H1); histogramZeroSigns: zero extremes of both signs in a batch (Z1), which
  // the operator alone does not give (tests/unit/observers-histogram.test.js) and the class corrects.
  for (const c of [...torchFixtures.histogram, ...torchFixtures.histogramTorchEdges, ...torchFixtures.histogramZeroSigns]) {
    await t.test(`should match torch 1.13 bit for bit: ${c.name}`, () => {
      const obs = new HistogramObserver(histogramOptions(c));
      assert.equal(obs.quantMin, c.quantMin);
      assert.equal(obs.quantMax, c.quantMax);
      c.batches.forEach((b, i) => {
        const x = fromBits(b);
        assert.equal(obs.observe(x), x);
        assert.deepEqual([bitsOf(obs.minVal), bitsOf(obs.maxVal)], [c.steps[i].min, c.steps[i].max], `after batch ${i}`);
      });
      assert.deepEqual(Array.from(new Uint32Array(obs.histogram.buffer)), c.histogram);
      const { scale, zeroPoint } = obs.calculateQParams();
      assert.equal(bitsOf(scale), c.scale);
      assert.equal(zeroPoint, c.zeroPoint);
    });
  }

  await t.test('should bin over torch\'s edges: the audit\'s repro (15 bins, 8 above the last edge)', () => {
    const obs = new HistogramObserver({ bins: 15 });
    obs.observe(Float32Array.of(-36.4, -28.3, 8.0, -22.0));
    // torch.linspace(-36, 8, 16)[-1] is 7.999999046325684: 8.0 is outside, as in torch.
    assert.deepEqual(Array.from(obs.histogram), [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(obs.maxVal, 8);
  });

  await t.test('should default to torch 1.13: 2048 bins, upsample 128, quint8 affine, truncated bounds', () => {
    const obs = new HistogramObserver();
    assert.deepEqual([obs.bins, obs.upsampleRate, obs.dtype, obs.qscheme, obs.histcBounds, obs.quantMin, obs.quantMax],
      [2048, 128, 'uint8', 'per_tensor_affine', 'truncated', 0, 255]);
    assert.deepEqual([obs.minVal, obs.maxVal], [Infinity, -Infinity]);
    assert.deepEqual(obs.calculateQParams(), { scale: 1, zeroPoint: 0 }); // torch: nothing observed
  });

  await t.test('should ignore empty batches and forget everything on reset()', () => {
    const obs = new HistogramObserver({ bins: 8 });
    obs.observe(new Float32Array(0));
    assert.equal(obs.minVal, Infinity);
    obs.observe(Float32Array.of(-1, 0.5, 3));
    assert.deepEqual([obs.minVal, obs.maxVal], [-1, 3]);
    // Property: histc over [int(-1), int(3)] = [-1, 3], 8 bins of 0.5: -1 -> 0, 0.5 -> 3, 3 -> last.
    assert.deepEqual(Array.from(obs.histogram), [1, 0, 0, 1, 0, 0, 0, 1]);
    obs.histogram[0] = 99; // a copy
    assert.equal(obs.histogram[0], 1);
    obs.reset();
    assert.deepEqual([obs.minVal, obs.maxVal, obs.histogram.reduce((a, b) => a + b)], [Infinity, -Infinity, 0]);
  });

  await t.test('should reject bad input with TypeError/RangeError naming it, state unchanged', () => {
    const obs = new HistogramObserver({ bins: 16 });
    obs.observe(Float32Array.of(1, 2));
    assert.throws(() => obs.observe([1, 2]), { name: 'TypeError', message: /^qdq-wasm: x must be a Float32Array, got Array\(2\)/ });
    assert.throws(() => obs.observe(Float32Array.of(1, NaN)), { name: 'RangeError', message: /^qdq-wasm: x\[1\] is NaN/ });
    assert.throws(() => obs.observe(Float32Array.of(-Infinity)), { name: 'RangeError', message: /^qdq-wasm: x\[0\] is -Infinity/ });
    assert.deepEqual([obs.minVal, obs.maxVal], [1, 2]);
    assert.throws(() => new HistogramObserver({ bins: 0 }), { name: 'RangeError', message: /^qdq-wasm: bins must be an integer in \[1, 16777216\], got 0/ });
    assert.throws(() => new HistogramObserver({ bins: 1.5 }), { name: 'RangeError', message: /^qdq-wasm: bins/ });
    assert.throws(() => new HistogramObserver({ upsampleRate: '128' }), { name: 'TypeError', message: /^qdq-wasm: upsampleRate must be a number, got "128"/ });
    assert.throws(() => new HistogramObserver({ histcBounds: 'int' }), { name: 'RangeError', message: /^qdq-wasm: histcBounds must be one of 'truncated', 'exact', got "int"/ });
    assert.throws(() => new HistogramObserver({ qscheme: 'per_channel_affine' }), { name: 'RangeError', message: /^qdq-wasm: qscheme/ });
    assert.throws(() => new HistogramObserver(3), { name: 'TypeError', message: /^qdq-wasm: options must be an options object, got 3/ });
    assert.throws(() => new HistogramObserver({ upsample_rate: 16 }), { name: 'TypeError', message: /^qdq-wasm: unknown option 'upsample_rate' in options; did you mean 'upsampleRate'\?/ });
  });

  await t.test('should raise where torch 1.13 raises: int(min) past int64, a rate that is not finite', () => {
    // Property: torch 1.13's histc(min=int(1e19)) overflows int64 ("Overflow when unpacking long"); PyTorch 2.0 does not truncate.
    const big = Float32Array.of(1e19, 2e19);
    assert.throws(() => new HistogramObserver().observe(big), { name: 'RangeError', message: /^qdq-wasm: .*int64.*histcBounds: 'exact'/ });
    const exact = new HistogramObserver({ histcBounds: 'exact' });
    exact.observe(big);
    assert.equal(exact.maxVal, Math.fround(2e19));
    // Property: a range of 1e-40 makes the fine bin width (range / 2^18) underflow to 0: int(inf) raises in torch.
    const tiny = new HistogramObserver();
    tiny.observe(Float32Array.of(0, 1e-40));
    assert.throws(() => tiny.observe(Float32Array.of(-1, 1)), { name: 'RangeError', message: /^qdq-wasm: the range cannot grow/ });
    assert.equal(tiny.maxVal, Math.fround(1e-40));
  });
});

/** The public observer for a calibration fixture case. */
function calibrationObserver(c) {
  const o = c.options;
  return c.method === 'percentile'
    ? new PercentileObserver({ bins: o.bins, percentile: o.percentile, symmetric: o.symmetric })
    : new EntropyObserver({ bins: o.bins, quantizedBins: o.quantizedBins, fractionalQ: o.fractionalQ });
}

test('PercentileObserver and EntropyObserver', async (t) => {
  for (const c of calibFixtures.cases) {
    await t.test(`should match the double reference exactly: ${c.name} on ${c.input}`, () => {
      const obs = calibrationObserver(c);
      assert.equal(obs.calculateRange(), null);
      fixtureBatches(c).forEach((x, i) => {
        obs.observe(x);
        assert.equal(obs.histogram.length, c.binsAfter[i], `bins after batch ${i}`);
      });
      assert.deepEqual(Array.from(obs.histogram), c.state.slice(6));
      assert.deepEqual([obs.minVal, obs.maxVal], c.state.slice(2, 4));
      const edges = obs.binEdges;
      assert.deepEqual([edges.length, edges[0], edges[1] - edges[0]], [c.binsAfter.at(-1) + 1, c.state[0], c.state[1]]);
      const range = obs.calculateRange();
      assert.deepEqual([range.min, range.max], Array.from(fromBits(c.range)));
      // The qparams are E1-E4 of that range, as for every observer here.
      const want = qdq.calculateQParams(range.min, range.max, { dtype: 'uint8' });
      assert.deepEqual(obs.calculateQParams(), { scale: want.scale, zeroPoint: want.zeroPoint });
    });
  }

  await t.test("should default to onnxruntime's settings", () => {
    const p = new PercentileObserver();
    assert.deepEqual([p.bins, p.percentile, p.symmetric, p.dtype], [2048, 99.999, true, 'uint8']);
    const e = new EntropyObserver();
    assert.deepEqual([e.bins, e.quantizedBins, e.fractionalQ], [128, 128, false]);
    assert.deepEqual(e.calculateQParams(), { scale: 1, zeroPoint: 0 });
  });

  await t.test('should ignore empty batches and forget everything on reset()', () => {
    const e = new EntropyObserver({ bins: 4, quantizedBins: 2 });
    e.observe(new Float32Array(0));
    assert.equal(e.calculateRange(), null);
    e.observe(Float32Array.of(-2, 0.5, 2));
    assert.deepEqual(Array.from(e.binEdges), [-2, -1, 0, 1, 2]);
    e.observe(Float32Array.of(3.5)); // grows by (3.5 - 2) // 1 + 1 = 2 bins each side
    assert.deepEqual(Array.from(e.histogram), [0, 0, 1, 0, 1, 1, 0, 1]);
    e.reset();
    assert.deepEqual([e.histogram.length, e.minVal, e.maxVal], [4, Infinity, -Infinity]);
  });

  await t.test('should reject bad input with TypeError/RangeError naming it, state unchanged', () => {
    const p = new PercentileObserver({ bins: 16, symmetric: false });
    p.observe(Float32Array.of(-1, 1));
    assert.throws(() => p.observe(new Float64Array(2)), { name: 'TypeError', message: /^qdq-wasm: x must be a Float32Array, got Float64Array\(2\)/ });
    assert.throws(() => p.observe(Float32Array.of(0, 0, Infinity)), { name: 'RangeError', message: /^qdq-wasm: x\[2\] is Infinity/ });
    assert.deepEqual([p.minVal, p.maxVal, p.histogram.length], [-1, 1, 16]);
    assert.throws(() => new PercentileObserver({ percentile: 100.5 }), { name: 'RangeError', message: /^qdq-wasm: percentile must be in \[0, 100\], got 100.5/ });
    assert.throws(() => new PercentileObserver({ percentile: '99' }), { name: 'TypeError', message: /^qdq-wasm: percentile must be a number, got "99"/ });
    assert.throws(() => new PercentileObserver({ symmetric: 1 }), { name: 'TypeError', message: /^qdq-wasm: symmetric must be a boolean, got 1/ });
    assert.throws(() => new EntropyObserver({ bins: 64 }), { name: 'RangeError', message: /^qdq-wasm: quantizedBins must be an integer in \[1, 64\], got 128/ });
    assert.throws(() => new EntropyObserver({ fractionalQ: 'yes' }), { name: 'TypeError', message: /^qdq-wasm: fractionalQ must be a boolean/ });
    assert.throws(() => new EntropyObserver({ percentile: 99 }), { name: 'TypeError', message: /^qdq-wasm: unknown option 'percentile'/ });
    assert.throws(() => new PercentileObserver({ num_bins: 8 }), { name: 'TypeError', message: /^qdq-wasm: unknown option 'num_bins'/ });
    // Property: growing a [-1e-30, 1e-30] histogram of 128 bins to 1e10 needs ~1e42 bins.
    const e = new EntropyObserver();
    e.observe(Float32Array.of(-1e-30, 1e-30));
    assert.throws(() => e.observe(Float32Array.of(1e10)), { name: 'RangeError', message: /^qdq-wasm: the histogram cannot grow/ });
    assert.deepEqual([e.maxVal, e.histogram.length], [Math.fround(1e-30), 128]);
  });
});

/** A calibration case's batches as Float32Arrays. */
function fixtureBatches(c) {
  return calibFixtures.inputs[c.input].map(fromBits);
}
