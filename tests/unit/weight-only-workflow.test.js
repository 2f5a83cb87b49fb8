// Weight-only quantization in the model workflows (js/quantization/weight-only.js): quantizeDynamic
// with a weight-only qconfig puts a WeightOnlyQuantizedLinearModule in place of each Linear it covers.
// Each module must compute exactly what a WeightOnlyQuantizedLinear made from the same float weights
// computes (that layer is checked against onnxruntime-web's MatMulNBits in nbits-ort.test.js), and
// survive saveModel/loadModel and clone() bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';

const { nn, QuantStub, DeQuantStub, getDefaultQConfig, getWeightOnlyQConfig, WeightOnlyQConfig, quantizeDynamic, prepare,
  saveModel, loadModel, readSafetensors, writeSafetensors, WeightOnlyQuantizedLinear, WeightOnlyQuantizedLinearModule,
  DynamicQuantizedLinearModule } = qdq;

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;

/** A Linear (or LinearReLU) with random weights and bias. @param {number} k @param {number} n @param {{ relu?: boolean, bias?: boolean }} [o] */
function linear(k, n, o = {}) {
  const l = new (o.relu ? nn.LinearReLU : nn.Linear)(k, n, { bias: o.bias ?? true });
  l.weight.set(Float32Array.from({ length: k * n }, rand));
  if (l.bias) l.bias.set(Float32Array.from({ length: n }, () => rand() / 4));
  return l;
}

/** The model of most tests: odd sizes, k not a multiple of the blocks, a fused ReLU, a bias-less last layer. */
const model = () => new nn.Sequential(linear(45, 23), new nn.ReLU(), linear(23, 17, { relu: true }), linear(17, 5, { bias: false })).eval();

/**
 * What the quantized model must compute: each Linear as a WeightOnlyQuantizedLinear from the same
 * floats, a fused ReLU as nn.ReLU.
 * @param {any} m @param {Float32Array} x @param {number} batch @param {object} opts
 */
function reference(m, x, batch, opts) {
  let h = x;
  for (const mod of m.modules) {
    if (mod instanceof nn.Linear) {
      const l = WeightOnlyQuantizedLinear.fromFloat(mod.weight, mod.bias, { inFeatures: mod.inFeatures, outFeatures: mod.outFeatures, ...opts });
      h = l.forward(h, batch);
      l.dispose();
      if (mod instanceof nn.LinearReLU) h = new nn.ReLU().forward(h);
    } else {
      h = mod.forward(h, batch);
    }
  }
  return h;
}

/** @param {Float32Array} a @param {Float32Array} b */
const sameBits = (a, b) => a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

const x = Float32Array.from({ length: 3 * 45 }, rand);

test('quantizeDynamic with a weight-only qconfig', async (t) => {
  await t.test('should give each Linear the weight-only layer of its own floats, bit for bit, in every setting', () => {
    const float = model();
    for (const opts of [{}, { bits: 8 }, { bits: 4, blockSize: 16, symmetric: true }, { bits: 8, blockSize: 64, accuracyLevel: 0 },
      { bits: 4, blockSize: 128, accuracyLevel: 0 }, { bits: 4, blockSize: 256 }]) {
      const q = quantizeDynamic(float, { qconfig: getWeightOnlyQConfig(/** @type {any} */ (opts)) });
      assert.deepEqual(q.modules.map((m) => m.constructor.name),
        ['WeightOnlyQuantizedLinearModule', 'ReLU', 'WeightOnlyQuantizedLinearModule', 'WeightOnlyQuantizedLinearModule'], JSON.stringify(opts));
      const l = /** @type {any} */ (q.modules[2]).layer;
      assert.deepEqual([l.bits, l.blockSize, l.accuracyLevel, l.weight.zeroPoints === null, /** @type {any} */ (q.modules[2]).relu],
        [opts.bits ?? 4, opts.blockSize ?? 32, opts.accuracyLevel ?? 4, opts.symmetric ?? false, true]);
      const y = q.forward(x, 3);
      assert.ok(sameBits(y, reference(float, x, 3, opts)), JSON.stringify(opts));
      // The fused ReLU clamps; the float model is left as it was.
      assert.ok(q.modules[2].forward(Float32Array.from({ length: 23 }, rand), 1).every((v) => !(v < 0)));
      q.dispose();
    }
    assert.ok(float.modules[0] instanceof nn.Linear);
  });

  await t.test('should follow qconfigs on modules: the nearest of any kind wins, and null keeps a Linear float', () => {
    const m = new nn.Sequential(linear(8, 6), new nn.Sequential(linear(6, 4), linear(4, 4)), linear(4, 2));
    /** @param {any} q */
    const kinds = (q) => q.modules.map((c) => (c instanceof nn.Sequential ? c.modules.map((d) => d.constructor.name) : c.constructor.name));
    const int4 = getWeightOnlyQConfig(), int8 = getWeightOnlyQConfig({ bits: 8 });
    m.modules[1].qconfig = int4;
    let q = quantizeDynamic(m);
    assert.deepEqual(kinds(q), ['DynamicQuantizedLinearModule', ['WeightOnlyQuantizedLinearModule', 'WeightOnlyQuantizedLinearModule'], 'DynamicQuantizedLinearModule']);
    q.dispose();
    /** @type {any} */ (m.modules[1]).modules[1].qconfig = int8;
    m.modules[2].qconfig = null;
    q = quantizeDynamic(m, { qconfig: int4 });
    assert.deepEqual(kinds(q), ['WeightOnlyQuantizedLinearModule', ['WeightOnlyQuantizedLinearModule', 'WeightOnlyQuantizedLinearModule'], 'Linear']);
    assert.deepEqual(/** @type {any} */ (q.modules[1]).modules.map((/** @type {any} */ c) => c.layer.bits), [4, 8]);
    q.dispose();
    // A Sequential's null stops the option's qconfig: its Linears get the int8 dynamic default, as without one.
    m.modules[1].qconfig = null;
    /** @type {any} */ (m.modules[1]).modules[1].qconfig = undefined;
    q = quantizeDynamic(m, { qconfig: int4 });
    assert.deepEqual(kinds(q), ['WeightOnlyQuantizedLinearModule', ['DynamicQuantizedLinearModule', 'DynamicQuantizedLinearModule'], 'Linear']);
    q.dispose();
    // The nearest qconfig of any kind wins, as torch propagates them: a Linear's own QConfig under a
    // weight-only Sequential gets int8 weights, and so does everything under a Sequential's QConfig.
    m.modules[1].qconfig = int4;
    /** @type {any} */ (m.modules[1]).modules[0].qconfig = getDefaultQConfig('qnnpack');
    m.modules[2].qconfig = undefined;
    q = quantizeDynamic(m);
    assert.deepEqual(kinds(q), ['DynamicQuantizedLinearModule', ['DynamicQuantizedLinearModule', 'WeightOnlyQuantizedLinearModule'], 'DynamicQuantizedLinearModule']);
    q.dispose();
    m.modules[1].qconfig = getDefaultQConfig('qnnpack');
    /** @type {any} */ (m.modules[1]).modules[0].qconfig = undefined;
    q = quantizeDynamic(m, { qconfig: int8 });
    assert.deepEqual(kinds(q), ['WeightOnlyQuantizedLinearModule', ['DynamicQuantizedLinearModule', 'DynamicQuantizedLinearModule'], 'WeightOnlyQuantizedLinearModule']);
    q.dispose();
  });

  await t.test('should quantize a bare Linear, and in place replace and dispose the float Linears', () => {
    const lin = linear(45, 9);
    const q = quantizeDynamic(lin, { qconfig: getWeightOnlyQConfig() });
    assert.ok(q instanceof WeightOnlyQuantizedLinearModule);
    assert.ok(sameBits(q.forward(x, 3), reference(new nn.Sequential(lin), x, 3, {})));
    q.dispose();
    const m = model();
    const before = m.modules[0];
    const same = quantizeDynamic(m, { qconfig: getWeightOnlyQConfig(), inplace: true });
    assert.equal(same, m);
    assert.ok(m.modules[0] instanceof WeightOnlyQuantizedLinearModule);
    assert.equal(before.disposed, true);
    m.dispose();
  });

  await t.test('should change nothing when a Linear cannot be quantized', () => {
    const m = model();
    m.modules[2].weight[5] = NaN;
    const w0 = m.modules[0].weight.slice();
    assert.throws(() => quantizeDynamic(m, { qconfig: getWeightOnlyQConfig(), inplace: true }), /weight/);
    assert.ok(m.modules[0] instanceof nn.Linear && m.modules[2] instanceof nn.LinearReLU);
    assert.deepEqual(m.modules[0].weight, w0);
  });
});

test('WeightOnlyQuantizedLinearModule', async (t) => {
  await t.test('should save and load, and clone, with the same bits and its settings', () => {
    for (const opts of [{ bits: 4, blockSize: 16 }, { bits: 8, symmetric: true, accuracyLevel: 0 }]) {
      const q = quantizeDynamic(model(), { qconfig: getWeightOnlyQConfig(/** @type {any} */ (opts)) });
      const y = q.forward(x, 3);
      const bytes = saveModel(q);
      const back = loadModel(bytes);
      assert.ok(sameBits(back.forward(x, 3), y), JSON.stringify(opts));
      const l = /** @type {any} */ (back.modules[2]);
      assert.deepEqual([l.layer.bits, l.layer.blockSize, l.layer.accuracyLevel, l.relu, l.layer.error], [opts.bits, opts.blockSize ?? 32, opts.accuracyLevel ?? 4, true, null]);
      const names = Object.keys(back.stateDict());
      assert.deepEqual(names, opts.symmetric
        ? ['0.weight', '0.scales', '0.bias', '2.weight', '2.scales', '2.bias', '3.weight', '3.scales']
        : ['0.weight', '0.scales', '0.zero_points', '0.bias', '2.weight', '2.scales', '2.zero_points', '2.bias', '3.weight', '3.scales', '3.zero_points']);
      // MatMulNBits's layout: [n, blocks, blockSize * bits / 8] bytes, [n, blocks] scales.
      const sd = q.stateDict();
      const blocks = Math.ceil(45 / (opts.blockSize ?? 32));
      assert.deepEqual(sd['0.weight'].shape, [23, blocks, (opts.blockSize ?? 32) * opts.bits / 8]);
      assert.deepEqual(sd['0.scales'].shape, [23, blocks]);
      assert.deepEqual(sd['0.weight'].data, /** @type {any} */ (q.modules[0]).layer.weight.data);
      const c = q.clone();
      assert.ok(sameBits(c.forward(x, 3), y));
      assert.deepEqual(/** @type {any} */ (c.modules[0]).layer.error, /** @type {any} */ (q.modules[0]).layer.error);
      for (const m of [q, back, c]) m.dispose();
      assert.throws(() => q.forward(x, 3), /disposed/);
    }
  });

  await t.test('should load another model\'s state, and refuse a state of the wrong shape or type without changing', () => {
    const cfg = { qconfig: getWeightOnlyQConfig({ bits: 4, blockSize: 16 }) };
    const a = quantizeDynamic(model(), cfg), b = quantizeDynamic(model(), cfg);
    const ya = a.forward(x, 3), yb = b.forward(x, 3);
    assert.ok(!sameBits(ya, yb));
    b.loadStateDict(a.stateDict());
    assert.ok(sameBits(b.forward(x, 3), ya));
    const bad = a.stateDict();
    bad['2.scales'] = { shape: bad['2.scales'].shape, data: new Float32Array(bad['2.scales'].data.length).fill(NaN) };
    assert.throws(() => b.loadStateDict(bad), (e) => e instanceof RangeError && /WeightOnlyQuantizedLinearModule '2'/.test(e.message) && /scales/.test(e.message));
    const wrongType = a.stateDict();
    wrongType['0.weight'] = { shape: wrongType['0.weight'].shape, data: new Int8Array(wrongType['0.weight'].data.length) };
    assert.throws(() => b.loadStateDict(wrongType), TypeError);
    assert.ok(sameBits(b.forward(x, 3), ya));
    a.dispose();
    b.dispose();
  });

  await t.test('should refuse a saved tree with bits or sizes the file cannot hold', () => {
    const q = quantizeDynamic(new nn.Sequential(linear(45, 23)), { qconfig: getWeightOnlyQConfig() });
    const { tensors, metadata } = readSafetensors(saveModel(q));
    q.dispose();
    const tree = JSON.parse(/** @type {any} */ (metadata)['qdq-wasm.modules']);
    /** @param {object} patch */
    const withTree = (patch) => writeSafetensors(tensors, { metadata: { 'qdq-wasm.modules': JSON.stringify({ ...tree, modules: [{ ...tree.modules[0], ...patch }] }) } });
    assert.throws(() => loadModel(withTree({ bits: 5 })), (e) => e instanceof RangeError && /'0'.*WeightOnlyQuantizedLinear.*bits must be 4 or 8, got 5/.test(e.message));
    assert.throws(() => loadModel(withTree({ blockSize: 24 })), (e) => e instanceof RangeError && /blockSize must be one of/.test(e.message));
    assert.throws(() => loadModel(withTree({ outFeatures: 2 ** 30 })), (e) => e instanceof RangeError && /more than the whole file has/.test(e.message));
    assert.throws(() => loadModel(withTree({ relu: 'yes' })), (e) => e instanceof RangeError && /relu/.test(e.message));
    assert.throws(() => loadModel(withTree({ zeroPoints: false })), (e) => e instanceof RangeError && /unexpected tensor '0.zero_points'/.test(e.message));
  });

  await t.test('should leave wasm memory as it was after quantize, save, load, clone and dispose cycles', () => {
    // 512 x 512 weights: 128 to 256 KiB packed per layer and three layers per cycle, so a layer left
    // undisposed grows the memory within a few cycles (small ones would fit in the heap's free space).
    const float = new nn.Sequential(linear(512, 512));
    const x1 = Float32Array.from({ length: 512 }, rand);
    const cycle = (/** @type {number} */ i) => {
      const q = quantizeDynamic(float, { qconfig: getWeightOnlyQConfig({ bits: i % 2 ? 4 : 8 }) });
      q.forward(x1, 1);
      const back = loadModel(saveModel(q));
      back.clone().dispose();
      back.dispose();
      q.dispose();
    };
    // Warm-up cycles first: the allocator may grow memory once to fit one; a leak grows it again.
    for (let i = 0; i < 4; i++) cycle(i);
    const rt = getRuntime();
    rt.refresh();
    const before = rt.memory.buffer.byteLength;
    for (let i = 0; i < 40; i++) cycle(i);
    assert.equal(rt.memory.buffer.byteLength, before);
  });

  await t.test('should take only a live WeightOnlyQuantizedLinear', () => {
    const l = WeightOnlyQuantizedLinear.fromFloat(Float32Array.from({ length: 32 }, rand), null, { inFeatures: 16, outFeatures: 2 });
    assert.throws(() => new WeightOnlyQuantizedLinearModule(/** @type {any} */ ({}), false), (e) => e instanceof TypeError && /must be a WeightOnlyQuantizedLinear/.test(e.message));
    assert.throws(() => new WeightOnlyQuantizedLinearModule(l, /** @type {any} */ (1)), (e) => e instanceof TypeError && /relu must be a boolean, got 1/.test(e.message));
    l.dispose();
    assert.throws(() => new WeightOnlyQuantizedLinearModule(l), /was disposed/);
  });
});

test('WeightOnlyQuantizedLinear.fromQuantized', async (t) => {
  await t.test('should rebuild a layer from its weights with the same outputs, and copy what it is given', () => {
    const w = Float32Array.from({ length: 7 * 45 }, rand), bias = Float32Array.from({ length: 7 }, rand);
    for (const opts of [{ bits: 4, blockSize: 16 }, { bits: 8, symmetric: true }, { bits: 4, accuracyLevel: 0 }]) {
      const a = WeightOnlyQuantizedLinear.fromFloat(w, bias, { inFeatures: 45, outFeatures: 7, .../** @type {any} */ (opts) });
      const weight = { data: a.weight.data.slice(), scales: a.weight.scales.slice(), zeroPoints: a.weight.zeroPoints?.slice() ?? null };
      const b = WeightOnlyQuantizedLinear.fromQuantized({ weight, bias, inFeatures: 45, outFeatures: 7, bits: a.bits,
        blockSize: /** @type {any} */ (a.blockSize), accuracyLevel: a.accuracyLevel });
      const y = a.forward(x, 3);
      assert.ok(sameBits(b.forward(x, 3), y), JSON.stringify(opts));
      assert.equal(b.error, null);
      weight.data.fill(0);
      weight.scales.fill(1);
      assert.ok(sameBits(b.forward(x, 3), y), 'changing the arrays given changes nothing');
      assert.notEqual(b.weight.data, weight.data);
      a.dispose();
      b.dispose();
    }
  });

  await t.test('should refuse weights of the wrong size, type or values, naming them', () => {
    const a = WeightOnlyQuantizedLinear.fromFloat(Float32Array.from({ length: 4 * 40 }, rand), null, { inFeatures: 40, outFeatures: 4 });
    const base = { weight: a.weight, inFeatures: 40, outFeatures: 4 };
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, weight: { ...a.weight, data: a.weight.data.subarray(1) } }),
      (e) => e instanceof RangeError && /data must have 128 elements, got 127/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, weight: { ...a.weight, scales: new Float64Array(8) } }),
      (e) => e instanceof TypeError && /scales/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, weight: { ...a.weight, scales: new Float32Array(8).fill(Infinity) } }),
      (e) => e instanceof RangeError && /scales/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, outFeatures: 5 }), (e) => e instanceof RangeError && /data must have/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, bias: new Float32Array(3) }), (e) => e instanceof RangeError && /bias/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized(/** @type {any} */ ({ inFeatures: 40, outFeatures: 4 })), (e) => e instanceof TypeError && /weight/.test(e.message));
    assert.throws(() => WeightOnlyQuantizedLinear.fromQuantized({ ...base, bits: /** @type {any} */ (3) }), (e) => e instanceof RangeError && /bits must be 4 or 8, got 3/.test(e.message));
    a.dispose();
  });
});

test('weight-only qconfigs', async (t) => {
  await t.test('should hold checked, frozen settings with the defaults of WeightOnlyQuantizedLinear', () => {
    const q = getWeightOnlyQConfig();
    assert.ok(q instanceof WeightOnlyQConfig && Object.isFrozen(q));
    assert.deepEqual({ ...q }, { bits: 4, blockSize: 32, symmetric: false, accuracyLevel: 4 });
    assert.deepEqual({ ...getWeightOnlyQConfig({ bits: 8, blockSize: 256, symmetric: true, accuracyLevel: 0 }) }, { bits: 8, blockSize: 256, symmetric: true, accuracyLevel: 0 });
    // As every options object of the library: undefined is "not given", null itself a TypeError.
    assert.deepEqual({ ...getWeightOnlyQConfig(undefined) }, { ...q });
    assert.throws(() => getWeightOnlyQConfig(/** @type {any} */ (null)), TypeError);
  });

  await t.test('should refuse bad settings, and be refused where observers are needed', () => {
    const cases = /** @type {[unknown, RegExp, Function][]} */ ([
      [{ bits: 3 }, /bits must be 4 or 8, got 3/, RangeError],
      // The words of quantizeBlockwise and WeightOnlyQuantizedLinear.fromFloat, note included (one check).
      [{ bits: 2 }, /^qdq-wasm: bits must be 4 or 8, got 2 \(onnxruntime's 2-bit MatMulNBits is not supported\)$/, RangeError],
      [{ bits: '4' }, /bits must be a number, got "4"/, TypeError],
      [{ blockSize: 24 }, /blockSize must be one of 16, 32, 64, 128, 256, got 24/, RangeError],
      [{ accuracyLevel: 5 }, /accuracyLevel must be an integer in \[0, 4\], got 5/, RangeError],
      [{ symmetric: 1 }, /symmetric must be a boolean, got 1/, TypeError],
      [{ bit: 4 }, /unknown option 'bit'.*did you mean 'bits'/, TypeError],
      [4, /options must be/, TypeError],
    ]);
    for (const [opts, re, E] of cases) assert.throws(() => getWeightOnlyQConfig(/** @type {any} */ (opts)), (e) => e instanceof E && re.test(/** @type {Error} */ (e).message), String(opts));
    const m = new nn.Sequential(new QuantStub(), linear(4, 2), new DeQuantStub());
    assert.throws(() => prepare(m, { qconfig: /** @type {any} */ (getWeightOnlyQConfig()) }), (e) => e instanceof TypeError && /quantizeDynamic\(model, \{ qconfig \}\)/.test(e.message));
    m.modules[1].qconfig = getWeightOnlyQConfig();
    assert.throws(() => prepare(m, { qconfig: getDefaultQConfig('qnnpack') }), (e) => e instanceof TypeError && /weight-only qconfig/.test(e.message));
    assert.throws(() => quantizeDynamic(model(), { qconfig: /** @type {any} */ (getDefaultQConfig()) }), (e) => e instanceof TypeError && /prepare\(\), calibrate and convert\(\)/.test(e.message));
    assert.throws(() => quantizeDynamic(model(), { qconfig: /** @type {any} */ ({ bits: 4 }) }), (e) => e instanceof TypeError && /getWeightOnlyQConfig/.test(e.message));
    // A module's own qconfig that is neither kind (a plain object) is refused by both, naming the module and the value;
    // quantizeDynamic() quantized that Linear as int8 without a word, prepare() failed with 'qc.activation is not a function'.
    const plain = linear(40, 2);
    plain.qconfig = /** @type {any} */ ({ bits: 4 });
    const refused = (/** @type {any} */ e) => e instanceof TypeError &&
      /^qdq-wasm: a Linear's qconfig must be a QConfig \(getDefaultQConfig\(\)\), a weight-only qconfig \(getWeightOnlyQConfig\(\)\), null \(keep it float\) or undefined \(its parent's\), got Object$/.test(e.message);
    assert.throws(() => quantizeDynamic(new nn.Sequential(plain)), refused);
    assert.throws(() => quantizeDynamic(new nn.Sequential(plain), { qconfig: getWeightOnlyQConfig() }), refused);
    assert.throws(() => prepare(new nn.Sequential(new QuantStub(), plain, new DeQuantStub()), { qconfig: getDefaultQConfig('qnnpack') }), refused);
    // null is "not given": the int8 dynamic default.
    const q = quantizeDynamic(model(), { qconfig: null });
    assert.ok(q.modules[0] instanceof DynamicQuantizedLinearModule);
    q.dispose();
  });
});
