// Documentation that runs: every ```js block in README.md executes without
// error (importing this checkout instead of the npm package), and so does
// examples/article.js, whose output must carry the corrected numbers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUILD } from '../helpers/setup.js';

const root = new URL('../../', import.meta.url);
const index = new URL('js/index.js', root).href;
const inline = new URL('js/inline.js', root).href;

function runModule(source) {
  const dir = mkdtempSync(path.join(tmpdir(), 'qdq-readme-'));
  try {
    const file = path.join(dir, 'example.mjs');
    writeFileSync(file, source.replaceAll(/from 'qdq-wasm'/g, `from '${index}'`).replaceAll(/from 'qdq-wasm\/inline'/g, `from '${inline}'`).replace('await init();', `await init({ build: '${BUILD}' });`));
    return execFileSync(process.execPath, [file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('README.md', async (t) => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, 'README has runnable examples');
  for (const [i, block] of blocks.entries()) {
    await t.test(`should run example ${i + 1}`, () => {
      const out = runModule(block);
      if (block.includes("quantize(w, { shape: [2, 3], axis: 0")) {
        assert.match(out, /Int8Array\(6\) \[ -43, 42, 127, 42, 84, 127 \]/);
        assert.match(out, /Int8Array\(6\) \[ -86, -43, 0, 42, 84, 127 \]/);
      }
    });
  }
});

test('examples/article.js', async (t) => {
  await t.test('should print the corrected per-tensor and per-channel results', () => {
    const out = execFileSync(process.execPath, [new URL('examples/article.js', root).pathname], { encoding: 'utf8' });
    assert.match(out, /E2 zero point -128 - round\(0 \/ scale\) = -128/);
    assert.match(out, /E5 q {10}\[-86, -43, 0, 42, 84, 127\]/);
    assert.match(out, /E5 q {10}\[-43, 42, 127, 42, 84, 127\]/);
  });
});

test('README compatibility and size statements', async (t) => {
  const readme = readFileSync(new URL('README.md', root), 'utf8').replace(/\s+/g, ' ');
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  await t.test('should state the Node minimum of package.json engines, and run on it', () => {
    const min = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);
    assert.ok(min, `engines.node is a plain minimum: ${pkg.engines.node}`);
    assert.ok(readme.includes(`Node ${min[1]}.${min[2]}+`), `README names Node ${min[1]}.${min[2]}+`);
    const [major, minor] = process.versions.node.split('.').map(Number);
    assert.ok(major > Number(min[1]) || (major === Number(min[1]) && minor >= Number(min[2])), `this Node ${process.version} meets engines`);
    // The versions README says npm test runs on: this Node must be one of them.
    const tested = /npm test` runs on Node (\d+\.\d+) and, for the relaxed build, Node (\d+\.\d+)/.exec(readme);
    assert.ok(tested, 'README says which Node versions npm test runs on');
    // On the CI machine (the reference), the Node running this must be one README names;
    // a contributor's other Node version is not a README error.
    if (process.env.CI === 'true') assert.ok(tested.slice(1).includes(`${major}.${minor}`), `README's tested versions include this Node ${process.version}`);
  });
  await t.test("should load with require() as README says (Node's require of ES modules)", () => {
    const out = execFileSync(process.execPath, ['-e', `const q = require(${JSON.stringify(new URL('js/index.js', root).pathname)}); console.log(typeof q.init, typeof q.quantize)`], { encoding: 'utf8' });
    assert.equal(out.trim(), 'function function');
  });
  await t.test('should state the size of the embedded builds within 5%', () => {
    const m = /`js\/runtime\/embedded\.js` is (\d+) KB \((\d+) KB gzipped\)/.exec(readme);
    assert.ok(m, 'README states the size of js/runtime/embedded.js');
    const bytes = readFileSync(new URL('js/runtime/embedded.js', root));
    const gz = gzipSync(bytes, { level: 9 }).length;
    const near = (/** @type {number} */ stated, /** @type {number} */ actual) => Math.abs(stated * 1000 - actual) <= 0.05 * actual;
    assert.ok(near(Number(m[1]), bytes.length), `embedded.js is ${(bytes.length / 1000).toFixed(0)} KB, README says ${m[1]}`);
    assert.ok(near(Number(m[2]), gz), `gzipped ${(gz / 1000).toFixed(0)} KB, README says ${m[2]}`);
  });
  await t.test('should state the size of the whole API bundled by esbuild within 5%', async () => {
    const m = /the whole API[^]*? is (\d+) KB \((\d+) KB gzipped\) from `qdq-wasm\/inline`, against (\d+) KB \((\d+) KB\s+gzipped\)/.exec(readme);
    assert.ok(m, "README states the bundled sizes of both entries");
    const { build } = await import('esbuild');
    const near = (/** @type {number} */ stated, /** @type {number} */ actual) => Math.abs(stated * 1000 - actual) <= 0.05 * actual;
    for (const [entry, size, gzipped] of [['js/inline.js', m[1], m[2]], ['js/index.js', m[3], m[4]]]) {
      // What the README measured: one minified ESM bundle for browsers, Node's built-ins left out.
      const r = await build({ entryPoints: [new URL(entry, root).pathname], bundle: true, minify: true, format: 'esm', write: false,
        platform: 'browser', logLevel: 'silent', external: ['node:*', 'worker_threads', 'module', 'os', 'fs'] });
      const bytes = r.outputFiles[0].contents;
      assert.ok(near(Number(size), bytes.length), `${entry} bundles to ${(bytes.length / 1000).toFixed(0)} KB, README says ${size}`);
      const gz = gzipSync(bytes).length;
      assert.ok(near(Number(gzipped), gz), `${entry} gzipped ${(gz / 1000).toFixed(0)} KB, README says ${gzipped}`);
    }
  });
});
