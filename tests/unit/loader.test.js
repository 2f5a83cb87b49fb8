// The loader: one instance per module copy, clear failures, retry after a
// failure, every override form. Each test imports a fresh copy of
// js/runtime/loader.js (a distinct URL is a distinct module) so their states are separate.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';

let copies = 0;
const freshLoader = () => import(`../../js/runtime/loader.js?copy=${++copies}`);
const wasmUrl = new URL(`../../dist/qdq-${BUILD}.wasm`, import.meta.url);

test('init()', async (t) => {
  await t.test('should refuse use before init with a plain error', async () => {
    const L = await freshLoader();
    assert.throws(() => L.backend(), /not initialized; call `await init\(\)`/);
  });
  await t.test('should reject an unknown build with a RangeError, then load on retry', async () => {
    const L = await freshLoader();
    await assert.rejects(L.init({ build: 'avx512' }), (e) => e instanceof RangeError && /build must be 'simd128' or 'relaxed', got "avx512"/.test(e.message));
    await L.init({ build: BUILD });
    assert.equal(L.backend(), BUILD);
  });
  await t.test('should recognise an HTML page served instead of wasm', async () => {
    const L = await freshLoader();
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Not Found</body></html>');
    await assert.rejects(L.init({ wasm: html }), /not a WebAssembly module \(it starts with "<!DOCTYPE html>.*HTML page instead of the \.wasm/);
    await L.init({ wasm: readFileSync(wasmUrl), build: BUILD });
    assert.equal(L.backend(), BUILD);
  });
  await t.test('should name a missing file', async () => {
    const L = await freshLoader();
    await assert.rejects(L.init({ wasm: new URL('../../dist/nope.wasm', import.meta.url) }), /cannot read .*nope\.wasm/);
  });
  await t.test('should reject a source of the wrong type', async () => {
    const L = await freshLoader();
    await assert.rejects(L.init({ wasm: 42 }), (e) => e instanceof TypeError && /takes a URL, a string, bytes or a WebAssembly.Module, got number/.test(e.message));
  });
  await t.test('should accept a compiled module, an ArrayBuffer, a URL string, and return one promise', async () => {
    const mod = new WebAssembly.Module(readFileSync(wasmUrl));
    const A = await freshLoader();
    const p1 = A.init({ wasm: mod, build: BUILD });
    const p2 = A.init();
    await Promise.all([p1, p2]);
    assert.equal(A.backend(), BUILD);
    const B = await freshLoader();
    const bytes = readFileSync(wasmUrl);
    await B.init({ wasm: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), build: BUILD });
    assert.equal(B.backend(), BUILD);
    const C = await freshLoader();
    await C.init({ wasm: wasmUrl.href, build: BUILD });
    assert.equal(C.backend(), BUILD);
  });
});

test('initSync()', async (t) => {
  await t.test('should instantiate from bytes and from a module', async () => {
    const A = await freshLoader();
    A.initSync(readFileSync(wasmUrl), { build: BUILD });
    assert.equal(A.backend(), BUILD);
    A.initSync(new Uint8Array(4)); // already initialized: a no-op
    const B = await freshLoader();
    B.initSync(new WebAssembly.Module(readFileSync(wasmUrl)), { build: BUILD });
    assert.equal(B.backend(), BUILD);
  });
  await t.test('should reject bad sources', async () => {
    const L = await freshLoader();
    assert.throws(() => L.initSync('dist/qdq.wasm'), TypeError);
    assert.throws(() => L.initSync(new Uint8Array([60, 104, 116, 109])), /not a WebAssembly module/);
  });
});

test('feature probes', async (t) => {
  await t.test('should find SIMD128 on Node 20+ and relaxed SIMD exactly where the build under test is relaxed', async () => {
    const L = await freshLoader();
    assert.equal(L.supportsSimd128(), true);
    // Node 20 lacks (correct) relaxed SIMD; scripts/test.js runs the relaxed build on Node 22, which has it.
    assert.equal(L.supportsRelaxedSimd(), BUILD === 'relaxed');
  });
});
