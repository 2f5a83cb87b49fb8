// Number formatting for the page: one place decides how many digits a
// learner sees, so the same value reads the same in every panel.

/**
 * A float for display: up to `digits` significant digits, trailing zeros
 * dropped, a real minus sign.
 * @param {number} v
 * @param {number} [digits]
 * @returns {string}
 */
export function fmt(v, digits = 6) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const s = a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(digits))) : v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s.replace('-', '−');
}

/** An integer with a real minus sign. @param {number} v @returns {string} */
export function int(v) {
  return String(v).replace('-', '−');
}

/** A value in parentheses when negative, for substituting into "a − b". @param {number} v @param {number} [digits] */
export function paren(v, digits) {
  return v < 0 ? `(${fmt(v, digits)})` : fmt(v, digits);
}

/** SQNR in dB, ∞ when the error is exactly 0. @param {number} db */
export function dB(db) {
  return db === Infinity ? '∞ dB' : `${fmt(db, 4)} dB`;
}

/**
 * The shortest decimal that reads back as the same float32, for URLs and
 * code snippets that must reproduce the tensor exactly.
 * @param {number} v a float32 value
 * @returns {string}
 */
export function float32Literal(v) {
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}
