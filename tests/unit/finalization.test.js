// The FinalizationRegistry safety net: 200 layers and packed matrices dropped
// without dispose() are freed once the garbage collector finds them, so that a
// block as large as all of them fits again without growing memory. Needs
// --expose-gc, so it runs in a child process.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BUILD } from '../helpers/setup.js';

test('FinalizationRegistry', async (t) => {
  await t.test('should free the wasm memory of objects dropped without dispose()', () => {
    const child = new URL('../helpers/finalization-child.js', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--expose-gc', child], { encoding: 'utf8', env: { ...process.env, QDQ_BUILD: BUILD } });
    const r = JSON.parse(out.trim().split('\n').pop());
    assert.ok(r.peak - r.used > 3 << 20, 'the dropped objects took megabytes before collection');
    assert.equal(r.fitted, true, 'their memory did not come back: the finalizers did not free it');
  });
});
