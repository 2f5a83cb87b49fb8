// Wasm memory on error paths: a call that throws after it has built layers
// (loadModel, quantizeDynamic, convert, fuseModules, prepare, Sequential.clone)
// frees them before it throws, and an SGD optimizer frees its momentum buffers
// on dispose(). 100 calls of each leave the wasm memory the same size and the
// allocator's next block where it was (as tests/unit/memory.test.js checks the
// successful calls): nothing waits for the garbage collector.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { RawWasm } from '../helpers/raw-wasm.js';

const { nn } = qdq;
const raw = new RawWasm(getRuntime());
const CALLS = 100;
const f32 = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
/** A float MLP of two 256 x 256 Linears: each converted one holds about 70 KB of wasm memory. */
const mlp = () => new nn.Sequential(new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 256));

function nextMalloc() {
  const p = raw.alloc(24);
  raw.free(p);
  return p;
}

/**
 * Runs fn CALLS times, each expected to throw `pattern`, and checks the memory.
 * @param {() => unknown} fn @param {RegExp} pattern
 */
function noLeak(fn, pattern) {
  assert.throws(fn, pattern); // warm-up: first use may allocate what later calls reuse
  const bytes = raw.memory.buffer.byteLength;
  const probe = nextMalloc();
  for (let i = 0; i < CALLS; i++) assert.throws(fn, pattern);
  assert.equal(raw.memory.buffer.byteLength, bytes, 'wasm memory grew: the failed calls left layers allocated');
  assert.equal(nextMalloc(), probe, 'the allocator state moved: something built before the error was not freed');
}

test('wasm memory on error paths', async (t) => {
  await t.test('loadModel of a file whose last module has an unknown type', () => {
    const dq = qdq.quantizeDynamic(mlp());
    const { tensors, metadata } = qdq.readSafetensors(qdq.saveModel(dq));
    dq.dispose();
    const tree = JSON.parse(/** @type {any} */ (metadata)['qdq-wasm.modules']);
    tree.modules.push({ type: 'Bogus' });
    const bad = qdq.writeSafetensors(Object.fromEntries(tensors), { metadata: { 'qdq-wasm.modules': JSON.stringify(tree) } });
    noLeak(() => qdq.loadModel(bad), /^RangeError: qdq-wasm: the module tree's '3' has unknown type "Bogus"$/);
  });

  await t.test('loadModel of a file whose second quantized Linear has a bad field', () => {
    const dq = qdq.quantizeDynamic(mlp());
    const { tensors, metadata } = qdq.readSafetensors(qdq.saveModel(dq));
    dq.dispose();
    const tree = JSON.parse(/** @type {any} */ (metadata)['qdq-wasm.modules']);
    tree.modules[2].compat = 'tflite';
    const bad = qdq.writeSafetensors(Object.fromEntries(tensors), { metadata: { 'qdq-wasm.modules': JSON.stringify(tree) } });
    noLeak(() => qdq.loadModel(bad), /^RangeError: qdq-wasm: the module tree's '2' \(DynamicQuantizedLinear\): compat must be one of/);
  });

  await t.test("quantizeDynamic of a model whose second Linear has a NaN weight (edited in place)", () => {
    const m = mlp();
    m.modules[2].weight[7] = NaN;
    /** @type {any} */ (m.modules[2]).markChanged();
    noLeak(() => qdq.quantizeDynamic(m), /weight\[7\] is NaN/);
    noLeak(() => qdq.quantizeDynamic(m, { inplace: true }), /weight\[7\] is NaN/);
    // In place, nothing was replaced: the model is the float one it was.
    assert.ok(m.modules[0] instanceof nn.Linear);
    assert.equal(m.modules[0].disposed, false);
    m.modules[2].weight[7] = 0;
    const dq = qdq.quantizeDynamic(m);
    assert.equal(dq.forward(f32(256)).length, 256);
    dq.dispose();
  });

  await t.test('convert of a model whose second Linear has an asymmetric weight observer', () => {
    let k = 0;
    const qconfig = new qdq.QConfig({
      activation: () => new qdq.MinMaxObserver(),
      weight: () => new qdq.MinMaxObserver(k++ % 2 === 0 ? { dtype: 'int8', qscheme: 'per_tensor_symmetric' } : { dtype: 'int8' }),
    });
    const p = qdq.prepare(new nn.Sequential(new qdq.QuantStub(), mlp(), new qdq.DeQuantStub()).eval(), { qconfig });
    p.forward(f32(256 * 4), 4);
    noLeak(() => { k = 0; return qdq.convert(p); }, /its weight observer gave zero point/);
    noLeak(() => { k = 0; return qdq.convert(p, { inplace: true }); }, /its weight observer gave zero point/);
    assert.ok(p.modules[1].modules[0] instanceof nn.Linear, 'a failed in-place convert changed the model');
  });

  await t.test('fuseModules, prepare and Sequential.clone that fail after copying converted layers', () => {
    const dq = qdq.quantizeDynamic(mlp());
    const model = new nn.Sequential(dq, new nn.Linear(2, 2), new nn.ReLU());
    t.after(() => model.dispose());
    noLeak(() => qdq.fuseModules(model, [['2', '1']]), /cannot fuse ReLU '2' with Linear '1'/);
    // A quantized Linear with a qconfig but no QuantStub before it: prepare() refuses the copy it made.
    model.modules[1].qconfig = qdq.getDefaultQConfig('qnnpack');
    noLeak(() => qdq.prepare(model), /would be quantized but gets float input/);
    model.modules[1].qconfig = null;
    class Opaque extends nn.Module {}
    const withOpaque = new nn.Sequential(dq, new Opaque());
    noLeak(() => withOpaque.clone(), /Opaque cannot be copied/);
  });

  await t.test('layer constructors that run out of wasm memory at any allocation free the ones before it', () => {
    const rt = /** @type {any} */ (getRuntime());
    /** Runs make() with the JS side's nth malloc failing (0 = none); returns how many it made. */
    const withFailingMalloc = (nth, make) => {
      const real = rt.exports;
      let count = 0;
      rt.exports = { ...real, malloc: (/** @type {number} */ n) => (++count === nth ? 0 : real.malloc(n)) };
      try {
        make()?.dispose();
      } finally {
        rt.exports = real;
      }
      return count;
    };
    const w = f32(64 * 48), b = f32(48);
    const q = qdq.quantizeBlockwise(w, { n: 48, k: 64 });
    const makers = {
      'Linear.fromFloat': () => qdq.Linear.fromFloat(w, b, { inFeatures: 64, outFeatures: 48 }),
      'PackedMatrix.pack': () => qdq.PackedMatrix.pack(new Int8Array(64 * 48), { k: 64, n: 48 }),
      'DynamicQuantizedLinear.fromFloat': () => qdq.DynamicQuantizedLinear.fromFloat(w, b, { inFeatures: 64, outFeatures: 48 }),
      'QuantizedLinear.fromFloat': () => qdq.QuantizedLinear.fromFloat(w, b, { inFeatures: 64, outFeatures: 48, inputScale: 0.1, outputScale: 0.1 }),
      'MatMulNBits.pack': () => qdq.MatMulNBits.pack({ ...q, bias: b }),
      'WeightOnlyQuantizedLinear.fromFloat': () => qdq.WeightOnlyQuantizedLinear.fromFloat(w, b, { inFeatures: 64, outFeatures: 48 }),
    };
    for (const [name, make] of Object.entries(makers)) {
      withFailingMalloc(0, make); // warm-up
      const mallocs = withFailingMalloc(0, make);
      assert.ok(mallocs >= 1, `${name} allocates`);
      for (let nth = 1; nth <= mallocs; nth++) {
        const bytes = raw.memory.buffer.byteLength;
        const probe = nextMalloc();
        assert.throws(() => withFailingMalloc(nth, make), { name: 'RangeError', message: /^qdq-wasm: .*out of WebAssembly memory/ }, `${name}, malloc ${nth} failing`);
        assert.equal(raw.memory.buffer.byteLength, bytes);
        assert.equal(nextMalloc(), probe, `${name} with malloc ${nth} of ${mallocs} failing left memory allocated`);
      }
    }
  });

  await t.test('nn.SGD with momentum, created, stepped and disposed', () => {
    const l = new nn.Linear(256, 256).train();
    l.forward(f32(256 * 4), 4);
    l.backward(f32(256 * 4), 4);
    const cycle = () => {
      const opt = new nn.SGD(l.parameters(), { lr: 0.001, momentum: 0.9 });
      opt.step();
      opt.dispose();
    };
    cycle();
    const bytes = raw.memory.buffer.byteLength;
    const probe = nextMalloc();
    for (let i = 0; i < CALLS; i++) cycle();
    assert.equal(raw.memory.buffer.byteLength, bytes, 'wasm memory grew: the momentum buffers were not freed');
    assert.equal(nextMalloc(), probe);
  });
});
