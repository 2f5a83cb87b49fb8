// One core's limits for a SIMD128 int8 GEMM (bench/probes/simd-limits.c),
// medians of interleaved runs on the calling thread: the clock (a 2-cycle
// dependent chain), i32x4.dot_i16x8_s alone (8 multiply-adds, 16 operations,
// per instruction), and the GEMM's step of dot + add (bench/probes/dot-peak.c,
// the xw kernel's inner loop on operands in L1). The first two give the
// instruction's peak in GOPS; the step's fraction of it is the cost of the
// i32x4.add that every SIMD128 dot product needs, which no SIMD128 int8 GEMM,
// ours or onnxruntime-web's, avoids. The kernel and the call are then
// measured against the step (bench/probes/gemm-parts.js).
//   node bench/probes/simd-limits.js [--runs 9]
import os from 'node:os';
import { buildProbe, instantiateProbe } from '../lib/probe-wasm.js';
import { DOT_OPS_PER_STEP } from '../lib/shared-dot.js';

const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 9);
const limits = instantiateProbe(buildProbe('simd-limits', ['probe_clock', 'probe_dot_only']));
const peak = instantiateProbe(buildProbe('dot-peak', ['probe_dot_peak']));

const CLOCK_STEPS = 200_000_000, DOT_ITERATIONS = 10_000_000, STEP_ITERATIONS = 16_000_000;
/** Seconds for one call of f. @param {() => unknown} f */
const time = (f) => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1e3; };
const clock = [], dots = [], steps = [];
for (let r = 0; r < RUNS + 1; r++) {
  const c = time(() => limits.probe_clock(CLOCK_STEPS, 7));
  const d = time(() => limits.probe_dot_only(DOT_ITERATIONS, 7));
  const s = time(() => peak.probe_dot_peak(STEP_ITERATIONS, 7));
  if (r === 0) continue; // warm-up: V8 tiers the functions up
  clock.push(CLOCK_STEPS * 2 / c / 1e9);
  dots.push(DOT_ITERATIONS * 12 / d / 1e9);
  steps.push(STEP_ITERATIONS * DOT_OPS_PER_STEP / s / 1e9);
}
const med = (/** @type {number[]} */ a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ghz = med(clock), dotsPerNs = med(dots), stepGops = med(steps);
const peakGops = dotsPerNs * 16;
console.log(`${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}; one thread, medians of ${RUNS}`);
console.log(`clock: ${ghz.toFixed(2)} GHz (2-cycle chain)`);
console.log(`i32x4.dot_i16x8_s alone: ${dotsPerNs.toFixed(2)} G/s, ${(dotsPerNs / ghz).toFixed(2)} per cycle: ${peakGops.toFixed(1)} GOPS peak`);
console.log(`dot + add step (dot-peak.c): ${stepGops.toFixed(1)} GOPS, ${(100 * stepGops / peakGops).toFixed(0)}% of the peak, ` +
  `${(ghz * DOT_OPS_PER_STEP / stepGops).toFixed(2)} cycles per step of 8 dots + 8 adds (${(DOT_OPS_PER_STEP / 16 / dotsPerNs * ghz).toFixed(2)} for the dots alone)`);
