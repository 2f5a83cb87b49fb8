// The mapping: a float number line above an integer number line, a line
// from each value to its code, and two handles that set the range the
// per-tensor scale and zero point are derived from.

import { axisBottom, scaleLinear, select } from './vendor/d3.js';
import { fmt, int } from './format.js';

/** Drawing widths: a narrower drawing on phones keeps the text readable once scaled. */
const WIDE = 800, NARROW = 440, H = 230;
const M = { left: 24, right: 24 };
const Y_FLOAT = 62, Y_INT = 170;
/** Most mapping lines drawn; more would only be ink. */
const MAX_LINES = 240;

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @typedef {object} NumberLineInput
 * @property {Float32Array} x
 * @property {import('./compute.js').TensorResult} t
 * @property {boolean} narrow draw for a phone-width container
 * @property {boolean} [channel] drawing one channel: no handles
 * @property {(lo: number, hi: number) => void} onRange called while a handle moves
 */

/** @param {Element} parent @param {string} tag @param {Record<string, string | number>} attrs */
function el(parent, tag, attrs = {}) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

export class NumberLine {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG_NS, 'svg'));
    this.svg.setAttribute('class', 'number-line');
    // A group named by render()'s description (scale, zero point, clipped count); aria-labelledby would override it.
    this.svg.setAttribute('role', 'group');
    container.append(this.svg);
    this.layers = {
      back: el(this.svg, 'g'), axes: el(this.svg, 'g'), lines: el(this.svg, 'g', { class: 'maplines' }),
      marks: el(this.svg, 'g'), handles: el(this.svg, 'g'),
    };
    /** While dragging, the float axis keeps its domain so the handle stays under the pointer. */
    this.frozen = /** @type {[number, number] | null} */ (null);
    this.handles = {
      lo: this.makeHandle('lo', 'Range minimum (drag, or use the arrow keys)'),
      hi: this.makeHandle('hi', 'Range maximum (drag, or use the arrow keys)'),
    };
    /** @type {NumberLineInput | null} */
    this.input = null;
    /** The range last asked for through onRange, until the page draws it (it draws once a frame). */
    this.asked = /** @type {[number, number] | null} */ (null);
    /** @type {{ float: SVGGElement, int: SVGGElement, floatTitle: SVGElement, intTitle: SVGElement } | null} */
    this.axes = null;
  }

  /** @param {'lo' | 'hi'} which @param {string} label */
  makeHandle(which, label) {
    const g = el(this.layers.handles, 'g', {
      class: 'handle', tabindex: 0, role: 'slider', 'aria-label': label, 'data-testid': `handle-${which}`,
    });
    el(g, 'rect', { x: -12, y: Y_FLOAT - 30, width: 24, height: 44, fill: 'transparent' }); // a finger-sized target
    el(g, 'line', { y1: Y_FLOAT - 22, y2: Y_FLOAT + 8 });
    el(g, 'path', { d: `M0,${Y_FLOAT - 8} l-8,-14 h16 z` });
    el(g, 'text', { y: Y_FLOAT - 27, 'text-anchor': 'middle', class: 'handle-label' });
    g.addEventListener('pointerdown', (ev) => this.startDrag(which, /** @type {PointerEvent} */ (ev)));
    g.addEventListener('keydown', (ev) => this.key(which, /** @type {KeyboardEvent} */ (ev)));
    return g;
  }

  /** Float value under a pointer, in the (frozen) float axis. @param {PointerEvent} ev */
  valueAt(ev) {
    const ctm = this.svg.getScreenCTM();
    if (!ctm) return 0;
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    return this.fx.invert(p.x);
  }

  /** @param {'lo' | 'hi'} which @param {PointerEvent} ev */
  startDrag(which, ev) {
    if (!this.input) return;
    ev.preventDefault();
    const g = this.handles[which];
    g.setPointerCapture(ev.pointerId);
    g.focus();
    this.frozen = /** @type {[number, number]} */ (this.fx.domain());
    const move = (/** @type {PointerEvent} */ e) => this.moveTo(which, this.valueAt(e));
    const up = () => {
      g.removeEventListener('pointermove', move);
      g.removeEventListener('pointerup', up);
      g.removeEventListener('pointercancel', up);
      this.frozen = null;
      if (this.input) this.moveTo(which, this.current()[which === 'lo' ? 0 : 1]);
    };
    g.addEventListener('pointermove', move);
    g.addEventListener('pointerup', up);
    g.addEventListener('pointercancel', up);
  }

  /** Moves one end of the range, keeping lo < hi. @param {'lo' | 'hi'} which @param {number} v */
  moveTo(which, v) {
    if (!this.input || !Number.isFinite(v)) return;
    // From the range last asked for: two key presses before the next frame move twice.
    const [lo, hi] = this.current();
    const gap = Math.max(Math.abs(hi - lo), 1e-6) * 1e-3;
    const v32 = Math.fround(Number(v.toPrecision(4)));
    this.asked = which === 'lo' ? [Math.min(v32, hi - gap), hi] : [lo, Math.max(v32, lo + gap)];
    this.input.onRange(...this.asked);
  }

  /** The range in effect: the one last asked for, or the one drawn. @returns {[number, number]} */
  current() {
    const t = /** @type {NumberLineInput} */ (this.input).t;
    return this.asked ?? [t.lo, t.hi];
  }

  /** Arrow keys move by 1% of the axis, Page keys by 10%. @param {'lo' | 'hi'} which @param {KeyboardEvent} ev */
  key(which, ev) {
    if (!this.input) return;
    const [a, b] = this.fx.domain();
    const steps = { ArrowLeft: -0.01, ArrowDown: -0.01, ArrowRight: 0.01, ArrowUp: 0.01, PageDown: -0.1, PageUp: 0.1 };
    const k = steps[/** @type {keyof typeof steps} */ (ev.key)];
    if (k === undefined) return;
    ev.preventDefault();
    const cur = this.current()[which === 'lo' ? 0 : 1];
    this.moveTo(which, cur + k * (b - a));
  }

  /** @param {NumberLineInput} input */
  render(input) {
    this.input = input;
    this.asked = null;
    const { x, t } = input;
    const W = input.narrow ? NARROW : WIDE;
    this.svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    this.W = W;
    let a = Math.min(t.dataMin, t.lo, t.widenedLo, 0), b = Math.max(t.dataMax, t.hi, t.widenedHi, 0);
    const pad = (b - a || 1) * 0.08;
    const domain = this.frozen ?? [a - pad, b + pad];
    [a, b] = domain;
    const fx = this.fx = scaleLinear().domain(domain).range([M.left, W - M.right]);
    const ix = scaleLinear().domain([t.dtypeMin - 0.5, t.dtypeMax + 0.5]).range([M.left, W - M.right]);
    const { back, axes, lines, marks } = this.layers;
    back.replaceChildren();
    if (!this.axes) {
      // Kept between renders: d3 updates ticks in place, and unchanged labels cost no layout.
      this.axes = {
        float: /** @type {SVGGElement} */ (el(axes, 'g', { transform: `translate(0,${Y_FLOAT})` })),
        int: /** @type {SVGGElement} */ (el(axes, 'g', { transform: `translate(0,${Y_INT})` })),
        floatTitle: el(axes, 'text', { x: M.left, y: 14, class: 'axis-title' }),
        intTitle: el(axes, 'text', { x: M.left, y: Y_INT - 14, class: 'axis-title' }),
      };
      this.axes.floatTitle.textContent = 'float x';
    }
    lines.replaceChildren();
    marks.replaceChildren();

    // Where float values clip: beyond half a step outside the first and last codes.
    const half = t.scale / 2;
    const repLo = t.grid[0] - half, repHi = t.grid[t.grid.length - 1] + half;
    if (repLo > a) el(back, 'rect', { class: 'clamp', x: fx(a), y: Y_FLOAT - 26, width: fx(repLo) - fx(a), height: 30 });
    if (repHi < b) el(back, 'rect', { class: 'clamp', x: fx(repHi), y: Y_FLOAT - 26, width: fx(b) - fx(repHi), height: 30 });
    // The range the qparams come from, after widening to include 0.
    el(back, 'rect', { class: 'range', x: fx(t.widenedLo), y: Y_FLOAT - 4, width: Math.max(1, fx(t.widenedHi) - fx(t.widenedLo)), height: 8 });
    // The observer's [qmin, qmax] (narrower than the dtype with reduce range).
    el(back, 'rect', { class: 'range', x: ix(t.qmin - 0.5), y: Y_INT - 4, width: ix(t.qmax + 0.5) - ix(t.qmin - 0.5), height: 8 });

    select(this.axes.float).call(axisBottom(fx).ticks(8));
    select(this.axes.int)
      .call(axisBottom(ix).tickValues(intTicks(t.dtypeMin, t.dtypeMax, tickStep(t.dtypeMax - t.dtypeMin, W < WIDE))).tickFormat((v) => int(Number(v))));
    const bits = Math.log2(t.dtypeMax - t.dtypeMin + 1);
    const intTitle = `integer q (${bits === 8 ? (t.dtypeMin === 0 ? 'uint8' : 'int8') : `${bits}-bit ${t.dtypeMin === 0 ? 'unsigned' : 'signed'}, ${int(t.dtypeMin)} to ${int(t.dtypeMax)}`})`;
    if (this.axes.intTitle.textContent !== intTitle) this.axes.intTitle.textContent = intTitle;

    // Each integer code's float value: the step between ticks is the scale.
    const px = Math.abs(fx(t.scale) - fx(0));
    const every = Math.max(1, Math.ceil(3 / Math.max(px, 1e-9)));
    // Ticks, lines and dots are one path each: hundreds of elements would cost a frame.
    let ticks = '';
    for (let i = 0; i < t.grid.length; i += every) {
      const g = t.grid[i];
      if (g >= a && g <= b) ticks += `M${fx(g).toFixed(1)},${Y_FLOAT - 6}v12`;
    }
    el(back, 'path', { class: 'code-tick', d: ticks });

    const stride = Math.max(1, Math.ceil(x.length / MAX_LINES));
    let kept = '', clipped = '', dots = '';
    for (let i = 0; i < x.length; i += stride) {
      const seg = `M${fx(x[i]).toFixed(1)},${Y_FLOAT + 6}L${ix(t.q[i]).toFixed(1)},${Y_INT - 6}`;
      if (t.mask[i] === 0) clipped += seg;
      else kept += seg;
      dots += `M${fx(x[i]).toFixed(1)},${Y_FLOAT}h0`;
    }
    el(lines, 'path', { d: kept });
    el(lines, 'path', { class: 'clipped', d: clipped });
    el(lines, 'path', { class: 'dots', d: dots });
    this.svg.dataset.scale = String(t.scale);
    this.svg.dataset.zeroPoint = String(t.zeroPoint);
    this.svg.setAttribute('aria-label', `Mapping of ${x.length} values${stride > 1 ? ` (every ${stride}th drawn)` : ''}: ` +
      `scale ${fmt(t.scale)}, zero point ${int(t.zeroPoint)}; ${t.clipped} value${t.clipped === 1 ? '' : 's'} clip.`);

    // 0.0 maps exactly to the zero point: the dashed line.
    if (0 >= a && 0 <= b) {
      el(marks, 'line', { class: 'zero-link', x1: fx(0), y1: Y_FLOAT, x2: ix(t.zeroPoint), y2: Y_INT });
      el(marks, 'text', { x: fx(0), y: Y_FLOAT + 38, class: 'mark', 'text-anchor': 'middle' }).textContent = '0.0';
    }
    const zpLabel = el(marks, 'text', { x: ix(t.zeroPoint), y: Y_INT + 44, class: 'mark zp', 'text-anchor': anchor(ix(t.zeroPoint), W) });
    zpLabel.textContent = `zero point ${int(t.zeroPoint)}`;
    el(marks, 'circle', { cx: ix(t.zeroPoint), cy: Y_INT, r: 5, class: 'zp-dot' });
    if (t.raw && t.raw.zeroPoint !== t.raw.stored) {
      const text = el(marks, 'text', { x: ix(t.raw.stored), y: Y_INT + 60, class: 'mark warn', 'text-anchor': anchor(ix(t.raw.stored), W) });
      text.textContent = `formula wants ${int(t.raw.zeroPoint)}: outside the integer range`;
    }
    el(marks, 'text', { x: W - M.right, y: 14, class: 'mark', 'text-anchor': 'end' }).textContent =
      `step = scale = ${fmt(t.scale)}` + (W < WIDE ? '' : `   range [${fmt(t.widenedLo, 4)}, ${fmt(t.widenedHi, 4)}]`);

    // Handles set the per-tensor range only; a channel's range is its data's.
    /** @type {SVGGElement} */ (this.layers.handles).style.display = input.channel ? 'none' : '';
    for (const which of /** @type {const} */ (['lo', 'hi'])) {
      const v = which === 'lo' ? t.lo : t.hi;
      const g = this.handles[which];
      g.setAttribute('transform', `translate(${fx(Math.min(b, Math.max(a, v)))},0)`);
      /** @type {SVGTextElement} */ (g.querySelector('text')).textContent = `${which === 'lo' ? 'min' : 'max'} ${fmt(v, 4)}`;
      g.setAttribute('aria-valuenow', String(v));
      g.setAttribute('aria-valuetext', fmt(v, 4));
      g.setAttribute('aria-valuemin', String(a));
      g.setAttribute('aria-valuemax', String(b));
    }
  }
}

/** Text anchor keeping a label inside the SVG. @param {number} px */
function anchor(px, W) {
  return px < 120 ? 'start' : px > W - 120 ? 'end' : 'middle';
}

/**
 * A tick step that labels an n-bit range without crowding: 32 (64 on a phone)
 * codes for 8 bits, every code up to 3 bits.
 * @param {number} span codes minus one @param {boolean} narrow
 */
function tickStep(span, narrow) {
  const target = narrow ? 4 : 8;
  let step = 1;
  while (span / step > target) step *= 2;
  return step;
}

/** Ticks at the ends and every step codes. @param {number} lo @param {number} hi @param {number} step */
function intTicks(lo, hi, step) {
  const ticks = [];
  for (let v = lo; v <= hi; v += step) ticks.push(v);
  if (ticks[ticks.length - 1] !== hi) ticks.push(hi);
  return ticks;
}
