// The comparison table (the article's table, live) and the per-channel
// scale / zero-point table.

import { dB, fmt, int } from './format.js';
import { patchChildren, setTextIfChanged } from './patch.js';

/** Channel rows listed before "… more". */
const MAX_CHANNEL_ROWS = 16;

/** @param {ArrayLike<number>} a @param {(v: number) => string} f */
function list(a, f) {
  const shown = Array.prototype.slice.call(a, 0, 8).map(f).join(', ');
  return a.length > 8 ? `[${shown}, … ${a.length - 8} more]` : `[${shown}]`;
}

/** @param {unknown} value JSON for the tests' data-value, with Infinity spelled out */
const json = (value) => JSON.stringify(value, (_, v) => (v === Infinity ? 'Infinity' : v));
/** @type {WeakMap<object, string>} */
const jsons = new WeakMap();
/**
 * A typed array's JSON (as a plain array), once per array: the per-channel and per-group results
 * stay the same objects while a drag changes the per-tensor one.
 * @param {object} a
 */
function jsonOf(a) {
  let s = jsons.get(a);
  if (s === undefined) jsons.set(a, (s = json(Array.from(/** @type {ArrayLike<number>} */ (a)))));
  return s;
}

/**
 * @param {HTMLTableElement} table
 * @param {import('./compute.js').TensorResult} t
 * @param {import('./compute.js').ChannelResult} c
 * @param {import('./compute.js').GroupResult} g
 */
export function renderComparison(table, t, c, g) {
  /** @type {[string, string, string, string, string, unknown, unknown, unknown][]} */
  const rows = [
    ['Scale', fmt(t.scale), list(c.scales, (v) => fmt(v, 4)), list(g.scales, (v) => fmt(v, 4)), 'scale', t.scale, c.scales, g.scales],
    ['Zero point', int(t.zeroPoint), list(c.zeroPoints, int), list(g.zeroPoints, int), 'zp', t.zeroPoint, c.zeroPoints, g.zeroPoints],
    ['MSE', fmt(t.stats.mse, 4), fmt(c.stats.mse, 4), fmt(g.stats.mse, 4), 'mse', t.stats.mse, c.stats.mse, g.stats.mse],
    ['Max |error|', fmt(t.stats.maxAbsError, 4), fmt(c.stats.maxAbsError, 4), fmt(g.stats.maxAbsError, 4), 'maxabs', t.stats.maxAbsError, c.stats.maxAbsError, g.stats.maxAbsError],
    ['SQNR', dB(t.stats.sqnr), dB(c.stats.sqnr), dB(g.stats.sqnr), 'sqnr', t.stats.sqnr, c.stats.sqnr, g.stats.sqnr],
    ['Clipped values', String(t.clipped), String(c.clipped), String(g.clipped), 'clipped', t.clipped, c.clipped, g.clipped],
  ];
  const body = table.tBodies[0] ?? table.createTBody();
  /** @type {HTMLTableRowElement[]} */
  const trs = [];
  for (const [label, a, b, d, id, va, vb, vd] of rows) {
    const tr = document.createElement('tr');
    trs.push(tr);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    tr.append(th);
    for (const [text, key, value] of /** @type {const} */ ([[a, `pt-${id}`, va], [b, `pc-${id}`, vb], [d, `pg-${id}`, vd]])) {
      const td = tr.insertCell();
      td.textContent = text;
      td.dataset.testid = key;
      td.dataset.value = value !== null && typeof value === 'object' ? jsonOf(/** @type {object} */ (value)) : json(value);
    }
  }
  patchChildren(body, trs);
  // Say who wins in words: the table alone leaves a learner to compare exponents.
  const better = t.stats.mse === c.stats.mse ? 'Per tensor and per channel give the same MSE here.'
    : c.stats.mse < t.stats.mse ? `Per channel cuts the MSE ${ratio(t.stats.mse, c.stats.mse)}.`
      : `Per tensor has the lower MSE here (${ratio(c.stats.mse, t.stats.mse)}).`;
  const groups = g.size === g.channelLength ? `Groups of ${g.size} are whole channels: per group is per channel.`
    : g.stats.mse === 0 && c.stats.mse > 0 ? `Groups of ${g.size} quantize every value exactly, for ${g.count} scales instead of ${c.scales.length}.`
    : g.stats.mse === c.stats.mse ? `Groups of ${g.size} give the same MSE as per channel.`
      : g.stats.mse < c.stats.mse ? `Groups of ${g.size} cut it ${ratio(c.stats.mse, g.stats.mse)} more, for ${g.count} scales instead of ${c.scales.length}.`
        : `Groups of ${g.size} have a higher MSE than per channel here (${ratio(g.stats.mse, c.stats.mse)}).`;
  setTextIfChanged(table.caption ?? table.createCaption(), `Per tensor vs per channel vs per group. ${better} ${groups}`);
}

/** @param {number} big @param {number} small */
function ratio(big, small) {
  return small === 0 ? 'to zero' : `${fmt(big / small, 3)}×`;
}

/**
 * @param {HTMLTableElement} table
 * @param {import('./compute.js').ChannelResult} c
 */
export function renderChannelTable(table, c) {
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  const n = Math.min(c.scales.length, MAX_CHANNEL_ROWS);
  for (let k = 0; k < n; k++) {
    const tr = body.insertRow();
    const cells = [String(k), fmt(c.mins[k], 4), fmt(c.maxs[k], 4), fmt(c.scales[k], 5), int(c.zeroPoints[k]),
      fmt(c.channelStats.mse[k], 3), fmt(c.channelStats.maxAbsError[k], 3), dB(c.channelStats.sqnr[k])];
    for (const text of cells) tr.insertCell().textContent = text;
    if (c.raw && c.raw[k].zeroPoint !== c.raw[k].stored) {
      tr.cells[4].textContent = `${int(c.zeroPoints[k])} (formula: ${int(c.raw[k].zeroPoint)})`;
      tr.cells[4].classList.add('warn');
    }
  }
  if (c.scales.length > n) {
    const td = body.insertRow().insertCell();
    td.colSpan = 8;
    td.textContent = `… ${c.scales.length - n} more channels`;
  }
  /** @type {HTMLElement} */ (table.caption ?? table.createCaption()).textContent =
    `Per-channel parameters along axis ${c.axis} (${c.scales.length} channel${c.scales.length === 1 ? '' : 's'})`;
}

/**
 * The per-group parameters: which channel and elements each group covers,
 * its range, scale, zero point and error.
 * @param {HTMLTableElement} table
 * @param {import('./compute.js').GroupResult} g
 * @param {number} selected the group the mapping shows, or -1
 */
export function renderGroupTable(table, g, selected) {
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  // The first groups, and the selected one if it lies beyond them.
  const shown = Array.from({ length: Math.min(g.count, MAX_CHANNEL_ROWS) }, (_, j) => j);
  if (selected >= shown.length) shown.push(selected);
  const along = g.axis === 0 ? 'columns' : 'rows';
  for (const j of shown) {
    const tr = body.insertRow();
    const ch = Math.floor(j / g.perChannel), first = (j % g.perChannel) * g.size;
    const where = g.size === 1 ? `${ch}, ${along.slice(0, -1)} ${first}` : `${ch}, ${along} ${first}–${first + g.size - 1}`;
    const cells = [String(j), where, fmt(g.mins[j], 4), fmt(g.maxs[j], 4), fmt(g.scales[j], 5), int(g.zeroPoints[j]),
      fmt(g.channelStats.mse[j], 3), fmt(g.channelStats.maxAbsError[j], 3), dB(g.channelStats.sqnr[j])];
    for (const text of cells) tr.insertCell().textContent = text;
    tr.cells[1].className = 'channel';
    if (g.raw && g.raw[j].zeroPoint !== g.raw[j].stored) {
      tr.cells[5].textContent = `${int(g.zeroPoints[j])} (formula: ${int(g.raw[j].zeroPoint)})`;
      tr.cells[5].classList.add('warn');
    }
    if (j === selected) tr.setAttribute('aria-current', 'true');
  }
  if (g.count > shown.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = 9;
    td.textContent = `… ${g.count - shown.length} more groups`;
  }
  /** @type {HTMLElement} */ (table.caption ?? table.createCaption()).textContent =
    `Per-group parameters: each channel along axis ${g.axis} in ${g.perChannel} group${g.perChannel === 1 ? '' : 's'} of ${g.size} ` +
    `(${g.count} scales and zero points for ${g.count * g.size} values)`;
}
