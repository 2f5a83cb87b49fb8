// The step-by-step derivation: each formula with the current numbers
// substituted, per tensor, then per channel in brief.

import { steps } from './compute.js';
import { dB, fmt, int, paren } from './format.js';
import { patchChildren } from './patch.js';

/** Elements worked through one by one. */
const SHOWN = 6;

/** @param {string} html */
function li(html) {
  const e = document.createElement('li');
  e.innerHTML = html;
  return e;
}

/** @param {string} s */
const m = (s) => `<span class="math">${s}</span>`;

/**
 * @param {HTMLOListElement} list
 * @param {Float32Array} x
 * @param {import('./state.js').PageState} s
 * @param {import('./compute.js').TensorResult} t
 * @param {import('./compute.js').ChannelResult} c
 * @param {import('./compute.js').GroupResult} g
 */
export function renderDerivation(list, x, s, t, c, g) {
  const items = [];
  const source = t.handles ? 'the range set by the handles' : 'the data';
  items.push(li(`<b>Range.</b> From ${source}: ${m(`min = ${fmt(t.lo)}, max = ${fmt(t.hi)}`)}. ` + (
    s.scheme === 'symmetric'
      ? `Symmetric uses ${m(`amax = max(−min(min, 0), max(max, 0)) = ${fmt(Math.max(-t.widenedLo, t.widenedHi))}`)}.`
      : t.raw ? `Raw min/max: the range is used as is, ${m(`min′ = ${fmt(t.widenedLo)}, max′ = ${fmt(t.widenedHi)}`)}.`
        : !s.includeZero ? `Raw min/max: the range already contains 0, so ${m(`min′ = ${fmt(t.widenedLo)}, max′ = ${fmt(t.widenedHi)}`)}, as PyTorch and ONNX would have it.`
        : `Widened to include 0: ${m(`min′ = min(${fmt(t.lo)}, 0) = ${fmt(t.widenedLo)}, max′ = max(${fmt(t.hi)}, 0) = ${fmt(t.widenedHi)}`)}.`)));
  items.push(li(`<b>Integer range.</b> ${s.bits < 8 ? `${s.bits} bits in ${s.dtype}` : s.dtype}${s.reduceRange ? ', reduced' : ''}: ${m(`qmin = ${int(t.qmin)}, qmax = ${int(t.qmax)}`)}` +
    (s.reduceRange ? ` (quantizing still clamps to [${int(t.dtypeMin)}, ${int(t.dtypeMax)}])` : '') + '.'));
  if (s.scheme === 'symmetric') {
    const amax = Math.max(-t.widenedLo, t.widenedHi);
    items.push(li(`<b>Scale.</b> ${m(`scale = amax / ((qmax − qmin) / 2) = ${fmt(amax)} / ${fmt((t.qmax - t.qmin) / 2)} = ${fmt(t.scale, 9)}`)} (float32).`));
    items.push(li(`<b>Zero point.</b> Symmetric fixes it: ${m(`zp = ${int(t.zeroPoint)}`)}${s.dtype === 'uint8' ? ' (the middle of uint8)' : ''}.`));
  } else {
    const lo = t.widenedLo, hi = t.widenedHi;
    items.push(li(`<b>Scale.</b> ${m(`scale = (max′ − min′) / (qmax − qmin) = (${fmt(hi)} − ${paren(lo)}) / (${int(t.qmax)} − ${paren(t.qmin)}) = ${fmt(hi - lo)} / ${t.qmax - t.qmin} = ${fmt(t.scale, 9)}`)} (float32).`));
    const zpFormula = t.raw ? t.raw.zeroPoint : t.zeroPoint;
    const ratio = steps([lo], t.scale, 'onnx').scaled[0];
    let zpText = `${m(`zp = qmin − round(min′ / scale) = ${int(t.qmin)} − round(${fmt(lo)} / ${fmt(t.scale)}) = ${int(t.qmin)} − round(${fmt(ratio)}) = ${int(zpFormula)}`)}`;
    if (t.raw && t.raw.zeroPoint !== t.raw.stored) {
      zpText += ` <span class="warn">— outside [${int(t.qmin)}, ${int(t.qmax)}]: ${s.dtype} cannot store it, so it is clamped to ${int(t.raw.stored)}.</span>`;
    } else {
      zpText += '.';
    }
    items.push(li(`<b>Zero point.</b> ${zpText} 0.0 maps exactly to ${t.raw && t.raw.zeroPoint !== t.raw.stored ? 'the stored zero point' : 'this integer'}.`));
  }
  const how = s.compat === 'pytorch' ? 'x · (1 / scale)' : 'x / scale';
  const qItems = [];
  const shown = steps(x.subarray(0, SHOWN), t.scale, s.compat);
  for (let i = 0; i < Math.min(SHOWN, x.length); i++) {
    const v = shown.scaled[i], r = shown.rounded[i];
    const tie = Math.abs(r - v) === 0.5 ? ' <span class="note">(a tie: rounds to even)</span>' : '';
    const unclamped = r + t.zeroPoint;
    const clamp = t.mask[i] === 0 ? ` <span class="warn">= ${int(unclamped)}, past the range: clamped to ${int(t.q[i])}</span>` : ` = ${int(t.q[i])}`;
    qItems.push(`<li>${m(`x = ${fmt(x[i])}: round(${fmt(v, 7)}) + ${paren(t.zeroPoint)} = ${int(r)} + ${paren(t.zeroPoint)}`)}${clamp}${tie}; ` +
      `${m(`x̂ = (${int(t.q[i])} − ${paren(t.zeroPoint)}) · ${fmt(t.scale)} = ${fmt(t.xHat[i])}`)}; ${m(`error = ${fmt(t.err[i], 4)}`)}</li>`);
  }
  items.push(li(`<b>Quantize, dequantize, error.</b> ${m(`q = clamp(round(${how}) + zp, ${int(t.dtypeMin)}, ${int(t.dtypeMax)})`)}, ` +
    `rounding half to even; ${m('x̂ = (q − zp) · scale')}; ${m('error = x − x̂')}` +
    `${x.length > SHOWN ? ` (first ${SHOWN} of ${x.length} values)` : ''}:<ul>${qItems.join('')}</ul>`));
  items.push(li(`<b>Summary.</b> ${m(`MSE = ${fmt(t.stats.mse, 4)}, max |error| = ${fmt(t.stats.maxAbsError, 4)}, SQNR = ${dB(t.stats.sqnr)}`)}` +
    ` (at most half a step, ${fmt(t.scale / 2, 4)}, for values that do not clip).`));
  const chans = [];
  for (let k = 0; k < Math.min(4, c.scales.length); k++) {
    chans.push(`<li>${m(`channel ${k}: min = ${fmt(c.mins[k])}, max = ${fmt(c.maxs[k])} → scale = ${fmt(c.scales[k], 7)}, zp = ${int(c.zeroPoints[k])}`)}</li>`);
  }
  items.push(li(`<b>Per channel (axis ${c.axis}).</b> The same steps, once per channel:` +
    `<ul>${chans.join('')}${c.scales.length > 4 ? `<li>… ${c.scales.length - 4} more</li>` : ''}</ul>`));
  const groups = [];
  for (let j = 0; j < Math.min(4, g.count); j++) {
    groups.push(`<li>${m(`group ${j}: min = ${fmt(g.mins[j])}, max = ${fmt(g.maxs[j])} → scale = ${fmt(g.scales[j], 7)}, zp = ${int(g.zeroPoints[j])}`)}</li>`);
  }
  items.push(li(`<b>Per group (groups of ${g.size} along each channel).</b> The same steps once per group: ` +
    `${g.count} scales and zero points, ${g.perChannel} per channel. At ${s.bits} bits a 32-bit float scale per group costs ` +
    `${fmt(32 / g.size, 3)} extra bits per value (${fmt(s.bits + 32 / g.size, 3)} bits per value with the scale, zero point not counted):` +
    `<ul>${groups.join('')}${g.count > 4 ? `<li>… ${g.count - 4} more</li>` : ''}</ul>`));
  patchChildren(list, items);
}
