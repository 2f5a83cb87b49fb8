// Register tiles for the int8 GEMM at the large shapes (bench/probes/gemm-xw.c):
// each tile run over the same operands the way the operator runs its kernel,
// interleaved, medians; GOPS = 2 m k n / time. Rows are rounded to the tile's
// multiple (60 rows for the 4-, 5- and 6-row tiles alike at m = 60...).
//   node bench/probes/gemm-xw.js [--shape 480,512,512]
import os from 'node:os';
import { loadProbe } from '../lib/probe-wasm.js';
import { timeAll } from '../lib/time-all.js';

const NAMES = ['c4x4x8', 'c4x4x8u', 'c4x4x8p', 'c4x4x8d', 'c4x4x8q', 'c2x4x8', 'c2x5x8', 'c2x6x8', 'c2x4x8u', 'c2x6x8u'];
const pe = loadProbe('gemm-xw', ['probe_alloc', ...NAMES.map((n) => `probe_${n}`)]);
const args = process.argv.slice(2);
const [m, k, n] = (args.includes('--shape') ? args[args.indexOf('--shape') + 1] : '480,512,512').split(',').map(Number);
const buf = (/** @type {number} */ elems) => {
  const p = pe.probe_alloc(2 * elems);
  new Int16Array(pe.memory.buffer, p, elems).forEach((_, i, v) => { v[i] = ((i * 2654435761) >>> 24) - 128; });
  return p;
};
// c4x4x8d reads 8 k int16 per row block from a + i0 k: room for the last block.
const a = buf((m + 4) * k), w = buf(n * k);
// The operator's column block: 96 KiB of int8 weights per block (src/operators/gemm.c).
const nc = Math.max(8, Math.floor(96 * 1024 / (k + 4) / 8) * 8);
/** @type {Record<string, () => unknown>} */
const fns = {};
for (const name of NAMES) {
  const mr = Number(name[3]);
  const rows = Math.floor(m / mr) * mr;
  fns[name] = () => pe[`probe_${name}`](a, w, rows, n, k, nc) + rows * 0;
}
const t = await timeAll(fns, { runs: 15, minBatchMs: 30 });
console.log(`${os.cpus()[0]?.model}, load ${os.loadavg()[0].toFixed(1)}; Node ${process.version}; emcc -O3 -msimd128; ${m}x${k}x${n}, column blocks of ${nc}`);
for (const name of NAMES) {
  const mr = Number(name[3]);
  const rows = Math.floor(m / mr) * mr;
  const gops = 2 * rows * k * n / t[name] / 1e6;
  console.log(`${name.padEnd(9)} ${(t[name] * 1e3).toFixed(0).padStart(7)} us ${gops.toFixed(1).padStart(7)} GOPS  ${(gops / (2 * Math.floor(m / 4) * 4 * k * n / t.c4x4x8 / 1e6)).toFixed(2)}x c4x4x8`);
}
