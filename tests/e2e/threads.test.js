// The thread pool in headless Chromium (issue 12): on a cross-origin isolated
// page (scripts/serve.js sends COOP/COEP) init() starts Web Workers on shared
// memory and every threaded operator (matmulInteger, qlinearMatmul, the Linear
// layers, the streaming operators and their windows, the blockwise preparation,
// MatMulNBits and WeightOnlyQuantizedLinear) gives the same bytes on 1-4 threads,
// in the SIMD128 and the relaxed build, and the same bytes as Node; without
// isolation it runs on one thread and says why; a worker that dies stops the
// pool, and calls go on on one thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { createPageServer } from '../../scripts/serve.js';
import * as qdq from '../../js/index.js';

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('node:http').Server[]} */
const servers = [];

/** @param {boolean} isolated @returns {Promise<string>} base URL */
async function serve(isolated) {
  const server = createPageServer({ isolated });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  return `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
}

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await qdq.init({ build: 'simd128', numThreads: 1 });
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

/**
 * Runs in the page (and in Node): every threaded operator on deterministic
 * operands with odd tails; returns each result as an array, per thread count.
 * @param {{ counts: number[], numThreads: number, build?: 'simd128' | 'relaxed' }} arg
 */
async function workload({ counts, numThreads, build = 'simd128' }) {
  const q = await import(typeof window === 'undefined' ? '../../js/index.js' : '/js/index.js');
  const loader = await import(typeof window === 'undefined' ? '../../js/runtime/loader.js' : '/js/runtime/loader.js');
  const info = await q.init({ build, numThreads });
  let s = 7;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
  /** @type {Record<string, (number[] | string)[]>} */
  const out = {};
  const hex = async (/** @type {ArrayBufferView} */ r) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256',
    new Uint8Array(r.buffer, r.byteOffset, r.byteLength).slice())), (b) => b.toString(16).padStart(2, '0')).join('');
  // 170 x 200 x 301: results of 64 KiB and more, copied out band by band
  // while the workers compute, and a float x of 136 KB written into wasm
  // memory while they fold its min/max (docs/threads.md T3); SHA-256 of those.
  for (const [m, k, n] of [[1, 67, 13], [5, 100, 37], [37, 33, 203], [70, 129, 61], [170, 200, 301]]) {
    const a = Uint8Array.from({ length: m * k }, () => next() % 256);
    const b = Int8Array.from({ length: k * n }, () => (next() % 256) - 128);
    const w = Float32Array.from({ length: n * k }, () => (next() / 16777216 - 0.5) * 2);
    const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
    const dyn = q.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: k, outFeatures: n });
    const lin = q.Linear.fromFloat(w, null, { inFeatures: k, outFeatures: n });
    const ql = q.QuantizedLinear.fromFloat(w, null, { inFeatures: k, outFeatures: n,
      inputScale: 0.03, inputZeroPoint: 128, outputScale: 0.2, outputZeroPoint: 100 });
    // Weights kept widened (keepWidened), which calls of more than 16 rows read.
    const dynKept = q.DynamicQuantizedLinear.fromFloat(w, null, { inFeatures: k, outFeatures: n, keepWidened: true });
    const bKept = q.PackedMatrix.pack(b, { k, n, keepWidened: true });
    for (const t of counts) {
      loader.setThreadLimit(t, 0);
      const results = [q.matmulInteger(a, b, { m, k, n, aZeroPoint: 3 }), dyn.forward(x), lin.forward(x), ql.forward(a),
        q.qlinearMatmul(a, b, { m, k, n, aScale: 0.02, aZeroPoint: 120, bScale: 0.01, yScale: 0.5, yZeroPoint: 128 }),
        dynKept.forward(x), q.matmulInteger(a, bKept, { m, aZeroPoint: 3 })];
      for (const [i, r] of results.entries()) {
        (out[`${m}x${k}x${n}/${i}`] ??= []).push(r.byteLength >= 65536 ? await hex(r)
          : Array.from(new Uint8Array(r.buffer, r.byteOffset, r.byteLength)));
      }
    }
    loader.setThreadLimit(Infinity);
    dyn.dispose();
    lin.dispose();
    ql.dispose();
    dynKept.dispose();
    bKept.dispose();
  }
  // The blockwise operators (docs/threads.md T6): MatMulNBits at levels 4 and
  // 0, 4 and 8 bits, with and without zero points and bias, m tails around
  // the row blocks and the level-0 panels, odd n, k not a multiple of the block.
  for (const [m, k, n, bits, blockSize, symmetric] of /** @type {const} */ ([[1, 67, 37, 4, 16, false], [3, 100, 203, 8, 32, true],
    [9, 130, 61, 4, 64, true], [17, 300, 45, 8, 128, false], [8, 96, 77, 4, 32, false]])) {
    const w = Float32Array.from({ length: n * k }, () => next() / 16777216 - 0.5);
    const bias = m % 2 === 1 ? Float32Array.from({ length: n }, () => next() / 16777216 - 0.5) : null;
    const a = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 4);
    const qw = q.quantizeBlockwise(w, { n, k, bits, blockSize, symmetric });
    const layers = [q.MatMulNBits.pack({ ...qw, bias, accuracyLevel: 4 }), q.MatMulNBits.pack({ ...qw, bias, accuracyLevel: 0 }),
      q.WeightOnlyQuantizedLinear.fromFloat(w, bias, { inFeatures: k, outFeatures: n, bits, blockSize, symmetric, accuracyLevel: 0 })];
    for (const t of counts) {
      loader.setThreadLimit(t, 0);
      // The blockwise preparation splits too (T6): quantize, dequantize, pack (its forward's bytes).
      const again = q.quantizeBlockwise(w, { n, k, bits, blockSize, symmetric });
      const packed = q.MatMulNBits.pack({ ...again, bias, accuracyLevel: 4 });
      for (const [i, r] of [again.data, again.scales, again.zeroPoints ?? new Uint8Array(0), q.dequantizeBlockwise(again),
        packed.forward(a, m)].entries()) {
        (out[`blockwise ${m}x${k}x${n}/${i}`] ??= []).push(Array.from(new Uint8Array(r.buffer, r.byteOffset, r.byteLength)));
      }
      packed.dispose();
      layers.forEach((l, i) => {
        const r = l.forward(a, m);
        (out[`nbits ${m}x${k}x${n}/${i}`] ??= []).push(Array.from(new Uint8Array(r.buffer, r.byteOffset, r.byteLength)));
      });
    }
    loader.setThreadLimit(Infinity);
    for (const l of layers) l.dispose();
  }
  // The streaming operators (docs/threads.md T5) on 3.2 blocks of 64 Ki with
  // ties and signed zeros, per tensor and per channel (channels innermost and
  // outermost); SHA-256 of each result, to keep the page's answer small.
  const n = 3 * 70001;
  const x = Float32Array.from({ length: n }, (_, i) => (i % 89 === 0 ? (i & 1 ? -0 : 0)
    : i % 97 === 0 ? ((next() % 600) - 300 + 0.5) * 0.05 : (next() / 16777216 - 0.5) * 16));
  const scales = [0.03, 0.05, 0.07];
  // Past a window of quantize and the like (1 Mi elements, js/runtime/binding.js): two windows.
  const big = Float32Array.from({ length: (1 << 20) + 70001 }, (_, i) => x[i % n] * (1 + (i >> 20)));
  for (const t of counts) {
    loader.setThreadLimit(t, 0);
    const qt = q.quantizePerTensor(x, { scale: 0.05, compat: 'pytorch' });
    const qbig = q.quantizePerTensor(big, { scale: 0.05, zeroPoint: 128, dtype: 'uint8' });
    const inner = q.quantizePerChannel(x, { shape: [70001, 3], axis: 1, scales, dtype: 'uint8', zeroPoints: [128, 120, 130] });
    const fq = q.fakeQuantizePerChannel(x, { shape: [3, 70001], axis: 0, scales });
    const mm = new q.MinMaxObserver();
    mm.observe(x);
    const pc = new q.PerChannelMinMaxObserver({ axis: 1 });
    pc.observe(x, [70001, 3]);
    const st = q.errorStats(x, q.dequantize(qt));
    const sc = q.errorStats(x, fq.output, { shape: [3, 70001], axis: 0 });
    // The histogram observers (T5): x, then x scaled up (the range grows: the old histogram resampled).
    const histograms = [new q.HistogramObserver(), new q.PercentileObserver(), new q.EntropyObserver()].map((o) => {
      o.observe(x);
      o.observe(x.map((v) => v * 1.5));
      return /** @type {any} */ (o).state;
    });
    const results = [qt.data, q.dequantize(inner), inner.data, fq.output, fq.mask, Float32Array.of(mm.minVal, mm.maxVal),
      pc.minVal, pc.maxVal, Float64Array.of(st.mse, st.maxAbsError, st.sqnr), sc.channels.mse, sc.channels.sqnr,
      qbig.data, q.dequantize(qbig), q.fakeQuantizePerTensor(big, { scale: 0.05 }).output, ...histograms];
    for (const [i, r] of results.entries()) (out[`streaming/${i}`] ??= []).push(await hex(r));
  }
  loader.setThreadLimit(Infinity);
  const copied = loader.getRuntime().pool?.copiedDuring ?? 0;
  const streamed = loader.getRuntime().pool?.streamedIn ?? 0;
  return { info, isolated: typeof crossOriginIsolated === 'undefined' ? null : crossOriginIsolated, out, copied, streamed };
}

test('threads in Chromium', async (t) => {
  const node = await workload({ counts: [1], numThreads: 1 });

  await t.test('should run on 4 Web Workers when cross-origin isolated, same bytes on 1-4 threads and as Node', async () => {
    const page = await browser.newPage();
    await page.goto(`${await serve(true)}/blank`);
    const r = await page.evaluate(`(${workload})({ counts: [1, 2, 3, 4], numThreads: 4 })`);
    await page.close();
    assert.equal(r.isolated, true);
    assert.deepEqual(r.info, { build: 'simd128', threads: 4, threadsNote: null });
    assert.ok(r.copied > 0, 'no result was copied out during a region (the page thread spins instead of waiting)');
    // Written during a region on 2, 3 and 4 threads: the dynamic Linears' x (with and without kept
    // widened weights), and each window of
    // quantize, dequantize, fake-quantize, per-tensor min/max and error statistics of two input
    // blocks or more (T5): x (210003 floats) four times, and with its reconstruction twice for the
    // error statistics (per tensor, and per channel in runs of 70001), its two quantized copies
    // (bytes), big's float windows (1 Mi and 70001 floats) twice, and the first window of its
    // quantized copy (the second is 70001 bytes: written first); and the histogram observers'
    // batches, two each, into HistogramObserver's min/max, into the other two's min/max and into
    // their binning, but the percentile observer's first (the range of |x| is read first).
    const windows = 8 * 210003 * 4 + 2 * 210003 + 2 * 4 * ((1 << 20) + 70001) + (1 << 20) + 9 * 210003 * 4;
    assert.equal(r.streamed, 3 * (2 * 170 * 200 * 4 + windows), 'an input was not written during its region on 2, 3 and 4 threads');
    // Kept widened weights give the bytes of widening them per call: results 5 and 6 of each shape, against 1 and 0.
    for (const shape of ['1x67x13', '5x100x37', '37x33x203', '70x129x61', '170x200x301']) {
      assert.deepEqual(r.out[`${shape}/5`], r.out[`${shape}/1`], `${shape}: the dynamic Linear with kept widened weights`);
      assert.deepEqual(r.out[`${shape}/6`], r.out[`${shape}/0`], `${shape}: matmulInteger with kept widened weights`);
    }
    for (const [key, runs] of Object.entries(r.out)) {
      for (let i = 1; i < runs.length; i++) assert.deepEqual(runs[i], runs[0], `${key}: ${i + 1} threads differ from 1`);
      assert.deepEqual(runs[0], node.out[key][0], `${key}: Chromium differs from Node`);
    }
  });

  await t.test('should run the relaxed build, which Chromium loads by default, on 1-4 threads with the same bytes as Node', async () => {
    const page = await browser.newPage();
    await page.goto(`${await serve(true)}/blank`);
    const r = await page.evaluate(`(${workload})({ counts: [1, 2, 3, 4], numThreads: 4, build: 'relaxed' })`);
    await page.close();
    assert.deepEqual(r.info, { build: 'relaxed', threads: 4, threadsNote: null });
    for (const [key, runs] of Object.entries(r.out)) {
      for (let i = 1; i < runs.length; i++) assert.deepEqual(runs[i], runs[0], `${key}: ${i + 1} threads differ from 1`);
      assert.deepEqual(runs[0], node.out[key][0], `${key}: the relaxed build in Chromium differs from Node's simd128`);
    }
  });

  await t.test('should run on one thread and say why when not isolated', async () => {
    const page = await browser.newPage();
    await page.goto(`${await serve(false)}/blank`);
    const r = await page.evaluate(`(${workload})({ counts: [1, 4], numThreads: 4 })`);
    await page.close();
    assert.equal(r.isolated, false);
    assert.equal(r.info.threads, 1);
    assert.match(r.info.threadsNote, /shared memory is not available \(a browser page needs to be cross-origin isolated/);
    for (const [key, runs] of Object.entries(r.out)) assert.deepEqual(runs[0], node.out[key][0], key);
  });

  await t.test('should stop the pool when a Web Worker dies after it started, and run on one thread', async () => {
    // The browser's side of Pool#lost: a worker whose script fails stays alive, idle, and says so in
    // a `failed` message. Both workers of a 3-thread pool die in their second sleep (a module worker
    // from a blob that wraps worker.js, as tests/helpers/dying-worker.js does in Node).
    const page = await browser.newPage();
    await page.goto(`${await serve(true)}/blank`);
    const r = await page.evaluate(async () => {
      const q = await import('/js/index.js');
      const loader = await import('/js/runtime/loader.js');
      const src = `import ${JSON.stringify(new URL('/js/runtime/worker.js', location.href).href)};
        const wait = Atomics.wait;
        let sleeps = 0;
        Atomics.wait = (...args) => {
          if (++sleeps > 1) throw new Error('simulated death of a pool worker');
          return wait(...args);
        };`;
      const workerUrl = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      const first = await q.init({ build: 'simd128', numThreads: 3, workerUrl });
      const a = Uint8Array.from({ length: 13 * 40 }, (_, i) => (i * 7) % 256);
      const b = Int8Array.from({ length: 40 * 29 }, (_, i) => ((i * 5) % 256) - 128);
      const run = () => JSON.stringify(Array.from(q.matmulInteger(a, b, { m: 13, k: 40, n: 29, aZeroPoint: 3 })));
      loader.setThreadLimit(3, 0);
      const results = new Set();
      let calls = 0;
      for (const until = performance.now() + 20; performance.now() < until; calls++) results.add(run());
      for (const until = performance.now() + 10; performance.now() < until;); // the workers poll, sleep and die
      for (const until = performance.now() + 20; performance.now() < until; calls++) results.add(run());
      for (let i = 0; i < 200 && q.threads() > 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const later = await q.init({ build: 'simd128', numThreads: 3, workerUrl });
      return { first, later, threads: q.threads(), calls, results: [...results], y: run() };
    });
    await page.close();
    const want = JSON.stringify(Array.from(qdq.matmulInteger(Uint8Array.from({ length: 13 * 40 }, (_, i) => (i * 7) % 256),
      Int8Array.from({ length: 40 * 29 }, (_, i) => ((i * 5) % 256) - 128), { m: 13, k: 40, n: 29, aZeroPoint: 3 })));
    assert.equal(r.first.threads, 3);
    assert.equal(r.threads, 1);
    assert.deepEqual(r.later, { build: 'simd128', threads: 1,
      threadsNote: 'qdq-wasm: a pool worker stopped (simulated death of a pool worker); running on one thread' });
    assert.ok(r.calls > 0);
    assert.deepEqual(r.results, [want]);
    assert.equal(r.y, want);
  });

  await t.test('should show the thread count on the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${await serve(true)}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    const threads = Number(await page.$eval('#backend', (el) => /** @type {HTMLElement} */ (el).dataset.threads));
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(threads, Math.min(cores, 8));
    assert.match(await page.$eval('#backend', (el) => el.textContent ?? ''), new RegExp(`, ${threads} threads?$`));
    await page.close();
  });
});
