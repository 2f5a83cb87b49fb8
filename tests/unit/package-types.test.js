// TypeScript's older module resolution (moduleResolution "node", i.e. node10: TypeScript 5.x's default
// for module commonjs, still common) ignores package.json's exports map, so a subpath such as
// 'qdq-wasm/inline' finds no types ("Cannot find module 'qdq-wasm/inline' or its corresponding type
// declarations", TypeScript 5.9) unless typesVersions maps it. TypeScript 7, which the project's
// type tests run, has dropped node10, so this checks the mapping itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('package.json types', async (t) => {
  await t.test('should map every typed subpath of exports in typesVersions, to the same declarations', () => {
    const typed = Object.entries(pkg.exports)
      .filter(([key, target]) => key !== '.' && typeof target === 'object' && target.types)
      .map(([key, target]) => [key.slice(2), [target.types]]);
    assert.ok(typed.length >= 1, 'exports has typed subpaths');
    assert.deepEqual(pkg.typesVersions, { '*': Object.fromEntries(typed) });
    for (const [, [file]] of typed) assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), file);
  });
  await t.test("should give the root's types as types and exports['.'].types alike", () => {
    assert.equal(pkg.types, pkg.exports['.'].types);
  });
});
