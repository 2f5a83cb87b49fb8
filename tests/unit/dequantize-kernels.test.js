// The SIMD dequantize kernels (src/q{s,u}8-f32-vcvt/*-wasmsimd-*.c), called
// directly through the wasm exports, against the reference loops
// (src/reference/quantize.c), bit for bit. src/config.c picks the
// magic-number ones on the SIMD128 build (LLVM 14 scalarizes the plain ones)
// and the plain ones on the relaxed build (LLVM 19 vectorizes them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';

const rt = testWasm(BUILD);
const e = rt.exports;

/** Scales: ordinary, 1/3 (inexact products), tiny and subnormal (subnormal products), huge (overflow to inf). */
const SCALES = [0.1, 1 / 3, 0.0235294122248888, 1, 2 ** -126, 1e-40, 1.4e-45, 1e36, 3.4e38];

const QS8 = { reference: 'qdq_reference_qs8_f32_vcvt', min: -128, max: 127, zps: [-128, -1, 0, 1, 127] };
const QU8 = { reference: 'qdq_reference_qu8_f32_vcvt', min: 0, max: 255, zps: [0, 1, 128, 254, 255] };
const KERNELS = [
  { name: 'qdq_qs8_f32_vcvt_ukernel__wasmsimd_magic_u16', ...QS8 },
  { name: 'qdq_qu8_f32_vcvt_ukernel__wasmsimd_magic_u16', ...QU8 },
  { name: 'qdq_qs8_f32_vcvt_ukernel__wasmsimd_u16', ...QS8 },
  { name: 'qdq_qu8_f32_vcvt_ukernel__wasmsimd_u16', ...QU8 },
];

/**
 * Runs kernel and reference on the same n codes (input at byte offset
 * inOff, output at float offset outOff) and compares output bits.
 * @param {typeof KERNELS[number]} k @param {Uint8Array} codes raw bytes
 * @param {number} scale @param {number} zp @param {number} inOff @param {number} outOff
 */
function check(k, codes, scale, zp, inOff, outOff) {
  const n = codes.length;
  const params = rt.alloc(8);
  const q = rt.alloc(n + 32);
  const y = rt.alloc(4 * n + 64);
  const w = rt.alloc(4 * n + 64);
  try {
    e.qdq_init_q8_f32_cvt_params(params, scale, zp);
    rt.refresh();
    rt.u8.set(codes, q + inOff);
    // Poison both outputs, and check the kernel writes nothing past n.
    new Uint32Array(rt.memory.buffer).fill(0x7fc0dead, y >>> 2, (y >>> 2) + n + 16);
    e[k.name](n, q + inOff, y + 4 * outOff, params);
    e[k.reference](n, q + inOff, w, params);
    const u32 = new Uint32Array(rt.memory.buffer);
    for (let i = 0; i < n; i++) {
      const got = u32[(y >>> 2) + outOff + i], want = u32[(w >>> 2) + i];
      if (got !== want) {
        const f = new Float32Array(rt.memory.buffer);
        assert.fail(`${k.name} [${BUILD}] n=${n} scale=${scale} zp=${zp} offsets ${inOff}/${outOff}: index ${i} ` +
          `(q byte ${codes[i]}): reference ${f[(w >>> 2) + i]} (0x${want.toString(16)}), kernel ${f[(y >>> 2) + outOff + i]} (0x${got.toString(16)})`);
      }
    }
    for (let i = 0; i < outOff; i++) assert.equal(u32[(y >>> 2) + i], 0x7fc0dead, 'wrote before the output');
    for (let i = n + outOff; i < n + outOff + 8; i++) assert.equal(u32[(y >>> 2) + i], 0x7fc0dead, 'wrote past the output');
  } finally {
    for (const p of [params, q, y, w]) rt.free(p);
  }
}

for (const k of KERNELS) {
  test(`${k.name}()`, async (t) => {
    // Property: the kernel is exported by this build (every build runs wasm SIMD128).
    await t.test('should be exported', () => {
      assert.equal(typeof e[k.name], 'function');
    });

    // Property: every one of the 256 codes, with zero points at both ends
    // and in the middle, and every scale kind, gives the reference's bits:
    // k = q - zp is formed exactly by the magic-number trick, so the one
    // rounding is the multiply, as in E7 (zero: +0.0, never -0.0); the
    // plain kernels form q - zp exactly in int16 and convert it.
    await t.test('should equal the reference on every code, zero point and scale', () => {
      const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
      for (const zp of k.zps) for (const scale of SCALES) check(k, codes, scale, zp, 0, 0);
    });

    // Property: batch_eq / batch_lt / batch_gt / batch_div of the 16-element
    // tile: every length 0..67, and a long one, agree with the reference.
    await t.test('should handle every batch length 0..67 and 1000', () => {
      let seed = 7;
      const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
      for (const n of [...Array.from({ length: 68 }, (_, i) => i), 1000]) {
        const codes = Uint8Array.from({ length: n }, rand);
        check(k, codes, 0.037, k.zps[2], 0, 0);
      }
    });

    // Property: unaligned input (byte offsets 1..15) and output (float
    // offsets 1..3) change nothing, and nothing outside [0, n) is written.
    await t.test('should handle unaligned input and output', () => {
      const codes = Uint8Array.from({ length: 53 }, (_, i) => (i * 37) & 255);
      for (let inOff = 0; inOff < 16; inOff++) for (let outOff = 0; outOff < 4; outOff++) check(k, codes, 0.5, k.zps[3], inOff, outOff);
    });
  });
}
