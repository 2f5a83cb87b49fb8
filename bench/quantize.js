// Quantize and dequantize benchmark: qdq-wasm vs onnxruntime-web vs a plain
// JS loop, in one process, on 1M and 16M float32 elements, per tensor and
// per channel ([256, N/256], axis 0), int8.
//
//   qdq-wasm            what a caller sees: typed array in, new typed array out
//   qdq-wasm (out)      the same, writing into a preallocated `out` array
//   onnxruntime-web     session.run of a one-node QuantizeLinear/DequantizeLinear
//                       model created once (opset 13, wasm backend, numThreads = 1),
//                       timed with tensor creation and reading the output
//   plain JS            a loop over the typed arrays
//   kernel alone        the C operator (qdq_quantize / qdq_dequantize) on data
//                       already in wasm memory: no copies
//
// Each row is the median of RUNS timed runs after WARMUP runs. GB/s counts
// input + output bytes (5 bytes per element). "vs ORT" is ORT's median time
// divided by the row's: above 1 is faster than onnxruntime-web.
//
// Environment: QDQ_BENCH_SIZES (comma-separated element counts, default
// 1048576,16777216), QDQ_BENCH_RUNS (default 9), QDQ_BENCH_CHANNELS (256).
// Run through `npm run bench` (bench/run.js) or `node bench/quantize.js`.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-web';
import * as qdq from '../js/index.js';
import { getRuntime } from '../js/runtime/loader.js';
import { RawWasm } from '../tests/helpers/raw-wasm.js';
import { DataType, model, node, tensor, valueInfo } from '../tests/helpers/onnx-model.js';

const SIZES = (process.env.QDQ_BENCH_SIZES ?? `${2 ** 20},${2 ** 24}`).split(',').map(Number);
const RUNS = Number(process.env.QDQ_BENCH_RUNS ?? 9);
const CHANNELS = Number(process.env.QDQ_BENCH_CHANNELS ?? 256);

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
await qdq.init({ numThreads: 1 }); // one thread, as the onnxruntime-web peer
const runtime = getRuntime();
/** Raw access to the same instance, for the kernel-only timings. */
const rt = new RawWasm(runtime);
/** global.gc when Node runs with --expose-gc (bench/run.js passes it). */
const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
if (process.env.QDQ_BENCH_CHUNK) {
  // Experiments only: a smaller staging chunk than the build's (buffers are sized for the build's).
  runtime.chunk = Math.min(runtime.chunk, Number(process.env.QDQ_BENCH_CHUNK));
}

/** @param {number[]} a */
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

/**
 * Median wall time of fn in ms.
 * @param {() => unknown | Promise<unknown>} fn @param {number} n elements (sets warmup)
 */
async function time(fn, n) {
  const warmup = n >= 2 ** 24 ? 2 : 5;
  for (let i = 0; i < warmup; i++) await fn();
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    gc?.(); // outside the timed region: each run starts without the previous runs' garbage
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Seeded uniform [0, 1). @param {number} seed */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** onnxruntime session of one Q or DQ node with constant qparams. */
async function ortSession(op, shape, scales, zps, axis) {
  const perAxis = axis !== null;
  const pdims = perAxis ? [scales.length] : [];
  const isQ = op === 'QuantizeLinear';
  const bytes = model({
    opset: 13,
    nodes: [node(op, ['a', 's', 'zp'], ['b'], perAxis ? { axis } : {})],
    initializers: [tensor('s', DataType.FLOAT, pdims, scales), tensor('zp', DataType.INT8, pdims, zps)],
    inputs: [valueInfo('a', isQ ? DataType.FLOAT : DataType.INT8, shape)],
    outputs: [valueInfo('b', isQ ? DataType.INT8 : DataType.FLOAT, shape)],
  });
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
}

/** 1.5 * 2^52: v + MAGIC - MAGIC rounds a double half to even (|v| < 2^51). */
const MAGIC = 6755399441055744;

/**
 * Plain JS quantize (E5, divide, half to even), per channel along axis 0 of
 * [C, inner]. Rounds with the double magic-number trick: Math.round is both
 * wrong here (halves go up) and slow in V8 on this machine (~8 ns/element).
 */
function jsQuantize(x, out, scales, zps, inner) {
  for (let c = 0, i = 0; c < scales.length; c++) {
    const s = scales[c], zp = zps[c];
    for (const end = i + inner; i < end; i++) {
      const r = Math.fround(x[i] / s) + MAGIC - MAGIC + zp; // float32 division, as ONNX
      out[i] = r < -128 ? -128 : r > 127 ? 127 : r;
    }
  }
}

/** Plain JS dequantize (E7); the Float32Array store rounds the exact product once. */
function jsDequantize(q, out, scales, zps, inner) {
  for (let c = 0, i = 0; c < scales.length; c++) {
    const s = scales[c], zp = zps[c];
    for (const end = i + inner; i < end; i++) out[i] = (q[i] - zp) * s;
  }
}

/** Are two typed arrays equal element for element (by bits for floats)? */
function same(a, b) {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

const rows = [];
/** @param {string} name @param {string} impl @param {number} ms @param {number} n @param {number} ortMs */
function row(name, impl, ms, n, ortMs) {
  rows.push({ name, impl, ms, nsPerElem: (ms * 1e6) / n, gbps: (5 * n) / (ms * 1e6), gelems: n / (ms * 1e6), vsOrt: ortMs / ms });
}

const mismatches = [];
for (const n of SIZES) {
  const rand = prng(n);
  const x = Float32Array.from({ length: n }, () => (rand() - 0.5) * 8);
  for (const perChannel of [false, true]) {
    const C = perChannel ? CHANNELS : 1;
    const inner = n / C;
    const shape = perChannel ? [C, inner] : [n];
    const axis = perChannel ? 0 : null;
    const scales = Array.from({ length: C }, () => Math.fround(0.02 + rand() * 0.03));
    const zps = Array.from({ length: C }, () => Math.floor(rand() * 21) - 10);
    const layout = perChannel ? `per channel [${C}, ${inner}] axis 0` : 'per tensor';
    const label = `${n >= 2 ** 20 ? `${n / 2 ** 20}M` : n} ${layout}`;

    const ourQ = perChannel
      ? (out) => qdq.quantizePerChannel(x, { shape, axis: 0, scales, zeroPoints: zps, out })
      : (out) => qdq.quantizePerTensor(x, { scale: scales[0], zeroPoint: zps[0], out });
    const q = ourQ(undefined).data;
    const qt = perChannel
      ? { data: q, shape, axis: 0, scales, zeroPoints: zps }
      : { data: q, scale: scales[0], zeroPoint: zps[0] };

    // --- quantize ---
    const qs = await ortSession('QuantizeLinear', shape, scales, zps, axis);
    const ortQ = async () => (await qs.run({ a: new ort.Tensor('float32', x, shape) })).b.data;
    if (!same(await ortQ(), q)) mismatches.push(`quantize ${label}`);
    const ortQMs = await time(ortQ, n);
    const qOut = new Int8Array(n);
    const jsOut = new Int8Array(n);
    jsQuantize(x, jsOut, scales, zps, inner);
    if (!same(jsOut, q)) mismatches.push(`plain JS quantize ${label}`);
    row(`quantize ${label}`, 'onnxruntime-web', ortQMs, n, ortQMs);
    row(`quantize ${label}`, 'qdq-wasm', await time(() => ourQ(undefined), n), n, ortQMs);
    row(`quantize ${label}`, 'qdq-wasm (out)', await time(() => ourQ(qOut), n), n, ortQMs);
    row(`quantize ${label}`, 'plain JS', await time(() => jsQuantize(x, jsOut, scales, zps, inner), n), n, ortQMs);
    await qs.release();

    // --- dequantize ---
    const ds = await ortSession('DequantizeLinear', shape, scales, zps, axis);
    const ortD = async () => (await ds.run({ a: new ort.Tensor('int8', q, shape) })).b.data;
    const y = qdq.dequantize(qt);
    if (!same(await ortD(), y)) mismatches.push(`dequantize ${label}`);
    const ortDMs = await time(ortD, n);
    const yOut = new Float32Array(n);
    const jsY = new Float32Array(n);
    jsDequantize(q, jsY, scales, zps, inner);
    if (!same(jsY, y)) mismatches.push(`plain JS dequantize ${label}`);
    row(`dequantize ${label}`, 'onnxruntime-web', ortDMs, n, ortDMs);
    row(`dequantize ${label}`, 'qdq-wasm', await time(() => qdq.dequantize(qt), n), n, ortDMs);
    row(`dequantize ${label}`, 'qdq-wasm (out)', await time(() => qdq.dequantize(qt, { out: yOut }), n), n, ortDMs);
    row(`dequantize ${label}`, 'plain JS', await time(() => jsDequantize(q, jsY, scales, zps, inner), n), n, ortDMs);
    await ds.release();

    // --- kernels alone: the C operators on data already in wasm memory ---
    const xPtr = rt.alloc(4 * n + 16);
    const qPtr = rt.alloc(n + 16);
    const yPtr = rt.alloc(4 * n + 16);
    const sPtr = rt.alloc(4 * C);
    const zPtr = rt.alloc(4 * C);
    rt.refresh();
    rt.f32.set(x, xPtr >>> 2);
    rt.f32.set(scales, sPtr >>> 2);
    rt.i32.set(zps, zPtr >>> 2);
    const e = rt.exports;
    const kq = () => e.qdq_quantize(xPtr, qPtr, n, 0, C, inner, sPtr, zPtr, -128, 127, 0);
    const kd = () => e.qdq_dequantize(qPtr, yPtr, n, 0, C, inner, sPtr, zPtr, 0);
    kq();
    rt.refresh();
    if (!same(rt.i8.subarray(qPtr, qPtr + n), q)) mismatches.push(`kernel quantize ${label}`);
    row(`quantize ${label}`, 'kernel alone', await time(kq, n), n, ortQMs);
    row(`dequantize ${label}`, 'kernel alone', await time(kd, n), n, ortDMs);
    for (const p of [xPtr, qPtr, yPtr, sPtr, zPtr]) rt.free(p);
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log('## bench/quantize.js: quantize / dequantize, int8\n');
console.log(`machine: ${cpu}, ${os.cpus().length} logical CPUs; Node ${process.version}; ` +
  `onnxruntime-web ${ort.env.versions.web} (wasm SIMD, numThreads = 1); qdq-wasm build ${qdq.backend()}, ` +
  `staging chunk ${runtime.chunk} elements; median of ${RUNS} runs\n`);
console.log('| case | implementation | ms | ns/elem | GB/s | Gelem/s | vs ORT |');
console.log('|---|---|---:|---:|---:|---:|---:|');
const order = ['onnxruntime-web', 'qdq-wasm', 'qdq-wasm (out)', 'plain JS', 'kernel alone'];
const names = [...new Set(rows.map((r) => r.name))];
for (const name of names) {
  for (const impl of order) {
    const r = rows.find((p) => p.name === name && p.impl === impl);
    if (!r) continue;
    console.log(`| ${r.name} | ${r.impl} | ${r.ms.toFixed(3)} | ${r.nsPerElem.toFixed(3)} | ${r.gbps.toFixed(2)} | ` +
      `${r.gelems.toFixed(2)} | ${r.vsOrt.toFixed(2)}x |`);
  }
}
console.log(mismatches.length === 0
  ? '\noutputs: qdq-wasm, onnxruntime-web, plain JS and the kernels agree bit for bit on every case'
  : `\nOUTPUT MISMATCH (a bug, not a timing): ${mismatches.join('; ')}`);
if (mismatches.length !== 0) process.exitCode = 1;
