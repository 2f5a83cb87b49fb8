// The library against onnxruntime-web 1.30 (wasm backend, one thread), live:
// QuantizeLinear / DequantizeLinear (opset 13, per tensor and per axis) and
// DynamicQuantizeLinear (opset 11) on seeded random data, with the default
// compat 'onnx', compared bit for bit. Models are built by
// tests/helpers/onnx-model.js; scale and zero point are graph inputs, so one
// session serves every (scale, zero point) of a dtype and layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { qdq, BUILD } from '../helpers/setup.js';
import { attr, DataType, model, node, tensor, valueInfo } from '../helpers/onnx-model.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { rng as prng } from '../helpers/oracle.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const DT = {
  int8: { onnx: DataType.INT8, ort: 'int8', Array: Int8Array, min: -128, max: 127 },
  uint8: { onnx: DataType.UINT8, ort: 'uint8', Array: Uint8Array, min: 0, max: 255 },
};

const bits = (/** @type {number} */ v) => new Uint32Array(Float32Array.of(v).buffer)[0];
const fromBits = (/** @type {number} */ u) => new Float32Array(Uint32Array.of(u).buffer)[0];

/**
 * A float32 scale: log-uniform in [1e-4, 10], or a power of two (exact ties)
 * one time in four.
 * @param {() => number} rand
 */
function randomScale(rand) {
  if (rand() < 0.25) return 2 ** (Math.floor(rand() * 16) - 10);
  return Math.fround(10 ** (rand() * 5 - 4));
}

/**
 * n inputs for quantizing with scale and zp into [qmin, qmax]: in-range
 * values, near-ties (fl((k + 1/2) * scale) +- 2 ulps, where x / scale and
 * x * (1 / scale) disagree most often), saturating values, and -0, +0,
 * subnormals and tiny values.
 * @param {() => number} rand @param {number} n @param {number} scale @param {number} zp
 * @param {number} qmin @param {number} qmax
 */
function randomInput(rand, n, scale, zp, qmin, qmax) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = rand();
    if (kind < 0.35) {
      x[i] = (rand() - 0.5) * (qmax - qmin) * scale * 1.1;
    } else if (kind < 0.75) {
      const k = Math.floor(rand() * (qmax - qmin + 6)) + qmin - zp - 3;
      const base = bits(Math.fround((k + 0.5) * scale));
      x[i] = fromBits(base + Math.floor(rand() * 5) - 2);
    } else if (kind < 0.9) {
      x[i] = (rand() < 0.5 ? -1 : 1) * (qmax - qmin) * scale * (1 + rand() * 1000);
    } else {
      x[i] = [0, -0, 1e-45, -1e-45, 1e-40, -3e-39, 1e-30, -1e-30][Math.floor(rand() * 8)];
    }
  }
  return x;
}

/** Sessions by model key, created once. @type {Map<string, Promise<ort.InferenceSession>>} */
const sessions = new Map();
/** @param {string} key @param {() => Uint8Array} build */
function session(key, build) {
  let s = sessions.get(key);
  if (s === undefined) {
    s = ort.InferenceSession.create(build());
    sessions.set(key, s);
  }
  return s;
}

/** Symbolic dims d0, d1, ... of a given rank. @param {number} rank */
const dims = (rank) => Array.from({ length: rank }, (_, i) => `d${i}`);

/**
 * QuantizeLinear (opset 13) through onnxruntime.
 * @param {Float32Array} x @param {number[]} shape
 * @param {number[]} scales one (per tensor) or one per channel
 * @param {number[]} zps @param {'int8' | 'uint8'} dtype @param {number | null} axis null: per tensor
 * @returns {Promise<Int8Array | Uint8Array>}
 */
async function ortQuantize(x, shape, scales, zps, dtype, axis) {
  const d = DT[dtype];
  const perAxis = axis !== null;
  const s = await session(`Q/${dtype}/${shape.length}/${axis}`, () => model({
    opset: 13,
    nodes: [node('QuantizeLinear', ['x', 's', 'zp'], ['y'], perAxis ? { axis } : {})],
    inputs: [valueInfo('x', DataType.FLOAT, dims(shape.length)),
      valueInfo('s', DataType.FLOAT, perAxis ? ['c'] : []), valueInfo('zp', d.onnx, perAxis ? ['c'] : [])],
    outputs: [valueInfo('y', d.onnx, dims(shape.length))],
  }));
  const pdims = perAxis ? [scales.length] : [];
  const r = await s.run({
    x: new ort.Tensor('float32', x, shape),
    s: new ort.Tensor('float32', Float32Array.from(scales), pdims),
    zp: new ort.Tensor(d.ort, d.Array.from(zps), pdims),
  });
  return /** @type {Int8Array | Uint8Array} */ (r.y.data);
}

/**
 * DequantizeLinear (opset 13) through onnxruntime.
 * @param {Int8Array | Uint8Array} q @param {number[]} shape @param {number[]} scales
 * @param {number[]} zps @param {'int8' | 'uint8'} dtype @param {number | null} axis
 * @returns {Promise<Float32Array>}
 */
async function ortDequantize(q, shape, scales, zps, dtype, axis) {
  const d = DT[dtype];
  const perAxis = axis !== null;
  const s = await session(`DQ/${dtype}/${shape.length}/${axis}`, () => model({
    opset: 13,
    nodes: [node('DequantizeLinear', ['q', 's', 'zp'], ['y'], perAxis ? { axis } : {})],
    inputs: [valueInfo('q', d.onnx, dims(shape.length)),
      valueInfo('s', DataType.FLOAT, perAxis ? ['c'] : []), valueInfo('zp', d.onnx, perAxis ? ['c'] : [])],
    outputs: [valueInfo('y', DataType.FLOAT, dims(shape.length))],
  }));
  const pdims = perAxis ? [scales.length] : [];
  const r = await s.run({
    q: new ort.Tensor(d.ort, q, shape),
    s: new ort.Tensor('float32', Float32Array.from(scales), pdims),
    zp: new ort.Tensor(d.ort, d.Array.from(zps), pdims),
  });
  return /** @type {Float32Array} */ (r.y.data);
}

/**
 * DynamicQuantizeLinear (opset 11) through onnxruntime.
 * @param {Float32Array} x
 * @returns {Promise<{ q: Uint8Array, scale: number, zeroPoint: number }>}
 */
async function ortDynamic(x) {
  const s = await session('DynQ', () => model({
    opset: 11,
    irVersion: 6,
    nodes: [node('DynamicQuantizeLinear', ['x'], ['y', 's', 'zp'])],
    inputs: [valueInfo('x', DataType.FLOAT, ['n'])],
    outputs: [valueInfo('y', DataType.UINT8, ['n']), valueInfo('s', DataType.FLOAT, []), valueInfo('zp', DataType.UINT8, [])],
  }));
  const r = await s.run({ x: new ort.Tensor('float32', x, [x.length]) });
  return { q: /** @type {Uint8Array} */ (r.y.data), scale: /** @type {number} */ (r.s.data[0]), zeroPoint: /** @type {number} */ (r.zp.data[0]) };
}

/**
 * Asserts equal integer arrays, naming the first mismatch.
 * @param {string} what @param {ArrayLike<number>} got @param {ArrayLike<number>} want @param {ArrayLike<number>} x
 */
function sameInts(what, got, want, x) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) assert.fail(`${what} [${BUILD}]: index ${i} (input ${x[i]}): onnxruntime ${want[i]}, qdq-wasm ${got[i]}`);
  }
}

/**
 * Asserts bit-identical float32 arrays, naming the first mismatch.
 * @param {string} what @param {Float32Array} got @param {Float32Array} want @param {ArrayLike<number>} q
 */
function sameFloats(what, got, want, q) {
  assert.equal(got.length, want.length, `${what}: length`);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what} [${BUILD}]: index ${i} (q = ${q[i]}): onnxruntime ${want[i]}, qdq-wasm ${got[i]}`);
  }
}

/** Elements per staging chunk (src/operators/staging.c): long tensors cross it. */
const CHUNK = getRuntime().chunk;
/** Lengths: every one in 0..67 (SIMD blocks of 16 and their tails), and long ones around staging chunks. */
const LENGTHS = [...Array.from({ length: 68 }, (_, n) => n), 1000, CHUNK - 1, CHUNK, CHUNK + 17, 2 * CHUNK + 1001];

test('onnxruntime-web', async (t) => {
  // Property: the peer is the one the project pins, running single-threaded.
  await t.test('should be onnxruntime-web 1.30 with one thread', () => {
    assert.match(ort.env.versions.web ?? '', /^1\.30\./);
    assert.equal(ort.env.wasm.numThreads, 1);
  });
});

test('quantizePerTensor() vs QuantizeLinear', async (t) => {
  for (const dtype of /** @type {const} */ (['int8', 'uint8'])) {
    // Property: q = saturate(roundHalfEven(x / scale) + zp) equals
    // onnxruntime's QuantizeLinear bit for bit, for every length 0..67 and
    // long tensors, random scales (powers of two among them) and zero
    // points, on in-range values, near-ties, saturation, signed zeros and
    // subnormals.
    await t.test(`should equal onnxruntime for ${dtype}, lengths 0..67 and long`, async () => {
      const rand = prng(dtype === 'int8' ? 11 : 12);
      const { min, max } = DT[dtype];
      for (const n of LENGTHS) {
        const scale = randomScale(rand);
        const zp = min + Math.floor(rand() * (max - min + 1));
        const x = randomInput(rand, n, scale, zp, min, max);
        const want = await ortQuantize(x, [n], [scale], [zp], dtype, null);
        const got = qdq.quantizePerTensor(x, { scale, zeroPoint: zp, dtype });
        sameInts(`${dtype} n=${n} scale=${scale} zp=${zp}`, got.data, want, x);
      }
    });
  }

  // Property: an N-d shape changes nothing per tensor.
  await t.test('should equal onnxruntime on a 4-D tensor', async () => {
    const rand = prng(13);
    const shape = [2, 3, 4, 5];
    const x = randomInput(rand, 120, 0.05, -7, -128, 127);
    const want = await ortQuantize(x, shape, [0.05], [-7], 'int8', null);
    sameInts('int8 [2, 3, 4, 5]', qdq.quantizePerTensor(x, { scale: 0.05, zeroPoint: -7, shape }).data, want, x);
  });

  // Property: NaN is where the two differ, by design: the library maps NaN
  // to the zero point (E6, as its README documents), while onnxruntime-web
  // 1.30 writes 0 whatever the zero point; infinities saturate in both.
  await t.test('should differ from onnxruntime only on NaN (zero point vs 0)', async () => {
    const x = Float32Array.of(NaN, Infinity, -Infinity, -0, 1);
    for (const [dtype, zp] of /** @type {const} */ ([['int8', 3], ['uint8', 100]])) {
      const want = await ortQuantize(x, [5], [0.5], [zp], dtype, null);
      const got = qdq.quantizePerTensor(x, { scale: 0.5, zeroPoint: zp, dtype }).data;
      assert.equal(want[0], 0, 'onnxruntime maps NaN to 0');
      assert.equal(got[0], zp, 'qdq-wasm maps NaN to the zero point');
      sameInts(`${dtype} non-NaN`, got.subarray(1), want.subarray(1), x.subarray(1));
    }
  });
});

/** Shapes and the axes of each, for per-axis tests. */
const PER_AXIS = [
  [[2, 3], [0, 1]], [[7, 9], [0, 1]], [[4, 5, 6], [0, 1, 2]], [[3, 2, 4, 5], [0, 1, 2, 3]],
  [[256, 130], [0, 1]], [[1, 67], [0, 1]], [[67, 1], [0, 1]], [[0, 4], [1]],
  [[2, CHUNK / 2 + 3], [0, 1]], // runs that cross a chunk boundary; 32771 channels on axis 1
];

test('quantizePerChannel() vs per-axis QuantizeLinear', async (t) => {
  for (const dtype of /** @type {const} */ (['int8', 'uint8'])) {
    // Property: per-axis QuantizeLinear (a scale and zero point per slice
    // along axis) equals the library's quantizePerChannel for every axis of
    // 2-D, 3-D and 4-D shapes, including channel runs of 1 element, runs
    // longer than a staging chunk, and an empty tensor.
    await t.test(`should equal onnxruntime for ${dtype} on every axis`, async () => {
      const rand = prng(dtype === 'int8' ? 21 : 22);
      const { min, max } = DT[dtype];
      for (const [shape, axes] of PER_AXIS) {
        const n = shape.reduce((a, b) => a * b, 1);
        for (const axis of axes) {
          const c = shape[axis];
          const scales = Array.from({ length: c }, () => randomScale(rand));
          const zps = Array.from({ length: c }, () => min + Math.floor(rand() * (max - min + 1)));
          // Inputs drawn with a middling scale; each channel sees near-ties of its own only by chance,
          // so add a block of exact channel-aware near-ties below.
          const x = randomInput(rand, n, scales[0], zps[0], min, max);
          const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
          for (let i = 0; i < n; i += 3) {
            const ch = Math.floor(i / inner) % c;
            const k = Math.floor(rand() * (max - min)) + min - zps[ch];
            x[i] = fromBits(bits(Math.fround((k + 0.5) * scales[ch])) + Math.floor(rand() * 5) - 2);
          }
          const want = await ortQuantize(x, shape, scales, zps, dtype, axis);
          const got = qdq.quantizePerChannel(x, { shape, axis, scales, zeroPoints: zps, dtype });
          sameInts(`${dtype} shape [${shape}] axis ${axis}`, got.data, want, x);
        }
      }
    });
  }
});

test('dequantize() vs DequantizeLinear', async (t) => {
  for (const dtype of /** @type {const} */ (['int8', 'uint8'])) {
    // Property: (q - zp) * scale in float32 equals onnxruntime's
    // DequantizeLinear for every code, random scales and zero points, every
    // length 0..67 and long tensors.
    await t.test(`should equal onnxruntime per tensor for ${dtype}`, async () => {
      const rand = prng(dtype === 'int8' ? 31 : 32);
      const { min, max, Array: A } = DT[dtype];
      for (const n of LENGTHS) {
        const scale = randomScale(rand);
        const zp = min + Math.floor(rand() * (max - min + 1));
        const q = A.from({ length: n }, (_, i) => (i < 256 ? min + i : min + Math.floor(rand() * 256)));
        const want = await ortDequantize(q, [n], [scale], [zp], dtype, null);
        const got = qdq.dequantize({ data: q, dtype, scale, zeroPoint: zp });
        sameFloats(`${dtype} n=${n} scale=${scale} zp=${zp}`, got, want, q);
      }
    });

    // Property: per-axis DequantizeLinear equals dequantize() of a
    // per-channel QTensor on every axis.
    await t.test(`should equal onnxruntime per axis for ${dtype}`, async () => {
      const rand = prng(dtype === 'int8' ? 33 : 34);
      const { min, max, Array: A } = DT[dtype];
      for (const [shape, axes] of PER_AXIS) {
        const n = shape.reduce((a, b) => a * b, 1);
        for (const axis of axes) {
          const c = shape[axis];
          const scales = Array.from({ length: c }, () => randomScale(rand));
          const zps = Array.from({ length: c }, () => min + Math.floor(rand() * (max - min + 1)));
          const q = A.from({ length: n }, () => min + Math.floor(rand() * 256));
          const want = await ortDequantize(q, shape, scales, zps, dtype, axis);
          const got = qdq.dequantize({ data: q, dtype, shape, axis, scales, zeroPoints: zps });
          sameFloats(`${dtype} shape [${shape}] axis ${axis}`, got, want, q);
        }
      }
    });
  }
});

/** Float32 min and max of x, as plain loops. @param {Float32Array} x */
function range(x) {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { lo, hi };
}

test('dynamicQuantizeLinear() vs DynamicQuantizeLinear', async (t) => {
  const f = Math.fround;
  // Property: the ONNX spec's own example: x = [0, 2, -3, -2.5, 1.34, 0.5]
  // gives scale 5/255 (float32), zero point 153, y = [153, 255, 0, 26, 221, 179].
  await t.test('should reproduce the ONNX specification example', async () => {
    const x = Float32Array.of(0, 2, -3, -2.5, 1.34, 0.5);
    const qt = qdq.dynamicQuantizeLinear(x);
    assert.equal(qt.scale, f(5 / 255));
    assert.equal(qt.zeroPoint, 153);
    assert.deepEqual(Array.from(qt.data), [153, 255, 0, 26, 221, 179]);
    assert.equal(qt.dtype, 'uint8');
    assert.equal(qt.qscheme, 'per_tensor_affine');
    const o = await ortDynamic(x);
    assert.deepEqual([o.scale, o.zeroPoint, Array.from(o.q)], [qt.scale, qt.zeroPoint, Array.from(qt.data)]);
  });

  /** Inputs of one kind of range. @type {Record<string, (rand: () => number, n: number) => Float32Array>} */
  const RANGES = {
    mixed: (rand, n) => Float32Array.from({ length: n }, () => (rand() - 0.3) * 20),
    'positive-only': (rand, n) => Float32Array.from({ length: n }, () => rand() * 3 + 0.5),
    'negative-only': (rand, n) => Float32Array.from({ length: n }, () => -rand() * 7 - 0.1),
    'all-zero': (_rand, n) => new Float32Array(n),
    'one-value': (_rand, n) => new Float32Array(n).fill(-1.25),
    tiny: (rand, n) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 1e-30),
    subnormal: (rand, n) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 1e-38),
    huge: (rand, n) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 1e37),
  };
  for (const [name, gen] of Object.entries(RANGES)) {
    // Property: for every length 0..67 and long inputs, the library's
    // scale, zero point and q equal onnxruntime's; onnxruntime's scale is
    // (max(0, max x) - min(0, min x)) / 255 in float32 (1 for an all-zero
    // or empty x); and quantizePerTensor with onnxruntime's scale and zero
    // point reproduces onnxruntime's q.
    await t.test(`should equal onnxruntime on ${name} inputs`, async () => {
      const rand = prng(41 + name.length);
      for (const n of LENGTHS) {
        const x = gen(rand, n);
        const o = await ortDynamic(x);
        const { lo, hi } = range(x);
        const span = f(Math.max(0, hi) - Math.min(0, lo));
        assert.equal(o.scale, span === 0 ? 1 : f(span / 255), `${name} n=${n}: onnxruntime's scale`);
        const qt = qdq.dynamicQuantizeLinear(x);
        const what = `${name} n=${n}`;
        assert.equal(bits(qt.scale), bits(o.scale), `${what}: scale ${qt.scale} vs onnxruntime ${o.scale}`);
        assert.equal(qt.zeroPoint, o.zeroPoint, `${what}: zero point`);
        sameInts(`${what}: q`, qt.data, o.q, x);
        const again = qdq.quantizePerTensor(x, { scale: o.scale, zeroPoint: o.zeroPoint, dtype: 'uint8' });
        sameInts(`${what}: quantizePerTensor with onnxruntime's qparams`, again.data, o.q, x);
      }
    });
  }

  // Property: options pass through: shape is recorded, out is filled and
  // returned.
  await t.test('should honour shape and out', () => {
    const x = Float32Array.of(1, -1, 0.5, 2, 0, -0.25);
    const out = new Uint8Array(6);
    const qt = qdq.dynamicQuantizeLinear(x, { shape: [2, 3], out });
    assert.equal(qt.data, out);
    assert.deepEqual(qt.shape, [2, 3]);
    assert.deepEqual(Array.from(out), Array.from(qdq.dynamicQuantizeLinear(x).data));
  });

  // Property: where ONNX is undefined the library refuses, with a
  // RangeError: NaN or an infinity in x (named by index), a range whose
  // scale underflows to 0 (onnxruntime returns scale 0 there) or overflows
  // to infinity (onnxruntime returns scale Infinity); then it still works.
  await t.test('should reject inputs whose scale ONNX leaves undefined', () => {
    assert.throws(() => qdq.dynamicQuantizeLinear(Float32Array.of(1, NaN)), { name: 'RangeError', message: /x\[1\] is NaN/ });
    assert.throws(() => qdq.dynamicQuantizeLinear(Float32Array.of(-Infinity)), { name: 'RangeError', message: /x\[0\] is -Infinity/ });
    assert.throws(() => qdq.dynamicQuantizeLinear(Float32Array.of(1e-43, 0)), { name: 'RangeError', message: /gives scale 0/ });
    assert.throws(() => qdq.dynamicQuantizeLinear(Float32Array.of(-3e38, 3e38)), { name: 'RangeError', message: /gives scale Infinity/ });
    assert.throws(() => qdq.dynamicQuantizeLinear([1, 2]), { name: 'TypeError', message: /x must be a Float32Array/ });
    assert.deepEqual(Array.from(qdq.dynamicQuantizeLinear(Float32Array.of(0, 2.55)).data), [0, 255]);
  });
});

test('tests/helpers/onnx-model.js', async (t) => {
  // Property: the encoder's models load and run in onnxruntime for ops
  // beyond Q/DQ, with int8/uint8 initializers and int, ints and float
  // attributes: MatMulInteger gives the exact int32 products of
  // (a - a_zp)(b - b_zp); Gemm with alpha (float), beta and transB (int)
  // attributes and Transpose with perm (ints) give exact small results.
  await t.test('should build MatMulInteger with int8/uint8 initializers', async () => {
    const a = Uint8Array.of(10, 20, 30, 40, 50, 255);
    const b = Int8Array.of(1, -2, 3, 4, -128, 127);
    const s = await ort.InferenceSession.create(model({
      opset: 13,
      nodes: [node('MatMulInteger', ['a', 'b', 'azp', 'bzp'], ['y'])],
      initializers: [tensor('b', DataType.INT8, [3, 2], b), tensor('azp', DataType.UINT8, [], [12]), tensor('bzp', DataType.INT8, [], [-1])],
      inputs: [valueInfo('a', DataType.UINT8, [2, 3])],
      outputs: [valueInfo('y', DataType.INT32, [2, 2])],
    }));
    const y = (await s.run({ a: new ort.Tensor('uint8', a, [2, 3]) })).y;
    const want = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let acc = 0;
        for (let k = 0; k < 3; k++) acc += (a[i * 3 + k] - 12) * (b[k * 2 + j] + 1);
        want.push(acc);
      }
    }
    assert.deepEqual(y.dims, [2, 2]);
    assert.deepEqual(Array.from(/** @type {Int32Array} */ (y.data)), want);
  });

  await t.test('should encode float, int and ints attributes', async () => {
    const s = await ort.InferenceSession.create(model({
      opset: 13,
      nodes: [
        node('Gemm', ['a', 'b', 'c'], ['g'], { alpha: 0.5, beta: attr.float(2), transB: 1 }),
        node('Transpose', ['g'], ['y'], { perm: [1, 0] }),
      ],
      initializers: [tensor('b', DataType.FLOAT, [2, 3], [1, 2, 3, 4, 5, 6]), tensor('c', DataType.FLOAT, [2], [1, -2])],
      inputs: [valueInfo('a', DataType.FLOAT, ['m', 3])],
      outputs: [valueInfo('y', DataType.FLOAT, [2, 'm'])],
    }));
    const y = (await s.run({ a: new ort.Tensor('float32', Float32Array.of(1, 0, 2, 0, 4, 0), [2, 3]) })).y;
    // g = 0.5 * a @ b^T + 2 * c = [[0.5*7 + 2, 0.5*16 - 4], [0.5*8 + 2, 0.5*20 - 4]] = [[5.5, 4], [6, 6]]; y = g^T.
    assert.deepEqual(y.dims, [2, 2]);
    assert.deepEqual(Array.from(/** @type {Float32Array} */ (y.data)), [5.5, 6, 4, 6]);
  });

  // Property: misuse is refused before onnxruntime sees it.
  await t.test('should reject a tensor whose values do not fill its dims', () => {
    assert.throws(() => tensor('t', DataType.FLOAT, [2, 2], [1, 2, 3]), { name: 'RangeError', message: /dims \[2,2\] but 3 values/ });
    assert.throws(() => tensor('t', DataType.STRING, [1], ['a']), { name: 'TypeError', message: /no raw_data encoding/ });
  });
});
