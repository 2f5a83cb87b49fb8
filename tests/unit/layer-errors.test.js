// The layers' bad input: constructors callable only through their factories
// (or, for PackedMatrix, checking every argument themselves), non-finite
// scales and biases refused where they come in, and forward() errors that
// name the caller's own arguments. After each error the module still works.
import test from 'node:test';
import assert from 'node:assert/strict';
import { qdq } from '../helpers/setup.js';
import { throwsQdq } from '../helpers/throws-qdq.js';
import { getRuntime } from '../../js/runtime/loader.js';
import { RawWasm } from '../helpers/raw-wasm.js';

const raw = new RawWasm(getRuntime());
const w = Float32Array.from({ length: 4 * 32 }, (_, i) => Math.sin(i));
const ones = (n) => new Float32Array(n).fill(1);

/** The address the allocator hands out next: it moves when something stays allocated. */
function nextMalloc() {
  const p = raw.alloc(24);
  raw.free(p);
  return p;
}

/** A valid call, to show the module still works after an error. */
function stillWorks() {
  const l = qdq.Linear.fromFloat(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, -1), { inFeatures: 2, outFeatures: 2 });
  try {
    assert.deepEqual([...l.forward(Float32Array.of(1, 1))], [4, 6]);
  } finally {
    l.dispose();
  }
}

test('layer constructors', async (t) => {
  const factories = [
    ['Linear', () => new /** @type {any} */ (qdq.Linear)(new Float32Array(4), null, 1000, 1000), /use Linear\.fromFloat\(weight, bias, \{ inFeatures, outFeatures \}\)/],
    ['QuantizedLinear', () => new /** @type {any} */ (qdq.QuantizedLinear)(new Int8Array(4), new Float32Array(1), null, 1000, 1000, { inputScale: 1, outputScale: 1 }),
      /use QuantizedLinear\.fromFloat\(weight, bias, options\) or QuantizedLinear\.fromQuantized\(options\)/],
    ['DynamicQuantizedLinear', () => new /** @type {any} */ (qdq.DynamicQuantizedLinear)(new Int8Array(4), new Float32Array(1), null, 1000, 1000, {}),
      /use DynamicQuantizedLinear\.fromFloat\(weight, bias, options\) or DynamicQuantizedLinear\.fromQuantized\(options\)/],
    ['MatMulNBits', () => new /** @type {any} */ (qdq.MatMulNBits)({ data: new Uint8Array(1), scales: new Float32Array(1), n: 1000, k: 1000 }),
      /use MatMulNBits\.pack\(options\)/],
    ['WeightOnlyQuantizedLinear', () => new /** @type {any} */ (qdq.WeightOnlyQuantizedLinear)({}, null, 4), /use WeightOnlyQuantizedLinear\.fromFloat\(weight, bias, options\)/],
  ];
  for (const [name, call, factory] of factories) {
    await t.test(`should refuse new ${name}(...) with a TypeError naming its factory, allocating nothing`, () => {
      const bytes = raw.memory.buffer.byteLength;
      const probe = nextMalloc();
      throwsQdq(call, TypeError, new RegExp(`^qdq-wasm: ${name} has no public constructor; ${factory.source}`));
      assert.equal(raw.memory.buffer.byteLength, bytes);
      assert.equal(nextMalloc(), probe, 'the refused constructor left memory allocated');
      stillWorks();
    });
  }

  await t.test('should let the factories (and nn.Linear) build the layers as before', () => {
    const l = qdq.Linear.fromFloat(ones(6), null, { inFeatures: 3, outFeatures: 2 });
    assert.deepEqual([...l.forward(ones(3))], [3, 3]);
    l.dispose();
    const fc = new qdq.nn.Linear(3, 2);
    fc.weight = ones(6);
    assert.deepEqual([...fc.forward(ones(3))], [3, 3]);
    fc.dispose();
  });

  await t.test('should check every argument of new PackedMatrix(...) (matmulInteger calls it directly)', () => {
    const P = /** @type {any} */ (qdq.PackedMatrix);
    const b = new Int8Array(6);
    throwsQdq(() => new P(new Int8Array(4), '2', '2', 0, false, null, 0), TypeError, /k must be a number, got "2"/);
    throwsQdq(() => new P(new Int8Array(4), -2, -2, 0, false, null, 0), RangeError, /k must be an integer in \[1, \d+\], got -2/);
    throwsQdq(() => new P(new Int8Array(4), 2, 2.5, 0, false, null, 0), RangeError, /n must be an integer in \[1, \d+\], got 2.5/);
    throwsQdq(() => new P(new Int8Array(4), 1000, 1000, 0, false, null, 0), RangeError, /b must have k \* n = 1000000 elements, got 4/);
    throwsQdq(() => new P(b, 2, 3, 0, 'no', null, 0), TypeError, /transposed must be a boolean, got "no"/);
    throwsQdq(() => new P(b, 2, 3, 0, false, new Int32Array(1), 0), RangeError, /bias must have n = 3 elements, got 1/);
    throwsQdq(() => new P(b, 2, 3, 0, false, new Float32Array(3), 0), TypeError, /bias must be an Int32Array, got Float32Array\(3\)/);
    throwsQdq(() => new P(b, 2, 3, 0, false, null, 999), RangeError, /aZeroPoint must be an integer in \[-128, 127\], got 999/);
    throwsQdq(() => new P(b, 2, 3, 0, false, null, '0'), TypeError, /aZeroPoint must be a number, got "0"/);
    throwsQdq(() => new P(b, 2, 3, 0, false, null, 0, 7), TypeError, /zeroPointName must be a string, got 7/);
    // Valid arguments build what pack() builds.
    const direct = new P(Int8Array.of(1, 2, 3, 4, 5, 6), 2, 3, 0, false, null, 0);
    const packed = qdq.PackedMatrix.pack(Int8Array.of(1, 2, 3, 4, 5, 6), { k: 2, n: 3 });
    try {
      assert.deepEqual(qdq.matmulInteger(Int8Array.of(1, 1), direct, { m: 1 }), qdq.matmulInteger(Int8Array.of(1, 1), packed, { m: 1 }));
    } finally {
      direct.dispose();
      packed.dispose();
    }
    stillWorks();
  });
});

test('non-finite MatMulNBits and WeightOnlyQuantizedLinear parameters', async (t) => {
  const q = qdq.quantizeBlockwise(w, { n: 4, k: 32, bits: 4, blockSize: 16 });
  const cases = [
    ['a NaN scale', () => qdq.MatMulNBits.pack({ ...q, scales: q.scales.map((v, i) => (i === 3 ? NaN : v)) }), /scales\[3\] is NaN; scales must be finite/],
    ['an infinite scale', () => qdq.MatMulNBits.pack({ ...q, scales: q.scales.map((v, i) => (i === 0 ? Infinity : v)) }), /scales\[0\] is Infinity; scales must be finite/],
    ['a NaN bias', () => qdq.MatMulNBits.pack({ ...q, bias: Float32Array.of(0, NaN, 0, 0) }), /bias\[1\] is NaN; biases must be finite/],
    ['an infinite bias (WeightOnlyQuantizedLinear)',
      () => qdq.WeightOnlyQuantizedLinear.fromFloat(w, Float32Array.of(Infinity, 0, 0, 0), { inFeatures: 32, outFeatures: 4 }), /bias\[0\] is Infinity; biases must be finite/],
    ['a -Infinity bias (WeightOnlyQuantizedLinear)',
      () => qdq.WeightOnlyQuantizedLinear.fromFloat(w, Float32Array.of(0, 0, 0, -Infinity), { inFeatures: 32, outFeatures: 4 }), /bias\[3\] is -Infinity; biases must be finite/],
  ];
  for (const [what, call, pattern] of cases) {
    await t.test(`should refuse ${what} with a RangeError naming it, allocating nothing`, () => {
      const probe = nextMalloc();
      throwsQdq(call, RangeError, pattern);
      assert.equal(nextMalloc(), probe);
      stillWorks();
    });
  }
  await t.test('should name a WeightOnlyQuantizedLinear bias of the wrong length by outFeatures', () => {
    throwsQdq(() => qdq.WeightOnlyQuantizedLinear.fromFloat(w, new Float32Array(3), { inFeatures: 32, outFeatures: 4 }), RangeError,
      /bias must have outFeatures = 4 elements, got 3/);
  });
  await t.test('should still take symmetric blocks, whose scales are negative', () => {
    const s = qdq.quantizeBlockwise(w, { n: 4, k: 32, bits: 4, blockSize: 16, symmetric: true });
    assert.ok(s.scales.some((v) => v < 0));
    const mm = qdq.MatMulNBits.pack({ ...s, bias: Float32Array.of(1, 2, 3, 4) });
    try {
      assert.ok(mm.forward(ones(32)).every(Number.isFinite));
    } finally {
      mm.dispose();
    }
  });
});

test('forward() errors name the caller\'s arguments', async (t) => {
  const q = qdq.quantizeBlockwise(w, { n: 4, k: 32, bits: 4, blockSize: 16 });
  const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, blockSize: 16 });
  const mm = qdq.MatMulNBits.pack(q);
  t.after(() => { layer.dispose(); mm.dispose(); });
  const nan7 = Float32Array.from({ length: 32 }, (_, i) => (i === 7 ? NaN : 1));
  const cases = [
    ['WeightOnlyQuantizedLinear x of the wrong type', () => layer.forward(/** @type {any} */ (new Float64Array(32))), TypeError, /^qdq-wasm: x must be a Float32Array, got Float64Array\(32\)$/],
    ['WeightOnlyQuantizedLinear x missing', () => /** @type {any} */ (layer).forward(), TypeError, /^qdq-wasm: x must be a Float32Array, got undefined$/],
    ['WeightOnlyQuantizedLinear batch fractional', () => layer.forward(ones(32), 1.5), RangeError, /^qdq-wasm: batch must be an integer in \[0, \d+\], got 1.5$/],
    ['WeightOnlyQuantizedLinear batch as a string', () => layer.forward(ones(32), /** @type {any} */ ('1')), TypeError, /^qdq-wasm: batch must be a number, got "1"$/],
    ['WeightOnlyQuantizedLinear batch that does not fit x', () => layer.forward(ones(32), 3), RangeError,
      /^qdq-wasm: x must have batch \* inFeatures = 3 \* 32 = 96 elements, got 32$/],
    ['WeightOnlyQuantizedLinear x not a whole number of rows', () => layer.forward(ones(33)), RangeError, /^qdq-wasm: x\.length \(33\) is not a multiple of inFeatures \(32\)$/],
    ['WeightOnlyQuantizedLinear NaN in x', () => layer.forward(nan7), RangeError, /^qdq-wasm: WeightOnlyQuantizedLinear\.forward: x\[7\] is NaN; at accuracy level 4 activations must be finite$/],
    ['MatMulNBits NaN in a', () => mm.forward(nan7), RangeError, /^qdq-wasm: MatMulNBits\.forward: a\[7\] is NaN; at accuracy level 4 activations must be finite$/],
    ['MatMulNBits a not a whole number of rows', () => mm.forward(ones(33)), RangeError, /^qdq-wasm: a\.length \(33\) is not a multiple of k \(32\)$/],
    ['MatMulNBits m that does not fit a', () => mm.forward(ones(32), 2), RangeError, /^qdq-wasm: a must have m \* k = 2 \* 32 = 64 elements, got 32$/],
    ['MatMulNBits a of the wrong type', () => mm.forward(/** @type {any} */ ([1])), TypeError, /^qdq-wasm: a must be a Float32Array, got Array\(1\)$/],
  ];
  for (const [what, call, Type, pattern] of cases) {
    await t.test(`should say so for ${what}`, () => {
      throwsQdq(call, Type, pattern);
      assert.deepEqual(layer.forward(ones(32)), mm.forward(ones(32)));
    });
  }
});

test('a null batch is "not given", as Sequential.forward has it', async (t) => {
  // The library's rule (js/runtime/validate.js): null for an optional argument is its default.
  // Every layer's forward(x, null) was a TypeError ("batch must be a number, got null").
  const x = Float32Array.from({ length: 2 * 32 }, (_, i) => Math.cos(i));
  const q = qdq.quantizeBlockwise(w, { n: 4, k: 32, bits: 4, blockSize: 16 });
  const make = {
    Linear: () => qdq.Linear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4 }),
    DynamicQuantizedLinear: () => qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4 }),
    WeightOnlyQuantizedLinear: () => qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4 }),
    MatMulNBits: () => qdq.MatMulNBits.pack(q),
    'nn.Linear': () => new qdq.nn.Linear(32, 4),
    'nn.Sequential': () => new qdq.nn.Sequential(new qdq.nn.Linear(32, 4)),
  };
  for (const [name, build] of Object.entries(make)) {
    await t.test(`should run ${name}.forward(x, null) as forward(x)`, () => {
      const l = build();
      try {
        assert.deepEqual(l.forward(x, /** @type {any} */ (null)), l.forward(x));
        assert.equal(l.forward(x, /** @type {any} */ (null)).length, 2 * 4);
      } finally {
        l.dispose();
      }
    });
  }
  await t.test('should run QuantizedLinear.forward(x, null) as forward(x)', () => {
    const l = qdq.QuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, inputScale: 0.05, inputZeroPoint: 0, outputScale: 0.1, outputZeroPoint: 3, dtype: 'int8' });
    try {
      const xq = Int8Array.from({ length: 3 * 32 }, (_, i) => (i % 11) - 5);
      assert.deepEqual(l.forward(xq, /** @type {any} */ (null)), l.forward(xq));
    } finally {
      l.dispose();
    }
  });
});

test('WeightOnlyQuantizedLinear accuracy levels are MatMulNBits\'s', async (t) => {
  // onnxruntime's accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8; for float32 A on CPU,
  // 1-3 compute in float32 as 0 does (docs/blockwise.md, Limits). The types say 0 | 1 | 2 | 3 | 4.
  const x = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i));
  const ref = qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, accuracyLevel: 0 });
  t.after(() => ref.dispose());
  for (const level of [1, 2, 3]) {
    await t.test(`should take level ${level} and compute as level 0`, () => {
      const l = qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, accuracyLevel: level });
      try {
        assert.deepEqual(l.forward(x), ref.forward(x));
      } finally {
        l.dispose();
      }
    });
  }
  await t.test('should refuse 5 and 0.5 as MatMulNBits does', () => {
    throwsQdq(() => qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, accuracyLevel: 5 }), RangeError,
      /^qdq-wasm: accuracyLevel must be an integer in \[0, 4\], got 5$/);
    throwsQdq(() => qdq.WeightOnlyQuantizedLinear.fromFloat(w, null, { inFeatures: 32, outFeatures: 4, accuracyLevel: 0.5 }), RangeError,
      /^qdq-wasm: accuracyLevel must be an integer in \[0, 4\], got 0.5$/);
  });
});
