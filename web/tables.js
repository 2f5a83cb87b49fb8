// The comparison table (the article's table, live) and the per-channel
// scale / zero-point table.

import { dB, fmt, int } from './format.js';

/** Channel rows listed before "… more". */
const MAX_CHANNEL_ROWS = 16;

/** @param {ArrayLike<number>} a @param {(v: number) => string} f */
function list(a, f) {
  const shown = Array.prototype.slice.call(a, 0, 8).map(f).join(', ');
  return a.length > 8 ? `[${shown}, … ${a.length - 8} more]` : `[${shown}]`;
}

/**
 * @param {HTMLTableElement} table
 * @param {import('./compute.js').TensorResult} t
 * @param {import('./compute.js').ChannelResult} c
 */
export function renderComparison(table, t, c) {
  /** @type {[string, string, string, string, unknown, unknown][]} */
  const rows = [
    ['Scale', fmt(t.scale), list(c.scales, (v) => fmt(v, 4)), 'scale', t.scale, Array.from(c.scales)],
    ['Zero point', int(t.zeroPoint), list(c.zeroPoints, int), 'zp', t.zeroPoint, Array.from(c.zeroPoints)],
    ['MSE', fmt(t.stats.mse, 4), fmt(c.stats.mse, 4), 'mse', t.stats.mse, c.stats.mse],
    ['Max |error|', fmt(t.stats.maxAbsError, 4), fmt(c.stats.maxAbsError, 4), 'maxabs', t.stats.maxAbsError, c.stats.maxAbsError],
    ['SQNR', dB(t.stats.sqnr), dB(c.stats.sqnr), 'sqnr', t.stats.sqnr, c.stats.sqnr],
    ['Clipped values', String(t.clipped), String(c.clipped), 'clipped', t.clipped, c.clipped],
  ];
  const body = table.tBodies[0] ?? table.createTBody();
  body.replaceChildren();
  for (const [label, a, b, id, va, vb] of rows) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    tr.append(th);
    for (const [text, key, value] of /** @type {const} */ ([[a, `pt-${id}`, va], [b, `pc-${id}`, vb]])) {
      const td = tr.insertCell();
      td.textContent = text;
      td.dataset.testid = key;
      td.dataset.value = JSON.stringify(value, (_, v) => (v === Infinity ? 'Infinity' : v));
    }
  }
  // Say who wins in words: the table alone leaves a learner to compare exponents.
  const better = t.stats.mse === c.stats.mse ? 'Both schemes give the same MSE here.'
    : c.stats.mse < t.stats.mse ? `Per channel cuts the MSE ${ratio(t.stats.mse, c.stats.mse)}.`
      : `Per tensor has the lower MSE here (${ratio(c.stats.mse, t.stats.mse)}).`;
  /** @type {HTMLElement} */ (table.caption ?? table.createCaption()).textContent = `Per tensor vs per channel. ${better}`;
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
