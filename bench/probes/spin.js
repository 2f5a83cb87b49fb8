// What a bounded spin before sleeping is worth (pool.spinMicros: a worker
// polls its wake word for that long after each region, the calling thread
// polls the pending count before Atomics.wait). Two-thread calls of the
// dynamic Linear and of u8s8 matmulInteger, in batches that alternate the
// budgets (a budget set for one call also shapes the next call's wake-up, so
// the first calls of each batch are dropped), medians per budget and the
// median ratio against no spin over paired batches. Setting a budget also
// ends any quiet spell of the pool's pacing (js/runtime/pool.js Pool#pace),
// so on a loaded machine each batch starts polling until the pacing stops it.
//   node bench/probes/spin.js [--build simd128|relaxed] [--batches 60] [--budgets 0,20,100,400]
import { gemmOperands } from '../lib/gemm-operands.js';
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import * as qdq from '../../js/index.js';
import { getRuntime, setThreadLimit } from '../../js/runtime/loader.js';
import { SPIN_MICROS } from '../../js/runtime/pool.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('--build', 'simd128'));
const BATCHES = Number(opt('--batches', '60'));
const budgets = opt('--budgets', '0,20,100,400').split(',').map(Number);
const PER = 12, DROP = 2;
await qdq.init({ build, numThreads: 2 });
setThreadLimit(2);
const pool = /** @type {any} */ (getRuntime()).pool;
console.log(`${machineLine()}; qdq-wasm ${build} -mt, 2 threads, Node ${process.version}; ms per call, medians of ${BATCHES} batch medians`);
for (const [m, k, n] of [[16, 1024, 1024], [128, 768, 768], [512, 512, 512]]) {
  const ops = gemmOperands(m, k, n);
  for (const [name, fn] of /** @type {[string, () => unknown][]} */ ([['DQL', ops.dql], ['u8s8', ops.u8s8]])) {
    /** @type {number[][]} */
    const per = budgets.map(() => []);
    for (let b = 0; b < BATCHES + 2; b++) {
      for (let j = 0; j < budgets.length; j++) {
        const jj = (j + b) % budgets.length; // rotate the order too
        pool.spinMicros = budgets[jj];
        const ts = [];
        for (let i = 0; i < PER; i++) {
          const t0 = performance.now();
          fn();
          ts.push(performance.now() - t0);
        }
        if (b >= 2) per[jj].push(median(ts.slice(DROP)));
      }
    }
    const base = per[0];
    const cells = budgets.map((us, j) => `${us} µs ${median(per[j]).toFixed(3)} (${median(per[j].map((v, i) => base[i] / v)).toFixed(3)}x)`);
    console.log(`${`${m}x${k}x${n}`.padEnd(12)} ${name.padEnd(5)} ${cells.join(' | ')}`);
  }
  pool.spinMicros = SPIN_MICROS;
  ops.dispose();
}
process.exit(0);
