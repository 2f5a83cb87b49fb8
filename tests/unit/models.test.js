// Model workflows (js/nn, js/quantization) against torch 1.13: the small 8-6-5-3 model of
// tests/fixtures/models.json and the Fashion MLP of tests/fixtures/fashion_mlp_torch.safetensors
// (both from tests/fixtures/gen_models.py, engine qnnpack), on the committed Fashion-MNIST subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { bitsF32, bitsOf, FUSE, mlp, readFixture, smallModel as smallModelOf, torchTensors } from '../helpers/models.js';
import { loadFashion, SUBSET_DIR } from '../../scripts/lib/fashion-mnist.js';

const { nn, QuantStub, DeQuantStub, QConfig, getDefaultQConfig, getMinMaxQConfig, fuseModules, prepare, convert,
  quantizeDynamic, activationObserver, Quantize, DeQuantize, QuantizedLinearModule, DynamicQuantizedLinearModule,
  MinMaxObserver, PerChannelMinMaxObserver, HistogramObserver } = qdq;

const fixtures = readFixture('models.json');
const small = fixtures.small;
/** The small model of the fixtures with its float weights. */
const smallModel = () => smallModelOf(small);

const QCONFIGS = {
  fbgemm: () => getDefaultQConfig('fbgemm'),
  qnnpack: () => getDefaultQConfig('qnnpack'),
  'fbgemm-minmax': () => getMinMaxQConfig('fbgemm'),
  custom: () => new QConfig({
    activation: () => new MinMaxObserver({ dtype: 'uint8', qscheme: 'per_tensor_symmetric' }),
    weight: () => new PerChannelMinMaxObserver({ dtype: 'int8', qscheme: 'per_channel_affine' }),
  }),
};

/** Prepares (fused or not), calibrates on the fixture's batches, converts. */
function staticSmall(/** @type {string} */ qconfig, /** @type {boolean} */ fused) {
  const m = fused ? fuseModules(smallModel(), FUSE) : smallModel();
  const p = prepare(m, { qconfig: QCONFIGS[/** @type {keyof typeof QCONFIGS} */ (qconfig)]() });
  const [rows] = small.calibrationShape;
  for (const b of small.calibration) p.forward(bitsF32(b), rows);
  return { prepared: p, converted: convert(p) };
}

test('nn.Sequential', async (t) => {
  await t.test("should name state like PyTorch's state_dict: '1.weight' [6, 8], '1.bias' [6], …", () => {
    const sd = smallModel().stateDict();
    assert.deepEqual(Object.keys(sd), ['1.weight', '1.bias', '3.weight', '3.bias', '5.weight', '5.bias']);
    assert.deepEqual(sd['1.weight'].shape, [6, 8]);
    assert.deepEqual(sd['5.bias'].shape, [3]);
  });
  await t.test('should refuse missing, extra and misshapen tensors by name, changing nothing', () => {
    const m = smallModel();
    const sd = m.stateDict();
    const before = bitsOf(m.modules[1].weight);
    const { ['3.bias']: _, ...missing } = sd;
    assert.throws(() => m.loadStateDict(missing), { name: 'RangeError', message: /^qdq-wasm: state is missing '3\.bias' \(shape \[5\]\)/ });
    assert.throws(() => m.loadStateDict({ ...sd, '7.weight': sd['1.bias'] }), { name: 'RangeError', message: /unexpected tensor '7\.weight'/ });
    const bad = { ...sd, '1.weight': { shape: [8, 6], data: new Float32Array(48) } };
    assert.throws(() => m.loadStateDict(bad), { name: 'RangeError', message: /'1\.weight'.*\[8,6\].*needs \[6,8\]/ });
    assert.throws(() => m.loadStateDict({ ...sd, '1.bias': { shape: [6], data: new Float64Array(6) } }), { name: 'TypeError', message: /Float32Array/ });
    assert.deepEqual(bitsOf(m.modules[1].weight), before);
  });
  await t.test("should compute torch's float outputs within float32 accumulation-order error", () => {
    // Our GEMM adds products in k order without FMA, torch's sgemm in blocks: each output may
    // differ by a few ulps of the sum of |products| (k ≤ 8 here), never more than 1e-5 relative.
    const y = smallModel().forward(bitsF32(small.x), small.xShape[0]);
    const want = bitsF32(small.floatY);
    y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `y[${i}] ${v} vs ${want[i]}`));
  });
  await t.test('should load the Fashion MLP from safetensors and reach torch float accuracy on the subset', () => {
    const { images, count } = loadFashion('t10k', SUBSET_DIR);
    const y = mlp().forward(images.subarray(0, 16 * 784), 16);
    const want = torchTensors.get('float/y').data;
    y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-4 * (1 + Math.abs(want[i])), `y[${i}] ${v} vs ${want[i]}`));
    assert.ok(count >= 16);
  });
});

test('nn.Linear', async (t) => {
  await t.test('should compute x Wᵀ + b and repack after weight assignment', () => {
    const fc = new nn.Linear(2, 2);
    fc.weight = Float32Array.of(1, 2, 3, 4);
    fc.bias = Float32Array.of(0.5, -1);
    assert.deepEqual(fc.forward(Float32Array.of(1, 1), 1), Float32Array.of(3.5, 6));
    fc.weight = Float32Array.of(0, 0, 0, 1);
    assert.deepEqual(fc.forward(Float32Array.of(1, 1), 1), Float32Array.of(0.5, 0));
  });
  await t.test('should reject a quantized activation with a hint to add a DeQuantStub', () => {
    const fc = new nn.Linear(2, 2);
    assert.throws(() => fc.forward(/** @type {any} */ ({ data: new Uint8Array(2), scale: 1, zeroPoint: 0, dtype: 'uint8' })),
      { name: 'TypeError', message: /DeQuantStub/ });
  });
});

test('nn.ReLU, nn.LinearReLU, nn.Identity, nn.Flatten', async (t) => {
  await t.test('should clamp floats at 0 and quantized values at the zero point', () => {
    assert.deepEqual(new nn.ReLU().forward(Float32Array.of(-1, 0, 2)), Float32Array.of(0, 0, 2));
    const q = new nn.ReLU().forward({ data: Uint8Array.of(3, 10, 200), scale: 0.1, zeroPoint: 10, dtype: 'uint8' });
    assert.deepEqual(q.data, Uint8Array.of(10, 10, 200));
    const lr = new nn.LinearReLU(1, 2);
    lr.weight = Float32Array.of(1, -1);
    assert.deepEqual(lr.forward(Float32Array.of(2), 1), Float32Array.of(2, 0));
    const x = Float32Array.of(1, 2);
    assert.equal(new nn.Identity().forward(x), x);
    assert.equal(new nn.Flatten().forward(x), x);
  });
});

test('fuseModules()', async (t) => {
  await t.test('should make LinearReLU at 1 and 3, Identity at 2 and 4, same outputs, original untouched', () => {
    const m = smallModel();
    const f = fuseModules(m, FUSE);
    assert.deepEqual(f.modules.map((x) => x.constructor.name),
      ['QuantStub', 'LinearReLU', 'Identity', 'LinearReLU', 'Identity', 'Linear', 'DeQuantStub']);
    assert.equal(m.modules[2].constructor.name, 'ReLU');
    const x = bitsF32(small.x);
    assert.deepEqual(f.forward(x, 7), m.forward(x, 7));
  });
  await t.test('should refuse pairs that are not Linear then ReLU', () => {
    assert.throws(() => fuseModules(smallModel(), [['2', '3']]), { name: 'TypeError', message: /only a Linear followed by a ReLU/ });
    assert.throws(() => fuseModules(smallModel(), [['1', '9']]), { name: 'RangeError', message: /no module '9'/ });
  });
});

test('prepare()', async (t) => {
  await t.test("should observe torch's activation ranges within float32 accumulation-order error", () => {
    const { prepared } = staticSmall('qnnpack', true);
    const want = small.static.find((/** @type {any} */ s) => s.qconfig === 'qnnpack' && s.fused).modules;
    for (const i of [0, 1, 3, 5]) {
      const obs = /** @type {any} */ (activationObserver(prepared.modules[i]));
      const lo = bitsF32([want[i].observed.min])[0], hi = bitsF32([want[i].observed.max])[0];
      assert.ok(Math.abs(obs.minVal - lo) <= 1e-5 && Math.abs(obs.maxVal - hi) <= 1e-5, `module ${i}: [${obs.minVal}, ${obs.maxVal}] vs [${lo}, ${hi}]`);
    }
  });
  await t.test("should keep a module whose qconfig is null float, with its children, as torch's qconfig = None", () => {
    const inner = new nn.Sequential(new nn.Linear(2, 2));
    inner.qconfig = null;
    const m = new nn.Sequential(new QuantStub(), new nn.Linear(2, 2), new DeQuantStub(), inner);
    const p = prepare(m, { qconfig: getDefaultQConfig('qnnpack') });
    assert.ok(activationObserver(p.modules[1]) !== null);
    assert.equal(activationObserver(/** @type {any} */ (p.modules[3]).modules[0]), null, 'the child of a null qconfig');
    p.forward(Float32Array.of(1, -1), 1);
    const c = convert(p);
    assert.ok(/** @type {any} */ (c.modules[3]).modules[0] instanceof nn.Linear);
    c.dispose();
    // quantize_dynamic's type mapping wins over a parent's None; a Linear's own None keeps it float.
    const own = new nn.Linear(2, 2);
    own.qconfig = null;
    const dq = /** @type {any} */ (quantizeDynamic(new nn.Sequential(inner, own)));
    assert.ok(dq.modules[0].modules[0] instanceof DynamicQuantizedLinearModule);
    assert.ok(dq.modules[1] instanceof nn.Linear && !(dq.modules[1] instanceof DynamicQuantizedLinearModule));
    dq.dispose();
  });
  await t.test('should refuse models the converted form could not run, saying why', () => {
    const noStub = new nn.Sequential(new nn.Linear(2, 2), new DeQuantStub());
    assert.throws(() => prepare(noStub, { qconfig: getDefaultQConfig('qnnpack') }), { name: 'RangeError', message: /put a QuantStub before it.*quantized::linear/ });
    const noDeQuant = new nn.Sequential(new QuantStub(), new nn.Linear(2, 2));
    assert.throws(() => prepare(noDeQuant, { qconfig: getDefaultQConfig('qnnpack') }), { name: 'RangeError', message: /DeQuantStub/ });
    assert.throws(() => prepare(new nn.Linear(2, 2), { qconfig: getDefaultQConfig('qnnpack') }), { name: 'TypeError', message: /wrap the layer/ });
    assert.throws(() => prepare(smallModel(), { qconfig: /** @type {any} */ ('qnnpack') }), { name: 'TypeError', message: /getDefaultQConfig/ });
  });
});

test('convert()', async (t) => {
  for (const s of small.static) {
    const mods = s.modules;
    if (s.qconfig === 'custom') {
      await t.test(`should refuse affine int8 weights (custom qconfig, fused ${s.fused}) naming the zero point`, () => {
        const nonzero = mods.some((/** @type {any} */ m) => m.weightZeroPoints?.some((/** @type {number} */ z) => z !== 0));
        assert.ok(nonzero, 'the fixture has affine weights');
        assert.throws(() => staticSmall('custom', s.fused), { name: 'RangeError', message: /zero point -?\d+ .*symmetric/ });
      });
      continue;
    }
    await t.test(`should match torch: ${s.qconfig}, fused ${s.fused} (bit for bit where the observed float ranges are torch's)`, () => {
      const { prepared, converted } = staticSmall(s.qconfig, s.fused);
      try {
        // Calibration runs the float model, whose outputs may differ from torch's sgemm by float32
        // accumulation order (ulps). A histogram observer absorbs that; a MinMax observer keeps the
        // extreme value itself, so its range (and scale) can move by those ulps, and a histogram's
        // bins move with its range. Where every observed
        // range has torch's bits, everything after must be bit-exact; elsewhere scales are within 8 ulps.
        // tests/unit/models-dyadic.test.js runs every qconfig on data whose float sums are exact in any
        // order, and there all of it is bit-exact.
        const sameRanges = [0, 1, 3, 5].every((i) => {
          const o = /** @type {any} */ (activationObserver(prepared.modules[i]));
          return bitsOf(Float32Array.of(o.minVal, o.maxVal)).join() === [mods[i].observed.min, mods[i].observed.max].join();
        });
        const exact = sameRanges;
        if (s.fused && s.qconfig !== 'fbgemm-minmax') assert.ok(exact, 'fused histogram cases see torch\'s exact ranges');
        const ulps = (/** @type {number} */ a, /** @type {number} */ b) => Math.abs(bitsOf(Float32Array.of(a))[0] - b);
        const q = converted.modules[0];
        assert.ok(q instanceof Quantize);
        assert.ok(ulps(q.scale, mods[0].scale) <= (exact ? 0 : 8), 'input scale');
        for (const i of [1, 3, 5]) {
          const m = /** @type {any} */ (converted.modules[i]);
          assert.ok(m instanceof QuantizedLinearModule);
          assert.deepEqual(Array.from(m.layer.weight), mods[i].weightInt8, `${i}.weight`);
          assert.deepEqual(bitsOf(m.layer.weightScales), mods[i].weightScales.length === 1
            ? new Array(m.outFeatures).fill(mods[i].weightScales[0]) : mods[i].weightScales, `${i}.weight_scale`);
          assert.ok(ulps(m.layer.outputScale, mods[i].scale) <= (exact ? 0 : 8), `${i}.scale`);
          if (exact) {
            assert.equal(m.layer.outputZeroPoint, mods[i].zeroPoint, `${i}.zero_point`);
            assert.deepEqual(Array.from(m.layer.biasInt32), mods[i].biasInt32, `${i}.biasInt32`);
          }
        }
        const y = converted.forward(bitsF32(small.x), small.xShape[0]);
        if (exact) {
          assert.deepEqual(bitsOf(y), s.y, 'outputs');
        } else {
          // A scale a few ulps away moves a value across a rounding boundary at most once per layer.
          const want = bitsF32(s.y), step = /** @type {any} */ (converted.modules[5]).layer.outputScale;
          y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 3 * step + 1e-6, `y[${i}] ${v} vs ${want[i]}`));
        }
        assert.ok(converted.modules[6] instanceof DeQuantize);
      } finally {
        converted.dispose();
      }
    });
  }
  await t.test('should reproduce torch on the Fashion MLP: qnnpack minmax, 100 calibration images, every tensor bit for bit', () => {
    const train = loadFashion('train', SUBSET_DIR), test = loadFashion('t10k', SUBSET_DIR);
    const p = prepare(fuseModules(mlp(), FUSE), { qconfig: getMinMaxQConfig('qnnpack') });
    p.forward(train.images.subarray(0, 100 * 784), 100);
    const c = convert(p);
    try {
      const pre = 'static/qnnpack/minmax/100/';
      const get = (/** @type {string} */ k) => /** @type {any} */ (torchTensors.get(k)).data;
      assert.deepEqual(bitsOf(Float32Array.of(/** @type {any} */ (c.modules[0]).scale)), bitsOf(get(`${pre}0.scale`)));
      for (const i of [1, 3, 5]) {
        const l = /** @type {any} */ (c.modules[i]).layer;
        assert.deepEqual(l.weight, get(`static/qnnpack/weights/${i}.weightInt8`), `${i}.weight`);
        assert.deepEqual(bitsOf(Float32Array.of(l.outputScale)), bitsOf(get(`${pre}${i}.scale`)), `${i}.scale`);
        assert.equal(l.outputZeroPoint, get(`${pre}${i}.zero_point`)[0]);
        assert.deepEqual(l.biasInt32, get(`${pre}${i}.biasInt32`), `${i}.biasInt32`);
      }
      let act = /** @type {any} */ (test.images.subarray(0, 16 * 784));
      for (let i = 0; i <= 5; i++) {
        act = c.modules[i].forward(act, 16);
        assert.deepEqual(act.data, get(`${pre}${i}.output`), `module ${i} output`);
      }
      assert.deepEqual(bitsOf(c.modules[6].forward(act, 16)), bitsOf(get(`${pre}y`)));
    } finally {
      c.dispose();
    }
  });
  await t.test('should convert a clone of a prepared model as the model, and refuse a qconfig set after prepare()', () => {
    // clone() copies each observer with its range, as torch's deepcopy of a prepared model does.
    const { prepared } = staticSmall('qnnpack', true);
    const copy = prepared.clone();
    const a = convert(prepared), b = convert(copy);
    const x = Float32Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i) * 2);
    assert.deepEqual(bitsOf(b.forward(x, 4)), bitsOf(a.forward(x, 4)));
    assert.ok(b.modules[0] instanceof Quantize);
    // A Linear given a qconfig after prepare() has no observer: torch's convert fails there too
    // (an AssertionError in from_float).
    const floatLast = new nn.Linear(4, 2);
    floatLast.qconfig = null;
    const late = prepare(new nn.Sequential(new QuantStub(), new nn.Linear(8, 4), new DeQuantStub(), floatLast), { qconfig: getDefaultQConfig('qnnpack') });
    late.forward(x, 4);
    late.modules[3].qconfig = getDefaultQConfig('qnnpack');
    assert.throws(() => convert(late), { name: 'RangeError', message: /Linear '3' has a qconfig but no observer/ });
    for (const m of [a, b, copy, late]) m.dispose();
  });
  await t.test('should explain a float input reaching a quantized Linear', () => {
    const { converted } = staticSmall('qnnpack', true);
    assert.throws(() => converted.modules[1].forward(new Float32Array(8), 1), { name: 'TypeError', message: /QuantStub.*quantized::linear/ });
    converted.dispose();
  });
  await t.test('should refuse a Linear whose observer keeps other activations than its input (int8 after uint8)', () => {
    // torch 1.13 fails on this model or builds a quint8 tensor with a negative zero point: a quantized
    // Linear requantizes into its input's dtype only, so the mixed model has no meaning to match.
    const m = smallModel();
    m.modules[3].qconfig = new QConfig({ activation: () => new MinMaxObserver({ dtype: 'int8' }),
      weight: () => new MinMaxObserver({ dtype: 'int8', qscheme: 'per_tensor_symmetric' }) });
    const p = prepare(m, { qconfig: getMinMaxQConfig('qnnpack') });
    const [rows] = small.calibrationShape;
    for (const b of small.calibration) p.forward(bitsF32(b), rows);
    assert.throws(() => convert(p), { name: 'RangeError', message: /^qdq-wasm: '3' observes int8 outputs but gets uint8 input$/ });
    // Without the int8 qconfig the same model converts.
    const fixed = prepare(smallModel(), { qconfig: getMinMaxQConfig('qnnpack') });
    for (const b of small.calibration) fixed.forward(bitsF32(b), rows);
    convert(fixed).dispose();
    for (const x of [p, fixed]) x.dispose();
  });
});

test('quantizeDynamic()', async (t) => {
  for (const d of small.dynamic) {
    await t.test(`should match torch's int8 weights, scales and outputs bit for bit (perChannel ${d.perChannel})`, () => {
      const dq = /** @type {any} */ (quantizeDynamic(smallModel(), { perChannel: d.perChannel }));
      try {
        for (const l of d.layers) {
          const m = dq.modules[l.index];
          assert.ok(m instanceof DynamicQuantizedLinearModule);
          assert.deepEqual(Array.from(m.layer.weight), l.weightInt8);
          assert.deepEqual(bitsOf(m.layer.weightScales), l.weightScales.length === 1 ? new Array(m.outFeatures).fill(l.weightScales[0]) : l.weightScales);
        }
        // Integer accumulation is exact; each output is then float(acc) * float(sx * sw) + bias, and the
        // next layer quantizes that float output: torch (qnnpack) rounds the same steps, and no float sum
        // of another order comes in between, so every output has torch's bits.
        assert.deepEqual(bitsOf(dq.forward(bitsF32(small.x), small.xShape[0])), d.y);
      } finally {
        dq.dispose();
      }
    });
  }
  await t.test("should reproduce torch's Fashion MLP outputs bit for bit, per tensor and per channel", () => {
    const test = loadFashion('t10k', SUBSET_DIR);
    for (const perChannel of [false, true]) {
      const dq = quantizeDynamic(mlp(), { perChannel });
      try {
        const want = /** @type {any} */ (torchTensors.get(`dynamic/${perChannel ? 'per_channel' : 'per_tensor'}/y`)).data;
        assert.deepEqual(bitsOf(dq.forward(test.images.subarray(0, 16 * 784), 16)), bitsOf(want), `perChannel ${perChannel}`);
      } finally {
        dq.dispose();
      }
    }
  });
  await t.test('should quantize a bare Linear (PyTorch returns it unchanged)', () => {
    const fc = new nn.Linear(4, 2);
    fc.weight = Float32Array.of(1, 0, -1, 0.5, 0.25, 2, 0, -2);
    const dq = /** @type {any} */ (quantizeDynamic(fc));
    assert.ok(dq instanceof DynamicQuantizedLinearModule);
    assert.deepEqual(Array.from(dq.layer.weight), [64, 0, -64, 32, 16, 127, 0, -127]);
    dq.dispose();
  });
  await t.test('should refuse weights other than int8', () => {
    assert.throws(() => quantizeDynamic(smallModel(), /** @type {any} */ ({ dtype: 'float16' })), { name: 'RangeError', message: /dtype/ });
  });
});

test('QConfig, getDefaultQConfig(), getMinMaxQConfig()', async (t) => {
  await t.test("should build torch 1.13's observers: fbgemm Histogram reduceRange + per-channel symmetric, qnnpack Histogram + per-tensor symmetric", () => {
    const fb = getDefaultQConfig('fbgemm'), qn = getDefaultQConfig('qnnpack');
    const fa = /** @type {any} */ (fb.activation()), qa = /** @type {any} */ (qn.activation());
    assert.ok(fa instanceof HistogramObserver && qa instanceof HistogramObserver);
    assert.deepEqual([fa.dtype, fa.quantMin, fa.quantMax], ['uint8', 0, 127]);
    assert.deepEqual([qa.dtype, qa.quantMin, qa.quantMax], ['uint8', 0, 255]);
    const fw = /** @type {any} */ (fb.weight()), qw = /** @type {any} */ (qn.weight());
    assert.ok(fw instanceof PerChannelMinMaxObserver && qw instanceof MinMaxObserver);
    assert.deepEqual([fw.dtype, fw.qscheme, qw.dtype, qw.qscheme], ['int8', 'per_channel_symmetric', 'int8', 'per_tensor_symmetric']);
    assert.ok(getDefaultQConfig('x86').weight() instanceof PerChannelMinMaxObserver);
    assert.ok(/** @type {any} */ (getMinMaxQConfig('qnnpack').activation()) instanceof MinMaxObserver);
  });
  await t.test('should refuse unknown backends and factories that are not functions', () => {
    assert.throws(() => getDefaultQConfig(/** @type {any} */ ('arm')), { name: 'RangeError', message: /backend/ });
    assert.throws(() => new QConfig(/** @type {any} */ ({ activation: new MinMaxObserver(), weight: () => new MinMaxObserver() })),
      { name: 'TypeError', message: /with_args/ });
  });
});

test('QuantStub, DeQuantStub, Quantize, DeQuantize, activationObserver()', async (t) => {
  await t.test('should be identities before convert and quantize/dequantize with PyTorch rounding after', () => {
    const x = Float32Array.of(0.5, -0.25);
    assert.equal(new QuantStub().forward(x), x);
    assert.equal(new DeQuantStub().forward(x), x);
    // 0.25 * (1 / 0.5) = 0.5 rounds half to even: 0, plus zero point 10.
    const q = new Quantize(0.5, 10, 'uint8').forward(Float32Array.of(0.25, 1, -100));
    assert.deepEqual(q.data, Uint8Array.of(10, 12, 0));
    assert.deepEqual(new DeQuantize().forward(q), Float32Array.of(0, 1, -5));
    assert.equal(activationObserver(new QuantStub()), null);
  });
});
