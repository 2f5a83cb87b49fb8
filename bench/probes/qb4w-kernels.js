// The 4-bit level-4 kernels side by side on one packed 4096 x 4096 weight
// (block 32, zero points), called directly from the test build's exports: the
// GEMV kernels (one row) with the int8 GEMV kernel on int8 weights of the same
// shape, and the 4-row kernels on 4 rows. Kernel time only (no staging, no
// copies), alternating runs: the fastest run (what the kernel does when the
// other jobs on a shared machine leave it a core) and the median.
//   node bench/probes/qb4w-kernels.js [--build simd128|relaxed] [--bs 32] [--n 4096] [--k 4096]
import os from 'node:os';
import * as qdq from '../../js/index.js';
import { testWasm } from '../../tests/helpers/wasm.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('build', 'simd128'));
const bs = Number(opt('bs', '32')), n = Number(opt('n', '4096')), k = Number(opt('k', '4096'));
const rt = testWasm(build);
const ex = /** @type {any} */ (rt.exports);
let seed = 11;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
const kb = Math.ceil(k / bs), kpad = kb * bs;

/** @param {ArrayBufferView} a */
function put(a) {
  const p = rt.alloc(a.byteLength + 64);
  rt.refresh();
  rt.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
  return p;
}

// 4-bit weights in the ORT layout, packed by the library.
const b = put(Uint8Array.from({ length: n * kb * bs / 2 }, rand));
const scales = put(Float32Array.from({ length: n * kb }, () => rand() / 256));
const zp = put(Uint8Array.from({ length: n * Math.ceil(kb / 2) }, rand));
const packed = rt.alloc(ex.qdq_nbits_packed_size(n, k, 4, bs) + 64);
if (ex.qdq_nbits_pack(n, k, 4, bs, b, scales, zp, packed) !== 0) throw new Error('pack');
// Activations as B5 stages them: int8 per block with scales and sums, and the int16 pair-permuted copy.
const ROWS = 4;
const af = put(Float32Array.from({ length: ROWS * k }, () => rand() / 32 - 4));
const aq = rt.alloc(ROWS * kpad + 64), as = rt.alloc(4 * ROWS * kb + 64), asum = rt.alloc(4 * ROWS * kb + 64);
for (let i = 0; i < ROWS; i++) ex.qdq_reference_nbits_quantize_activations(k, bs, af + 4 * i * k, aq + i * kpad, as + 4 * i * kb, asum + 4 * i * kb);
rt.refresh();
const q8 = new Int8Array(rt.memory.buffer, aq, ROWS * kpad).slice();
const w16 = new Int16Array(ROWS * kpad);
for (let l = 0; l < ROWS * kpad; l += 4) [w16[l], w16[l + 1], w16[l + 2], w16[l + 3]] = [q8[l], q8[l + 2], q8[l + 1], q8[l + 3]];
const aw = put(w16);
const bias = put(new Float32Array(n + 8));
const y = rt.alloc(4 * ROWS * n + 64);
// The int8 GEMV kernel on int8 weights of the same shape (packed NR = 8, KR = 4: 32 bias bytes then 32 per 4 k per group).
const groups = Math.ceil(n / 8);
const w8 = put(Uint8Array.from({ length: groups * (32 + 8 * Math.ceil(k / 4) * 4) }, rand));
const a8 = put(Int8Array.from({ length: k + 16 }, () => (rand() & 127) - 64));
const y32 = rt.alloc(4 * n + 64);
const w0 = packed + 16;

/** @type {Record<string, () => unknown>} */
const fns = {};
const add = (/** @type {string} */ name, /** @type {() => unknown} */ fn) => { if (typeof ex[name.split(' ')[0]] === 'function') fns[name] = fn; };
add('qdq_qs8_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2', () => ex.qdq_qs8_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2(1, n, kb, bs, aq, kpad, as, asum, kb, w0, bias, y, 4 * n));
add('qdq_qs16_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2', () => ex.qdq_qs16_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2(1, n, kb, bs, aw, 2 * kpad, as, asum, kb, w0, bias, y, 4 * n));
add('qdq_qs8_qb4w_gemm_ukernel_1x32c4__wasmrelaxedsimd_rdot7', () => ex.qdq_qs8_qb4w_gemm_ukernel_1x32c4__wasmrelaxedsimd_rdot7(1, n, kb, bs, aq, kpad, as, asum, kb, w0, bias, y, 4 * n));
add('qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmsimd_dot16x2 (int8)', () => ex.qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmsimd_dot16x2(1, n, k, a8, k, w8, y32, 4 * n));
add('qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmsimd_dot16x2', () => ex.qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmsimd_dot16x2(ROWS, n, kb, bs, aq, kpad, as, asum, kb, w0, bias, y, 4 * n));
add('qdq_qs16_qb4w_gemm_ukernel_4x8c4__wasmsimd_dot16x2', () => ex.qdq_qs16_qb4w_gemm_ukernel_4x8c4__wasmsimd_dot16x2(ROWS, n, kb, bs, aw, 2 * kpad, as, asum, kb, w0, bias, y, 4 * n));
add('qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7', () => ex.qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7(ROWS, n, kb, bs, aq, kpad, as, asum, kb, w0, bias, y, 4 * n));
// The whole operator for one row (B5 staging, int16 widening, workspace malloc, the kernel).
const yop = rt.alloc(4 * n + 64);
add('qdq_nbits_matmul (operator, level 4)', () => ex.qdq_nbits_matmul(1, n, k, af, packed, 0, yop, 4));
// And the public layers on the production build, caller-visible (as bench/nbits.js times them):
// MatMulNBits level 4 against the int8 DynamicQuantizedLinear on float weights of the same shape.
await qdq.init({ build, numThreads: 1 });
const wf = Float32Array.from({ length: n * k }, () => rand() / 128 - 1);
const q = qdq.quantizeBlockwise(wf, { n, k, bits: 4, blockSize: bs });
const mm4 = qdq.MatMulNBits.pack({ ...q, accuracyLevel: 4 });
const dyn = qdq.DynamicQuantizedLinear.fromFloat(wf, null, { inFeatures: k, outFeatures: n });
const x1 = Float32Array.from({ length: k }, () => rand() / 32 - 4);
fns['MatMulNBits.forward (layer, level 4)'] = () => mm4.forward(x1, 1);
fns['DynamicQuantizedLinear.forward (layer, int8)'] = () => dyn.forward(x1, 1);
const RUNS = 31, REPS = 8;
/** @type {Record<string, number[]>} */
const times = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
for (const fn of Object.values(fns)) fn();
for (let run = 0; run < RUNS; run++) {
  for (const [name, fn] of Object.entries(fns)) {
    const t0 = performance.now();
    for (let i = 0; i < REPS; i++) fn();
    times[name].push((performance.now() - t0) / REPS);
  }
}
const stat = (/** @type {number[]} */ t) => { const s = t.slice().sort((x, y) => x - y); return { min: s[0], median: s[RUNS >> 1] }; };
const int8 = stat(times['qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmsimd_dot16x2 (int8)']);
console.log(`${os.cpus()[0]?.model}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; Node ${process.versions.node}; ${build} test build; 1x${k}x${n}, block ${bs}`);
console.log(`${'kernel'.padEnd(62)} rows    fastest    median   (x int8 per row: fastest, median)`);
for (const [name, t] of Object.entries(times)) {
  const rows = name.includes('_4x8c4_') ? ROWS : 1;
  const s = stat(t);
  if (name.startsWith('MatMulNBits')) {
    const d = stat(times['DynamicQuantizedLinear.forward (layer, int8)']);
    console.log(`${name.padEnd(62)} 1  ${s.min.toFixed(3).padStart(8)} ms ${s.median.toFixed(3).padStart(8)} ms   ` +
      `${(d.min / s.min).toFixed(2)}x ${(d.median / s.median).toFixed(2)}x the int8 layer`);
    continue;
  }
  console.log(`${name.padEnd(62)} ${rows}  ${s.min.toFixed(3).padStart(8)} ms ${s.median.toFixed(3).padStart(8)} ms   ` +
    `${(rows * int8.min / s.min).toFixed(2)}x ${(rows * int8.median / s.median).toFixed(2)}x`);
}
