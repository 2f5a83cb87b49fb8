// The streaming operators on threads (issue 12, docs/threads.md T5):
// quantize, dequantize, fake-quantize, min/max (observers) and error
// statistics on 1 thread and on T threads of the -mt build, in one process,
// runs interleaved (bench/lib/time-all.js); caller-visible times (copies
// through the staging chunk included), medians, speedup = 1 thread / T.
//   node bench/threads-elementwise.js [--threads 2] [--build simd128|relaxed] [--chunks | --threshold | --kernels]
// --kernels: the C operators on data already in wasm memory, no copies (the
// per-element costs behind QDQ_*_WORK in src/operators/quantize.c, statistics.c).
// --chunks: T threads with the build's staging chunk and with 1/2 and 1/4 of
// it, to choose QDQ_STAGING_BLOCKS (src/operators/staging.c).
// --threshold: every call split (minWork 0) on 2, 3, 4 ... blocks, against
// one thread: where a split starts to pay, caller-visible.
import { timeAll } from './lib/time-all.js';
import { machineLine, onThreads } from './lib/threads.js';
import * as qdq from '../js/index.js';
import { getRuntime } from '../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const T = Number(opt('--threads', '2'));
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const started = await qdq.init({ build, numThreads: T });
if (started.threads !== T) throw new Error(`asked for ${T} threads, got ${started.threads}: ${started.threadsNote}`);
const rt = getRuntime();

const on = onThreads;

let seed = 4242;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;
const machine = machineLine();
console.log(`qdq-wasm ${build} -mt build, staging chunk ${rt.chunk} elements, Node ${process.version} (V8 ${process.versions.v8}), ${machine}`);

/** The operators, on n elements ([256, n / 256] with axis 0 for the per-channel ones). @param {number} n */
function operators(n) {
  const x = Float32Array.from({ length: n }, () => next() * 8);
  const shape = [256, n / 256];
  const q = new Int8Array(n), y = new Float32Array(n), mask = new Uint8Array(n);
  const qt = qdq.quantizePerTensor(x, { scale: 0.05, dtype: 'int8' });
  const xHat = qdq.dequantize(qt);
  const scales = new Float32Array(256).fill(0.05);
  const observer = new qdq.MinMaxObserver();
  const perChannel = new qdq.PerChannelMinMaxObserver({ axis: 0 });
  return {
    quantize: () => qdq.quantizePerTensor(x, { scale: 0.05, dtype: 'int8', out: q }),
    'quantize per channel': () => qdq.quantizePerChannel(x, { shape, axis: 0, scales, dtype: 'int8', out: q }),
    dequantize: () => qdq.dequantize(qt, { out: y }),
    'fake-quantize': () => qdq.fakeQuantizePerTensor(x, { scale: 0.05, quantMin: -128, quantMax: 127, out: y, maskOut: mask }),
    'min/max': () => observer.observe(x),
    'min/max per channel': () => perChannel.observe(x, shape),
    'error stats': () => qdq.errorStats(x, xHat),
  };
}

if (args.includes('--kernels')) {
  // The C operators on data already in wasm memory (no staging copies): the
  // per-element costs behind QDQ_*_WORK (src/operators/quantize.c, statistics.c).
  const { RawWasm } = await import('../tests/helpers/raw-wasm.js');
  const w = new RawWasm(rt);
  const e = w.exports;
  console.log(`C operators on data in wasm memory, 1 vs ${T} threads (every call split); ns per element and speedup`);
  for (const n of [2 ** 18, 2 ** 20, 2 ** 22]) {
    const x = w.alloc(4 * n + 64), y = w.alloc(4 * n + 64), q = w.alloc(n + 64), p = w.alloc(64);
    w.refresh();
    for (let i = 0; i < n; i++) w.f32[x / 4 + i] = next() * 16;
    w.f32[p / 4] = 0.05;
    w.i32[p / 4 + 1] = 0;
    const sp = p, zp = p + 4, acc = p + 16;
    e.qdq_dequantize(q, y, n, 0, 1, n, sp, zp, 0);
    /** @type {Record<string, () => unknown>} */
    const ops = {
      quantize: () => e.qdq_quantize(x, q, n, 0, 1, n, sp, zp, -128, 127, 0),
      dequantize: () => e.qdq_dequantize(q, y, n, 0, 1, n, sp, zp, 0),
      'fake-quantize': () => e.qdq_fake_quantize(x, y, q, n, 0, 1, n, sp, zp, -128, 127, 0),
      'min/max': () => {
        w.f32[p / 4 + 2] = Infinity;
        w.f32[p / 4 + 3] = -Infinity;
        return e.qdq_minmax(x, n, 0, 1, n, p + 8, p + 12);
      },
      'error stats': () => e.qdq_error_stats(x, y, n, 0, 1, n, acc),
    };
    for (const [name, fn] of Object.entries(ops)) {
      const ms = await timeAll({ one: on(1, fn, 0), split: on(T, fn, 0) }, { runs: 9, minBatchMs: 30 });
      console.log(`${name.padEnd(14)} ${String(n).padStart(8)}  1 thread ${(ms.one * 1e6 / n).toFixed(2).padStart(6)} ns  ${T} threads ${(ms.split * 1e6 / n).toFixed(2).padStart(6)} ns  x${(ms.one / ms.split).toFixed(2)}`);
    }
    for (const ptr of [x, y, q, p]) w.free(ptr);
  }
  process.exit(0);
}

if (args.includes('--threshold')) {
  console.log(`split break-even: 1 vs ${T} threads, every call split; us per call`);
  console.log('op                     elements   1 thread   split    speedup');
  for (const blocks of [2, 3, 4, 6, 8]) {
    const n = blocks * 65536;
    for (const [name, fn] of Object.entries(operators(n))) {
      if (name.includes('per channel')) continue;
      const ms = await timeAll({ one: on(1, fn, 0), split: on(T, fn, 0) }, { runs: 11, minBatchMs: 30 });
      console.log(`${name.padEnd(22)} ${String(n).padStart(8)} ${(ms.one * 1e3).toFixed(0).padStart(10)} ${(ms.split * 1e3).toFixed(0).padStart(7)} ${(ms.one / ms.split).toFixed(2).padStart(9)}`);
    }
  }
  process.exit(0);
}

/** fn streamed in chunks of `elements` (at most the build's). @param {number} elements @param {() => unknown} fn */
const chunked = (elements, fn) => () => {
  const before = rt.chunk;
  rt.chunk = Math.min(before, elements);
  try {
    return fn();
  } finally {
    rt.chunk = before;
  }
};
const CHUNKS = args.includes('--chunks') ? [rt.chunk, rt.chunk >> 1, rt.chunk >> 2].filter((c) => c >= 2 * 65536) : [rt.chunk];
console.log(`ms per call; 1 thread and ${T} threads with the build's chunk${CHUNKS.length > 1 ? `, ${T} threads with smaller chunks (${CHUNKS.slice(1).join(', ')})` : ''},`);
console.log('and 1 thread with 64 Ki chunks (one block per call, as the single-threaded builds stream); speedup = 1 thread / T threads, same chunk');
console.log(`op                     elements  1t ${CHUNKS.map((c) => `${T}t@${c >> 10}Ki`.padStart(10)).join(' ')}  1t@64Ki  speedup`);
for (const n of [2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22]) {
  for (const [name, fn] of Object.entries(operators(n))) {
    /** @type {Record<string, () => unknown>} */
    const fns = { one: on(1, fn), single: on(1, chunked(65536, fn)) };
    for (const c of CHUNKS) fns[`c${c}`] = on(T, chunked(c, fn));
    const ms = await timeAll(fns, { runs: 9, minBatchMs: 30 });
    const f = (/** @type {number} */ v, w = 10) => v.toFixed(3).padStart(w);
    console.log(`${name.padEnd(22)} ${String(n).padStart(8)} ${f(ms.one, 7)} ${CHUNKS.map((c) => f(ms[`c${c}`])).join(' ')} ${f(ms.single, 8)} ${(ms.one / ms[`c${rt.chunk}`]).toFixed(2).padStart(8)}`);
  }
}
process.exit(0);
