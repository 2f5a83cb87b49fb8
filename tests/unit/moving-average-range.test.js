// Moving averages whose float32 arithmetic leaves min > max (or NaN): torch 1.13 keeps the state and
// refuses qparams from it (check_min_max_valid's AssertionError; the fused QAT op's
// ChooseQuantizationParams RuntimeError), and the fused op restarts an infinite running value from
// the batch's. Expected values printed by torch 1.13 (Debian) for these batches; found by the
// differential fuzzer's observer and QAT sections (session 12).
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';

const f32 = (/** @type {number[]} */ a) => Float32Array.from(a);

test('moving-average observers and FakeQuantize with an unordered running range', async (t) => {
  await t.test('should refuse qparams when the running min overflows past max, as torch asserts', () => {
    const obs = new qdq.MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    obs.observe(f32([-3.4e38, 1]));
    obs.observe(f32([3e38, 3e38])); // min + 0.5 * (3e38 + 3.4e38): the difference overflows
    assert.equal(obs.minVal, Infinity); // torch: inf
    assert.equal(obs.maxVal, 1.5000000027488779e38);
    assert.throws(() => obs.calculateQParams(),
      { name: 'RangeError', message: 'qdq-wasm: minVal (Infinity) must not exceed maxVal (1.5000000027488779e+38): the running range is ' +
        "unordered (a moving average can overflow or cancel in float32; torch 1.13's calculate_qparams asserts min <= max); call reset()" });
    obs.observe(f32([1, 2])); // inf + 0.5 * (1 - inf): NaN, as torch's
    assert.ok(Number.isNaN(obs.minVal));
    assert.throws(() => obs.calculateQParams(), { name: 'RangeError', message: /^qdq-wasm: minVal \(NaN\) must not exceed maxVal \(7\.500000013744389e\+37\)/ });
    obs.reset();
    obs.observe(f32([1, 2]));
    assert.deepEqual(obs.calculateQParams(), { scale: 0.007843137718737125, zeroPoint: 0 });
  });

  await t.test('should refuse qparams per channel when cancellation leaves min above max, naming the channel', () => {
    const obs = new qdq.MovingAveragePerChannelMinMaxObserver({ averagingConstant: 1, axis: 1 });
    obs.observe(f32([-1e30, 2, 1e-30, 3]), [2, 2]);
    obs.observe(f32([-0.5, 2.5, -0.5, 3.5]), [2, 2]); // channel 0: -1e30 + (-0.5 + 1e30) = 0, max -0.5
    assert.deepEqual(Array.from(obs.minVal), [0, 2.5]);
    assert.deepEqual(Array.from(obs.maxVal), [-0.5, 3.5]);
    assert.throws(() => obs.calculateQParams(), { name: 'RangeError', message: /^qdq-wasm: minVal\[0\] \(0\) must not exceed maxVal\[0\] \(-0\.5\)/ });
  });

  await t.test("should follow the fused op: refuse an unordered range, then restart an infinite running value from the batch's", () => {
    const fq = new qdq.FakeQuantize({ dtype: 'uint8', averagingConstant: 0.5 });
    let r = fq.forward(f32([-3.4e38, 1]));
    assert.deepEqual(Array.from(r.output), [-3.3999999521443642e38, 0]);
    // torch: RuntimeError 'In ChooseQuantizationParams, min should be less than or equal to max'
    assert.throws(() => fq.forward(f32([3e38, 3e38])),
      { name: 'RangeError', message: /^qdq-wasm: FakeQuantize: the running min \(Infinity\) exceeds the running max \(1\.5000000027488779e\+38\)/ });
    assert.throws(() => fq.calculateQParams(), { name: 'RangeError', message: /^qdq-wasm: minVal \(Infinity\) must not exceed maxVal/ });
    r = fq.forward(f32([1, 2])); // torch's calculate_moving_average: isinf(running min), so min = 1
    assert.equal(fq.observer.minVal, 1);
    assert.equal(fq.observer.maxVal, 7.500000013744389e37);
    assert.deepEqual(fq.qparams, { scale: 2.9411763812150956e35, zeroPoint: 0 });
    assert.deepEqual(Array.from(r.output), [0, 0]);
    assert.deepEqual(fq.calculateQParams(), { scale: 2.9411763812150956e35, zeroPoint: 0 });
  });

  await t.test('should choose qparams only when fake-quantizing, from the running range, the observer on or off, as the fused op', () => {
    // torch 1.13: with fake-quant off the fused op observes and returns x, choosing no qparams (scale stays 1).
    const fq = new qdq.FakeQuantize({ dtype: 'uint8', averagingConstant: 0.5 }).disableFakeQuant();
    fq.forward(f32([-3.4e38, 1]));
    assert.deepEqual(Array.from(fq.forward(f32([3e38, 3e38])).output), [3.0000000054977558e38, 3.0000000054977558e38]);
    assert.equal(fq.qparams, null);
    fq.forward(f32([1, 2]));
    fq.enableFakeQuant();
    assert.deepEqual(Array.from(fq.forward(f32([1, 2])).output), [0, 0]);
    assert.deepEqual([fq.observer.minVal, fq.observer.maxVal], [1, 3.7500000068721947e37]);
    assert.deepEqual(fq.qparams, { scale: 1.4705881906075478e35, zeroPoint: 0 });
    // torch: with the observer off the fused op still chooses qparams from the running range, so an
    // unordered one is refused there too.
    const off = new qdq.FakeQuantize({ dtype: 'uint8', averagingConstant: 0.5 });
    off.forward(f32([-3.4e38, 1]));
    assert.throws(() => off.forward(f32([3e38, 3e38])), { name: 'RangeError' });
    off.disableObserver();
    assert.throws(() => off.forward(f32([1, 2, -5])), { name: 'RangeError', message: /^qdq-wasm: FakeQuantize: the running min \(Infinity\)/ });
    assert.equal(off.observer.minVal, Infinity); // not observed
  });

  await t.test('should average an overflowed channel on per channel (torch restarts only before any data), and restart it in the fused op', () => {
    const obs = new qdq.MovingAveragePerChannelMinMaxObserver({ averagingConstant: 0.5, axis: 0 });
    const fq = new qdq.FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', averagingConstant: 0.5, axis: 0 });
    const batches = [[-3.4e38, 1, 1, 2], [3e38, 3e38, 5, 6], [1, 2, 7, 8]];
    obs.observe(f32(batches[0]), [2, 2]);
    fq.forward(f32(batches[0]), [2, 2]);
    obs.observe(f32(batches[1]), [2, 2]);
    assert.throws(() => fq.forward(f32(batches[1]), [2, 2]), { name: 'RangeError', message: /^qdq-wasm: FakeQuantize: the running min of channel 0 \(Infinity\)/ });
    obs.observe(f32(batches[2]), [2, 2]);
    assert.deepEqual(Array.from(obs.minVal), [NaN, 5]); // torch: [nan, 5.0], [7.5e37, 6.0]
    assert.deepEqual(Array.from(obs.maxVal), [7.500000013744389e37, 6]);
    const { output } = fq.forward(f32(batches[2]), [2, 2]); // torch: [[0, 0], [6, 6]], state [1, 5], [7.5e37, 6]
    assert.deepEqual(Array.from(output), [0, 0, 6, 6]);
    assert.deepEqual(Array.from(fq.observer.minVal), [1, 5]);
    assert.deepEqual(Array.from(fq.observer.maxVal), [7.500000013744389e37, 6]);
    assert.deepEqual(Array.from(fq.qparams.scales), [2.9411763812150956e35, 0.0235294122248888]);
    assert.deepEqual(Array.from(fq.qparams.zeroPoints), [-128, -128]);
  });
});
