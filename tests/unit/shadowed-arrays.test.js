// Typed arrays that lie about themselves: an own `length`, `byteLength`,
// `byteOffset` or `buffer` property, a subclass getter, a Proxy, a shadowed
// `constructor`, `subarray` or `set`. TypedArray.prototype.set copies the
// real elements whatever those say, so a region sized from them overflowed
// into other objects' memory (the audit's repros: a Float32Array of 400000
// with an own length of 10 overwrote packed weights; an Int8Array with an own
// byteLength of 16 trapped matmulInteger, "memory access out of bounds").
// Each case must end in a TypeError naming the argument, or in the right
// result when the lie is harmless; a live layer keeps its output and the
// module keeps working.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';

const W = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i));
const X = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i));
// A layer allocated before a freed hole: a region sized too small for what is
// copied into it lands in the hole and runs into the witness's weights.
const hole = qdq.Linear.fromFloat(new Float32Array(128 * 128), null, { inFeatures: 128, outFeatures: 128 });
const witness = qdq.Linear.fromFloat(W, null, { inFeatures: 64, outFeatures: 64 });
const expected = witness.forward(X);
hole.dispose();

/** The live layer still gives its old output, and a fresh call works. */
function stillHealthy() {
  assert.deepEqual(witness.forward(X), expected, 'a live layer changed its output: memory outside a region was written');
  const q = qdq.quantizePerTensor(Float32Array.of(1, 2, 3, 4, 5, 6), { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' });
  assert.deepEqual([...q.data], [-86, -43, 0, 42, 84, 127]);
}

/** @param {() => unknown} fn @param {RegExp} pattern */
function rejects(fn, pattern) {
  assert.throws(fn, (/** @type {any} */ e) => {
    assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
    assert.match(e.message, /^qdq-wasm: /);
    assert.match(e.message, pattern);
    return true;
  });
  stillHealthy();
}

/**
 * @template {ArrayBufferView} T
 * @param {T} a @param {string} key @param {unknown} value @returns {T} a, with an own property key
 */
function own(a, key, value) {
  Object.defineProperty(a, key, { value });
  return a;
}

/** A Proxy that reports byteLength as given and forwards everything else. @param {any} a @param {number} byteLength */
function lying(a, byteLength) {
  return new Proxy(a, {
    get: (t, k) => (k === 'byteLength' ? byteLength : typeof t[k] === 'function' && k !== 'constructor' ? t[k].bind(t) : t[k]),
  });
}

test('shadowed length, byteLength, byteOffset and buffer', async (t) => {
  await t.test('should refuse an own length smaller than the array (quantizePerTensor streamed 400000 floats into one chunk)', () => {
    const x = own(new Float32Array(400000).fill(1e6), 'length', 10);
    rejects(() => qdq.quantizePerTensor(x, { scale: 1 }), /x is a Float32Array whose length property reads 10 but is 400000 \(an own property, a subclass getter or a Proxy overrides it\)/);
  });

  await t.test('should refuse an own byteLength on matmulInteger\'s a (the region was sized from it)', () => {
    const a = own(new Int8Array(64 * 4000).fill(127), 'byteLength', 16);
    rejects(() => qdq.matmulInteger(a, new Int8Array(64).fill(1), { m: 4000, k: 64, n: 1 }), /a is a Int8Array whose byteLength property reads 16 but is 256000/);
  });

  await t.test('should refuse a Proxy of a typed array, which passes instanceof', () => {
    const a = lying(new Int8Array(64 * 4000).fill(127), 16);
    assert.ok(a instanceof Int8Array);
    rejects(() => qdq.matmulInteger(a, new Int8Array(64).fill(1), { m: 4000, k: 64, n: 1 }),
      /a must be an Int8Array or Uint8Array itself, got an object that only inherits from one \(a Proxy/);
    rejects(() => qdq.quantizePerTensor(new Proxy(new Float32Array(8), {}), { scale: 1 }), /x must be a Float32Array itself/);
    rejects(() => qdq.quantizePerTensor(Object.create(Float32Array.prototype), { scale: 1 }), /x must be a Float32Array itself/);
  });

  await t.test('should refuse a subclass whose length getter lies', () => {
    class Short extends Float32Array {
      get length() {
        return 4;
      }
    }
    rejects(() => qdq.errorStats(new Short(100000), new Float32Array(4)), /x is a Float32Array whose length property reads 4 but is 100000/);
    rejects(() => new qdq.MinMaxObserver().observe(new Short(100000)), /x is a Float32Array whose length/);
  });

  await t.test('should refuse an own byteOffset or buffer', () => {
    const big = new Float32Array(1000);
    rejects(() => qdq.dequantize({ data: own(new Int8Array(big.buffer, 8, 16), 'byteOffset', 0), scale: 1 }),
      /qtensor\.data is a Int8Array whose byteOffset property reads 0 but is 8/);
    rejects(() => qdq.quantizePerTensor(own(new Float32Array(4), 'buffer', big.buffer), { scale: 1 }),
      /x is a Float32Array whose buffer property is not its buffer \(ArrayBuffer\)/);
  });

  await t.test('should refuse a shadowed out array, and bytes for blockwise weights', () => {
    const x = Float32Array.of(1, 2, 3, 4);
    rejects(() => qdq.quantizePerTensor(x, { scale: 1, out: own(new Int8Array(4), 'length', 4000) }), /out is a Int8Array whose length property reads 4000 but is 4/);
    const q = qdq.quantizeBlockwise(new Float32Array(2 * 16).fill(1), { n: 2, k: 16, blockSize: 16 });
    rejects(() => qdq.dequantizeBlockwise({ ...q, data: own(new Uint8Array(16), 'length', 16), scales: own(new Float32Array(2), 'byteLength', 8000) }),
      /scales is a Float32Array whose byteLength property reads 8000 but is 8/);
    const dq = qdq.toDequantizeLinear(q, { signed: true });
    rejects(() => qdq.fromDequantizeLinear({ ...dq, k: 16, n: 2, x: lying(new Int8Array(dq.x.buffer), 1) }), /x must be a Uint8Array or Int8Array itself/);
  });
});

test('lies the binding no longer listens to', async (t) => {
  await t.test('should size and copy by the real element type, not a shadowed constructor', () => {
    // The binding picked its view of wasm memory by a.constructor: an
    // Int8Array claiming Float64Array was copied as 8 bytes per element.
    const a = own(Int8Array.from({ length: 64 * 300 }, (_, i) => (i % 7) - 3), 'constructor', Float64Array);
    const b = Int8Array.from({ length: 64 * 5 }, (_, i) => (i % 5) - 2);
    const want = qdq.matmulInteger(Int8Array.from(a), b, { m: 300, k: 64, n: 5 });
    assert.deepEqual(qdq.matmulInteger(a, b, { m: 300, k: 64, n: 5 }), want);
    stillHealthy();
  });

  await t.test('should never call a caller\'s subarray or set (no view of wasm memory reaches user code)', () => {
    const n = 3 * getRuntime().chunk + 5; // streamed in several chunks
    const x = Float32Array.from({ length: n }, (_, i) => (i % 100) - 50);
    const want = qdq.quantizePerTensor(Float32Array.from(x), { scale: 0.5 }).data;
    /** @type {unknown[]} */
    const seen = [];
    own(x, 'subarray', () => {
      seen.push('subarray');
      return new Float32Array(10 * n);
    });
    own(x, 'slice', () => {
      seen.push('slice');
      return new Float32Array(10 * n);
    });
    const out = own(new Int8Array(n), 'set', (/** @type {unknown} */ src) => seen.push(src));
    assert.equal(qdq.quantizePerTensor(x, { scale: 0.5, out }).data, out);
    assert.deepEqual(out, want);
    const y = own(Float32Array.from(x), 'set', (/** @type {unknown} */ src) => seen.push(src));
    assert.deepEqual(qdq.dequantize(qdq.quantizePerTensor(x, { scale: 0.5 }), { out: y }), qdq.dequantize({ data: want, scale: 0.5 }));
    assert.deepEqual(seen, []);
    stillHealthy();
  });

  await t.test('should use the real length even when a getter tells the truth only once', () => {
    // typedArray() reads length once; everything after uses the internal slot.
    class Once extends Float32Array {
      reads = 0;
      get length() {
        return this.reads++ === 0 ? super.length : 10;
      }
    }
    const n = 200000;
    const x = new Once(n);
    for (let i = 0; i < n; i++) x[i] = (i % 100) - 50;
    const q = qdq.quantizePerTensor(x, { scale: 0.5 });
    assert.equal(q.data.length, n);
    assert.deepEqual(q.data, qdq.quantizePerTensor(Float32Array.from(Float32Array.prototype.slice.call(x)), { scale: 0.5 }).data);
    stillHealthy();
  });

  await t.test('should accept a subclass that overrides nothing, and arrays into a shared buffer', () => {
    class Tagged extends Float32Array {}
    const x = Tagged.from([1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...qdq.quantizePerTensor(x, { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' }).data], [-86, -43, 0, 42, 84, 127]);
    const shared = new Float32Array(new SharedArrayBuffer(64), 8, 6);
    shared.set([1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...qdq.quantizePerTensor(shared, { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' }).data], [-86, -43, 0, 42, 84, 127]);
    stillHealthy();
  });
});

test('observer state assigned after construction', async (t) => {
  // The observers' state is in writable properties; a C operator reads and writes as many
  // channels or bins as the observer says, into regions sized from the arrays it holds.
  const x = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i));
  await t.test('should refuse per-channel ranges whose lengths no longer agree', () => {
    const o = new qdq.MovingAveragePerChannelMinMaxObserver({ axis: 0 });
    o.observe(x, [1000, 2]);
    /** @type {any} */ (o).maxVal = new Float32Array(1);
    assert.throws(() => o.observe(x, [1000, 2]), { name: 'RangeError', message: /^qdq-wasm: the observer's minVal and maxVal must have one entry per channel \(1000\), got 1000 and 1/ });
    assert.throws(() => o.calculateQParams(), { name: 'RangeError', message: /minVal and maxVal must have one entry per channel \(1000\), got 1000 and 1/ });
    /** @type {any} */ (o).maxVal = Array.from(o.minVal);
    assert.throws(() => o.calculateQParams(), { name: 'TypeError', message: /^qdq-wasm: maxVal must be a Float32Array, got Array\(1000\)/ });
    stillHealthy();
  });
  await t.test('should refuse a HistogramObserver whose bins or state was assigned', () => {
    const h = new qdq.HistogramObserver({ bins: 16 });
    /** @type {any} */ (h).bins = 40000;
    assert.throws(() => h.observe(x), { name: 'RangeError', message: /^qdq-wasm: HistogramObserver state has 18 entries but the observer needs 40002/ });
    assert.throws(() => h.calculateQParams(), { name: 'RangeError', message: /HistogramObserver state has 18 entries/ });
    /** @type {any} */ (h).bins = 16;
    /** @type {any} */ (h).upsampleRate = 2 ** 30;
    assert.throws(() => h.observe(x), { name: 'RangeError', message: /upsampleRate must be an integer in \[1, 16777216\], got 1073741824/ });
    stillHealthy();
  });
  await t.test('should refuse a percentile or entropy observer whose state was assigned', () => {
    const p = new qdq.PercentileObserver({ bins: 64 });
    p.observe(x);
    const state = /** @type {any} */ (p).state;
    state[4] = 1e6; // the bin count C reads from the state's header
    assert.throws(() => p.calculateRange(), { name: 'RangeError', message: /^qdq-wasm: the observer's state \(\d+ entries, bin count 1000000\) is not one it built/ });
    assert.throws(() => p.observe(x), { name: 'RangeError', message: /bin count 1000000/ });
    /** @type {any} */ (p).state = new Float32Array(70);
    assert.throws(() => p.calculateQParams(), { name: 'TypeError', message: /observer state must be a Float64Array, got Float32Array\(70\)/ });
    stillHealthy();
  });
});

/**
 * A Float32Array of `real` elements whose length getter reads `first` on the first read and `later`
 * on every read after: typedArray() sees the truth (or whatever `first` is), what follows sees a lie.
 * @param {number} real @param {number} first @param {number} later @param {(i: number) => number} [fill]
 */
function shifty(real, first, later, fill = (i) => Math.sin(i)) {
  class Shifty extends Float32Array {
    reads = 0;
    get length() {
      return this.reads++ === 0 ? first : later;
    }
  }
  const a = new Shifty(real);
  for (let i = 0; i < real; i++) a[i] = fill(i);
  return a;
}

test('lengths read after validation come from the internal slots', async (t) => {
  // typedArray() compares the length property with the internal slot once; every length used
  // after it must be the slot's (lengthOf), or a getter that lies from its second read on sizes a
  // region smaller than what C writes (the weights of fromFloat), or makes C read past one.
  await t.test('should size fromFloat\'s int8 weights from inFeatures * outFeatures, not weight.length', () => {
    const w = shifty(64 * 64, 64 * 64, 10);
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i));
    const plain = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from(Float32Array.prototype.slice.call(w)), null, { inFeatures: 64, outFeatures: 64 });
    const layer = qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 64, outFeatures: 64 });
    try {
      assert.deepEqual(layer.forward(x), plain.forward(x));
    } finally {
      layer.dispose();
      plain.dispose();
    }
    stillHealthy();
  });

  await t.test('should check ReLU.backward\'s dy by its real length (C read y.length floats of a shorter dy)', () => {
    const relu = new qdq.nn.ReLU().train();
    relu.forward(Float32Array.from({ length: 1000 }, (_, i) => i - 500));
    assert.throws(() => relu.backward(shifty(10, 10, 1000)), { name: 'RangeError', message: /^qdq-wasm: ReLU\.backward needs dy of 1000 floats \(its last forward's output\), got Float32Array\(10\)/ });
    stillHealthy();
  });

  await t.test('should check Linear.backward\'s dy by its real length', () => {
    const lin = new qdq.nn.Linear(4, 3).train();
    lin.forward(Float32Array.from({ length: 8 }, (_, i) => i), 2);
    assert.throws(() => lin.backward(shifty(2, 2, 6), 2), { name: 'RangeError', message: /^qdq-wasm: Linear\.backward needs dy of batch \* 3 floats/ });
    lin.dispose();
    stillHealthy();
  });

  await t.test('should count MatMulNBits rows from a\'s real length', () => {
    const w = Float32Array.from({ length: 8 * 32 }, (_, i) => Math.sin(i));
    const mm = qdq.MatMulNBits.pack(qdq.quantizeBlockwise(w, { n: 8, k: 32 }));
    try {
      const a = shifty(2 * 32, 2 * 32, 1000 * 32);
      const y = mm.forward(a);
      assert.equal(y.length, 2 * 8);
      assert.deepEqual(y, mm.forward(Float32Array.from(Float32Array.prototype.slice.call(a))));
      assert.throws(() => mm.forward(shifty(2 * 32, 2 * 32, 3 * 32), 3), { name: 'RangeError', message: /a must have m \* k = 3 \* 32 = 96 elements, got 64/ });
    } finally {
      mm.dispose();
    }
    stillHealthy();
  });

  await t.test('should check SGD gradients and crossEntropyLoss logits by their real lengths', () => {
    const lin = new qdq.nn.Linear(4, 3);
    const before = Float32Array.from(lin.weight);
    const opt = new qdq.nn.SGD(lin.parameters(), { lr: 0.5, momentum: 0.9 });
    lin.parameters()[0].grad = shifty(3, 3, 12, () => 1);
    assert.throws(() => opt.step(), { name: 'RangeError', message: /^qdq-wasm: weight\.grad \(params\[0\]\) has 3 values; the parameter has 12/ });
    assert.deepEqual(lin.weight, before);
    opt.dispose();
    lin.dispose();
    const logits = shifty(2 * 5, 2 * 5, 5);
    const plain = qdq.nn.crossEntropyLoss(Float32Array.from(Float32Array.prototype.slice.call(logits)), [1, 3], 5);
    assert.deepEqual(qdq.nn.crossEntropyLoss(logits, [1, 3], 5), plain);
    stillHealthy();
  });

  await t.test('should infer a Sequential\'s batch from x\'s real length', () => {
    const model = new qdq.nn.Sequential(new qdq.nn.Linear(4, 3));
    // Truthful once: inferBatch read it first (2 rows), then the Linear's check saw the lie.
    const x = shifty(2 * 4, 2 * 4, 3 * 4, (i) => i);
    assert.deepEqual(model.forward(x), model.forward(Float32Array.from({ length: 8 }, (_, i) => i), 2));
    model.dispose();
    stillHealthy();
  });

  await t.test('should check FakeQuantize.backward\'s dy by its real length', () => {
    const fq = new qdq.FakeQuantize();
    fq.forward(Float32Array.from({ length: 100 }, (_, i) => i / 10 - 5));
    assert.throws(() => fq.backward(shifty(10, 10, 100)), { name: 'RangeError', message: /needs dy of 100 values \(its last forward's input\), got 10/ });
    stillHealthy();
  });
});
