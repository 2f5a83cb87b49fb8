// The percentile and entropy calibration operators of the loaded build,
// through raw wasm exports, against tests/fixtures/calibration.json: a plain
// double-precision re-implementation of onnxruntime's HistogramCollector
// (tests/fixtures/gen_calibration.py). Exact: every state double, the bin
// count after each batch, and the chosen range's float bits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';

const rt = testWasm(BUILD);
const ex = rt.exports;
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/calibration.json', import.meta.url), 'utf8'));
const fromBits = (b) => new Float32Array(Uint32Array.from(b).buffer);
const HEADER = 6; // QDQ_CALIB_STATE_HEADER
const ABSOLUTE = 1; // QDQ_CALIB_ABSOLUTE
const FRACTIONAL_Q = 1; // QDQ_ENTROPY_FRACTIONAL_Q

/** A calibration state in wasm memory that grows as the C side asks. */
function runCase(c) {
  const flags = c.absolute ? ABSOLUTE : 0;
  let bins = c.options.bins;
  let state = rt.alloc(8 * (HEADER + bins));
  const mm = rt.alloc(8);
  const out = rt.alloc(8);
  const binsAfter = [];
  let xPtr = 0;
  try {
    rt.refresh();
    const f64 = () => new Float64Array(rt.u8.buffer);
    f64().fill(0, state >>> 3, (state >>> 3) + HEADER + bins);
    f64().set([0, 0, Infinity, -Infinity, bins, 0], state >>> 3);
    for (const b of fixtures.inputs[c.input]) {
      const x = fromBits(b);
      xPtr = rt.alloc(4 * x.length + 16);
      rt.refresh();
      rt.f32.set(x, xPtr >>> 2);
      rt.f32.set([Infinity, -Infinity], mm >>> 2);
      assert.equal(ex.qdq_minmax(xPtr, x.length, 0, 1, x.length, mm, mm + 4), -1);
      rt.refresh();
      const [lo, hi] = rt.f32.subarray(mm >>> 2, (mm >>> 2) + 2);
      const need = ex.qdq_calib_histogram_bins_after(state, lo, hi, flags);
      if (need > bins) {
        const grown = rt.alloc(8 * (HEADER + need));
        rt.refresh();
        rt.u8.copyWithin(grown, state, state + 8 * (HEADER + bins));
        rt.free(state);
        state = grown;
        bins = need;
      }
      assert.equal(ex.qdq_calib_histogram_observe(state, xPtr, x.length, lo, hi, flags), 0);
      rt.free(xPtr);
      xPtr = 0;
      rt.refresh();
      binsAfter.push(f64()[(state >>> 3) + 4]);
    }
    const r = c.method === 'percentile'
      ? ex.qdq_calib_percentile_range(state, c.options.percentile, flags, out)
      : ex.qdq_calib_entropy_range(state, c.options.quantizedBins, c.options.fractionalQ ? FRACTIONAL_Q : 0, out);
    assert.equal(r, 0);
    rt.refresh();
    const n = HEADER + f64()[(state >>> 3) + 4];
    return {
      binsAfter,
      state: Array.from(f64().subarray(state >>> 3, (state >>> 3) + n)),
      range: Array.from(new Uint32Array(rt.u8.buffer, out, 2)),
    };
  } finally {
    [state, mm, out].forEach((p) => rt.free(p));
    if (xPtr) rt.free(xPtr);
  }
}

test(`percentile and entropy calibration against the double reference (${BUILD} build)`, async (t) => {
  for (const c of fixtures.cases) {
    await t.test(`should match exactly: ${c.name} on ${c.input}`, () => {
      const got = runCase(c);
      assert.deepEqual(got.binsAfter, c.binsAfter, 'bin count after each batch');
      assert.equal(got.state.length, c.state.length);
      const i = got.state.findIndex((v, j) => !Object.is(v, c.state[j]));
      assert.equal(i, -1, i < 0 ? '' : `state[${i}] = ${got.state[i]}, reference ${c.state[i]}`);
      assert.deepEqual(Array.from(fromBits(got.range)), Array.from(fromBits(c.range)), 'range');
    });
  }
});
