// Two builds of the int8 GEMM operator against each other: qdq_qs8_gemm of
// build A and of build B (any two .wasm files of the single-threaded kind,
// e.g. dist/qdq-simd128.wasm before and after a change, copied aside) on the
// same operands, alternated batch by batch, one thread, over eight heap
// layouts (bench/lib/gemm-builds-core.js). u8 A (zero point 128) times s8 B;
// --kind 0 int32 output (matmulInteger), 2 float (the dynamic Linear's
// output stage, multipliers 0.001). Prints A/B time per layout and the median.
// --chromium runs the same in a page of headless Chromium (/usr/bin/chromium),
// whose V8 is not Node's: a loop shape can differ by several percent between
// engines (docs/gemm.md, "How the xw kernel's k loop ends").
//   node bench/probes/gemm-builds.js A.wasm B.wasm [--shape 512,512,512] [--kind 0|2] [--chromium]
import { readFileSync } from 'node:fs';
import { machineLine } from '../lib/threads.js';
import { servePage } from '../lib/page-server.js';
import { compareBuilds } from '../lib/gemm-builds-core.js';
import { instantiateModule } from '../../js/runtime/loader.js';
import { RawWasm } from '../../tests/helpers/raw-wasm.js';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [fa, fb] = args;
if (!fa || !fb || fa.startsWith('--') || fb.startsWith('--')) throw new Error('usage: gemm-builds.js A.wasm B.wasm [--shape m,k,n] [--kind 0|2] [--chromium]');
const [m, k, n] = opt('--shape', '512,512,512').split(',').map(Number);
const kind = Number(opt('--kind', '0'));
const wasm = /** @type {[Uint8Array, Uint8Array]} */ ([fa, fb].map((f) => new Uint8Array(readFileSync(f))));
const chromium = args.includes('--chromium');

/** @param {string} engine @param {{ ratios: number[], median: number }} r */
const report = (engine, r) => {
  console.log(`A/B over layouts (${engine}): median ${r.median.toFixed(3)}, range ${Math.min(...r.ratios).toFixed(3)}-${Math.max(...r.ratios).toFixed(3)} (above 1: B is faster)`);
};

if (!chromium) {
  console.log(`${machineLine()}, Node ${process.version}; ${m}x${k}x${n}, output kind ${kind}; A ${fa}, B ${fb}; us per call, medians of 7 batches`);
  report(`Node ${process.version}`, compareBuilds({ wasm, m, k, n, kind, instantiateModule, RawWasm, log: console.log }));
} else {
  // The page imports the same files from this checkout; the two builds come as /a.wasm and /b.wasm.
  const { chromium: browserType } = await import('playwright-core');
  const server = await servePage({ dirs: ['bench', 'js', 'tests'], routes: { '/a.wasm': wasm[0], '/b.wasm': wasm[1] } });
  const browser = await browserType.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => console.log(msg.text()));
    await page.goto(server.url);
    const version = browser.version();
    console.log(`${machineLine()}, Chromium ${version}; ${m}x${k}x${n}, output kind ${kind}; A ${fa}, B ${fb}; us per call, medians of 7 batches`);
    const r = await page.evaluate(async ({ m, k, n, kind }) => {
      const { compareBuilds } = await import('/bench/lib/gemm-builds-core.js');
      const { instantiateModule } = await import('/js/runtime/loader.js');
      const { RawWasm } = await import('/tests/helpers/raw-wasm.js');
      const wasm = await Promise.all(['/a.wasm', '/b.wasm'].map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
      return compareBuilds({ wasm: /** @type {[Uint8Array, Uint8Array]} */ (wasm), m, k, n, kind, instantiateModule, RawWasm, log: console.log });
    }, { m, k, n, kind });
    report(`Chromium ${version}`, r);
  } finally {
    await browser.close();
    server.close();
  }
}
