// The model workflows against torch 1.13 (qnnpack engine) on what models.json and
// models_dyadic.json leave out (tests/fixtures/model_variants.json, from gen_model_variants.py):
// Linears without bias, with 1 feature, odd sizes, a Linear after a Linear, a fused last ReLU;
// one calibration sample, negative-only, constant and all-zero inputs, values near 2^±100;
// MovingAverage, symmetric and qint8 activation observers, per-channel weights with and without
// reduceRange; dynamic quantization on inputs at the edges of its activation qparams; three QAT
// steps. Every float sum of those models is exact in any order (the generator checks it), so
// static and dynamic results are compared with no tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { bitsF32, bitsOf, readFixture } from '../helpers/models.js';

const { nn, QuantStub, DeQuantStub, QConfig, MinMaxObserver, MovingAverageMinMaxObserver, HistogramObserver,
  PerChannelMinMaxObserver, getDefaultQConfig, getMinMaxQConfig, getDefaultQatQConfig, fuseModules, prepare, prepareQat,
  convert, quantizeDynamic, activationObserver, saveModel, loadModel, Quantize, QuantizedLinearModule,
  DynamicQuantizedLinearModule } = qdq;

const fixture = readFixture('model_variants.json');
/**
 * Float Linear outputs on non-dyadic inputs: sums of k ≤ 4 products, rounded in another order than
 * torch's sgemm, are a few float32 steps apart; 1e-6 of the tensor's largest value is 8 steps of it.
 */
const FLOAT_SUMS = 1e-6;

const perTensorWeight = () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' });
const perChannelWeight = () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric' });
/** @param {() => any} activation @param {() => any} weight */
const qc = (activation, weight) => () => new QConfig({ activation, weight });
/** The generator's qconfig names (its docstring says what torch builds for each). */
const QCONFIGS = /** @type {Record<string, () => InstanceType<typeof QConfig>>} */ ({
  qnnpack: () => getDefaultQConfig('qnnpack'),
  fbgemm: () => getDefaultQConfig('fbgemm'),
  onednn: () => getDefaultQConfig('onednn'),
  'qnnpack-minmax': () => getMinMaxQConfig('qnnpack'),
  'fbgemm-minmax': () => getMinMaxQConfig('fbgemm'),
  movingavg: qc(() => new MovingAverageMinMaxObserver(), perTensorWeight),
  'movingavg-rr-perchannel': qc(() => new MovingAverageMinMaxObserver({ reduceRange: true }), perChannelWeight),
  'minmax-perchannel': qc(() => new MinMaxObserver(), perChannelWeight),
  'minmax-rr-pertensor': qc(() => new MinMaxObserver({ reduceRange: true }), perTensorWeight),
  'quint8-symmetric': qc(() => new MinMaxObserver({ qscheme: 'per_tensor_symmetric' }), perTensorWeight),
  'histogram-symmetric': qc(() => new HistogramObserver({ qscheme: 'per_tensor_symmetric' }), perTensorWeight),
  qint8: qc(() => new MinMaxObserver({ dtype: 'int8' }), perTensorWeight),
  'qint8-symmetric': qc(() => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }), perTensorWeight),
  'histogram-qint8': qc(() => new HistogramObserver({ dtype: 'int8' }), perTensorWeight),
  'movingavg-half': qc(() => new MovingAverageMinMaxObserver({ averagingConstant: 0.5 }), perTensorWeight),
  x86: () => getDefaultQConfig('x86'),
  'weight-rr': qc(() => new MinMaxObserver(), () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric', reduceRange: true })),
  'weight-rr-perchannel': qc(() => new MinMaxObserver(),
    () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_symmetric', reduceRange: true })),
});

/**
 * A case's float model: QuantStub, its layers, DeQuantStub, with the fixture's weights.
 * @param {any} c @returns {InstanceType<typeof nn.Sequential>}
 */
function floatModel(c) {
  const layers = c.layers.map((/** @type {any} */ l) => {
    if (l.type === 'ReLU') return new nn.ReLU();
    if (l.type === 'DeQuantStub') return new DeQuantStub();
    if (l.type === 'QuantStub') return new QuantStub();
    const lin = new nn.Linear(l.in, l.out, { bias: l.bias });
    if (l.qconfig === null) lin.qconfig = null; // torch's qconfig = None: stays float
    return lin;
  });
  const m = new nn.Sequential(new QuantStub(), ...layers, new DeQuantStub());
  const state = m.stateDict();
  for (const k of Object.keys(state)) state[k].data = bitsF32(c.params[k]);
  return m.loadStateDict(state).eval();
}

/** Every [Linear, ReLU] pair, as the generator's fuse_list. @param {InstanceType<typeof nn.Sequential>} m */
const fuseList = (m) => m.modules.flatMap((x, i) =>
  (x.constructor === nn.Linear && m.modules[i + 1] instanceof nn.ReLU ? [[String(i), String(i + 1)]] : []));

/** @param {any} c @param {any} s */
function staticModel(c, s) {
  const f = floatModel(c);
  const p = prepare(s.fused ? fuseModules(f, fuseList(f)) : f, { qconfig: QCONFIGS[s.qconfig]() });
  c.calibration.forEach((/** @type {number[]} */ b, /** @type {number} */ i) => p.forward(bitsF32(b), c.calibrationRows[i]));
  return p;
}

test('model_variants.json', async (t) => {
  await t.test("should run every float model to torch's exact outputs (the premise: no sum is rounded)", () => {
    for (const c of fixture.cases) assert.deepEqual(bitsOf(floatModel(c).forward(bitsF32(c.x), c.xRows)), c.floatY, `${c.model} ${c.data}`);
  });
  await t.test('should hold the shapes, data and qconfigs its generator lists', () => {
    assert.deepEqual(fixture.cases.map((/** @type {any} */ c) => `${c.model} ${c.data}`),
      ['base normal', 'base single', 'base negative', 'base constant', 'base zeros', 'base huge', 'base tiny', 'base dead', 'base uncalibrated', 'base emptybatch',
        'nobias normal', 'ones normal', 'deep normal', 'relulast normal', 'pruned normal', 'ones negative', 'partial normal', 'requant normal']);
    const names = new Set(fixture.cases.flatMap((/** @type {any} */ c) => c.static.map((/** @type {any} */ s) => s.qconfig)));
    assert.deepEqual([...names].sort(), Object.keys(QCONFIGS).sort());
  });
});

for (const c of fixture.cases) {
  test(`static, ${c.model} model, ${c.data} calibration data`, async (t) => {
    for (const s of c.static) {
      if (s.error) {
        // torch 1.13's HistogramObserver passes int(min) and int(max) to histc, which overflows
        // int64 at 2^100: there is nothing of torch's to compare with.
        await t.test(`${s.qconfig}, fused ${s.fused}: torch fails (${s.error})`, () => assert.match(s.error, /Overflow when unpacking long/));
        continue;
      }
      await t.test(`should match torch bit for bit: ${s.qconfig}, fused ${s.fused}`, () => {
        const p = staticModel(c, s);
        for (const r of s.modules) {
          if (!r.observed) continue;
          const o = /** @type {any} */ (activationObserver(p.modules[r.index]));
          assert.deepEqual(bitsOf([o.minVal, o.maxVal]), [r.observed.min, r.observed.max], `${r.index}: observed range`);
        }
        const q = convert(p);
        try {
          for (const r of s.modules) {
            const m = /** @type {any} */ (q.modules[r.index]);
            // torch turns every DeQuantStub into a DeQuantize, whose dequantize() of a float tensor
            // returns it; ours after float modules stays a DeQuantStub, an identity.
            const names = r.weightInt8 ? ['QuantizedLinearModule'] : r.type === 'DeQuantize' ? ['DeQuantize', 'DeQuantStub'] : [r.type];
            assert.ok(names.includes(m.constructor.name), `${r.index}: ${m.constructor.name}, torch's ${r.type}`);
            if (m instanceof Quantize) {
              assert.deepEqual([bitsOf([m.scale])[0], m.zeroPoint, m.dtype], [r.scale, r.zeroPoint, r.dtype.replace('q', '')], 'input qparams');
            } else if (m instanceof QuantizedLinearModule) {
              const l = /** @type {any} */ (m.layer);
              assert.equal(l.relu, r.type === 'LinearReLU', `${r.index}: ReLU fused`);
              assert.deepEqual(Array.from(l.weight), r.weightInt8, `${r.index}.weight`);
              assert.deepEqual(bitsOf(l.weightScales), r.weightScales.length === 1 ? new Array(l.outFeatures).fill(r.weightScales[0]) : r.weightScales,
                `${r.index}.weight_scale`);
              assert.deepEqual([bitsOf([l.outputScale])[0], l.outputZeroPoint], [r.scale, r.zeroPoint], `${r.index}: output qparams`);
              assert.deepEqual(Array.from(l.biasInt32), r.biasInt32, `${r.index}.bias_int32`);
              // QNNPACK packs a missing bias as zeros, and torch's bias() then returns them.
              assert.deepEqual(m.bias === null ? new Array(l.outFeatures).fill(0) : bitsOf(m.bias), r.bias, `${r.index}.bias`);
            }
          }
          let act = /** @type {any} */ (bitsF32(c.x));
          let floatSums = false;
          for (const r of s.modules) {
            act = q.modules[r.index].forward(act, c.xRows);
            // A float Linear (qconfig null) after a DeQuantStub sums dequantized values, no longer
            // dyadic: our k order and torch's sgemm may round them apart by float32 ulps.
            floatSums ||= r.type === 'Linear' && !r.weightInt8;
            if (floatSums) near(act, bitsF32(r.output), FLOAT_SUMS, `module ${r.index} (${r.type}) output`);
            else assert.deepEqual(act instanceof Float32Array ? bitsOf(act) : Array.from(act.data), r.output, `module ${r.index} (${r.type}) output`);
          }
          const again = loadModel(saveModel(q));
          try {
            const y = again.forward(bitsF32(c.x), c.xRows);
            if (floatSums) near(y, bitsF32(s.y), FLOAT_SUMS, 'saved and loaded: outputs');
            else assert.deepEqual(bitsOf(y), s.y, 'saved and loaded: outputs');
          } finally {
            again.dispose();
          }
        } finally {
          q.dispose();
        }
      });
    }
  });
}

test('static: a fused LinearReLU observes each calibration batch twice, as torch 1.13', async (t) => {
  // torch's nni.LinearReLU is an nn.Sequential: prepare() adds the observer as its child, which
  // the Sequential runs, and as a forward hook, which runs it again. A moving average moves twice.
  const m = new nn.Sequential(new QuantStub(), new nn.LinearReLU(1, 1), new DeQuantStub()).eval();
  m.modules[1].loadStateDict({ weight: { shape: [1, 1], data: Float32Array.of(1) }, bias: { shape: [1], data: Float32Array.of(0) } });
  /** A lone MovingAverageMinMaxObserver's maxVal after the given batches of one value. @param {number[]} xs */
  const movedBy = (xs) => {
    const o = new MovingAverageMinMaxObserver();
    for (const x of xs) o.observe(Float32Array.of(x));
    return o.maxVal;
  };
  await t.test('should move a MovingAverageMinMaxObserver twice per batch after prepare()', () => {
    const p = prepare(m, { qconfig: QCONFIGS.movingavg() });
    p.forward(Float32Array.of(2), 1);
    p.forward(Float32Array.of(4), 1);
    assert.equal(/** @type {any} */ (activationObserver(p.modules[1])).maxVal, movedBy([2, 2, 4, 4]));
    assert.notEqual(movedBy([2, 2, 4, 4]), movedBy([2, 4]));
    assert.equal(/** @type {any} */ (activationObserver(p.modules[0])).maxVal, movedBy([2, 4]), 'the QuantStub once');
  });
  await t.test("should observe once after prepareQat() (torch's QAT LinearReLU is a Linear)", () => {
    const p = prepareQat(m.clone().train(), { qconfig: getDefaultQatQConfig('qnnpack') });
    const fq = /** @type {any} */ (activationObserver(p.modules[1]));
    let calls = 0;
    const observe = fq.observe.bind(fq);
    fq.observe = (/** @type {any[]} */ ...a) => { calls++; return observe(...a); };
    p.forward(Float32Array.of(2), 1);
    assert.equal(calls, 1);
  });
});

for (const c of fixture.cases) {
  test(`dynamic, ${c.model} model, ${c.data} data`, async (t) => {
    for (const d of c.dynamic) {
      await t.test(`should match torch's weights and outputs bit for bit, per ${d.perChannel ? 'channel' : 'tensor'}`, () => {
        const dq = /** @type {any} */ (quantizeDynamic(floatModel(c), { perChannel: d.perChannel }));
        try {
          for (const l of d.layers) {
            const m = dq.modules[l.index];
            assert.ok(m instanceof DynamicQuantizedLinearModule);
            assert.deepEqual(Array.from(m.layer.weight), l.weightInt8, `${l.index}.weight`);
            assert.deepEqual(bitsOf(m.layer.weightScales), l.weightScales.length === 1 ? new Array(m.outFeatures).fill(l.weightScales[0]) : l.weightScales,
              `${l.index}.weight_scale`);
            assert.deepEqual(m.layer.bias === null ? new Array(m.outFeatures).fill(0) : bitsOf(m.layer.bias), l.bias, `${l.index}.bias`);
          }
          // Integer sums are exact and each float step (the activations' qparams in double, float(acc) *
          // float(sx * sw) + bias) is QNNPACK's, so every output has torch's bits, even where the
          // range is 0 (scale 0.1) or its float scale is subnormal (0.1 too). QNNPACK ignores
          // reduce_range for dynamic Linear (torch 1.13 warns so), and so does quantizeDynamic.
          const again = loadModel(saveModel(dq));
          // A float Linear (qconfig null) sums non-dyadic outputs of a dynamic one: ulps apart, as above.
          const floatSums = c.layers.some((/** @type {any} */ l) => l.qconfig === null);
          const same = (/** @type {Float32Array} */ y, /** @type {number[]} */ want, /** @type {string} */ what) =>
            (floatSums ? near(y, bitsF32(want), FLOAT_SUMS, what) : assert.deepEqual(bitsOf(y), want, what));
          try {
            Object.entries(c.dynamicInputs).forEach(([name, v], j) => {
              const x = bitsF32(/** @type {any} */ (v).x), rows = /** @type {any} */ (v).rows;
              same(dq.forward(x, rows), d.ys[j], `input ${name}`);
              same(again.forward(x, rows), d.ys[j], `input ${name}, saved and loaded`);
            });
          } finally {
            again.dispose();
          }
        } finally {
          dq.dispose();
        }
      });
    }
  });
}

/**
 * |got − want| ≤ tol · max |want|: float32 rounding relative to the tensor's scale.
 * @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {number} tol @param {string} what
 */
function near(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  let top = 0;
  for (let i = 0; i < want.length; i++) top = Math.max(top, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * top, `${what}[${i}]: ${got[i]} vs ${want[i]} (tolerance ${tol} of ${top})`);
  }
}

/** How many float32 steps apart a and b are (both finite, same sign). @param {number} a @param {number} b */
const ulpsApart = (a, b) => Math.abs(bitsOf([a])[0] - bitsOf([b])[0]);

test('QAT: three SGD steps, a fourth with observers frozen, then convert (fbgemm and qnnpack, fused and unfused, with and without biases)', async (t) => {
  for (const c of fixture.qat) {
    await t.test(`should follow torch: ${c.model}, ${c.qconfig}, fused ${c.fused}`, () => {
      let m = floatModel(c).train();
      if (c.fused) m = fuseModules(m, fuseList(m));
      const p = prepareQat(m, { qconfig: getDefaultQatQConfig(c.qconfig) });
      const opt = new nn.SGD(p.parameters(), { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay });
      const classes = c.layers.filter((/** @type {any} */ l) => l.type === 'Linear').at(-1).out;
      try {
        // Tolerances: our float GEMM adds products in k order, torch's sgemm in its own, so each
        // forward and gradient may differ by float32 ulps; four steps (lr 0.125) carry them into the
        // weights, losses and observed ranges. Measured: at most 1.9e-7 of a tensor's largest
        // element (1.6 float32 steps of it), on both builds; 1e-6 is 8 such steps.
        // Three steps, then the observers frozen (torch's model.apply(disable_observer)) and the first batch again.
        [0, 1, 2, 0].forEach((j, step) => {
          if (step === 3) {
            for (const mod of p.modules) {
              /** @type {any} */ (activationObserver(mod))?.disableObserver();
              /** @type {any} */ (mod).weightFakeQuant?.disableObserver();
            }
          }
          const x = bitsF32(c.batches[j]), rows = x.length / c.inFeatures;
          p.zeroGrad();
          const { loss, grad } = nn.crossEntropyLoss(p.forward(x, rows), c.targets[j], classes);
          near([loss], bitsF32([c.losses[step]]), 1e-6, `loss ${step}`);
          p.backward(grad, rows);
          opt.step();
        });
        for (const [k, w] of Object.entries(c.updated)) {
          const [i, name] = k.split('.');
          const par = p.modules[Number(i)].parameters().find((q) => q.name === name);
          near(/** @type {any} */ (par).value, bitsF32(/** @type {number[]} */ (w)), 1e-6, `updated ${k}`);
        }
        for (const [k, v] of Object.entries(c.fakeQuant)) {
          const [idx, kind] = k.split('.');
          const mod = /** @type {any} */ (p.modules[Number(idx)]);
          const fq = /** @type {any} */ (kind === 'weight_fake_quant' ? mod.weightFakeQuant : activationObserver(mod));
          near(fq.perChannel ? fq.observer.minVal : [fq.observer.minVal], bitsF32(/** @type {any} */ (v).min), 1e-6, `${k} min`);
          near(fq.perChannel ? fq.observer.maxVal : [fq.observer.maxVal], bitsF32(/** @type {any} */ (v).max), 1e-6, `${k} max`);
        }
      } finally {
        opt.dispose();
      }
      const q = convert(p.eval());
      try {
        // A range a few ulps off moves a scale by as many ulps (measured: at most 3), and a weight or
        // an output on a rounding boundary one step: 1 for int8 weights and zero points, one output
        // step for y (measured: every weight and zero point exact, y at most 3 ulps).
        for (const r of c.modules) {
          const l = /** @type {any} */ (q.modules[r.index]).layer;
          if (r.type === 'Quantize') {
            const s = /** @type {any} */ (q.modules[r.index]);
            assert.ok(ulpsApart(s.scale, bitsF32([r.scale])[0]) <= 8 && Math.abs(s.zeroPoint - r.zeroPoint) <= 1, 'input qparams');
          } else if (l) {
            l.weight.forEach((/** @type {number} */ v, /** @type {number} */ i) => assert.ok(Math.abs(v - r.weightInt8[i]) <= 1, `${r.index}.weight[${i}]: ${v} vs ${r.weightInt8[i]}`));
            const ws = bitsF32(r.weightScales.length === 1 ? new Array(l.outFeatures).fill(r.weightScales[0]) : r.weightScales);
            l.weightScales.forEach((/** @type {number} */ v, /** @type {number} */ i) => assert.ok(ulpsApart(v, ws[i]) <= 8, `${r.index}.weight_scale[${i}]`));
            assert.ok(ulpsApart(l.outputScale, bitsF32([r.scale])[0]) <= 8, `${r.index}.scale`);
            assert.ok(Math.abs(l.outputZeroPoint - r.zeroPoint) <= 1, `${r.index}.zero_point`);
          }
        }
        const y = q.forward(bitsF32(c.x), c.xRows);
        const step = /** @type {any} */ (q.modules[q.modules.length - 2]).layer.outputScale;
        const want = bitsF32(c.y);
        y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= step * 1.0001, `y[${i}]: ${v} vs ${want[i]}`));
      } finally {
        q.dispose();
      }
    });
  }
});

test('keepWidened in the workflows', async (t) => {
  // The option only moves where the int8 layers' weights are widened from (docs/gemm.md,
  // "Kept widened weights"): the same bytes out, on batches past 16 rows, which read the copy.
  const c = fixture.cases[0];
  const rows = 40;
  const x = Float32Array.from({ length: rows * c.layers[0].in }, (_, i) => Math.sin(i * 0.37) * 3);
  /** @param {any} model @returns {any[]} its int8 layers */
  const int8Layers = (model) => model.modules.filter((/** @type {any} */ m) => m instanceof DynamicQuantizedLinearModule || m instanceof QuantizedLinearModule)
    .map((/** @type {any} */ m) => m.layer);

  await t.test('should keep the copies in quantizeDynamic, convert and loadModel, and in clones and loaded states, with the same outputs', () => {
    const plainD = quantizeDynamic(floatModel(c), { perChannel: true });
    const keptD = quantizeDynamic(floatModel(c), { perChannel: true, keepWidened: true });
    const s = c.static.find((/** @type {any} */ v) => !v.error);
    const plainS = convert(staticModel(c, s));
    const keptS = convert(staticModel(c, s), { keepWidened: true });
    const made = [plainD, keptD, plainS, keptS];
    try {
      for (const [plain, kept] of [[plainD, keptD], [plainS, keptS]]) {
        assert.ok(int8Layers(kept).length === 3 && int8Layers(kept).every((l) => l.keepWidened && l.widenedBytes > 0));
        assert.ok(int8Layers(plain).every((l) => !l.keepWidened && l.widenedBytes === 0));
        const want = bitsOf(plain.forward(x, rows));
        assert.deepEqual(bitsOf(kept.forward(x, rows)), want);
        const clone = /** @type {any} */ (kept).clone();
        made.push(clone);
        assert.ok(int8Layers(clone).every((l) => l.keepWidened && l.widenedBytes > 0), 'clone()');
        clone.loadStateDict(kept.stateDict());
        assert.ok(int8Layers(clone).every((l) => l.keepWidened && l.widenedBytes > 0), 'loadStateDict()');
        assert.deepEqual(bitsOf(clone.forward(x, rows)), want);
        const loaded = loadModel(saveModel(plain), { keepWidened: true });
        made.push(loaded);
        assert.ok(int8Layers(loaded).every((l) => l.keepWidened && l.widenedBytes > 0), 'loadModel()');
        assert.deepEqual(bitsOf(loaded.forward(x, rows)), want);
      }
    } finally {
      for (const m of made) m.dispose();
    }
  });

  await t.test('should validate it', () => {
    assert.throws(() => quantizeDynamic(floatModel(c), { keepWidened: 1 }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
    const s = c.static.find((/** @type {any} */ v) => !v.error);
    assert.throws(() => convert(staticModel(c, s), { keepWidened: 'no' }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
    assert.throws(() => loadModel(saveModel(floatModel(c)), { keepWidened: 0 }), { name: 'TypeError', message: /keepWidened must be a boolean, got/ });
  });
});
