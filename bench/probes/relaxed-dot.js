// How this engine lowers the relaxed int8 dot products, and the throughput of
// one 4x8c4 kernel step in each form (bench/probes/relaxed-dot.c), on one
// thread, operands in L1:
//   node bench/probes/relaxed-dot.js [--chromium] [--runs 9]
// Run it with Node 22 (Node 20 has no relaxed SIMD) or --chromium (Debian's
// /usr/bin/chromium through playwright-core). Needs clang-19 and lld-19
// (build.sh's relaxed build needs them too).
//
// "lowering" reads i32x4.relaxed_dot_i8x16_i7x16_add_s where the spec leaves
// the result to the engine (activations with the top bit set):
//   exact u8 x s8: the engine uses VNNI (vpdpbusd): every byte is read
//     unsigned and nothing saturates;
//   i16-saturated pairs: pmaddubsw + pmaddwd (x86 without VNNI);
//   s8 x s8: the activation byte read signed (Arm's sdot);
// Only the first would let a kernel take full-range uint8 activations.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 15);
const EXPORTS = ['probe_rdot3', 'probe_peak_dot16', 'probe_peak_rdot2', 'probe_peak_rdot3'];

/** Builds the probe with clang-19 and wasm-ld-19 (no emcc: see relaxed-dot.c). @returns {string} */
function build() {
  const src = path.join(root, 'bench/probes/relaxed-dot.c');
  const obj = path.join(root, 'build/relaxed-dot-probe.o');
  const out = path.join(root, 'build/relaxed-dot-probe.wasm');
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(path.dirname(out), { recursive: true });
    const steps = [
      ['clang-19', ['--target=wasm32', '-O3', '-msimd128', '-mrelaxed-simd', '-ffreestanding', '-nostdlib', '-c', src, '-o', obj]],
      ['wasm-ld-19', ['--no-entry', ...EXPORTS.map((e) => `--export=${e}`), '-o', out, obj]],
    ];
    for (const [cmd, argv] of /** @type {[string, string[]][]} */ (steps)) {
      const r = spawnSync(cmd, argv, { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`relaxed-dot: ${cmd} failed (needs clang-19 and lld-19)`);
    }
  }
  return out;
}

/**
 * Runs in Node or in the page: classifies the lowering and times each step.
 * Self-contained (it is serialized into the page).
 * @param {Uint8Array} bytes @param {number} runs
 */
async function measure(bytes, runs) {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const ex = /** @type {any} */ (instance.exports);
  const mem = () => new DataView(ex.memory.buffer);
  // Scratch at 64 KiB: past the module's data and stack (wasm-ld's default layout puts both below 64 KiB).
  const W = 65536, A = W + 16, O = A + 16;
  /** @param {number} w @param {number} a */
  const dot = (w, a) => {
    const v = mem();
    for (let i = 0; i < 16; i++) { v.setInt8(W + i, w); v.setUint8(A + i, a); }
    for (let i = 0; i < 4; i++) v.setInt32(O + 4 * i, 0, true);
    ex.probe_rdot3(W, A, O);
    return mem().getInt32(O, true);
  };
  // 4 products per lane: w = -128, a = 255.
  const got = dot(-128, 255), ok7 = dot(-128, 127) === 4 * -128 * 127;
  const lowering = !ok7 ? 'wrong on [0, 127]' : got === 4 * 255 * -128 ? 'exact u8 x s8 (VNNI)'
    : got === 2 * -32768 ? 'i16-saturated pairs (pmaddubsw)' : got === 4 * -1 * -128 ? 's8 x s8 (sdot)' : `other (${got})`;
  const ITER = 1 << 22;
  // The three loops take turns within each run, so that a ratio compares
  // moments close together (this VM's speed moves by tens of percent within minutes).
  const loops = /** @type {[string, number][]} */ ([['dot16', 64], ['rdot2', 128], ['rdot3', 128]]);
  for (const [name] of loops) ex[`probe_peak_${name}`](ITER >> 4, 1); // warm-up: tier-up before timing
  /** @type {Record<string, number[]>} */
  const times = {};
  for (let r = 0; r < runs; r++) {
    for (const [name] of loops) {
      const t0 = performance.now();
      ex[`probe_peak_${name}`](ITER, r + 2);
      (times[name] ??= []).push(performance.now() - t0);
    }
  }
  /** @param {number[]} a */
  const med = (a) => [...a].sort((x, y) => x - y)[(a.length - 1) >> 1];
  /** @type {Record<string, number>} */
  const gops = {}, vsDot16 = {};
  for (const [name, macs] of loops) {
    gops[name] = (2 * macs * ITER) / (med(times[name]) * 1e6);
    // Per-run ratio of GOPS against dot16 in the same run, then the median.
    vsDot16[name] = med(times[name].map((t, r) => (macs / 64) * (times.dot16[r] / t)));
  }
  return { lowering, gops, vsDot16 };
}

const bytes = new Uint8Array(readFileSync(build()));
let engine, result;
if (args.includes('--chromium')) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    engine = `Chromium ${browser.version()}`;
    result = await page.evaluate(async ([b64, runs, src]) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return (0, eval)(`(${src})`)(bin, runs);
    }, /** @type {[string, number, string]} */ ([Buffer.from(bytes).toString('base64'), RUNS, measure.toString()]));
  } finally {
    await browser.close();
  }
} else {
  engine = `Node ${process.version} (V8 ${process.versions.v8})`;
  result = await measure(bytes, RUNS);
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`${engine}, ${cpu}, one thread, median of ${RUNS}`);
console.log(`relaxed dot lowering, activation bytes >= 128: ${result.lowering}`);
console.log('kernel step (4x8c4, operands in L1), GOPS = 2 x multiply-adds / time:');
console.log('         GOPS  against dot16 (median of per-run ratios)');
for (const [name, g] of Object.entries(result.gops)) console.log(`  ${name.padEnd(6)} ${g.toFixed(1).padStart(5)}  ${result.vsDot16[name].toFixed(2)}`);
