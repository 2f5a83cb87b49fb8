// Static quantization with reduced quant ranges (2 to 7 bits through quantMin/quantMax observers)
// against torch 1.13: tests/fixtures/low_bit.json from tests/fixtures/gen_low_bit.py (engine qnnpack).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';

const { nn, QuantStub, DeQuantStub, QConfig, prepare, convert, MinMaxObserver, PerChannelMinMaxObserver } = qdq;

const fx = JSON.parse(readFileSync(new URL('../fixtures/low_bit.json', import.meta.url), 'utf8'));
const bitsF32 = (/** @type {number[]} */ b) => new Float32Array(Uint32Array.from(b).buffer);
const bitsOf = (/** @type {ArrayLike<number>} */ f) => Array.from(new Uint32Array(Float32Array.from(f).buffer));

function model() {
  const m = new nn.Sequential(new QuantStub(), new nn.Linear(8, 6), new nn.ReLU(), new nn.Linear(6, 5), new nn.ReLU(),
    new nn.Linear(5, 3), new DeQuantStub());
  const state = m.stateDict();
  for (const k of Object.keys(state)) state[k].data = bitsF32(fx.params[k]);
  return m.loadStateDict(state).eval();
}

/** The case's qconfig: b-bit symmetric int8 weights, b-bit MinMax quint8 activations. */
function qconfig(/** @type {number} */ b, /** @type {boolean} */ perChannel) {
  const quantMin = -(2 ** (b - 1)), quantMax = 2 ** (b - 1) - 1;
  return new QConfig({
    activation: () => new MinMaxObserver({ dtype: 'uint8', quantMin: 0, quantMax: 2 ** b - 1 }),
    weight: perChannel
      ? () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric', quantMin, quantMax })
      : () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric', quantMin, quantMax }),
  });
}

test('static quantization with reduced quant ranges, as torch 1.13', async (t) => {
  for (const c of fx.cases) {
    await t.test(`${c.bits} bits, ${c.perChannel ? 'per channel' : 'per tensor'}: weights clamped to the observer's range, qparams and outputs bit-exact`, () => {
      const p = prepare(model(), { qconfig: qconfig(c.bits, c.perChannel) });
      p.forward(bitsF32(fx.calibration), 32);
      const q = convert(p);
      assert.equal(bitsOf([q.modules[0].scale])[0], c.inputScale);
      assert.equal(q.modules[0].zeroPoint, c.inputZeroPoint);
      const qmax = 2 ** (c.bits - 1) - 1;
      for (const want of c.layers) {
        const layer = q.modules[Number(want.name)].layer;
        assert.deepEqual(Array.from(layer.weight), want.weightInt8, `layer ${want.name} weights`);
        assert.ok(Array.from(layer.weight).every((v) => v >= -qmax - 1 && v <= qmax));
        const scales = bitsOf(layer.weightScales);
        assert.deepEqual(c.perChannel ? scales : [...new Set(scales)], want.weightScales, `layer ${want.name} weight scales`);
        assert.equal(bitsOf([layer.outputScale])[0], want.scale);
        assert.equal(layer.outputZeroPoint, want.zeroPoint);
      }
      assert.deepEqual(bitsOf(q.forward(bitsF32(fx.x), 7)), c.y);
      q.dispose();
    });
  }
});
