// The tensor view's grid colours (web/colors.js): every cell's text colour reaches WCAG AA (4.5:1)
// on every background the diverging and sequential scales give, and the canvas fills paint what the
// scales give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diverging, fillDiverging, fillSequential, ink, sequential } from '../../web/colors.js';

/** WCAG 2 contrast of two sRGB colours, from its definition. @param {number[]} a @param {number[]} b */
function contrast(a, b) {
  const lum = (/** @type {number[]} */ c) => {
    const f = (/** @type {number} */ v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
const RGB = { '#000': [0, 0, 0], '#fff': [255, 255, 255] };

test('ink', async (t) => {
  await t.test('should give text of at least 4.5:1 on every colour of both scales', () => {
    for (const [name, scale] of /** @type {const} */ ([['diverging', (/** @type {number} */ s) => diverging(2 * s - 1, 1)], ['sequential', (/** @type {number} */ s) => sequential(s, 0, 1)]])) {
      let worst = Infinity;
      for (let i = 0; i <= 1000; i++) {
        // Cells are painted with css(), which truncates each channel.
        const bg = scale(i / 1000).map((v) => v | 0);
        worst = Math.min(worst, contrast(bg, RGB[/** @type {'#000' | '#fff'} */ (ink(bg))]));
      }
      assert.ok(worst >= 4.5, `${name}: ${worst.toFixed(2)}:1`);
    }
  });
  await t.test('should pick the one of black and white that contrasts more, also where the old threshold did not', () => {
    // rgb(101, 148, 196), a mid blue of the diverging scale, once got white text at 3.19:1; black gives 5.9:1.
    assert.deepEqual([ink([101, 148, 196]), ink([33, 102, 172]), ink([247, 247, 247]), ink([195, 79, 93])], ['#000', '#fff', '#000', '#000']);
    assert.ok(contrast([101, 148, 196], [0, 0, 0]) > 5.9);
  });
});

test('canvas fills', async (t) => {
  // Values across and beyond each scale, its ends, ±0, NaN and the infinities: the fill must put into
  // an ImageData the bytes that assigning the scale's own colour would (Uint8ClampedArray rounds).
  const values = Float32Array.from([-3, -2, -1.5, -1, -0.999, -0.5, -0.25, -1e-30, -0, 0, 1e-30, 0.001, 0.3, 0.5, 0.75, 1, 1.01, 2, 5, 127, -128, NaN, Infinity, -Infinity]);
  /** @param {(v: number) => number[]} color */
  const expected = (color) => {
    const d = new Uint8ClampedArray(4 * values.length);
    values.forEach((v, i) => { const c = color(v); d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = 255; });
    return d;
  };
  await t.test('should paint diverging(v, limit) for every limit, also 0 and negative', () => {
    for (const limit of [1, 2, 0.3, 1e-6, 0, -1, Infinity]) {
      const d = new Uint8ClampedArray(4 * values.length);
      fillDiverging(d, values, limit);
      assert.deepEqual(d, expected((v) => diverging(v, limit)), `limit ${limit}`);
    }
  });
  await t.test('should paint sequential(v, lo, hi), also for an empty range', () => {
    for (const [lo, hi] of [[-128, 127], [0, 255], [-8, 7], [0, 1], [3, 3], [5, -5]]) {
      const d = new Uint8ClampedArray(4 * values.length);
      fillSequential(d, values, lo, hi);
      assert.deepEqual(d, expected((v) => sequential(v, lo, hi)), `[${lo}, ${hi}]`);
    }
  });
});
