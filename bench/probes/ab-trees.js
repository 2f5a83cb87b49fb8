// Two checkouts' builds of the library alternated in one process, on 1 and 2
// threads: u8s8 matmulInteger into `out`, and the dynamic Linear returning a
// new array (dq) and into `out` (dqo). For a change to the C side, measured
// against the commit before it: make a worktree of that commit (its dist/ is
// committed) and give both paths. Each ratio is the median over runs of the
// ratio within a run (bench/lib/time-all.js pairedRatio): the VM's speed
// swings cancel out of it.
//   git worktree add /tmp/before HEAD~1 && ln -s "$PWD/node_modules" /tmp/before/
//   node bench/probes/ab-trees.js /tmp/before . [--runs 11] [--shapes 128,768,768;512,512,512] [--kept]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gemmData } from '../lib/ort-gemm.js';
import { machineLine } from '../lib/threads.js';
import { median, pairedRatio, timeAllRuns } from '../lib/time-all.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
/** @type {string[]} */
const trees = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs' || args[i] === '--shapes') i++;
  else if (!args[i].startsWith('--')) trees.push(args[i]);
}
const [treeA, treeB] = trees;
if (treeB === undefined) throw new Error('usage: node bench/probes/ab-trees.js TREE_A TREE_B [--runs N] [--shapes m,k,n;...] [--kept]');
const RUNS = Number(opt('--runs', '11'));
const SHAPES = opt('--shapes', '128,768,768;512,512,512;16,1024,1024').split(';').map((s) => s.split(',').map(Number));
// --kept: both sides' weights kept widened (PackedMatrix.pack's and the Linear's keepWidened).
const keepWidened = args.includes('--kept');

/** @param {string} tree */
async function load(tree) {
  const url = (/** @type {string} */ file) => pathToFileURL(path.resolve(tree, file)).href;
  const qdq = await import(url('js/index.js'));
  const loader = await import(url('js/runtime/loader.js'));
  await qdq.init({ numThreads: 2 });
  return { qdq, loader };
}
const sides = { A: await load(treeA), B: await load(treeB) };
/** @param {any} loader @param {number} n @param {() => unknown} fn */
const on = (loader, n, fn) => () => {
  loader.setThreadLimit(n);
  try {
    return fn();
  } finally {
    loader.setThreadLimit(Infinity);
  }
};

let seed = 12345;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
console.log(`${machineLine()}; Node ${process.version}; A ${treeA}, B ${treeB}${keepWidened ? ', weights kept widened' : ''}; ${new Date().toISOString().slice(11, 19)} UTC`);
for (const [m, k, n] of SHAPES) {
  const { bS8, wT, aU8, x, scales } = gemmData(m, k, n, next);
  /** @type {Record<string, () => unknown>} */
  const fns = {};
  for (const [tag, { qdq, loader }] of Object.entries(sides)) {
    const packed = qdq.PackedMatrix.pack(bS8, { k, n, keepWidened });
    const dyn = qdq.DynamicQuantizedLinear.fromQuantized({
      weight: wT, weightScales: scales, inFeatures: k, outFeatures: n, compat: 'onnx', keepWidened,
    });
    const out = new Int32Array(m * n), yOut = new Float32Array(m * n);
    for (const t of [1, 2]) {
      fns[`u8 ${tag}${t}`] = on(loader, t, () => qdq.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out }));
      fns[`dq ${tag}${t}`] = on(loader, t, () => dyn.forward(x));
      fns[`dqo ${tag}${t}`] = on(loader, t, () => dyn.forward(x, m, { out: yOut }));
    }
  }
  const runs = await timeAllRuns(fns, { runs: RUNS, minBatchMs: 30, settleMs: 50 });
  const us = (/** @type {string} */ name) => (median(runs[name]) * 1e3).toFixed(0).padStart(5);
  const ratio = (/** @type {string} */ a, /** @type {string} */ b) => pairedRatio(runs, a, b).toFixed(3);
  console.log(`${m}x${k}x${n}: µs 1t / 2t, and B / A (speed) on 1 and 2 threads`);
  for (const op of ['u8', 'dq', 'dqo']) {
    console.log(`  ${op.padEnd(3)} A ${us(`${op} A1`)} /${us(`${op} A2`)}   B ${us(`${op} B1`)} /${us(`${op} B2`)}   B/A 1t ${ratio(`${op} A1`, `${op} B1`)}  2t ${ratio(`${op} A2`, `${op} B2`)}`);
  }
}
process.exit(0);
