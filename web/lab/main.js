// The model lab's page (web/lab.html): controls, URL state, and drawing what the
// worker (web/lab/worker.js) computes. Nothing here computes a result: the worker
// runs every workflow with qdq-wasm and this thread only shows its messages.

import { CLASSES } from './data.js';
import { OBSERVER_NAMES, OBSERVERS } from './engine.js';
import { lineChart, PALETTE, pointTable } from './charts.js';
import { renderHistogram } from '../histogram.js';
import { outcome, qdqCode, weightOnlyTorch } from './snippets.js';
import { engineSettings, FIELDS, fromQuery, toQuery } from './state.js';
import { accept, describeEntry, refuse } from '../field-error.js';

const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (document.querySelector(sel));
const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
const pct = (/** @type {number} */ v) => `${(100 * v).toFixed(2)}%`;

/** @typedef {import('./engine.js').Lab} Lab */
/** A results row (the engine's evaluate()). @typedef {ReturnType<Lab['evaluate']>} Row */
/** The look inside (the engine's inspect()). @typedef {NonNullable<ReturnType<Lab['inspect']>>} Inside */

let state = fromQuery(location.search);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

// ---- controls <-> state -------------------------------------------------------------

for (const id of ['w-bits', 'a-bits']) {
  const sel = /** @type {HTMLSelectElement} */ (document.getElementById(id));
  for (let b = 8; b >= 2; b--) sel.append(new Option(b === 8 ? '8 (int8)' : String(b), String(b)));
}

/** Every control: its element id, the state key, and how its value reads. */
const CONTROLS = /** @type {const} */ ([
  ['backend', 'backend', String], ['fuse', 'fuse', 'checkbox'], ['observer', 'observer', String],
  ['calibration', 'calibration', Number], ['w-bits', 'wBits', Number], ['a-bits', 'aBits', Number],
  ['per-channel', 'perChannel', String], ['dynamic-per-channel', 'dynamicPerChannel', (/** @type {string} */ v) => v === 'true'],
  ['qat-epochs', 'qatEpochs', Number], ['qat-lr', 'qatLr', Number], ['train-epochs', 'trainEpochs', Number],
  ['train-lr', 'trainLr', Number], ['wo-bits', 'woBits', Number], ['wo-block', 'woBlockSize', Number],
  ['wo-symmetric', 'woSymmetric', 'checkbox'], ['snippet', 'snippet', String],
]);

function showState() {
  for (const [id, key] of CONTROLS) {
    const el = input(id);
    const v = /** @type {any} */ (state)[key];
    if (el.type === 'checkbox') el.checked = v;
    else el.value = String(v);
  }
  renderCode();
}

/**
 * Reads the controls into the state and the URL. A number field that is empty or out of its range is
 * refused next to the field and its setting keeps its last valid value (a number input reads an empty
 * field as '', and Number('') is 0).
 */
function readControls(/** @type {Event} */ e) {
  const next = { ...state };
  for (const [id, key, read] of CONTROLS) {
    const el = input(id);
    if (read === 'checkbox') { /** @type {any} */ (next)[key] = el.checked; continue; }
    if (el.type === 'number') {
      // The URL's parser decides, so whatever the field accepts survives a reload.
      const v = el.value.trim() === '' ? null : FIELDS[key].parse(String(Number(el.value)));
      if (v === null) {
        const kind = el.step === '1' ? 'a whole number' : 'a number';
        refuse(el, `${labelOf(el)}: ${describeEntry(el)}; it takes ${kind} from ${el.min} to ${el.max}. Still ${/** @type {any} */ (state)[key]}.`);
        continue;
      }
      // Another field's change leaves this one's message (about an entry it replaced on blur) in place.
      if (e.target === el) accept(el);
      /** @type {any} */ (next)[key] = v;
      continue;
    }
    /** @type {any} */ (next)[key] = read(el.value);
  }
  state = next;
  history.replaceState(null, '', `${location.pathname}${toQuery(state)}`);
  renderCode();
}

/** A field's label text without the field's own value. @param {HTMLInputElement} el */
function labelOf(el) {
  return (el.closest('label')?.firstChild?.textContent ?? el.id).trim();
}

for (const [id, key] of CONTROLS) {
  input(id).addEventListener('change', readControls);
  // A refused field shows the value in effect again once the user leaves it; its message stays.
  input(id).addEventListener('blur', () => {
    const el = input(id);
    if (el.getAttribute('aria-invalid') !== 'true') return;
    el.value = String(/** @type {any} */ (state)[key]);
    el.removeAttribute('aria-invalid');
  });
}

// ---- jobs ---------------------------------------------------------------------------

let nextId = 1;
/** @type {{ id: number, job: string, resolve: (m: any) => void } | null} */
let current = null;
let cancelAll = false;
/** @type {Record<string, (m: any) => void>} */
const onProgress = {};

/**
 * Runs one job in the worker; resolves with its 'done' message, or null when cancelled.
 * @param {string} job @param {Record<string, unknown>} settings
 * @returns {Promise<any>}
 */
function runJob(job, settings) {
  return new Promise((resolve) => {
    const id = nextId++;
    current = { id, job, resolve };
    worker.postMessage({ type: 'run', id, job, settings });
  });
}

/** Disables the run buttons while something runs, and the cancel button otherwise. @param {boolean} on */
function setBusy(on) {
  for (const b of document.querySelectorAll('button[data-action]')) {
    /** @type {HTMLButtonElement} */ (b).disabled = (/** @type {HTMLElement} */ (b).dataset.action === 'cancel') !== on;
  }
  document.body.dataset.busy = String(on);
}

/**
 * Runs jobs one after another (stopping at a cancel or an error), then updates the look inside.
 * @param {[string, Record<string, unknown>][]} jobs
 */
async function runJobs(jobs) {
  setBusy(true);
  cancelAll = false;
  let quantized = false;
  try {
    for (const [job, settings] of jobs) {
      if (cancelAll) break;
      status(`Running ${job}…`);
      const done = await runJob(job, settings);
      if (!done) break;
      if (done.job === 'sweep' || done.job === 'bits') continue;
      addRow(done.result);
      if (done.job !== 'float' && done.job !== 'train') {
        quantized = true;
        // Its own frame: the row shows first, and no one task builds the row, 24 pictures and the histograms.
        await nextFrame();
        renderGallery(done.result);
      }
    }
    if (quantized && !cancelAll) {
      const inside = await runJob('inspect', {});
      await nextFrame();
      if (inside) await renderInside(inside.result);
    }
    status(cancelAll ? 'Cancelled.' : 'Done.');
  } finally {
    setBusy(false);
  }
}

worker.onmessage = (/** @type {MessageEvent} */ e) => {
  const m = e.data;
  if (m.type === 'ready') {
    $('#wasm-build').textContent = `${m.backend} build`;
    status(`Ready: ${m.train} training and ${m.test} test images loaded.`);
    setBusy(false);
    document.body.dataset.ready = 'true';
    return;
  }
  if (m.type === 'progress') {
    onProgress[m.job]?.(m);
    return;
  }
  if (m.type === 'error') {
    const err = $('#load-error');
    err.hidden = false;
    err.textContent = `Error${m.job ? ` in ${m.job}` : ''}: ${m.message}`;
    if (m.id === null) status('The lab could not load.');
  }
  if (current && m.id === current.id) {
    const { resolve } = current;
    current = null;
    if (m.type === 'cancelled' || m.type === 'error') cancelAll = true;
    resolve(m.type === 'done' ? m : null);
  }
};

/** Resolves after the next frame has been drawn. @returns {Promise<void>} */
function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** @param {string} text */
function status(text) {
  $('#status').textContent = text;
}

// ---- results table ------------------------------------------------------------------

/** The accuracy of the latest float row, for the Δ column. */
let floatAccuracy = /** @type {number | null} */ (null);

/** @param {Row} r a row from the engine */
function addRow(r) {
  if (r.workflow === 'float') floatAccuracy = r.accuracy;
  const tbody = $('#results-table tbody');
  tbody.querySelector('tr.latest')?.classList.remove('latest');
  const tr = document.createElement('tr');
  tr.className = 'latest';
  tr.dataset.workflow = r.workflow;
  tr.dataset.accuracy = String(r.accuracy);
  tr.dataset.agreement = String(r.agreement);
  tr.dataset.settings = JSON.stringify(r.settings);
  tr.dataset.bytes = String(r.bytes);
  tr.dataset.latencyMs = String(r.latencyMs);
  const delta = floatAccuracy === null ? '–' : `${r.accuracy - floatAccuracy >= 0 ? '+' : '−'}${(100 * Math.abs(r.accuracy - floatAccuracy)).toFixed(2)}`;
  const cells = [String(r.id), r.label, pct(r.accuracy), delta, pct(r.agreement), r.bytes.toLocaleString('en-US'), `${(r.latencyMs * 1000).toFixed(0)} µs`];
  cells.forEach((text, i) => {
    const td = document.createElement(i === 1 ? 'th' : 'td');
    if (i === 1) td.setAttribute('scope', 'row');
    td.textContent = text;
    tr.append(td);
  });
  tbody.append(tr);
  if (r.workflow === 'static') addCalibrationPoint(r.settings, r.accuracy);
}

// ---- training curves ----------------------------------------------------------------

/** @param {string} task @param {string} view @param {string} bar @param {string} text @param {string} curve */
function curveView(task, view, bar, text, curve) {
  /** @type {[number, number][]} */ let loss = [];
  /** @type {[number, number][]} */ let acc = [];
  /** @type {[number, number][]} */ let test = [];
  let steps = 1, frame = 0, done = 0, note = '';
  const draw = () => {
    frame = 0;
    /** @type {HTMLProgressElement} */ ($(bar)).value = done;
    $(text).textContent = note;
    const series = [
      { name: 'loss (÷ 2.5)', points: loss.map(([x, y]) => /** @type {[number, number]} */ ([x, Math.min(1, y / 2.5)])) },
      { name: 'batch accuracy', points: smooth(acc) },
    ];
    if (test.length) series.push(/** @type {any} */ ({ name: 'test accuracy', points: test, dots: true }));
    lineChart($(curve), series, { xLabel: 'step (batch of 64)', yLabel: '', yMin: 0, yMax: 1, xMax: steps });
  };
  onProgress[task] = (m) => {
    $(view).hidden = false;
    if (m.kind === 'curve') {
      for (const p of m.points) {
        if (p.step === 1) { loss = []; acc = []; test = []; }
        steps = p.steps;
        loss.push([p.step, p.loss]);
        acc.push([p.step, p.batchAccuracy]);
        done = p.step / p.steps;
        // The end of training on the performance timeline (the e2e test checks the main thread until here).
        if (p.step === p.steps) performance.mark(`lab-trained-${task}`);
        note = `step ${p.step} of ${p.steps}, epoch ${p.epoch}, loss ${p.loss.toFixed(3)}`;
      }
    } else if (m.kind === 'epoch') {
      test.push([m.step, m.testAccuracy]);
      note = `epoch ${m.epoch} of ${m.epochs}: test accuracy ${pct(m.testAccuracy)}`;
    }
    // The worker sends steps about five times a second; one redraw each, on the next frame.
    if (!frame) frame = requestAnimationFrame(draw);
  };
}

/** Running mean over 8 points. @param {[number, number][]} pts @returns {[number, number][]} */
function smooth(pts) {
  return pts.map(([x], i) => {
    const w = pts.slice(Math.max(0, i - 7), i + 1);
    return [x, w.reduce((s, p) => s + p[1], 0) / w.length];
  });
}

curveView('train', '#train-view', '#train-progress', '#train-progress-text', '#train-curve');
curveView('qat', '#qat-view', '#qat-progress', '#qat-progress-text', '#qat-curve');

// ---- calibration ranges -------------------------------------------------------------

onProgress.static = (m) => {
  if (m.kind !== 'ranges') return;
  $('#ranges').hidden = false;
  const p = /** @type {HTMLProgressElement} */ ($('#calib-progress'));
  p.value = m.done / m.total;
  $('#calib-progress-text').textContent = `${m.done} of ${m.total} images${m.final ? ', observers done' : ''}`;
  const tbody = $('#ranges-table tbody');
  tbody.replaceChildren(...m.layers.map((/** @type {any} */ l) => {
    const tr = document.createElement('tr');
    tr.dataset.layer = l.name;
    const f = (/** @type {number | undefined} */ v) => (v === undefined ? '…' : Number(v.toPrecision(5)).toString());
    const range = (/** @type {number[] | undefined} */ r, /** @type {number[] | undefined} */ c) => (r && c ? `[${f(r[0])}, ${f(r[1])}] (codes ${c[0]} to ${c[1]})` : '…');
    const cells = [l.name, f(l.min), f(l.max), l.scale === undefined ? '…' : f(l.scale), l.zeroPoint === undefined ? '…' : String(l.zeroPoint),
      range(l.fitted, l.fitCodes), range(l.clip, l.codes)];
    cells.forEach((t, i) => {
      const td = document.createElement(i ? 'td' : 'th');
      if (!i) td.setAttribute('scope', 'row');
      td.textContent = t;
      tr.append(td);
    });
    return tr;
  }));
};

// ---- accuracy against calibration size ---------------------------------------------

/** The settings the chart's points share (other than observer and size), and its points per observer. */
let chartContext = '';
/** @type {Map<string, Map<number, number>>} */
let chartPoints = new Map();

/** @param {any} s a static row's settings @param {number} accuracy */
function addCalibrationPoint(s, accuracy) {
  const ctx = `${s.backend}, ${s.fuse ? 'fused' : 'unfused'}, W${s.wBits}/A${s.aBits}, ${s.perChannel ? 'per-channel' : 'per-tensor'} weights`;
  if (ctx !== chartContext) { chartContext = ctx; chartPoints = new Map(); }
  if (!chartPoints.has(s.observer)) chartPoints.set(s.observer, new Map());
  /** @type {Map<number, number>} */ (chartPoints.get(s.observer)).set(s.calibration, accuracy);
  const series = OBSERVERS.filter((o) => chartPoints.has(o)).map((o) => ({
    name: OBSERVER_NAMES[/** @type {keyof typeof OBSERVER_NAMES} */ (o)],
    color: PALETTE[OBSERVERS.indexOf(o)],
    dots: true,
    points: [.../** @type {Map<number, number>} */ (chartPoints.get(o)).entries()].sort((a, b) => a[0] - b[0]),
  }));
  const accs = series.flatMap((s) => s.points.map((p) => p[1]));
  // A margin of half a point around the data: the differences between observers are often that small.
  lineChart($('#calib-chart'), series, {
    xLabel: `calibration images (log scale); ${chartContext}`, yLabel: 'test accuracy', xLog: true,
    yMin: Math.max(0, Math.min(...accs) - 0.005), yMax: Math.min(1, Math.max(...accs) + 0.005),
  });
  $('#calib-chart').dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
  pointTable(/** @type {HTMLTableElement} */ ($('#calib-table')), series, 'calibration images', pct);
}

/**
 * The bit sweep's points per series, and whether the series keeps its activations float (weight-only).
 * @type {Map<string, { points: [number, number][], floatActivations: boolean }>}
 */
const bitPoints = new Map();

onProgress.bits = (m) => {
  $('#bits-text').textContent = `${m.done} of ${m.total} runs`;
  if (m.done === 1) bitPoints.clear();
  if (!bitPoints.has(m.point.series)) bitPoints.set(m.point.series, { points: [], floatActivations: m.point.activationBits === null });
  /** @type {{ points: [number, number][] }} */ (bitPoints.get(m.point.series)).points.push([m.point.bits, m.point.accuracy]);
  // Weight-only's line is dashed: it joins 4 and 8 bits across widths it cannot run.
  const series = [...bitPoints].map(([name, { points, floatActivations }]) => ({
    name, dots: true, dashed: floatActivations, points: points.slice().sort((a, b) => a[0] - b[0]),
    // The table's column: "weight-only" over its block settings (the caption says its activations stay float).
    ...(floatActivations ? {
      heading: 'weight-only',
      note: `block ${sweepSettings.woBlockSize}${sweepSettings.woSymmetric ? ', symmetric' : ''}`,
    } : {}),
  }));
  lineChart($('#bits-chart'), series, { xLabel: 'bits: weights and activations; weight-only: weights only', yLabel: 'test accuracy', yMin: 0, yMax: 1 });
  $('#bits-chart').dataset.points = String(m.done);
  pointTable(/** @type {HTMLTableElement} */ ($('#bits-table')), series, 'bits', pct);
};

/** The settings the running sweep started with. */
let sweepSettings = engineSettings(state);

onProgress.sweep = (m) => {
  $('#sweep-text').textContent = `${m.done} of ${m.total} runs`;
  const s = sweepSettings;
  addCalibrationPoint({ ...s, perChannel: s.perChannel ?? s.backend !== 'qnnpack', observer: m.point.observer, calibration: m.point.calibration }, m.point.accuracy);
};

// ---- look inside --------------------------------------------------------------------

/**
 * One histogram of the tensor view's (web/histogram.js): the values, the grid and the clipping range.
 * @param {HTMLElement} box @param {Inside['layers'][number]['weight' | 'activation']} d a tensor from the engine's inspect()
 * @param {string} what named in the label
 */
function layerHistogram(box, d, what) {
  // The tensor view's narrow drawing keeps the text readable in a card (and on a phone); square-root
  // heights keep the tails visible next to the peak (most weights are near 0, most ReLU outputs are 0).
  renderHistogram(box, d.values, d, box.clientWidth < 560, { sqrt: true });
  const svg = /** @type {SVGSVGElement} */ (box.querySelector('svg'));
  svg.setAttribute('aria-label', `${what}: ${svg.getAttribute('aria-label')}`);
}

/**
 * Draws the look inside: the cards at once, then the six histograms one task each (a few ms apiece;
 * all in one task would block the page for about 50 ms).
 * @param {Inside | null} r the engine's inspect() result
 */
async function renderInside(r) {
  if (!r) return;
  const db = (/** @type {number} */ v) => (Number.isFinite(v) ? `${v.toFixed(1)} dB` : '∞ dB');
  const name = { dynamic: 'dynamic', 'weight-only': 'weight-only', static: 'static', qat: 'QAT' }[r.workflow] ?? r.workflow;
  $('#inside-summary').textContent = `The last ${name} model on ${r.images} test images: ${r.worst} loses the most (lowest output SQNR).`;
  const box = $('#layers');
  /** @type {[HTMLElement, Inside['layers'][number]['weight' | 'activation'], string][]} */
  const charts = [];
  box.replaceChildren(...r.layers.map((l) => {
    const card = document.createElement('article');
    card.className = `layer${l.name === r.worst ? ' worst' : ''}`;
    card.dataset.layer = l.name;
    card.dataset.weightSqnr = String(l.weight.sqnr);
    card.dataset.activationSqnr = String(l.activation.sqnr);
    const h = document.createElement('h3');
    h.textContent = `${l.name}${l.fused ? ' (Linear + ReLU)' : ''}${l.name === r.worst ? ' — worst layer' : ''}`;
    const pw = document.createElement('p');
    const scheme = l.weight.blockSize ? `blocks of ${l.weight.blockSize} along the inputs; the widest block's weights and grid shown`
      : l.weight.perChannel ? 'per channel; the widest channel\'s grid shown' : 'per tensor';
    pw.textContent = `weights: SQNR ${db(l.weight.sqnr)} (${scheme})`;
    const wh = document.createElement('div');
    wh.className = 'histogram weights';
    const pa = document.createElement('p');
    const { codes, fitCodes } = l.activation;
    // Below 8 bits (and with fbgemm's reduce_range) the grid drawn is wider than the observer's fit: say why.
    const fit = codes && fitCodes && (fitCodes[0] !== codes[0] || fitCodes[1] !== codes[1])
      ? ` (codes ${codes[0]} to ${codes[1]}: the converted model keeps uint8's range, with a scale fitted to codes ${fitCodes[0]} to ${fitCodes[1]})` : '';
    const unquantized = r.workflow === 'weight-only'
      ? ' (weight-only: the outputs stay float between layers, with no grid)' : ' (dynamic: a range per batch, none fixed)';
    pa.textContent = `outputs: SQNR ${db(l.activation.sqnr)}${l.activation.grid.length ? fit : unquantized}`;
    const ah = document.createElement('div');
    ah.className = 'histogram outputs';
    charts.push([wh, l.weight, `${l.name} weights`], [ah, l.activation, `${l.name} float outputs`]);
    card.append(h, pw, wh, pa, ah);
    return card;
  }));
  for (const [el, d, what] of charts) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    layerHistogram(el, d, what);
  }
}

// ---- gallery ------------------------------------------------------------------------

/** @param {Row} r a quantized run's row */
function renderGallery(r) {
  $('#gallery-summary').textContent = r.changedCount === 0
    ? `${r.label}: no test image changed its prediction.`
    : `${r.label}: ${r.changedCount} of ${r.images} test images changed prediction${r.changedCount > r.gallery.length ? `; the first ${r.gallery.length}` : ''}.`;
  $('#gallery').replaceChildren(...r.gallery.map((g) => {
    const fig = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - g.pixels[i]; // dark garment on white
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    const desc = `test image ${g.index}, a ${CLASSES[g.label]}: float says ${CLASSES[g.floatPred]}, quantized says ${CLASSES[g.pred]}`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', desc);
    const cap = document.createElement('figcaption');
    cap.innerHTML = '<span class="truth"></span><br><span class="was"></span><br><span class="now"></span>';
    /** @type {HTMLElement} */ (cap.querySelector('.truth')).textContent = `true: ${CLASSES[g.label]}`;
    /** @type {HTMLElement} */ (cap.querySelector('.was')).textContent = `float: ${CLASSES[g.floatPred]}`;
    /** @type {HTMLElement} */ (cap.querySelector('.now')).textContent = `int: ${CLASSES[g.pred]}`;
    fig.title = desc;
    fig.dataset.label = String(g.label);
    fig.append(canvas, cap);
    return fig;
  }));
}

// ---- the article's code ------------------------------------------------------------

/** @type {any} */
let snippets = null;
fetch(new URL('../../tests/fixtures/article_snippets.json', import.meta.url)).then((r) => r.json()).then((j) => { snippets = j; renderCode(); })
  .catch((e) => { $('#code-outcome').textContent = `Could not load the snippets: ${e.message}`; });

function renderCode() {
  const kind = state.snippet;
  $('#code-qdq').textContent = qdqCode(kind, engineSettings(state));
  if (kind === 'weight-only') {
    const t = weightOnlyTorch(engineSettings(state));
    $('#code-as-written').textContent = t.asWritten;
    $('#code-corrected').textContent = t.corrected;
    for (const [id, text] of [['#code-outcome', t.asWrittenOutcome], ['#code-corrected-outcome', t.correctedOutcome]]) {
      $(id).textContent = text;
      $(id).classList.remove('bad');
    }
    return;
  }
  if (!snippets) return;
  const c = snippets.cases[kind];
  $('#code-as-written').textContent = c.asWritten.code;
  $('#code-corrected').textContent = c.corrected.code;
  for (const [id, which] of [['#code-outcome', c.asWritten], ['#code-corrected-outcome', c.corrected]]) {
    const o = outcome(which);
    $(id).textContent = `torch ${snippets.torch}: ${o.text}`;
    $(id).classList.toggle('bad', o.bad);
  }
}

// ---- buttons ------------------------------------------------------------------------

const RUN_ALL = /** @type {[string, Record<string, unknown>][]} */ ([['float', {}], ['dynamic', {}], ['weight-only', {}], ['static', {}], ['qat', {}]]);

document.addEventListener('click', (e) => {
  const b = /** @type {HTMLElement} */ (e.target)?.closest?.('button[data-action]');
  if (!b) return;
  const action = /** @type {HTMLElement} */ (b).dataset.action;
  if (action === 'cancel') {
    cancelAll = true;
    worker.postMessage({ type: 'cancel' });
    return;
  }
  const s = engineSettings(state);
  if (action === 'run-all') runJobs(RUN_ALL).then(() => { document.body.dataset.runAll = 'done'; });
  else if (action === 'bits') runJobs([['bits', s]]);
  else if (action === 'sweep') {
    sweepSettings = s;
    runJobs([['sweep', s]]);
  }
  else if (action) runJobs([[action, s]]);
});

setBusy(true);
/** @type {HTMLButtonElement} */ ($('button[data-action="cancel"]')).disabled = true;
showState();
