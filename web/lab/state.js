// The lab's settings and the URL query that holds them (only values that differ
// from the defaults are written, so a plain lab.html is the default lab).

import { BLOCK_SIZES } from './engine.js';

/** Every setting: its query key, default, and how to read it back from a string (null: invalid). */
export const FIELDS = {
  backend: { key: 'backend', def: 'fbgemm', parse: oneOf(['fbgemm', 'qnnpack']) },
  fuse: { key: 'fuse', def: true, parse: bool },
  observer: { key: 'observer', def: 'histogram', parse: oneOf(['minmax', 'movingavg', 'histogram', 'percentile', 'entropy']) },
  calibration: { key: 'calib', def: 100, parse: int(1, 1000) },
  wBits: { key: 'wbits', def: 8, parse: int(2, 8) },
  aBits: { key: 'abits', def: 8, parse: int(2, 8) },
  perChannel: { key: 'weights', def: 'default', parse: oneOf(['default', 'tensor', 'channel']) },
  dynamicPerChannel: { key: 'dynamic', def: false, parse: (/** @type {string} */ s) => (s === 'channel' ? true : s === 'tensor' ? false : null), show: (/** @type {boolean} */ v) => (v ? 'channel' : 'tensor') },
  qatEpochs: { key: 'qatepochs', def: 1, parse: int(1, 10) },
  qatLr: { key: 'qatlr', def: 0.001, parse: num(1e-4, 1) },
  trainEpochs: { key: 'epochs', def: 3, parse: int(1, 20) },
  trainLr: { key: 'lr', def: 0.05, parse: num(1e-4, 1) },
  woBits: { key: 'wobits', def: /** @type {4 | 8} */ (4), parse: oneOfNumbers(/** @type {const} */ ([4, 8])) },
  woBlockSize: { key: 'woblock', def: /** @type {16 | 32 | 64 | 128 | 256} */ (32), parse: oneOfNumbers(BLOCK_SIZES) },
  woSymmetric: { key: 'wosym', def: false, parse: bool },
  snippet: { key: 'snippet', def: 'static', parse: oneOf(['static', 'dynamic', 'weight-only', 'qat']) },
};

/** A value for every setting, of the type its parser gives. @typedef {{ [K in keyof typeof FIELDS]: NonNullable<ReturnType<(typeof FIELDS)[K]["parse"]>> }} LabState */

/** @template {string} T @param {readonly T[]} values @returns {(s: string) => T | null} */
function oneOf(values) {
  return (s) => (values.includes(/** @type {T} */ (s)) ? /** @type {T} */ (s) : null);
}
/** @template {number} T @param {readonly T[]} values @returns {(s: string) => T | null} */
function oneOfNumbers(values) {
  return (s) => values.find((v) => String(v) === s) ?? null;
}
/** @param {string} s */
function bool(s) {
  return s === '1' ? true : s === '0' ? false : null;
}
/** @param {number} lo @param {number} hi */
function int(lo, hi) {
  return (/** @type {string} */ s) => {
    const v = Number(s);
    return /^\d+$/.test(s) && v >= lo && v <= hi ? v : null;
  };
}
/** @param {number} lo @param {number} hi */
function num(lo, hi) {
  return (/** @type {string} */ s) => {
    const v = Number(s);
    return s.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi ? v : null;
  };
}

/** The defaults. @returns {LabState} */
export function defaults() {
  return /** @type {LabState} */ (Object.fromEntries(Object.entries(FIELDS).map(([k, f]) => [k, f.def])));
}

/**
 * The state a query string describes; unknown keys and invalid values fall back to the defaults.
 * @param {string} search e.g. location.search
 * @returns {LabState}
 */
export function fromQuery(search) {
  const p = new URLSearchParams(search);
  const s = defaults();
  for (const [k, f] of Object.entries(FIELDS)) {
    const raw = p.get(f.key);
    if (raw === null) continue;
    const v = f.parse(raw);
    if (v !== null) /** @type {any} */ (s)[k] = v;
  }
  return s;
}

/**
 * The query string of a state ('' for the defaults).
 * @param {LabState} s
 */
export function toQuery(s) {
  const p = new URLSearchParams();
  for (const [k, f] of Object.entries(FIELDS)) {
    const v = /** @type {any} */ (s)[k];
    if (v === f.def) continue;
    const show = /** @type {any} */ (f).show;
    p.set(f.key, show ? show(v) : typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const q = p.toString();
  return q ? `?${q}` : '';
}

/**
 * The engine's settings (web/lab/engine.js) of a state.
 * @param {LabState} s
 */
export function engineSettings(s) {
  return {
    backend: s.backend, fuse: s.fuse, observer: s.observer, calibration: s.calibration, wBits: s.wBits, aBits: s.aBits,
    perChannel: s.perChannel === 'default' ? null : s.perChannel === 'channel',
    dynamicPerChannel: s.dynamicPerChannel, qatEpochs: s.qatEpochs, qatLr: s.qatLr, trainEpochs: s.trainEpochs, trainLr: s.trainLr,
    woBits: s.woBits, woBlockSize: s.woBlockSize, woSymmetric: s.woSymmetric,
  };
}
