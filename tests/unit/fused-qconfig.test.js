// A Linear's own qconfig after fuseModules(), as torch 1.13 handles it: the fused nni.LinearReLU has
// no qconfig of its own (it inherits its parent's) and keeps the Linear, with its qconfig, as [0].
// Static prepare() observes the output with the LinearReLU's (the parent's) activation observer and
// convert() quantizes the weights with the inner Linear's weight observer; prepare_qat() swaps the
// LinearReLU for a QAT one built from the inner Linear's qconfig, activation and weight. Expected
// values printed by torch 1.13 (Debian) for this model; found by the model workflow fuzzer (session 12).
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { bitsOf } from '../helpers/models.js';

const { nn, QuantStub, DeQuantStub, QConfig, MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver, FakeQuantize,
  getDefaultQatQConfig, getWeightOnlyQConfig, fuseModules, prepare, prepareQat, convert, activationObserver } = qdq;

function model() {
  const m = new nn.Sequential(new QuantStub(), new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2), new DeQuantStub()).eval();
  m.loadStateDict({
    '1.weight': { shape: [4, 3], data: Float32Array.of(0.5, -0.25, 1, 0.75, 0.5, -0.5, -1, 0.25, 0.25, 0.25, 1, -0.75) },
    '1.bias': { shape: [4], data: Float32Array.of(0.125, -0.25, 0.0625, 0.5) },
    '3.weight': { shape: [2, 4], data: Float32Array.of(0.5, -0.5, 0.25, 1, -0.25, 0.75, 0.5, -1) },
    '3.bias': { shape: [2], data: Float32Array.of(0.0625, -0.125) },
  });
  return m;
}
const own = () => new QConfig({ activation: () => new MinMaxObserver(), weight: () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' }) });
const parent = () => new QConfig({ activation: () => new MovingAverageMinMaxObserver({ averagingConstant: 0.5 }),
  weight: () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }) });

test("fuseModules keeps a Linear's own qconfig where torch 1.13 does", async (t) => {
  await t.test("should observe with the parent's activation observer and quantize weights with the Linear's own", () => {
    const m = model();
    m.modules[1].qconfig = own();
    const p = prepare(fuseModules(m, [['1', '2']]), { qconfig: parent() });
    for (const b of [[1, -2, 0.5, 2, 1, -1], [-1.5, 0.25, 2, 0.5, 0.5, 0.5]]) p.forward(Float32Array.from(b), 2);
    const obs = /** @type {any} */ (activationObserver(p.modules[1]));
    assert.ok(obs instanceof MovingAverageMinMaxObserver, obs.constructor.name); // torch: MovingAverageMinMaxObserver
    assert.deepEqual([obs.minVal, obs.maxVal], [0, 2.28125]);
    const q = convert(p);
    try {
      const l = /** @type {any} */ (q.modules[1]).layer;
      assert.deepEqual([l.outputScale, l.outputZeroPoint], [0.008946078829467297, 0]);
      assert.deepEqual(Array.from(l.weightScales), [0.007843137718737125, 0.0058823530562222, 0.007843137718737125, 0.007843137718737125]);
      assert.deepEqual(bitsOf(q.forward(Float32Array.of(1, 0.5, -0.5, -2, 1.5, 0.25), 2)), [1066934818, 3212816304, 1069280750, 3199735832]);
    } finally {
      q.dispose();
    }
  });

  await t.test("should take the Linear's own QAT qconfig for both activation and weight in prepareQat", () => {
    const m = model().train();
    m.modules[1].qconfig = getDefaultQatQConfig('fbgemm');
    const p = prepareQat(fuseModules(m, [['1', '2']]), { qconfig: getDefaultQatQConfig('qnnpack') });
    const fq = /** @type {any} */ (activationObserver(p.modules[1]));
    assert.ok(fq instanceof FakeQuantize);
    assert.deepEqual([fq.quantMin, fq.quantMax], [0, 127]); // torch: fbgemm's reduce_range activations
    assert.equal(/** @type {any} */ (p.modules[1]).weightFakeQuant.perChannel, true); // torch: per_channel_symmetric
  });

  await t.test('should keep the qconfig through clone()', () => {
    const m = model();
    m.modules[1].qconfig = own();
    const f = fuseModules(m, [['1', '2']]).clone();
    const p = prepare(f, { qconfig: parent() });
    p.forward(Float32Array.of(1, -2, 0.5), 1);
    const q = convert(p);
    try {
      assert.equal(/** @type {any} */ (q.modules[1]).layer.weightScales[1], 0.0058823530562222);
    } finally {
      q.dispose();
    }
  });

  await t.test("should refuse in prepare() and prepareQat() a Linear's weight-only qconfig kept through fusion, as before fusion", () => {
    const m = model();
    m.modules[1].qconfig = getWeightOnlyQConfig({ bits: 4, blockSize: 32 });
    const f = fuseModules(m, [['1', '2']]);
    assert.throws(() => prepare(f, { qconfig: parent() }), { name: 'TypeError', message: /LinearReLU's Linear had a weight-only qconfig/ });
    assert.throws(() => prepareQat(f.train(), { qconfig: getDefaultQatQConfig('qnnpack') }),
      { name: 'TypeError', message: /LinearReLU's Linear had a weight-only qconfig/ });
    assert.equal(/** @type {any} */ (f.modules[1]).linearQConfig.bits, 4); // f itself is left as it was
  });

  await t.test("should refuse a Linear's qconfig that is not one when fusing, naming it", () => {
    const m = model();
    m.modules[1].qconfig = /** @type {any} */ ({ bits: 4 });
    assert.throws(() => fuseModules(m, [['1', '2']]), { name: 'TypeError', message: /a Linear's qconfig must be a QConfig .* got Object/ });
  });
});
