// Wires the page together: state (from and to the URL), the controls, and
// one render pass that recomputes everything through the library and redraws
// every panel. Panels live in their own modules.

import { backend, channelView, codeRange, groupSizes, groupView, init, matMulNBitsView, perChannel, perGroup, perTensor } from './compute.js';
import { renderArticle } from './article.js';
import { npyBlob, snippets } from './code-panel.js';
import { renderDerivation } from './derivation.js';
import { renderEditor } from './editor.js';
import { dB, fmt, int } from './format.js';
import { renderScheme } from './grids.js';
import { renderHistogram } from './histogram.js';
import { NumberLine } from './number-line.js';
import { parseNpy, parseText } from './parse-tensor.js';
import { patchChildren, setTextIfChanged } from './patch.js';
import { presetTensor, resize } from './presets.js';
import { fromQuery, MAX_SIDE, toQuery } from './state.js';
import { accept, describeEntry, refuse } from './field-error.js';
import { renderChannelTable, renderComparison, renderGroupTable } from './tables.js';
import { warnings } from './warnings.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** Sets an element's text only when it changes: an equal write still invalidates layout. */
const setText = (/** @type {string} */ id, /** @type {string} */ text) => setTextIfChanged($(id), text);
const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id));

let state = fromQuery(location.search);
let tensor = tensorOf(state);
let editorShows = /** @type {import('./presets.js').Tensor2D | null} */ (null);
let articleCompat = /** @type {string | null} */ (null);
const numberLine = new NumberLine($('number-line'));
/** Render times in ms, for the footer and the end-to-end test. */
const timing = { last: 0, all: /** @type {number[]} */ ([]) };
Object.assign(window, { __qdqTiming: timing });

/** @param {import('./state.js').PageState} s @returns {import('./presets.js').Tensor2D} */
function tensorOf(s) {
  if (s.preset === 'custom' && s.values) return { values: s.values, rows: s.rows, cols: s.cols };
  return presetTensor(s.preset === 'custom' ? 'normal' : s.preset, s.rows, s.cols, s.seed);
}

/**
 * Changes the state and redraws. Tensor-shaping changes regenerate the
 * tensor; option changes reuse it, so dragging stays cheap.
 * @param {Partial<import('./state.js').PageState>} patch
 */
function update(patch) {
  const reshape = ['preset', 'rows', 'cols', 'seed', 'values'].some((k) => k in patch);
  state = { ...state, ...patch };
  if (reshape) {
    tensor = tensorOf(state);
    [state.rows, state.cols] = [tensor.rows, tensor.cols];
    // A new tensor gets its own range; handles set for the old one would mislead.
    if (!('lo' in patch)) state.lo = state.hi = null;
  }
  requestRender();
  scheduleUrl();
}

/**
 * Renders once on the next frame, however many changes come before it: a drag can send several
 * pointermoves a frame, and a 128x128 render once took 40 ms, so rendering each one queued
 * seconds of work behind the pointer (bench/page-redraw.js measures it now).
 */
let frame = 0;
/** @type {(() => void)[]} */
const waiting = [];
function requestRender() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    try {
      render();
    } finally {
      for (const done of waiting.splice(0)) done();
    }
  });
}
// For tests and scripts: resolves once the changes made so far are drawn.
Object.assign(window, { __qdqSettled: () => (frame ? new Promise((resolve) => waiting.push(() => resolve(undefined))) : Promise.resolve()) });

let urlTimer = 0;
function scheduleUrl() {
  clearTimeout(urlTimer);
  urlTimer = window.setTimeout(() => history.replaceState(null, '', toQuery(state) || location.pathname), 120);
}

/**
 * Puts a value into a control unless it is being typed into. A refusal's message (web/field-error.js)
 * goes when the value in effect changes: its "still …" would be out of date.
 * @param {HTMLInputElement | HTMLSelectElement} el @param {string} v
 */
function setControl(el, v) {
  if (document.activeElement === el || el.value === v) return;
  el.value = v;
  if (el instanceof HTMLInputElement) accept(el);
}

/** Puts the state into the controls, skipping the one being typed into. */
function syncControls() {
  const set = setControl;
  set(/** @type {HTMLSelectElement} */ ($('preset')), state.preset);
  set(input('rows'), String(state.rows));
  set(input('cols'), String(state.cols));
  set(/** @type {HTMLSelectElement} */ ($('axis')), String(state.axis));
  for (const [name, v] of /** @type {const} */ ([['dtype', state.dtype], ['scheme', state.scheme], ['compat', state.compat]])) {
    for (const r of document.querySelectorAll(`input[name="${name}"]`)) /** @type {HTMLInputElement} */ (r).checked = /** @type {HTMLInputElement} */ (r).value === v;
  }
  set(/** @type {HTMLSelectElement} */ ($('bits')), String(state.bits));
  const [qlo, qhi] = codeRange(state.dtype, state.bits);
  setText('bits-range', `codes ${int(qlo)} to ${int(qhi)}: ${2 ** state.bits} levels`);
  input('include-zero').checked = state.includeZero;
  input('reduce-range').checked = state.reduceRange;
  input('rows').disabled = input('cols').disabled = state.preset === 'article';
  /** @type {HTMLButtonElement} */ ($('reroll')).disabled = state.preset === 'article' || state.preset === 'custom';
}

/** Keeps the mapping's channel list in step with the channel count. @param {number} channels */
function syncViewOptions(channels) {
  const select = /** @type {HTMLSelectElement} */ ($('view'));
  if (select.options.length !== channels + 2) {
    const opts = [new Option('the whole tensor (per tensor)', '-1'), new Option('one group (per group)', '-2')];
    for (let k = 0; k < channels; k++) opts.push(new Option(`channel ${k} (per channel, axis ${state.axis})`, String(k)));
    select.replaceChildren(...opts);
  } else {
    // Only where the axis changed the text: rewriting 128 unchanged options cost a drag 1.5 ms a frame.
    for (let k = 0; k < channels; k++) {
      const text = `channel ${k} (per channel, axis ${state.axis})`;
      if (select.options[k + 2].text !== text) select.options[k + 2].text = text;
    }
  }
  select.value = String(state.view);
}

/**
 * Keeps the group-size choices (the divisors of the channel length) and the
 * group index input in step with the shape.
 * @param {import('./compute.js').GroupResult} g
 */
function syncGroupControls(g) {
  const select = /** @type {HTMLSelectElement} */ ($('group-size'));
  const sizes = groupSizes(g.channelLength);
  const label = (/** @type {number} */ n) => (n === g.channelLength ? `${n} (whole channel)` : String(n));
  if (select.options.length !== sizes.length || sizes.some((n, i) => select.options[i].value !== String(n) || select.options[i].text !== label(n))) {
    select.replaceChildren(...sizes.map((n) => new Option(label(n), String(n))));
  }
  select.value = String(g.size);
  setText('group-note', `${g.count} group${g.count === 1 ? '' : 's'}, ${g.perChannel} per channel` +
    (g.size !== state.group ? ` (${state.group} does not divide ${g.channelLength})` : ''));
  const gv = input('group-view');
  if (gv.max !== String(g.count - 1)) gv.max = String(g.count - 1);
  setControl(gv, String(state.groupView));
  $('group-view-label').hidden = state.view !== -2;
}

/**
 * The per-channel and per-group results (and onnxruntime's blocks beside them) read neither the range
 * handles nor the view, so a drag of the handles reuses them: the drag then recomputes and redraws a
 * third of the grids. Kept for one tensor and one setting of what they read.
 * @type {{ tensor: unknown, key: string, c?: ReturnType<typeof perChannel>, g?: ReturnType<typeof perGroup>, ort?: ReturnType<typeof matMulNBitsView> }}
 */
let kept = { tensor: null, key: '' };
/** @param {import('./compute.js').Settings} s */
function handleFree(s) {
  const key = JSON.stringify([s.axis, s.dtype, s.scheme, s.reduceRange, s.includeZero, s.compat, s.bits, s.group]);
  if (kept.tensor !== tensor || kept.key !== key || !kept.c || !kept.g) {
    const shape = [tensor.rows, tensor.cols];
    // Computed before anything is kept: a setting the library refuses throws and keeps nothing.
    const c = perChannel(tensor.values, shape, s), g = perGroup(tensor.values, shape, s);
    kept = { tensor, key, c, g };
  }
  return { c: kept.c, g: kept.g };
}

/** @type {Map<string, unknown[]>} */
const drawnWith = new Map();
/**
 * Runs draw unless the part it draws was last drawn from the same inputs (the same objects): a table
 * rebuilt with the same rows still costs its layout, and a drag's frame has none to spare.
 * @template {unknown[]} A @param {string} part @param {A} inputs @param {(...inputs: A) => void} draw
 */
function unlessSame(part, inputs, draw) {
  const last = drawnWith.get(part);
  if (last && last.length === inputs.length && last.every((v, i) => Object.is(v, inputs[i]))) return;
  draw(...inputs);
  drawnWith.set(part, inputs);
}

function render() {
  const t0 = performance.now();
  // Read the layout before writing anything: a read after DOM writes forces a synchronous reflow.
  const narrow = $('number-line').clientWidth < 560;
  syncControls();
  const x = tensor.values;
  const shape = [tensor.rows, tensor.cols];
  const settings = { ...state };
  // The editor shows the tensor in effect even when the library refuses it, so its bad value can be seen and fixed.
  if (editorShows !== tensor) {
    renderEditor($('cells'), tensor, (values) => update({ preset: 'custom', values }));
    editorShows = tensor;
  }
  let t, c, g;
  try {
    t = perTensor(x, shape, settings);
    ({ c, g } = handleFree(settings));
  } catch (e) {
    // The library's own message (e.g. reduce range with symmetric uint8) is the explanation.
    $('warnings').replaceChildren(Object.assign(document.createElement('li'), { className: 'warn', textContent: `Not possible: ${/** @type {Error} */ (e).message.replace(/^qdq-wasm: /, '')}` }));
    document.body.dataset.state = toQuery(state);
    // The panels below still show the last possible setting: say so by fading them.
    document.body.classList.add('stale');
    return;
  }
  document.body.classList.remove('stale');
  // The mapping and the histogram show the whole tensor, one channel of the per-channel result, or one group.
  const channels = c.scales.length;
  if (state.view >= channels) state.view = -1;
  if (state.groupView >= g.count) state.groupView = g.count - 1;
  syncViewOptions(channels);
  syncGroupControls(g);
  const shownView = state.view === -1 ? { x, t } : state.view === -2 ? groupView(settings, g, state.groupView)
    : channelView(x, shape, settings, c, state.view);
  numberLine.render({ x: shownView.x, t: shownView.t, narrow, channel: state.view !== -1, onRange: (lo, hi) => update({ lo, hi }) });
  $('range-controls').hidden = state.view !== -1;
  $('histogram-of').textContent = state.view === -1 ? '' : state.view === -2 ? `(group ${state.groupView})` : `(channel ${state.view})`;
  shownRange = [t.lo, t.hi];
  for (const [id, v] of /** @type {const} */ ([['range-lo', t.lo], ['range-hi', t.hi]])) setControl(input(id), rangeText(v));
  renderComparison(/** @type {HTMLTableElement} */ ($('compare-table')), t, c, g);
  unlessSame('channel-table', [c], (c) => renderChannelTable(/** @type {HTMLTableElement} */ ($('channel-table')), c));
  unlessSame('group-table', [g, state.view === -2 ? state.groupView : -1], (g, selected) => renderGroupTable(/** @type {HTMLTableElement} */ ($('group-table')), g, selected));
  // The same blocks as onnxruntime's MatMulNBits stores them, where it can (4 or 8 bits, blocks of 16-256).
  const ort = kept.ort === undefined ? (kept.ort = matMulNBitsView(settings, g)) : kept.ort;
  $('ort-blocks').hidden = ort === null;
  if (ort) {
    $('ort-blocks').dataset.value = JSON.stringify({ mse: ort.mse, maxAbsError: ort.maxAbsError, sqnr: ort.sqnr }, (_, v) => (v === Infinity ? 'Infinity' : v));
    setText('ort-blocks', `The same groups as onnxruntime's MatMulNBits quantizer stores them (quantizeBlockwise: ${ort.bits}-bit codes ` +
      `0 to ${2 ** ort.bits - 1}, ${ort.symmetric ? 'symmetric, the largest-magnitude value at code 0' : 'a zero point per block'}, ` +
      `rounding half away from zero): MSE ${fmt(ort.mse, 4)}, max |error| ${fmt(ort.maxAbsError, 4)}, SQNR ${dB(ort.sqnr)}.`);
  }
  const groupTitle = `Per group (groups of ${g.size})`;
  setText('pg-head', groupTitle);
  setText('pg-title', groupTitle);
  let xLimit = 0;
  for (let i = 0; i < x.length; i++) xLimit = Math.max(xLimit, Math.abs(x[i]));
  // One colour scale for every error map, so equal colours mean equal errors.
  const errLimit = Math.max(t.stats.maxAbsError, c.stats.maxAbsError, g.stats.maxAbsError);
  const qlo = t.dtypeMin, qhi = t.dtypeMax;
  const view = { rows: tensor.rows, cols: tensor.cols, qlo, qhi, xLimit, errLimit };
  renderScheme($('pt-grids'), 'pt', t, view);
  renderScheme($('pc-grids'), 'pc', c, view);
  renderScheme($('pg-grids'), 'pg', g, view);
  unlessSame('error-legend', [fmt(errLimit, 3)], (limit) => {
    $('error-legend').innerHTML = `Error colours: <span class="swatch neg"></span> x̂ above x, <span class="swatch zero"></span> 0, ` +
      `<span class="swatch pos"></span> x̂ below x; full colour at ±${limit} (the largest max |error| of the three). ` +
      '<span class="swatch clip"></span> clipped.';
  });
  renderDerivation(/** @type {HTMLOListElement} */ ($('steps')), x, state, t, c, g);
  renderHistogram($('histogram-chart'), shownView.x, shownView.t, narrow);
  const notes = warnings(state, t, c, g);
  patchChildren($('warnings'), notes.map((n) => Object.assign(document.createElement('li'), { className: n.level, textContent: n.text })));
  const code = snippets(x, state, t, c, g);
  setText('code-js', code.js);
  setText('code-py', code.py);
  if (articleCompat !== state.compat) {
    renderArticle($('article-panel'), state.compat);
    articleCompat = state.compat;
  }
  document.body.dataset.state = toQuery(state);
  // Read layout so the time counts style and layout too, not just script: the browser must do both before painting.
  void document.body.offsetHeight;
  const ms = performance.now() - t0;
  timing.last = ms;
  timing.all.push(ms);
  $('render-ms').textContent = `${ms.toFixed(1)} ms`;
}

/** The per-tensor range in effect, as the range inputs show it. */
let shownRange = [0, 0];
/** @param {number} v */
const rangeText = (v) => String(Number(v.toPrecision(6)));

/**
 * A number field's entry checked against a rule; a bad one is refused next to the field (web/field-error.js)
 * with what stays in effect, and gives null.
 * @param {HTMLInputElement} el
 * @param {{ integer?: boolean, min?: number, max?: number, float32?: boolean }} rule
 * @param {string} still the value in effect, named in the message
 * @returns {number | null}
 */
function readNumber(el, rule, still) {
  const name = el.closest('label')?.firstChild?.textContent?.trim() ?? el.id;
  const v = Number(el.value);
  const { integer = false, min = -Infinity, max = Infinity, float32 = false } = rule;
  const kind = integer ? `a whole number from ${min} to ${max}` : float32 ? 'a number float32 can hold (|x| up to 3.4e38)' : 'a number';
  let problem = null;
  if (el.validity.badInput || el.value.trim() === '' || !Number.isFinite(v)) problem = describeEntry(el);
  else if ((integer && !Number.isInteger(v)) || v < min || v > max || (float32 && !Number.isFinite(Math.fround(v)))) problem = el.value;
  if (problem === null) return v;
  refuse(el, `${name}: ${problem}; it takes ${kind}. Still ${still}.`);
  return null;
}

/**
 * When a refused field loses focus, it shows the value in effect again (its message stays).
 * @param {HTMLInputElement} el @param {() => string} current
 */
function restoreOnBlur(el, current) {
  el.addEventListener('blur', () => {
    if (el.getAttribute('aria-invalid') !== 'true') return;
    el.value = current();
    el.removeAttribute('aria-invalid');
  });
}

/** @param {import('./presets.js').Tensor2D} t */
function useTensor(t) {
  $('paste-error').textContent = '';
  if (t.rows > MAX_SIDE || t.cols > MAX_SIDE) throw new Error(`${t.rows} × ${t.cols}: at most ${MAX_SIDE} per side`);
  update({ preset: 'custom', values: t.values, rows: t.rows, cols: t.cols });
}

function bind() {
  $('preset').addEventListener('change', (e) => {
    const p = /** @type {any} */ (/** @type {HTMLSelectElement} */ (e.target).value);
    // Switching to "your own numbers" keeps what is on screen, ready to edit.
    if (p === 'custom') update({ preset: 'custom', values: tensor.values.slice() });
    else update({ preset: p, ...(p !== 'article' && state.preset === 'article' ? { rows: 8, cols: 16 } : {}) });
  });
  for (const id of /** @type {const} */ (['rows', 'cols'])) {
    const el = input(id);
    el.addEventListener('change', () => {
      const v = readNumber(el, { integer: true, min: 1, max: MAX_SIDE }, String(state[id]));
      if (v === null) return;
      accept(el);
      const rows = id === 'rows' ? v : state.rows, cols = id === 'cols' ? v : state.cols;
      if (state.preset === 'custom') update({ values: resize(tensor, rows, cols).values, rows, cols });
      else update({ rows, cols });
    });
    restoreOnBlur(el, () => String(state[id]));
  }
  $('view').addEventListener('change', (e) => update({ view: Number(/** @type {HTMLSelectElement} */ (e.target).value) }));
  $('bits').addEventListener('change', (e) => update({ bits: Number(/** @type {HTMLSelectElement} */ (e.target).value) }));
  $('group-size').addEventListener('change', (e) => update({ group: Number(/** @type {HTMLSelectElement} */ (e.target).value) }));
  input('group-view').addEventListener('change', () => {
    const el = input('group-view');
    const j = readNumber(el, { integer: true, min: 0, max: Number(el.max) }, String(state.groupView));
    if (j === null) return;
    accept(el);
    update({ view: -2, groupView: j });
  });
  restoreOnBlur(input('group-view'), () => String(state.groupView));
  $('axis').addEventListener('change', (e) => update({ axis: /** @type {HTMLSelectElement} */ (e.target).value === '1' ? 1 : 0 }));
  $('reroll').addEventListener('click', () => update({ seed: state.seed + 1 }));
  for (const name of ['dtype', 'scheme', 'compat']) {
    for (const r of document.querySelectorAll(`input[name="${name}"]`)) {
      r.addEventListener('change', (e) => update({ [name]: /** @type {HTMLInputElement} */ (e.target).value }));
    }
  }
  input('include-zero').addEventListener('change', (e) => update({ includeZero: /** @type {HTMLInputElement} */ (e.target).checked }));
  input('reduce-range').addEventListener('change', (e) => update({ reduceRange: /** @type {HTMLInputElement} */ (e.target).checked }));
  for (const [id, other] of [['range-lo', 'range-hi'], ['range-hi', 'range-lo']]) {
    const el = input(id);
    el.addEventListener('change', () => {
      const still = `${fmt(shownRange[0])} to ${fmt(shownRange[1])}`;
      const v = readNumber(el, { float32: true }, still);
      if (v === null) return;
      // The other bound as in effect (its field may hold a refused entry).
      const w = shownRange[id === 'range-lo' ? 1 : 0];
      const [lo, hi] = id === 'range-lo' ? [Math.fround(v), w] : [w, Math.fround(v)];
      // Compared in float32, as the library sees them: 1 and 1.00000001 are one float32.
      if (!(lo < hi)) {
        const [name, rel, otherName] = id === 'range-lo' ? ['Range min', 'below', 'Range max'] : ['Range max', 'above', 'Range min'];
        const why = Math.fround(v) === w ? `is ${otherName} (${fmt(w)}) in float32` : `is not ${rel} ${otherName} (${fmt(w)})`;
        refuse(el, `${name}: ${el.value} ${why}. Still ${still}.`);
        return;
      }
      accept(el);
      accept(input(other));
      update({ lo, hi });
    });
    restoreOnBlur(el, () => rangeText(shownRange[id === 'range-lo' ? 0 : 1]));
  }
  $('range-reset').addEventListener('click', () => {
    accept(input('range-lo'));
    accept(input('range-hi'));
    update({ lo: null, hi: null });
  });
  $('paste-load').addEventListener('click', () => {
    try {
      useTensor(parseText(/** @type {HTMLTextAreaElement} */ ($('paste-text')).value));
    } catch (e) {
      $('paste-error').textContent = `Could not use these numbers: ${/** @type {Error} */ (e).message}`;
    }
  });
  input('file').addEventListener('change', async () => {
    const file = input('file').files?.[0];
    if (!file) return;
    try {
      useTensor(file.name.endsWith('.npy') ? parseNpy(await file.arrayBuffer()) : parseText(await file.text()));
    } catch (e) {
      $('paste-error').textContent = `Could not read ${file.name}: ${/** @type {Error} */ (e).message}`;
    }
  });
  $('article-load').addEventListener('click', () => {
    update({ preset: 'article', dtype: 'int8', scheme: 'affine', includeZero: true, reduceRange: false, axis: 0 });
    $('editor').scrollIntoView();
  });
  $('copy-link').addEventListener('click', async () => {
    const url = location.origin + location.pathname + toQuery(state);
    try {
      await navigator.clipboard.writeText(url);
      $('copy-status').textContent = 'Link copied.';
    } catch {
      $('copy-status').textContent = url;
    }
  });
  $('download-npy').addEventListener('click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(npyBlob(tensor.values, [tensor.rows, tensor.cols]));
    a.download = 'tensor.npy';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

try {
  const started = await init();
  // The build, and the threads the library's large calls run on (more than
  // one when the page is cross-origin isolated: npm start sends COOP/COEP).
  $('backend').textContent = `${backend()}, ${started.threads} ${started.threads === 1 ? 'thread' : 'threads'}`;
  $('backend').dataset.threads = String(started.threads);
  // Why fewer threads than cores: usually a page served without COOP/COEP, which shared memory needs.
  if (started.threadsNote) {
    $('threads-note').textContent = `Why ${started.threads === 1 ? 'one thread' : `${started.threads} threads`}: ${started.threadsNote.replace(/^qdq-wasm: /, '')}.`;
    $('threads-note').hidden = false;
  }
  bind();
  render();
  // The charts pick a drawing width from their container (narrower on phones).
  const isWide = () => $('number-line').clientWidth >= 560; // as render() decides
  let wide = isWide();
  addEventListener('resize', () => {
    if (isWide() !== wide) {
      wide = !wide;
      requestRender();
    }
  });
  document.body.dataset.ready = 'true';
} catch (e) {
  const msg = $('load-error');
  msg.hidden = false;
  msg.textContent = `The library could not start: ${/** @type {Error} */ (e).message}. This page needs a browser with WebAssembly SIMD.`;
  document.body.dataset.ready = 'error';
}
