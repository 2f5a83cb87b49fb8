// The streaming operators on threads (issue 12, docs/threads.md T5):
// quantize, dequantize, fake-quantize, min/max and error statistics give the
// same bytes on 1, 2, 3 and 4 threads, per tensor and per channel, with odd
// tails and seams at blocks and staging chunks, and the same bytes as the
// single-threaded build; reductions report the first NaN wherever it falls;
// small calls stay on the calling thread; async callers interleave safely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as qdq from '../../js/index.js';
import { getRuntime, parallelRegions, setThreadLimit } from '../../js/runtime/loader.js';
import { run } from '../helpers/elementwise-workload.js';
import { SPIN_MICROS } from '../../js/runtime/pool.js';

const BUILD = /** @type {'simd128' | 'relaxed'} */ (process.env.QDQ_BUILD ?? 'simd128');
const info = await qdq.init({ build: BUILD, numThreads: 4 });
const CHUNK = getRuntime().chunk;
const BLOCK = 65536;

/** @param {Record<string, Uint8Array>} r @returns {Record<string, string>} */
const digests = (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));

/** fn on t threads, every call split however small (minWork 0). @template T @param {number} t @param {() => T} fn @returns {T} */
function onThreads(t, fn) {
  setThreadLimit(t, 0);
  try {
    return fn();
  } finally {
    setThreadLimit(Infinity);
  }
}

test('threaded streaming operators', async (t) => {
  await t.test('should run the shared-memory build on 4 threads with chunks of whole blocks', () => {
    assert.deepEqual(info, { build: BUILD, threads: 4, threadsNote: null });
    assert.ok(getRuntime().memory.buffer instanceof SharedArrayBuffer);
    assert.equal(CHUNK % BLOCK, 0);
    assert.ok(CHUNK >= 4 * BLOCK, `a staging chunk of ${CHUNK} elements cannot feed 4 threads`);
  });

  /** @type {Record<string, Uint8Array>} */
  let one = {};
  await t.test('should give identical bytes on 1, 2, 3 and 4 threads, splitting every call', () => {
    one = onThreads(1, () => run(qdq, CHUNK));
    const pool = /** @type {any} */ (getRuntime()).pool;
    for (const threads of [2, 3, 4]) {
      const before = parallelRegions(), streamed = pool.streamedIn;
      const r = onThreads(threads, () => run(qdq, CHUNK));
      assert.ok(parallelRegions() > before, `${threads} threads: no call was split`);
      // quantize, dequantize and fake-quantize go in windows whose input the region streams (T5)
      assert.ok(pool.streamedIn > streamed, `${threads} threads: no window was streamed`);
      assert.deepEqual(Object.keys(r), Object.keys(one));
      for (const [key, bytes] of Object.entries(r)) {
        const i = bytes.findIndex((b, j) => b !== one[key][j]);
        assert.equal(i, -1, `${key}: ${threads} threads differ from 1 at byte ${i}`);
      }
    }
  });

  await t.test('should give the bytes of the single-threaded build', () => {
    // A child process: init() is once per process. It streams 64 Ki chunks,
    // one block per call; this process streams CHUNK-element ones.
    const script = `
      import * as qdq from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
      import { getRuntime } from ${JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href)};
      import { run } from ${JSON.stringify(new URL('../helpers/elementwise-workload.js', import.meta.url).href)};
      import { createHash } from 'node:crypto';
      await qdq.init({ build: ${JSON.stringify(BUILD)}, numThreads: 1 });
      const r = run(qdq, ${CHUNK});
      const d = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
      console.log(JSON.stringify({ chunk: getRuntime().chunk, shared: getRuntime().memory.buffer instanceof SharedArrayBuffer, d }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 24 });
    assert.equal(child.status, 0, child.stderr);
    const st = JSON.parse(child.stdout);
    assert.equal(st.shared, false);
    assert.equal(st.chunk, BLOCK);
    assert.deepEqual(st.d, digests(one));
  });

  await t.test('should name the first NaN wherever the split puts it', () => {
    // Per tensor the NaN is in the last block, a later task's; per channel in
    // a later task's channel, after a NaN-free prefix of an earlier one's.
    const n = 5 * BLOCK + 3;
    for (const [at, shape, axis] of [[4 * BLOCK + 11, null, 0], [3 * BLOCK - 2, [n], 0], [n - 1, [1, n], 1], [2 * BLOCK + 1, [n], 0]]) {
      const x = new Float32Array(n).fill(1);
      x[at] = NaN;
      if (shape !== null && shape.length === 2) x[at - 7] = NaN; // the channel of at - 7 comes first in the tensor
      const first = x.findIndex(Number.isNaN);
      for (const threads of [1, 2, 3, 4]) {
        const observe = () => (shape === null ? new qdq.MinMaxObserver().observe(x) : new qdq.PerChannelMinMaxObserver({ axis }).observe(x, shape));
        assert.throws(() => onThreads(threads, observe), { name: 'RangeError', message: `qdq-wasm: x[${first}] is NaN; observers need finite values` },
          `${threads} threads, NaN at ${first}`);
      }
    }
  });

  await t.test('should keep light and small calls on the calling thread and split heavy large ones', async () => {
    // The default threshold (MIN_WORK_PER_THREAD_STREAMING, js/runtime/pool.js): a staging chunk
    // of quantize (14 units an element, 3.5 Mi) stays on the calling thread, as does one block of
    // error statistics (75 units, 4.7 Mi); a chunk of per-channel error statistics (18.75 Mi)
    // splits. Per tensor, a chunk after a pause stays on the calling thread: it is below the
    // windows' threshold while the workers sleep (87 units an element with its copies: 22 Mi, under
    // 2 threads' 128 Mi), and a call that windows would not split does not split its chunks.
    const x = Float32Array.from({ length: CHUNK }, (_, i) => (i % 255) - 127);
    const xHat = x.map((v, i) => v + ((i % 7) - 3) / 8);
    const shape = [CHUNK / 4, 4]; // channels innermost (axis 1 below): runs of one element, no windows
    let before = parallelRegions();
    const q = qdq.quantizePerTensor(x, { scale: 1 });
    assert.equal(parallelRegions(), before, 'a chunk of quantize was split');
    assert.deepEqual(Array.from(q.data.subarray(255, 258)), [-127, -126, -125]);
    before = parallelRegions();
    const small = qdq.errorStats(x.subarray(0, BLOCK), xHat.subarray(0, BLOCK));
    assert.equal(parallelRegions(), before, 'one block of error statistics was split');
    before = parallelRegions();
    const large = qdq.errorStats(x, xHat, { shape, axis: 1 });
    assert.ok(parallelRegions() > before, `${CHUNK} elements of per-channel error statistics were not split with the default threshold`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the workers' poll
    before = parallelRegions();
    const alone = qdq.errorStats(x, xHat);
    assert.equal(parallelRegions(), before, `a lone call of ${CHUNK} elements of per-tensor error statistics was split`);
    setThreadLimit(1);
    try {
      assert.deepEqual(qdq.errorStats(x, xHat, { shape, axis: 1 }), large);
      assert.deepEqual(qdq.errorStats(x, xHat), alone);
      assert.deepEqual(qdq.errorStats(x.subarray(0, BLOCK), xHat.subarray(0, BLOCK)), small);
    } finally {
      setThreadLimit(Infinity);
    }
  });

  await t.test('should split a large elementwise call in windows by default, even alone, and not a smaller one', async () => {
    // Pool#splitsStream: alone (the workers asleep) from MIN_WORK_PER_THREAD_WINDOWED_ASLEEP per
    // thread, copies included (js/ops/quantize.js WORK): 4 Mi elements of quantize (21.5 units an
    // element: 86 Mi, past 2 threads' worth, 64 Mi) splits, 1 Mi (21.5 Mi) does not.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const n = 4 << 20;
    const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2001) / 100 - 10);
    const alone = () => new Promise((resolve) => setTimeout(resolve, 20)); // past the workers' poll
    await alone();
    let before = parallelRegions(), streamed = pool.streamedIn;
    const small = qdq.quantizePerTensor(x.subarray(0, 1 << 20), { scale: 0.05 }).data;
    assert.equal(parallelRegions(), before, 'a lone call of 1 Mi elements of quantize was split');
    assert.equal(pool.streamedIn, streamed);
    await alone();
    before = parallelRegions();
    const large = qdq.quantizePerTensor(x, { scale: 0.05 }).data;
    assert.ok(parallelRegions() > before, 'a lone call of 4 Mi elements of quantize was not split');
    assert.equal(pool.streamedIn - streamed, 4 * n, 'every window of the large call streams its float input');
    const expected = onThreads(1, () => qdq.quantizePerTensor(x, { scale: 0.05 }).data);
    assert.equal(large.findIndex((v, i) => v !== expected[i]), -1);
    assert.deepEqual(small, expected.subarray(0, 1 << 20));
    assert.deepEqual(Array.from(large.subarray(0, 3)), [-128, 127, 127]); // -10, 9.16, 8.31 at 0.05
  });

  await t.test('should fold min/max in windows, across their seams, as one thread does', async () => {
    // qdq_minmax_streamed (src/operators/statistics.c): every window's input streamed in, each 64 Ki
    // block reduced once all of it has arrived. 2.5 Mi + 5 elements: windows of 1 Mi, a short third.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const n = (5 << 19) + 5;
    const base = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3);
    const cases = [
      ['extremes in the second window', (/** @type {Float32Array} */ x) => { x[(1 << 20) + 3] = -7.5; x[(2 << 20) - 1] = 8.25; }],
      ['extremes in the short last window', (/** @type {Float32Array} */ x) => { x[n - 1] = 9; x[(2 << 20) + 2] = -9.5; }],
      // Zero extremes: the fold keeps the first zero of a tie; the observer then gives torch's sign (Z1).
      ['all zeros, a -0 at a seam', (/** @type {Float32Array} */ x) => { x.fill(0); x[1 << 20] = -0; }],
    ];
    for (const [what, edit] of cases) {
      const x = base.slice();
      /** @type {(x: Float32Array) => void} */ (edit)(x);
      const observe = () => {
        const o = new qdq.MinMaxObserver();
        o.observe(x);
        return [o.minVal, o.maxVal];
      };
      const expected = onThreads(1, observe);
      for (const threads of [2, 3, 4]) {
        const streamed = pool.streamedIn;
        const got = onThreads(threads, observe);
        assert.equal(pool.streamedIn - streamed, 4 * n, `${what}, ${threads} threads: not every window was streamed`);
        assert.ok(Object.is(got[0], expected[0]) && Object.is(got[1], expected[1]), `${what}, ${threads} threads: ${got} against ${expected}`);
      }
    }
    // Per channel, with runs of 1 Ki elements or more (every run's range kept, then folded into its
    // channel in order): channels across both seams, and of 1281 elements; shorter runs keep the chunks.
    const m = 2047 * 1281;
    const xc = Float32Array.from({ length: m }, (_, i) => (i % 4099 === 0 ? (i & 1 ? -0 : 0) : Math.cos(i * 0.11) * (1 + (i % 5))));
    for (const [shape, axis, windows] of [[[3, 874069], 0, true], [[2047, 1281], 0, true], [[1281, 2047], 1, false]]) {
      const observe = () => {
        const o = new qdq.PerChannelMinMaxObserver({ axis: /** @type {number} */ (axis) });
        o.observe(xc, /** @type {number[]} */ (shape));
        return [o.minVal, o.maxVal];
      };
      const expected = onThreads(1, observe);
      for (const threads of [2, 4]) {
        const streamed = pool.streamedIn;
        const got = onThreads(threads, observe);
        assert.equal(pool.streamedIn - streamed, windows ? 4 * m : 0, `[${shape}] axis ${axis}, ${threads} threads: windows`);
        for (let k = 0; k < 2; k++) {
          assert.ok(Buffer.from(got[k].buffer).equals(Buffer.from(expected[k].buffer)), `[${shape}] axis ${axis}, ${threads} threads: ${k ? 'max' : 'min'}`);
        }
      }
      const bad = xc.slice();
      bad[m - 1281 - 5] = NaN;
      assert.throws(() => onThreads(2, () => new qdq.PerChannelMinMaxObserver({ axis: /** @type {number} */ (axis) }).observe(bad, /** @type {number[]} */ (shape))),
        { name: 'RangeError', message: `qdq-wasm: x[${m - 1281 - 5}] is NaN; observers need finite values` });
    }
    // The first NaN, in the second and in the last window, after a NaN-free start.
    for (const at of [(1 << 20) + 65536 * 3 + 17, n - 2]) {
      const x = base.slice();
      x[at] = NaN;
      x[at + 1] = Infinity;
      for (const threads of [1, 2, 4]) {
        assert.throws(() => onThreads(threads, () => new qdq.MinMaxObserver().observe(x)),
          { name: 'RangeError', message: `qdq-wasm: x[${at}] is NaN; observers need finite values` }, `${threads} threads, NaN at ${at}`);
      }
    }
    // The default: split only while the workers poll (after a region), never alone.
    const x = base.slice(0, 2 << 20);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the workers' poll
    let before = parallelRegions();
    new qdq.MinMaxObserver().observe(x);
    assert.equal(parallelRegions(), before, 'a lone call of 2 Mi elements of min/max was split');
    // Right after a split call the workers poll for SPIN_MICROS, unless the pool is quiet (earlier
    // windows in which a descheduled worker took no task: Pool#pace), which the setter ends. A
    // loaded machine can delay this thread past half of the poll between the two calls, so the
    // pair gets a few tries. The call before is a small GEMM: two tasks, too few to count for pace.
    let split = false;
    const a = new Uint8Array(16 * 64).fill(3), b = new Int8Array(64 * 64).fill(-2);
    for (let i = 0; i < 10 && !split; i++) {
      pool.spinMicros = SPIN_MICROS;
      onThreads(2, () => qdq.matmulInteger(a, b, { m: 16, k: 64, n: 64 }));
      before = parallelRegions();
      new qdq.MinMaxObserver().observe(x);
      split = parallelRegions() > before;
    }
    assert.ok(split, 'a call of 2 Mi elements of min/max right after a split call was not split');
  });

  await t.test('should sum error statistics in windows of both inputs, as one thread does', () => {
    // qdq_error_stats_streamed: x and xHat streamed in together, block by block; each 64 Ki block
    // summed from zero once all of it has arrived, then folded in block order (double sums, so any
    // other order would change the last bits). 2.5 Mi + 5 elements: windows of 1 Mi, a short third.
    const pool = /** @type {any} */ (getRuntime()).pool;
    const n = (5 << 19) + 5;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 1009) * 1e-3);
    const xHat = Float32Array.from(x, (v, i) => Math.fround(v + ((i * 7919) % 13 - 6) / 1024));
    const withNaN = xHat.slice();
    withNaN[(2 << 20) + 9] = NaN; // in the short last window: mse and the max become NaN
    const cases = [['x, xHat', x, xHat], ['the same array twice', x, x], ['a NaN in the last window', x, withNaN]];
    for (const [what, a, b] of cases) {
      const stats = () => qdq.errorStats(/** @type {Float32Array} */ (a), /** @type {Float32Array} */ (b));
      const expected = onThreads(1, stats);
      for (const threads of [2, 3, 4]) {
        const streamed = pool.streamedIn;
        const got = onThreads(threads, stats);
        assert.equal(pool.streamedIn - streamed, 2 * 4 * n, `${what}, ${threads} threads: not every window of both inputs was streamed`);
        for (const key of /** @type {const} */ (['mse', 'maxAbsError', 'sqnr'])) {
          assert.ok(Object.is(got[key], expected[key]), `${what}, ${threads} threads: ${key} ${got[key]} against ${expected[key]}`);
        }
      }
    }
    assert.ok(Number.isNaN(onThreads(2, () => qdq.errorStats(x, withNaN)).mse));
    assert.equal(onThreads(2, () => qdq.errorStats(x, x)).mse, 0);
    // Per channel, with runs of 1 Ki elements or more: every run's sums kept, then folded per
    // channel in order. Channels of 2.5 Mi / 3 (across both seams) and of 1280 (over 2 Ki runs a
    // window). Shorter runs keep the staging chunks.
    const m = 2047 * 1281; // = 3 * 874069
    const xc = Float32Array.from({ length: m }, (_, i) => Math.cos(i * 0.11) * (1 + (i % 5)));
    const xcHat = Float32Array.from(xc, (v, i) => Math.fround(v + ((i * 31) % 17 - 8) / 512));
    for (const [shape, axis, windows] of [[[3, 874069], 0, true], [[2047, 1281], 0, true], [[1281, 2047], 1, false]]) {
      const stats = () => qdq.errorStats(xc, xcHat, { shape: /** @type {number[]} */ (shape), axis: /** @type {number} */ (axis) });
      const expected = onThreads(1, stats);
      for (const threads of [2, 4]) {
        const streamed = pool.streamedIn;
        const got = onThreads(threads, stats);
        assert.equal(pool.streamedIn - streamed, windows ? 2 * 4 * m : 0, `[${shape}] axis ${axis}, ${threads} threads: windows`);
        for (const key of /** @type {const} */ (['mse', 'maxAbsError', 'sqnr'])) {
          assert.ok(Object.is(got[key], expected[key]), `[${shape}] axis ${axis}, ${threads} threads: ${key}`);
          const c = /** @type {NonNullable<typeof got.channels>} */ (got.channels)[key];
          const e = /** @type {NonNullable<typeof got.channels>} */ (expected.channels)[key];
          assert.ok(Buffer.from(c.buffer).equals(Buffer.from(e.buffer)), `[${shape}] axis ${axis}, ${threads} threads: channels' ${key}`);
        }
      }
    }
  });

  await t.test('should serve calls in flight from several async callers', async () => {
    const xs = [0, 1, 2].map((k) => Float32Array.from({ length: 3 * BLOCK + 5 + k }, (_, i) => Math.sin(i * (k + 1)) * 9));
    const expected = xs.map((x) => onThreads(1, () => [qdq.quantizePerTensor(x, { scale: 0.1 }).data, qdq.errorStats(x, qdq.fakeQuantizePerTensor(x, { scale: 0.1 }).output).mse]));
    setThreadLimit(4, 0);
    try {
      const caller = async (/** @type {number} */ i) => {
        for (let rep = 0; rep < 10; rep++) {
          await new Promise((resolve) => setImmediate(resolve));
          assert.deepEqual(qdq.quantizePerTensor(xs[i], { scale: 0.1 }).data, expected[i][0], `caller ${i}, call ${rep}`);
          assert.equal(qdq.errorStats(xs[i], qdq.fakeQuantizePerTensor(xs[i], { scale: 0.1 }).output).mse, expected[i][1]);
        }
      };
      await Promise.all([caller(0), caller(1), caller(2), caller(1)]);
    } finally {
      setThreadLimit(Infinity);
    }
  });
});
