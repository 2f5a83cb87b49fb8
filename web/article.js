// "The article's example, corrected": the seed article's figures for the
// 2x3 tensor next to what int8 actually allows, each checked live by the
// library (the raw-range qparams by calculateQParams with includeZero: false).

import { perChannel, perTensor, rawQParams, replay, steps } from './compute.js';
import { fmt, int } from './format.js';

const X = Float32Array.of(1, 2, 3, 4, 5, 6);
const SHAPE = [2, 3];

/** The article's own figures, quoted as numbers. */
const ARTICLE = {
  scale: 0.01961, zeroPoint: -180, q: [0, 51, 102, 153, 204, 255],
  channelScales: [0.007843, 0.007843], channelZeroPoints: [-255, -638], channelQ: [127, 255, 383, 510, 766, 1022],
};

/** Rounding half to even, as Python's round and torch.round: the article's own arithmetic, redone. @param {number} v */
function roundEven(v) {
  const f = Math.floor(v), d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/** @param {ArrayLike<number>} a @param {(v: number) => string} [f] */
const list = (a, f = int) => Array.from(a, f).join(', ');

/** Marks integers outside int8 in red. @param {ArrayLike<number>} a */
function outOfRange(a) {
  return Array.from(a, (v) => (v < -128 || v > 127 ? `<mark>${int(v)}</mark>` : int(v))).join(', ');
}

/**
 * @param {HTMLElement} container
 * @param {'pytorch' | 'onnx'} compat
 */
export function renderArticle(container, compat) {
  const base = { dtype: /** @type {const} */ ('int8'), scheme: /** @type {const} */ ('affine'), reduceRange: false, compat, axis: /** @type {const} */ (0), bits: 8, group: 8, lo: null, hi: null };
  const t = perTensor(X, SHAPE, { ...base, includeZero: true });
  const c = perChannel(X, SHAPE, { ...base, includeZero: true });
  const rawT = rawQParams(1, 6, 'int8', false);
  const rawC = [rawQParams(1, 3, 'int8', false), rawQParams(4, 6, 'int8', false)];
  // 1 / scale as float32 division, and its rounding: the raw zero point's middle step.
  const one = steps([1], rawT.scale, 'onnx');
  const oneC = steps([1], rawC[0].scale, 'onnx');
  // The article's code: zero point round(-x_min / scale), no qmin term, then clamp to [-128, 127].
  const codeZp = -one.rounded[0];
  const code = replay(X, rawT.scale, codeZp, compat);
  const unused = Math.min(...t.q) - (-128);
  // The article's arithmetic with its own printed numbers (float64, as written out by hand).
  const inv = 1 / ARTICLE.scale; // 50.994
  const [s0] = ARTICLE.channelScales;
  const invC = 1 / s0; // 127.502
  const rows0 = [1, 2, 3], rows1 = [4, 5, 6];
  // Its per-channel formula round(x / scale + zero point) with the zero points added (as its numbers do)
  // and subtracted (as its formula says), both with its scale 0.007843.
  const [zp0, zp1] = ARTICLE.channelZeroPoints;
  const added = [...rows0.map((v) => roundEven(v / s0 - zp0)), ...rows1.map((v) => roundEven(v / s0 - zp1))];
  const subtracted = [...rows0.map((v) => roundEven(v / s0 + zp0)), ...rows1.map((v) => roundEven(v / s0 + zp1))];
  // Its dequantization as written: 0.007843 · (q − 255) and 0.007843 · (q − 638).
  const deq = ARTICLE.channelQ.map((q, i) => s0 * (q + (i < 3 ? zp0 : zp1)));

  const rows = [
    ['Per-tensor scale', `${ARTICLE.scale} = (6 − 1) / 255`, `${fmt(rawT.scale)} from the raw range [1, 6]; <b>${fmt(t.scale)}</b> = 6 / 255 with 0 included`,
      'The raw scale is right for [1, 6]; the trouble starts with the zero point.'],
    ['Per-tensor zero point', int(ARTICLE.zeroPoint),
      `raw formula: −128 − round(1 / ${fmt(rawT.scale, 4)}) = −128 − ${int(one.rounded[0])} = <mark>${int(rawT.zeroPoint)}</mark>; ` +
      `with 0 included: <b data-testid="article-zp">${int(t.zeroPoint)}</b>`,
      `1 / ${ARTICLE.scale} is ${fmt(inv, 5)} (${fmt(one.scaled[0], 4)} with the unrounded scale 5/255), not 51.99: ` +
      `round(−128 − ${fmt(inv, 5)}) = round(${fmt(-128 - inv, 6)}) = ${int(roundEven(-128 - inv))}, so −180 is an arithmetic slip. ` +
      'Either way it is below −128: an int8 zero point cannot hold it.'],
    ['Per-tensor q', outOfRange(ARTICLE.q), `<b data-testid="article-q">${list(t.q)}</b>`,
      `153, 204 and 255 do not fit in int8 (at most 127). The article's values are round((x − 1) / scale): uint8 codes. ` +
      `With its own zero point, q(1.0) = round(${fmt(inv, 5)} − 180) = ${int(roundEven(inv - 180))}, not 0.`],
    ['Dequantized, error', '1 … 6, error 0', `x̂ = ${list(t.xHat, (v) => fmt(v, 5))}; max |error| ${fmt(t.stats.maxAbsError, 4)}`,
      `With the article's numbers x̂(0) = 0.01961 · (0 + 180) = 3.53, not 1.0. Zero error needs zero point −179, which int8 cannot store; a storable zero point costs at most half a step (${fmt(t.scale / 2, 4)}).`],
    ["The article's code", 'zeropoint = round(−x_min / scale), then clamp to [−128, 127]',
      `zero point ${int(codeZp)}: q = <b>${list(code.q)}</b>, x̂ = ${list(code.xHat, (v) => fmt(v, 4))}`,
      `The code's formula differs from its text (no qmin term). It clamps ${code.clipped} of 6 values to 127, so 4, 5 and 6 all come back as ${fmt(code.xHat[5], 4)}: max error ${fmt(code.stats.maxAbsError, 4)}.`],
    ['Per-channel zero points', list(ARTICLE.channelZeroPoints),
      `raw formula: <mark>${list(rawC.map((r) => r.zeroPoint))}</mark>; with 0 included: <b data-testid="article-pc-zp">${list(c.zeroPoints)}</b> (scales ${list(c.scales, (v) => fmt(v, 4))})`,
      `Channel 0: 1 / ${s0} is ${fmt(invC, 6)}, and round(−128 − ${fmt(invC, 6)}) = ${int(roundEven(-128 - invC))}. With the exact scale 2/255 ` +
      `the sum is −255.5, which rounds to ${int(roundEven(-255.5))} as well, half to even (Python's round, torch.round) or half away from zero. ` +
      `So the article's round(−255.5) = −255 is a rounding slip, like −180. The ${int(rawC[0].zeroPoint)} shown here comes from float32: ` +
      `2/255 is stored as ${fmt(rawC[0].scale, 8)}, so 1 / scale is ${fmt(oneC.scaled[0], 9)}, which rounds to ${int(oneC.rounded[0])}: ` +
      `−128 − ${int(oneC.rounded[0])} = ${int(-128 - oneC.rounded[0])}. ` +
      `Channel 1's ${int(zp1)} follows from the formula. Both are far below −128; including 0 makes each channel's range [0, max].`],
    ['Per-channel q', outOfRange(ARTICLE.channelQ), `<b data-testid="article-pc-q">${list(c.q)}</b>`,
      `Every value but 127 is outside int8, and none is what the article's own formula gives for its x. With its scale ${s0} and zero points ` +
      `${int(zp0)} and ${int(zp1)}, round(x / scale + zero point) gives ${list(subtracted)}; adding 255 and 638 instead, as its ` +
      `worked lines do, gives ${list(added)}. Its 127, 255 and 383 are x / scale ` +
      `(${list(rows0.map((v) => v / s0), (v) => fmt(v, 4))}) with no zero point; 510 is 4 / scale, and 766 and 1022 match nothing.`],
    ['Per-channel dequantized', '1 … 6, error 0',
      `<span data-testid="article-pc-xhat">${list(c.xHat, (v) => fmt(v, 5))}</span>; max |error| ${fmt(c.stats.maxAbsError, 4)}`,
      `Its own numbers do not give 1 … 6: ${s0} · (127 − 255) = ${fmt(deq[0], 4)}, not 1.0, and its six lines give ` +
      `${list(deq, (v) => fmt(v, 4))}. Per channel is exact for row 0 here (1, 2, 3 are multiples of 3/255); row 1 keeps per tensor's half-step error.`],
  ];
  const body = rows.map(([what, said, fixed, why]) => `<tr><th scope="row">${what}</th><td>${said}</td><td>${fixed}</td><td>${why}</td></tr>`).join('');
  container.innerHTML = `
    <table class="article-table">
      <caption>The 2 × 3 tensor [[1, 2, 3], [4, 5, 6]] in int8 [−128, 127]. <mark>Marked</mark>: values int8 cannot hold.</caption>
      <thead><tr><th scope="col"></th><th scope="col">The article</th><th scope="col">Checked by qdq-wasm</th><th scope="col">Why</th></tr></thead>
      <tbody>${body}</tbody>
    </table>
    <p class="why"><b>Why it goes wrong.</b> An int8 tensor stores its zero point as an int8 too, so the zero point must lie in
    [−128, 127]. It is the code of 0.0, and 0.0 here lies below the data: when every value is positive, the raw range [1, 6]
    puts 0.0 about 51 steps below −128. PyTorch's observers and ONNX's DynamicQuantizeLinear widen the range to include 0:
    the scale grows from 5/255 to 6/255 and ${unused} codes (−128 to ${int(-128 + unused - 1)}) go unused, but 0.0 stays exactly
    representable, which zero padding and ReLU outputs rely on. Try <i>Include 0</i> off in the options above to see the raw range fail live.</p>`;
}
