// The shared-memory (-mt) build against the single-threaded build, both on
// ONE thread, in one process, runs interleaved: the price a call pays for
// running on the -mt build when it stays on the calling thread (a small call
// under a pool, or init({ numThreads }) > 1 on one core's worth of work).
// init({ numThreads: 1 }) loads the single-threaded build, so it pays none.
// The C operators are called on data already in each module's memory (no
// JS copies), so the difference is the builds' code and memory alone.
//   node bench/threads-builds.js [--build simd128|relaxed]
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { timeAll } from './lib/time-all.js';
import { instantiateModule } from '../js/runtime/loader.js';
import { RawWasm } from '../tests/helpers/raw-wasm.js';

const args = process.argv.slice(2);
const build = args.includes('--build') ? args[args.indexOf('--build') + 1] : 'simd128';
const compile = (/** @type {string} */ name) => new WebAssembly.Module(readFileSync(new URL(`../dist/${name}.wasm`, import.meta.url)));

const single = new RawWasm(instantiateModule(compile(`qdq-${build}`)));
const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared: true });
const mtInstance = instantiateModule(compile(`qdq-${build}-mt`), {
  memory,
  qdq_host_tasks: () => 1,
  qdq_host_parallelize: () => {
    throw new Error('one thread: no region');
  },
});
const mt = new RawWasm({ exports: mtInstance.exports, memory });

let seed = 99;
const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;

/** The same operands in one module's memory; returns the calls to time. @param {RawWasm} w @param {number} n @param {number[]} shape */
function operands(w, n, [m, k, cols]) {
  const e = w.exports;
  const x = w.alloc(4 * n + 64), y = w.alloc(4 * n + 64), q = w.alloc(n + 64);
  const sp = w.alloc(8), zp = w.alloc(8);
  const b = w.alloc(k * cols), packed = w.alloc(e.qdq_qs8_gemm_packed_size(cols, k) + 64);
  const a = w.alloc(4 * m * k + 64), out = w.alloc(4 * m * cols + 64), ws = w.alloc(4 * cols + 64);
  w.refresh();
  let s = 5;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5;
  for (let i = 0; i < n; i++) w.f32[x / 4 + i] = r() * 8;
  for (let i = 0; i < k * cols; i++) w.i8[b + i] = Math.round(r() * 254);
  for (let i = 0; i < m * k; i++) w.f32[a / 4 + i] = r() * 4;
  for (let j = 0; j < cols; j++) w.f32[ws / 4 + j] = 0.01;
  w.f32[sp / 4] = 0.05;
  w.i32[zp / 4] = 0;
  e.qdq_qs8_gemm_pack(cols, k, b, 4 /* QDQ_FLAG_TRANSPOSED */, 0, 0, 0, packed);
  return {
    quantize: () => e.qdq_quantize(x, q, n, 0, 1, n, sp, zp, -128, 127, 0),
    dequantize: () => e.qdq_dequantize(q, y, n, 0, 1, n, sp, zp, 0),
    linear: () => e.qdq_dynamic_linear(m, cols, k, a, packed, ws, 0, out, 0, 0),
  };
}

console.log(`qdq-wasm ${build}: single-threaded build vs -mt build, both on one thread; Node ${process.version}, ` +
  `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
console.log('operator      elements / shape     single ms    -mt ms   -mt / single');
const CASES = [[4096, [1, 64, 64]], [65536, [16, 256, 256]], [1 << 20, [1, 4096, 4096]], [0, [16, 1024, 1024]], [0, [128, 768, 768]]];
for (const [n, shape] of CASES) {
  const one = operands(single, n, shape), two = operands(mt, n, shape);
  for (const op of /** @type {const} */ (['quantize', 'dequantize', 'linear'])) {
    if (op !== 'linear' && n === 0) continue;
    const ms = await timeAll({ single: one[op], mt: two[op] }, { runs: 11, minBatchMs: 30 });
    const what = op === 'linear' ? shape.join('x') : String(n);
    console.log(`${op.padEnd(13)} ${what.padEnd(18)} ${ms.single.toFixed(4).padStart(10)} ${ms.mt.toFixed(4).padStart(9)} ${(ms.mt / ms.single).toFixed(3).padStart(12)}`);
  }
}
