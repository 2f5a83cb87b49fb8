// The assertion every bad-input suite shares: a qdq-wasm error of the given
// class whose message starts with "qdq-wasm: " and matches a pattern (the
// argument's name and value).
import assert from 'node:assert/strict';

/**
 * @param {() => unknown} fn
 * @param {ErrorConstructor} Type TypeError or RangeError
 * @param {RegExp} pattern
 */
export function throwsQdq(fn, Type, pattern) {
  assert.throws(fn, (/** @type {any} */ err) => {
    assert.ok(err instanceof Type, `expected ${Type.name}, got ${err?.constructor?.name}: ${err?.message}`);
    assert.match(err.message, /^qdq-wasm: /);
    assert.match(err.message, pattern);
    return true;
  });
}
