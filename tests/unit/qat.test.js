// Quantization-aware training (FakeQuantize, prepareQat, getDefaultQatQConfig) against one
// SGD step of torch 1.13 on the 8-6-5-3 model (tests/fixtures/models.json → small.qat, from
// gen_models.py: lr 0.1, momentum 0.9, weight decay 1e-4, the first calibration batch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq } from '../helpers/setup.js';

const { nn, QuantStub, DeQuantStub, FakeQuantize, getDefaultQatQConfig, prepareQat, fuseModules, convert, activationObserver } = qdq;
const small = JSON.parse(readFileSync(new URL('../fixtures/models.json', import.meta.url), 'utf8')).small;
const F = (/** @type {number[]} */ b) => new Float32Array(Uint32Array.from(b).buffer);

/** |got − want| ≤ tol · (max |want| over the tensor): a float32 tolerance relative to the tensor's scale. */
function near(/** @type {ArrayLike<number>} */ got, /** @type {ArrayLike<number>} */ want, /** @type {number} */ tol, /** @type {string} */ what) {
  let top = 0;
  for (let i = 0; i < want.length; i++) top = Math.max(top, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * top, `${what}[${i}]: ${got[i]} vs ${want[i]} (tolerance ${tol} of ${top})`);
  }
}

function qatModel(/** @type {any} */ c) {
  const [a, b, cc, d] = small.sizes;
  let m = new nn.Sequential(new QuantStub(), new nn.Linear(a, b), new nn.ReLU(), new nn.Linear(b, cc), new nn.ReLU(), new nn.Linear(cc, d), new DeQuantStub());
  const st = m.stateDict();
  for (const k of Object.keys(st)) st[k].data = F(small.params[k]);
  m.loadStateDict(st).train();
  if (c.fused) m = fuseModules(m, [['1', '2'], ['3', '4']]);
  return prepareQat(m, { qconfig: getDefaultQatQConfig(c.qconfig) });
}

test('prepareQat(), getDefaultQatQConfig(), FakeQuantize', async (t) => {
  for (const c of small.qat) {
    await t.test(`should reproduce torch's QAT step: ${c.qconfig}, fused ${c.fused} (logits, loss, fake-quant state, gradients, update, converted outputs)`, () => {
      const p = qatModel(c);
      const [a, , , d] = small.sizes;
      const x = F(c.x), rows = x.length / a;
      const opt = new nn.SGD(p.parameters(), { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay });
      p.zeroGrad();
      const logits = p.forward(x, rows);
      // Tolerances: our float GEMM sums products in k order without FMA, torch's sgemm in its own
      // order, so a float32 output may differ by a few ulps (k ≤ 8: 1e-6 of the tensor's scale); a
      // range that moves by an ulp moves a scale by an ulp (2⁻²³ relative), and a value on a
      // rounding boundary may then land one step away, hence 1 quantization step on converted outputs.
      near(logits, F(c.logits), 1e-6, 'logits');
      const { loss, grad } = nn.crossEntropyLoss(logits, c.target, d);
      assert.ok(Math.abs(loss - F([c.loss])[0]) <= 1e-6, `loss ${loss} vs ${F([c.loss])[0]}`);
      for (const [k, v] of Object.entries(c.fakeQuant)) {
        const [idx, kind] = k.split('.');
        const mod = /** @type {any} */ (p.modules[Number(idx)]);
        const fq = kind === 'weight_fake_quant' ? mod.weightFakeQuant : activationObserver(mod);
        assert.ok(fq instanceof FakeQuantize, k);
        assert.deepEqual([fq.quantMin, fq.quantMax], [v.quantMin, v.quantMax], `${k} range`);
        const qp = /** @type {any} */ (fq.qparams);
        near(qp.scales ?? [qp.scale], F(v.scale), 2 ** -22, `${k} scale`);
        assert.deepEqual(Array.from(qp.zeroPoints ?? [qp.zeroPoint]), v.zeroPoint, `${k} zero point`);
      }
      p.backward(grad, rows);
      for (const [k, g] of Object.entries(c.grads)) {
        const [i, name] = k.split('.');
        const par = p.modules[Number(i)].parameters().find((q) => q.name === name);
        near(/** @type {Float32Array} */ (par?.grad), F(/** @type {number[]} */ (g)), 1e-6, `grad ${k}`);
      }
      opt.step();
      for (const [k, w] of Object.entries(c.updated)) {
        const [i, name] = k.split('.');
        near(/** @type {any} */ (p.modules[Number(i)].parameters().find((q) => q.name === name)).value, F(/** @type {number[]} */ (w)), 1e-6, `updated ${k}`);
      }
      const q = convert(p.eval());
      try {
        const y = q.forward(F(small.x), small.xShape[0]);
        const step = /** @type {any} */ (q.modules[5]).layer.outputScale;
        const want = F(c.converted.y);
        y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= step * 1.0001, `converted y[${i}]: ${v} vs ${want[i]}`));
      } finally {
        q.dispose();
      }
    });
  }
  await t.test('should use torch 1.13 QAT defaults: fbgemm [0, 127] activations and per-channel weights, qnnpack per-tensor', () => {
    const fb = /** @type {any} */ (getDefaultQatQConfig('fbgemm')), qn = /** @type {any} */ (getDefaultQatQConfig('qnnpack'));
    assert.deepEqual([fb.activation().quantMin, fb.activation().quantMax], [0, 127]);
    assert.deepEqual([qn.activation().quantMin, qn.activation().quantMax], [0, 255]);
    assert.equal(fb.weight().perChannel, true);
    assert.equal(qn.weight().perChannel, false);
  });
  await t.test('should stop observing and fake-quantizing when disabled', () => {
    const fq = new FakeQuantize({ dtype: 'uint8' });
    fq.forward(Float32Array.of(0, 1));
    const before = fq.qparams;
    fq.disableObserver();
    fq.forward(Float32Array.of(0, 100));
    assert.deepEqual(fq.qparams, before); // recomputed from the unchanged running range, as torch's fused op
    // 0.31 on the [0, 1] grid of 255 steps is step 79 (79.05 rounded), 79 · fl(1/255).
    assert.equal(fq.forward(Float32Array.of(0.31)).output[0], Math.fround(Math.fround(1 / 255) * 79));
    fq.disableFakeQuant();
    assert.equal(fq.forward(Float32Array.of(0.31)).output[0], Math.fround(0.31));
  });
  await t.test('should refuse to fake-quantize before any data, and pass an empty x through, as torch 1.13', () => {
    // torch: FusedMovingAvgObsFakeQuantize with disable_observer() before any data raises 'In
    // ChooseQuantizationParams, min should be less than or equal to max', per tensor and per channel;
    // an empty x comes back empty, observer on or off, its scale (1) and zero point (0) untouched.
    const perChannel = () => new FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', quantMin: -128, quantMax: 127, axis: 0 });
    for (const make of [() => new FakeQuantize(), perChannel]) {
      const off = make();
      off.disableObserver();
      assert.throws(() => off.forward(Float32Array.of(1, 2, 3, 4), [2, 2]), { name: 'RangeError', message: /nothing observed yet/ });
      off.disableFakeQuant();
      assert.deepEqual([...off.forward(Float32Array.of(1, 2, 3, 4), [2, 2]).output], [1, 2, 3, 4]);
      for (const observing of [true, false]) {
        const fq = make();
        if (!observing) fq.disableObserver();
        const r = fq.forward(new Float32Array(0), [2, 0]);
        assert.deepEqual([r.output.length, r.mask?.length, fq.qparams], [0, 0, null]);
      }
      const fq = make();
      fq.forward(new Float32Array(0), [2, 0]);
      assert.equal(fq.forward(Float32Array.of(1, 2, 3, 4), [2, 2]).output.length, 4); // data then starts the range
    }
  });
  await t.test('should pass gradients only after a forward, and only of its length', () => {
    const fq = new FakeQuantize({ dtype: 'uint8' });
    assert.throws(() => fq.backward(Float32Array.of(1)), { name: 'Error', message: 'qdq-wasm: FakeQuantize.backward needs a forward() first' });
    fq.forward(Float32Array.of(0, 1, 2));
    fq.disableObserver();
    // 5 lies past the observed [0, 2]: clamped, so no gradient (the straight-through mask).
    fq.forward(Float32Array.of(0, 1, 5));
    assert.deepEqual(fq.backward(Float32Array.of(1, 2, 3)), Float32Array.of(1, 2, 0));
    fq.disableFakeQuant();
    fq.forward(Float32Array.of(0, 5));
    assert.deepEqual(fq.backward(Float32Array.of(4, 5)), Float32Array.of(4, 5)); // the identity's gradient
    assert.throws(() => fq.backward(Float32Array.of(4, 5, 6)), { name: 'RangeError', message: /needs dy of 2 values/ });
  });
  await t.test('should refuse a model in eval mode and a post-training qconfig', () => {
    const m = new nn.Sequential(new QuantStub(), new nn.Linear(2, 2), new DeQuantStub());
    assert.throws(() => prepareQat(m.eval(), { qconfig: getDefaultQatQConfig('qnnpack') }), { name: 'RangeError', message: /training mode/ });
    assert.throws(() => prepareQat(m.train(), { qconfig: qdq.getDefaultQConfig('qnnpack') }), { name: 'TypeError', message: /getDefaultQatQConfig/ });
  });
});
