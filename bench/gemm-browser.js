// The int8 GEMM benchmark in headless Chromium (our builds only; the peers
// are measured in Node by bench/gemm.js): serves dist/ and js/ locally, loads
// each build in its own page, and times the same calls as bench/gemm.js.
//   node bench/gemm-browser.js [--json]
import { chromium } from 'playwright-core';
import { servePage } from './lib/page-server.js';

const json = process.argv.includes('--json');
const server = await servePage({ dirs: ['dist', 'js'] });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const results = [];
try {
  for (const build of ['simd128', 'relaxed']) {
    const page = await browser.newPage();
    await page.goto(server.url);
    const r = await page.evaluate(async (build) => {
      const q = await import('/js/index.js');
      await q.init({ build, numThreads: 1 });
      const SHAPES = [[1, 4096, 4096], [16, 1024, 1024], [128, 768, 768], [512, 512, 512]];
      let seed = 12345;
      const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
      // Median of 9 runs, alternating between candidates (see bench/gemm.js).
      const timeAll = (fns) => {
        const reps = {}, times = {};
        for (const [name, fn] of Object.entries(fns)) {
          fn();
          let r = 1;
          for (;;) { const t0 = performance.now(); for (let i = 0; i < r; i++) fn(); if (performance.now() - t0 >= 40) break; r *= 2; }
          reps[name] = r;
          times[name] = [];
        }
        for (let run = 0; run < 9; run++) {
          for (const [name, fn] of Object.entries(fns)) {
            const t0 = performance.now();
            for (let i = 0; i < reps[name]; i++) fn();
            times[name].push((performance.now() - t0) / reps[name]);
          }
        }
        const med = {};
        for (const [name, t] of Object.entries(times)) med[name] = t.sort((x, y) => x - y)[4];
        return med;
      };
      const rows = [];
      for (const [m, k, n] of SHAPES) {
        const gops = (ms) => (2 * m * k * n) / ms / 1e6;
        const aS8 = new Int8Array(m * k), aU8 = new Uint8Array(m * k), a7 = new Uint8Array(m * k);
        for (let i = 0; i < m * k; i++) { aS8[i] = next(); aU8[i] = next(); a7[i] = next() & 127; }
        const w = new Int8Array(n * k);
        for (let i = 0; i < w.length; i++) w[i] = next();
        const x = Float32Array.from({ length: m * k }, () => (next() / 16777216 - 0.5) * 6);
        const packed = q.PackedMatrix.pack(w, { k, n, transposed: true });
        const out = new Int32Array(m * n);
        const row = { m, k, n };
        const lin = q.Linear.fromFloat(Float32Array.from(w, (v) => v / 127), null, { inFeatures: k, outFeatures: n });
        const dyn = q.DynamicQuantizedLinear.fromQuantized({ weight: w, weightScales: 1 / 127, inFeatures: k, outFeatures: n });
        const dyn7 = q.DynamicQuantizedLinear.fromQuantized({ weight: w, weightScales: 1 / 127, inFeatures: k, outFeatures: n, reduceRange: true });
        const ms = timeAll({
          qdqS8: () => q.matmulInteger(aS8, packed, { m, aZeroPoint: 3, out }),
          qdqU8: () => q.matmulInteger(aU8, packed, { m, aZeroPoint: 128, out }),
          qdq7: () => q.matmulInteger(a7, packed, { m, aZeroPoint: 64, out }),
          qdqF32: () => lin.forward(x),
          qdqDyn: () => dyn.forward(x),
          qdqDyn7: () => dyn7.forward(x),
        });
        for (const [key, t] of Object.entries(ms)) row[key] = gops(t);
        for (const o of [packed, lin, dyn, dyn7]) o.dispose();
        rows.push(row);
      }
      return { build: q.backend(), rows };
    }, build);
    results.push(r);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const info = { engine: `Chromium ${browser.version()}` };
if (json) {
  console.log(JSON.stringify({ info, results }));
} else {
  const f = (/** @type {number} */ v) => v.toFixed(1).padStart(6);
  for (const r of results) {
    console.log(`qdq-wasm ${r.build} build, ${info.engine}, GOPS (median of 9)`);
    console.log('m,k,n            | s8     u8     7bit   f32    dyn    dyn7');
    for (const x of r.rows) console.log(`${`${x.m},${x.k},${x.n}`.padEnd(16)} |${f(x.qdqS8)} ${f(x.qdqU8)} ${f(x.qdq7)} ${f(x.qdqF32)} ${f(x.qdqDyn)} ${f(x.qdqDyn7)}`);
  }
}
