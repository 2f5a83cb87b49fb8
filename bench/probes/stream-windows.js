// The streaming operators' windows (docs/threads.md T5): quantize, dequantize,
// fake-quantize, and (--ops) min/max and error statistics (per tensor, and per
// channel: 64 channels, outermost) calls on one thread, on two with the pool's default
// threshold, and on two with every window split, alternated call by call.
// Lone calls come after a 3 ms pause (past the workers' poll: they sleep; a
// busy loop, or with --idle a timer); --loop runs the calls back to back;
// --polling runs each right after a small GEMM split on two threads (the
// workers poll then, as after a model's Linear layer).
// Medians in µs, the speedups against one thread, and how many default
// calls split: where the threshold of QDQ_SPLIT_STREAMED should lie.
//   node bench/probes/stream-windows.js [--idle | --loop | --polling] [--calls 120] [--ops quantize,dequantize,fake-quantize,minmax,minmax-channels,error-stats,error-stats-channels]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { parallelRegions, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const CALLS = Number(opt('--calls', '120'));
const idle = args.includes('--idle'), loop = args.includes('--loop'), polling = args.includes('--polling');
const ops = opt('--ops', 'quantize,dequantize,fake-quantize').split(',');

const info = await qdq.init({ numThreads: 2 });
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
// 16x256x256: ~1 Mi multiply-adds, split on two threads (minWork 0), ~30 µs.
const gemm = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i)), null,
  { inFeatures: 256, outFeatures: 256 });
const gemmX = Float32Array.from({ length: 16 * 256 }, (_, i) => Math.cos(i));
const pause = async (/** @type {number} */ threads, /** @type {number | undefined} */ minWork) => {
  if (polling) {
    setThreadLimit(2, 0);
    gemm.forward(gemmX, 16);
    setThreadLimit(threads, minWork);
    return;
  }
  if (loop) return;
  if (idle) await sleep(3);
  else for (const s = performance.now(); performance.now() - s < 3;);
};

/** @type {Record<string, (n: number) => () => unknown>} */
const makers = {
  quantize: (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4), out = new Int8Array(n);
    return () => qdq.quantizePerTensor(x, { scale: 0.05, out });
  },
  dequantize: (n) => {
    const q = { data: Int8Array.from({ length: n }, (_, i) => i), shape: [n], dtype: /** @type {const} */ ('int8'),
      qscheme: /** @type {const} */ ('per_tensor_affine'), scale: 0.05, zeroPoint: 0 };
    const out = new Float32Array(n);
    return () => qdq.dequantize(q, { out });
  },
  minmax: (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    return () => new qdq.MinMaxObserver().observe(x);
  },
  'minmax-channels': (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    return () => new qdq.PerChannelMinMaxObserver({ axis: 0 }).observe(x, [64, n / 64]);
  },
  'error-stats': (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    const xHat = Float32Array.from(x, (v, i) => v + ((i % 7) - 3) / 64);
    return () => qdq.errorStats(x, xHat);
  },
  'error-stats-channels': (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    const xHat = Float32Array.from(x, (v, i) => v + ((i % 7) - 3) / 64);
    return () => qdq.errorStats(x, xHat, { shape: [64, n / 64], axis: 0 });
  },
  'fake-quantize': (n) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4), out = new Float32Array(n), maskOut = new Uint8Array(n);
    return () => qdq.fakeQuantizePerTensor(x, { scale: 0.05, out, maskOut });
  },
};

const when = polling ? 'right after a GEMM split on two threads' : loop ? 'back to back' : `after a 3 ms ${idle ? 'timer' : 'busy'} pause`;
console.log(`${machineLine()}, Node ${process.version}, build ${info.build}; ${when}, medians of ${CALLS / 3 | 0} calls`);
console.log('op              elements |  1t µs  default  split | default x  split x | default calls split');
for (const op of ops) {
  for (const n of [1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 21, 1 << 22]) {
    const f = makers[op](n);
    /** @type {number[][]} */
    const t = [[], [], []];
    let splits = 0;
    for (let i = 0; i < CALLS; i++) {
      const kind = i % 3;
      const threads = kind === 0 ? 1 : 2, minWork = kind === 2 ? 0 : undefined;
      setThreadLimit(threads, minWork);
      await pause(threads, minWork);
      const r0 = parallelRegions();
      const s = performance.now();
      f();
      t[kind].push(performance.now() - s);
      if (kind === 1 && parallelRegions() > r0) splits++;
    }
    setThreadLimit(Infinity);
    const [one, dflt, split] = t.map((a) => median(a) * 1e3);
    console.log(`${op.padEnd(15)} ${String(n).padStart(8)} | ${one.toFixed(0).padStart(6)} ${dflt.toFixed(0).padStart(8)} ${split.toFixed(0).padStart(6)} |` +
      ` ${(one / dflt).toFixed(2).padStart(9)} ${(one / split).toFixed(2).padStart(8)} | ${splits}/${t[1].length}`);
  }
}
process.exit(0);
