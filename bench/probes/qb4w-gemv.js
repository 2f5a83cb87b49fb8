// The limit of a SIMD128 4-bit GEMV on this machine (issue 11): the inner
// loops of bench/probes/qb4w-gemv.c on an n x k weight matrix, in cache
// (n = 512, k = 512: 128 KiB of 4-bit weights) and at 1x4096x4096 (8 MiB,
// int8 16 MiB), against a plain read of the same bytes. Medians of
// alternating runs (bench/lib/time-all.js); ns per 1000 weights, GB/s of
// weight bytes, and each loop's speed relative to the int8 loop.
//   node bench/probes/qb4w-gemv.js [--json]
import os from 'node:os';
import { loadProbe } from '../lib/probe-wasm.js';
import { timeAll } from '../lib/time-all.js';

const pe = loadProbe('qb4w-gemv', ['probe_alloc', 'probe_int8', 'probe_q4ext', 'probe_q4lane', 'probe_q4lane2', 'probe_q4mask', 'probe_q4maskb', 'probe_q4mask1', 'probe_q4floor', 'probe_dotonly', 'probe_read']);

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24);

/** @param {number} bytes */
function buffer(bytes) {
  const p = pe.probe_alloc(bytes);
  const v = new Uint8Array(pe.memory.buffer, p, bytes);
  for (let i = 0; i < bytes; i++) v[i] = rand();
  return p;
}

const json = process.argv.includes('--json');
const results = [];
for (const [n, k] of [[512, 512], [4096, 4096]]) {
  const groups = n / 8;
  const w8 = buffer(n * k), w4 = buffer(n * k / 2), a8 = buffer(k), a16 = buffer(8 * k);
  // int8 activations in [-127, 127] as B5 gives them; int16 ones the same values.
  new Int8Array(pe.memory.buffer, a8, k).forEach((_, i, arr) => { arr[i] = (i * 37 % 255) - 127; });
  new Int16Array(pe.memory.buffer, a16, 4 * k).forEach((_, i, arr) => { arr[i] = (i * 37 % 255) - 127; });
  const t = await timeAll({
    int8: () => pe.probe_int8(w8, a8, groups, k),
    q4ext: () => pe.probe_q4ext(w4, a8, groups, k),
    q4lane: () => pe.probe_q4lane(w4, a16, groups, k),
    q4lane2: () => pe.probe_q4lane2(w4, a16, groups, k),
    q4mask: () => pe.probe_q4mask(w4, a16, groups, k),
    q4maskb: () => pe.probe_q4maskb(w4, a16, groups, k),
    q4mask1: () => pe.probe_q4mask1(w4, a16, groups, k),
    q4floor: () => pe.probe_q4floor(w4, a16, groups, k),
    dotonly: () => pe.probe_dotonly(w4, a16, groups, k),
    read4: () => pe.probe_read(w4, n * k / 2),
    read8: () => pe.probe_read(w8, n * k),
  }, { runs: 11, minBatchMs: 30 });
  const bytes = { int8: n * k, read8: n * k };
  const row = { n, k, ms: t, nsPer1000Weights: {}, gbps: {}, vsInt8: {} };
  for (const [name, ms] of Object.entries(t)) {
    row.nsPer1000Weights[name] = ms * 1e6 / (n * k) * 1000;
    row.gbps[name] = (bytes[name] ?? n * k / 2) / ms / 1e6;
    row.vsInt8[name] = t.int8 / ms;
  }
  results.push(row);
}

const engine = `Node ${process.versions.node} (V8 ${process.versions.v8})`;
const machine = `${os.cpus()[0]?.model}, ${os.cpus().length} logical cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
if (json) {
  console.log(JSON.stringify({ engine, machine, results }));
} else {
  console.log(`machine: ${machine}\nengine: ${engine}, emcc -O3 -msimd128 (the SIMD128 build's compiler)`);
  for (const r of results) {
    console.log(`\n${r.n} x ${r.k} weights (4-bit ${(r.n * r.k / 2) >> 10} KiB, int8 ${(r.n * r.k) >> 10} KiB)`);
    console.log('loop       ms        ns/1000 w  GB/s   vs int8');
    for (const name of Object.keys(r.ms)) {
      console.log(`${name.padEnd(9)}  ${r.ms[name].toFixed(4).padStart(8)}  ${r.nsPer1000Weights[name].toFixed(1).padStart(9)}  ` +
        `${r.gbps[name].toFixed(1).padStart(5)}  ${r.vsInt8[name].toFixed(2).padStart(5)}x`);
    }
  }
}
