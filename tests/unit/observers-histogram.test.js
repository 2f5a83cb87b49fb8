// The HistogramObserver operators of the loaded build, through raw wasm
// exports, against torch 1.13 fixtures (tests/fixtures/gen_observers.py):
// every batch's min/max, the final histogram, the searched range, scale and
// zero point, bit for bit; and the torch.sum emulation they rely on.
// The f32-rhistc kernels against their C reference live in kernels.test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';

const rt = testWasm(BUILD);
const ex = rt.exports;
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/observers.json', import.meta.url), 'utf8'));
const fromBits = (b) => new Float32Array(Uint32Array.from(b).buffer);
const bitsOf = (x) => Array.from(new Uint32Array(Float32Array.from(x).buffer));
const EPS = 2 ** -23; // torch.finfo(torch.float32).eps
const EXACT_BOUNDS = 1; // QDQ_HISTOGRAM_EXACT_BOUNDS

/** Runs one fixture case through qdq_histogram_observer_observe / _qparams. */
function runCase(c) {
  const bins = c.options.bins ?? 2048;
  const upsample = c.options.upsampleRate ?? 128;
  const flags = c.flavour === 'exactBounds' ? EXACT_BOUNDS : 0;
  const state = rt.alloc(4 * (2 + bins));
  const scratch = rt.alloc(4 * bins);
  const out = rt.alloc(16);
  const maxN = Math.max(...c.batches.map((b) => b.length));
  const xPtr = rt.alloc(4 * maxN + 16);
  try {
    rt.refresh();
    rt.f32.fill(0, state >>> 2, (state >>> 2) + 2 + bins);
    rt.f32[state >>> 2] = Infinity;
    rt.f32[(state >>> 2) + 1] = -Infinity;
    const steps = [];
    for (const b of c.batches) {
      rt.refresh();
      rt.f32.set(fromBits(b), xPtr >>> 2);
      const r = ex.qdq_histogram_observer_observe(state, bins, upsample, xPtr, b.length, flags, scratch);
      assert.equal(r, 0, `${c.name}: observe returned ${r}`);
      rt.refresh();
      steps.push({ min: bitsOf([rt.f32[state >>> 2]])[0], max: bitsOf([rt.f32[(state >>> 2) + 1]])[0] });
    }
    rt.refresh();
    const histogram = bitsOf(rt.f32.subarray((state >>> 2) + 2, (state >>> 2) + 2 + bins));
    const dtype = c.options.dtype ?? 'uint8';
    const symmetric = (c.options.qscheme ?? 'per_tensor_affine') === 'per_tensor_symmetric';
    const qflags = (symmetric ? 1 : 0) | (dtype === 'uint8' ? 2 : 0) | ('quantMin' in c.options ? 4 : 0);
    const q = ex.qdq_histogram_observer_qparams(state, bins, c.quantMin, c.quantMax, qflags, EPS, out, out + 12);
    assert.equal(q, 0);
    rt.refresh();
    const [scale, searchMin, searchMax] = bitsOf(rt.f32.subarray(out >>> 2, (out >>> 2) + 3));
    const zeroPoint = new Int32Array(rt.u8.buffer, out + 12, 1)[0];
    return { steps, histogram, searchMin, searchMax, scale, zeroPoint };
  } finally {
    [state, scratch, out, xPtr].forEach((p) => rt.free(p));
  }
}

test(`HistogramObserver operators against torch 1.13 (${BUILD} build)`, async (t) => {
  // histogramTorchEdges: bins + 1 a multiple of 16, where torch's last edge is a vector lane below
  // max (H1). fixtures.histogramZeroSigns is not for the operators: a zero extreme's sign follows
  // torch's reduction (Z1), which HistogramObserver (js/ops/calibration-observers.js) applies after
  // the operator, tested in tests/unit/calibration-observers.test.js.
  for (const c of [...fixtures.histogram, ...fixtures.histogramTorchEdges]) {
    await t.test(`should match torch bit for bit: ${c.name}`, () => {
      const got = runCase(c);
      assert.deepEqual(got.steps, c.steps, 'running min/max after each batch');
      const diff = got.histogram.findIndex((b, i) => b !== c.histogram[i]);
      assert.equal(diff, -1, diff < 0 ? '' : `histogram[${diff}]: ${fromBits([got.histogram[diff]])[0]} vs torch ${fromBits([c.histogram[diff]])[0]}`);
      assert.deepEqual([got.searchMin, got.searchMax], [c.searchMin, c.searchMax], 'searched range');
      assert.equal(got.scale, c.scale, 'scale bits');
      assert.equal(got.zeroPoint, c.zeroPoint, 'zero point');
    });
  }
});

test(`qdq_torch_sum_f32 against torch.sum (${BUILD} build)`, async (t) => {
  await t.test('should give torch 1.13 float32 sums bit for bit, lengths 0..67 and large', () => {
    for (const { x, sum } of fixtures.torchSum) {
      const p = rt.alloc(4 * x.length + 16);
      try {
        rt.refresh();
        rt.f32.set(fromBits(x), p >>> 2);
        const got = ex.qdq_torch_sum_f32(x.length, p);
        assert.equal(bitsOf([got])[0], sum, `n=${x.length}: ${got} vs torch ${fromBits([sum])[0]}`);
      } finally {
        rt.free(p);
      }
    }
  });
});
