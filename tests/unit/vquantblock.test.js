// The level-4 activation staging kernels (src/f32-qs8-vquantblock/) against
// qdq_reference_nbits_quantize_activations, bit for bit: every k from 0 to 67
// and a few large ones, every block size, ties of round-half-away-from-zero,
// all-zero and single-value blocks, unaligned inputs; the zero padding to
// whole blocks, the int16 pair-permuted copy, and guard bytes after every
// output that must stay untouched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILD } from '../helpers/setup.js';
import { testWasm } from '../helpers/wasm.js';
import { rng } from '../helpers/gemm-ref.js';

const rt = testWasm(BUILD);
const ex = /** @type {any} */ (rt.exports);
const GUARD = 32, SENTINEL = 0xa5;
const text = readFileSync(new URL('../../src/f32-qs8-vquantblock/f32-qs8-vquantblock.inc', import.meta.url), 'utf8');
const kernels = [...text.matchAll(/^QDQ_UKERNEL\((\w+),/gm)].map((m) => m[1]).filter((name) => typeof ex[name] === 'function');

/** Inputs for one row: random magnitudes, with blocks that hold exact ties (max |a| = 127: scale 1). */
function row(k, bs, r, variant) {
  const a = Float32Array.from({ length: k }, () => r.float(8));
  for (let b = 0; b * bs < k; b++) {
    const l0 = b * bs, len = Math.min(bs, k - l0);
    const kind = (b + variant) % 4;
    if (kind === 1) {
      // Scale exactly 1: a[l] +- 0.5 are ties, rounded away from zero.
      for (let l = 0; l < len; l++) a[l0 + l] = (r.int(-254, 254)) / 2;
      a[l0 + r.int(0, len - 1)] = r.int(0, 1) ? 127 : -127;
    } else if (kind === 2) {
      a.fill(0, l0, l0 + len);
      if (variant % 2 && len > 1) a[l0 + len - 1] = -1e-30; // one tiny value: scale near the denormals
    } else if (kind === 3) {
      for (let l = 0; l < len; l++) a[l0 + l] = r.float(1) * 3e37;
    }
  }
  return a;
}

test(`level-4 staging kernels (f32-qs8-vquantblock) on the ${BUILD} build`, async (t) => {
  assert.ok(kernels.length >= (BUILD === 'simd128' || BUILD === 'relaxed' ? 2 : 1));
  const r = rng(77);
  for (const name of kernels) {
    await t.test(`should equal the reference: ${name}`, () => {
      for (const bs of [16, 32, 64, 128, 256]) {
        const ks = [...Array(68).keys(), bs - 1, bs, bs + 1, 3 * bs + 5, 1000, 4099];
        for (const k of ks) {
          for (let variant = 0; variant < 2; variant++) {
            const kb = Math.ceil(k / bs), kpad = kb * bs;
            const a = row(k, bs, r, variant);
            const offset = 4 * (variant + (k % 3)); // unaligned inputs
            const pa = rt.alloc(4 * k + 64), pq = rt.alloc(kpad + GUARD), pq16 = rt.alloc(2 * kpad + GUARD);
            const ps = rt.alloc(4 * kb + GUARD), psum = rt.alloc(4 * kb + GUARD);
            const rq = rt.alloc(kpad + 16), rs = rt.alloc(4 * kb + 16), rsum = rt.alloc(4 * kb + 16);
            try {
              rt.refresh();
              rt.f32.set(a, (pa + offset) >>> 2);
              for (const [p, n] of [[pq, kpad], [pq16, 2 * kpad], [ps, 4 * kb], [psum, 4 * kb]]) rt.u8.fill(SENTINEL, p, p + n + GUARD);
              ex[name](k, bs, pa + offset, pq, variant ? 0 : pq16, ps, psum);
              ex.qdq_reference_nbits_quantize_activations(k, bs, pa + offset, rq, rs, rsum);
              rt.refresh();
              const q = new Int8Array(rt.u8.slice(pq, pq + kpad).buffer);
              const want = new Int8Array(rt.u8.slice(rq, rq + k).buffer);
              for (let l = 0; l < k; l++) {
                if (q[l] !== want[l]) assert.fail(`${name} bs=${bs} k=${k}: q[${l}] = ${q[l]}, reference ${want[l]} (a = ${a[l]})`);
              }
              for (let l = k; l < kpad; l++) assert.equal(q[l], 0, `${name} bs=${bs} k=${k}: padding q[${l}]`);
              assert.deepEqual(rt.u8.slice(ps, ps + 4 * kb), rt.u8.slice(rs, rs + 4 * kb), `${name} bs=${bs} k=${k}: scales`);
              assert.deepEqual(rt.u8.slice(psum, psum + 4 * kb), rt.u8.slice(rsum, rsum + 4 * kb), `${name} bs=${bs} k=${k}: sums`);
              if (!variant) {
                const q16 = new Int16Array(rt.u8.slice(pq16, pq16 + 2 * kpad).buffer);
                const perm = [0, 2, 1, 3];
                for (let l = 0; l < kpad; l++) {
                  const src = (l & ~3) + perm[l & 3];
                  if (q16[l] !== q[src]) assert.fail(`${name} bs=${bs} k=${k}: q16[${l}] = ${q16[l]}, want q[${src}] = ${q[src]}`);
                }
              }
              // Nothing written past any output (q16 untouched entirely when NULL).
              for (const [p, n] of [[pq, kpad], [pq16, variant ? 0 : 2 * kpad], [ps, 4 * kb], [psum, 4 * kb]]) {
                const guard = rt.u8.subarray(p + n, p + n + GUARD);
                assert.ok(guard.every((v) => v === SENTINEL), `${name} bs=${bs} k=${k}: wrote past an output`);
              }
            } finally {
              for (const p of [pa, pq, pq16, ps, psum, rq, rs, rsum]) rt.free(p);
            }
          }
        }
      }
    });
  }
});
