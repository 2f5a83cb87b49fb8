// x written into wasm memory during the dynamic Linear's first region (the
// workers fold min/max over the blocks already written, Pool#
// parallelizeInput) against before the call, on 2 threads, alternated call
// by call so both see the same machine; then the same for 1 thread against
// 2 with it, the ratio the benchmark's target is about. Medians of the calls
// after a warm-up, and of the ratios of adjacent calls.
//   node bench/probes/stream-in.js [--build simd128|relaxed] [--calls 1200]
import { gemmOperands } from '../lib/gemm-operands.js';
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const CALLS = Number(opt('--calls', '1200'));
await qdq.init({ build, numThreads: 2 });
const pool = /** @type {any} */ (getRuntime()).pool;
console.log(`${machineLine()}; qdq-wasm ${build} -mt, Node ${process.version}; ms, medians of ${CALLS - 200} calls`);
for (const [m, k, n] of [[128, 768, 768], [512, 512, 512]]) {
  const { dql, dispose } = gemmOperands(m, k, n);
  /** @type {Record<string, number[]>} */
  const t = { streamed: [], before: [], one: [] };
  for (let i = 0; i < CALLS; i++) {
    const kind = ['streamed', 'before', 'one'][i % 3];
    setThreadLimit(kind === 'one' ? 1 : 2);
    pool.streamInputs = kind === 'streamed';
    const t0 = performance.now();
    dql();
    if (i >= 200) t[kind].push(performance.now() - t0);
  }
  pool.streamInputs = true;
  setThreadLimit(Infinity);
  const len = Math.min(t.streamed.length, t.before.length, t.one.length);
  const ratio = (/** @type {number[]} */ a, /** @type {number[]} */ b) => median(Array.from({ length: len }, (_, i) => a[i] / b[i])).toFixed(3);
  console.log(`${m}x${k}x${n}: streamed ${median(t.streamed).toFixed(3)} ms, written before ${median(t.before).toFixed(3)}, one thread ${median(t.one).toFixed(3)}; ` +
    `streamed ${ratio(t.before, t.streamed)}x as fast as before; 2t/1t ${ratio(t.one, t.streamed)} streamed, ${ratio(t.one, t.before)} before`);
  dispose();
}
process.exit(0);
