// The loader: one instance per module copy, clear failures, retry after a
// failure, every override form. Each test imports a fresh copy of
// js/runtime/loader.js (a distinct URL is a distinct module) so their states are separate.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { BUILD } from '../helpers/setup.js';

let copies = 0;
/** A fresh loader with dist/ as its source, as js/index.js registers it. */
async function freshLoader() {
  const L = await import(`../../js/runtime/loader.js?copy=${++copies}`);
  L.setWasmSource((/** @type {string} */ b) => new URL(`../../dist/qdq-${b}.wasm`, import.meta.url));
  return L;
}
const wasmUrl = new URL(`../../dist/qdq-${BUILD}.wasm`, import.meta.url);
const simd128 = readFileSync(new URL('../../dist/qdq-simd128.wasm', import.meta.url));

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
    // As the file system spells the path (a URL's pathname would say my%20app).
    await assert.rejects(L.init({ wasm: new URL('file:///tmp/my%20app/qdq%C3%A9.wasm') }), (e) => /cannot read \/tmp\/my app\/qdqé\.wasm: ENOENT/.test(e.message));
  });
  await t.test('should reject a source of the wrong type', async () => {
    const L = await freshLoader();
    await assert.rejects(L.init({ wasm: 42 }), (e) => e instanceof TypeError && /takes a URL, a string, bytes or a WebAssembly.Module, got 42/.test(e.message));
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

test('init() and initSync() options', async (t) => {
  /** @param {Promise<unknown> | (() => unknown)} p @param {Function} type @param {RegExp} message */
  const refuses = async (p, type, message) => {
    const check = (/** @type {any} */ e) => {
      assert.ok(e instanceof type, `${e?.name}: ${e?.message}`);
      assert.match(e.message, /^qdq-wasm: /);
      assert.match(e.message, message);
      return true;
    };
    if (typeof p === 'function') assert.throws(p, check);
    else await assert.rejects(p, check);
  };
  await t.test('should refuse options that are not an object, naming them, then load on retry', async () => {
    const L = await freshLoader();
    await refuses(L.init(null), TypeError, /init options must be an options object, got null/);
    await refuses(L.init('relaxed'), TypeError, /init options must be an options object, got "relaxed"; did you mean init\(\{ build: "relaxed" \}\)\?/);
    await refuses(L.init('qdq.wasm'), TypeError, /got "qdq.wasm"; did you mean init\(\{ wasm: "qdq.wasm" \}\)\?/);
    await refuses(L.init(5), TypeError, /init options must be an options object, got 5/);
    await L.init({ build: BUILD, numThreads: 1 });
    assert.equal(L.backend(), BUILD);
  });
  await t.test('should refuse an unknown key, suggesting numThreads for threads', async () => {
    const L = await freshLoader();
    await refuses(L.init({ threads: 2 }), TypeError, /unknown option 'threads' in init options; did you mean 'numThreads'\?/);
    await refuses(L.init({ bulid: 'simd128' }), TypeError, /unknown option 'bulid' in init options; did you mean 'build'\?/);
  });
  await t.test('should refuse a numThreads that is not a number as a TypeError showing it quoted', async () => {
    const L = await freshLoader();
    await refuses(L.init({ numThreads: '2' }), TypeError, /numThreads must be a number, got "2"/);
    await refuses(L.init({ numThreads: 0 }), RangeError, /numThreads must be an integer >= 1, got 0/);
    await refuses(L.init({ numThreads: Infinity }), RangeError, /numThreads must be an integer >= 1, got Infinity/);
    await refuses(L.init({ build: 5 }), TypeError, /build must be 'simd128' or 'relaxed', got 5/);
  });
  await t.test('should cap numThreads at the pool\'s 64 and say so in threadsNote', async () => {
    const L = await freshLoader();
    // A single-threaded module, so that no worker starts: the note gives both reasons.
    const r = await L.init({ numThreads: 1e9, wasm: readFileSync(wasmUrl), build: BUILD });
    assert.equal(r.threads, 1);
    assert.match(/** @type {string} */ (r.threadsNote), /^qdq-wasm: numThreads 1000000000 is more than a pool runs \(64\), and the module passed as `wasm` is not a shared-memory build/);
  });
  await t.test('should take null for an option as not given', async () => {
    const L = await freshLoader();
    const r = await L.init({ build: null, wasm: null, numThreads: 1, workerUrl: null });
    assert.deepEqual(r, { build: BUILD, threads: 1, threadsNote: null });
  });
  await t.test('should refuse bad initSync options the same way', async () => {
    const L = await freshLoader();
    await refuses(() => L.initSync(simd128, null), TypeError, /initSync options must be an options object, got null/);
    await refuses(() => L.initSync(simd128, { numThreads: 2 }), TypeError, /unknown option 'numThreads' in initSync options \(valid: build\)/);
    await refuses(() => L.initSync(null), TypeError, /initSync\(\) takes bytes or a WebAssembly.Module .*got null/);
    L.initSync(simd128, { build: null });
    assert.equal(L.backend(), 'simd128');
  });
});

test('initSync()', async (t) => {
  await t.test('should instantiate from bytes and from a module', async () => {
    const A = await freshLoader();
    A.initSync(readFileSync(wasmUrl), { build: BUILD });
    assert.equal(A.backend(), BUILD);
    A.initSync(); // already initialized, nothing different asked: a no-op
    A.initSync(undefined, { build: BUILD });
    assert.throws(() => A.initSync(new Uint8Array(4)), /already initialized; initSync\(\) was given a different wasm source/);
    const B = await freshLoader();
    B.initSync(new WebAssembly.Module(readFileSync(wasmUrl)), { build: BUILD });
    assert.equal(B.backend(), BUILD);
  });
  await t.test('should run a shared-memory build on one thread, with the same results', () => {
    // initSync cannot wait for workers, so it runs any build it is given on
    // this thread; the -mt module's thread imports once failed to link here.
    // Each process initializes once, so each build runs in its own.
    const index = new URL('../../js/index.js', import.meta.url).href;
    const script = `
      const { createHash } = await import('node:crypto');
      const { readFileSync } = await import('node:fs');
      const q = await import(${JSON.stringify(index)});
      q.initSync(readFileSync(new URL(process.argv[1])), { build: ${JSON.stringify(BUILD)} });
      let seed = 7;
      const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8;
      // 96 x 384 x 320: large enough that the operators ask the host how to split them.
      const [m, k, n] = [96, 384, 320];
      const a = new Uint8Array(m * k).map(() => next()), b = new Int8Array(k * n).map(() => next());
      const y = q.matmulInteger(a, b, { m, k, n, aZeroPoint: 131 });
      const layer = q.DynamicQuantizedLinear.fromQuantized({ weight: b, weightScales: new Float32Array(n).fill(0.02), inFeatures: k, outFeatures: n });
      const z = layer.forward(Float32Array.from({ length: m * k }, () => next() / 16777216 - 0.4));
      const hash = createHash('sha256').update(new Uint8Array(y.buffer)).update(new Uint8Array(z.buffer)).digest('hex');
      console.log(q.backend(), q.threads(), new Int32Array(y.buffer)[1234], hash);`;
    const run = (/** @type {string} */ file) => execFileSync(process.execPath, ['--input-type=module', '-e', script,
      new URL(`../../dist/${file}`, import.meta.url).href], { encoding: 'utf8' }).trim().split(' ');
    const shared = run(`qdq-${BUILD}-mt.wasm`), plain = run(`qdq-${BUILD}.wasm`);
    assert.equal(shared[0], BUILD);
    assert.equal(shared[1], '1');
    assert.notEqual(shared[2], '0');
    assert.deepEqual(shared, plain);
  });
  await t.test('should reject bad sources', async () => {
    const L = await freshLoader();
    assert.throws(() => L.initSync('dist/qdq.wasm'), TypeError);
    assert.throws(() => L.initSync(), (e) => e instanceof TypeError && /or nothing, with 'qdq-wasm\/inline'/.test(e.message));
    assert.throws(() => L.initSync(simd128, { build: 'avx' }), RangeError);
    assert.throws(() => L.initSync(new Uint8Array([60, 104, 116, 109])), /not a WebAssembly module/);
  });
  await t.test('should say what bytes that are not a module are: empty, gzip, binary in hex, text quoted', async () => {
    // Before, every case quoted up to 64 bytes as text: 64 escaped NULs for zeros, and the HTML-page hint for all.
    const L = await freshLoader();
    const reason = (/** @type {Uint8Array} */ bytes) => {
      try {
        L.initSync(bytes);
      } catch (e) {
        const m = /^qdq-wasm: the bytes passed to initSync\(\) is not a WebAssembly module \((.*)\)\. To fix: /.exec(/** @type {Error} */ (e).message);
        assert.ok(m, /** @type {Error} */ (e).message);
        return m[1];
      }
      assert.fail('initSync() accepted bytes that are not a module');
    };
    assert.equal(reason(new Uint8Array(0)), 'it is empty');
    assert.equal(reason(new Uint8Array(100)), 'it starts with the bytes 00 00 00 00 00 00 00 00 …, where a module starts with 00 61 73 6d');
    assert.equal(reason(Uint8Array.of(0, 97, 115)), 'it starts with the bytes 00 61 73, where a module starts with 00 61 73 6d');
    assert.equal(reason(gzipSync(simd128)), 'it is gzip-compressed: a .wasm.gz sent without Content-Encoding: gzip? Pass the decompressed bytes');
    assert.equal(reason(new TextEncoder().encode('<!doctype html>\n<p>Not   found</p>')),
      'it starts with "<!doctype html> <p>Not found</p>"; is the server sending an HTML page instead of the .wasm file?');
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

test('honest runtime state', async (t) => {
  await t.test('should report the build that was instantiated, not the one this engine would pick', async () => {
    const L = await freshLoader();
    await L.init({ wasm: simd128 }); // on Node 22 the best build is 'relaxed'; these bytes are SIMD128
    assert.equal(L.backend(), 'simd128');
  });
  await t.test('should refuse bytes of another build than the one asked for', async () => {
    const L = await freshLoader();
    // Where the engine lacks relaxed SIMD, asking for 'relaxed' is refused first, whatever the bytes.
    const why = L.supportsRelaxedSimd() ? /build 'relaxed' was asked for, but the wasm given is the 'simd128' build/ : /build 'relaxed' needs relaxed SIMD/;
    await assert.rejects(L.init({ build: 'relaxed', wasm: simd128 }), (e) => e instanceof RangeError && why.test(e.message));
    assert.throws(() => L.backend(), /not initialized/);
  });
  await t.test('should refuse a second init() that asks for another build or source, and accept the same request', async () => {
    const L = await freshLoader();
    const first = L.init({ build: 'simd128' });
    const other = L.init({ build: 'relaxed' }); // asked while the first is loading
    await first;
    await assert.rejects(other, /already initialized with the 'simd128' build; init\(\{ build: 'relaxed' \}\) cannot switch/);
    await L.init({ build: 'simd128' });
    await L.init();
    await assert.rejects(L.init({ wasm: simd128 }), /different wasm source/);
    assert.throws(() => L.initSync(undefined, { build: 'relaxed' }), /cannot switch/);
    assert.equal(L.backend(), 'simd128');
  });
  await t.test('should accept a second init() whose wasm URL is another object for the same address', async () => {
    const L = await freshLoader();
    const relative = `dist/qdq-${BUILD}.wasm`; // resolved against the working directory, the repository's root under npm test
    await L.init({ wasm: new URL(`../../dist/qdq-${BUILD}.wasm`, import.meta.url), numThreads: 1 });
    const again = await L.init({ wasm: new URL(`../../dist/qdq-${BUILD}.wasm`, import.meta.url) });
    assert.equal(again.build, BUILD);
    await L.init({ wasm: new URL(relative, `file://${process.cwd()}/`).href });
    assert.doesNotThrow(() => L.initSync(undefined));
    await assert.rejects(L.init({ wasm: new URL('../../dist/qdq-simd128-mt.wasm', import.meta.url) }), /different wasm source/);
  });
  await t.test("should resolve a relative wasm URL against Node's working directory", () => {
    const loader = JSON.stringify(new URL('../../js/runtime/loader.js', import.meta.url).href);
    const script = `const L = await import(${loader});
      console.log(JSON.stringify(await L.init({ wasm: 'qdq-simd128.wasm', numThreads: 1 })));`;
    const cwd = new URL('../../dist/', import.meta.url);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { build: 'simd128', threads: 1, threadsNote: null });
  });
  await t.test("should refuse build 'relaxed' by name where this engine lacks relaxed SIMD, and compile errors name the file", async () => {
    const L = await freshLoader();
    const relaxed = readFileSync(new URL('../../dist/qdq-relaxed.wasm', import.meta.url));
    if (L.supportsRelaxedSimd()) {
      // Node 22 (the relaxed run) has it: the same requests load.
      assert.equal((await L.init({ build: 'relaxed', numThreads: 1 })).build, 'relaxed');
      return;
    }
    // Node 20: before, a raw CompileError "simd opcode not available, enable with --experimental-relaxed-simd".
    const named = (/** @type {any} */ e) => e instanceof RangeError && /^qdq-wasm: build 'relaxed' needs relaxed SIMD, which this engine does not run correctly \(supportsRelaxedSimd\(\) is false\)/.test(e.message);
    await assert.rejects(L.init({ build: 'relaxed' }), named);
    const inline = await freshLoader(); // initSync() with no bytes: qdq-wasm/inline's embedded builds
    inline.setWasmSource((/** @type {string} */ b) => readFileSync(new URL(`../../dist/qdq-${b}.wasm`, import.meta.url)), { embedded: true });
    assert.throws(() => inline.initSync(undefined, { build: 'relaxed' }), named);
    // Given bytes claimed to be the relaxed build: the same RangeError, before any compiling.
    await assert.rejects(L.init({ wasm: relaxed, build: 'relaxed' }), named);
    assert.throws(() => L.initSync(relaxed, { build: 'relaxed' }), named);
    const compile = (/** @type {string} */ where) => (/** @type {any} */ e) => e instanceof WebAssembly.CompileError &&
      e.message.startsWith(`qdq-wasm: cannot compile ${where} on this engine (`) && e.message.endsWith("this engine lacks relaxed SIMD: pass the 'simd128' build (dist/qdq-simd128.wasm) here");
    await assert.rejects(L.init({ wasm: relaxed }), compile('the bytes passed to init()'));
    const file = new URL('../../dist/qdq-relaxed.wasm', import.meta.url);
    await assert.rejects(L.init({ wasm: file }), compile(file.pathname));
    assert.throws(() => L.initSync(relaxed), compile('the bytes passed to initSync()'));
    assert.equal((await L.init({ build: 'simd128' })).build, 'simd128'); // and the loader still loads
  });
  await t.test('should refuse initSync() while init() is loading', async () => {
    const L = await freshLoader();
    const p = L.init({ build: BUILD });
    assert.throws(() => L.initSync(simd128), /while init\(\) is still loading/);
    await p;
  });
  await t.test('should explain a classic script (no import.meta.url) and an unregistered source', async () => {
    const L = await import(`../../js/runtime/loader.js?copy=${++copies}`);
    await assert.rejects(L.init({ build: BUILD }), /no \.wasm source registered/);
    L.setWasmSource(() => new URL('qdq.wasm', undefined));
    await assert.rejects(L.init({ build: BUILD }), /cannot locate dist\/qdq-.*\.wasm .*classic script.*qdq-wasm\/inline/);
  });
});

test('init() over HTTP', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/ok.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(simd128);
    else if (req.url === '/octet.wasm') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(simd128);
    else if (req.url === '/spa.wasm') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  try {
    await t.test('should load with the right MIME type and with a wrong one', async () => {
      for (const file of ['ok', 'octet']) {
        const L = await freshLoader();
        await L.init({ wasm: `${base}/${file}.wasm` });
        assert.equal(L.backend(), 'simd128');
      }
    });
    await t.test('should say how to fix a 404 and an HTML page', async () => {
      const L = await freshLoader();
      await assert.rejects(L.init({ wasm: `${base}/missing.wasm` }), /HTTP 404 .*did not publish the \.wasm.*To fix: pass init\(\{ wasm \}\).*'qdq-wasm\/inline'/);
      await assert.rejects(L.init({ wasm: `${base}/spa.wasm` }), /not a WebAssembly module .*To fix: .*'qdq-wasm\/inline'/);
    });
  } finally {
    await new Promise((resolve) => server.close(() => resolve(undefined)));
  }
});

test('qdq-wasm/inline', async (t) => {
  await t.test("should leave threads to the app's 'qdq-wasm' when a dependency imports 'qdq-wasm/inline' too", () => {
    // The embedded bytes win, but they lack the shared-memory builds; before, init({ numThreads: 2 }) ran on one
    // thread, its threadsNote blaming 'this entry point', although the app's entry had dist/ and its -mt builds.
    const entry = (/** @type {string} */ f) => JSON.stringify(new URL(`../../js/${f}`, import.meta.url).href);
    const script = `
      const app = await import(${entry('index.js')});
      await import(${entry('inline.js')});
      console.log(JSON.stringify(await app.init({ build: ${JSON.stringify(BUILD)}, numThreads: 2 })));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { build: BUILD, threads: 2, threadsNote: null });
  });
  await t.test('should load the embedded build with init() and initSync(), without dist/', () => {
    const inline = new URL('../../js/inline.js', import.meta.url).href;
    const script = `
      const m = await import(${JSON.stringify(inline)});
      const sync = process.argv[1] === 'sync';
      if (sync) m.initSync(); else await m.init();
      const q = m.quantizePerTensor(new Float32Array([1, 2, 3, 4, 5, 6]), { scale: 6 / 255, zeroPoint: -128, compat: 'pytorch' });
      console.log(m.backend(), m.supportsRelaxedSimd(), Array.from(q.data).join(' '));`;
    for (const mode of ['async', 'sync']) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, mode], { encoding: 'utf8' }).trim();
      const [backend, relaxed, ...q] = out.split(' ');
      assert.equal(backend, relaxed === 'true' ? 'relaxed' : 'simd128');
      assert.deepEqual(q.map(Number), [-86, -43, 0, 42, 84, 127]);
    }
  });
});
