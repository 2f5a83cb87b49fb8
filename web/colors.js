// Colour scales shared by the HTML grids and the canvas heatmaps: plain RGB
// triples, so a 64x64 canvas can be filled without parsing CSS colours.

const BLUE = [33, 102, 172];
const WHITE = [247, 247, 247];
const RED = [178, 24, 43];
const LIGHT = [240, 243, 246];
const DARK = [46, 74, 98];

/** @param {number[]} a @param {number[]} b @param {number} t in [0, 1] */
function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/**
 * Diverging blue-white-red: v / limit in [-1, 1]; 0 is white.
 * @param {number} v @param {number} limit > 0
 * @returns {number[]} [r, g, b]
 */
export function diverging(v, limit) {
  const t = limit > 0 ? Math.max(-1, Math.min(1, v / limit)) : 0;
  return t < 0 ? mix(WHITE, BLUE, -t) : mix(WHITE, RED, t);
}

/**
 * Sequential light-to-dark for v in [lo, hi].
 * @param {number} v @param {number} lo @param {number} hi
 * @returns {number[]}
 */
export function sequential(v, lo, hi) {
  const t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
  return mix(LIGHT, DARK, t);
}

/**
 * Fills an RGBA image with diverging(values[i], limit), alpha 255: the same
 * arithmetic in one loop, without a colour array per element.
 * @param {Uint8ClampedArray} data 4 bytes per value
 * @param {ArrayLike<number>} values @param {number} limit
 */
export function fillDiverging(data, values, limit) {
  for (let i = 0; i < values.length; i++) {
    const t = limit > 0 ? Math.max(-1, Math.min(1, values[i] / limit)) : 0;
    const end = t < 0 ? BLUE : RED, u = t < 0 ? -t : t;
    data[4 * i] = WHITE[0] + (end[0] - WHITE[0]) * u;
    data[4 * i + 1] = WHITE[1] + (end[1] - WHITE[1]) * u;
    data[4 * i + 2] = WHITE[2] + (end[2] - WHITE[2]) * u;
    data[4 * i + 3] = 255;
  }
}

/**
 * Fills an RGBA image with sequential(values[i], lo, hi), alpha 255.
 * @param {Uint8ClampedArray} data @param {ArrayLike<number>} values @param {number} lo @param {number} hi
 */
export function fillSequential(data, values, lo, hi) {
  for (let i = 0; i < values.length; i++) {
    const t = hi > lo ? Math.max(0, Math.min(1, (values[i] - lo) / (hi - lo))) : 0;
    data[4 * i] = LIGHT[0] + (DARK[0] - LIGHT[0]) * t;
    data[4 * i + 1] = LIGHT[1] + (DARK[1] - LIGHT[1]) * t;
    data[4 * i + 2] = LIGHT[2] + (DARK[2] - LIGHT[2]) * t;
    data[4 * i + 3] = 255;
  }
}

/** @param {number[]} c @returns {string} */
export function css(c) {
  return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;
}

/** WCAG 2 relative luminance of an sRGB colour. @param {number[]} c */
function luminance(c) {
  const lin = (/** @type {number} */ v) => {
    const s = (v | 0) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/**
 * Text colour for background c: black or white, whichever contrasts more. One of the two always
 * reaches 4.58:1 (the worst case is a background of luminance 0.179), which #111 and a brightness
 * threshold did not: mid blues fell to 3.2:1.
 * @param {number[]} c
 */
export function ink(c) {
  const l = luminance(c);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}
