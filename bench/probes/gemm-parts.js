// Where one int8 GEMM call's time goes (issue 12's large shapes): the
// operator qdq_qs8_gemm on operands already in wasm memory (uint8 at zero
// point 128, the in-place int32 path matmulInteger takes for them), against
// its parts run alone on the same operands: the xw kernel over every tile
// writing Y in place (weights widened once into one buffer, outside the
// timing), the weight widening, and the JS call with its copies
// (matmulInteger, on the production build). One thread, the test build.
//   node bench/probes/gemm-parts.js [--build simd128|relaxed] [--shape 512,512,512]
import os from 'node:os';
import * as qdq from '../../js/index.js';
import { testWasm } from '../../tests/helpers/wasm.js';
import { timeAll } from '../lib/time-all.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const build = /** @type {'simd128' | 'relaxed'} */ (opt('build', 'simd128'));
const [m, k, n] = opt('shape', '512,512,512').split(',').map(Number);
await qdq.init({ build, numThreads: 1 });
const rt = testWasm(build);
const ex = /** @type {any} */ (rt.exports);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
/** @param {ArrayBufferView} a */
function put(a) {
  const p = rt.alloc(a.byteLength + 64);
  rt.refresh();
  rt.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
  return p;
}
const kpad = Math.ceil(k / 4) * 4;
const bU8 = Uint8Array.from({ length: k * n }, rand);
const aU8 = Uint8Array.from({ length: m * k }, rand);
const b = put(bU8), a = put(aU8);
const packed = rt.alloc(ex.qdq_qs8_gemm_packed_size(n, k) + 64);
// Zero points of B: n zeros (a null pointer would read n words at address 0,
// and the output stage would then apply their corrections).
if (ex.qdq_qs8_gemm_pack(n, k, b, 0, put(new Int32Array(n)), 0, 0, packed) !== 0) throw new Error('pack');
const y = rt.alloc(4 * m * n + 64);
const blocks = Math.ceil(n / 8);
const wx = rt.alloc(blocks * (32 + 16 * kpad) + 64);
ex.qdq_qs8_gemm_widen_w(blocks, kpad, packed, wx);
const a16 = rt.alloc(2 * Math.ceil(m / 4) * 4 * kpad + 64);
rt.refresh();
const a16v = new Int16Array(rt.memory.buffer, a16, Math.ceil(m / 4) * 4 * kpad);
// The xw kernel's packed-A layout (qdq_qs8_gemm_pack_a16): per 4 rows, per chunk of 4 k, rows x 4 values.
for (let i = 0; i < m; i++) {
  for (let l = 0; l < k; l++) a16v[(i >> 2) * 4 * kpad + (l >> 2) * 16 + (i & 3) * 4 + (l & 3)] = (aU8[i * k + l] ^ 0x80) << 24 >> 24;
}
const nc = Math.max(8, Math.floor(96 * 1024 / (kpad + 4) / 8) * 8);
const kernel = ex.qdq_qs16_qc8w_gemm_xw_ukernel_4x8c4__wasmsimd_dot16x2;
const jsPacked = qdq.PackedMatrix.pack(new Int8Array(bU8.buffer), { k, n });
const out = new Int32Array(m * n);
const ms = await timeAll({
  // uint8 activations at zero point 128 on weights packed for 0 (int8
  // domain): G3's terms are all zero and the kernels write Y in place.
  operator: () => ex.qdq_qs8_gemm(m, n, k, a, 1, 128, packed, y, 0, 0, 0, 0, 0, 0),
  kernels: () => {
    for (let j0 = 0; j0 < n; j0 += nc) {
      const nb = Math.min(nc, n - j0);
      const w = wx + (j0 / 8) * (32 + 16 * kpad);
      for (let i0 = 0; i0 < m; i0 += 4) kernel(Math.min(4, m - i0), nb, k, a16 + 2 * i0 * kpad, 2 * kpad, w, y + 4 * (i0 * n + j0), 4 * n);
    }
  },
  widen: () => ex.qdq_qs8_gemm_widen_w(blocks, kpad, packed, wx),
  matmulInteger: () => qdq.matmulInteger(aU8, jsPacked, { m, aZeroPoint: 128, out }),
}, { runs: 15, minBatchMs: 30 });
const gops = (/** @type {number} */ t) => (2 * m * k * n / t / 1e6).toFixed(1);
console.log(`${os.cpus()[0]?.model}, load ${os.loadavg()[0].toFixed(1)}; Node ${process.version}; ${build} test build; ${m}x${k}x${n}, 1 thread, medians`);
for (const [name, t] of Object.entries(ms)) console.log(`${name.padEnd(14)} ${(t * 1e3).toFixed(0).padStart(7)} us  ${gops(t).padStart(6)} GOPS-equivalent  ${(100 * t / ms.operator).toFixed(0).padStart(4)}% of the operator`);
process.exit(0);
