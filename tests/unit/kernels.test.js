// Every kernel in this build, named by the family .inc lists, against the C
// reference functions in the same module: bit-exact, on random inputs of
// every length 0..67 and a few large ones, at unaligned offsets, with guard
// bytes after each output that must stay untouched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { qdq, BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { rng } from '../helpers/oracle.js';

const rt = testWasm(BUILD);
const ex = rt.exports;
const SRC = new URL('../../src/', import.meta.url);
const GUARD = 32;
const SENTINEL = 0xa5;

/** Kernel names per family, from src/<family>/<family>.inc, limited to this build's exports. */
function kernels(family) {
  const text = readFileSync(new URL(`${family}/${family}.inc`, SRC), 'utf8');
  const names = [...text.matchAll(/^QDQ_UKERNEL\((\w+),\s*(\d+),\s*(\w+)\)/gm)].map((m) => ({ name: m[1], tile: +m[2], isa: m[3] }));
  assert.ok(names.length >= 2, `${family}.inc lists kernels`);
  return names.filter((k) => typeof ex[k.name] === 'function');
}

const LENGTHS = [...Array(68).keys(), 255, 1000, 4099];

/** Random floats with ties, specials, huge and tiny values mixed in. */
function input(n, random, scale) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.02) x[i] = [NaN, Infinity, -Infinity, -0, 1e30, -1e30, 3e9, -3e9][Math.floor(random() * 8)];
    else if (r < 0.2) x[i] = (Math.floor(random() * 600) - 300 + 0.5) * scale; // exact .5 ties
    else x[i] = (random() * 2 - 1) * 200 * scale;
  }
  return x;
}

/** Scratch in wasm memory: x (offset for misalignment), y + guard, reference y. */
function withBuffers(bytesIn, bytesOut, fn) {
  const inPtr = rt.alloc(bytesIn + 64);
  const outPtr = rt.alloc(bytesOut + GUARD + 64);
  const refPtr = rt.alloc(bytesOut + 64);
  const paramsPtr = rt.alloc(64);
  try {
    return fn(inPtr, outPtr, refPtr, paramsPtr);
  } finally {
    [inPtr, outPtr, refPtr, paramsPtr].forEach((p) => rt.free(p));
  }
}

function checkGuard(ptr, nbytes, what) {
  rt.refresh();
  const g = rt.u8.subarray(ptr + nbytes, ptr + nbytes + GUARD);
  assert.ok(g.every((b) => b === SENTINEL), `${what}: wrote past the end of its output`);
}

test(`quantize kernels (f32-qs8-vcvt, f32-qu8-vcvt) on the ${BUILD} build`, async (t) => {
  for (const [family, uint8] of [['f32-qs8-vcvt', false], ['f32-qu8-vcvt', true]]) {
    const reference = ex[`qdq_reference_${family.replaceAll('-', '_')}`];
    for (const k of kernels(family)) {
      await t.test(`should match the reference: ${k.name}`, () => {
        const random = rng(7);
        for (const n of LENGTHS) {
          for (const [scale, divide] of [[0.0123, 1], [0.5, 0], [3.7e-3, 0], [1, 1]]) {
            const zp = uint8 ? Math.floor(random() * 256) : Math.floor(random() * 256) - 128;
            const misalign = 4 * (n % 4);
            withBuffers(4 * n, n, (inPtr, outPtr, refPtr, pp) => {
              const x = input(n, random, scale);
              const xp = inPtr + misalign;
              const yp = outPtr + (n % 3);
              rt.refresh();
              rt.f32.set(x, xp >>> 2);
              rt.u8.fill(SENTINEL, yp, yp + n + GUARD);
              ex.qdq_init_f32_q8_cvt_params(pp, scale, zp, uint8 ? 0 : -128, uint8 ? 255 : 127, divide);
              k.name.includes('scalar') || assert.equal(misalign % 4, 0);
              ex[k.name](4 * n, xp, yp, pp);
              reference(n, xp, refPtr, pp);
              rt.refresh();
              const got = rt.u8.slice(yp, yp + n);
              const want = rt.u8.slice(refPtr, refPtr + n);
              for (let i = 0; i < n; i++) {
                if (got[i] !== want[i]) {
                  assert.fail(`${k.name} n=${n} i=${i} x=${x[i]} scale=${scale} zp=${zp} divide=${divide}: got ${got[i]}, reference ${want[i]}`);
                }
              }
              checkGuard(yp, n, k.name);
            });
          }
        }
      });
    }
  }
});

/** The float32 neighbour of v, `steps` ulps away (negative: toward -Infinity for positive v). */
function ulpStep(v, steps) {
  const b = new Float32Array([v]);
  const u = new Int32Array(b.buffer);
  u[0] += v >= 0 ? steps : -steps;
  return b[0];
}

test(`quantize kernels at near ties in ONNX mode on the ${BUILD} build`, async (t) => {
  // Property: x / scale is rounded exactly as the division would be for inputs within a few
  // ulps of a tie, where x * (1/scale) often rounds the other way, across scales from 1e-45
  // to 3e38 (a multiply-by-reciprocal shortcut in a kernel would fail here).
  const random = rng(41);
  const scales = [2 ** -126, 2 ** 126, 1e-39, 2 ** 127, 3e38, 1e-45];
  for (let i = 0; i < 40; i++) scales.push(Math.fround(Math.exp((random() - 0.5) * 30)));
  for (const k of [...kernels('f32-qs8-vcvt'), ...kernels('f32-qu8-vcvt')]) {
    await t.test(`should divide exactly: ${k.name}`, () => {
      const uint8 = k.name.includes('qu8');
      const reference = ex[uint8 ? 'qdq_reference_f32_qu8_vcvt' : 'qdq_reference_f32_qs8_vcvt'];
      const n = 16 * 64 + 7;
      for (const scale of scales) {
        const x = new Float32Array(n);
        for (let j = 0; j < n; j++) {
          const h = Math.floor(random() * 300) - 150 + 0.5;
          x[j] = ulpStep(Math.fround(h * scale), Math.floor(random() * 7) - 3);
          if (j % 97 === 0) x[j] = (random() - 0.5) * 1e38;
        }
        withBuffers(4 * n, n, (inPtr, outPtr, refPtr, pp) => {
          rt.refresh();
          rt.f32.set(x, inPtr >>> 2);
          ex.qdq_init_f32_q8_cvt_params(pp, scale, uint8 ? 128 : 0, uint8 ? 0 : -128, uint8 ? 255 : 127, 1);
          ex[k.name](4 * n, inPtr, outPtr, pp);
          reference(n, inPtr, refPtr, pp);
          rt.refresh();
          const got = rt.u8.slice(outPtr, outPtr + n), want = rt.u8.slice(refPtr, refPtr + n);
          for (let j = 0; j < n; j++) {
            if (got[j] !== want[j]) assert.fail(`${k.name} scale=${scale} x=${x[j]}: got ${got[j]}, reference ${want[j]}`);
          }
        });
      }
    });
  }
});

test(`dequantize kernels (qs8-f32-vcvt, qu8-f32-vcvt) on the ${BUILD} build`, async (t) => {
  for (const family of ['qs8-f32-vcvt', 'qu8-f32-vcvt']) {
    const reference = ex[`qdq_reference_${family.replaceAll('-', '_')}`];
    for (const k of kernels(family)) {
      await t.test(`should match the reference: ${k.name}`, () => {
        const random = rng(11);
        for (const n of LENGTHS) {
          for (const scale of [0.0123, 0.5, 1e-30, 3e30]) {
            const zp = family.startsWith('qu8') ? Math.floor(random() * 256) : Math.floor(random() * 256) - 128;
            withBuffers(n, 4 * n, (inPtr, outPtr, refPtr, pp) => {
              const qp = inPtr + (n % 5);
              const yp = outPtr + 4 * (n % 3);
              rt.refresh();
              for (let i = 0; i < n; i++) rt.u8[qp + i] = Math.floor(random() * 256);
              rt.u8.fill(SENTINEL, yp, yp + 4 * n + GUARD);
              ex.qdq_init_q8_f32_cvt_params(pp, scale, zp);
              ex[k.name](n, qp, yp, pp);
              reference(n, qp, refPtr, pp);
              rt.refresh();
              assert.deepEqual(rt.u8.slice(yp, yp + 4 * n), rt.u8.slice(refPtr, refPtr + 4 * n), `${k.name} n=${n} scale=${scale}`);
              checkGuard(yp, 4 * n, k.name);
            });
          }
        }
      });
    }
  }
});

test(`fake-quantize kernels (f32-vfakequant) on the ${BUILD} build`, async (t) => {
  for (const k of kernels('f32-vfakequant')) {
    await t.test(`should match the reference, output and mask: ${k.name}`, () => {
      const random = rng(13);
      for (const n of LENGTHS) {
        for (const [scale, zp, qmin, qmax, divide] of [[0.0123, 3, -128, 127, 1], [0.5, 0, 0, 15, 0], [0.01, 200, 0, 255, 0], [2, -64, -64, 63, 1]]) {
          withBuffers(4 * n, 5 * n, (inPtr, outPtr, refPtr, pp) => {
            const x = input(n, random, scale);
            const yp = outPtr;
            const mp = outPtr + 4 * n + GUARD;
            const rmp = refPtr + 4 * n;
            rt.refresh();
            rt.f32.set(x, inPtr >>> 2);
            rt.u8.fill(SENTINEL, yp, yp + 4 * n + GUARD);
            rt.u8.fill(SENTINEL, mp, mp + n + GUARD);
            ex.qdq_init_f32_q8_cvt_params(pp, scale, zp, qmin, qmax, divide);
            ex[k.name](4 * n, inPtr, yp, mp, pp);
            ex.qdq_reference_f32_vfakequant(n, inPtr, refPtr, rmp, pp);
            rt.refresh();
            assert.deepEqual(rt.u8.slice(yp, yp + 4 * n), rt.u8.slice(refPtr, refPtr + 4 * n), `${k.name} output n=${n}`);
            assert.deepEqual(rt.u8.slice(mp, mp + n), rt.u8.slice(rmp, rmp + n), `${k.name} mask n=${n}`);
            checkGuard(yp, 4 * n, k.name);
            checkGuard(mp, n, k.name);
            // Without a mask pointer the output is the same and nothing else is written.
            rt.u8.fill(SENTINEL, yp, yp + 4 * n + GUARD);
            ex[k.name](4 * n, inPtr, yp, 0, pp);
            rt.refresh();
            assert.deepEqual(rt.u8.slice(yp, yp + 4 * n), rt.u8.slice(refPtr, refPtr + 4 * n), `${k.name} no-mask n=${n}`);
          });
        }
      }
    });
  }
});

test(`min/max kernels (f32-rminmax) on the ${BUILD} build`, async (t) => {
  for (const k of kernels('f32-rminmax')) {
    await t.test(`should match the reference, including the first non-finite index: ${k.name}`, () => {
      const random = rng(17);
      for (const n of LENGTHS) {
        for (const bad of [-1, 0, Math.floor(n / 2), n - 1]) {
          withBuffers(4 * n, 16, (inPtr, outPtr, refPtr) => {
            const x = new Float32Array(n);
            for (let i = 0; i < n; i++) x[i] = (random() * 2 - 1) * 1e3;
            if (bad >= 0 && n > 0) x[bad] = [NaN, Infinity, -Infinity][n % 3];
            rt.refresh();
            rt.f32.set(x, inPtr >>> 2);
            rt.f32.set([Infinity, -Infinity], outPtr >>> 2);
            rt.f32.set([Infinity, -Infinity], refPtr >>> 2);
            const got = ex[k.name](4 * n, inPtr, outPtr, outPtr + 4);
            const want = ex.qdq_reference_f32_rminmax(n, inPtr, refPtr, refPtr + 4);
            rt.refresh();
            assert.equal(got, want, `${k.name} n=${n} index`);
            if (want < 0) {
              assert.deepEqual(rt.f32.slice(outPtr >>> 2, (outPtr >>> 2) + 2), rt.f32.slice(refPtr >>> 2, (refPtr >>> 2) + 2));
              if (n > 0) assert.equal(rt.f32[outPtr >>> 2], Math.min(...x));
            }
          });
        }
      }
    });
  }
});

test(`histogram kernels (f32-rhistc) on the ${BUILD} build`, async (t) => {
  for (const k of kernels('f32-rhistc')) {
    await t.test(`should bin exactly as the reference, edges, NaN, infinities and interleaved copies included: ${k.name}`, () => {
      const random = rng(29);
      for (const bins of [1, 7, 100, 2048]) {
        for (const n of LENGTHS) {
          // 1 or 4 interleaved histograms (element i counts in copy i mod copies) with every tail,
          // and runs of one value so that lanes share a count.
          const copies = n % 2 ? 4 : 1;
          const counts = bins * copies;
          withBuffers(4 * n, 4 * counts, (inPtr, outPtr, refPtr, paramsPtr) => {
            const lo = Math.fround((random() * 2 - 1) * 50);
            const hi = Math.fround(lo + 0.001 + random() * 60);
            ex.qdq_init_f32_histc_params(paramsPtr, bins, lo, hi);
            rt.refresh();
            const [left, right] = rt.f32.subarray(paramsPtr >>> 2, (paramsPtr >>> 2) + 2);
            rt.i32[(paramsPtr >>> 2) + 5] = copies;
            const x = input(n, random, 0.1);
            for (let i = 0; i < n; i++) {
              const r = random();
              if (r < 0.05) x[i] = left;
              else if (r < 0.1) x[i] = right;
              else if (r < 0.25 && i > 0) x[i] = x[i - 1];
              else if (r < 0.7) x[i] = lo - 5 + random() * (hi - lo + 10);
            }
            rt.f32.set(x, inPtr >>> 2);
            // Counts of -0 too: a kernel that adds an identity for skipped elements must add -0, not +0.
            const start = Float32Array.from({ length: counts }, (_, i) => (i % 3 === 0 ? -0 : i % 3));
            rt.f32.set(start, outPtr >>> 2);
            rt.u8.fill(SENTINEL, outPtr + 4 * counts, outPtr + 4 * counts + GUARD);
            rt.f32.set(start, refPtr >>> 2);
            ex[k.name](4 * n, inPtr, outPtr, paramsPtr);
            ex.qdq_reference_f32_rhistc(n, inPtr, refPtr, paramsPtr);
            rt.refresh();
            const got = rt.f32.slice(outPtr >>> 2, (outPtr >>> 2) + counts);
            const want = rt.f32.slice(refPtr >>> 2, (refPtr >>> 2) + counts);
            const i = got.findIndex((v, j) => !Object.is(v, want[j]));
            assert.equal(i, -1, `${k.name} n=${n} bins=${bins} copies=${copies}: count ${i} got ${got[i]}, reference ${want[i]}`);
            checkGuard(outPtr, 4 * counts, `${k.name} n=${n}`);
          });
        }
      }
    });
  }
});

test(`collector binning kernels (f32-f64-rhist) on the ${BUILD} build`, async (t) => {
  // onnxruntime's HistogramCollector binning in double (P2): x and |x|, edges from a first edge lo and
  // a width, with values on exact bin edges, below lo, past the top edge, NaN, infinities and -0,
  // counts that start at -0 (a skipped element must add an identity that keeps it).
  for (const k of kernels('f32-f64-rhist')) {
    await t.test(`should bin exactly as the reference: ${k.name}`, () => {
      const random = rng(31);
      for (const bins of [1, 7, 100, 2048]) {
        for (const absolute of [0, 1]) {
          for (const n of LENGTHS) {
            withBuffers(4 * n, 8 * bins, (inPtr, outPtr, refPtr, paramsPtr) => {
              // Half the time edges that float32 holds exactly (an integer lo, a width of 1/8), so that
              // elements fall on them.
              const exact = random() < 0.5;
              const lo = exact ? Math.floor(absolute ? random() * 2 : (random() * 2 - 1) * 50)
                : absolute ? random() * 2 : (random() * 2 - 1) * 50;
              const width = exact ? 0.125 : (random() * 60 + 0.001) / bins;
              rt.refresh();
              const pv = new DataView(rt.memory.buffer, paramsPtr, 24);
              pv.setFloat64(0, lo, true);
              pv.setFloat64(8, width, true);
              pv.setUint32(16, bins, true);
              pv.setUint32(20, absolute, true);
              const x = input(n, random, 0.1);
              for (let i = 0; i < n; i++) {
                const r = random();
                const edge = lo + Math.floor(random() * (bins + 2)) * width; // an edge, or one past the top
                if (r < 0.1) x[i] = (random() < 0.5 && absolute ? -1 : 1) * edge;
                else if (r < 0.15) x[i] = lo - random() * 5;
                else if (r < 0.7) x[i] = (absolute && random() < 0.5 ? -1 : 1) * (lo + random() * width * (bins + 1));
              }
              rt.f64.set(Float64Array.from({ length: bins }, (_, i) => (i % 3 === 0 ? -0 : i % 3)), outPtr >>> 3);
              rt.u8.fill(SENTINEL, outPtr + 8 * bins, outPtr + 8 * bins + GUARD);
              rt.f64.set(Float64Array.from({ length: bins }, (_, i) => (i % 3 === 0 ? -0 : i % 3)), refPtr >>> 3);
              rt.f32.set(x, inPtr >>> 2);
              ex[k.name](4 * n, inPtr, outPtr, paramsPtr);
              ex.qdq_reference_f32_f64_rhist(n, inPtr, refPtr, paramsPtr);
              rt.refresh();
              const got = rt.f64.slice(outPtr >>> 3, (outPtr >>> 3) + bins);
              const want = rt.f64.slice(refPtr >>> 3, (refPtr >>> 3) + bins);
              const i = got.findIndex((v, j) => !Object.is(v, want[j]));
              assert.equal(i, -1, `${k.name} n=${n} bins=${bins} absolute=${absolute}: bin ${i} got ${got[i]}, reference ${want[i]}`);
              checkGuard(outPtr, 8 * bins, `${k.name} n=${n}`);
            });
          }
        }
      }
    });
  }
});

test('the build exports the SIMD kernels it promises', () => {
  // Property: the SIMD128 and relaxed builds carry wasmsimd kernels, and config picks them (qdq.backend()).
  assert.ok(kernels('f32-qs8-vcvt').some((k) => k.isa === 'wasmsimd'));
  assert.equal(qdq.backend(), BUILD);
});
