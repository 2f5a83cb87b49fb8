// Converted models in and out of safetensors (js/quantization/serialize.js, Module.loadStateDict):
// the small 8-6-5-3 model of tests/fixtures/models.json and the Fashion MLP, static (fused and
// unfused) and dynamic; outputs after the round trip must be bit-identical, and a damaged file
// must be refused by name without changing the model it was loaded into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { bitsF32, bitsOf, FUSE, mlp, readFixture, smallModel as smallModelOf, torchTensors } from '../helpers/models.js';
import { loadFashion, SUBSET_DIR } from '../../scripts/lib/fashion-mnist.js';

const { nn, getDefaultQConfig, getMinMaxQConfig, fuseModules, prepare, convert, quantizeDynamic,
  saveModel, loadModel, readSafetensors, writeSafetensors, QuantizedLinear, QuantizedLinearModule, DynamicQuantizedLinearModule } = qdq;

const fixtures = readFixture('models.json');
const small = fixtures.small;
const smallModel = () => smallModelOf(small);

/** @param {any} qconfig @param {boolean} fused @param {number} [batches] calibration batches of the fixture */
function staticSmall(qconfig, fused, batches = small.calibration.length) {
  const p = prepare(fused ? fuseModules(smallModel(), FUSE) : smallModel(), { qconfig });
  for (const b of small.calibration.slice(0, batches)) p.forward(bitsF32(b), small.calibrationShape[0]);
  return convert(p);
}

const x = () => bitsF32(small.x);
const rows = () => small.xShape[0];

/** Rewrites a saved file's tensors (keeping its metadata). @param {Uint8Array} bytes @param {(t: Map<string, any>) => void} edit */
function rewrite(bytes, edit) {
  const { tensors, metadata } = readSafetensors(bytes);
  edit(tensors);
  return writeSafetensors(tensors, { metadata: metadata ?? {} });
}

test('saveModel(), loadModel()', async (t) => {
  for (const [name, qc] of /** @type {const} */ ([['fbgemm', 'fbgemm'], ['qnnpack', 'qnnpack'], ['fbgemm-minmax', 'minmax']])) {
    for (const fused of [true, false]) {
      await t.test(`should give bit-identical outputs after a round trip: static ${name}, fused ${fused}`, () => {
        const c = staticSmall(qc === 'minmax' ? getMinMaxQConfig('fbgemm') : getDefaultQConfig(qc), fused);
        const back = loadModel(saveModel(c));
        try {
          assert.deepEqual(bitsOf(back.forward(x(), rows())), bitsOf(c.forward(x(), rows())));
          assert.deepEqual(back.modules.map((m) => m.constructor.name), c.modules.map((m) => m.constructor.name));
          assert.equal(/** @type {any} */ (back.modules[1]).layer.relu, fused);
        } finally {
          c.dispose();
          back.dispose();
        }
      });
    }
  }

  await t.test("should store PyTorch's names and dtypes: int8 weights, F32 scales, I32 zero points, float and int32 bias", () => {
    const c = staticSmall(getDefaultQConfig('fbgemm'), true);
    try {
      const { tensors, metadata } = readSafetensors(saveModel(c, { metadata: { format: 'pt' } }));
      assert.equal(metadata?.format, 'pt');
      const got = Object.fromEntries([...tensors].map(([k, v]) => [k, `${v.dtype} [${v.shape}]`]));
      const linear = (/** @type {number} */ i, /** @type {number} */ n, /** @type {number} */ k) => ({
        [`${i}.weight`]: `I8 [${n},${k}]`, [`${i}.weight_scale`]: `F32 [${n}]`, [`${i}.bias_int32`]: `I32 [${n}]`,
        [`${i}.bias`]: `F32 [${n}]`, [`${i}.scale`]: 'F32 [1]', [`${i}.zero_point`]: 'I32 [1]',
        [`${i}.input_scale`]: 'F64 [1]', [`${i}.input_zero_point`]: 'I32 [1]',
      });
      assert.deepEqual(got, { '0.scale': 'F32 [1]', '0.zero_point': 'I32 [1]', ...linear(1, 6, 8), ...linear(3, 5, 6), ...linear(5, 3, 5) });
      // The values are the converted layers' own: torch 1.13's, as tests/unit/models.test.js checks them.
      const l1 = /** @type {any} */ (c.modules[1]).layer;
      assert.deepEqual(tensors.get('1.weight')?.data, l1.weight);
      assert.deepEqual(bitsOf(/** @type {any} */ (tensors.get('1.scale')?.data)), bitsOf(Float32Array.of(l1.outputScale)));
      assert.deepEqual(tensors.get('1.bias_int32')?.data, l1.biasInt32);
    } finally {
      c.dispose();
    }
  });

  // What a PyTorch user exports from a converted torch model: for Quantize, scale and zero_point; for
  // each quantized Linear, weight().int_repr(), q_per_channel_scales() (or q_scale()), bias(), the
  // output scale and zero_point, and the input's scale and zero point (the previous module's).
  for (const s of small.static.filter((/** @type {any} */ c) => c.qconfig !== 'custom')) {
    await t.test(`should run torch's own converted tensors to torch's outputs bit for bit: ${s.qconfig}, fused ${s.fused}`, () => {
      /** @type {Record<string, any>} */
      const tensors = {};
      const tree = { type: 'Sequential', modules: /** @type {any[]} */ ([]) };
      let input = { scale: 0, zeroPoint: 0 };
      for (const m of s.modules) {
        const i = m.index;
        if (m.type === 'Quantize') {
          tree.modules.push({ type: 'Quantize', dtype: 'uint8' });
          tensors[`${i}.scale`] = { shape: [1], data: bitsF32([m.scale]) };
          tensors[`${i}.zero_point`] = { shape: [1], data: Int32Array.of(m.zeroPoint) };
        } else if (m.weightInt8) {
          const n = m.bias.length, k = m.weightInt8.length / n;
          tree.modules.push({ type: 'QuantizedLinear', inFeatures: k, outFeatures: n, dtype: 'uint8', relu: m.type === 'LinearReLU', bias: true });
          Object.assign(tensors, {
            [`${i}.weight`]: { shape: [n, k], data: Int8Array.from(m.weightInt8) },
            [`${i}.weight_scale`]: { shape: [n], data: bitsF32(m.weightScales.length === 1 ? new Array(n).fill(m.weightScales[0]) : m.weightScales) },
            [`${i}.bias`]: { shape: [n], data: bitsF32(m.bias) },
            [`${i}.bias_int32`]: { shape: [n], data: Int32Array.from(m.biasInt32) },
            [`${i}.scale`]: { shape: [1], data: bitsF32([m.scale]) },
            [`${i}.zero_point`]: { shape: [1], data: Int32Array.of(m.zeroPoint) },
            // torch's q_scale() is a double holding the float32 scale.
            [`${i}.input_scale`]: { shape: [1], data: Float64Array.of(bitsF32([input.scale])[0]) },
            [`${i}.input_zero_point`]: { shape: [1], data: Int32Array.of(input.zeroPoint) },
          });
        } else {
          tree.modules.push({ type: m.type === 'DeQuantize' ? 'DeQuantize' : m.type });
        }
        if (m.scale !== undefined) input = { scale: m.scale, zeroPoint: m.zeroPoint };
      }
      const model = loadModel(writeSafetensors(tensors, { metadata: { 'qdq-wasm.modules': JSON.stringify(tree) } }));
      try {
        assert.deepEqual(bitsOf(model.forward(x(), rows())), s.y);
      } finally {
        model.dispose();
      }
    });
  }

  await t.test('should load into a converted model with loadStateDict (as load_state_dict in PyTorch) and then match the saved one', () => {
    const a = staticSmall(getDefaultQConfig('qnnpack'), true);
    const b = staticSmall(getDefaultQConfig('qnnpack'), true, 1); // other calibration: other scales
    try {
      assert.notDeepEqual(bitsOf(b.forward(x(), rows())), bitsOf(a.forward(x(), rows())));
      b.loadStateDict(readSafetensors(saveModel(a)).tensors);
      assert.deepEqual(bitsOf(b.forward(x(), rows())), bitsOf(a.forward(x(), rows())));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  await t.test("should reproduce torch's converted Fashion MLP bit for bit after a round trip (qnnpack minmax, 100 images)", () => {
    const train = loadFashion('train', SUBSET_DIR), test = loadFashion('t10k', SUBSET_DIR);
    const p = prepare(fuseModules(mlp(), FUSE), { qconfig: getMinMaxQConfig('qnnpack') });
    p.forward(train.images.subarray(0, 100 * 784), 100);
    const c = convert(p);
    const bytes = saveModel(c);
    c.dispose();
    const back = loadModel(bytes);
    try {
      const want = /** @type {any} */ (torchTensors.get('static/qnnpack/minmax/100/y')).data;
      assert.deepEqual(bitsOf(back.forward(test.images.subarray(0, 16 * 784), 16)), bitsOf(want));
    } finally {
      back.dispose();
    }
  });

  for (const perChannel of [false, true]) {
    await t.test(`should give bit-identical outputs after a round trip: dynamic, perChannel ${perChannel}, fused and not`, () => {
      for (const fused of [false, true]) {
        const d = quantizeDynamic(fused ? fuseModules(smallModel(), FUSE) : smallModel(), { perChannel });
        const back = loadModel(saveModel(d));
        try {
          assert.ok(/** @type {any} */ (back).modules[1] instanceof DynamicQuantizedLinearModule);
          assert.equal(/** @type {any} */ (back).modules[1].relu, fused);
          assert.deepEqual(bitsOf(back.forward(x(), rows())), bitsOf(d.forward(x(), rows())));
        } finally {
          d.dispose();
          back.dispose();
        }
      }
    });
  }

  await t.test('should round-trip a float model and a Linear without bias', () => {
    const m = new nn.Sequential(new nn.Flatten(), new nn.Linear(3, 2, { bias: false }), new nn.ReLU());
    m.loadStateDict({ '1.weight': { shape: [2, 3], data: Float32Array.of(1, -2, 0.5, 0.25, 3, -1) } });
    const back = loadModel(saveModel(m));
    const xs = Float32Array.of(1, 2, 3, -1, 0.5, 2);
    assert.deepEqual(back.forward(xs, 2), m.eval().forward(xs, 2));
    assert.deepEqual(Object.keys(back.stateDict()), ['1.weight']);
  });

  await t.test('should keep an int32 bias that has no float bias', () => {
    const layer = QuantizedLinear.fromQuantized({ weight: Int8Array.of(1, 2, -3, 4), weightScales: Float32Array.of(0.5, 0.25),
      biasInt32: Int32Array.of(100, -7), inFeatures: 2, outFeatures: 2, inputScale: 0.1, inputZeroPoint: 3, outputScale: 0.2,
      outputZeroPoint: 128 });
    const m = new nn.Sequential(new QuantizedLinearModule(layer, null));
    const back = /** @type {any} */ (loadModel(saveModel(m)));
    try {
      assert.deepEqual(Object.keys(back.stateDict()).sort(), ['0.bias_int32', '0.input_scale', '0.input_zero_point', '0.scale',
        '0.weight', '0.weight_scale', '0.zero_point']);
      assert.deepEqual(back.modules[0].layer.biasInt32, Int32Array.of(100, -7));
      const xq = { data: Uint8Array.of(3, 200, 7, 0), scale: layer.inputScale, zeroPoint: 3, dtype: 'uint8' };
      assert.deepEqual(back.forward(xq, 2).data, m.forward(xq, 2).data);
      assert.throws(() => QuantizedLinear.fromQuantized({ weight: Int8Array.of(1), weightScales: Float32Array.of(1), bias: Float32Array.of(1),
        biasInt32: Int32Array.of(1), inFeatures: 1, outFeatures: 1, inputScale: 1, outputScale: 1 }), { name: 'TypeError', message: /not both/ });
    } finally {
      m.dispose();
      back.dispose();
    }
  });

  await t.test('should keep a hand-built layer\'s double inputScale, which its bias was quantized with', () => {
    // bias / (inputScale * weightScale) is 40458160.3 with this double and 40458164.x with its float32 value
    // (found by the io audit); torch quantizes the bias with q_scale(), a double, and so does fromQuantized.
    const inputScale = 0.0014061870839800971;
    const bias = Float32Array.of(1.0691503286361694);
    const layer = QuantizedLinear.fromQuantized({ weight: Int8Array.of(1, -2, 3, 4), weightScales: Float32Array.of(0.00001879271621874068),
      bias, inFeatures: 4, outFeatures: 1, inputScale, inputZeroPoint: 128, outputScale: 0.05, outputZeroPoint: 128 });
    assert.equal(layer.biasInt32[0], 40458160);
    assert.equal(layer.inputScale, inputScale);
    const m = new nn.Sequential(new QuantizedLinearModule(layer, bias));
    const back = /** @type {any} */ (loadModel(saveModel(m)));
    try {
      assert.equal(back.modules[0].layer.inputScale, inputScale);
      assert.deepEqual(back.modules[0].layer.biasInt32, Int32Array.of(40458160));
      // Its input may carry the scale as float32: requantization uses that value.
      const xq = { data: Uint8Array.of(3, 200, 7, 0), scale: Math.fround(inputScale), zeroPoint: 128, dtype: 'uint8' };
      assert.deepEqual(back.forward(xq, 1).data, m.forward(xq, 1).data);
    } finally {
      m.dispose();
      back.dispose();
    }
  });

  await t.test('should refuse missing, extra, misshapen and mistyped tensors by name', () => {
    const c = staticSmall(getDefaultQConfig('fbgemm'), true);
    const bytes = saveModel(c);
    c.dispose();
    const cases = /** @type {[string, (t: Map<string, any>) => void, Function, RegExp][]} */ ([
      ['missing', (ts) => ts.delete('3.zero_point'), RangeError, /^qdq-wasm: state is missing '3\.zero_point' \(shape \[1\]\)/],
      ['extra', (ts) => ts.set('7.weight', { shape: [1], data: new Float32Array(1) }), RangeError, /unexpected tensor '7\.weight'/],
      ['misshapen', (ts) => ts.set('5.weight_scale', { shape: [4], data: new Float32Array(4) }), RangeError,
        /state\['5\.weight_scale'\] has shape \[4\] .*needs \[3\]/],
      ['mistyped', (ts) => ts.set('1.weight', { shape: [6, 8], data: new Uint8Array(48) }), TypeError, /state\['1\.weight'\]\.data must be an Int8Array, got Uint8Array\(48\)/],
    ]);
    for (const [what, edit, Err, re] of cases) {
      assert.throws(() => loadModel(rewrite(bytes, edit)), { name: Err.name, message: re }, what);
    }
  });

  await t.test("should refuse values a layer cannot take, naming the module, and change nothing in the model", () => {
    const a = staticSmall(getDefaultQConfig('fbgemm'), true);
    const b = staticSmall(getDefaultQConfig('fbgemm'), true, 1);
    const bytes = saveModel(a);
    const before = bitsOf(b.forward(x(), rows()));
    const cases = /** @type {[string, (t: Map<string, any>) => void, RegExp][]} */ ([
      ['zero scale', (ts) => ts.set('3.scale', { shape: [1], data: Float32Array.of(0) }), /QuantizedLinearModule '3': outputScale must be finite and > 0/],
      ['NaN weight scale', (ts) => ts.get('5.weight_scale').data.fill(NaN), /QuantizedLinearModule '5': weightScales/],
      ['zero point outside uint8', (ts) => ts.set('5.zero_point', { shape: [1], data: Int32Array.of(300) }), /QuantizedLinearModule '5': outputZeroPoint must be an integer in \[0, 255\]/],
      ['input zero point', (ts) => ts.set('0.zero_point', { shape: [1], data: Int32Array.of(-1) }), /Quantize '0': zero_point must be an integer in \[0, 255\]/],
      ['bias_int32 from another model', (ts) => { ts.get('5.bias_int32').data[2] += 1; }, /QuantizedLinearModule '5': bias_int32\[2\] is -?\d+, but bias\[2\] quantized .* gives -?\d+/],
    ]);
    try {
      for (const [what, edit, re] of cases) {
        const tensors = readSafetensors(rewrite(bytes, edit)).tensors;
        assert.throws(() => b.loadStateDict(tensors), { name: 'RangeError', message: re }, what);
        assert.deepEqual(bitsOf(b.forward(x(), rows())), before, `${what}: the model is unchanged`);
        assert.throws(() => loadModel(rewrite(bytes, edit)), { name: 'RangeError', message: re }, `${what} (loadModel)`);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  await t.test("should refuse files without saveModel()'s module tree, or with a broken one", () => {
    const plain = writeSafetensors({ '1.weight': { shape: [2, 2], data: new Float32Array(4) } });
    assert.throws(() => loadModel(plain), { name: 'RangeError', message: /no 'qdq-wasm\.modules' metadata .*loadStateDict/ });
    const tree = (/** @type {string} */ json) => writeSafetensors({}, { metadata: { 'qdq-wasm.modules': json } });
    assert.throws(() => loadModel(tree('{')), { name: 'RangeError', message: /not JSON/ });
    assert.throws(() => loadModel(tree('{"type":"Conv2d"}')), { name: 'RangeError', message: /unknown type "Conv2d"/ });
    assert.throws(() => loadModel(tree('{"type":"Sequential","modules":[{"type":"Linear","inFeatures":2}]}')),
      { name: 'RangeError', message: /module '0' \(Linear\) no 'outFeatures'/ });
    assert.throws(() => saveModel(smallModel(), { metadata: { 'qdq-wasm.modules': '{}' } }), { name: 'RangeError', message: /saveModel\(\)'s own/ });
    assert.throws(() => saveModel(/** @type {any} */ ({})), { name: 'TypeError', message: /^qdq-wasm: model must be a Module/ });
  });
});
