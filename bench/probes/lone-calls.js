// Lone calls: a dynamic Linear after a 3 ms pause (past the workers' poll, so
// they sleep; a busy loop, or with --idle a timer), one thread and two alternated call by call; per-call times,
// and with --trace each two-thread call's regions (start, length, the calling
// thread's tasks, C: it claimed the worker's part) and the worker's wake-ups
// (when it saw its region, s: from Atomics.wait, p: while polling; the tasks
// it ran, -1: the region was claimed; when it left, Y: it slept at once)
// all in µs from the call's start. The trace runs a copy of js/runtime/worker.js
// with a report posted after each wake-up (written to the temp directory).
// docs/threads-measurements.md, "Lone calls" (session 15).
//   node bench/probes/lone-calls.js [--shape 16,1024,1024] [--calls 300] [--idle] [--trace [rows]]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [m, k, n] = opt('--shape', '16,1024,1024').split(',').map(Number);
const CALLS = Number(opt('--calls', '300'));
const trace = args.includes('--trace');
// --idle: the pause is a timer (this thread idles too, as a page between events), not a busy loop.
const idle = args.includes('--idle');
const rowsShown = trace ? Number(opt('--trace', '40')) || 40 : 0;

/** worker.js with a report after each wake-up; throws if the lines it edits have changed. */
function tracingWorker() {
  let src = readFileSync(new URL('../../js/runtime/worker.js', import.meta.url), 'utf8');
  /** @param {string} from @param {string} to */
  const edit = (from, to) => {
    if (!src.includes(from)) throw new Error(`lone-calls.js: worker.js no longer has ${JSON.stringify(from)}; update the trace`);
    src = src.replace(from, to);
  };
  const now = 'performance.timeOrigin + performance.now()';
  edit('    while (!bumped()) Atomics.wait(c, wake, seen);',
    `    let slept = false;\n    while (!bumped()) { slept = true; Atomics.wait(c, wake, seen); }\n    const woke = ${now};`);
  edit('!== previous) continue;', `!== previous) { post({ trace: [woke, -1, slept, ${now}, false] }); continue; }`);
  edit('    if (Atomics.add(c, CONTROL.pending, -1) === 1)',
    `    post({ trace: [woke, took, slept, ${now}, yieldCpu] });\n    if (Atomics.add(c, CONTROL.pending, -1) === 1)`);
  const file = join(mkdtempSync(join(tmpdir(), 'qdq-lone-calls-')), 'worker.js');
  writeFileSync(file, src);
  return pathToFileURL(file);
}

await qdq.init({ numThreads: 2, ...(trace ? { workerUrl: tracingWorker() } : {}) });
const pool = /** @type {any} */ (getRuntime()).pool;
const abs = () => performance.timeOrigin + performance.now();
/** @type {number[][]} */
const wakes = [];
/** @type {{ start: number, end: number, tasks: number, mine: number, claimed: boolean }[]} */
let regions = [];
if (trace) {
  pool.workers[0].on('message', (/** @type {any} */ msg) => msg.trace && wakes.push(msg.trace));
  const region = pool.region.bind(pool), pace = pool.pace.bind(pool);
  let mine = -1;
  pool.pace = (/** @type {number[]} */ ...a) => { mine = a[1]; return pace(...a); };
  pool.region = (/** @type {any[]} */ ...a) => {
    const start = abs(), claims = pool.claims;
    mine = -1;
    try {
      return region(...a);
    } finally {
      regions.push({ start, end: abs(), tasks: a[2], mine, claimed: pool.claims !== claims });
    }
  };
}

let seed = 7;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
const layer = qdq.DynamicQuantizedLinear.fromQuantized({ weight: new Int8Array(n * k).map(() => next()),
  weightScales: new Float32Array(n).fill(0.01), inFeatures: k, outFeatures: n });
const x = Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.5);
const out = new Float32Array(m * n);
/** @type {Record<number, number[]>} */
const times = { 1: [], 2: [] };
/** @type {{ start: number, end: number, regions: typeof regions }[]} */
const calls = [];
for (let i = 0; i < CALLS; i++) {
  const threads = 1 + (i & 1);
  setThreadLimit(threads);
  if (idle) {
    await new Promise((resolve) => setTimeout(resolve, 3));
  } else {
    const pause = performance.now();
    while (performance.now() - pause < 3);
  }
  regions = [];
  const start = abs();
  layer.forward(x, m, { out });
  const end = abs();
  times[threads].push(end - start);
  if (threads === 2) calls.push({ start, end, regions });
  if (trace && i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5)); // the reports arrive
}
setThreadLimit(Infinity);
await new Promise((resolve) => setTimeout(resolve, 50));

const one = median(times[1]), two = median(times[2]);
const slow = times[2].filter((t) => t > 1.5 * one).length;
console.log(`${machineLine()}; qdq-wasm simd128 -mt, Node ${process.version}; DynamicQuantizedLinear ${m}x${k}x${n} after a 3 ms ${idle ? 'idle' : 'busy'} pause`);
console.log(`µs per call, medians of ${times[1].length}: 1 thread ${(one * 1e3).toFixed(0)}, 2 threads ${(two * 1e3).toFixed(0)} ` +
  `(${(one / two).toFixed(2)}x); 2-thread calls over 1.5x the 1-thread median: ${slow} of ${times[2].length}`);
if (trace) {
  // The share of each call's last region (the GEMM) the calling thread ran: 0.5 is a fair split.
  const shares = calls.map((c) => c.regions.at(-1)).filter((r) => r !== undefined && r.mine >= 0).map((r) => r.mine / r.tasks);
  console.log(`the calling thread's share of the GEMM region's tasks: median ${median(shares).toFixed(2)} over ${shares.length} split calls`);
}
for (const c of calls.slice(0, rowsShown)) {
  const at = (/** @type {number} */ t) => ((t - c.start) * 1e3).toFixed(0);
  const rs = c.regions.map((r) => `R@${at(r.start)}+${((r.end - r.start) * 1e3).toFixed(0)} ${r.mine}/${r.tasks}${r.claimed ? ' C' : ''}`);
  const ws = wakes.filter((w) => w[0] >= c.start && w[0] <= c.end + 1)
    .map((w) => `woke@${at(w[0])}${w[2] ? 's' : 'p'} ran ${w[1]} left@${at(w[3])}${w[4] ? ' Y' : ''}`);
  console.log(`${((c.end - c.start) * 1e3).toFixed(0).padStart(5)} | ${rs.join(', ')} | ${ws.join(', ')}`);
}
process.exit(0);
