// Small SVG line charts for the lab (training curves, accuracy against
// calibration size and bit width); its histograms are the tensor view's
// (web/histogram.js). Display only: the values they draw come from the worker.

const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#0b63c5', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#5c940d'];

/** @param {Element} parent @param {string} tag @param {Record<string, string | number>} attrs @param {string} [text] */
function el(parent, tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  parent.append(e);
  return e;
}

/** A short label for an axis value. @param {number} v */
function tick(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return `${Math.round(v / 100) / 10}k`;
  if (a >= 10) return String(Math.round(v * 10) / 10);
  return String(Math.round(v * 1000) / 1000);
}

/** @param {HTMLElement} container @param {number} w @param {number} h */
function svgIn(container, w, h) {
  container.replaceChildren();
  const svg = /** @type {SVGSVGElement} */ (document.createElementNS(NS, 'svg'));
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('aria-hidden', 'true');
  container.append(svg);
  return svg;
}

/**
 * Line chart of series over a shared x axis.
 * @param {HTMLElement} container
 * @param {{ name: string, points: [number, number][], color?: string, dots?: boolean, dashed?: boolean }[]} series dashed: its line is
 *   dashed, and its key, for a series whose line joins points across x values it cannot have (the bit sweep's weight-only)
 * @param {{ xLabel: string, yLabel: string, yMin?: number, yMax?: number, xLog?: boolean, xMax?: number }} o
 */
export function lineChart(container, series, o) {
  // Drawn at about the container's own width, so its 12px text stays near 12px on a phone (a fixed 640-wide
  // drawing shrank it to 6-7px at 360px); below 520 the legend goes under the plot instead of beside it.
  const W = Math.max(300, Math.min(640, Math.round(container.clientWidth || 640)));
  const side = W >= 520;
  const L = 48, R = side ? 175 : 12, T = 24, B = 34;
  // Narrow: the x title in lines at its '; ' (the calibration chart's names its settings too).
  const titles = side ? [o.xLabel] : o.xLabel.split('; ');
  const plotBottom = 250, legendTop = plotBottom + 16 * (titles.length - 1) + 8;
  const svg = svgIn(container, W, side ? plotBottom : legendTop + 18 * series.length);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return;
  const fx = (/** @type {number} */ x) => (o.xLog ? Math.log10(x) : x);
  let x0 = Math.min(...all.map((p) => fx(p[0]))), x1 = Math.max(o.xMax !== undefined ? fx(o.xMax) : -Infinity, ...all.map((p) => fx(p[0])));
  // One x (a single calibration size, say): in the middle, as a single y is, not on the y axis's labels.
  const lone = x1 === x0;
  if (lone) { x0 -= 0.5; x1 += 0.5; }
  let y0 = o.yMin ?? Math.min(...all.map((p) => p[1])), y1 = o.yMax ?? Math.max(...all.map((p) => p[1]));
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = (/** @type {number} */ x) => L + ((fx(x) - x0) / (x1 - x0)) * (W - L - R);
  const sy = (/** @type {number} */ y) => T + (1 - (y - y0) / (y1 - y0)) * (plotBottom - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    el(svg, 'line', { class: 'gridline', x1: L, x2: W - R, y1: sy(y), y2: sy(y) });
    el(svg, 'text', { x: L - 4, y: sy(y) + 4, 'text-anchor': 'end' }, tick(y));
  }
  // Log axes label the data's own x values; linear ones whole numbers about a quarter of the range apart.
  const step = Math.max(1, Math.round((x1 - x0) / 4));
  const xs = o.xLog || lone ? [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b)
    : Array.from({ length: Math.floor((x1 - x0) / step) + 1 }, (_, i) => Math.round(x0) + i * step);
  for (const x of xs) el(svg, 'text', { x: sx(x), y: plotBottom - B + 16, 'text-anchor': 'middle' }, tick(x));
  titles.forEach((text, k) => el(svg, 'text', { class: 'axis-title', x: side ? (L + W - R) / 2 : 4, y: plotBottom - 4 + 16 * k, 'text-anchor': side ? 'middle' : 'start' }, text));
  el(svg, 'text', { class: 'axis-title', x: 4, y: T - 12 }, o.yLabel);
  let ky = side ? T : legendTop;
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.points.length > 1) {
      el(svg, 'path', {
        class: 'series', stroke: color, ...(s.dashed ? { 'stroke-dasharray': DASH } : {}),
        d: s.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(''),
      });
    }
    if (s.dots || s.points.length === 1) for (const p of s.points) el(svg, 'circle', { cx: sx(p[0]), cy: sy(p[1]), r: 3.5, fill: color });
    const kx = side ? W - R + 10 : L;
    if (s.dashed) for (const x of [0, 7]) el(svg, 'rect', { x: kx + x, y: ky, width: 5, height: 4, fill: color });
    else el(svg, 'rect', { x: kx, y: ky, width: 12, height: 4, fill: color });
    ky += 18 + LINE * (legendName(svg, kx + 16, ky + 6, s.name, W - kx - 16 - 4) - 1);
  });
  // Wrapped names made the legend under the plot taller than one line a series.
  if (!side) svg.setAttribute('viewBox', `0 0 ${W} ${ky}`);
}

/** The dash of a dashed series' line. */
const DASH = '6 4';
/** The step from one line of a legend name to the next (12px text). */
const LINE = 14;

/**
 * A legend name, in as many lines as it takes to stay within width (a long name ran past the
 * drawing's edge and was cut off), broken between words; returns the number of lines. An unrendered
 * chart measures every text as 0 wide and keeps one line.
 * @param {SVGSVGElement} svg @param {number} x @param {number} y @param {string} name @param {number} width
 */
function legendName(svg, x, y, name, width) {
  const text = /** @type {SVGTextElement} */ (el(svg, 'text', { x, y }, name));
  if (text.getComputedTextLength() <= width) return 1;
  text.textContent = '';
  let lines = 0;
  const line = () => /** @type {SVGTSpanElement} */ (el(text, 'tspan', { x, dy: lines++ ? LINE : 0 }, ''));
  let span = line();
  for (const word of name.split(' ')) {
    const before = span.textContent ?? '';
    span.textContent = before ? `${before} ${word}` : word;
    if (before && span.getComputedTextLength() > width) {
      span.textContent = before;
      span = line();
      span.textContent = word;
    }
  }
  return lines;
}

/**
 * The line chart's values as a table (one row per x, one column per series): what the chart
 * shows, for screen readers and for reading exact values. Cells carry data-series, data-x and
 * data-value. A series with a `heading` shows it over its column, and its `note` on a line
 * below in smaller type, instead of a long name that would stretch the column on a phone; the
 * name stays the column's accessible name and its cells' data-series.
 * @param {HTMLTableElement} table
 * @param {{ name: string, heading?: string, note?: string, points: [number, number][] }[]} series
 * @param {string} xLabel the first column's heading
 * @param {(v: number) => string} format
 */
export function pointTable(table, series, xLabel, format) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const th = (/** @type {string} */ text, /** @type {string} */ scope) => {
    const c = document.createElement('th');
    c.scope = scope;
    c.textContent = text;
    return c;
  };
  const head = document.createElement('tr');
  head.append(th(xLabel, 'col'), ...series.map((s) => {
    if (s.heading === undefined) return th(s.name, 'col');
    const c = th(s.heading, 'col');
    c.setAttribute('aria-label', s.name);
    c.title = s.name;
    if (s.note) {
      const note = document.createElement('span');
      note.className = 'th-note';
      note.textContent = s.note;
      c.append(note);
    }
    return c;
  }));
  const rows = xs.map((x) => {
    const tr = document.createElement('tr');
    tr.append(th(String(x), 'row'), ...series.map((s) => {
      const td = document.createElement('td');
      const p = s.points.find((q) => q[0] === x);
      td.dataset.series = s.name;
      td.dataset.x = String(x);
      if (p) td.dataset.value = String(p[1]);
      td.textContent = p ? format(p[1]) : '–';
      return td;
    }));
    return tr;
  });
  table.tHead?.remove();
  for (const b of [...table.tBodies]) b.remove();
  table.createTHead().append(head);
  table.createTBody().append(...rows);
}
