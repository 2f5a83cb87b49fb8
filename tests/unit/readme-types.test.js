// The README's examples as a TypeScript consumer writes them: each ```js block
// saved as a .mts file of an app that imports 'qdq-wasm' by name (resolved
// through package.json's exports and their "types", as from npm), compiled by
// tsc under strict with moduleResolution node16 and bundler. A README example
// that runs (tests/unit/readme.test.js) but does not type-check is what a
// TypeScript user copies first.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

test('README.md examples under tsc --strict', async (t) => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 5, `README has ${blocks.length} examples`);
  const app = mkdtempSync(path.join(tmpdir(), 'qdq-readme-ts-'));
  t.after(() => rmSync(app, { recursive: true, force: true }));
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(root, path.join(app, 'node_modules/qdq-wasm'), 'dir');
  for (const [i, block] of blocks.entries()) writeFileSync(path.join(app, `example-${i + 1}.mts`), block);
  for (const [resolution, module] of [['node16', 'node16'], ['bundler', 'esnext']]) {
    await t.test(`should compile every example with moduleResolution ${resolution}`, () => {
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(path.join(app, config), JSON.stringify({
        compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, strict: true, noEmit: true,
          skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] },
        include: ['*.mts'],
      }));
      const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' });
      assert.equal(r.stdout + r.stderr, '');
      assert.equal(r.status, 0);
    });
  }
});
