// The three grids shown for each scheme: integer codes, dequantized values
// and the error heatmap. Small tensors get a table with numbers; large ones
// a canvas with one pixel per element (a 64x64 table would cost more than
// a frame to rebuild).

import { css, diverging, fillDiverging, fillSequential, ink, sequential } from './colors.js';
import { fmt, int } from './format.js';

/** Tables with numbers up to this many cells and columns; beyond, canvas heatmaps (two side by side must fit). */
export const TABLE_LIMIT = 64;
export const TABLE_COLS = 8;
/** A clipped element's fill on the canvas: style.css's --clip, 5:1 against white. */
const CLIP = [180, 83, 9];

/**
 * A grid's colour scale: colors.js's sequential (codes lo to hi) or diverging (±limit).
 * @typedef {{ kind: 'sequential', lo: number, hi: number } | { kind: 'diverging', limit: number }} Scale
 */

/**
 * @typedef {object} GridSpec
 * @property {string} caption
 * @property {ArrayLike<number>} values
 * @property {Scale} scale background of each element
 * @property {(v: number) => string} label text of a cell
 * @property {Uint8Array} [mask] 0 marks a clipped element
 */

/**
 * What each grid last drew. A drag of the range handles changes the per-tensor result only: the
 * per-channel and per-group grids get the same arrays (main.js keeps those results) and are left as
 * they are, instead of refilling six 128 x 128 canvases a frame.
 * @type {WeakMap<HTMLElement, { values: ArrayLike<number>, mask: Uint8Array | undefined, scale: string, caption: string }>}
 */
const drawn = new WeakMap();

/** @param {Scale} scale @param {number} v @returns {number[]} */
const colorOf = (scale, v) => (scale.kind === 'sequential' ? sequential(v, scale.lo, scale.hi) : diverging(v, scale.limit));

/**
 * Renders one grid into container, reusing its table or canvas when the
 * shape is unchanged.
 * @param {HTMLElement} container
 * @param {GridSpec} spec
 * @param {number} rows @param {number} cols
 * @param {string} testId data-testid for the tests
 */
export function renderGrid(container, spec, rows, cols, testId) {
  const small = rows * cols <= TABLE_LIMIT && cols <= TABLE_COLS;
  let fig = /** @type {HTMLElement | null} */ (container.querySelector(`[data-testid="${testId}"]`));
  const kind = small ? 'table' : 'canvas';
  if (!fig || fig.dataset.kind !== kind || fig.dataset.shape !== `${rows}x${cols}`) {
    fig = document.createElement('figure');
    fig.className = 'grid';
    fig.dataset.testid = testId;
    fig.dataset.kind = kind;
    fig.dataset.shape = `${rows}x${cols}`;
    const cap = document.createElement('figcaption');
    fig.append(cap);
    if (small) {
      const table = document.createElement('table');
      for (let r = 0; r < rows; r++) {
        const tr = table.insertRow();
        for (let c = 0; c < cols; c++) tr.insertCell();
      }
      fig.append(table);
    } else {
      const canvas = document.createElement('canvas');
      canvas.width = cols;
      canvas.height = rows;
      canvas.setAttribute('role', 'img');
      fig.append(canvas);
    }
    const old = container.querySelector(`[data-testid="${testId}"]`);
    if (old) old.replaceWith(fig);
    else container.append(fig);
  }
  const last = drawn.get(fig), scaleKey = JSON.stringify(spec.scale);
  if (last && last.values === spec.values && last.mask === spec.mask && last.scale === scaleKey && last.caption === spec.caption) return;
  drawn.set(fig, { values: spec.values, mask: spec.mask, scale: scaleKey, caption: spec.caption });
  /** @type {HTMLElement} */ (fig.firstElementChild).textContent = spec.caption;
  fig.dataset.values = small ? Array.prototype.join.call(spec.values, ',') : '';
  if (small) {
    const cells = fig.querySelectorAll('td');
    for (let i = 0; i < cells.length; i++) {
      const v = spec.values[i];
      const bg = colorOf(spec.scale, v);
      const td = /** @type {HTMLTableCellElement} */ (cells[i]);
      td.textContent = spec.label(v);
      td.style.background = css(bg);
      td.style.color = ink(bg);
      td.classList.toggle('clipped', spec.mask !== undefined && spec.mask[i] === 0);
    }
  } else {
    const canvas = /** @type {HTMLCanvasElement} */ (fig.querySelector('canvas'));
    canvas.setAttribute('aria-label', `${spec.caption}: ${rows} × ${cols} heatmap`);
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    const img = ctx.createImageData(cols, rows);
    // One pass with the scale's arithmetic inline: a colour array per element made a 128 x 128 grid cost ~1 ms.
    if (spec.scale.kind === 'sequential') fillSequential(img.data, spec.values, spec.scale.lo, spec.scale.hi);
    else fillDiverging(img.data, spec.values, spec.scale.limit);
    if (spec.mask) {
      for (let i = 0; i < rows * cols; i++) {
        if (spec.mask[i] !== 0) continue;
        img.data[4 * i] = CLIP[0];
        img.data[4 * i + 1] = CLIP[1];
        img.data[4 * i + 2] = CLIP[2];
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}

/**
 * The three grids of one scheme.
 * @param {HTMLElement} container
 * @param {string} prefix 'pt' or 'pc', for test ids
 * @param {{ q: Int8Array | Uint8Array, xHat: Float32Array, err: Float32Array, mask: Uint8Array }} r
 * @param {{ rows: number, cols: number, qlo: number, qhi: number, xLimit: number, errLimit: number }} view
 */
export function renderScheme(container, prefix, r, view) {
  const { rows, cols } = view;
  renderGrid(container, {
    caption: 'Integers q (orange outline: clipped)', values: r.q, mask: r.mask,
    scale: { kind: 'sequential', lo: view.qlo, hi: view.qhi }, label: int,
  }, rows, cols, `${prefix}-q`);
  renderGrid(container, {
    caption: 'Dequantized x̂', values: r.xHat,
    scale: { kind: 'diverging', limit: view.xLimit }, label: (v) => fmt(v, 4),
  }, rows, cols, `${prefix}-xhat`);
  renderGrid(container, {
    caption: 'Error x − x̂ (shared colour scale)', values: r.err,
    scale: { kind: 'diverging', limit: view.errLimit }, label: (v) => fmt(v, 2),
  }, rows, cols, `${prefix}-err`);
}
