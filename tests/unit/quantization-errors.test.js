// The converted modules (Quantize, QuantizedLinearModule,
// DynamicQuantizedLinearModule) check their constructor arguments when they
// are built, not at their first forward(): a TypeError (wrong kind) or
// RangeError (bad value) naming the argument. tests/unit/model-tree.test.js
// has loadModel()'s hostile module trees.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { throwsQdq } from '../helpers/throws-qdq.js';

const weight = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
const bias = Float32Array.of(0.5, -0.25);
const staticLayer = () => qdq.QuantizedLinear.fromFloat(weight, bias, { inFeatures: 4, outFeatures: 2, inputScale: 0.1, outputScale: 0.1 });
const dynamicLayer = () => qdq.DynamicQuantizedLinear.fromFloat(weight, bias, { inFeatures: 4, outFeatures: 2 });

test('converted modules check their constructor arguments', async (t) => {
  const cases = [
    ['Quantize with scale -1', () => new qdq.Quantize(-1, 0, 'int8'), RangeError, /^qdq-wasm: scale must be finite and > 0 \(as a float32\), got -1$/],
    ['Quantize with scale NaN', () => new qdq.Quantize(NaN, 0, 'int8'), RangeError, /^qdq-wasm: scale must be finite and > 0/],
    ['Quantize with scale "0.1"', () => new qdq.Quantize(/** @type {any} */ ('0.1'), 0, 'int8'), TypeError, /^qdq-wasm: scale must be a number, got "0.1"$/],
    ['Quantize with zero point 999', () => new qdq.Quantize(0.1, 999, 'uint8'), RangeError, /^qdq-wasm: zeroPoint must be an integer in \[0, 255\], got 999$/],
    ['Quantize with zero point 128 for int8', () => new qdq.Quantize(0.1, 128, 'int8'), RangeError, /^qdq-wasm: zeroPoint must be an integer in \[-128, 127\], got 128$/],
    ['Quantize with zero point null (required)', () => new qdq.Quantize(0.1, /** @type {any} */ (null), 'int8'), TypeError, /^qdq-wasm: zeroPoint must be a number, got null$/],
    ['Quantize with dtype "int4"', () => new qdq.Quantize(0.1, 0, /** @type {any} */ ('int4')), RangeError, /^qdq-wasm: dtype must be one of 'int8', 'uint8', got "int4"$/],
    ['Quantize with dtype missing', () => new /** @type {any} */ (qdq.Quantize)(0.1, 0), TypeError, /^qdq-wasm: dtype must be one of 'int8', 'uint8', got undefined$/],
    ['QuantizedLinearModule(null)', () => new qdq.QuantizedLinearModule(/** @type {any} */ (null), null), TypeError,
      /^qdq-wasm: QuantizedLinearModule's layer must be a QuantizedLinear \(QuantizedLinear\.fromFloat or \.fromQuantized\), got null$/],
    ['QuantizedLinearModule({})', () => new qdq.QuantizedLinearModule(/** @type {any} */ ({}), null), TypeError, /layer must be a QuantizedLinear .*got Object$/],
    ['QuantizedLinearModule of a DynamicQuantizedLinear', () => new qdq.QuantizedLinearModule(/** @type {any} */ (dynamicLayer()), null), TypeError, /layer must be a QuantizedLinear/],
    ['QuantizedLinearModule with a Float64Array bias', () => new qdq.QuantizedLinearModule(staticLayer(), /** @type {any} */ (new Float64Array(2))), TypeError,
      /^qdq-wasm: bias must be a Float32Array, got Float64Array\(2\)$/],
    ['QuantizedLinearModule with a bias of another length', () => new qdq.QuantizedLinearModule(staticLayer(), new Float32Array(3)), RangeError,
      /^qdq-wasm: bias must have outFeatures = 2 elements, got 3$/],
    ['QuantizedLinearModule with a NaN bias', () => new qdq.QuantizedLinearModule(staticLayer(), Float32Array.of(0, NaN)), RangeError, /^qdq-wasm: bias\[1\] is NaN; biases must be finite$/],
    ['QuantizedLinearModule with a bias the layer was not built from', () => new qdq.QuantizedLinearModule(staticLayer(), Float32Array.of(0.5, 7)), RangeError,
      /^qdq-wasm: bias\[1\] \(7\) quantized with inputScale \* weightScales\[1\] gives \d+, but the layer's biasInt32\[1\] is -?\d+: pass the bias the layer was built from$/],
    ['DynamicQuantizedLinearModule({}, "yes")', () => new qdq.DynamicQuantizedLinearModule(/** @type {any} */ ({}), /** @type {any} */ ('yes')), TypeError,
      /^qdq-wasm: DynamicQuantizedLinearModule's layer must be a DynamicQuantizedLinear .*got Object$/],
    ['DynamicQuantizedLinearModule with relu "yes"', () => new qdq.DynamicQuantizedLinearModule(dynamicLayer(), /** @type {any} */ ('yes')), TypeError, /^qdq-wasm: relu must be a boolean, got "yes"$/],
    ['DynamicQuantizedLinearModule with relu missing', () => new /** @type {any} */ (qdq.DynamicQuantizedLinearModule)(dynamicLayer()), TypeError, /^qdq-wasm: relu must be a boolean, got undefined$/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what} when constructed`, () => throwsQdq(call, Type, pattern));
  }
  await t.test('should refuse a disposed layer', () => {
    const l = dynamicLayer();
    l.dispose();
    assert.throws(() => new qdq.DynamicQuantizedLinearModule(l, false),
      { name: 'Error', message: "qdq-wasm: DynamicQuantizedLinearModule's layer, a DynamicQuantizedLinear, was disposed; create a new one" });
  });
  await t.test('should build from valid arguments, the float bias or none', () => {
    const s = new qdq.QuantizedLinearModule(staticLayer(), bias);
    const n = new qdq.QuantizedLinearModule(staticLayer(), null);
    const d = new qdq.DynamicQuantizedLinearModule(dynamicLayer(), true);
    const q = new qdq.Quantize(0.1, 0, 'uint8');
    const x = q.forward(Float32Array.of(0.1, 0.2, 0.3, 0.4));
    assert.deepEqual(s.forward(x), n.forward(x));
    assert.ok(d.forward(Float32Array.of(1, 2, 3, 4)).every((v) => v >= 0));
    for (const m of [s, n, d]) m.dispose();
  });
});

test('FakeQuantize options and activationObserver()', async (t) => {
  const cases = [
    ['an unknown qscheme, naming all four', () => new qdq.FakeQuantize({ qscheme: /** @type {any} */ ('bogus'), axis: 0 }), RangeError,
      /^qdq-wasm: qscheme must be one of 'per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric', got "bogus"$/],
    ['a qscheme that is not a string', () => new qdq.FakeQuantize({ qscheme: /** @type {any} */ (8) }), TypeError, /^qdq-wasm: qscheme must be one of .*got 8$/],
    ['an axis with a per-tensor qscheme', () => new qdq.FakeQuantize({ axis: 0 }), TypeError,
      /^qdq-wasm: axis is an option of the per-channel qschemes, and qscheme is 'per_tensor_affine'$/],
    ['activationObserver(null)', () => qdq.activationObserver(/** @type {any} */ (null)), TypeError, /^qdq-wasm: module must be a Module, got null$/],
    ['activationObserver(5)', () => qdq.activationObserver(/** @type {any} */ (5)), TypeError, /^qdq-wasm: module must be a Module, got 5$/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should refuse ${what}`, () => throwsQdq(call, Type, pattern));
  }
  await t.test('should take null for optional options (not given), and per-channel axes', () => {
    assert.equal(new qdq.FakeQuantize({ qscheme: /** @type {any} */ (null), axis: /** @type {any} */ (null) }).perChannel, false);
    assert.equal(new qdq.FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', axis: 0 }).perChannel, true);
    assert.equal(qdq.activationObserver(new qdq.nn.ReLU()), null);
  });
  await t.test("should take prepare's and prepareQat's qconfig null as not given: the modules' own qconfigs apply", () => {
    const model = () => {
      const m = new qdq.nn.Sequential(new qdq.QuantStub(), new qdq.nn.Linear(4, 2), new qdq.DeQuantStub());
      m.qconfig = qdq.getDefaultQatQConfig('qnnpack');
      return m;
    };
    for (const prepare of [qdq.prepare, qdq.prepareQat]) {
      // Calibrated as with the option left out: the model's own qconfig observes, to the same qparams.
      const [p, q] = [prepare(model(), { qconfig: null }), prepare(model())];
      const x = Float32Array.of(1, -2, 3, -4);
      q.loadStateDict(p.stateDict());
      for (const m of [p, q]) m.forward(x, 1);
      const qparams = (/** @type {any} */ m) => /** @type {any} */ (qdq.activationObserver(m.modules[1])).calculateQParams();
      assert.deepEqual(qparams(p), qparams(q), prepare.name);
      assert.ok(qparams(p).scale > 0, prepare.name);
      q.dispose();
      p.dispose();
    }
  });
});
