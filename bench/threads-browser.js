// bench/threads.js's main table in a page of headless Chromium: our GEMMs on 1
// and on T threads (Web Workers over shared memory) against onnxruntime-web on
// T threads (its own workers), all in one cross-origin isolated page, runs
// interleaved (lib/time-all.js); GOPS = 2 m k n / time, caller-visible; each
// ratio (x) the median over runs of the ratio within a run. "pair" as in
// bench/threads.js (lib/pair-bound.js): whole one-thread calls handed out to
// T threads (Web Workers with their own memory, lib/pair-worker-browser.js),
// what a perfect split would give at the same moments. The "dot" and
// onnxruntime-on-one-thread columns are bench/threads.js's only.
//   node bench/threads-browser.js [--threads 2] [--build relaxed|simd128] [--runs 11]
// Needs Debian's chromium (/usr/bin/chromium), as the e2e tests do.
import { chromium } from 'playwright-core';
import { servePage } from './lib/page-server.js';
import { machineLine } from './lib/threads.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = opt('--build', 'relaxed');
const RUNS = Number(opt('--runs', '11'));

// What the page imports: the library and its builds, the benchmarks' shared
// files, the ONNX model writer of the tests, onnxruntime-web's browser files;
// cross-origin isolated, for SharedArrayBuffer: ours and onnxruntime's threads need it.
const server = await servePage({ dirs: ['js', 'dist', 'bench/lib', 'tests/helpers', 'node_modules/onnxruntime-web/dist'],
  headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page: ${e.message}`));
  await page.goto(server.url);
  const head = await page.evaluate(async ({ T, build }) => {
    if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
    const qdq = await import('/js/index.js');
    const started = await qdq.init({ build: /** @type {'relaxed' | 'simd128'} */ (build), numThreads: T });
    if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);
    const ort = await import('/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs');
    ort.env.wasm.numThreads = T;
    ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
    /** @type {any} */ (globalThis).ort = ort;
    // pair (lib/pair-bound.js): T - 1 workers, each on the -mt build alone, taking whole calls.
    const { WORDS } = await import('/bench/lib/pair-control.js');
    const c = new Int32Array(new SharedArrayBuffer(4 * WORDS));
    const workers = [];
    for (let index = 1; index < T; index++) {
      const w = new Worker('/bench/lib/pair-worker-browser.js', { type: 'module' });
      const ready = new Promise((resolve, reject) => { w.onmessage = resolve; w.onerror = reject; });
      w.postMessage({ c, index, build: started.build });
      await ready;
      workers.push(w);
    }
    /** @type {any} */ (globalThis).pair = { c, workers, loaded: false };
    return { build: started.build, ort: ort.env.versions?.web ?? '?', cores: navigator.hardwareConcurrency };
  }, { T, build });
  console.log(`qdq-wasm ${head.build} (-mt build), onnxruntime-web ${head.ort} with numThreads ${T}, Chromium ${browser.version()} ` +
    `(navigator.hardwareConcurrency ${head.cores}), ${machineLine()}; GOPS, median of ${RUNS} interleaved runs`);
  console.log('DQL: DynamicQuantizedLinear.forward(x) returning a new array, as ORT returns its outputs; u8s8: matmulInteger into a reused array');
  console.log(`pair: whole one-thread calls handed out to ${T} threads, each copy on its own data, against one thread: what a perfect split would give now`);
  console.log(`m,k,n            | DQL 1t  DQL ${T}t  x     | u8s8 1t u8s8 ${T}t x     | pair DQL u8s8 | ORT DQMM ${T}t  u8s8 ${T}t | ours/ORT DQL  u8s8`);
  for (const [m, k, n] of [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768], [512, 512, 512]]) {
    const r = await page.evaluate(async ({ m, k, n, T, RUNS }) => {
      const qdq = await import('/js/index.js');
      const { setThreadLimit } = await import('/js/runtime/loader.js');
      const { timeAllRuns, median, pairedRatio } = await import('/bench/lib/time-all.js');
      const { gemmData, ortGemmModels } = await import('/bench/lib/ort-gemm.js');
      const { GEN, NEXT, OP, PENDING, TASKS } = await import('/bench/lib/pair-control.js');
      const ort = /** @type {any} */ (globalThis).ort;
      const pair = /** @type {any} */ (globalThis).pair;
      const c = /** @type {Int32Array} */ (pair.c);
      // As lib/pair-bound.js: 4 copies per thread and region.
      const COPIES = 4 * T;
      /** @param {number} op @param {number} tasks @param {() => unknown} mine */
      const region = (op, tasks, mine) => {
        Atomics.store(c, OP, op);
        Atomics.store(c, TASKS, tasks);
        Atomics.store(c, NEXT, 0);
        Atomics.store(c, PENDING, pair.workers.length);
        Atomics.add(c, GEN, 1);
        Atomics.notify(c, GEN);
        while (Atomics.add(c, NEXT, 1) < tasks) mine();
        while (Atomics.load(c, PENDING) !== 0); // a page's main thread may not Atomics.wait
      };
      if (pair.loaded) region(-1, 0, () => {});
      await Promise.all(pair.workers.map((/** @type {Worker} */ w) => {
        const ready = new Promise((resolve) => { w.onmessage = resolve; });
        w.postMessage({ m, k, n });
        return ready;
      }));
      pair.loaded = true;
      // As bench/threads.js: the same seed and generator, so the same operands.
      let seed = 12345;
      const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
      /** @param {number} t @param {() => unknown} fn */
      const on = (t, fn) => () => {
        setThreadLimit(t);
        try {
          return fn();
        } finally {
          setThreadLimit(Infinity);
        }
      };
      const data = gemmData(m, k, n, next);
      const dyn = qdq.DynamicQuantizedLinear.fromQuantized({ weight: data.wT, weightScales: data.scales, inFeatures: k, outFeatures: n, compat: 'onnx' });
      const packed = qdq.PackedMatrix.pack(data.bS8, { k, n });
      const out = new Int32Array(m * n);
      const models = ortGemmModels(m, k, n, data);
      const dq = await ort.InferenceSession.create(models.dq.model);
      const mi = await ort.InferenceSession.create(models.mi.model);
      const xt = new ort.Tensor('float32', data.x, [m, k]);
      const at = new ort.Tensor('uint8', data.aU8, [m, k]);
      // Both peers give the same numbers: checked once before timing.
      const ours = qdq.matmulInteger(data.aU8, packed, { m, aZeroPoint: 128 });
      const theirs = (await mi.run({ A: at })).Y.data;
      if (ours.length !== theirs.length || ours.some((v, i) => v !== theirs[i])) throw new Error(`${m}x${k}x${n}: MatMulInteger differs from onnxruntime`);
      /** @type {Record<string, () => unknown>} */
      const fns = {
        dyn1: on(1, () => dyn.forward(data.x)),
        dynT: on(T, () => dyn.forward(data.x)),
        u81: on(1, () => qdq.matmulInteger(data.aU8, packed, { m, aZeroPoint: 128, out })),
        u8T: on(T, () => qdq.matmulInteger(data.aU8, packed, { m, aZeroPoint: 128, out })),
        ortDq: () => dq.run({ A: xt }),
        ortU8: () => mi.run({ A: at }),
      };
      fns.pairDq = () => region(0, COPIES, fns.dyn1);
      fns.pairU8 = () => region(1, COPIES, fns.u81);
      const runs = await timeAllRuns(fns, { runs: RUNS, minBatchMs: 30, settleMs: 50 });
      dyn.dispose();
      packed.dispose();
      await dq.release();
      await mi.release();
      const ops = 2 * m * k * n;
      /** @type {Record<string, number>} */
      const gops = {};
      for (const [name, t] of Object.entries(runs)) gops[name] = ops / median(t) / 1e6;
      const over = (/** @type {string} */ a, /** @type {string} */ b) => pairedRatio(runs, b, a);
      return { gops, x: { dyn: over('dynT', 'dyn1'), u8: over('u8T', 'u81'), dynOrt: over('dynT', 'ortDq'), u8Ort: over('u8T', 'ortU8'),
        pairDq: COPIES * pairedRatio(runs, 'dyn1', 'pairDq'), pairU8: COPIES * pairedRatio(runs, 'u81', 'pairU8') } };
    }, { m, k, n, T, RUNS });
    const f = (/** @type {number} */ v, w = 7, d = 1) => v.toFixed(d).padStart(w);
    console.log(`${`${m},${k},${n}`.padEnd(16)} |${f(r.gops.dyn1)} ${f(r.gops.dynT)} ${f(r.x.dyn, 5, 2)} |${f(r.gops.u81)} ${f(r.gops.u8T)} ${f(r.x.u8, 5, 2)} |` +
      `${f(r.x.pairDq, 9, 2)} ${f(r.x.pairU8, 5, 2)} |` +
      `${f(r.gops.ortDq, 8)} ${f(r.gops.ortU8, 8)} |${f(r.x.dynOrt, 13, 2)} ${f(r.x.u8Ort, 5, 2)}`);
  }
} finally {
  await browser.close();
  server.close();
}
