// The relaxed-SIMD build in headless Chromium: the loader must pick it, and
// its int8 GEMM (both the 7-bit relaxed-dot path and the 8-bit path) must
// equal the C scalar reference (from the relaxed test build, which exports
// it), and the SIMD128 build run here in Node, bit for bit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as qdq from '../../js/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

/** @type {import('node:http').Server} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('playwright-core').Page} */
let page;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = path.join(root, decodeURIComponent(url.pathname));
    const allowed = ['dist', 'js', 'build', 'tests/helpers'].some((d) => file.startsWith(path.join(root, d) + path.sep));
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>qdq-wasm e2e</title>');
    } else if (allowed && existsSync(file)) {
      res.writeHead(200, { 'content-type': TYPES[/** @type {keyof typeof TYPES} */ (path.extname(file))] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  // chromium.launch gives every run a fresh temporary profile of its own.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  await page.goto(`http://127.0.0.1:${address.port}/`);
  await qdq.init({ build: 'simd128' });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Deterministic operands, identical in Node and the page. */
const OPERANDS = `
  function operands(seed, m, k, n, adt, narrow) {
    let s = seed >>> 0;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
    const A = adt === 'uint8' ? Uint8Array : Int8Array;
    const lo = adt === 'uint8' ? 0 : -128;
    const a = new A(m * k), b = new Int8Array(k * n);
    for (let i = 0; i < a.length; i++) a[i] = lo + (next() % (narrow ? 128 : 256));
    for (let i = 0; i < b.length; i++) b[i] = next() % 256;
    const za = lo + (next() % 256);
    const zb = Array.from({ length: n }, () => (next() % 256) - 128);
    return { a, b, za, zb };
  }`;
// eslint-disable-next-line no-new-func
const operands = new Function(`${OPERANDS}; return operands;`)();

const SHAPES = [[1, 4, 8], [3, 17, 5], [4, 64, 33], [7, 129, 17], [1, 1000, 40], [25, 300, 70]];

test('relaxed build in Chromium', async (t) => {
  await t.test('should pick the relaxed build', async () => {
    const picked = await page.evaluate(async () => {
      const q = await import('/js/index.js');
      await q.init();
      return { backend: q.backend(), relaxed: q.supportsRelaxedSimd() };
    });
    assert.deepEqual(picked, { backend: 'relaxed', relaxed: true });
  });

  await t.test('should equal the scalar reference and the SIMD128 build bit for bit', async () => {
    const results = await page.evaluate(async ({ src, shapes }) => {
      const operands = new Function(`${src}; return operands;`)();
      const q = await import('/js/index.js');
      const { RawWasm } = await import('/tests/helpers/raw-wasm.js');
      const { instantiateModule } = await import('/js/runtime/loader.js');
      const bytes = await (await fetch('/build/qdq-test-relaxed.wasm')).arrayBuffer();
      const rt = new RawWasm(instantiateModule(new WebAssembly.Module(bytes))); // the test build: references and every kernel
      /** reference through the module's own qdq_reference_q8_gemm */
      const reference = (m, n, k, a, za, b, zb) => {
        const ptrs = [m * k, k * n, 4 * n, 4 * m * n].map((s) => rt.alloc(s + 16));
        const [ap, bp, zp, yp] = ptrs;
        rt.refresh();
        (a instanceof Uint8Array ? rt.u8 : rt.i8).set(a, ap);
        rt.i8.set(b, bp);
        rt.i32.set(Int32Array.from(zb), zp >>> 2);
        rt.exports.qdq_reference_q8_gemm(m, n, k, ap, a instanceof Uint8Array ? 1 : 0, za, bp, 0, zp, 0, yp);
        rt.refresh();
        const y = rt.i32.slice(yp >>> 2, (yp >>> 2) + m * n);
        for (const p of ptrs) rt.free(p);
        return y;
      };
      const out = [];
      let seed = 1;
      for (const [m, k, n] of shapes) {
        for (const adt of ['int8', 'uint8']) {
          for (const narrow of [true, false]) {
            const { a, b, za, zb } = operands(seed++, m, k, n, adt, narrow);
            const y = q.matmulInteger(a, b, { m, k, n, aZeroPoint: za, bZeroPoint: zb });
            const ref = reference(m, n, k, a, za, b, zb);
            let diff = -1;
            for (let i = 0; i < y.length; i++) if (y[i] !== ref[i]) { diff = i; break; }
            out.push({ m, k, n, adt, narrow, diff, y: Array.from(y) });
          }
        }
      }
      return out;
    }, { src: OPERANDS, shapes: SHAPES });
    assert.equal(results.length, SHAPES.length * 4);
    let seed = 1;
    for (const r of results) {
      assert.equal(r.diff, -1, `Chromium relaxed vs reference ${r.m}x${r.k}x${r.n} ${r.adt} narrow=${r.narrow}: first difference at ${r.diff}`);
      const { a, b, za, zb } = operands(seed++, r.m, r.k, r.n, r.adt, r.narrow);
      const node = qdq.matmulInteger(a, b, { m: r.m, k: r.k, n: r.n, aZeroPoint: za, bZeroPoint: zb });
      assert.deepEqual(r.y, Array.from(node), `Chromium relaxed vs Node SIMD128 ${r.m}x${r.k}x${r.n} ${r.adt}`);
    }
  });

  await t.test('should equal the scalar reference for every m, n, k in 1..17 and every dtype combination', async () => {
    const failures = await page.evaluate(async () => {
      const q = await import('/js/index.js');
      const { RawWasm } = await import('/tests/helpers/raw-wasm.js');
      const { instantiateModule } = await import('/js/runtime/loader.js');
      const bytes = await (await fetch('/build/qdq-test-relaxed.wasm')).arrayBuffer();
      const rt = new RawWasm(instantiateModule(new WebAssembly.Module(bytes))); // the test build: references and every kernel
      let s = 99;
      const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8;
      const bad = [];
      let cases = 0;
      const ptrs = [17 * 17, 17 * 17, 4 * 17, 4 * 17 * 17].map((b) => rt.alloc(b + 16));
      const [ap, bp, zp, yp] = ptrs;
      for (const adt of ['int8', 'uint8']) {
        for (const bdt of ['int8', 'uint8']) {
          for (let m = 1; m <= 17; m++) {
            for (let n = 1; n <= 17; n++) {
              for (let k = 1; k <= 17; k++) {
                const A = adt === 'uint8' ? Uint8Array : Int8Array, B = bdt === 'uint8' ? Uint8Array : Int8Array;
                const alo = adt === 'uint8' ? 0 : -128, blo = bdt === 'uint8' ? 0 : -128;
                // Half the cases in 7 bits, which the relaxed kernels take.
                const span = (m + k) % 2 ? 128 : 256;
                const a = A.from({ length: m * k }, () => alo + (next() % span));
                const b = B.from({ length: k * n }, () => next());
                const za = alo + (next() % 256);
                const zb = Array.from({ length: n }, () => blo + (next() % 256));
                const y = q.matmulInteger(a, b, { m, k, n, aZeroPoint: za, bZeroPoint: zb });
                rt.refresh();
                (adt === 'uint8' ? rt.u8 : rt.i8).set(a, ap);
                (bdt === 'uint8' ? rt.u8 : rt.i8).set(b, bp);
                rt.i32.set(Int32Array.from(zb), zp >>> 2);
                rt.exports.qdq_reference_q8_gemm(m, n, k, ap, adt === 'uint8' ? 1 : 0, za, bp, bdt === 'uint8' ? 1 : 0, zp, 0, yp);
                rt.refresh();
                const ref = rt.i32.subarray(yp >>> 2, (yp >>> 2) + m * n);
                for (let i = 0; i < m * n; i++) {
                  if (y[i] !== ref[i]) {
                    bad.push(`${adt} x ${bdt} m=${m} n=${n} k=${k}: index ${i}: reference ${ref[i]}, output ${y[i]}`);
                    break;
                  }
                }
                cases++;
              }
            }
          }
        }
      }
      for (const p of ptrs) rt.free(p);
      return { cases, bad: bad.slice(0, 5) };
    });
    assert.equal(failures.cases, 4 * 17 ** 3);
    assert.deepEqual(failures.bad, []);
  });

  await t.test('should compute the relaxed i7 kernels exactly at the operand extremes', async () => {
    // Property: a = 127 against w = -128 and w = 127 gives pair sums of
    // -32512 and 32258, the extremes G7 allows; any saturation would show.
    const got = await page.evaluate(async () => {
      const { RawWasm } = await import('/tests/helpers/raw-wasm.js');
      const { instantiateModule } = await import('/js/runtime/loader.js');
      const bytes = await (await fetch('/build/qdq-test-relaxed.wasm')).arrayBuffer();
      const rt = new RawWasm(instantiateModule(new WebAssembly.Module(bytes))); // the test build: references and every kernel
      const out = [];
      for (const name of ['qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmrelaxedsimd_rdot7', 'qdq_qs8_qc8w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7',
        'qdq_qs8_qc8w_gemm_ukernel_6x8c4__wasmrelaxedsimd_rdot7']) {
        const mr = Number(name.match(/_(\d)x8c4/)[1]), n = 8, k = 20;
        const [wp, src, zp, ap, cp] = [rt.exports.qdq_qs8_gemm_packed_size(n, k), n * k, 4 * n, mr * k, 4 * mr * n].map((b) => rt.alloc(b + 16));
        rt.refresh();
        for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) rt.i8[src + j * k + l] = j % 2 ? 127 : -128;
        rt.i32.fill(0, zp >>> 2, (zp >>> 2) + n);
        rt.exports.qdq_qs8_gemm_pack(n, k, src, 4, zp, 0, 0, wp);
        rt.refresh();
        rt.i8.fill(127, ap, ap + mr * k);
        rt.exports[name](mr, n, k, ap, k, wp, cp, 4 * n);
        rt.refresh();
        out.push(Array.from(rt.i32.slice(cp >>> 2, (cp >>> 2) + mr * n)));
        for (const p of [wp, src, zp, ap, cp]) rt.free(p);
      }
      return out;
    });
    for (const c of got) {
      assert.deepEqual(c, Array.from({ length: c.length }, (_, i) => (i % 2 ? 127 * 127 * 20 : -128 * 127 * 20)));
    }
  });

  await t.test('should run DynamicQuantizedLinear with 7-bit activations identically to SIMD128', async () => {
    const w = Array.from({ length: 48 * 96 }, (_, i) => Math.sin(i * 0.37));
    const x = Array.from({ length: 9 * 96 }, (_, i) => Math.cos(i * 0.11) * 3);
    const browserY = await page.evaluate(async ({ w, x }) => {
      const q = await import('/js/index.js');
      const layer = q.DynamicQuantizedLinear.fromFloat(Float32Array.from(w), null, { inFeatures: 96, outFeatures: 48, reduceRange: true });
      const y = Array.from(layer.forward(Float32Array.from(x)));
      layer.dispose();
      return y;
    }, { w, x });
    const layer = qdq.DynamicQuantizedLinear.fromFloat(Float32Array.from(w), null, { inFeatures: 96, outFeatures: 48, reduceRange: true });
    assert.deepEqual(browserY, Array.from(layer.forward(Float32Array.from(x))));
    layer.dispose();
  });
});
