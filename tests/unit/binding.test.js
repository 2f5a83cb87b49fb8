// The seam between JavaScript and the wasm module, tried as a hostile user
// would: sizes that wrap wasm32 arithmetic, outputs that alias inputs, objects
// used after their memory is gone, coerced values, misspelled options,
// detached and foreign arrays. Each case must end in a clear error (message
// starting "qdq-wasm: ") or a correct result, and afterwards a live layer must
// give the same output as before and the module must keep working. Runs on
// both builds (scripts/test.js: SIMD128 on Node 20, relaxed on Node 22).
import test from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { qdq } from '../helpers/setup.js';
import { getRuntime } from '../../js/runtime/loader.js';
import * as abi from '../../js/runtime/abi.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const f32 = Math.fround;
const W = Float32Array.from({ length: 24 * 40 }, (_, i) => Math.sin(i * 0.37));
const B = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i));
const X = Float32Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i * 1.3) * 2);
const witness = qdq.DynamicQuantizedLinear.fromFloat(W, B, { inFeatures: 40, outFeatures: 24 });
const expected = witness.forward(X);

/** The live layer still gives its old output, and a fresh call works. */
function stillHealthy() {
  assert.deepEqual(witness.forward(X), expected, 'a live layer changed its output');
  const q = qdq.quantizePerTensor(Float32Array.of(1, 2, 3, 4, 5, 6), { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' });
  assert.deepEqual([...q.data], [-86, -43, 0, 42, 84, 127]);
}

/** @param {() => unknown} fn @param {Function} type @param {RegExp} pattern */
function rejects(fn, type, pattern) {
  assert.throws(fn, (/** @type {any} */ e) => {
    assert.ok(e instanceof type, `${e?.name}: ${e?.message}`);
    assert.match(e.message, /^qdq-wasm: /);
    assert.match(e.message, pattern);
    return true;
  });
  stillHealthy();
}

test('sizes that wrap 32-bit arithmetic', async (t) => {
  await t.test('should refuse a 4 GiB int32 output before allocating (m = n = 32768, k = 4)', () => {
    const before = getRuntime().memory.buffer.byteLength;
    rejects(() => qdq.matmulInteger(new Int8Array(32768 * 4), new Int8Array(4 * 32768), { m: 32768, k: 4, n: 32768 }),
      RangeError, /y \(m \* n = 32768 \* 32768 int32\): 4294967296 bytes needed, more than a wasm32 module can address/);
    assert.equal(getRuntime().memory.buffer.byteLength, before, 'nothing was allocated');
  });

  await t.test('should refuse the GEMM workspace that wraps in C (m = 43700, k = 32768, n = 8)', () => {
    // The inputs alone are 1.4 GB: the workspace (about 3 * m * k bytes) wraps
    // 32-bit size_t in src/operators/gemm.c, which now reports it instead.
    const m = 43700, k = 32768, n = 8;
    let a;
    try {
      a = new Int8Array(m * k);
    } catch {
      t.skip('this machine cannot allocate the 1.4 GB input');
      return;
    }
    rejects(() => qdq.matmulInteger(a, new Int8Array(k * n), { m, k, n }), RangeError,
      /qdq_qs8_gemm: the sizes overflow wasm32 arithmetic/);
  });

  await t.test('should refuse a float Linear whose packed size wraps (inFeatures 2^27)', () => {
    rejects(() => qdq.Linear.fromFloat(new Float32Array(2 ** 27), null, { inFeatures: 2 ** 27, outFeatures: 1 }), RangeError,
      /Linear's packed weights: more bytes needed than a wasm32 module can address/);
  });

  await t.test('should name the output when a forward result is too large, before allocating', () => {
    const wide = qdq.Linear.fromFloat(new Float32Array(2 ** 16), null, { inFeatures: 1, outFeatures: 2 ** 16 });
    const before = getRuntime().memory.buffer.byteLength;
    rejects(() => wide.forward(new Float32Array(2 ** 15)), RangeError,
      /y \(batch \* outFeatures = 32768 \* 65536 float32\): 8589934592 bytes needed/);
    assert.equal(getRuntime().memory.buffer.byteLength, before, 'nothing was allocated');
    wide.dispose();
  });
});

test('exceptions through wasm frames', async (t) => {
  await t.test('should put the wasm stack pointer back when a call fails inside the module', async () => {
    // A trap unwinds the operator's frames without their epilogues; call() and stream() restore the
    // stack pointer, or every such error would lower it, until it runs over static data.
    const { call, input, stream } = await import('../../js/runtime/binding.js');
    const rt = /** @type {any} */ (getRuntime());
    const sp = rt.exports.stackSave();
    for (let i = 0; i < 3; i++) {
      assert.throws(() => call(rt, [input('x', Float32Array.of(1, 2))], (_p, c) => {
        c.stackAlloc(4096); // a frame the failing operator never pops
        throw new WebAssembly.RuntimeError('unreachable');
      }), WebAssembly.RuntimeError);
      assert.throws(() => stream(rt, 2, [Float32Array.of(1, 2)], [], (_s, _o, _l, c) => {
        c.stackAlloc(4096);
        throw new WebAssembly.RuntimeError('unreachable');
      }), WebAssembly.RuntimeError);
    }
    assert.equal(rt.exports.stackSave(), sp);
    assert.deepEqual(qdq.quantizePerTensor(Float32Array.of(1, -1), { scale: 0.5 }).data, Int8Array.of(2, -2));
  });
});

test('outputs that share memory with inputs', async (t) => {
  const n = 300_000; // several staging chunks
  const source = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);

  await t.test('should dequantize into the buffer of its own input correctly (staged)', () => {
    const q = qdq.quantizePerTensor(source, { scale: 0.05, zeroPoint: 3 });
    const want = qdq.dequantize({ data: q.data, scale: 0.05, zeroPoint: 3 });
    const buffer = new ArrayBuffer(4 * n);
    const data = new Int8Array(buffer, 0, n);
    data.set(q.data);
    const got = qdq.dequantize({ data, scale: 0.05, zeroPoint: 3 }, { out: new Float32Array(buffer) });
    assert.deepEqual(got, want);
    stillHealthy();
  });

  await t.test('should quantize into a region of its own input correctly (staged)', () => {
    const want = qdq.quantizePerTensor(source, { scale: 0.02 }).data;
    const x = Float32Array.from(source);
    const out = new Int8Array(x.buffer, 3 * n, n); // overlaps the last quarter of x
    qdq.quantizePerTensor(x, { scale: 0.02, out });
    assert.deepEqual(out, want);
    stillHealthy();
  });

  await t.test('should fake-quantize in place', () => {
    const want = qdq.fakeQuantizePerTensor(source, { scale: 0.1 }).output;
    const x = Float32Array.from(source);
    qdq.fakeQuantizePerTensor(x, { scale: 0.1, out: x });
    assert.deepEqual(x, want);
  });
});

test('objects whose memory is gone or foreign', async (t) => {
  await t.test('should not expose the packed weights of a layer', () => {
    const layer = qdq.DynamicQuantizedLinear.fromFloat(W, B, { inFeatures: 40, outFeatures: 24 });
    assert.equal(/** @type {any} */ (layer).packed, undefined);
    layer.dispose();
    rejects(() => layer.forward(X), Error, /DynamicQuantizedLinear was disposed/);
  });

  await t.test('should give a clear error for a PackedMatrix of another copy of the library', async () => {
    // A second copy, as a bundle that includes the library twice would have:
    // the same files at another URL, so every module (and class) is distinct.
    const dir = mkdtempSync(path.join(tmpdir(), 'qdq-copy-'));
    cpSync(new URL('../../js', import.meta.url), path.join(dir, 'js'), { recursive: true });
    symlinkSync(fileURLToPath(new URL('../../dist', import.meta.url)), path.join(dir, 'dist'));
    const other = await import(pathToFileURL(path.join(dir, 'js/index.js')).href);
    await other.init({ build: process.env.QDQ_BUILD ?? 'simd128' });
    const foreignPacked = other.PackedMatrix.pack(new Int8Array(4), { k: 2, n: 2 });
    rejects(() => qdq.matmulInteger(new Int8Array(2), foreignPacked, { m: 1 }), TypeError, /another instance of qdq-wasm/);
    foreignPacked.dispose();
    rmSync(dir, { recursive: true });
  });
});

test('strict values', async (t) => {
  const x = Float32Array.of(1, 2, 3, 4, 5, 6);
  /** [what, call, type, pattern] */
  const cases = [
    ['string per-channel zero point', () => qdq.quantizePerChannel(x, { shape: [2, 3], scales: [1, 1], zeroPoints: ['1', 0] }),
      TypeError, /zeroPoints\[0\] must be a number, got "1"/],
    ['null per-channel zero point', () => qdq.quantizePerChannel(x, { shape: [2, 3], scales: [1, 1], zeroPoints: [null, 0] }),
      TypeError, /zeroPoints\[0\] must be a number, got null/],
    ['boolean bZeroPoint', () => qdq.matmulInteger(new Int8Array(2), new Int8Array(2), { m: 1, k: 2, n: 1, bZeroPoint: [true] }),
      TypeError, /bZeroPoint\[0\] must be a number, got true/],
    ['null in calculateQParams', () => qdq.calculateQParams([null], [1]), TypeError, /min\[0\] must be a number, got null/],
    ['a BigInt', () => qdq.quantizePerTensor(x, { scale: 0.1, zeroPoint: 1n }), TypeError, /zeroPoint must be a number, got 1n \(a BigInt\)/],
    ['NaN in a dynamic layer bias', () => qdq.DynamicQuantizedLinear.fromFloat(W, Float32Array.from(B).fill(NaN, 5, 6), { inFeatures: 40, outFeatures: 24 }),
      RangeError, /bias\[5\] is NaN; biases must be finite/],
    ['Infinity in a static layer bias', () => qdq.QuantizedLinear.fromFloat(W, Float32Array.from(B).fill(Infinity, 2, 3),
      { inFeatures: 40, outFeatures: 24, inputScale: 0.1, outputScale: 0.1 }), RangeError, /bias\[2\] is Infinity; biases must be finite/],
    ['NaN in a float layer bias', () => qdq.Linear.fromFloat(W, Float32Array.from(B).fill(NaN, 0, 1), { inFeatures: 40, outFeatures: 24 }),
      RangeError, /bias\[0\] is NaN/],
    ['snake_case zero_point', () => qdq.quantizePerTensor(x, { scale: 0.1, zero_point: 10 }), TypeError,
      /unknown option 'zero_point' in options; did you mean 'zeroPoint'\?/],
    ['misspelled scales', () => qdq.quantizePerChannel(x, { shape: [2, 3], scals: [1, 1] }), TypeError,
      /unknown option 'scals' in options; did you mean 'scales'\?/],
    ['snake_case quant_min', () => qdq.fakeQuantizePerTensor(x, { scale: 0.1, quant_min: 0, quant_max: 255 }), TypeError,
      /unknown option 'quant_min' in options; did you mean 'quantMin'\?/],
    ['snake_case layer option', () => qdq.DynamicQuantizedLinear.fromFloat(W, B, { in_features: 40, outFeatures: 24 }), TypeError,
      /did you mean 'inFeatures'\?/],
    ['a detached input', () => {
      const d = new Float32Array(8);
      structuredClone(d.buffer, { transfer: [d.buffer] });
      return qdq.quantizePerTensor(d, { scale: 0.1 });
    }, TypeError, /x is a Float32Array whose ArrayBuffer was detached/],
    ['a quantize range no 8-bit type holds', () => qdq.quantizePerTensor(x, { scale: 0.1, quantMin: -128, quantMax: 255 }),
      RangeError, /fits neither int8 nor uint8/],
  ];
  for (const [what, fn, type, pattern] of cases) {
    await t.test(`should reject ${what} clearly, then still work`, () => rejects(/** @type {any} */ (fn), /** @type {any} */ (type), /** @type {any} */ (pattern)));
  }

  await t.test('should accept a Float32Array from another realm', () => {
    const foreign = vm.runInNewContext('new Float32Array([1, 2, 3, 4, 5, 6])');
    assert.ok(!(foreign instanceof Float32Array));
    const q = qdq.quantizePerTensor(foreign, { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' });
    assert.deepEqual([...q.data], [-86, -43, 0, 42, 84, 127]);
    const y = witness.forward(vm.runInNewContext('new Float32Array(x)', { x: [...X] }));
    assert.deepEqual(y, expected);
  });

  await t.test('should ignore option keys set to undefined', () => {
    const q = qdq.quantizePerTensor(x, { scale: 1, zero_point: undefined });
    assert.deepEqual([...q.data], [1, 2, 3, 4, 5, 6]);
  });
});

test("PyTorch's ranges", async (t) => {
  await t.test('should take fake_quantize_per_tensor_affine(x, s, zp, 0, 255) as written', () => {
    const x = Float32Array.of(-1, 0, 0.5, 1, 300);
    const { output, mask } = qdq.fakeQuantizePerTensor(x, { scale: 0.25, zeroPoint: 4, quantMin: 0, quantMax: 255 });
    // clamp(round(x / 0.25) + 4, 0, 255) - 4, times 0.25
    assert.deepEqual([...output], [-1, 0, 0.5, 1, (255 - 4) * 0.25]);
    assert.deepEqual([...mask], [1, 1, 1, 1, 0]);
  });

  await t.test('should take a 16-bit fake-quantize range without a dtype', () => {
    const { output } = qdq.fakeQuantizePerTensor(Float32Array.of(1000.3, -5), { scale: 0.5, zeroPoint: 0, quantMin: -32768, quantMax: 32767 });
    assert.deepEqual([...output], [1000.5, -5]);
  });

  await t.test('should keep a dtype range when a dtype is given', () => {
    rejects(() => qdq.fakeQuantizePerTensor(Float32Array.of(1), { scale: 1, dtype: 'int8', quantMin: 0, quantMax: 255 }),
      RangeError, /quantMax must be an integer in \[-128, 127\], got 255/);
  });

  await t.test('should choose uint8 storage for quantMin 0, quantMax 255 without a dtype', () => {
    const q = qdq.quantizePerTensor(Float32Array.of(0, 1, 300), { scale: 1, quantMin: 0, quantMax: 255 });
    assert.equal(q.dtype, 'uint8');
    assert.deepEqual([...q.data], [0, 1, 255]);
  });
});

test('smaller holes', async (t) => {
  await t.test('should quantize an empty per-channel tensor (scale 1, zero point 0 per channel)', () => {
    const q = qdq.quantize(new Float32Array(0), { shape: [0, 3], axis: 1 });
    assert.deepEqual([...q.scales], [1, 1, 1]);
    assert.deepEqual([...q.zeroPoints], [0, 0, 0]);
    assert.equal(q.data.length, 0);
  });

  await t.test('should report NaN for both mse and maxAbsError of inf - inf', () => {
    const s = qdq.errorStats(Float32Array.of(Infinity), Float32Array.of(Infinity));
    assert.ok(Number.isNaN(s.mse));
    assert.ok(Number.isNaN(s.maxAbsError));
  });

  await t.test('should compute the steps of E5 in C (quantizeSteps)', () => {
    const r = qdq.quantizeSteps(Float32Array.of(0.25, 0.75, -0.25, 1), { scale: 0.5 });
    assert.deepEqual([...r.scaled], [0.5, 1.5, -0.5, 2]);
    assert.deepEqual([...r.rounded], [0, 2, -0, 2]);
    const p = qdq.quantizeSteps(Float32Array.of(1), { scale: f32(5 / 255), compat: 'pytorch' });
    assert.equal(p.scaled[0], f32(1 * f32(1 / f32(5 / 255))));
  });
});

test('the generated ABI', async (t) => {
  await t.test('should list exactly the operators the production module exports', () => {
    const exported = Object.keys(getRuntime().exports).filter((k) => k.startsWith('qdq_')).sort();
    assert.deepEqual(exported, [...abi.OPERATORS].sort());
  });

  await t.test('should hold the values of src/qdq.h', () => {
    const header = readFileSync(new URL('../../src/qdq.h', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries(abi)) {
      if (name === 'OPERATORS') continue;
      const m = header.match(new RegExp(`^#define QDQ_${name}\\s+\\(?(-?\\d+)`, 'm'));
      assert.ok(m, `QDQ_${name} is in src/qdq.h`);
      assert.equal(Number(m[1]), value, name);
    }
    assert.equal(qdq.GEMM_MAX_K, abi.GEMM_MAX_K);
  });

  await t.test('should ship no reference function or undispatched kernel in the production module', () => {
    const names = Object.keys(getRuntime().exports);
    // (qdq_qs8_gemm_widened_size and _keep_widened are operators: PackedMatrix's keepWidened.)
    assert.deepEqual(names.filter((k) => /reference|ukernel|_tile$|widen_w$|pack_a16$/.test(k)), []);
  });
});
