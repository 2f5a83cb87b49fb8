// torch.linspace in float32 as torch 1.13's CPU kernel computes it (tests/helpers/torch-linspace.js,
// docs/observers.md L1-L3), against torch on this machine (tests/fixtures/gen_observers.py,
// "linspace": 4,000 random (start, end, steps), every element's bits through a CRC-32, the first 80
// short ones element by element). HistogramObserver's histc edges come from it (H1).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { fma32, torchLinspaceF32, torchLinspaceF32At } from '../helpers/torch-linspace.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/observers.json', import.meta.url), 'utf8'));
const bitsOf = (/** @type {Float32Array} */ a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

test('torchLinspaceF32 against torch.linspace', async (t) => {
  const cases = fixtures.linspace;
  await t.test(`should give every element's bits on ${cases.length} cases`, () => {
    let full = 0;
    for (const c of cases) {
      const y = torchLinspaceF32(c.start, c.end, c.steps);
      if (c.bits) {
        full++;
        const g = bitsOf(y);
        const i = g.findIndex((b, j) => b !== c.bits[j]);
        assert.equal(i, -1, `linspace(${c.start}, ${c.end}, ${c.steps})[${i}]: ${y[i]} vs torch ${new Float32Array(Uint32Array.of(c.bits[i]).buffer)[0]}`);
        assert.equal(g.length, c.bits.length);
      }
      assert.equal(crc32(new Uint8Array(y.buffer)), c.crc32, `linspace(${c.start}, ${c.end}, ${c.steps}): CRC-32 of its bytes`);
    }
    assert.equal(full, 80);
  });

  await t.test('should end -36..8 in 16 steps at 7.999999046325684, as torch (the vectorized last lane)', () => {
    assert.equal(torchLinspaceF32(-36, 8, 16)[15], 7.999999046325684);
    assert.equal(torchLinspaceF32At(-36, 8, 16, 15), 7.999999046325684);
    assert.equal(torchLinspaceF32At(-36, 8, 17, 16), 8); // the scalar tail: end - step * 0
    assert.deepEqual(Array.from(torchLinspaceF32(2.5, 9, 1)), [2.5]);
    assert.equal(torchLinspaceF32(0, 1, 0).length, 0);
  });

  await t.test('should round a + b * c once (fma32), ties to even, and propagate infinities and NaN', () => {
    // (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 exactly; rounding the product first loses it (a tie, to even).
    const b = Math.fround(1 + 2 ** -12), a = Math.fround(-(1 + 2 ** -11));
    assert.equal(fma32(b, b, a), 2 ** -24);
    assert.equal(Math.fround(Math.fround(b * b) + a), 0);
    // A sum whose nearest double is a float32 midpoint, 2^-40 below it: down, where ties-to-even goes up.
    const top = 2 ** 30 + 2 ** 7;
    assert.equal(fma32(Math.fround(1 + 2 ** -23), Math.fround(2 ** 6 * (1 - 2 ** -23)), top), top);
    assert.equal(Math.fround(top + (1 + 2 ** -23) * 2 ** 6 * (1 - 2 ** -23)), 2 ** 30 + 2 ** 8);
    assert.equal(fma32(2 ** -24, 1, 1), 1); // an exact tie: to even
    assert.equal(fma32(3 * 2 ** -24, 1, 1), 1 + 2 ** -22);
    assert.equal(fma32(Infinity, 2, 1), Infinity);
    assert.ok(Number.isNaN(fma32(Infinity, 0, 1)));
    assert.equal(fma32(3, 5, -15), 0);
  });
});
