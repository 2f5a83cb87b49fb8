// Histogram of the tensor's values with the quantization grid (one line per
// integer code) and the clipping bounds drawn over it. The tensor view draws its
// tensor with it, the model lab (web/lab/main.js) each layer's weights and outputs.

import { axisBottom, scaleLinear, select } from './vendor/d3.js';
import { fmt } from './format.js';

const WIDE = 800, NARROW = 440, H = 230;
const M = { left: 36, right: 20, top: 40, bottom: 26 };
const SVG_NS = 'http://www.w3.org/2000/svg';

/** @param {Element} parent @param {string} tag @param {Record<string, string | number>} attrs */
function el(parent, tag, attrs = {}) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

/**
 * What the histogram draws besides the values (a TensorResult is one): the data's
 * extent, and the float value of every integer code with their spacing. An empty
 * grid draws the values alone (a tensor quantized with no fixed range, as a
 * dynamically quantized layer's input).
 * @typedef {{ scale: number, grid: ArrayLike<number>, dataMin: number, dataMax: number }} HistogramScheme
 */

/**
 * Draws the histogram into container (replacing the previous drawing).
 * @param {HTMLElement} container
 * @param {Float32Array} x
 * @param {HistogramScheme} t
 * @param {boolean} narrow draw for a phone-width container
 * @param {{ sqrt?: boolean }} [options] sqrt: bar heights by the square root of the count, so the
 *   tails of a peaked distribution (a ReLU's outputs, mostly 0) stay visible
 */
export function renderHistogram(container, x, t, narrow, options = {}) {
  let svg = container.querySelector('svg');
  if (!svg) {
    svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG_NS, 'svg'));
    svg.setAttribute('role', 'img');
    container.append(svg);
  }
  svg.replaceChildren();
  // A narrower drawing on phones keeps the text readable once scaled.
  const W = narrow ? NARROW : WIDE;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const half = t.scale / 2;
  const quantized = t.grid.length > 0;
  const clipLo = quantized ? t.grid[0] - half : -Infinity, clipHi = quantized ? t.grid[t.grid.length - 1] + half : Infinity;
  let a = Math.min(t.dataMin, 0), b = Math.max(t.dataMax, 0);
  // Show the clip bounds when they are near the data; far ones would squash the bars.
  const span = b - a || 1;
  if (clipLo > a - span) a = Math.min(a, clipLo);
  if (clipHi < b + span) b = Math.max(b, clipHi);
  const pad = (b - a || 1) * 0.04;
  a -= pad;
  b += pad;
  const fx = scaleLinear().domain([a, b]).range([M.left, W - M.right]);

  // At least 20 bins, so a handful of values still shows as separate bars.
  const binCount = Math.max(20, Math.min(60, Math.round(Math.sqrt(x.length) * 2)));
  const lo = t.dataMin, width = (t.dataMax - t.dataMin) / binCount || 1;
  const counts = new Uint32Array(binCount);
  for (let i = 0; i < x.length; i++) counts[Math.min(binCount - 1, Math.floor((x[i] - lo) / width))]++;
  const peak = Math.max(...counts);
  const fy = scaleLinear().domain([0, peak]).range([H - M.bottom, M.top]);
  const height = options.sqrt ? (/** @type {number} */ c) => Math.sqrt(c * peak) : (/** @type {number} */ c) => c;

  if (clipLo > a) el(svg, 'rect', { class: 'clamp', x: fx(a), y: M.top, width: fx(clipLo) - fx(a), height: H - M.top - M.bottom });
  if (clipHi < b) el(svg, 'rect', { class: 'clamp', x: fx(clipHi), y: M.top, width: fx(b) - fx(clipHi), height: H - M.top - M.bottom });

  // Bars and grid lines are one path each: thousands of elements would cost a frame.
  let bars = '';
  for (let k = 0; k < binCount; k++) {
    if (counts[k] === 0) continue;
    const x0 = fx(lo + k * width), x1 = fx(lo + (k + 1) * width);
    const w = Math.max(1, x1 - x0 - 1);
    bars += `M${(x0 + 0.5).toFixed(1)},${fy(0).toFixed(1)}V${fy(height(counts[k])).toFixed(1)}h${w.toFixed(1)}V${fy(0).toFixed(1)}z`;
  }
  el(svg, 'path', { class: 'bars', d: bars });

  // The grid: every code's float value, thinned to lines at least 3 px apart.
  const px = Math.abs(fx(t.scale) - fx(0));
  const every = Math.max(1, Math.ceil(3 / Math.max(px, 1e-9)));
  let gridPath = '';
  for (let i = 0; i < t.grid.length; i += every) {
    const g = t.grid[i];
    if (g >= a && g <= b) gridPath += `M${fx(g).toFixed(1)},${M.top}V${H - M.bottom}`;
  }
  el(svg, 'path', { class: 'qgrid', d: gridPath });
  for (const [v, label] of /** @type {const} */ ([[clipLo, 'clips below'], [clipHi, 'clips above']])) {
    if (v < a || v > b) continue;
    el(svg, 'line', { class: 'clip-bound', x1: fx(v), x2: fx(v), y1: M.top - 6, y2: H - M.bottom });
    el(svg, 'text', { class: 'mark warn', x: fx(v), y: M.top - 10, 'text-anchor': v === clipLo ? 'start' : 'end' }).textContent = `${label} ${fmt(v, 4)}`;
  }
  select(/** @type {SVGGElement} */ (el(svg, 'g', { transform: `translate(0,${H - M.bottom})` }))).call(axisBottom(fx).ticks(W < WIDE ? 5 : 8));
  const yAxis = el(svg, 'text', { class: 'axis-title', x: 4, y: 12 });
  const values = `Histogram of ${x.length} values from ${fmt(t.dataMin, 4)} to ${fmt(t.dataMax, 4)}`;
  const count = `${options.sqrt ? '√count' : 'count'} (peak ${peak})`;
  if (!quantized) {
    yAxis.textContent = `${count} · no fixed quantization range`;
    svg.setAttribute('aria-label', `${values}; no fixed quantization range.`);
    return { every };
  }
  yAxis.textContent = `${count} · grid lines: ${every === 1 ? 'one per code' : `one per ${every} codes`}`;
  svg.setAttribute('aria-label', `${values}; ` +
    `grid lines every ${every === 1 ? '' : `${every} `}code${every === 1 ? '' : 's'} (${fmt(t.scale * every, 4)} apart); ` +
    `values outside [${fmt(clipLo, 4)}, ${fmt(clipHi, 4)}] clip.`);
  return { every };
}
