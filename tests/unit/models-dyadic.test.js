// Static quantization bit for bit with torch 1.13 (qnnpack engine) on the dyadic 8-6-5-3 model of
// tests/fixtures/models_dyadic.json (tests/fixtures/gen_dyadic_models.py): every input, weight and
// bias is a small integer times a power of two, so every float sum of the float model is exact in
// any order (the generator checks it against float64). The observed activations are then the same
// bits in torch's float Linear and ours, and the comparison tests the quantization alone, which is
// specified: default Histogram qconfigs (fbgemm, qnnpack) and the MinMax ones, fused and unfused,
// with no tolerance anywhere. (tests/unit/models.test.js keeps the random-data cases, where torch's
// sgemm order moves unfused ranges by ulps, with their justified tolerance.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { bitsF32, bitsOf, FUSE, readFixture, smallModel } from '../helpers/models.js';

const { getDefaultQConfig, getMinMaxQConfig, fuseModules, prepare, convert, activationObserver,
  Quantize, DeQuantize, QuantizedLinearModule } = qdq;

const fixture = readFixture('models_dyadic.json');
const small = fixture.small;

const QCONFIGS = {
  fbgemm: () => getDefaultQConfig('fbgemm'),
  qnnpack: () => getDefaultQConfig('qnnpack'),
  'fbgemm-minmax': () => getMinMaxQConfig('fbgemm'),
  'qnnpack-minmax': () => getMinMaxQConfig('qnnpack'),
};

const model = () => smallModel(small);

test('dyadic fixtures', async (t) => {
  await t.test("should run the float model to torch's exact outputs (the premise: no sum is rounded)", () => {
    assert.deepEqual(bitsOf(model().forward(bitsF32(small.x), small.xShape[0])), small.floatY);
  });
  await t.test('should hold every qconfig, fused and unfused', () => {
    assert.deepEqual(small.static.map((/** @type {any} */ s) => `${s.qconfig} ${s.fused}`),
      ['fbgemm true', 'fbgemm false', 'qnnpack true', 'qnnpack false', 'fbgemm-minmax true', 'fbgemm-minmax false',
        'qnnpack-minmax true', 'qnnpack-minmax false']);
  });
});

test('convert() on dyadic data', async (t) => {
  for (const s of small.static) {
    await t.test(`should match torch bit for bit: ${s.qconfig}, fused ${s.fused}`, () => {
      const m = s.fused ? fuseModules(model(), FUSE) : model();
      const p = prepare(m, { qconfig: QCONFIGS[/** @type {keyof typeof QCONFIGS} */ (s.qconfig)]() });
      for (const b of small.calibration) p.forward(bitsF32(b), small.calibrationShape[0]);
      const mods = s.modules;
      for (const i of [0, 1, 3, 5]) {
        const o = /** @type {any} */ (activationObserver(p.modules[i]));
        assert.deepEqual(bitsOf([o.minVal, o.maxVal]), [mods[i].observed.min, mods[i].observed.max], `${i}: observed range`);
      }
      const c = convert(p);
      try {
        const q = c.modules[0];
        assert.ok(q instanceof Quantize);
        assert.deepEqual([bitsOf([q.scale])[0], q.zeroPoint], [mods[0].scale, mods[0].zeroPoint], 'input scale, zero point');
        for (const i of [1, 3, 5]) {
          const l = /** @type {any} */ (c.modules[i]);
          assert.ok(l instanceof QuantizedLinearModule);
          assert.equal(l.layer.relu, s.fused && i !== 5, `${i}: ReLU fused`);
          assert.deepEqual(Array.from(l.layer.weight), mods[i].weightInt8, `${i}.weight`);
          assert.deepEqual(bitsOf(l.layer.weightScales), mods[i].weightScales.length === 1
            ? new Array(l.outFeatures).fill(mods[i].weightScales[0]) : mods[i].weightScales, `${i}.weight_scale`);
          assert.deepEqual([bitsOf([l.layer.outputScale])[0], l.layer.outputZeroPoint], [mods[i].scale, mods[i].zeroPoint], `${i}: scale, zero point`);
          assert.deepEqual(Array.from(l.layer.biasInt32), mods[i].biasInt32, `${i}.bias_int32`);
        }
        // Every module's output on x, whose last row clips at every layer.
        let act = /** @type {any} */ (bitsF32(small.x));
        for (let i = 0; i <= 5; i++) {
          act = c.modules[i].forward(act, small.xShape[0]);
          assert.deepEqual(Array.from(act.data), mods[i].output, `module ${i} (${mods[i].type}) output`);
        }
        assert.ok(c.modules[6] instanceof DeQuantize);
        assert.deepEqual(bitsOf(c.modules[6].forward(act, small.xShape[0])), s.y, 'outputs');
      } finally {
        c.dispose();
      }
    });
  }
});
