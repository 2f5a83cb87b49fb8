// The thread pool (issue 12): every threaded operator gives the same bytes on
// 1, 2, 3 and 4 threads (odd m and n tails included) and matches the C
// reference; calls from several async callers interleave safely; a pool that
// cannot start reports why and runs on one thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as qdq from '../../js/index.js';
import { getRuntime, parallelRegions, setThreadLimit } from '../../js/runtime/loader.js';
import { Pool, SPIN_MICROS } from '../../js/runtime/pool.js';
import { CONTROL } from '../../js/runtime/pool-control.js';
import { INPUT_BLOCK_BYTES } from '../../js/runtime/abi.js';
import { linearBackward } from '../../js/nn/grad.js';
import { referenceF32Gemm, referenceGemm, referenceNBitsGemm, rng } from '../helpers/gemm-ref.js';

const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
const info = await qdq.init({ build: BUILD, numThreads: 4 });

/** Bytes of a typed array, for exact comparison (NaN payloads and -0 included). @param {ArrayBufferView} a */
const bytes = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Fills the call scratch region and 1 MiB of free heap with 0xA5: the next
 * call's buffers (its output among them) then start as garbage, never as the
 * previous run's result, so a split that leaves outputs unwritten fails.
 */
function poisonHeap(byte = 0xa5) {
  const rt = getRuntime();
  const bytes = 1 << 20;
  const p = rt.malloc(bytes, 'poison');
  rt.refresh();
  rt.u8.fill(byte, p, p + bytes);
  rt.u8.fill(byte, rt.scratch, rt.scratch + 4096);
  rt.exports.free(p);
}

/**
 * Runs fn with each thread count, splitting every call however small (minWork
 * 0), and asserts that all results are byte-identical.
 * @param {string} what @param {() => ArrayBufferView} fn @param {number} [poison] the heap's byte before each call
 * @returns {ArrayBufferView} the 1-thread result
 */
function sameOnEveryCount(what, fn, poison = 0xa5) {
  setThreadLimit(1, 0);
  const one = fn();
  try {
    for (const t of [2, 3, 4]) {
      setThreadLimit(t, 0);
      poisonHeap(poison);
      const before = parallelRegions();
      const r = fn();
      assert.ok(parallelRegions() > before, `${what}: ${t} threads: the call was not split`);
      assert.ok(bytes(r).equals(bytes(one)), `${what}: ${t} threads differ from 1`);
    }
  } finally {
    setThreadLimit(Infinity);
  }
  return one;
}

/**
 * Random uint8 activations, int8 weights with per-column zero points in
 * [0, 9], and the weights packed.
 * @param {ReturnType<typeof rng>} r @param {number} m @param {number} k @param {number} n
 */
function u8s8Operands(r, m, k, n) {
  const a = Uint8Array.from({ length: m * k }, () => r.int(0, 255));
  const b = Int8Array.from({ length: k * n }, () => r.int(-128, 127));
  const zb = Array.from({ length: n }, () => r.int(0, 9));
  return { a, b, zb, packed: qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb }) };
}

/**
 * A DynamicQuantizedLinear from random float weights and bias, and a random input of m rows.
 * @param {ReturnType<typeof rng>} r @param {number} m @param {number} k @param {number} n
 */
function dynamicOperands(r, m, k, n) {
  const layer = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from({ length: n * k }, () => r.float(2)),
    Float32Array.from({ length: n }, () => r.float(1)), { inFeatures: k, outFeatures: n });
  return { layer, x: Float32Array.from({ length: m * k }, () => r.float(4)) };
}

// m: single row (GEMV path), one under a row block, several blocks with a
// tail, enough rows for the widened-weights path; n: fewer columns than
// threads x 8, odd tails, several column blocks (67x600x333: three, with
// widened weights, which one thread widens block by block and more threads
// share).
const SHAPES = [[1, 67, 13], [3, 5, 29], [5, 100, 37], [37, 33, 203], [70, 129, 61], [2, 1200, 131], [67, 600, 333]];

test('threads', async (t) => {
  await t.test('should run the shared-memory build on 4 threads', () => {
    assert.deepEqual(info, { build: BUILD, threads: 4, threadsNote: null });
    assert.equal(qdq.threads(), 4);
  });

  await t.test('should give identical bytes on 1-4 threads for matmulInteger, equal to the reference', () => {
    const r = rng(1201);
    for (const [m, k, n] of SHAPES) {
      for (const [adt, bdt] of [['uint8', 'int8'], ['int8', 'uint8'], ['int8', 'int8']]) {
        const a = adt === 'uint8' ? Uint8Array.from({ length: m * k }, () => r.int(0, 255)) : Int8Array.from({ length: m * k }, () => r.int(-128, 127));
        const b = bdt === 'uint8' ? Uint8Array.from({ length: k * n }, () => r.int(0, 255)) : Int8Array.from({ length: k * n }, () => r.int(-128, 127));
        const za = r.int(0, 100);
        // Weight zero points, and none: split calls then widen the activations
        // straight from the input, with no staging (gemm.c, widen_copy).
        for (const zb of [Array.from({ length: n }, () => r.int(0, 50)), new Array(n).fill(0)]) {
          for (const keepWidened of [false, true]) {
            const packed = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb, keepWidened });
            const what = `${m}x${k}x${n} ${adt}x${bdt}${zb.every((z) => z === 0) ? ' no zb' : ''}${keepWidened ? ' kept widened' : ''}`;
            const y = sameOnEveryCount(what, () => qdq.matmulInteger(a, packed, { m, aZeroPoint: za }));
            packed.dispose();
            assert.ok(bytes(y).equals(bytes(referenceGemm(m, n, k, a, za, b, zb))), `${what}: not the reference`);
          }
        }
      }
    }
  });

  await t.test('should give identical bytes on 1-4 threads for matmulInteger whose row blocks fit 7 bits in all, some or none', () => {
    // The relaxed build runs a block of 4 rows on its 7-bit kernel when every
    // row's range is at most 127, which needs staged rows; a split call whose
    // input has no such block widens the input raw instead (gemm.c,
    // no_block_fits7), and one whose blocks hide their wide row last makes
    // that scan give up and stage. The bytes are the reference's every way.
    const r = rng(1207);
    for (const [m, k, n] of [[37, 33, 203], [70, 129, 61], [67, 600, 333]]) {
      for (const pattern of ['all', 'some', 'last row wide', 'none']) {
        for (const adt of ['uint8', 'int8']) {
          const a = adt === 'uint8' ? new Uint8Array(m * k) : new Int8Array(m * k);
          const lo = adt === 'uint8' ? 0 : -128;
          for (let i = 0; i < m; i++) {
            const narrow = pattern === 'all' || (pattern === 'some' && (i >> 2) % 2 === 0) ||
              (pattern === 'last row wide' && i % 4 !== 3 && i !== m - 1);
            const base = lo + r.int(0, 128);
            for (let l = 0; l < k; l++) a[i * k + l] = narrow ? base + r.int(0, 127) : lo + r.int(0, 255);
            if (!narrow) {
              // The widest range, placed late in the row.
              a[i * k + k - 2] = lo;
              a[i * k + k - 1] = lo + 255;
            }
          }
          const b = Int8Array.from({ length: k * n }, () => r.int(-128, 127));
          const za = adt === 'uint8' ? 128 : 0;
          const zb = new Array(n).fill(0);
          const packed = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb });
          const what = `${m}x${k}x${n} ${adt} rows fitting 7 bits: ${pattern}`;
          const y = sameOnEveryCount(what, () => qdq.matmulInteger(a, packed, { m, aZeroPoint: za }));
          packed.dispose();
          assert.ok(bytes(y).equals(bytes(referenceGemm(m, n, k, a, za, b, zb))), `${what}: not the reference`);
        }
      }
    }
  });

  await t.test('should give identical bytes on 1-4 threads for qlinearMatmul and the Linear layers', () => {
    const r = rng(1202);
    for (const [m, k, n] of SHAPES) {
      const a = Uint8Array.from({ length: m * k }, () => r.int(0, 255));
      const b = Int8Array.from({ length: k * n }, () => r.int(-128, 127));
      sameOnEveryCount(`qlinearMatmul ${m}x${k}x${n}`, () => qdq.qlinearMatmul(a, b,
        { m, k, n, aScale: 0.02, aZeroPoint: 120, bScale: 0.01, yScale: 0.5, yZeroPoint: 128 }));
      const w = Float32Array.from({ length: n * k }, () => r.float(2));
      const bias = Float32Array.from({ length: n }, () => r.float(1));
      const x = Float32Array.from({ length: m * k }, () => r.float(4));
      for (const compat of /** @type {const} */ (['pytorch', 'onnx'])) {
        for (const reduceRange of [false, true]) {
          const layer = qdq.DynamicQuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n, compat, reduceRange });
          const one = sameOnEveryCount(`DynamicQuantizedLinear ${m}x${k}x${n} ${compat} ${reduceRange}`, () => layer.forward(x));
          layer.dispose();
          const kept = qdq.DynamicQuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n, compat, reduceRange, keepWidened: true });
          const y = sameOnEveryCount(`DynamicQuantizedLinear ${m}x${k}x${n} ${compat} ${reduceRange} kept widened`, () => kept.forward(x));
          kept.dispose();
          assert.ok(bytes(y).equals(bytes(one)), `DynamicQuantizedLinear ${m}x${k}x${n}: kept widened differs`);
        }
      }
      const ql = qdq.QuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n,
        inputScale: 0.03, inputZeroPoint: 128, outputScale: 0.2, outputZeroPoint: 100 });
      sameOnEveryCount(`QuantizedLinear ${m}x${k}x${n}`, () => ql.forward(a));
      ql.dispose();
      const fl = qdq.Linear.fromFloat(w, bias, { inFeatures: k, outFeatures: n });
      const y = sameOnEveryCount(`Linear ${m}x${k}x${n}`, () => fl.forward(x));
      fl.dispose();
      assert.ok(bytes(y).equals(bytes(referenceF32Gemm(m, n, k, x, w, bias))), `Linear ${m}x${k}x${n}: not the reference`);
    }
  });

  await t.test("should give identical bytes on 1-4 threads for nn.Linear's backward products (qdq_f32_matmul)", () => {
    // dW = dYᵀ X (A stored transposed) and dX = dY W: column groups of 8 split over tasks, odd n
    // tails, n past a column block (nc = 96 KiB / 4k), m past the kernels' 4 rows and not a multiple.
    const r = rng(41);
    for (const [m, inF, outF] of [[1, 9, 3], [37, 203, 67], [130, 70, 9], [5, 1000, 257], [64, 784, 128]]) {
      const x = Float32Array.from({ length: m * inF }, () => r.float(4));
      const w = Float32Array.from({ length: outF * inF }, () => r.float(2));
      const dy = Float32Array.from({ length: m * outF }, () => r.float(2));
      const both = () => {
        const g = linearBackward(x, w, dy, m, inF, outF, true);
        const y = new Float32Array(outF * inF + m * inF);
        y.set(g.dw);
        y.set(/** @type {Float32Array} */ (g.dx), outF * inF);
        return y;
      };
      const y = sameOnEveryCount(`linearBackward ${m}x${inF}x${outF}`, both);
      // One entry of each product against a float64 sum: ~k roundings of float32 apart at most.
      const dw00 = dy.reduce((sum, _, i) => (i % outF === 0 ? sum + dy[i] * x[(i / outF) * inF] : sum), 0);
      const dx00 = Array.from({ length: outF }, (_, j) => dy[j] * w[j * inF]).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(y[0] - dw00) <= 1e-5 * m * 4, `dW[0][0] ${y[0]} against ${dw00}`);
      assert.ok(Math.abs(y[outF * inF] - dx00) <= 1e-5 * outF * 2, `dX[0][0] ${y[outF * inF]} against ${dx00}`);
    }
  });

  await t.test("should give identical bytes on 1-4 threads for HistogramObserver's state, batch after batch", () => {
    // The batch's histogram is binned in tasks of 64 Ki elements into a histogram per thread, then
    // summed (src/operators/histogram.c): odd lengths, ±0 and values on the edges, a range that grows
    // (the old histogram resampled into the new), 15 bins (torch's lane-7 last edge), 1 bin, a
    // histcBounds 'exact' observer, and qparams from the final state.
    const r = rng(77);
    const batches = [[3 * 65536 + 7, 4], [200001, 9], [65536 * 2, 9], [140001, 20]].map(([n, scale]) => {
      const x = Float32Array.from({ length: n }, () => r.float(2 * scale));
      x[0] = 0; x[1] = -0; x[2] = scale; x[n - 1] = -scale;
      return x;
    });
    for (const opts of [{}, { bins: 15 }, { bins: 1 }, { bins: 301, upsampleRate: 7, histcBounds: /** @type {const} */ ('exact') }]) {
      sameOnEveryCount(`HistogramObserver ${JSON.stringify(opts)}`, () => {
        const obs = new qdq.HistogramObserver(opts);
        const parts = batches.map((x) => {
          obs.observe(x);
          return Float32Array.from(obs.state);
        });
        const { scale, zeroPoint } = obs.calculateQParams();
        return new Uint8Array(Buffer.concat([...parts, Float64Array.of(scale, zeroPoint)].map((a) => Buffer.from(a.buffer))));
      });
    }
    // Batches whose neighbours often share a bin (ReLU's zeros, sorted values) are binned into 4
    // interleaved copies per thread, summed with the threads' histograms (docs/observers.md H2b).
    const relu = Float32Array.from({ length: 200001 }, () => Math.max(0, r.float(6)));
    const sorted = Float32Array.from({ length: 150003 }, () => r.float(8)).sort();
    for (const opts of [{}, { bins: 64 }]) {
      sameOnEveryCount(`HistogramObserver ${JSON.stringify(opts)}, ReLU and sorted batches`, () => {
        const obs = new qdq.HistogramObserver(opts);
        const parts = [relu, sorted, relu].map((x) => {
          obs.observe(x);
          return Float32Array.from(obs.state);
        });
        return new Uint8Array(Buffer.concat(parts.map((a) => Buffer.from(a.buffer))));
      });
    }
    // On 2-4 threads each batch is streamed into the min/max region, whose 16 Ki-element blocks
    // fold a zero extreme's sign otherwise than the one-thread call (src/operators/streamed-range.h):
    // its SIMD kernel keeps each of 4 lanes' first zero and prefers lane 0's, so with -0 at index 1
    // (lane 1, block 0) and +0 at 16388 (lane 0, block 1) one call gives +0 and the blocks -0. The
    // state's zero extremes must still be torch.aminmax's: at a reset (min, then max) and tied
    // with the state's.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const zeros = (/** @type {number} */ sign, /** @type {number} */ seed) => {
      const z = rng(seed);
      const x = Float32Array.from({ length: 3 * 65536 + 3 }, () => sign * (Math.abs(z.float(2)) + 0.25));
      x[1] = -sign * 0;
      x[16388] = sign * 0;
      return x;
    };
    const signed = [[zeros(1, 5), zeros(1, 6)], [zeros(-1, 7), zeros(1, 8)]];
    for (const sequence of signed) {
      const streamed = pool.streamedIn;
      const all = sequence.reduce((sum, x) => sum + 4 * x.length, 0);
      sameOnEveryCount('HistogramObserver, signed zero extremes', () => {
        const obs = new qdq.HistogramObserver();
        const parts = sequence.map((x) => {
          obs.observe(x);
          return Float32Array.from(obs.state);
        });
        return new Uint8Array(Buffer.concat(parts.map((a) => Buffer.from(a.buffer))));
      });
      assert.equal(pool.streamedIn - streamed, 3 * all, 'every batch streamed on 2, 3 and 4 threads');
    }
  });

  await t.test("should give identical bytes on 1-4 threads for the percentile and entropy observers' histograms", () => {
    // onnxruntime's collector in double (src/operators/calibration.c): each batch binned in tasks of
    // 32 Ki elements into counts per thread, then added, or on several threads with x streamed into
    // the binning region, in tasks of its 16 Ki-element input blocks (but the first batch of |x|,
    // whose range is read first); the range grows (bins added on both sides, or on the right for |x|),
    // odd lengths, ±0, the first batch's |x| range.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const streamed = pool.streamedIn;
    const r = rng(91);
    const batches = [[3 * 32768 + 5, 2], [100001, 5], [70001, 5], [250001, 11]].map(([n, scale]) => {
      const x = Float32Array.from({ length: n }, () => r.float(2 * scale));
      x[0] = 0; x[1] = -0; x[n - 1] = scale;
      return x;
    });
    for (const make of [() => new qdq.PercentileObserver(), () => new qdq.PercentileObserver({ symmetric: true, bins: 301 }),
      () => new qdq.EntropyObserver()]) {
      sameOnEveryCount(`${make().constructor.name}`, () => {
        const obs = make();
        const parts = batches.map((x) => {
          obs.observe(x);
          return Float64Array.from(/** @type {any} */ (obs).state);
        });
        const range = /** @type {{ min: number, max: number }} */ (obs.calculateRange());
        return new Uint8Array(Buffer.concat([...parts, Float64Array.of(range.min, range.max)].map((a) => Buffer.from(a.buffer))));
      });
    }
    // Streamed on 2, 3 and 4 threads: every batch into each observer's min/max; into the binning,
    // every batch of EntropyObserver (x), all but the first of the two percentile observers' (|x|).
    const all = batches.reduce((sum, x) => sum + 4 * x.length, 0);
    assert.equal(pool.streamedIn - streamed, 3 * (3 * all + all + 2 * (all - 4 * batches[0].length)));
  });

  await t.test('should count a bin past 2^24 as one thread does (a float32 sum of ones stops there)', () => {
    // One value 2^24 + 5 times: every element in the middle bin of [v - 1, v + 1]. One thread's
    // float counter stops at 2^24 (2^24 + 1 rounds back); the threads' partial counts, summed,
    // must stop there too.
    const x = new Float32Array((1 << 24) + 5).fill(0.5);
    const y = sameOnEveryCount('HistogramObserver, 2^24 + 5 equal values', () => {
      const obs = new qdq.HistogramObserver({ bins: 4 });
      obs.observe(x);
      return Float32Array.from(obs.state);
    });
    assert.deepEqual(Array.from(y), [0.5, 0.5, 0, 0, 16777216, 0]);
  });

  await t.test('should give identical bytes on 1-4 threads for a QAT model: training steps, then converted', () => {
    // Every module a user trains and converts: nn.Linear forward (the float GEMM) and backward (T1),
    // fused LinearReLU, QuantStub's and the weights' FakeQuantize (moving-average observers, fake
    // quantization and its mask: windows past 4 Mi units, T5), crossEntropyLoss, SGD with momentum,
    // then convert() and the quantized model's forward. Two steps, so the second sees the first's
    // updated weights and observer state. A batch of 64 through 784-256-10, every call split.
    const { nn, QuantStub, DeQuantStub, prepareQat, fuseModules, getDefaultQatQConfig, convert } = qdq;
    const r = rng(57);
    const batch = 64, sizes = [784, 256, 10];
    const x = Float32Array.from({ length: batch * sizes[0] }, () => r.float(2));
    const targets = Array.from({ length: batch }, (_, i) => (i * 7) % sizes[2]);
    const state = (() => {
      const m = new nn.Sequential(new nn.Linear(sizes[0], sizes[1]), new nn.Linear(sizes[1], sizes[2]));
      const st = m.stateDict();
      for (const v of Object.values(st)) v.data = Float32Array.from({ length: v.data.length }, () => r.float(0.1));
      m.dispose();
      return st;
    })();
    const run = () => {
      const f = new nn.Sequential(new QuantStub(), new nn.Linear(sizes[0], sizes[1]), new nn.ReLU(), new nn.Linear(sizes[1], sizes[2]),
        new DeQuantStub());
      f.loadStateDict(new Map(Object.entries(state).map(([k, v]) => [`${k.startsWith('0.') ? 1 : 3}.${k.slice(2)}`, v]))).train();
      const fused = fuseModules(f, [['1', '2']]);
      const p = prepareQat(fused, { qconfig: getDefaultQatQConfig('fbgemm') });
      const opt = new nn.SGD(p.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
      const parts = [];
      for (let step = 0; step < 2; step++) {
        p.zeroGrad();
        const logits = p.forward(x, batch);
        const { loss, grad } = nn.crossEntropyLoss(logits, targets, sizes[2]);
        p.backward(grad, batch, true);
        opt.step();
        parts.push(logits, Float64Array.of(loss), ...p.parameters().flatMap((q) => [q.value, /** @type {Float32Array} */ (q.grad)]));
      }
      const q = convert(p.eval());
      parts.push(q.forward(x, batch));
      q.dispose();
      opt.dispose();
      for (const m of [p, fused, f]) m.dispose();
      const bytesAll = parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      return new Uint8Array(Buffer.concat(bytesAll));
    };
    const y = sameOnEveryCount('QAT 64x784-256-10', run);
    assert.ok(y.length > 4 * 2 * (784 * 256 + 256 * 10), 'the parameters and their gradients are compared');
  });

  await t.test('should give identical bytes on 1-4 threads for MatMulNBits and WeightOnlyQuantizedLinear, equal to the reference', () => {
    // Every m tail of the row blocks (4 rows; the dequantized panels of level 0
    // from 8), n with odd column groups and more groups than threads, k not a
    // multiple of the block; 4 and 8 bits, with and without zero points and
    // bias, accuracy levels 4 and 0.
    const r = rng(1206);
    const KNB = [[67, 37, 16], [100, 203, 32], [130, 61, 64], [300, 45, 128]];
    let c = 0;
    for (const m of [1, 2, 3, 5, 7, 8, 9, 17]) {
      for (const bits of /** @type {const} */ ([4, 8])) {
        for (const symmetric of [false, true]) {
          const [k, n, blockSize] = KNB[c++ % KNB.length];
          const q = qdq.quantizeBlockwise(Float32Array.from({ length: n * k }, () => r.float(2)), { n, k, bits, blockSize, symmetric });
          assert.equal(q.zeroPoints === null, symmetric);
          const bias = c % 2 === 0 ? Float32Array.from({ length: n }, () => r.float(1)) : null;
          const a = Float32Array.from({ length: m * k }, () => r.float(4));
          for (const accuracyLevel of /** @type {const} */ ([4, 0])) {
            const what = `MatMulNBits ${m}x${k}x${n} bits ${bits} block ${blockSize}${symmetric ? '' : ' zero points'}${bias ? ' bias' : ''} level ${accuracyLevel}`;
            const mm = qdq.MatMulNBits.pack({ ...q, bias, accuracyLevel });
            const y = sameOnEveryCount(what, () => mm.forward(a, m));
            mm.dispose();
            assert.ok(bytes(y).equals(bytes(referenceNBitsGemm(m, n, k, bits, blockSize, a, q, bias, accuracyLevel))), `${what}: not the reference`);
          }
        }
      }
    }
    const [k, n] = [200, 77];
    const w = Float32Array.from({ length: n * k }, () => r.float(1));
    const bias = Float32Array.from({ length: n }, () => r.float(1));
    for (const accuracyLevel of /** @type {const} */ ([4, 0])) {
      const layer = qdq.WeightOnlyQuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n, accuracyLevel });
      for (const m of [1, 9]) {
        const x = Float32Array.from({ length: m * k }, () => r.float(3));
        const y = sameOnEveryCount(`WeightOnlyQuantizedLinear ${m}x${k}x${n} level ${accuracyLevel}`, () => layer.forward(x, m));
        assert.ok(bytes(y).equals(bytes(referenceNBitsGemm(m, n, k, 4, 32, x, { ...layer.weight }, bias, accuracyLevel))));
      }
      layer.dispose();
    }
  });

  await t.test('should give identical bytes on 1-4 threads for quantizeBlockwise, dequantizeBlockwise and MatMulNBits.pack', () => {
    // Columns split over the threads (pack: groups of 8): odd n, k tails, both
    // bit widths, symmetric and not; pack checked through a forward (split too)
    // against the reference.
    const r = rng(1208);
    for (const [k, n, bits, blockSize, symmetric] of /** @type {const} */ ([[67, 37, 4, 16, false], [100, 203, 8, 32, false],
      [130, 61, 4, 64, true], [33, 9, 8, 16, true], [300, 45, 4, 128, false]])) {
      const w = Float32Array.from({ length: n * k }, () => r.float(2));
      const what = `${n}x${k} bits ${bits} block ${blockSize}${symmetric ? ' symmetric' : ''}`;
      const cat = (/** @type {ArrayBufferView[]} */ ...parts) => Buffer.concat(parts.map((p) => bytes(p)));
      sameOnEveryCount(`quantizeBlockwise ${what}`, () => {
        const q = qdq.quantizeBlockwise(w, { n, k, bits, blockSize, symmetric });
        const e = q.error.blocks;
        return cat(q.data, q.scales, q.zeroPoints ?? new Uint8Array(0), e.mse, e.maxAbsError, e.sqnr, Float64Array.of(q.error.mse, q.error.sqnr));
      });
      const q = qdq.quantizeBlockwise(w, { n, k, bits, blockSize, symmetric });
      sameOnEveryCount(`dequantizeBlockwise ${what}`, () => qdq.dequantizeBlockwise(q));
      const a = Float32Array.from({ length: 3 * k }, () => r.float(4));
      const y = sameOnEveryCount(`MatMulNBits.pack ${what}`, () => {
        const mm = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 0 });
        try {
          return mm.forward(a, 3);
        } finally {
          mm.dispose();
        }
      });
      assert.ok(bytes(y).equals(bytes(referenceNBitsGemm(3, n, k, bits, blockSize, a, q, null, 0))), `MatMulNBits.pack ${what}: not the reference`);
    }
  });

  await t.test('should split a large MatMulNBits call and keep a small one on the calling thread', () => {
    // 16 x 1024 x 1040 at level 4: ~17 M multiply-adds of work, above the
    // threshold of a lone call (MIN_WORK_PER_THREAD_ASLEEP on two threads);
    // 1 x 64 x 64 is far below the threshold at both levels.
    const r = rng(1207);
    const [m, k, n] = [16, 1024, 1040];
    const q = qdq.quantizeBlockwise(Float32Array.from({ length: n * k }, () => r.float(2)), { n, k });
    const x = Float32Array.from({ length: m * k }, () => r.float(4));
    const mm = qdq.MatMulNBits.pack(q);
    setThreadLimit(1);
    const one = mm.forward(x, m);
    setThreadLimit(Infinity);
    let before = parallelRegions();
    assert.ok(bytes(mm.forward(x, m)).equals(bytes(one)));
    assert.ok(parallelRegions() > before, 'a call above the threshold was not split');
    mm.dispose();
    const qs = qdq.quantizeBlockwise(Float32Array.from({ length: 64 * 64 }, () => r.float(2)), { n: 64, k: 64 });
    for (const accuracyLevel of /** @type {const} */ ([4, 0])) {
      const small = qdq.MatMulNBits.pack({ ...qs, accuracyLevel });
      before = parallelRegions();
      small.forward(x.subarray(0, 64), 1);
      assert.equal(parallelRegions(), before, `a small call at level ${accuracyLevel} was split`);
      small.dispose();
    }
  });

  await t.test('should split large calls and keep small ones on the calling thread', () => {
    // Same bytes with the default threshold, on a call above it even alone
    // (~17 M multiply-adds: MIN_WORK_PER_THREAD_ASLEEP on two threads).
    const r = rng(1203);
    const [m, k, n] = [16, 1024, 1040];
    const w = Float32Array.from({ length: n * k }, () => r.float(2));
    const x = Float32Array.from({ length: m * k }, () => r.float(4));
    const layer = qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: k, outFeatures: n });
    setThreadLimit(1);
    const one = layer.forward(x);
    setThreadLimit(Infinity);
    let before = parallelRegions();
    assert.ok(bytes(layer.forward(x)).equals(bytes(one)));
    assert.equal(parallelRegions(), before + 1, 'a call above the threshold was not split');
    // 4 x 64 x 64 = 16 Ki multiply-adds: far below the threshold.
    const small = qdq.DynamicQuantizedLinear.fromFloat(w.subarray(0, 64 * 64), null, { inFeatures: 64, outFeatures: 64 });
    before = parallelRegions();
    small.forward(x.subarray(0, 4 * 64));
    assert.equal(parallelRegions(), before, 'a small call was split');
    small.dispose();
    layer.dispose();
  });

  await t.test('should split a mid-sized GEMM only while the workers poll or in a loop, and never a streaming one below the threshold', async () => {
    // 1 x 1024 x 1024 = 1 Mi multiply-adds: below MIN_WORK_PER_THREAD on two
    // threads, above MIN_WORK_PER_THREAD_POLLING. Alone (20 ms after anything
    // else), it stays on the calling thread; right after a region, or as the
    // second of two calls in a row, it splits (a split then costs no wake-up).
    // A streaming operator of as much work does not (its copies are serial).
    const r = rng(1209);
    const [k, n] = [1024, 1024];
    const layer = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from({ length: n * k }, () => r.float(2)), null, { inFeatures: k, outFeatures: n });
    const big = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from({ length: 64 * 512 }, () => r.float(2)), null, { inFeatures: 512, outFeatures: 64 });
    const x = Float32Array.from({ length: k }, () => r.float(4));
    const xBig = Float32Array.from({ length: 64 * 512 }, () => r.float(4));
    // quantize weighs 14 per element (src/operators/quantize.c): 128 Ki elements, 1.75 Mi, in 2 blocks.
    const stream = Float32Array.from({ length: 2 << 16 }, () => r.float(4));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    setThreadLimit(2);
    try {
      setThreadLimit(1);
      const one = bytes(layer.forward(x));
      setThreadLimit(2);
      for (let i = 0; i < 3; i++) {
        await pause();
        const before = parallelRegions();
        assert.ok(bytes(layer.forward(x)).equals(one));
        assert.equal(parallelRegions(), before, 'an isolated mid-sized call was split');
      }
      // In a loop: the second call on splits (give the scheduler 20 tries to run two calls within 500 µs).
      let split = false;
      for (let i = 0; i < 20 && !split; i++) {
        await pause();
        layer.forward(x);
        const before = parallelRegions();
        assert.ok(bytes(layer.forward(x)).equals(one));
        split = parallelRegions() > before;
      }
      assert.ok(split, 'the second of two mid-sized calls in a row was never split');
      // Right after a region (big: 64 x 512 x 64 = 2 Mi, split on any two threads).
      split = false;
      for (let i = 0; i < 20 && !split; i++) {
        await pause();
        big.forward(xBig);
        const before = parallelRegions();
        layer.forward(x);
        split = parallelRegions() > before;
      }
      assert.ok(split, 'a mid-sized call right after a region was never split');
      for (let i = 0; i < 5; i++) {
        big.forward(xBig);
        const before = parallelRegions();
        qdq.quantizePerTensor(stream, { scale: 0.5 });
        qdq.quantizePerTensor(stream, { scale: 0.5 });
        assert.equal(parallelRegions(), before, 'a streaming call below the threshold was split');
      }
    } finally {
      setThreadLimit(Infinity);
      layer.dispose();
      big.dispose();
    }
  });

  await t.test('should keep a lone GEMM below the asleep threshold on the calling thread, and split it in a loop', async () => {
    // 4 x 1024 x 1024 = 4 Mi multiply-adds: above MIN_WORK_PER_THREAD on two
    // threads, below MIN_WORK_PER_THREAD_ASLEEP. Alone (20 ms after anything
    // else: the workers sleep), a split would wait for a worker's wake-up and
    // ran slower than one thread on a 2-vCPU VM, so it stays on the calling
    // thread; the second of two such calls in a row splits. 16 x 1024 x 1024
    // (16 Mi, 2 x MIN_WORK_PER_THREAD_ASLEEP) splits even alone.
    const r = rng(1211);
    const [k, n] = [1024, 1024];
    const layer = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from({ length: n * k }, () => r.float(2)), null, { inFeatures: k, outFeatures: n });
    const x = Float32Array.from({ length: 16 * k }, () => r.float(4));
    const mid = x.subarray(0, 4 * k);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    try {
      setThreadLimit(1);
      const one = bytes(layer.forward(mid, 4));
      const oneLarge = bytes(layer.forward(x, 16));
      setThreadLimit(2);
      for (let i = 0; i < 3; i++) {
        await pause();
        let before = parallelRegions();
        assert.ok(bytes(layer.forward(mid, 4)).equals(one));
        assert.equal(parallelRegions(), before, 'a lone 4 Mi call was split');
        await pause();
        before = parallelRegions();
        assert.ok(bytes(layer.forward(x, 16)).equals(oneLarge));
        assert.ok(parallelRegions() > before, 'a lone 16 Mi call was not split');
      }
      let split = false;
      for (let i = 0; i < 20 && !split; i++) {
        await pause();
        layer.forward(mid, 4);
        const before = parallelRegions();
        assert.ok(bytes(layer.forward(mid, 4)).equals(one));
        split = parallelRegions() > before;
      }
      assert.ok(split, 'the second of two 4 Mi calls in a row was never split');
    } finally {
      setThreadLimit(Infinity);
      layer.dispose();
    }
  });

  await t.test('should hand a large call out in more tasks than threads, with the same bytes', () => {
    // 128 x 384 x 600: ~29 M multiply-adds, so ~28 GEMM tasks (QDQ_TASK_WORK in
    // src/parallel/parallel.h) taken by whichever thread is free: same bytes as
    // on one thread, in a result array of its own, on every thread count and
    // again on reuse, whatever thread ran which task.
    const r = rng(1207);
    const [m, k, n] = [128, 384, 600];
    const { layer, x } = dynamicOperands(r, m, k, n);
    let pool = /** @type {any} */ (null);
    const run = Pool.prototype.parallelize;
    Pool.prototype.parallelize = function (/** @type {any[]} */ ...a) {
      pool = this;
      return run.apply(this, /** @type {any} */ (a));
    };
    try {
      setThreadLimit(1);
      const one = layer.forward(x);
      for (const threads of [2, 3, 4]) {
        setThreadLimit(threads);
        for (let rep = 0; rep < 2; rep++) {
          poisonHeap();
          const regions = parallelRegions(), tasks = pool?.regionTasks ?? 0;
          const y = layer.forward(x);
          assert.ok(parallelRegions() > regions, `${threads} threads: not split`);
          assert.ok(pool.regionTasks - tasks > 2 * threads, `${threads} threads: ${pool.regionTasks - tasks} tasks`);
          assert.ok(bytes(y).equals(bytes(one)), `${threads} threads, call ${rep}: differs from 1 thread`);
          assert.ok(y.buffer instanceof ArrayBuffer && y.byteOffset === 0 && y.length === m * n, 'not an array of its own');
        }
      }
    } finally {
      Pool.prototype.parallelize = run;
      setThreadLimit(Infinity);
      layer.dispose();
    }
  });

  await t.test('should copy a large result out while the workers run, with the same bytes', () => {
    // Results of 64 KiB and more (int32, uint8 and float; new arrays and
    // `out`) are copied out band by band during the GEMM region
    // (qdq_parallelize_marked, Pool#finished): a band copied before its last
    // task finished would show the poisoned heap or differ from 1 thread.
    // m = 250 leaves a tail of 2 rows in the last row block.
    const r = rng(1209);
    const [m, k, n] = [250, 200, 301];
    const { a, b, zb, packed } = u8s8Operands(r, m, k, n);
    const { layer, x } = dynamicOperands(r, m, k, n);
    const into = new Float32Array(m * n);
    // Symmetric weights and uint8 activations at 128: the kernels write the int32 result in place (gemm.c run.direct).
    const symmetric = qdq.PackedMatrix.pack(b, { k, n });
    const pool = /** @type {any} */ (getRuntime()).pool;
    try {
      const before = pool.copiedDuring;
      for (let rep = 0; rep < 3; rep++) {
        const y = sameOnEveryCount('matmulInteger', () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 3 }));
        assert.ok(bytes(y).equals(bytes(referenceGemm(m, n, k, a, 3, b, zb))), 'matmulInteger: not the reference');
        const yd = sameOnEveryCount('matmulInteger in place', () => qdq.matmulInteger(a, symmetric, { m, aZeroPoint: 128 }));
        assert.ok(bytes(yd).equals(bytes(referenceGemm(m, n, k, a, 128, b, new Array(n).fill(0)))), 'matmulInteger in place: not the reference');
        sameOnEveryCount('qlinearMatmul', () => qdq.qlinearMatmul(a, b,
          { m, k, n, aScale: 0.02, aZeroPoint: 120, bScale: 0.01, yScale: 0.5, yZeroPoint: 128 }));
        sameOnEveryCount('DynamicQuantizedLinear', () => layer.forward(x));
        sameOnEveryCount('DynamicQuantizedLinear with out', () => layer.forward(x, m, { out: into }).slice());
      }
      assert.ok(pool.copiedDuring > before, 'nothing was copied out during a region');
    } finally {
      packed.dispose();
      symmetric.dispose();
      layer.dispose();
    }
  });

  await t.test('should write a large x into wasm memory while the workers fold its min/max, with the same bytes and errors', () => {
    // An x of two input blocks and more is left for the pool to write during
    // the dynamic Linear's first region (QDQ_FLAG_INPUT_STREAMED,
    // Pool#parallelizeInput): a block folded before it was written would
    // show the poisoned heap or differ from 1 thread. Shapes: exactly two
    // blocks, two and a tail, several and a tail.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const r = rng(4242);
    const perBlock = INPUT_BLOCK_BYTES / 4;
    for (const [m, k] of [[64, 512], [67, 523], [9, 9000]]) {
      const { layer, x } = dynamicOperands(r, m, k, 37);
      try {
        const before = pool.streamedIn;
        // Poison of 0x7f7f7f7f (3.4e38, finite): one unwritten float read would set the range.
        const y = sameOnEveryCount(`DynamicQuantizedLinear ${m}x${k}`, () => layer.forward(x), 0x7f);
        assert.equal(pool.streamedIn - before, 3 * x.byteLength, `${m}x${k}: x was not streamed on 2-4 threads`);
        // The first non-finite element is reported wherever it falls: block edges, the tail.
        for (const at of [0, perBlock - 1, perBlock, 2 * perBlock + 1, x.length - 1].filter((i) => i < x.length)) {
          const bad = x.slice();
          bad[at] = at % 2 === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
          bad[Math.min(at + 5, x.length - 1)] = Number.NaN; // a later one must not win
          for (const threads of [1, 2, 4]) {
            setThreadLimit(threads, 0);
            try {
              assert.throws(() => layer.forward(bad), (e) => e instanceof RangeError && e.message.includes(`x[${at}] is`),
                `${m}x${k}, ${threads} threads, non-finite at ${at}`);
            } finally {
              setThreadLimit(Infinity);
            }
          }
        }
        assert.equal(pool.in, null, 'a call left its input armed');
        assert.ok(bytes(layer.forward(x)).equals(bytes(y)), 'not usable after the errors');
      } finally {
        layer.dispose();
      }
    }
  });

  await t.test('should let the workers finish a region the calling thread leaves with an error', () => {
    // An error on the calling thread inside a region (here from its copy of
    // a finished band, as a result array it cannot allocate would) propagates
    // only after the workers are out of the region and the operator has
    // returned, so the next call's region starts clean and gives the right bytes.
    const r = rng(1210);
    const [m, k, n] = [250, 200, 301];
    const { layer, x } = dynamicOperands(r, m, k, n);
    const finished = Object.getOwnPropertyDescriptor(Pool.prototype, 'finished');
    try {
      setThreadLimit(1);
      const one = layer.forward(x);
      setThreadLimit(2, 0);
      Object.defineProperty(Pool.prototype, 'finished', { configurable: true, value: () => { throw new Error('copy failed'); } });
      const rt = /** @type {any} */ (getRuntime());
      assert.throws(() => layer.forward(x), /copy failed/);
      const pool = rt.pool;
      assert.equal(Atomics.load(pool.c, CONTROL.pending), 0, 'a worker was still in the region when the error reached the caller');
      // The error waits until the operator has returned: its stack frame and workspaces are freed
      // (thrown through its frames, 440 such errors ran the stack pointer over static data).
      const sp = rt.exports.stackSave(), heap = rt.memory.buffer.byteLength;
      for (let i = 0; i < 300; i++) assert.throws(() => layer.forward(x), /copy failed/);
      assert.equal(rt.exports.stackSave(), sp, 'the stack pointer moved');
      assert.equal(rt.memory.buffer.byteLength, heap, 'failed calls grew wasm memory');
      assert.equal(pool.deferred, null);
      Object.defineProperty(Pool.prototype, 'finished', /** @type {PropertyDescriptor} */ (finished));
      for (let rep = 0; rep < 3; rep++) {
        poisonHeap();
        assert.ok(bytes(layer.forward(x)).equals(bytes(one)), `call ${rep} after the error differs from 1 thread`);
      }
    } finally {
      Object.defineProperty(Pool.prototype, 'finished', /** @type {PropertyDescriptor} */ (finished));
      setThreadLimit(Infinity);
      layer.dispose();
    }
  });

  await t.test('should give the same bytes when the widened weights are too large to share, and when they are kept', () => {
    // 2 n kpad = 8.5 MB of widened weights is over QDQ_GEMM_SHARED_WX_BYTES
    // (src/operators/gemm.c): each thread then widens the column blocks its
    // tasks need, instead of the staging region widening them all once.
    const r = rng(1208);
    const [m, k, n] = [21, 1030, 4100];
    const { a, b, zb, packed } = u8s8Operands(r, m, k, n);
    // Kept with the weights, a copy of any size is shared, and read in one band (gemm.c).
    const kept = qdq.PackedMatrix.pack(b, { k, n, zeroPoint: zb, keepWidened: true });
    try {
      const y = sameOnEveryCount(`${m}x${k}x${n}`, () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 3 }));
      assert.ok(bytes(y).equals(bytes(referenceGemm(m, n, k, a, 3, b, zb))), 'not the reference');
      const z = sameOnEveryCount(`${m}x${k}x${n} kept widened`, () => qdq.matmulInteger(a, kept, { m, aZeroPoint: 3 }));
      assert.ok(bytes(z).equals(bytes(y)), 'kept widened: not the same bytes');
    } finally {
      packed.dispose();
      kept.dispose();
    }
  });

  await t.test('should give the same bytes when the int16 activations are too large for a copy per thread', () => {
    // 524 x 1012 int16 (the rows rounded up to 4, k to 4) is over
    // QDQ_GEMM_PRIVATE_A16_BYTES (src/operators/gemm.c): the threads then read
    // one shared copy, which the staging tasks widen, instead of each widening
    // its own. m = 521 leaves one row to the single-row kernel.
    const r = rng(1231);
    const [m, k, n] = [521, 1010, 19];
    const { a, b, zb, packed } = u8s8Operands(r, m, k, n);
    try {
      const y = sameOnEveryCount(`${m}x${k}x${n}`, () => qdq.matmulInteger(a, packed, { m, aZeroPoint: 3 }));
      assert.ok(bytes(y).equals(bytes(referenceGemm(m, n, k, a, 3, b, zb))), 'not the reference');
    } finally {
      packed.dispose();
    }
  });

  await t.test('should serve calls in flight from several async callers', async () => {
    const r = rng(1204);
    const [m, k, n] = [9, 300, 77];
    const layers = [0, 1, 2].map(() => qdq.DynamicQuantizedLinear.fromFloat(
      Float32Array.from({ length: n * k }, () => r.float(2)), null, { inFeatures: k, outFeatures: n }));
    const xs = [0, 1, 2].map(() => Float32Array.from({ length: m * k }, () => r.float(3)));
    setThreadLimit(1, 0);
    const expected = layers.map((l, i) => l.forward(xs[i]));
    setThreadLimit(4, 0);
    try {
      const caller = async (/** @type {number} */ i) => {
        for (let rep = 0; rep < 20; rep++) {
          await new Promise((resolve) => setImmediate(resolve));
          assert.ok(bytes(layers[i].forward(xs[i])).equals(bytes(expected[i])), `caller ${i}, call ${rep}`);
        }
      };
      await Promise.all([caller(0), caller(1), caller(2), caller(0)]);
    } finally {
      setThreadLimit(Infinity);
      for (const l of layers) l.dispose();
    }
  });

  await t.test('should ignore a wake-up without a new region (a notify that arrives late)', () => {
    // The main thread bumps a worker's wake word, then notifies it; descheduled
    // in between, the worker may run the region and be waiting again when the
    // notify lands. It must not run the last task again: that decremented the
    // pending count below zero and hung the next region (seen under load).
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { Pool } from ${JSON.stringify(new URL('../../js/runtime/pool.js', import.meta.url).href)};
      import { CONTROL, WAKE } from ${JSON.stringify(new URL('../../js/runtime/pool-control.js', import.meta.url).href)};
      import { setThreadLimit, parallelRegions } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      let c = null;
      const run = Pool.prototype.region; // every region, a window's with its streamed input too
      Pool.prototype.region = function (...a) { c = this.c; return run.apply(this, a); };
      await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      setThreadLimit(2, 0);
      const x = Float32Array.from({ length: 3 * 65536 }, (_, i) => (i % 251) - 125);
      const first = qdq.quantizePerTensor(x, { scale: 1 }).data;
      for (let k = 0; k < 5; k++) {
        Atomics.notify(c, WAKE + 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const pending = Atomics.load(c, CONTROL.pending);
      const again = qdq.quantizePerTensor(x, { scale: 1 }).data;
      console.log(JSON.stringify({ regions: parallelRegions(), pending, same: Buffer.from(again).equals(Buffer.from(first)) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(child.signal, null, 'the child hung');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { regions: 2, pending: 0, same: true });
  });

  await t.test('should not wait for a worker that has not woken when every task is taken', () => {
    // A worker asleep when a region starts (its notify lost here; in life, a
    // wake-up of 25-45 µs, or a worker waiting for a CPU) must not hold up
    // the call: the calling thread runs every task, claims the worker's part
    // and returns. Waiting for it hung this call forever. The worker, woken by
    // the next region, must then take part in that one as before.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime, setThreadLimit, parallelRegions } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      import { CLAIM, CONTROL, WAKE } from ${JSON.stringify(new URL('../../js/runtime/pool-control.js', import.meta.url).href)};
      await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      const pool = getRuntime().pool;
      const c = pool.c;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the worker has stopped polling and sleeps
      const [m, k, n] = [64, 256, 264];
      const w = Int8Array.from({ length: n * k }, (_, i) => ((i * 37) % 255) - 127);
      const x = Float32Array.from({ length: m * k }, (_, i) => ((i * 13) % 101) / 17 - 3);
      const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: w, weightScales: new Float32Array(n).fill(0.01), inFeatures: k, outFeatures: n });
      // And a uint8 product with no weight zero point: split, its threads widen the input
      // straight into their own int16 copies (gemm.c widen_copy), a worker that never comes none.
      const a = Uint8Array.from({ length: m * k }, (_, i) => (i * 29) % 256);
      const packed = qdq.PackedMatrix.pack(w, { k, n, transposed: true });
      setThreadLimit(1);
      const one = Buffer.from(layer.forward(x).buffer);
      const oneU8 = Buffer.from(qdq.matmulInteger(a, packed, { m, aZeroPoint: 131 }).buffer);
      setThreadLimit(2, 0);
      const notify = Atomics.notify;
      Atomics.notify = () => 0;
      const regions = parallelRegions();
      const lost = Buffer.from(layer.forward(x).buffer);
      const lostU8 = Buffer.from(qdq.matmulInteger(a, packed, { m, aZeroPoint: 131 }).buffer);
      Atomics.notify = notify;
      const lostRegions = parallelRegions() - regions;
      // Every region of that call: the worker's part claimed by the calling thread.
      const claimed = Atomics.load(c, CLAIM + 1) === Atomics.load(c, WAKE + 1) && pool.claims === lostRegions;
      // Woken again, the worker takes part: in 50 calls, it cannot have been late for every region.
      const claims = pool.claims, later = parallelRegions();
      for (let i = 0; i < 50; i++) {
        if (!Buffer.from(layer.forward(x).buffer).equals(one)) throw new Error('a later call differs');
        if (!Buffer.from(qdq.matmulInteger(a, packed, { m, aZeroPoint: 131 }).buffer).equals(oneU8)) throw new Error('a later product differs');
      }
      console.log(JSON.stringify({ same: lost.equals(one) && lostU8.equals(oneU8), claimed, split: lostRegions > 0, workerTookPart: pool.claims - claims < parallelRegions() - later,
        pending: Atomics.load(c, CONTROL.pending) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(child.signal, null, 'the call waited for the worker that was never woken');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { same: true, claimed: true, split: true, workerTookPart: true, pending: 0 });
  });

  await t.test('should poll only briefly after a region, then sleep', () => {
    // Workers poll for the next region for SPIN_MICROS, then sleep: the CPU an
    // idle process uses a moment after a call is near zero. The same process
    // with a spin of 2 s must show the polling worker (so the measure can see it).
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime, setThreadLimit } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      import { SPIN_MICROS } from ${JSON.stringify(new URL('../../js/runtime/pool.js', import.meta.url).href)};
      await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      setThreadLimit(2, 0);
      const pool = getRuntime().pool;
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const idleCpuMs = async (spin) => {
        pool.spinMicros = spin;
        qdq.matmulInteger(new Uint8Array(64 * 256).fill(1), new Int8Array(256 * 512).fill(1), { m: 64, k: 256, n: 512 });
        await sleep(20);
        const before = process.cpuUsage();
        await sleep(300);
        const used = process.cpuUsage(before);
        return (used.user + used.system) / 1000;
      };
      const spinning = await idleCpuMs(2e6);
      pool.spinMicros = SPIN_MICROS;
      qdq.matmulInteger(new Uint8Array(64 * 256).fill(1), new Int8Array(256 * 512).fill(1), { m: 64, k: 256, n: 512 });
      await sleep(50); // the long spin above has seen the new region and ended
      const idle = await idleCpuMs(SPIN_MICROS);
      console.log(JSON.stringify({ spin: SPIN_MICROS, spinning, idle }));`;
    // 300 ms of a polling worker is ~300 ms of CPU; a little is the event loop
    // and timers. On a machine loaded by other processes the polling worker
    // can get far less (and the pool stops polling when it sees its workers
    // starved, Pool#pace), and then the control shows the measure is blind:
    // measure again in a new process rather than judge "idle" by a blind one.
    const attempts = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
      assert.equal(child.status, 0, child.stderr);
      const out = JSON.parse(child.stdout);
      assert.ok(out.spin > 0 && out.spin <= 1000, `SPIN_MICROS ${out.spin}`);
      attempts.push(out);
      if (out.spinning > 200) break;
    }
    const out = attempts[attempts.length - 1];
    assert.ok(out.spinning > 200, `a 2 s spin used only ${attempts.map((a) => a.spinning).join(', ')} ms of CPU in 300 ms in ${attempts.length} processes: the measure cannot see spinning`);
    assert.ok(out.idle < 40, `the idle pool used ${out.idle} ms of CPU in 300 ms`);
  });

  await t.test('should sleep at once, not poll, after a region in which the calling thread took no task', () => {
    // A worker that ran every task of a region ran while the calling thread
    // had no CPU (on a 2-vCPU VM: woken onto its core): polling then would
    // keep that core from it, so the worker sleeps at once (worker.js). Here
    // the calling thread is held back until the worker has taken every task
    // of each region of a call; the workers poll for 2 s after a region, so a
    // worker that polls shows as ~300 ms of CPU in 300 ms, and the same call
    // without the hold is the control that the measure can see polling.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime, setThreadLimit, parallelRegions } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      import { Pool } from ${JSON.stringify(new URL('../../js/runtime/pool.js', import.meta.url).href)};
      import { CONTROL } from ${JSON.stringify(new URL('../../js/runtime/pool-control.js', import.meta.url).href)};
      const info = await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      if (info.threads !== 2) {
        console.log(JSON.stringify({ info }));
        process.exit(0);
      }
      setThreadLimit(2, 0);
      const pool = getRuntime().pool;
      const c = pool.c;
      let holding = false, held = 0, timedOut = false;
      const region = Pool.prototype.region, pace = Pool.prototype.pace;
      Pool.prototype.region = function (...a) {
        this.holdNext = holding;
        return region.apply(this, a);
      };
      // The calling thread's tasks in each region of the held call (0: the worker ran them all,
      // whether the hold below waited or the worker had taken them all before it).
      let mine = [];
      Pool.prototype.pace = function (...a) {
        if (holding) mine.push(a[1]);
        return pace.apply(this, a);
      };
      const add = Atomics.add;
      Atomics.add = function (array, index, value) {
        if (pool.holdNext && array === c && index === CONTROL.next && Atomics.load(c, CONTROL.pending) > 0) {
          pool.holdNext = false;
          const until = performance.now() + 5000;
          while (Atomics.load(c, CONTROL.next) < Atomics.load(c, CONTROL.tasks)) {
            if (performance.now() > until) { timedOut = true; break; }
          }
          held++;
        }
        return add.call(Atomics, array, index, value);
      };
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      // 128 x 512 x 512: ~32 GEMM tasks, over the 16 a worker must run alone (worker.js YIELD_MIN_TASKS).
      const [m, k, n] = [128, 512, 512];
      const a = new Uint8Array(m * k).map((_, i) => i * 7), b = new Int8Array(k * n).map((_, i) => i * 5);
      const expected = Buffer.from(qdq.matmulInteger(a, b, { m, k, n }).buffer);
      const cpuMs = async (hold) => {
        holding = hold;
        const y = qdq.matmulInteger(a, b, { m, k, n });
        holding = false;
        if (!Buffer.from(y.buffer).equals(expected)) throw new Error('the result changed');
        await sleep(20);
        const before = process.cpuUsage();
        await sleep(300);
        const used = process.cpuUsage(before);
        return (used.user + used.system) / 1000;
      };
      pool.spinMicros = 2e6;
      const regions = parallelRegions();
      const polling = await cpuMs(false);
      await sleep(2100); // that poll has ended
      const claims = pool.claims;
      const yielded = await cpuMs(true);
      console.log(JSON.stringify({ info, polling, yielded, held, timedOut, mine, workerRanAll: pool.claims === claims && mine.length > 0 && mine.every((t) => t === 0),
        split: parallelRegions() > regions }));`;
    // As in the test above: a loaded machine can starve the polling worker,
    // which blinds the control; measure again in a new process then (and
    // when a child's pool did not start, which other tests cover).
    const attempts = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
      assert.equal(child.status, 0, child.stderr);
      const out = JSON.parse(child.stdout);
      attempts.push(out);
      if (out.info.threads !== 2) continue;
      assert.equal(out.timedOut, false, 'the worker never took the held regions');
      assert.equal(out.split, true, `no region was split: ${child.stdout}`);
      assert.equal(out.workerRanAll, true, child.stdout);
      // The control can miss its poll too: a calling thread descheduled under load during
      // the control's last region lets the worker run it alone, and then it rightly sleeps.
      if (out.polling > 200) break;
    }
    assert.ok(attempts.some((a) => a.info.threads === 2), `the pool did not start in ${attempts.length} processes: ${JSON.stringify(attempts.map((a) => a.info))}`);
    const out = attempts.filter((a) => a.info.threads === 2).at(-1);
    assert.ok(out.polling > 200, `the polling worker used only ${attempts.map((a) => a.polling).join(', ')} ms of CPU in 300 ms in ${attempts.length} processes: the measure cannot see polling`);
    assert.ok(out.yielded < 40, `after a region it ran alone, the worker used ${out.yielded} ms of CPU in 300 ms: it polled`);
  });

  await t.test('should let a worker waiting for a streamed input block sleep, not spin', () => {
    // The dynamic Linear's first region folds min/max over x block by block
    // while the calling thread writes the blocks. Here the calling thread is
    // held (busy, 300 ms) before it writes block 1, so the worker that took
    // task 1 waits for it. Sleeping, it adds next to nothing to the process's
    // CPU time over the call (~300 ms, the hold); spinning, it doubled it.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime, setThreadLimit } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      import { INPUT_BLOCK_BYTES } from ${JSON.stringify(new URL('../../js/runtime/abi.js', import.meta.url).href)};
      await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      setThreadLimit(2, 0);
      const [m, k, n] = [48, 1024, 64]; // x: 192 KiB, 3 blocks
      const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i));
      const x = Float32Array.from({ length: m * k }, (_, i) => Math.cos(i) * 3);
      const layer = qdq.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: k, outFeatures: n });
      setThreadLimit(1);
      const one = Buffer.from(layer.forward(x).buffer);
      setThreadLimit(2, 0);
      layer.forward(x); // the workers poll now
      const set = Uint8Array.prototype.set;
      let blocks = -1;
      Uint8Array.prototype.set = function (src, offset) {
        if (blocks >= 0 && this.buffer instanceof SharedArrayBuffer && src.length === INPUT_BLOCK_BYTES && ++blocks === 2) {
          const until = performance.now() + 300;
          while (performance.now() < until);
        }
        return set.call(this, src, offset);
      };
      const streamed = getRuntime().pool.streamedIn;
      blocks = 0;
      const before = process.cpuUsage();
      const y = Buffer.from(layer.forward(x).buffer);
      const used = process.cpuUsage(before);
      const held = blocks;
      blocks = -1;
      console.log(JSON.stringify({ same: y.equals(one), held, streamed: getRuntime().pool.streamedIn - streamed,
        cpuMs: (used.user + used.system) / 1000 }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout);
    assert.equal(out.same, true);
    assert.equal(out.streamed, 48 * 1024 * 4, 'x was not streamed during the region');
    assert.ok(out.held >= 3, `the blocks were not written through the hook (${out.held})`);
    // The hold alone is ~300 ms of CPU; a worker spinning through it adds ~300 more.
    assert.ok(out.cpuMs < 450, `the call used ${out.cpuMs} ms of CPU for a 300 ms hold: the waiting worker spun`);
  });

  await t.test('should stop polling while the workers wait for a CPU, and start again', async () => {
    // The policy alone, on a pool of its own (no workers): Pool#pace sees
    // regions end with this thread's share of the tasks. Two regions in a row
    // that began with the workers polling, in which they took under half
    // their share, mean they were waiting for a CPU: nobody polls for
    // QUIET_MS. A starved region the workers did not poll into, a region with
    // few tasks, or one alone, says nothing.
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const pool = /** @type {any} */ (new Pool({ exports: {}, memory }, 0));
    const word = new Int32Array(memory.buffer, 0, CONTROL.words);
    assert.equal(word[CONTROL.spin], SPIN_MICROS);
    pool.pace(32, 30, 1, false); // starved, but not polled into
    pool.pace(32, 30, 1, false);
    pool.pace(8, 8, 1, true); // polled and starved, too few tasks
    pool.pace(8, 8, 1, true);
    assert.equal(pool.quietSpells, 0);
    pool.pace(32, 25, 1, true); // starved (7 of 32 < 8)
    pool.pace(32, 24, 1, true); // fair (8 of 32)
    pool.pace(32, 25, 1, true);
    assert.equal(pool.quietSpells, 0);
    assert.equal(word[CONTROL.spin], SPIN_MICROS);
    pool.pace(32, 32, 1, true);
    assert.equal(pool.quietSpells, 1);
    assert.equal(word[CONTROL.spin], 0);
    pool.pace(96, 40, 2, true); // three threads: the workers' 56 of 96 is their fair share
    assert.equal(word[CONTROL.spin], 0, 'still quiet');
    await new Promise((resolve) => setTimeout(resolve, 150));
    pool.pace(96, 40, 2, true);
    assert.equal(word[CONTROL.spin], SPIN_MICROS, 'polling again after the quiet spell');
    assert.equal(pool.quietSpells, 1);
  });

  await t.test('should report a pool that fails to start and run on one thread', () => {
    // A child process: init() is once per process.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      const info = await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 3, workerUrl: new URL('file:///nonexistent/worker.js') });
      const y = qdq.matmulInteger(Uint8Array.of(1, 2, 3, 4), Int8Array.of(5, 6, 7, 8), { m: 2, k: 2, n: 2 });
      console.log(JSON.stringify({ info, threads: qdq.threads(), y: Array.from(y) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout);
    assert.equal(out.threads, 1);
    assert.equal(out.info.threads, 1);
    assert.match(out.info.threadsNote, /^qdq-wasm: the thread pool did not start \(.*\); running on one thread$/);
    assert.deepEqual(out.y, [1 * 5 + 2 * 7, 1 * 6 + 2 * 8, 3 * 5 + 4 * 7, 3 * 6 + 4 * 8]);
  });

  await t.test('should stop the pool when a worker dies after it started, and run on one thread', () => {
    // Both workers die in their second sleep: after the first calls, split however small, once they have
    // polled for SPIN_MICROS. The calls after that run before the event loop hears of it: they must not
    // wait for a dead worker (the calling thread claims its part). Then the pool stops, and init() says why.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { setThreadLimit } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      const workerUrl = new URL(${JSON.stringify(new URL('../helpers/dying-worker.js', import.meta.url).href)});
      const first = await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 3, workerUrl });
      const a = Uint8Array.from({ length: 13 * 40 }, (_, i) => (i * 7) % 256);
      const b = Int8Array.from({ length: 40 * 29 }, (_, i) => ((i * 5) % 256) - 128);
      const run = () => Array.from(qdq.matmulInteger(a, b, { m: 13, k: 40, n: 29, aZeroPoint: 3 }));
      setThreadLimit(3, 0);
      const early = new Set(); // the distinct results, as JSON: the output stays small
      let calls = 0;
      for (const until = performance.now() + 20; performance.now() < until; calls++) early.add(JSON.stringify(run()));
      for (const until = performance.now() + 10; performance.now() < until;); // the workers poll, sleep and die
      for (const until = performance.now() + 20; performance.now() < until; calls++) early.add(JSON.stringify(run()));
      for (let i = 0; i < 200 && qdq.threads() > 1; i++) await new Promise((r) => setTimeout(r, 10));
      const later = await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 3, workerUrl });
      console.log(JSON.stringify({ first, later, threads: qdq.threads(), calls, early: [...early].map((e) => JSON.parse(e)), y: run() }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
    assert.equal(child.signal, null, 'the child was killed by the timeout: a region waited for a dead worker');
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout);
    assert.equal(out.first.threads, 3);
    assert.equal(out.threads, 1);
    assert.equal(out.later.threads, 1);
    assert.equal(out.later.threadsNote, 'qdq-wasm: a pool worker stopped (simulated death of a pool worker); running on one thread');
    const m = 13, k = 40, n = 29;
    const want = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (((i * k + p) * 7) % 256 - 3) * ((((p * n + j) * 5) % 256) - 128);
        want.push(s);
      }
    }
    assert.ok(out.calls > 0);
    assert.deepEqual(out.early, [want]);
    assert.deepEqual(out.y, want);
  });

  await t.test('should run on one thread when shared memory cannot be allocated, and say why', () => {
    // A browser may refuse shared memory of the -mt builds' 2 GiB maximum (mobile Safari has); emulated
    // in a child process by a WebAssembly.Memory that throws for shared: true, as V8 does when it cannot
    // reserve the memory.
    const script = `
      const Memory = WebAssembly.Memory;
      WebAssembly.Memory = function (d) {
        if (d && d.shared) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        return new Memory(d);
      };
      const qdq = await import(${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)});
      const info = await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      const y = qdq.matmulInteger(Uint8Array.of(1, 2, 3, 4), Int8Array.of(5, 6, 7, 8), { m: 2, k: 2, n: 2 });
      console.log(JSON.stringify({ info, threads: qdq.threads(), y: Array.from(y) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      info: { build: BUILD, threads: 1, threadsNote: 'qdq-wasm: shared memory could not be allocated (WebAssembly.Memory(): could not allocate memory); running on one thread' },
      threads: 1, y: [1 * 5 + 2 * 7, 1 * 6 + 2 * 8, 3 * 5 + 4 * 7, 3 * 6 + 4 * 8],
    });
  });

  await t.test('should let a Node process exit with an idle pool, and after shutdownThreads()', () => {
    for (const shutdown of [false, true]) {
      const script = `
        import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
        await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
        const y = qdq.matmulInteger(new Uint8Array(64 * 256).fill(1), new Int8Array(256 * 512).fill(1), { m: 64, k: 256, n: 512 });
        ${shutdown ? 'qdq.shutdownThreads();' : ''}
        console.log(qdq.threads(), y[0], y[y.length - 1]);`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
      assert.equal(child.signal, null, 'the process was killed by the timeout: the pool kept it alive');
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), `${shutdown ? 1 : 2} 256 256`);
    }
  });

  await t.test('should load the single-threaded build for numThreads 1 and run a given build as it is', async () => {
    // Fresh copies of the loader (a distinct URL is a distinct module): separate states.
    let copy = 0;
    const fresh = () => import(`../../js/runtime/loader.js?threads=${++copy}`);
    const one = await fresh();
    // A bare loader has no entry point to say where the builds are: as js/index.js does.
    one.setWasmSource((b) => new URL(`../../dist/qdq-${b}.wasm`, import.meta.url));
    assert.deepEqual(await one.init({ build: BUILD, numThreads: 1 }), { build: BUILD, threads: 1, threadsNote: null });
    assert.ok(!(one.getRuntime().memory.buffer instanceof SharedArrayBuffer), 'numThreads 1 loaded a shared-memory build');

    const plain = await fresh();
    const single = readFileSync(new URL(`../../dist/qdq-${BUILD}.wasm`, import.meta.url));
    const r = await plain.init({ build: BUILD, numThreads: 2, wasm: single });
    assert.equal(r.threads, 1);
    assert.match(r.threadsNote, /^qdq-wasm: the module passed as `wasm` is not a shared-memory build/);

    const mt = await fresh();
    const shared = readFileSync(new URL(`../../dist/qdq-${BUILD}-mt.wasm`, import.meta.url));
    assert.deepEqual(await mt.init({ build: BUILD, numThreads: 2, wasm: shared }), { build: BUILD, threads: 2, threadsNote: null });
    assert.ok(mt.getRuntime().memory.buffer instanceof SharedArrayBuffer);
    mt.shutdownThreads();
    mt.shutdownThreads(); // idempotent
    assert.equal(mt.threads(), 1);
  });

  await t.test('should say what a later init() and shutdownThreads() do to the pool, and free the workers\' stacks', () => {
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      const out = [];
      out.push(await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 3 }));
      out.push(await qdq.init({ numThreads: 4 }));
      out.push(await qdq.init({ numThreads: 3 }));
      const rt = getRuntime();
      const stacks = [...rt.pool.stacks];
      qdq.shutdownThreads();
      await new Promise((resolve) => setTimeout(resolve, 200));
      out.push(await qdq.init({ numThreads: 3 }));
      // Freed: the heap hands the stacks' blocks out again.
      const again = [rt.malloc(128 * 1024, 'probe'), rt.malloc(128 * 1024, 'probe')];
      console.log(JSON.stringify({ out, stacks: stacks.length, reused: again.filter((p) => stacks.includes(p)).length }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(child.status, 0, child.stderr);
    const { out, stacks, reused } = JSON.parse(child.stdout);
    assert.deepEqual(out.slice(0, 3).map((r) => r.threads), [3, 3, 3]);
    assert.equal(out[0].threadsNote, null);
    assert.equal(out[1].threadsNote, 'qdq-wasm: already initialized with 3 threads; numThreads 4 in a later init() does not change that');
    assert.equal(out[2].threadsNote, null);
    assert.equal(out[3].threads, 1);
    assert.equal(out[3].threadsNote, 'qdq-wasm: already initialized with 1 thread (shutdownThreads() ended the pool, which does not restart); ' +
      'numThreads 3 in a later init() does not change that');
    assert.equal(stacks, 2);
    assert.equal(reused, 2, 'the workers\' stacks were not freed');
  });

  await t.test('should end a pool that shutdownThreads() asked to end while init() loaded', () => {
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      const loading = qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 });
      qdq.shutdownThreads();
      const r = await loading;
      const y = qdq.quantizePerTensor(Float32Array.of(1, -1), { scale: 0.5 }).data;
      console.log(JSON.stringify({ r, threads: qdq.threads(), y: [...y] }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(child.signal, null, 'the child hung');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      r: { build: BUILD, threads: 1, threadsNote: 'qdq-wasm: shutdownThreads() was called while init() was loading; running on one thread' },
      threads: 1, y: [2, -2],
    });
  });

  await t.test('should run on one thread when the shared-memory build is missing, and take workerUrl as a string or URL', () => {
    const script = `
      import * as loader from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      const dist = ${JSON.stringify(new URL('../../dist/', import.meta.url).href)};
      loader.setWasmSource((b) => new URL(b.endsWith('-mt') ? 'missing-' + b + '.wasm' : 'qdq-' + b + '.wasm', dist));
      const lines = [];
      try { await loader.init({ numThreads: 2, workerUrl: 42 }); } catch (e) { lines.push(e.name + ': ' + e.message); }
      lines.push(await loader.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 }));
      console.log(JSON.stringify(lines));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(child.status, 0, child.stderr);
    const [error, r] = JSON.parse(child.stdout);
    assert.equal(error, 'TypeError: qdq-wasm: workerUrl must be a string or a URL, got 42');
    assert.equal(r.threads, 1);
    assert.match(r.threadsNote, /^qdq-wasm: the shared-memory build did not load \(cannot read .*missing-.*-mt\.wasm: ENOENT.*\); running on one thread$/);
    // A file: URL given as a string (what import.meta.resolve returns) starts the workers in Node.
    const worker = new URL('../../js/runtime/worker.js', import.meta.url).href;
    const started = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      console.log(JSON.stringify(await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2, workerUrl: ${JSON.stringify(worker)} })));`],
    { encoding: 'utf8', timeout: 30000 });
    assert.equal(started.status, 0, started.stderr);
    assert.deepEqual(JSON.parse(started.stdout), { build: BUILD, threads: 2, threadsNote: null });
  });

  await t.test('should refuse a bad numThreads', async () => {
    // init() is idempotent once it has succeeded, so the check runs in a child.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      for (const n of [0, 1.5, -2, 'four']) {
        try { await qdq.init({ numThreads: n }); console.log('accepted', n); } catch (e) { console.log(e.name + ': ' + e.message); }
      }`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    const lines = child.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    for (const line of lines.slice(0, 3)) assert.match(line, /^RangeError: qdq-wasm: numThreads must be an integer >= 1, got /);
    // Not a number at all: a TypeError showing the value as given.
    assert.equal(lines[3], 'TypeError: qdq-wasm: numThreads must be a number, got "four"');
  });
});
