// FakeQuantize against torch 1.13's FusedMovingAvgObsFakeQuantize, and convert() of a QAT model,
// bit for bit: tests/fixtures/quantization.json's fakeQuantizeModules and qatConvert (written by
// tests/fixtures/gen_quantization.py). Every float comparison is on bits; no tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { qdq, BUILD } from '../helpers/setup.js';

const { nn, FakeQuantize, QConfig, QuantStub, DeQuantStub, prepareQat, convert, activationObserver } = qdq;
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/quantization.json', import.meta.url), 'utf8'));

/** @param {number[]} bits uint32 bit patterns @returns {Float32Array} */
const f32 = (bits) => new Float32Array(Uint32Array.from(bits).buffer);
/** @param {ArrayLike<number>} a @returns {number[]} float32 bit patterns */
const bitsOf = (a) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** @param {string} what @param {ArrayLike<number>} got @param {number[]} want */
function sameBits(what, got, want) {
  const g = bitsOf(got);
  assert.equal(g.length, want.length, `${what}: length`);
  const i = g.findIndex((b, j) => b !== want[j]);
  if (i >= 0) assert.fail(`${what} [${BUILD}]: index ${i}: expected ${f32([want[i]])[0]} (0x${want[i].toString(16)}), got ${got[i]} (0x${g[i].toString(16)})`);
}

/** @param {any} q FakeQuantize qparams @returns {{ scales: ArrayLike<number>, zeroPoints: number[] }} */
const listed = (q) => ({ scales: q.scales ?? [q.scale], zeroPoints: Array.from(q.zeroPoints ?? [q.zeroPoint]) });

test('FakeQuantize vs torch 1.13 FusedMovingAvgObsFakeQuantize', async (t) => {
  const cases = fixtures.fakeQuantizeModules;
  assert.ok(cases.length >= 20);
  for (const c of cases) {
    // Property: each forward's output, the running min/max and the fused op's scale and zero point
    // after it, and calculateQParams() at the end (the observer's: what convert() uses), equal torch's.
    // Without quantMin/quantMax the range is torch's default [0, 255], a custom range to torch's
    // observer: quint8 symmetric gives zero point 127 there, and 128 in the fused forward. Per-channel
    // axes other than 0 are compared with torch on the tensor whose axis was moved first (torch 1.13's
    // fused op raises for them).
    await t.test(`should match torch: ${c.name}`, () => {
      const fq = new FakeQuantize(c.options);
      assert.deepEqual([fq.quantMin, fq.quantMax], [c.quantMin, c.quantMax], 'quant range');
      c.batches.forEach((/** @type {any} */ b, /** @type {number} */ i) => {
        const { output } = fq.forward(f32(b.x), b.shape);
        sameBits(`batch ${i}: output`, output, b.output);
        const o = fq.observer;
        sameBits(`batch ${i}: min_val`, o.minVal instanceof Float32Array ? o.minVal : [o.minVal], b.minVal);
        sameBits(`batch ${i}: max_val`, o.maxVal instanceof Float32Array ? o.maxVal : [o.maxVal], b.maxVal);
        const q = listed(fq.qparams);
        sameBits(`batch ${i}: fused scale`, q.scales, b.scale);
        assert.deepEqual(q.zeroPoints, b.zeroPoint, `batch ${i}: fused zero point`);
      });
      const p = listed(fq.calculateQParams());
      sameBits('calculateQParams scale', p.scales, c.scales);
      assert.deepEqual(p.zeroPoints, c.zeroPoints, 'calculateQParams zero point');
    });
  }

  // Property: the cases with doubleDivisionScales (gen_quantization.py, fused_fq_tie_cases) sit on
  // a tie of E12's first step: torch's scale, which the per-case tests above match, is one ulp from
  // what max(|min / sqmin|, |max / sqmax|) divided in double would give. Per tensor, after one and
  // two batches, and per channel.
  await t.test('should pin float-division ties of ChooseQuantizationParams', () => {
    const ties = cases.filter((/** @type {any} */ c) => c.doubleDivisionScales);
    let channels = 0;
    for (const c of ties) {
      const last = c.batches[c.batches.length - 1];
      assert.equal(c.doubleDivisionScales.length, last.scale.length, c.name);
      c.doubleDivisionScales.forEach((/** @type {number} */ d, /** @type {number} */ i) => {
        assert.notEqual(d, last.scale[i], `${c.name}: channel ${i} is not a tie`);
        assert.equal(Math.abs(f32([d])[0] - f32([last.scale[i]])[0]) <= Math.abs(f32([last.scale[i]])[0]) * 2 ** -22, true,
          `${c.name}: channel ${i}: more than an ulp apart`);
      });
      channels += last.scale.length;
    }
    assert.ok(ties.length >= 25 && channels >= 30, `${ties.length} cases, ${channels} channels`);
    assert.ok(ties.some((/** @type {any} */ c) => c.batches.length > 1) && ties.some((/** @type {any} */ c) => c.options.qscheme === 'per_channel_symmetric'));
  });

  await t.test('should give the audit\'s repro torch\'s zero point: 127 from calculateQParams, 128 in the forward', () => {
    const fq = new FakeQuantize({ dtype: 'uint8', qscheme: 'per_tensor_symmetric' });
    fq.forward(Float32Array.of(-1, 2));
    assert.equal(/** @type {any} */ (fq.qparams).zeroPoint, 128);
    assert.equal(/** @type {any} */ (fq.calculateQParams()).zeroPoint, 127);
  });

  await t.test('should fake-quantize along the observer\'s axis (negative axes count from the end)', () => {
    const x = Float32Array.from({ length: 2 * 3 }, (_, i) => (i % 3 + 1) * (i < 3 ? 1 : -1));
    for (const axis of [1, -1]) {
      const fq = new FakeQuantize({ dtype: 'int8', qscheme: 'per_channel_symmetric', quantMin: -128, quantMax: 127, axis });
      const { output } = fq.forward(x, [2, 3]);
      assert.equal(fq.observer.minVal.length, 3);
      // Each column has its own scale: every value lands on a step of its column's grid.
      assert.deepEqual(Array.from(output), Array.from(x));
    }
  });
});

test('convert() of a QAT model vs torch 1.13', async (t) => {
  const c = fixtures.qatConvert;
  // Property: a QAT model whose activations use quint8 symmetric FakeQuantize with torch's default
  // range, trained one step (forward) and converted, gets torch's Quantize and Linear zero points
  // (127: the observer's custom-range midpoint, not the fused forward's 128), scales, int8 weights and
  // outputs. Dyadic data keep every float sum exact (gen_quantization.py, qat_convert_case).
  await t.test(`should match torch: ${c.name}`, () => {
    let m = new nn.Sequential(new QuantStub(), new nn.Linear(4, 3), new DeQuantStub());
    m.loadStateDict({ '1.weight': { shape: [3, 4], data: f32(c.weight) }, '1.bias': { shape: [3], data: f32(c.bias) } }).train();
    const qconfig = new QConfig({
      activation: () => new FakeQuantize({ dtype: 'uint8', qscheme: 'per_tensor_symmetric' }),
      weight: () => new FakeQuantize({ dtype: 'int8', qscheme: 'per_tensor_symmetric', quantMin: -128, quantMax: 127 }),
    });
    const p = prepareQat(m, { qconfig });
    m.dispose();
    sameBits('training forward', p.forward(f32(c.x), 5), c.trainOutput);
    const fqs = { 0: activationObserver(p.modules[0]), 1: activationObserver(p.modules[1]), '1.weight': /** @type {any} */ (p.modules[1]).weightFakeQuant };
    for (const [k, want] of Object.entries(c.fakeQuant)) {
      const fq = /** @type {any} */ (fqs)[k];
      sameBits(`${k} min`, [fq.observer.minVal], [want.min]);
      sameBits(`${k} max`, [fq.observer.maxVal], [want.max]);
      sameBits(`${k} fused scale`, [fq.qparams.scale], want.scale);
      assert.deepEqual([fq.qparams.zeroPoint], want.zeroPoint, `${k} fused zero point`);
      const q = fq.calculateQParams();
      sameBits(`${k} calculateQParams scale`, [q.scale], want.calculateQParams[0]);
      assert.deepEqual([q.zeroPoint], want.calculateQParams[1], `${k} calculateQParams zero point`);
    }
    p.eval();
    m = convert(p);
    p.dispose();
    try {
      const [quant, lin] = /** @type {any[]} */ (m.modules);
      sameBits('Quantize scale', [quant.scale], [c.quant.scale]);
      assert.equal(quant.zeroPoint, c.quant.zeroPoint, 'Quantize zero point');
      sameBits('Linear output scale', [lin.layer.outputScale], [c.linear.scale]);
      assert.equal(lin.layer.outputZeroPoint, c.linear.zeroPoint, 'Linear output zero point');
      sameBits('Linear weight scale', [lin.layer.weightScales[0]], [c.linear.weightScale]);
      const xe = f32(c.evalX);
      const qin = quant.forward(xe);
      assert.deepEqual(Array.from(qin.data), c.inputInt, 'quantized input');
      assert.deepEqual(Array.from(lin.forward(qin, 6).data), c.outputInt, 'quantized Linear output');
      sameBits('converted output', m.forward(xe, 6), c.y);
    } finally {
      m.dispose();
    }
  });
});
