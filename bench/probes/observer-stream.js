// HistogramObserver.observe on one thread and on two, with its batch streamed
// into the min/max region (the default since session 18) and copied in
// first (Pool#streamInputs off: the copy and min/max on the calling thread,
// then the binning split), alternated call by call in that order, each call
// after --pause (default 'busy': a 3 ms busy loop, the workers asleep after
// it; 'none': back to back, the workers still polling). One observer per
// candidate, the same batch each call (after the first, an ADD update).
// Medians in µs and the speedups against one thread; docs/threads.md T5.
//   node bench/probes/observer-stream.js [--sizes 262144,1048576,4194304] [--calls 60] [--pause busy|none]
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const sizes = opt('--sizes', '262144,1048576,4194304').split(',').map(Number);
const CALLS = Number(opt('--calls', '60'));
const pauseKind = opt('--pause', 'busy');

const info = await qdq.init({ numThreads: 2 });
if (info.threads !== 2) throw new Error(`two threads needed: ${info.threadsNote}`);
const pool = /** @type {any} */ (getRuntime()).pool;
const pause = () => {
  if (pauseKind === 'busy') for (const s = performance.now(); performance.now() - s < 3;);
};

console.log(`HistogramObserver.observe, qdq-wasm simd128 -mt, Node ${process.version}, ${machineLine()}; ${CALLS} calls each, pause ${pauseKind}`);
console.log('elements    1t us   2t streamed   2t copied   streamed x   copied x   streamed/copied');
let seed = 99;
const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
// Standard normals, as bench/observers.js: torch 1.13's histc bounds int(min), int(max) leave out the
// few elements past them, where uniform data on (-3, 3) would leave out a third, each a branch the
// binning kernel mispredicts.
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
for (const n of sizes) {
  const x = Float32Array.from({ length: n }, normal);
  const cands = [
    { threads: 1, stream: true, obs: new qdq.HistogramObserver(), t: /** @type {number[]} */ ([]) },
    { threads: 2, stream: true, obs: new qdq.HistogramObserver(), t: /** @type {number[]} */ ([]) },
    { threads: 2, stream: false, obs: new qdq.HistogramObserver(), t: /** @type {number[]} */ ([]) },
  ];
  for (let i = -3; i < CALLS; i++) {
    for (const c of cands) {
      setThreadLimit(c.threads);
      pool.streamInputs = c.stream;
      pause();
      const t0 = performance.now();
      c.obs.observe(x);
      const t = performance.now() - t0;
      if (i >= 0) c.t.push(t * 1e3);
    }
  }
  setThreadLimit(Infinity);
  pool.streamInputs = true;
  const [one, streamed, copied] = cands.map((c) => median(c.t));
  // Per call, so that a slow stretch of the VM falls on the three alike.
  const ratio = (/** @type {number[]} */ a, /** @type {number[]} */ b) => median(a.map((v, i) => v / b[i]));
  console.log(`${String(n).padEnd(10)} ${one.toFixed(0).padStart(7)} ${streamed.toFixed(0).padStart(12)} ${copied.toFixed(0).padStart(11)}` +
    ` ${ratio(cands[0].t, cands[1].t).toFixed(2).padStart(12)} ${ratio(cands[0].t, cands[2].t).toFixed(2).padStart(10)}` +
    ` ${ratio(cands[2].t, cands[1].t).toFixed(2).padStart(17)}`);
  if (!cands.every((c) => Buffer.from(c.obs.state.buffer).equals(Buffer.from(cands[0].obs.state.buffer)))) {
    throw new Error(`${n}: the three observers' states differ`);
  }
}
process.exit(0);
