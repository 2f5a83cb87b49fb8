// Plain-words warnings shown next to the numbers: a zero point the integer
// type cannot hold, values pushed past qmin/qmax, and what the options do.

import { steps } from './compute.js';
import { fmt, int } from './format.js';

/**
 * @param {import('./state.js').PageState} s
 * @param {import('./compute.js').TensorResult} t
 * @param {import('./compute.js').ChannelResult} c
 * @param {import('./compute.js').GroupResult} g
 * @returns {{ level: 'warn' | 'info', text: string }[]}
 */
export function warnings(s, t, c, g) {
  /** @type {{ level: 'warn' | 'info', text: string }[]} */
  const out = [];
  const type = s.dtype;
  if (t.raw && t.raw.zeroPoint !== t.raw.stored) {
    out.push({ level: 'warn', text: `Raw min/max: the range [${fmt(t.lo, 4)}, ${fmt(t.hi, 4)}] does not contain 0, so the formula ` +
      `puts the zero point at ${int(t.raw.zeroPoint)}, outside ${type}'s [${int(t.qmin)}, ${int(t.qmax)}]. ${type === 'int8' ? 'An' : 'A'} ${type} zero point cannot ` +
      `hold it; the page stores ${int(t.raw.stored)} instead, which shifts every value${t.clipped ? ` and clips ${t.clipped} value${t.clipped === 1 ? '' : 's'}` : ''}. ` +
      `PyTorch and ONNX avoid this by widening the range to include 0.` });
  }
  const rawChannels = c.raw ? c.raw.filter((r) => r.zeroPoint !== r.stored).length : 0;
  if (rawChannels > 0) {
    out.push({ level: 'warn', text: `Per channel, ${rawChannels} channel${rawChannels === 1 ? '' : 's'} would need a zero point outside ` +
      `[${int(c.qmin)}, ${int(c.qmax)}]; ${rawChannels === 1 ? 'it is' : 'they are'} clamped, and values shift or clip.` });
  }
  if (t.clipped > 0 && !t.raw) {
    const why = t.handles ? 'the range you set with the handles is narrower than the data'
      : s.scheme === 'symmetric' ? symmetricEdge(t)
        : 'values at the very edge of the range rounded past it';
    out.push({ level: 'warn', text: `Per tensor: ${t.clipped} ${t.clipped === 1 ? 'value lands' : 'values land'} past ${type}'s ` +
      `[${int(t.dtypeMin)}, ${int(t.dtypeMax)}] and ${t.clipped === 1 ? 'is' : 'are'} clamped (${why}).` +
      (t.handles ? ' Clamped values have large errors.' : '') });
  }
  if (c.clipped > 0 && rawChannels === 0) {
    out.push({ level: 'warn', text: `Per channel: ${c.clipped} value${c.clipped === 1 ? '' : 's'} clamped to [${int(t.dtypeMin)}, ${int(t.dtypeMax)}].` });
  }
  const rawGroups = g.raw ? g.raw.filter((r) => r.zeroPoint !== r.stored).length : 0;
  if (rawGroups > 0) {
    out.push({ level: 'warn', text: `Per group, ${rawGroups} group${rawGroups === 1 ? '' : 's'} would need a zero point outside ` +
      `[${int(g.qmin)}, ${int(g.qmax)}]; ${rawGroups === 1 ? 'it is' : 'they are'} clamped, and values shift or clip.` });
  }
  if (g.clipped > 0 && rawGroups === 0) {
    out.push({ level: 'warn', text: `Per group: ${g.clipped} value${g.clipped === 1 ? '' : 's'} clamped to [${int(t.dtypeMin)}, ${int(t.dtypeMax)}].` });
  }
  if (s.bits < 8) {
    // Why small groups: the step is the range over 2^n - 1 codes, so with few codes only a narrow range keeps it small.
    const levels = 2 ** s.bits;
    const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b === 0 ? 'to zero' : `${fmt(a / b, 3)}×`);
    out.push({ level: 'info', text: `${s.bits} bits: ${levels} codes [${int(t.dtypeMin)}, ${int(t.dtypeMax)}] (stored in ${type}), ` +
      `so one step is the range divided by ${levels - 1}: ${fmt(t.scale, 4)} per tensor, up to ${fmt(Math.max(...c.scales.map(Math.abs)), 4)} per channel` +
      `${g.size < g.channelLength ? `, up to ${fmt(Math.max(...g.scales.map(Math.abs)), 4)} in groups of ${g.size}` : ''}. ` +
      (g.size < g.channelLength
        ? `A group only has to cover its own ${g.size === 1 ? 'value' : `${g.size} values`}, so one large value costs precision in its group alone: ` +
          `MSE ${fmt(t.stats.mse, 3)} per tensor, ${fmt(c.stats.mse, 3)} per channel, ${fmt(g.stats.mse, 3)} per group ` +
          `(${ratio(c.stats.mse, g.stats.mse)} below per channel), for one scale and zero point per ${g.size === 1 ? 'value' : `${g.size} values`}.`
        : 'Choose a group size below the channel length to give each block of values its own scale, as 4-bit weight formats do.') });
  }
  if (s.reduceRange) {
    // Half of the codes in use: int8's [−128, 127] at 8 bits, the n-bit range below.
    const full = s.bits < 8 ? `the ${s.bits}-bit ${type} range [${int(t.dtypeMin)}, ${int(t.dtypeMax)}]` : `${type}'s [${int(t.dtypeMin)}, ${int(t.dtypeMax)}]`;
    out.push({ level: 'info', text: `Reduce range: the scale and zero point are fitted to [${int(t.qmin)}, ${int(t.qmax)}], half of ${full}, ` +
      `so the step is about twice as large. Quantizing still clamps to [${int(t.dtypeMin)}, ${int(t.dtypeMax)}] (as PyTorch does); ` +
      `the spare bit avoids overflow in some x86 int8 kernels.` });
  }
  if (s.scheme === 'symmetric') {
    out.push({ level: 'info', text: `Symmetric: the range is [−max|x|, max|x|], so the zero point is fixed at ${int(t.zeroPoint)}` +
      `${t.dataMin >= 0 ? ' and, with no negative values, about half of the codes go unused' : ''}.` });
    if (!s.includeZero) out.push({ level: 'info', text: 'Raw min/max has no effect with symmetric: a symmetric range always contains 0.' });
  }
  if (!s.includeZero && s.scheme === 'affine' && !t.raw) {
    out.push({ level: 'info', text: `Raw min/max gives the same per-tensor numbers here: the range [${fmt(t.lo, 4)}, ${fmt(t.hi, 4)}] already contains 0.` });
  }
  // Codes spent on the stretch between 0 and the data: its length in steps, rounded by the library.
  const unusedCodes = steps([t.lo > 0 ? t.lo : -t.hi], t.scale, s.compat).rounded[0];
  if (s.includeZero && s.scheme === 'affine' && (t.lo > 0 || t.hi < 0) && unusedCodes >= 1) {
    out.push({ level: 'info', text: `Include 0: the range was widened from [${fmt(t.lo, 4)}, ${fmt(t.hi, 4)}] to ` +
      `[${fmt(t.widenedLo, 4)}, ${fmt(t.widenedHi, 4)}], so 0.0 is exactly the code ${int(t.zeroPoint)}; about ` +
      `${int(unusedCodes)} codes cover the empty stretch next to 0.` });
  }
  return out;
}

/**
 * Why symmetric clips its largest value: max|x| / scale is exactly (qmax − qmin) / 2 steps, a .5 tie
 * for an odd span, which rounds to the even code past the end. The steps come from the library.
 * @param {import('./compute.js').TensorResult} t
 */
function symmetricEdge(t) {
  const amax = Math.max(-t.widenedLo, t.widenedHi);
  const edge = steps([amax], t.scale, 'pytorch');
  return `symmetric divides max|x| by (qmax − qmin) / 2, so the largest value sits ${fmt(edge.scaled[0])} steps ` +
    `above the zero point; half to even rounds that to ${int(edge.rounded[0])}, one code past the end. PyTorch does the same`;
}
