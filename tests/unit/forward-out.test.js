// forward(x, batch, { out }) of every layer: the result written into the
// caller's array (the same bytes as a fresh one, stale contents overwritten,
// the array itself returned), and bad `out` refused before any work with an
// error naming it, leaving the layer usable.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { rng } from '../helpers/gemm-ref.js';

const K = 37, N = 13, M = 5; // odd sizes: every kernel tail
const r = rng(2024);
const weight = Float32Array.from({ length: N * K }, () => r.float(2));
const bias = Float32Array.from({ length: N }, () => r.float(1));
const x = Float32Array.from({ length: M * K }, () => r.float(4));

/** @type {Array<[string, () => any, ArrayBufferView, new (n: number) => any]>} */
const layers = [
  ['DynamicQuantizedLinear', () => qdq.DynamicQuantizedLinear.fromFloat(weight, bias, { inFeatures: K, outFeatures: N }), x, Float32Array],
  ['Linear', () => qdq.Linear.fromFloat(weight, bias, { inFeatures: K, outFeatures: N }), x, Float32Array],
  ['QuantizedLinear', () => qdq.QuantizedLinear.fromFloat(weight, bias, { inFeatures: K, outFeatures: N, inputScale: 0.02, inputZeroPoint: 128, outputScale: 0.05, outputZeroPoint: 120 }),
    Uint8Array.from({ length: M * K }, () => r.int(0, 255)), Uint8Array],
  ['MatMulNBits', () => qdq.MatMulNBits.pack({ ...qdq.quantizeBlockwise(weight, { n: N, k: K, bits: 4, blockSize: 16 }), bias }), x, Float32Array],
  ['WeightOnlyQuantizedLinear', () => qdq.WeightOnlyQuantizedLinear.fromFloat(weight, bias, { inFeatures: K, outFeatures: N, bits: 4, blockSize: 32 }), x, Float32Array],
];

for (const [name, make, input, Y] of layers) {
  test(`${name}.forward(x, batch, { out })`, async (t) => {
    const layer = make();
    t.after(() => layer.dispose());
    const fresh = layer.forward(input, M);
    assert.ok(fresh instanceof Y);

    await t.test('should write the same bytes as a fresh result into out and return out', () => {
      const out = new Y(M * N).fill(99);
      const r = layer.forward(input, M, { out });
      assert.equal(r, out);
      assert.deepEqual(new Uint8Array(out.buffer), new Uint8Array(fresh.buffer));
      // Reused: a second call overwrites every element again.
      out.fill(7);
      assert.equal(layer.forward(input, M, { out }), out);
      assert.deepEqual(new Uint8Array(out.buffer), new Uint8Array(fresh.buffer));
    });

    await t.test('should write into a view at an offset and nothing around it', () => {
      const backing = new Y(M * N + 6).fill(5);
      const out = backing.subarray(3, 3 + M * N);
      layer.forward(input, M, { out });
      assert.deepEqual([...backing.subarray(0, 3)], [5, 5, 5]);
      assert.deepEqual([...backing.subarray(3 + M * N)], [5, 5, 5]);
      assert.deepEqual([...out], [...fresh]);
    });

    await t.test('should accept { out: undefined } and no options as a fresh array', () => {
      const r = layer.forward(input, M, { out: undefined });
      assert.notEqual(r, fresh);
      assert.deepEqual([...r], [...fresh]);
    });

    await t.test('should refuse a bad out, naming it, and stay usable', () => {
      const Wrong = Y === Float32Array ? Int32Array : Float32Array;
      assert.throws(() => layer.forward(input, M, { out: new Wrong(M * N) }), (e) => e instanceof TypeError && /qdq-wasm: out must be a/.test(e.message));
      assert.throws(() => layer.forward(input, M, { out: new Y(M * N - 1) }), (e) => e instanceof RangeError && e.message === `qdq-wasm: out must have length ${M * N}, got ${M * N - 1}`);
      assert.throws(() => layer.forward(input, M, { out: [0] }), TypeError);
      assert.throws(() => layer.forward(input, M, { outt: new Y(M * N) }), (e) => e instanceof TypeError && /unknown option 'outt'.*did you mean 'out'/.test(e.message));
      assert.throws(() => layer.forward(input, M, 7), (e) => e instanceof TypeError && /forward options must be an options object, got/.test(e.message));
      assert.deepEqual([...layer.forward(input, M)], [...fresh]);
    });

    await t.test('should return out untouched for an empty batch', () => {
      const out = new Y(0);
      assert.equal(layer.forward(new /** @type {any} */ (input.constructor)(0), 0, { out }), out);
    });
  });
}
