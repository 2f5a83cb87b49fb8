// Documentation that runs: every ```js block in README.md executes without
// error (importing this checkout instead of the npm package), and so does
// examples/article.js, whose output must carry the corrected numbers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILD } from '../helpers/setup.js';

const root = new URL('../../', import.meta.url);
const index = new URL('js/index.js', root).href;

function runModule(source) {
  const dir = mkdtempSync(path.join(tmpdir(), 'qdq-readme-'));
  try {
    const file = path.join(dir, 'example.mjs');
    writeFileSync(file, source.replaceAll(/from 'qdq-wasm'/g, `from '${index}'`).replace('await init();', `await init({ build: '${BUILD}' });`));
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
