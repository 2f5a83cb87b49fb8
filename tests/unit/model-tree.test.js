// loadModel() meets a hostile module tree (bad sizes and flags, sizes no file
// could hold, a layer's own check failing, nesting deep enough to overflow the
// stack) with a RangeError naming the module and key, and a valid file loads
// right after. saveModel() refuses to write what loadModel() would refuse.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { throwsQdq } from '../helpers/throws-qdq.js';

const { nn } = qdq;

/** A saveModel() file of a small dynamic model, with its tree edited. */
function withTree(edit) {
  const dq = qdq.quantizeDynamic(new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2)));
  const { tensors, metadata } = qdq.readSafetensors(qdq.saveModel(dq));
  dq.dispose();
  const tree = JSON.parse(/** @type {any} */ (metadata)['qdq-wasm.modules']);
  const t = edit(tree) ?? tree;
  return qdq.writeSafetensors(Object.fromEntries(tensors), { metadata: { 'qdq-wasm.modules': typeof t === 'string' ? t : JSON.stringify(t) } });
}

test('loadModel() of a hostile module tree', async (t) => {
  // As JSON text: JSON.stringify of 20000 levels would overflow the stack itself.
  const deep = (n) => '{"type":"Sequential","modules":['.repeat(n) + '{"type":"Identity"}' + ']}'.repeat(n);
  const cases = [
    ['inFeatures -1', (tr) => { tr.modules[0].inFeatures = -1; },
      /^qdq-wasm: the module tree gives module '0' \(DynamicQuantizedLinear\) inFeatures -1; it must be an integer in \[1, 2147483647\]$/],
    ['inFeatures "4"', (tr) => { tr.modules[0].inFeatures = '4'; }, /module '0' \(DynamicQuantizedLinear\) inFeatures "4"; it must be an integer/],
    ['outFeatures 2.5', (tr) => { tr.modules[2].outFeatures = 2.5; }, /module '2' \(DynamicQuantizedLinear\) outFeatures 2.5; it must be an integer/],
    ['outFeatures null', (tr) => { tr.modules[2].outFeatures = null; }, /module '2' \(DynamicQuantizedLinear\) outFeatures null/],
    ['a weight larger than the file', (tr) => { tr.modules[0].inFeatures = 40000; tr.modules[0].outFeatures = 40000; },
      /^qdq-wasm: the module tree gives module '0' \(DynamicQuantizedLinear\) a \[40000, 40000\] weight, more values than the whole file has bytes \(\d+\)$/],
    ['a float Linear with inFeatures 0', () => ({ type: 'Sequential', modules: [{ type: 'Linear', inFeatures: 0, outFeatures: 2, bias: true }] }),
      /module '0' \(Linear\) inFeatures 0; it must be an integer/],
    ['bias "yes"', (tr) => { tr.modules[0].bias = 'yes'; }, /module '0' \(DynamicQuantizedLinear\) bias "yes"; it must be true or false$/],
    ['relu 1', (tr) => { tr.modules[2].relu = 1; }, /module '2' \(DynamicQuantizedLinear\) relu 1; it must be true or false$/],
    ['compat "tflite"', (tr) => { tr.modules[2].compat = 'tflite'; }, /^qdq-wasm: the module tree's '2' \(DynamicQuantizedLinear\): compat must be one of 'pytorch', 'onnx', got "tflite"$/],
    ['a Quantize of dtype 8', () => ({ type: 'Quantize', dtype: 8 }), /the module tree's '\(root\)' \(Quantize\): dtype must be one of 'int8', 'uint8', got 8$/],
    ['20000 nested Sequentials', () => deep(20000), /^qdq-wasm: the module tree nests Sequentials more than 64 deep \(at '0\.0(\.0)*'\)$/],
    ['65 nested Sequentials', () => deep(65), /nests Sequentials more than 64 deep/],
  ];
  for (const [what, edit, pattern] of cases) {
    await t.test(`should refuse ${what} with a RangeError naming the module`, () => {
      const bytes = withTree(edit);
      throwsQdq(() => qdq.loadModel(bytes), RangeError, pattern);
      const ok = qdq.loadModel(withTree(() => {}));
      assert.equal(ok.forward(Float32Array.of(1, 2, 3, 4)).length, 2);
      ok.dispose();
    });
  }
  await t.test("should name the module when a layer's own check fails (k past GEMM_MAX_K)", () => {
    // A file with enough bytes for the weight, so that the layer's own check is the one that fails.
    const tree = { type: 'QuantizedLinear', inFeatures: 40000, outFeatures: 1, dtype: 'uint8', relu: false, bias: false };
    const bytes = qdq.writeSafetensors({ pad: { data: new Int8Array(40000) } }, { metadata: { 'qdq-wasm.modules': JSON.stringify(tree) } });
    throwsQdq(() => qdq.loadModel(bytes), RangeError, /^qdq-wasm: the module tree's '\(root\)' \(QuantizedLinear\): inFeatures must be at most 33025/);
  });
  await t.test('should read 64 nested Sequentials, and saveModel() should refuse to write 65', () => {
    const wrap = (m, n) => { for (let i = 0; i < n; i++) m = new nn.Sequential(m); return m; };
    const m64 = wrap(new nn.Identity(), 64);
    const back = qdq.loadModel(qdq.saveModel(m64));
    assert.deepEqual(back.forward(Float32Array.of(1, 2), 1), Float32Array.of(1, 2));
    throwsQdq(() => qdq.saveModel(wrap(new nn.Identity(), 65)), RangeError, /saveModel\(\) writes Sequentials nested at most 64 deep \(loadModel\(\)'s limit\)/);
  });
});
