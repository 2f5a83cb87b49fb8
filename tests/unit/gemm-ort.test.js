// Cross-checks against onnxruntime-web 1.30 (wasm backend, one thread):
// MatMulInteger, QLinearMatMul and com.microsoft DynamicQuantizeMatMul on
// random inputs, bit for bit. Models are one node, encoded by tests/helpers/onnx-model.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { qdq } from '../helpers/setup.js';
import { DataType, elemTypeOf, oneNodeModel } from '../helpers/onnx-model.js';

const { FLOAT, INT32 } = DataType;
import { firstDiff, randomQ, rng } from '../helpers/gemm-ref.js';

ort.env.wasm.numThreads = 1;

const range = (/** @type {string} */ dt) => (dt === 'uint8' ? [0, 255] : [-128, 127]);
const zpArray = (/** @type {string} */ dt, /** @type {number[]} */ v) => (dt === 'uint8' ? Uint8Array.from(v) : Int8Array.from(v));
const ortType = (/** @type {ArrayBufferView} */ a) => (a instanceof Uint8Array ? 'uint8' : a instanceof Int8Array ? 'int8' : 'float32');

/** @param {string} what @param {ArrayLike<number>} got @param {ArrayLike<number>} want */
function assertSame(what, got, want) {
  const i = firstDiff(got, want);
  if (i >= 0) assert.fail(`${what}: index ${i}: onnxruntime ${want[i]}, qdq-wasm ${got[i]}`);
}

/** @param {Uint8Array} model @param {Record<string, ArrayBufferView>} feeds @param {Record<string, number[]>} dims */
async function run(model, feeds, dims) {
  const session = await ort.InferenceSession.create(model);
  try {
    /** @type {Record<string, ort.Tensor>} */
    const t = {};
    for (const [name, data] of Object.entries(feeds)) t[name] = new ort.Tensor(ortType(data), /** @type {any} */ (data), dims[name]);
    const out = await session.run(t);
    return /** @type {ArrayLike<number>} */ (out.Y.data);
  } finally {
    await session.release();
  }
}

const SHAPES = [[1, 1, 1], [3, 17, 5], [8, 64, 33], [1, 300, 129], [19, 71, 16], [40, 128, 64]];

test('matmulInteger() vs onnxruntime-web MatMulInteger', async (t) => {
  for (const adt of ['uint8', 'int8']) {
    for (const bdt of ['int8', 'uint8']) {
      await t.test(`should equal onnxruntime bit for bit: ${adt} x ${bdt}, per-column B zero points`, async () => {
        const r = rng(adt.length * 31 + bdt.length);
        for (const [m, k, n] of SHAPES) {
          const a = randomQ(r, adt, m * k), b = randomQ(r, bdt, k * n);
          const za = r.int(...range(adt));
          const zb = Array.from({ length: n }, () => r.int(...range(bdt)));
          const model = oneNodeModel({
            op: 'MatMulInteger', inputs: [{ name: 'A', type: elemTypeOf(a), dims: [m, k] }],
            initializers: [{ name: 'B', dims: [k, n], data: b }, { name: 'az', dims: [], data: zpArray(adt, [za]) },
              { name: 'bz', dims: [n], data: zpArray(bdt, zb) }],
            nodeInputs: ['A', 'B', 'az', 'bz'], output: { name: 'Y', type: INT32, dims: [m, n] },
          });
          const want = await run(model, { A: a }, { A: [m, k] });
          assertSame(`${m}x${k}x${n}`, qdq.matmulInteger(a, b, { m, k, n, aZeroPoint: za, bZeroPoint: zb }), want);
        }
      });
    }
  }
});

test('qlinearMatmul() vs onnxruntime-web QLinearMatMul', async (t) => {
  for (const [adt, bdt] of [['uint8', 'int8'], ['int8', 'int8'], ['uint8', 'uint8']]) {
    await t.test(`should equal onnxruntime bit for bit: ${adt} x ${bdt} -> ${adt}`, async () => {
      const r = rng(97 + adt.length + bdt.length);
      let inside = 0, total = 0;
      for (const [m, k, n] of SHAPES) {
        for (const perColumn of [false, true]) {
          const a = randomQ(r, adt, m * k), b = randomQ(r, bdt, k * n);
          // Zero points near the middle of the range, as calibration gives them.
          const near = (/** @type {string} */ dt) => (dt === 'uint8' ? 128 : 0) + r.int(-20, 20);
          const za = near(adt), yzp = near(adt);
          const zb = perColumn ? Array.from({ length: n }, () => near(bdt)) : [near(bdt)];
          const bScale = Float32Array.from(zb, () => 0.01 + r.int(0, 1000) / 100000);
          const aScale = Math.fround(0.01 + r.int(0, 100) / 1000);
          // Output step sized to the accumulators' spread (~ 5000 sqrt(k)), so most
          // outputs land inside the range and the rounding itself is compared.
          const yScale = Math.fround(aScale * bScale[0] * Math.sqrt(k) * (40 + r.int(0, 40)));
          const model = oneNodeModel({
            op: 'QLinearMatMul', inputs: [{ name: 'A', type: elemTypeOf(a), dims: [m, k] }],
            initializers: [{ name: 'as', dims: [], data: Float32Array.of(aScale) }, { name: 'az', dims: [], data: zpArray(adt, [za]) },
              { name: 'B', dims: [k, n], data: b }, { name: 'bs', dims: perColumn ? [n] : [], data: bScale },
              { name: 'bz', dims: perColumn ? [n] : [], data: zpArray(bdt, zb) },
              { name: 'ys', dims: [], data: Float32Array.of(yScale) }, { name: 'yz', dims: [], data: zpArray(adt, [yzp]) }],
            nodeInputs: ['A', 'as', 'az', 'B', 'bs', 'bz', 'ys', 'yz'], output: { name: 'Y', type: elemTypeOf(a), dims: [m, n] },
          });
          const want = await run(model, { A: a }, { A: [m, k] });
          const got = qdq.qlinearMatmul(a, b, { m, k, n, aScale, aZeroPoint: za, bScale: perColumn ? bScale : bScale[0],
            bZeroPoint: perColumn ? zb : zb[0], yScale, yZeroPoint: yzp });
          assertSame(`${m}x${k}x${n} perColumn=${perColumn}`, got, want);
          const [lo, hi] = range(adt);
          inside += Array.from(got).filter((v) => v > lo && v < hi).length;
          total += got.length;
        }
      }
      assert.ok(inside > total / 2, `only ${inside} of ${total} outputs unsaturated`);
    });
  }
});

test('DynamicQuantizedLinear vs onnxruntime-web DynamicQuantizeMatMul', async (t) => {
  await t.test('should equal onnxruntime bit for bit with compat \'onnx\'', async () => {
    const r = rng(4242);
    for (const [m, k, n] of SHAPES) {
      const w = randomQ(r, 'int8', n * k);
      const wt = new Int8Array(k * n); // ONNX B is [k, n]
      for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) wt[l * n + j] = w[j * k + l];
      const scales = Float32Array.from({ length: n }, () => 0.001 + r.int(0, 1000) / 100000);
      const bias = Float32Array.from({ length: n }, () => r.float(2));
      const x = Float32Array.from({ length: m * k }, () => r.float(8) + 0.7);
      const model = oneNodeModel({
        op: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: [{ name: 'A', type: FLOAT, dims: [m, k] }],
        initializers: [{ name: 'B', dims: [k, n], data: wt }, { name: 'bs', dims: [n], data: scales },
          { name: 'bz', dims: [n], data: new Int8Array(n) }, { name: 'bias', dims: [n], data: bias }],
        nodeInputs: ['A', 'B', 'bs', 'bz', 'bias'], output: { name: 'Y', type: FLOAT, dims: [m, n] },
      });
      const want = await run(model, { A: x }, { A: [m, k] });
      const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: /** @type {Int8Array} */ (w), weightScales: scales, bias,
        inFeatures: k, outFeatures: n, compat: 'onnx' });
      assertSame(`${m}x${k}x${n}`, layer.forward(x), want);
      layer.dispose();
    }
  });
});
