// Cross-checks of blockwise weights against onnxruntime-web 1.30 (wasm
// backend, one thread): com.microsoft MatMulNBits at accuracy levels 0 and 4,
// and opset-21 blockwise DequantizeLinear with int4/uint4 and int8/uint8.
// Raw exports of the test build (tests/helpers/wasm.js); tests/unit/blockwise-api.test.js
// covers the public API.
//
// Bounds (docs/blockwise.md, B9). Both sides use the same dequantized weights
// w (B4; the DequantizeLinear check below shows they are bit-exact), so:
// - level 0: two float32 sums of the same k products in different orders
//   (onnxruntime dequantizes B and runs its SGEMM) differ by at most
//   2 * gamma_k * sum_l |a_l w_l|, gamma_k = k u / (1 - k u), u = 2^-24; each
//   is within gamma_k * sum |a w| of the float64 product.
// - level 4: activation quantization (B5) moves each a_l by at most
//   s_b / 2 (s_b = amax_b / 127, round to nearest), so the result is within
//   sum_b (s_b / 2) sum_{l in b} |w_l| + gamma_(k+2kb) * sum |a w| (plus the
//   same for the rounded scales) of the float64 product; onnxruntime-web has
//   no int8 kernel for wasm (its level 4 output equals its level 0 output,
//   checked below), so the float64 product is the common reference.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { DataType, model, node, rawTensor, tensor, valueInfo } from '../helpers/onnx-model.js';
import { rng } from '../helpers/gemm-ref.js';

ort.env.wasm.numThreads = 1;
const rt = testWasm(BUILD);
const ex = rt.exports;
const LEVEL4 = 4, DQ_SIGNED = 8;
const U = 2 ** -24;

/** Copies typed arrays into fresh wasm allocations; returns pointers. */
function put(...arrays) {
  return arrays.map((a) => {
    const p = rt.alloc(a.byteLength + 16);
    rt.refresh();
    rt.u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    return p;
  });
}
const freeAll = (/** @type {number[]} */ ptrs) => ptrs.forEach((p) => rt.free(p));

/** Quantizes random float weights [n][k] with the library (B1-B3); returns the ORT layout and w dequantized (B4). */
function quantized(r, n, k, bits, bs, symmetric) {
  const kb = Math.ceil(k / bs), blob = bs * bits / 8, zrow = bits === 8 ? kb : Math.ceil(kb / 2);
  const wf = Float32Array.from({ length: n * k }, () => r.float(2));
  const ptrs = put(wf, new Uint8Array(n * kb * blob), new Float32Array(n * kb), new Uint8Array(n * zrow), new Float32Array(n * k));
  const [wp, bp, sp, zp, dp] = ptrs;
  try {
    assert.equal(ex.qdq_quantize_blockwise(n, k, bits, bs, wp, symmetric ? 1 : 0, bp, sp, symmetric ? 0 : zp), 0);
    assert.equal(ex.qdq_dequantize_blockwise(n, k, bits, bs, bp, sp, symmetric ? 0 : zp, dp), 0);
    rt.refresh();
    return {
      kb, b: rt.u8.slice(bp, bp + n * kb * blob), scales: rt.f32.slice(sp >>> 2, (sp >>> 2) + n * kb),
      zp: symmetric ? null : rt.u8.slice(zp, zp + n * zrow), w: rt.f32.slice(dp >>> 2, (dp >>> 2) + n * k),
    };
  } finally {
    freeAll(ptrs);
  }
}

/** bias: n floats, or null for none (a NULL pointer; no bias input in onnxruntime's model). */
function ourMatmul(m, n, k, bits, bs, q, a, bias, level) {
  const packed = rt.alloc(ex.qdq_nbits_packed_size(n, k, bits, bs));
  const ptrs = put(q.b, q.scales, q.zp ?? new Uint8Array(1), a, bias ?? new Float32Array(1), new Float32Array(m * n));
  const [bp, sp, zp, ap, biasp, yp] = ptrs;
  try {
    assert.equal(ex.qdq_nbits_pack(n, k, bits, bs, bp, sp, q.zp ? zp : 0, packed), 0);
    assert.equal(ex.qdq_nbits_matmul(m, n, k, ap, packed, bias ? biasp : 0, yp, level), 0);
    rt.refresh();
    return rt.f32.slice(yp >>> 2, (yp >>> 2) + m * n);
  } finally {
    freeAll([...ptrs, packed]);
  }
}

async function ortMatmul(m, n, k, bits, bs, q, a, bias, level) {
  const inputs = bias ? ['A', 'B', 'scales', q.zp ? 'zp' : '', '', 'bias'] : q.zp ? ['A', 'B', 'scales', 'zp'] : ['A', 'B', 'scales'];
  const inits = [tensor('B', DataType.UINT8, [n, q.kb, bs * bits / 8], q.b), tensor('scales', DataType.FLOAT, [n * q.kb], q.scales)];
  if (bias) inits.push(tensor('bias', DataType.FLOAT, [n], bias));
  if (q.zp) inits.push(tensor('zp', DataType.UINT8, [q.zp.length], q.zp));
  const bytes = model({
    irVersion: 8, opset: 17, opsets: [{ domain: 'com.microsoft', version: 1 }],
    nodes: [node('MatMulNBits', inputs, ['Y'], { K: k, N: n, bits, block_size: bs, accuracy_level: level }, { domain: 'com.microsoft' })],
    initializers: inits, inputs: [valueInfo('A', DataType.FLOAT, [m, k])], outputs: [valueInfo('Y', DataType.FLOAT, [m, n])],
  });
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ A: new ort.Tensor('float32', a, [m, k]) });
    return /** @type {Float32Array} */ (out.Y.data);
  } finally {
    await session.release();
  }
}

const SHAPES = [[1, 64, 8, 4, 32], [3, 100, 17, 4, 16], [5, 256, 33, 4, 64], [1, 1000, 24, 4, 128], [7, 300, 9, 8, 32], [2, 512, 16, 8, 256], [16, 96, 40, 4, 32]];

test(`qdq_nbits_matmul vs onnxruntime-web MatMulNBits on the ${BUILD} build`, async (t) => {
  const stats = { l0: 0, l4: 0, l0ort: 0 };
  await t.test('should agree within the float-order bound at level 0 and the activation-quantization bound at level 4', async () => {
    const r = rng(5150);
    for (const [m, k, n, bits, bs] of SHAPES) {
      for (const symmetric of [true, false]) {
        const q = quantized(r, n, k, bits, bs, symmetric);
        const a = Float32Array.from({ length: m * k }, () => r.float(6));
        const bias = Float32Array.from({ length: n }, () => r.float(1));
        const ort0 = await ortMatmul(m, n, k, bits, bs, q, a, bias, 0);
        const ort4 = await ortMatmul(m, n, k, bits, bs, q, a, bias, 4);
        assert.deepEqual(ort4, ort0, 'onnxruntime-web level 4 is its float path (no int8 kernel for wasm)');
        const our0 = ourMatmul(m, n, k, bits, bs, q, a, bias, 0);
        const our4 = ourMatmul(m, n, k, bits, bs, q, a, bias, LEVEL4);
        const kb = q.kb;
        const gamma = (/** @type {number} */ c) => (c * U) / (1 - c * U);
        for (let i = 0; i < m; i++) {
          // Per block: s_b / 2 of activation rounding (B5).
          const half = [];
          for (let b = 0; b < kb; b++) {
            let amax = 0;
            for (let l = b * bs; l < Math.min(k, (b + 1) * bs); l++) amax = Math.max(amax, Math.abs(a[i * k + l]));
            half.push(amax / 127 / 2);
          }
          for (let j = 0; j < n; j++) {
            let exact = bias[j], absSum = Math.abs(bias[j]), quantErr = 0;
            for (let l = 0; l < k; l++) {
              const p = a[i * k + l] * q.w[j * k + l];
              exact += p;
              absSum += Math.abs(p);
              quantErr += half[Math.floor(l / bs)] * Math.abs(q.w[j * k + l]) * (1 + 1e-6);
            }
            const o = i * n + j;
            const b0 = gamma(k + 1) * absSum;
            const e0 = Math.abs(our0[o] - exact), eo = Math.abs(ort0[o] - exact);
            assert.ok(e0 <= b0 && eo <= b0, `level 0 ${m}x${k}x${n} bits=${bits} (${i},${j}): ours ${our0[o]}, onnxruntime ${ort0[o]}, exact ${exact}, bound ${b0}`);
            const b4 = quantErr + gamma(k + 2 * kb + 1) * (absSum + quantErr);
            const e4 = Math.abs(our4[o] - exact);
            assert.ok(e4 <= b4, `level 4 ${m}x${k}x${n} bits=${bits} (${i},${j}): ours ${our4[o]}, exact ${exact}, bound ${b4}`);
            stats.l0 = Math.max(stats.l0, b0 > 0 ? e0 / b0 : 0);
            stats.l0ort = Math.max(stats.l0ort, Math.abs(our0[o] - ort0[o]));
            stats.l4 = Math.max(stats.l4, b4 > 0 ? e4 / b4 : 0);
          }
        }
      }
    }
    t.diagnostic(`level 0: max |ours - onnxruntime| = ${stats.l0ort.toExponential(2)}; max error / bound: level 0 ${stats.l0.toFixed(3)}, level 4 ${stats.l4.toFixed(3)}`);
  });

  // B7 sums the k products from +0 in k order and adds the bias last, as onnxruntime's float path
  // (its SGEMM over dequantized B, then the bias): for k up to 256, where its SGEMM also sums in k
  // order, every output is the same float, with a random bias and with zeros, on the kernels below 8 rows and on
  // the dequantized panels from 8 rows.
  await t.test('should equal onnxruntime bit for bit at level 0 for k <= 256, bias added last', async () => {
    const r = rng(7007);
    let outputs = 0;
    for (const [m, k, n, bits, bs] of [[1, 64, 8, 4, 32], [3, 100, 17, 4, 16], [5, 256, 33, 4, 64], [16, 96, 40, 4, 32], [2, 17, 9, 8, 16], [9, 200, 12, 8, 128]]) {
      for (const withBias of [true, false]) {
        const q = quantized(r, n, k, bits, bs, (m + k) % 2 === 0);
        const a = Float32Array.from({ length: m * k }, () => r.float(6));
        const bias = withBias ? Float32Array.from({ length: n }, () => r.float(1)) : new Float32Array(n);
        const ours = new Uint32Array(ourMatmul(m, n, k, bits, bs, q, a, bias, 0).buffer);
        const theirs = new Uint32Array(Float32Array.from(await ortMatmul(m, n, k, bits, bs, q, a, bias, 0)).buffer);
        for (let o = 0; o < m * n; o++) {
          if (ours[o] !== theirs[o]) assert.fail(`${m}x${k}x${n} bits=${bits} bs=${bs} bias=${withBias} output ${o}: bits ${ours[o].toString(16)}, onnxruntime ${theirs[o].toString(16)}`);
        }
        outputs += m * n;
      }
    }
    t.diagnostic(`${outputs} level-0 outputs bit-equal to onnxruntime-web`);
  });

  // onnxruntime's inputs as a model file may hold them, not as our quantizer writes them: random
  // bytes, so the nibbles past k in each column's last block and the unused high nibble of an odd
  // kb's last zero-point byte are arbitrary (both sides must ignore them), with default zero
  // points, no bias input at all, and the extreme scales a model can carry (0, -0, subnormal,
  // near FLT_MAX, negative: products may overflow to ±∞ or NaN). Level 0 at k <= 256, bit for bit.
  await t.test('should equal onnxruntime bit for bit on arbitrary B, zero-point and scale bytes, with no bias input', async () => {
    const r = rng(4141);
    const SCALES = [0, -0, 2 ** -149, 1e-40, 1e-30, -1, 0.1, 1e20, 3e38, -3e38];
    let outputs = 0;
    for (const [m, k, n, bits, bs] of [[1, 33, 3, 4, 16], [3, 100, 17, 4, 16], [9, 129, 7, 4, 128], [11, 250, 9, 4, 64], [2, 17, 5, 8, 16], [8, 70, 13, 8, 32]]) {
      const kb = Math.ceil(k / bs);
      for (const [withZp, withBias, extreme] of [[false, false, false], [true, false, true], [true, true, false], [false, true, true]]) {
        const q = {
          kb, b: Uint8Array.from({ length: n * kb * bs * bits / 8 }, () => r.int(0, 255)),
          scales: Float32Array.from({ length: n * kb }, () => (extreme ? SCALES[r.int(0, SCALES.length - 1)] * r.float(2) : r.float(0.2))),
          zp: withZp ? Uint8Array.from({ length: n * (bits === 8 ? kb : Math.ceil(kb / 2)) }, () => r.int(0, 255)) : null,
        };
        const a = Float32Array.from({ length: m * k }, () => r.float(6));
        const bias = withBias ? Float32Array.from({ length: n }, () => r.float(1)) : null;
        const ours = ourMatmul(m, n, k, bits, bs, q, a, bias, 0);
        const theirs = Float32Array.from(await ortMatmul(m, n, k, bits, bs, q, a, bias, 0));
        const ob = new Uint32Array(ours.buffer), tb = new Uint32Array(theirs.buffer);
        for (let o = 0; o < m * n; o++) {
          // A NaN's payload is not part of either definition.
          if (ob[o] !== tb[o] && !(Number.isNaN(ours[o]) && Number.isNaN(theirs[o]))) {
            assert.fail(`${m}x${k}x${n} bits=${bits} bs=${bs} zp=${withZp} bias=${withBias} output ${o}: bits ${ob[o].toString(16)}, onnxruntime ${tb[o].toString(16)}`);
          }
        }
        outputs += m * n;
      }
    }
    t.diagnostic(`${outputs} level-0 outputs on arbitrary bytes bit-equal to onnxruntime-web`);
  });
});

/** ONNX DequantizeLinear (opset 21) of x [k][n] blockwise along axis 0. */
/** dqZp null: no zero-point input (DequantizeLinear's default, 0). */
async function ortDq(k, n, bits, bs, signed, x, dqScales, dqZp) {
  const type = bits === 4 ? (signed ? DataType.INT4 : DataType.UINT4) : (signed ? DataType.INT8 : DataType.UINT8);
  const kb = Math.ceil(k / bs);
  const initializers = [rawTensor('x', type, [k, n], x), tensor('s', DataType.FLOAT, [kb, n], dqScales)];
  if (dqZp) initializers.push(rawTensor('z', type, [kb, n], dqZp));
  const bytes = model({
    irVersion: 10, opset: 21,
    nodes: [node('DequantizeLinear', dqZp ? ['x', 's', 'z'] : ['x', 's'], ['Y'], { axis: 0, block_size: bs })],
    initializers,
    inputs: [], outputs: [valueInfo('Y', DataType.FLOAT, [k, n])],
  });
  const session = await ort.InferenceSession.create(bytes);
  try {
    return /** @type {Float32Array} */ ((await session.run({})).Y.data);
  } finally {
    await session.release();
  }
}

test(`qdq_nbits_to_dq / qdq_nbits_from_dq vs onnxruntime-web DequantizeLinear (opset 21, blockwise) on the ${BUILD} build`, async (t) => {
  for (const bits of [4, 8]) {
    for (const signed of [false, true]) {
      await t.test(`should dequantize bit for bit like onnxruntime: ${signed ? 'int' : 'uint'}${bits}`, async () => {
        const r = rng(bits * 10 + (signed ? 1 : 0));
        for (const [k, n, bs] of [[32, 4, 16], [33, 5, 16], [100, 7, 32], [256, 3, 128], [65, 2, 64]]) {
          for (const symmetric of [true, false]) {
            const q = quantized(r, n, k, bits, bs, symmetric);
            const kb = q.kb, xBytes = bits === 4 ? Math.ceil(k * n / 2) : k * n, zBytes = bits === 4 ? Math.ceil(kb * n / 2) : kb * n;
            const ptrs = put(q.b, q.scales, q.zp ?? new Uint8Array(1), new Uint8Array(xBytes), new Float32Array(kb * n), new Uint8Array(zBytes),
              new Uint8Array(q.b.length), new Float32Array(q.scales.length), new Uint8Array(n * (bits === 8 ? kb : Math.ceil(kb / 2))), new Float32Array(n * k));
            const [bp, sp, zp, xp, dsp, dzp, b2, s2, z2, w2] = ptrs;
            try {
              assert.equal(ex.qdq_nbits_to_dq(n, k, bits, bs, bp, sp, q.zp ? zp : 0, signed ? DQ_SIGNED : 0, xp, dsp, dzp), 0);
              rt.refresh();
              const x = rt.u8.slice(xp, xp + xBytes), dqScales = rt.f32.slice(dsp >>> 2, (dsp >>> 2) + kb * n), dqZp = rt.u8.slice(dzp, dzp + zBytes);
              const y = await ortDq(k, n, bits, bs, signed, x, dqScales, dqZp);
              // onnxruntime's [k][n] against ours [n][k], as bit patterns.
              const want = new Float32Array(n * k);
              for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) want[j * k + l] = y[l * n + j];
              assert.deepEqual(new Uint32Array(q.w.buffer), new Uint32Array(want.buffer), `to_dq k=${k} n=${n} bs=${bs} symmetric=${symmetric}`);
              // And back: the ORT layout from DQ inputs dequantizes to the same values.
              assert.equal(ex.qdq_nbits_from_dq(n, k, bits, bs, xp, dsp, dzp, signed ? DQ_SIGNED : 0, b2, s2, z2), 0);
              assert.equal(ex.qdq_dequantize_blockwise(n, k, bits, bs, b2, s2, z2, w2), 0);
              rt.refresh();
              assert.deepEqual(new Uint32Array(rt.f32.slice(w2 >>> 2, (w2 >>> 2) + n * k).buffer), new Uint32Array(want.buffer), 'from_dq');
            } finally {
              freeAll(ptrs);
            }
          }
        }
      });
    }
  }
});

// DequantizeLinear inputs that toDequantizeLinear did not make (as a model file may hold them):
// random x, zero points and scales (0, -0, subnormal, negative, near FLT_MAX), with and without the
// zero-point input, odd k * n and kb * n (a last half-used byte, its unused nibble 0 as ONNX stores
// it). qdq_nbits_from_dq, then B4, gives onnxruntime's floats bit for bit.
test(`qdq_nbits_from_dq on arbitrary DequantizeLinear inputs vs onnxruntime-web on the ${BUILD} build`, async (t) => {
  await t.test('should dequantize bit for bit like onnxruntime, with and without zero points', async () => {
    const r = rng(2121);
    const SCALES = [0, -0, 1e-40, -2, 0.5, 3e38];
    let values = 0;
    for (const bits of [4, 8]) {
      for (const signed of [false, true]) {
        for (const [k, n, bs] of [[1, 1, 16], [15, 3, 16], [33, 5, 32], [100, 7, 64], [257, 1, 256]]) {
          for (const withZp of [false, true]) {
            const kb = Math.ceil(k / bs), xBytes = bits === 4 ? Math.ceil(k * n / 2) : k * n, zBytes = bits === 4 ? Math.ceil(kb * n / 2) : kb * n;
            const x = Uint8Array.from({ length: xBytes }, () => r.int(0, 255));
            if (bits === 4 && (k * n) % 2) x[xBytes - 1] &= 15;
            const z = withZp ? Uint8Array.from({ length: zBytes }, () => r.int(0, 255)) : null;
            if (z && bits === 4 && (kb * n) % 2) z[zBytes - 1] &= 15;
            const sc = Float32Array.from({ length: kb * n }, () => SCALES[r.int(0, SCALES.length - 1)] * (1 + r.float(1)));
            const y = await ortDq(k, n, bits, bs, signed, x, sc, z);
            const zrow = bits === 8 ? kb : Math.ceil(kb / 2);
            const ptrs = put(x, sc, z ?? new Uint8Array(1), new Uint8Array(n * kb * bs * bits / 8), new Float32Array(n * kb), new Uint8Array(n * zrow), new Float32Array(n * k));
            const [xp, sp, zp, bp, s2, z2, wp] = ptrs;
            try {
              assert.equal(ex.qdq_nbits_from_dq(n, k, bits, bs, xp, sp, z ? zp : 0, signed ? DQ_SIGNED : 0, bp, s2, z2), 0);
              assert.equal(ex.qdq_dequantize_blockwise(n, k, bits, bs, bp, s2, z2, wp), 0);
              rt.refresh();
              const w = rt.f32.slice(wp >>> 2, (wp >>> 2) + n * k);
              for (let l = 0; l < k; l++) {
                for (let j = 0; j < n; j++) {
                  const ours = w[j * k + l], theirs = y[l * n + j];
                  if (!Object.is(ours, theirs) && !(Number.isNaN(ours) && Number.isNaN(theirs))) {
                    assert.fail(`${signed ? '' : 'u'}int${bits} k=${k} n=${n} bs=${bs} zp=${withZp} x[${l}][${j}]: ours ${ours}, onnxruntime ${theirs}`);
                  }
                }
              }
              values += n * k;
            } finally {
              freeAll(ptrs);
            }
          }
        }
      }
    }
    t.diagnostic(`${values} values`);
  });
});
