// The most any 2-thread speedup can be on this machine right now: the same
// fixed CPU-bound loop (integer arithmetic, no memory traffic) timed on one
// worker thread alone and on two at once, interleaved, medians. On an idle
// 2-core machine the ratio is ~2; on one shared with other builds it falls
// toward 1, and bench/threads.js's speedups are bounded by it.
//   node bench/threads-probe.js [--threads 2] [--runs 9] [--kernel m,k,n | --dot]
// --kernel: the loop is our own single-threaded DynamicQuantizedLinear of
// that shape instead (each worker loads the single-threaded build into its
// own memory: no sharing, no split), which bounds a split of the same
// kernels where the vCPUs share more than the integer loop shows (SIMD
// units of hyperthreads on the host, caches, memory bandwidth).
// --dot: the loop is the SIMD128 int8 GEMM's arithmetic alone
// (bench/probes/dot-peak.c: the xw kernel's i32x4.dot_i16x8_s + i32x4.add
// steps on operands in L1), reported in GOPS: the most any SIMD128 int8 GEMM, ours or
// onnxruntime-web's, can reach on 1 and on T threads of this machine now.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { buildProbe } from './lib/probe-wasm.js';
import { DOT_OPS_PER_STEP } from './lib/shared-dot.js';

const args = process.argv.slice(2);
const T = Number(args.includes('--threads') ? args[args.indexOf('--threads') + 1] : 2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 9);
const kernel = args.includes('--kernel') ? args[args.indexOf('--kernel') + 1].split(',').map(Number) : null;
const dot = args.includes('--dot');
const DOT_OPS = DOT_OPS_PER_STEP;
const WORK = dot ? 16_000_000 : kernel === null ? 60_000_000 : Math.max(1, Math.round(1.5e9 / (2 * kernel[0] * kernel[1] * kernel[2])));

const dotWasm = dot ? buildProbe('dot-peak', ['probe_dot_peak']) : '';

const source = dot ? `
  const { parentPort } = require('node:worker_threads');
  const stub = new Proxy({}, { get: () => () => 0 });
  const bytes = require('node:fs').readFileSync(${JSON.stringify(dotWasm)});
  const f = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: stub, wasi_snapshot_preview1: stub }).exports.probe_dot_peak;
  parentPort.on('message', (n) => parentPort.postMessage(f(n, 7)));` : kernel === null ? `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', (n) => {
    let x = 1;
    for (let i = 0; i < n; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
    parentPort.postMessage(x);
  });` : `
  const { parentPort } = require('node:worker_threads');
  const [m, k, n] = ${JSON.stringify(kernel)};
  const ready = import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)}).then(async (qdq) => {
    await qdq.init({ numThreads: 1 });
    let s = 1;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
    const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
      weightScales: new Float32Array(n).fill(0.01), inFeatures: k, outFeatures: n });
    const x = Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.5);
    return () => layer.forward(x)[0];
  });
  parentPort.on('message', async (count) => {
    const f = await ready;
    let r = 0;
    for (let i = 0; i < count; i++) r += f();
    parentPort.postMessage(r);
  });`;
const workers = Array.from({ length: T }, () => new Worker(source, { eval: true }));
const once = (/** @type {Worker} */ w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(WORK); });

/** ms for `count` workers each running the loop at the same time. @param {number} count */
async function run(count) {
  const t0 = performance.now();
  await Promise.all(workers.slice(0, count).map(once));
  return performance.now() - t0;
}

await run(T); // warm-up (JIT)
const one = [], all = [];
for (let r = 0; r < RUNS; r++) {
  one.push(await run(1));
  all.push(await run(T));
}
const med = (/** @type {number[]} */ a) => a.sort((x, y) => x - y)[a.length >> 1];
const speedup = (T * med(one)) / med(all);
console.log(`${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
if (kernel !== null) console.log(`loop: ${WORK} calls of the single-threaded DynamicQuantizedLinear ${kernel.join('x')} per thread`);
if (dot) {
  console.log(`loop: ${WORK} steps of 8 i32x4.dot_i16x8_s + i32x4.add on operands in L1 (SIMD128) per thread: ` +
    `${(WORK * DOT_OPS / med(one) / 1e6).toFixed(1)} GOPS on 1 thread, ${(T * WORK * DOT_OPS / med(all) / 1e6).toFixed(1)} GOPS on ${T}`);
}
console.log(`1 thread: ${med(one).toFixed(1)} ms; ${T} threads, ${T}x the work: ${med(all).toFixed(1)} ms; ` +
  `available parallel speedup ${speedup.toFixed(2)}x (ideal ${T}x), median of ${RUNS}`);
for (const w of workers) await w.terminate();
