// torch.nn's pieces on bad input: SGD's gradients, hyperparameters and
// parameters; backward()'s dy and batch; nn.Linear's options; ReLU's
// quantized activations; FakeQuantize.backward; crossEntropyLoss; state dicts
// of typed-array subclasses; and the dispose() contract of every module.
// Each error is a TypeError (wrong kind) or RangeError (bad value) starting
// with "qdq-wasm: " that names the argument, and nothing changes when one is thrown.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { throwsQdq } from '../helpers/throws-qdq.js';

const { nn } = qdq;

/** A 2 -> 2 Linear with weights [1, 2, 3, 4] and no bias, and its parameters. */
function linear() {
  const l = new nn.Linear(2, 2, { bias: false });
  l.weight = Float32Array.of(1, 2, 3, 4);
  return { l, params: l.parameters() };
}

test('nn.SGD', async (t) => {
  const badGrads = [
    ['a Float64Array of ones (its bytes are not float32)', Float64Array.of(1, 1, 1, 1), TypeError, /^qdq-wasm: weight\.grad \(params\[0\]\) must be a Float32Array, got Float64Array\(4\)$/],
    ['an Int8Array', Int8Array.of(1, 1, 1, 1), TypeError, /weight\.grad \(params\[0\]\) must be a Float32Array, got Int8Array\(4\)/],
    ['a plain array', [1, 1, 1, 1], TypeError, /weight\.grad \(params\[0\]\) must be a Float32Array, got Array\(4\)/],
    ['a number', 1, TypeError, /weight\.grad \(params\[0\]\) must be a Float32Array, got 1/],
    ['a Float32Array of another length', new Float32Array(3), RangeError, /weight\.grad \(params\[0\]\) has 3 values; the parameter has 4/],
  ];
  for (const [what, grad, Type, pattern] of badGrads) {
    await t.test(`should refuse a gradient that is ${what}, changing nothing`, () => {
      const { l, params } = linear();
      params[0].grad = /** @type {any} */ (grad);
      const opt = new nn.SGD(params, { lr: 0.1 });
      throwsQdq(() => opt.step(), Type, pattern);
      assert.deepEqual([...l.weight], [1, 2, 3, 4]);
      params[0].grad = new Float32Array(4).fill(1);
      opt.step();
      assert.deepEqual([...l.weight], [1, 2, 3, 4].map((w) => Math.fround(w - Math.fround(0.1))));
      opt.dispose();
    });
  }

  await t.test('should check every gradient before it changes any parameter', () => {
    const l = new nn.Linear(2, 1);
    l.weight = Float32Array.of(1, 2);
    const [w, b] = l.parameters();
    w.grad = Float32Array.of(1, 1);
    b.grad = /** @type {any} */ (Float64Array.of(1));
    throwsQdq(() => new nn.SGD(l.parameters(), { lr: 1 }).step(), TypeError, /bias\.grad \(params\[1\]\) must be a Float32Array, got Float64Array\(1\)/);
    assert.deepEqual([...l.weight], [1, 2], 'the weight was updated before the bias gradient was refused');
  });

  const badOptions = [
    ['lr -1', { lr: -1 }, RangeError, /^qdq-wasm: lr must be >= 0, got -1 \(torch\.optim\.SGD: "Invalid learning rate: -1"\)$/],
    ['momentum -1', { lr: 1, momentum: -1 }, RangeError, /^qdq-wasm: momentum must be >= 0, got -1/],
    ['weightDecay -1', { lr: 1, weightDecay: -1 }, RangeError, /^qdq-wasm: weightDecay must be >= 0, got -1/],
    ['lr NaN', { lr: NaN }, RangeError, /^qdq-wasm: lr must be finite, got NaN/],
    ['lr missing', {}, TypeError, /^qdq-wasm: lr must be a number, got undefined/],
    ['lr null (a required option)', { lr: null }, TypeError, /^qdq-wasm: lr must be a number, got null/],
    ['lr as a string', { lr: '0.1' }, TypeError, /^qdq-wasm: lr must be a number, got "0.1"/],
  ];
  for (const [what, opts, Type, pattern] of badOptions) {
    await t.test(`should refuse ${what}`, () => throwsQdq(() => new nn.SGD(linear().params, /** @type {any} */ (opts)), Type, pattern));
  }
  await t.test('should take lr 0, and null for an optional option as not given', () => {
    const { l, params } = linear();
    const opt = new nn.SGD(params, { lr: 0, momentum: /** @type {any} */ (null), weightDecay: /** @type {any} */ (null) });
    assert.deepEqual([opt.lr, opt.momentum, opt.weightDecay], [0, 0, 0]);
    params[0].grad = new Float32Array(4).fill(1);
    opt.step();
    assert.deepEqual([...l.weight], [1, 2, 3, 4]);
  });

  const badParams = [
    ['[null]', [null], /^qdq-wasm: params\[0\] must be a parameter of model\.parameters\(\) .*got null$/],
    ['[{}]', [{}], /params\[0\] must be a parameter of model\.parameters\(\).*got Object/],
    ['[parameter, 5]', 'mixed', /params\[1\] must be a parameter .*got 5/],
  ];
  for (const [what, params, pattern] of badParams) {
    await t.test(`should refuse params ${what} when constructed, with a TypeError naming the entry`, () => {
      const p = params === 'mixed' ? [linear().params[0], 5] : params;
      throwsQdq(() => new nn.SGD(/** @type {any} */ (p), { lr: 1 }), TypeError, pattern);
    });
  }
  await t.test('should refuse a parameter replaced by null after construction when it steps', () => {
    const { params } = linear();
    const list = [...params];
    const opt = new nn.SGD(list, { lr: 1 });
    list[0] = /** @type {any} */ (null);
    throwsQdq(() => opt.step(), TypeError, /params\[0\] must be a parameter .*got null/);
  });

  await t.test('should free its momentum buffers on dispose(), and refuse step() afterwards', () => {
    const { l, params } = linear();
    params[0].grad = new Float32Array(4).fill(1);
    const opt = new nn.SGD(params, { lr: 0.1, momentum: 0.9 });
    opt.step();
    assert.equal(opt.disposed, false);
    opt[Symbol.dispose]();
    opt.dispose();
    assert.equal(opt.disposed, true);
    assert.throws(() => opt.step(), { name: 'Error', message: 'qdq-wasm: this SGD was disposed; create a new one' });
    assert.equal(l.weight.length, 4);
  });
});

test('backward() arguments', async (t) => {
  const fc = new nn.Linear(4, 3).train();
  const relu = new nn.ReLU().train();
  const fused = new nn.LinearReLU(4, 3).train();
  fc.forward(new Float32Array(8), 2);
  relu.forward(Float32Array.of(1, -1, 2, -2, 3, -3));
  fused.forward(new Float32Array(8), 2);
  const cases = [
    ['Linear: dy a Float64Array', () => fc.backward(/** @type {any} */ (new Float64Array(6)), 2), TypeError, /^qdq-wasm: dy must be a Float32Array, got Float64Array\(6\)$/],
    ['Linear: dy null', () => fc.backward(/** @type {any} */ (null), 2), TypeError, /^qdq-wasm: dy must be a Float32Array, got null$/],
    ['Linear: batch "2"', () => fc.backward(new Float32Array(6), /** @type {any} */ ('2')), TypeError, /^qdq-wasm: batch must be a number, got "2"$/],
    ['Linear: batch 2n', () => fc.backward(new Float32Array(6), /** @type {any} */ (2n)), TypeError, /^qdq-wasm: batch must be a number, got 2n \(a BigInt\)$/],
    ['Linear: batch missing', () => /** @type {any} */ (fc).backward(new Float32Array(6)), TypeError, /^qdq-wasm: batch must be a number, got undefined$/],
    ['Linear: batch 1.5', () => fc.backward(new Float32Array(6), 1.5), RangeError, /^qdq-wasm: batch must be an integer in \[0, \d+\], got 1.5$/],
    ['Linear: batch that differs from the forward\'s', () => fc.backward(new Float32Array(9), 3), RangeError, /Linear\.backward needs dy of batch \* 3 floats for the last forward's 2 rows, got Float32Array\(9\) with batch 3/],
    ['Linear: inputGrad "yes"', () => fc.backward(new Float32Array(6), 2, /** @type {any} */ ('yes')), TypeError, /^qdq-wasm: inputGrad must be a boolean, got "yes"$/],
    ['Sequential: inputGrad "no"', () => new nn.Sequential(fc).backward(new Float32Array(6), 2, /** @type {any} */ ('no')), TypeError, /^qdq-wasm: inputGrad must be a boolean, got "no"$/],
    ['ReLU: dy a plain array', () => relu.backward(/** @type {any} */ ([1, 2, 3, 4, 5, 6])), TypeError, /^qdq-wasm: dy must be a Float32Array, got Array\(6\)$/],
    ['ReLU: dy an Int8Array', () => relu.backward(/** @type {any} */ (new Int8Array(6))), TypeError, /^qdq-wasm: dy must be a Float32Array, got Int8Array\(6\)$/],
    ['ReLU: dy of another length', () => relu.backward(new Float32Array(5)), RangeError, /^qdq-wasm: ReLU\.backward needs dy of 6 floats/],
    ['LinearReLU: dy a Float64Array', () => fused.backward(/** @type {any} */ (new Float64Array(6)), 2), TypeError, /^qdq-wasm: dy must be a Float32Array, got Float64Array\(6\)$/],
    ['LinearReLU: dy of another length', () => fused.backward(new Float32Array(5), 2), RangeError, /^qdq-wasm: LinearReLU\.backward needs dy of 6 floats/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what}`, () => {
      throwsQdq(call, Type, pattern);
      assert.equal(fc.backward(new Float32Array(6), 2)?.length, 8);
    });
  }
});

test('forward() and constructor arguments of nn modules', async (t) => {
  const relu = new nn.ReLU();
  const cases = [
    ['ReLU.forward({ zeroPoint: 0 }) (no data)', () => relu.forward(/** @type {any} */ ({ zeroPoint: 0 })), TypeError, /^qdq-wasm: x\.data must be an Int8Array or Uint8Array, got undefined$/],
    ['ReLU.forward of a quantized activation with a zero point outside its dtype', () => relu.forward(/** @type {any} */ ({ data: new Int8Array(2), scale: 1, zeroPoint: 200, dtype: 'int8' })),
      RangeError, /^qdq-wasm: x\.zeroPoint must be an integer in \[-128, 127\], got 200$/],
    ['ReLU.forward of a quantized activation with a string zero point', () => relu.forward(/** @type {any} */ ({ data: new Uint8Array(2), scale: 1, zeroPoint: '1', dtype: 'uint8' })),
      TypeError, /^qdq-wasm: x\.zeroPoint must be a number, got "1"$/],
    ['ReLU.forward(null)', () => relu.forward(/** @type {any} */ (null)), TypeError, /^qdq-wasm: ReLU\.forward: x must be a Float32Array or a quantized activation .*got null$/],
    ['Linear.forward of a Float64Array', () => new nn.Linear(2, 1).forward(/** @type {any} */ (new Float64Array(2))), TypeError, /^qdq-wasm: Linear\.forward: x must be a Float32Array, got Float64Array\(2\)$/],
    ['new nn.Linear(4, 3, null)', () => new nn.Linear(4, 3, /** @type {any} */ (null)), TypeError, /^qdq-wasm: options must be an options object, got null$/],
    ['new nn.Linear(4, 3, 5)', () => new nn.Linear(4, 3, /** @type {any} */ (5)), TypeError, /^qdq-wasm: options must be an options object, got 5$/],
    ['new nn.Linear(4, 3, { bias: 0 })', () => new nn.Linear(4, 3, /** @type {any} */ ({ bias: 0 })), TypeError, /^qdq-wasm: bias must be a boolean, got 0$/],
    ['new nn.Linear(4, 3, { bias: "false" })', () => new nn.Linear(4, 3, /** @type {any} */ ({ bias: 'false' })), TypeError, /^qdq-wasm: bias must be a boolean, got "false"$/],
    ['new nn.Linear(4, 3, { Bias: false })', () => new nn.Linear(4, 3, /** @type {any} */ ({ Bias: false })), TypeError, /^qdq-wasm: unknown option 'Bias' in options; did you mean 'bias'\?/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what}`, () => throwsQdq(call, Type, pattern));
  }
  await t.test('should take bias true, false, undefined and null (not given: the default, true)', () => {
    assert.equal(new nn.Linear(4, 3, { bias: true }).bias?.length, 3);
    assert.equal(new nn.Linear(4, 3, { bias: false }).bias, null);
    assert.equal(new nn.Linear(4, 3).bias?.length, 3);
    assert.equal(new nn.Linear(4, 3, { bias: /** @type {any} */ (null) }).bias?.length, 3);
  });
  await t.test('should still take quantized activations in ReLU.forward', () => {
    const y = relu.forward({ data: Uint8Array.of(1, 5, 9), scale: 0.5, zeroPoint: 5, dtype: 'uint8' });
    assert.deepEqual([...y.data], [5, 5, 9]);
    assert.equal(y.data.constructor, Uint8Array);
  });
});

test('FakeQuantize.backward()', async (t) => {
  const fq = new qdq.FakeQuantize({ dtype: 'int8' });
  fq.forward(Float32Array.of(1, 2, 3, 4, 5, 6));
  const cases = [
    ['a dy shorter than the mask', () => fq.backward(new Float32Array(5)), RangeError, /^qdq-wasm: FakeQuantize\.backward needs dy of 6 values \(its last forward's input\), got 5$/],
    ['null', () => fq.backward(/** @type {any} */ (null)), TypeError, /^qdq-wasm: dy must be a Float32Array, got null$/],
    ['a Float64Array', () => fq.backward(/** @type {any} */ (new Float64Array(6))), TypeError, /^qdq-wasm: dy must be a Float32Array, got Float64Array\(6\)$/],
    ['a plain array', () => fq.backward(/** @type {any} */ ([1, 2, 3, 4, 5, 6])), TypeError, /^qdq-wasm: dy must be a Float32Array, got Array\(6\)$/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what}`, () => {
      throwsQdq(call, Type, pattern);
      assert.deepEqual(fq.backward(new Float32Array(6).fill(2)), new Float32Array(6).fill(2));
    });
  }
  await t.test('should zero dy where the last forward clamped', () => {
    const f = new qdq.FakeQuantize({ dtype: 'uint8', quantMin: 0, quantMax: 255 });
    f.forward(Float32Array.of(0, 1));
    f.disableObserver();
    f.forward(Float32Array.of(0, 0.5, 1e9));
    assert.deepEqual([...f.backward(Float32Array.of(1, 2, 3))], [1, 2, 0]);
  });
});

test('nn.crossEntropyLoss()', async (t) => {
  const cases = [
    ['logits whose length is not a multiple of classes', () => nn.crossEntropyLoss(new Float32Array(7), [0, 1], 3), RangeError,
      /^qdq-wasm: logits must have batch \* classes values, and 7 is not a multiple of classes \(3\)$/],
    ['logits of the wrong type', () => nn.crossEntropyLoss(/** @type {any} */ (new Float64Array(6)), [0, 1], 3), TypeError, /^qdq-wasm: logits must be a Float32Array, got Float64Array\(6\)$/],
    ['targets 5', () => nn.crossEntropyLoss(new Float32Array(6), /** @type {any} */ (5), 3), TypeError, /^qdq-wasm: targets must be an array of class indices, got 5$/],
    ['targets null', () => nn.crossEntropyLoss(new Float32Array(6), /** @type {any} */ (null), 3), TypeError, /^qdq-wasm: targets must be an array of class indices, got null$/],
    ['targets as a string', () => nn.crossEntropyLoss(new Float32Array(6), /** @type {any} */ ('01'), 3), TypeError, /^qdq-wasm: targets must be an array of class indices, got "01"$/],
    ['targets of another count', () => nn.crossEntropyLoss(new Float32Array(6), [0, 1, 2], 3), RangeError, /^qdq-wasm: targets must have batch = 2 values \(one per row of logits\), got 3$/],
    ['a target out of range', () => nn.crossEntropyLoss(new Float32Array(6), Int32Array.of(0, 3), 3), RangeError, /^qdq-wasm: targets\[1\] must be an integer in \[0, 2\], got 3$/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what}`, () => throwsQdq(call, Type, pattern));
  }
  await t.test('should take targets as a typed array too', () => {
    assert.deepEqual(nn.crossEntropyLoss(Float32Array.of(1, 2, 0, 0), Uint8Array.of(1, 0), 2), nn.crossEntropyLoss(Float32Array.of(1, 2, 0, 0), [1, 0], 2));
  });
});

test('loadStateDict() of typed-array subclasses', async (t) => {
  await t.test('should take a Float32Array subclass (as the rest of the API does) and still refuse another type', () => {
    class F32 extends Float32Array {}
    const m = new nn.Linear(2, 1);
    m.loadStateDict({ weight: { shape: [1, 2], data: F32.of(1, 2) }, bias: { shape: [1], data: F32.of(3) } });
    assert.deepEqual([...m.weight, ...(m.bias ?? [])], [1, 2, 3]);
    assert.deepEqual([...m.forward(Float32Array.of(1, 1))], [6]);
    throwsQdq(() => m.loadStateDict({ weight: { shape: [1, 2], data: Float64Array.of(1, 2) }, bias: { shape: [1], data: F32.of(3) } }), TypeError,
      /^qdq-wasm: state\['weight'\]\.data must be a Float32Array, got Float64Array\(2\)$/);
  });
});

test('dispose() of nn modules', async (t) => {
  /** @returns {[string, () => any, (m: any) => any][]} */
  const modules = () => [
    ['Linear', () => new nn.Linear(2, 2), (m) => m.forward(Float32Array.of(1, 2))],
    ['LinearReLU', () => new nn.LinearReLU(2, 2), (m) => m.forward(Float32Array.of(1, 2))],
    ['ReLU', () => new nn.ReLU(), (m) => m.forward(Float32Array.of(1, 2))],
    ['Identity', () => new nn.Identity(), (m) => m.forward(Float32Array.of(1, 2))],
    ['Sequential', () => new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()), (m) => m.forward(Float32Array.of(1, 2))],
    ['Sequential of ReLUs', () => new nn.Sequential(new nn.ReLU()), (m) => m.forward(Float32Array.of(1, 2), 1)],
    ['QuantStub', () => new qdq.QuantStub(), (m) => m.forward(Float32Array.of(1, 2))],
    ['Quantize', () => new qdq.Quantize(0.1, 0, 'int8'), (m) => m.forward(Float32Array.of(1, 2))],
    ['DeQuantize', () => new qdq.DeQuantize(), (m) => m.forward({ data: Int8Array.of(1, 2), scale: 1, zeroPoint: 0, dtype: 'int8' })],
    ['quantizeDynamic model', () => qdq.quantizeDynamic(new nn.Sequential(new nn.Linear(2, 2))), (m) => m.forward(Float32Array.of(1, 2))],
  ];
  for (const [name, make, use] of modules()) {
    await t.test(`should make a ${name} unusable: forward, clone and stateDict throw, disposed is true`, () => {
      const m = make();
      use(m);
      assert.equal(m.disposed, false);
      m.dispose();
      m.dispose();
      assert.equal(m.disposed, true);
      for (const [what, f] of [['forward', () => use(m)], ['clone', () => m.clone()], ['stateDict', () => m.stateDict()]]) {
        assert.throws(f, { name: 'Error', message: new RegExp(`^qdq-wasm: this \\w+ was disposed; create a new one$`) }, `${what} after dispose`);
      }
    });
  }
  await t.test('should dispose the children of a Sequential, and make backward and loadStateDict throw', () => {
    const fc = new nn.Linear(2, 2);
    const seq = new nn.Sequential(fc, new nn.ReLU()).train();
    const sd = seq.stateDict();
    seq.forward(Float32Array.of(1, 2), 1);
    seq[Symbol.dispose]();
    assert.equal(fc.disposed, true);
    assert.throws(() => fc.forward(Float32Array.of(1, 2)), { message: 'qdq-wasm: this Linear was disposed; create a new one' });
    assert.throws(() => seq.backward(Float32Array.of(1, 1), 1), { message: 'qdq-wasm: this Sequential was disposed; create a new one' });
    assert.throws(() => fc.backward(Float32Array.of(1, 1), 1), { message: 'qdq-wasm: this Linear was disposed; create a new one' });
    assert.throws(() => seq.loadStateDict(sd), { message: 'qdq-wasm: this Sequential was disposed; create a new one' });
    assert.throws(() => qdq.saveModel(seq), { message: 'qdq-wasm: this Sequential was disposed; create a new one' });
  });
});
