// clone() of observers and FakeQuantize, and of prepared models: a copy carries the state seen so
// far and is observed on independently from then on, as torch's deepcopy of an observer or of a
// prepared model (js/ops/copy-state.js, js/nn/module.js copyPrepared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';

const { nn, QuantStub, DeQuantStub, MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver, HistogramObserver, PercentileObserver, EntropyObserver, FakeQuantize,
  prepare, prepareQat, convert, getMinMaxQConfig, getDefaultQatQConfig, QConfig, activationObserver } = qdq;

let seed = 11;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
/** @param {number} n @param {number} scale */
const batch = (n, scale) => Float32Array.from({ length: n }, () => rand() * scale);
const SHAPE = [4, 16];
const [A, B, C] = [batch(64, 2), batch(64, 5), batch(64, 40)];

/** What an observer shows of its state, without changing it. @param {any} o */
function stateOf(o) {
  const obs = o instanceof FakeQuantize ? o.observer : o;
  const h = 'histogram' in obs ? Array.from(obs.histogram) : null;
  return JSON.stringify({ q: o.calculateQParams(), min: obs.minVal, max: obs.maxVal, h }, (_, v) => (ArrayBuffer.isView(v) ? Array.from(/** @type {any} */ (v)) : v));
}

const KINDS = /** @type {[string, () => any, boolean][]} */ ([
  ['MinMaxObserver', () => new MinMaxObserver(), false],
  ['MovingAverageMinMaxObserver', () => new MovingAverageMinMaxObserver(), false],
  ['PerChannelMinMaxObserver', () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' }), true],
  ['MovingAveragePerChannelMinMaxObserver', () => new MovingAveragePerChannelMinMaxObserver(), true],
  ['HistogramObserver', () => new HistogramObserver({ bins: 64 }), false],
  ['PercentileObserver', () => new PercentileObserver({ percentile: 99 }), false],
  ['EntropyObserver', () => new EntropyObserver({ bins: 256 }), false],
  ['FakeQuantize per tensor', () => new FakeQuantize(), true],
  ['FakeQuantize per channel', () => new FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', quantMin: -128, quantMax: 127 }), true],
]);

test('observer clone()', async (t) => {
  for (const [name, make, shaped] of KINDS) {
    await t.test(`${name}: should carry the state seen so far, then observe on its own`, () => {
      const feed = (/** @type {any} */ o, /** @type {Float32Array} */ x) => (o instanceof FakeQuantize ? o.forward(x, SHAPE) : shaped ? o.observe(x, SHAPE) : o.observe(x));
      const original = make();
      feed(original, A);
      const copy = original.clone();
      assert.equal(copy.constructor, original.constructor);
      assert.notEqual(copy, original);
      // Both then see B: each ends where one observer fed A then B ends.
      const reference = make();
      feed(reference, A);
      feed(reference, B);
      feed(original, B);
      feed(copy, B);
      assert.equal(stateOf(copy), stateOf(reference));
      assert.equal(stateOf(original), stateOf(reference));
      // Only the copy sees C: the original is unchanged, the copy moved.
      const before = stateOf(original);
      feed(copy, C);
      assert.equal(stateOf(original), before);
      assert.notEqual(stateOf(copy), before);
    });
  }
});

test('clone() of a prepared model', async (t) => {
  const model = () => {
    const m = new nn.Sequential(new QuantStub(), new nn.Linear(16, 8), new nn.ReLU(), new nn.Linear(8, 3), new DeQuantStub());
    for (const l of [/** @type {any} */ (m.modules[1]), /** @type {any} */ (m.modules[3])]) {
      l.weight.set(batch(l.weight.length, 1));
      l.bias.set(batch(l.bias.length, 0.1));
    }
    return m;
  };
  await t.test('should copy each observer with its range, so that calibrating the copy leaves the model as it was', () => {
    const p = prepare(model().eval(), { qconfig: getMinMaxQConfig('qnnpack') });
    p.forward(A, 4);
    const c = p.clone();
    assert.deepEqual([activationObserver(c.modules[1])?.maxVal, activationObserver(c.modules[0])?.minVal],
      [activationObserver(p.modules[1])?.maxVal, activationObserver(p.modules[0])?.minVal]);
    const range = activationObserver(p.modules[0])?.maxVal;
    c.forward(C, 4);
    assert.equal(activationObserver(p.modules[0])?.maxVal, range);
    assert.ok(/** @type {number} */ (activationObserver(c.modules[0])?.maxVal) > /** @type {number} */ (range));
    for (const m of [p, c]) m.dispose();
  });
  await t.test('should copy a QAT model\'s fake-quantizers, so that training the copy leaves the model as it was', () => {
    const p = prepareQat(model().train(), { qconfig: getDefaultQatQConfig('qnnpack') });
    p.forward(A, 4);
    const c = p.clone();
    /** Every fake-quantizer's state: the activations' and the weights'. @param {any} m */
    const states = (m) => [0, 1, 3].map((i) => stateOf(activationObserver(m.modules[i])))
      .concat([1, 3].map((i) => stateOf(m.modules[i].weightFakeQuant)));
    assert.ok(/** @type {any} */ (c.modules[1]).weightFakeQuant instanceof FakeQuantize);
    assert.notEqual(/** @type {any} */ (c.modules[1]).weightFakeQuant, /** @type {any} */ (p.modules[1]).weightFakeQuant);
    const before = states(p);
    assert.deepEqual(states(c), before);
    // FakeQuantize observes whenever its observer is enabled (as torch's, in eval mode too).
    c.forward(C, 4);
    assert.deepEqual(states(p), before, 'the model moved when its copy saw other data');
    assert.notDeepEqual(states(c), before);
    const a = convert(p.eval()), b = convert(c.eval());
    assert.notDeepEqual(b.forward(B, 4), a.forward(B, 4));
    for (const m of [p, c, a, b]) m.dispose();
  });
  await t.test('should refuse an observer of your own without clone(), naming it', () => {
    class Plain { observe(/** @type {Float32Array} */ x) { return x; } calculateQParams() { return { scale: 1, zeroPoint: 0 }; } }
    const qconfig = new QConfig({ activation: () => new Plain(), weight: () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }) });
    const p = prepare(model().eval(), { qconfig });
    assert.throws(() => p.clone(), (e) => e instanceof TypeError && /this QuantStub's observer, a Plain, has no clone\(\) method/.test(e.message));
    p.dispose();
  });
});
