// Two builds of the int8 GEMM operator against each other: qdq_qs8_gemm of
// build A and of build B (any two .wasm files of the single-threaded kind,
// e.g. dist/qdq-simd128.wasm before and after a change, copied aside) on the
// same operands, alternated batch by batch, one thread. Each layout
// instantiates both modules afresh and mallocs a pad of its own size before
// the operands, since where the buffers land alone moved a call by up to 5%
// here: a change is what holds across layouts. u8 A (zero point 128) times
// s8 B; --kind 0 int32 output (matmulInteger), 2 float (the dynamic Linear's
// output stage, multipliers 0.001). Prints A/B time per layout and the median.
//   node bench/probes/gemm-builds.js A.wasm B.wasm [--shape 512,512,512] [--kind 0|2]
import { readFileSync } from 'node:fs';
import { machineLine } from '../lib/threads.js';
import { median } from '../lib/time-all.js';
import { instantiateModule } from '../../js/runtime/loader.js';
import { RawWasm } from '../../tests/helpers/raw-wasm.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [fa, fb] = args;
if (!fa || !fb || fa.startsWith('--') || fb.startsWith('--')) throw new Error('usage: gemm-builds.js A.wasm B.wasm [--shape m,k,n] [--kind 0|2]');
const [m, k, n] = opt('--shape', '512,512,512').split(',').map(Number);
const kind = Number(opt('--kind', '0'));
const bytes = [fa, fb].map((f) => readFileSync(f));
console.log(`${machineLine()}, Node ${process.version}; ${m}x${k}x${n}, output kind ${kind}; A ${fa}, B ${fb}; us per call, medians of 7 batches`);
/** @type {number[]} */
const ratios = [];
for (const pad of [16, 1040, 2064, 3088, 4112, 5136, 6160, 7184]) {
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);
  const a8 = Uint8Array.from({ length: m * k }, rand), b8 = Uint8Array.from({ length: k * n }, rand);
  const calls = bytes.map((wasm) => {
    const rt = new RawWasm(instantiateModule(new WebAssembly.Module(wasm)));
    const ex = /** @type {any} */ (rt.exports);
    rt.alloc(pad);
    const put = (/** @type {Uint8Array} */ v) => {
      const p = rt.alloc(v.byteLength + 64);
      rt.refresh();
      rt.u8.set(v, p);
      return p;
    };
    const b = put(b8), a = put(a8);
    const packed = rt.alloc(ex.qdq_qs8_gemm_packed_size(n, k) + 64);
    if (ex.qdq_qs8_gemm_pack(n, k, b, 0, 0, 0, 0, packed) !== 0) throw new Error('qdq_qs8_gemm_pack failed');
    const y = rt.alloc(4 * m * n + 64);
    const mult = put(new Uint8Array(new Float32Array(n).fill(0.001).buffer));
    const call = () => ex.qdq_qs8_gemm(m, n, k, a, 1, 128, packed, y, kind, kind ? mult : 0, 0, 0, 0, 0);
    return { call, result: () => (rt.refresh(), rt.u8.slice(y, y + 4 * m * n)) };
  });
  for (const c of calls) for (let j = 0; j < 20; j++) c.call();
  if (!Buffer.from(calls[0].result()).equals(Buffer.from(calls[1].result()))) throw new Error('A and B give different bytes');
  /** @type {number[][]} */
  const t = [[], []];
  const reps = Math.max(5, Math.round(1.5e9 / (m * k * n)));
  for (let r = 0; r < 7; r++) {
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      for (let j = 0; j < reps; j++) calls[i].call();
      t[i].push((performance.now() - t0) / reps * 1e3);
    }
  }
  const ratio = median(t[0].map((v, i) => v / t[1][i]));
  ratios.push(ratio);
  console.log(`pad ${String(pad).padStart(4)}: A ${median(t[0]).toFixed(0)}  B ${median(t[1]).toFixed(0)}  A/B ${ratio.toFixed(3)}`);
}
console.log(`A/B over layouts: median ${median(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)} (above 1: B is faster)`);
