// The page's whole state, and its round trip through the URL query string
// so that a view can be shared by copying the address.

import { float32Literal } from './format.js';
import { PRESETS } from './presets.js';

/**
 * @typedef {object} PageState
 * @property {keyof typeof PRESETS} preset
 * @property {number} rows
 * @property {number} cols
 * @property {number} seed generated presets only
 * @property {Float32Array | null} values custom values (preset 'custom'), row-major
 * @property {0 | 1} axis channel axis
 * @property {'int8' | 'uint8'} dtype
 * @property {'affine' | 'symmetric'} scheme
 * @property {boolean} reduceRange
 * @property {boolean} includeZero false: raw min/max (shown as a formula, see compute.js)
 * @property {'pytorch' | 'onnx'} compat
 * @property {number} bits 2-8
 * @property {number} group requested group size of the per-group scheme (see compute.js groupSizeFor)
 * @property {number | null} lo per-tensor range set by the handles, or null for the data's
 * @property {number | null} hi
 * @property {number} view -1: the mapping and histogram show the whole tensor; k: channel k; -2: group `groupView`
 * @property {number} groupView the group the mapping shows when view is -2
 */

/** @type {PageState} */
export const DEFAULTS = {
  preset: 'article', rows: 2, cols: 3, seed: 1, values: null, axis: 0, dtype: 'int8', scheme: 'affine',
  reduceRange: false, includeZero: true, compat: 'pytorch', bits: 8, group: 8, lo: null, hi: null, view: -1, groupView: 0,
};

export const MAX_SIDE = 128;

/** @param {string | null} s @param {number} lo @param {number} hi @param {number} dflt */
function intParam(s, lo, hi, dflt) {
  const n = Number(s);
  return s !== null && Number.isInteger(n) && n >= lo && n <= hi ? n : dflt;
}

/** @param {string | null} s @returns {number | null} */
function floatParam(s) {
  if (s === null || s === '') return null;
  // 1e39 is a finite double but an infinite float32.
  const n = Math.fround(Number(s));
  return Number.isFinite(n) ? n : null;
}

/**
 * The state a query string describes; anything missing or malformed falls
 * back to the default, so a hand-edited link still opens.
 * @param {string} search location.search
 * @returns {PageState}
 */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const s = { ...DEFAULTS };
  const p = q.get('p');
  if (p !== null && p in PRESETS) s.preset = /** @type {PageState['preset']} */ (p);
  s.rows = intParam(q.get('r'), 1, MAX_SIDE, s.preset === 'article' ? 2 : 8);
  s.cols = intParam(q.get('c'), 1, MAX_SIDE, s.preset === 'article' ? 3 : 16);
  s.seed = intParam(q.get('seed'), 0, 2 ** 31, 1);
  s.axis = q.get('ax') === '1' ? 1 : 0;
  s.dtype = q.get('dt') === 'uint8' ? 'uint8' : 'int8';
  s.scheme = q.get('qs') === 'symmetric' ? 'symmetric' : 'affine';
  s.reduceRange = q.get('rr') === '1';
  s.includeZero = q.get('raw') !== '1';
  s.compat = q.get('cp') === 'onnx' ? 'onnx' : 'pytorch';
  s.bits = intParam(q.get('b'), 2, 8, 8);
  s.group = intParam(q.get('g'), 1, MAX_SIDE, DEFAULTS.group);
  s.lo = floatParam(q.get('lo'));
  s.hi = floatParam(q.get('hi'));
  if (s.lo === null || s.hi === null || !(s.lo < s.hi)) s.lo = s.hi = null;
  s.view = intParam(q.get('ch'), 0, MAX_SIDE - 1, -1);
  s.groupView = intParam(q.get('gv'), 0, MAX_SIDE * MAX_SIDE - 1, -1);
  if (s.groupView >= 0) s.view = -2;
  else s.groupView = 0;
  if (s.preset === 'custom') {
    const x = (q.get('x') ?? '').split(',').map(Number);
    if (x.length === s.rows * s.cols && x.every((v) => Number.isFinite(Math.fround(v)))) s.values = Float32Array.from(x);
    else s.preset = 'article';
  }
  if (s.preset === 'article') [s.rows, s.cols] = [2, 3];
  return s;
}

/**
 * The query string for a state, listing only what differs from the defaults.
 * @param {PageState} s
 * @returns {string} starting with '?', or '' for the default view
 */
export function toQuery(s) {
  const q = new URLSearchParams();
  if (s.preset !== DEFAULTS.preset) q.set('p', s.preset);
  if (s.preset !== 'article') {
    q.set('r', String(s.rows));
    q.set('c', String(s.cols));
  }
  if (s.preset !== 'article' && s.preset !== 'custom') q.set('seed', String(s.seed));
  if (s.preset === 'custom' && s.values) q.set('x', Array.from(s.values, float32Literal).join(','));
  if (s.axis !== 0) q.set('ax', '1');
  if (s.dtype !== 'int8') q.set('dt', s.dtype);
  if (s.scheme !== 'affine') q.set('qs', s.scheme);
  if (s.reduceRange) q.set('rr', '1');
  if (!s.includeZero) q.set('raw', '1');
  if (s.compat !== 'pytorch') q.set('cp', s.compat);
  if (s.bits !== DEFAULTS.bits) q.set('b', String(s.bits));
  if (s.group !== DEFAULTS.group) q.set('g', String(s.group));
  if (s.lo !== null && s.hi !== null) {
    q.set('lo', float32Literal(s.lo));
    q.set('hi', float32Literal(s.hi));
  }
  if (s.view >= 0) q.set('ch', String(s.view));
  if (s.view === -2) q.set('gv', String(s.groupView));
  const str = q.toString().replace(/%2C/g, ',');
  return str === '' ? '' : `?${str}`;
}
