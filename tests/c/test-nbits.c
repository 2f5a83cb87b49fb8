/*
 * Native tests of blockwise 4/8-bit weights (B1-B8) with the scalar kernels
 * (the native build's dispatch), under ASan and UBSan: onnxruntime's
 * quantizer on exact cases, round trips of the DequantizeLinear conversion,
 * size checks, and qdq_nbits_matmul bit-exact against the reference at both
 * accuracy levels for every bit width, block size, zero-point choice and a
 * set of m, n, k tails, with a guard after the output. Blocks of tiny values
 * (0 < max|a| < 2^-64, subnormals, where 1 / s overflows float) for B3 and
 * B5: every scalar level-4 staging kernel against the reference, and the
 * reference against the rule's own properties.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq.h"
#include "check.h"

void qdq_test_nbits(int* passed, int* failed);

static uint32_t rng = 4242u;
static uint32_t next(void) { rng = rng * 1664525u + 1013904223u; return rng >> 8; }
static float frand(float scale) { return ((float) next() / 16777216.0f - 0.5f) * scale; }


/* Quantizes one row of k values (n = 1) and returns the 4-bit values. */
static void quantize_row4(size_t k, const float* x, uint32_t flags, int32_t* q, float* scale, int32_t* zp) {
  uint8_t b[8], z[1] = {0};
  qdq_quantize_blockwise(1, k, 4, 16, x, flags, b, scale, z);
  for (size_t l = 0; l < k; l++) q[l] = (l & 1) ? b[l / 2] >> 4 : b[l / 2] & 15;
  *zp = (flags & QDQ_NBITS_SYMMETRIC) ? 8 : z[0] & 15;
}

/* Properties of onnxruntime's quantizer (B1-B3), on blocks whose arithmetic is exact. */
static void test_quantizer(void) {
  int32_t q[16], zp;
  float s;
  /* Asymmetric: range [-1, 14] gives scale 1, zero point 1. */
  const float x1[4] = {-1.0f, 0.0f, 2.0f, 14.0f};
  quantize_row4(4, x1, 0, q, &s, &zp);
  CHECK(s == 1.0f && zp == 1 && q[0] == 0 && q[1] == 1 && q[2] == 3 && q[3] == 15, "asym: s=%g zp=%d q=%d %d %d %d", s, zp, q[0], q[1], q[2], q[3]);
  /* Ties round half away from zero (roundf), or to even with QDQ_NBITS_ROUND_EVEN. */
  const float x2[3] = {0.0f, 15.0f, 2.5f};
  quantize_row4(3, x2, 0, q, &s, &zp);
  CHECK(s == 1.0f && zp == 0 && q[2] == 3, "tie away: q=%d", q[2]);
  quantize_row4(3, x2, QDQ_NBITS_ROUND_EVEN, q, &s, &zp);
  CHECK(q[2] == 2, "tie even: q=%d", q[2]);
  /* Symmetric: the negative extreme -8 gives scale 1; zp 8; x + 8 rounded away from zero. */
  const float x3[4] = {-8.0f, 0.5f, -0.5f, 7.0f};
  quantize_row4(4, x3, QDQ_NBITS_SYMMETRIC, q, &s, &zp);
  CHECK(s == 1.0f && q[0] == 0 && q[1] == 9 && q[2] == 8 && q[3] == 15, "sym: s=%g q=%d %d %d %d", s, q[0], q[1], q[2], q[3]);
  /* Symmetric with a positive extreme: the scale is negative and the extreme maps to 0. */
  const float x4[2] = {8.0f, 1.0f};
  quantize_row4(2, x4, QDQ_NBITS_SYMMETRIC, q, &s, &zp);
  CHECK(s == -1.0f && q[0] == 0 && q[1] == 7, "sym positive: s=%g q=%d %d", s, q[0], q[1]);
  /* A tie of magnitudes picks the minimum: 4 then clips to 15 ((15 - 8) * 0.5 = 3.5). */
  const float x5[2] = {-4.0f, 4.0f};
  quantize_row4(2, x5, QDQ_NBITS_SYMMETRIC, q, &s, &zp);
  CHECK(s == 0.5f && q[0] == 0 && q[1] == 15, "sym tie: s=%g q=%d %d", s, q[0], q[1]);
  /* All-zero blocks: scale -0 (symmetric) or 0, values at the zero point. */
  const float x6[2] = {0.0f, 0.0f};
  quantize_row4(2, x6, QDQ_NBITS_SYMMETRIC, q, &s, &zp);
  CHECK(s == 0.0f && signbit(s) && q[0] == 8 && q[1] == 8, "sym zero: s=%g q=%d", s, q[0]);
  quantize_row4(2, x6, 0, q, &s, &zp);
  CHECK(s == 0.0f && zp == 0 && q[0] == 0, "asym zero: s=%g zp=%d q=%d", s, zp, q[0]);
  /* A range past FLT_MAX (hi - lo overflows): the quotient rounded once, unbounded,
   * 2 ((hi / 2 - lo / 2) / 15) = 4e37, not MLAS's infinity. [-3e38, 3e38]: zero point
   * 7.5 -> 8; 3e38 -> 15.5 + 8 clips to 15, -3e38 -> 0.5, 1e38 -> 10.5 (rounded away). */
  const float x8[3] = {3e38f, -3e38f, 1e38f};
  quantize_row4(3, x8, 0, q, &s, &zp);
  const float s8 = 2.0f * ((1.5e38f + 1.5e38f) / 15.0f);
  CHECK(isfinite(s) && s == s8 && zp == (int32_t) roundf(3e38f / s8) && q[0] == 15 && q[1] == 1 && q[2] == 11,
        "overflowing range: s=%g zp=%d q=%d %d %d", s, zp, q[0], q[1], q[2]);
  /* Non-finite input is refused with its index. */
  const float x7[3] = {1.0f, NAN, 2.0f};
  uint8_t b[8];
  float sc[1];
  CHECK(qdq_quantize_blockwise(1, 3, 4, 16, x7, QDQ_NBITS_SYMMETRIC, b, sc, NULL) == 2, "NaN index");
  /* Level-4 activations (B5): amax 127 gives scale 1; 0.5 rounds away from zero. */
  const float a[4] = {127.0f, 0.5f, -0.5f, -2.5f};
  int8_t qa[4];
  float sa;
  int32_t suma;
  qdq_reference_nbits_quantize_activations(4, 16, a, qa, &sa, &suma);
  CHECK(sa == 1.0f && qa[0] == 127 && qa[1] == 1 && qa[2] == -1 && qa[3] == -3 && suma == 124, "activations: %g %d %d %d %d", sa, qa[0], qa[1], qa[2], qa[3]);
}

/* The native build's level-4 staging kernels: every scalar one in the list. */
typedef void (*vquantblock_fn)(size_t, size_t, const float*, int8_t*, int16_t*, float*, int32_t*);
#define QDQ_ISA_scalar(name) {#name, name},
#define QDQ_ISA_wasmsimd(name)
#define QDQ_ISA_wasmrelaxedsimd(name)
#define QDQ_UKERNEL(name, tile, isa) QDQ_ISA_##isa(name)
static const struct {
  const char* name;
  vquantblock_fn fn;
} vquantblock_kernels[] = {
#include "f32-qs8-vquantblock/f32-qs8-vquantblock.inc"
};
#undef QDQ_UKERNEL

/* Magnitudes of tiny blocks: the smallest subnormal; 63 and 64 ulps (s = amax
 * / 127 rounds to 0, then to 2^-149); 127 and 190 ulps (s = 2^-149 with
 * 190 / 127 = 1.5 rounded down: a / s would be 190); around 127 * 2^-128,
 * below which MLAS's 1 / s overflows; FLT_MIN and 127 FLT_MIN (s normal from
 * there); 1e-38 (the audit's case); around 2^-64, where the kernels switch
 * to the scaled path; and 1, a control. */
static const float tiny_magnitudes[] = {
    0x1p-149f, 0x3fp-149f, 0x40p-149f, 0x7fp-149f, 0xbep-149f, 0x1.fc0000p-122f, 0x1.fbfffep-122f,
    0x1.fc0002p-122f, 0x1p-126f, 0x1.fcp-120f, 1e-38f, 3.7e-37f, 0x1.fffffep-65f, 0x1p-64f, 1.0f};
#define N_TINY (sizeof tiny_magnitudes / sizeof tiny_magnitudes[0])

/* A row of k values in blocks of bs: block b holds, by kind, one value of
 * magnitude v at a random place and zeros; values up to v with a third zeros
 * and the block's maximum at a random place; or values spread over
 * [v 2^-30, v] (subnormals where v is tiny). */
static void tiny_row(size_t k, size_t bs, size_t seed, float* a) {
  for (size_t l0 = 0, b = 0; l0 < k; l0 += bs, b++) {
    const size_t len = k - l0 < bs ? k - l0 : bs;
    const float v = tiny_magnitudes[(seed + 7 * b) % N_TINY];
    const int kind = (int) ((seed + b) % 3);
    for (size_t l = 0; l < len; l++) {
      float x = 0.0f;
      if (kind == 1 && next() % 3 != 0) x = v * ((float) (next() % 1024) / 1024.0f);
      if (kind == 2) x = ldexpf(v, -(int) (next() % 31)) * (1.0f - (float) (next() % 256) / 512.0f);
      a[l0 + l] = (next() & 1) ? -x : x;
    }
    a[l0 + next() % len] = (next() & 1) ? -v : v;
  }
}

/* B5 on tiny blocks: each scalar kernel equals the reference bit for bit (q,
 * zero padding, scales, sums, the int16 copy), and the reference follows the
 * rule: s = amax / 127 in float; q = 0 where a = 0 and everywhere when s = 0;
 * |q| <= 127, and 127 at the maximum; and q does not depend on the exponent
 * range: the block times 2^64 (exact, and normal) gives the same q and sums. */
static void test_tiny_activations(void) {
  static const size_t bss[] = {16, 32, 64, 128, 256};
  int bad_kernel = 0, bad_rule = 0, checked = 0;
  float a[4 * 256 + 8], a64[4 * 256 + 8], sref[5], s64[5], sk[5];
  int8_t qref[4 * 256], q64[4 * 256], qk[4 * 256];
  int16_t q16[4 * 256];
  int32_t sumref[5], sum64[5], sumk[5];
  for (size_t bi = 0; bi < 5; bi++) {
    const size_t bs = bss[bi];
    for (size_t ki = 0; ki < 72; ki++) {
      const size_t k = ki < 68 ? ki : (size_t[]){bs - 1, bs, bs + 1, 3 * bs + 5}[ki - 68];
      const size_t kb = (k + bs - 1) / bs, kpad = kb * bs;
      for (size_t seed = 0; seed < 3; seed++) {
        tiny_row(k, bs, 3 * ki + seed + bi, a);
        qdq_reference_nbits_quantize_activations(k, bs, a, qref, sref, sumref);
        for (size_t kn = 0; kn < sizeof vquantblock_kernels / sizeof vquantblock_kernels[0]; kn++) {
          for (int wide = 0; wide < 2; wide++) {
            memset(qk, 0x5a, sizeof qk);
            vquantblock_kernels[kn].fn(k, bs, a, qk, wide ? q16 : NULL, sk, sumk);
            checked++;
            size_t l = 0;
            while (l < k && qk[l] == qref[l]) l++;
            int ok = l == k;
            for (size_t p = k; p < kpad; p++) ok &= qk[p] == 0;
            ok &= memcmp(sk, sref, kb * sizeof(float)) == 0 && memcmp(sumk, sumref, kb * sizeof(int32_t)) == 0;
            for (size_t p = 0; wide && p < kpad; p++) ok &= q16[p] == qk[(p & ~(size_t) 3) + (size_t[]){0, 2, 1, 3}[p & 3]];
            if (!ok && bad_kernel++ < 5) {
              fprintf(stderr, "FAIL %s bs=%zu k=%zu: q[%zu] = %d, reference %d (a = %a), scale %a / %a, sum %d / %d\n",
                      vquantblock_kernels[kn].name, bs, k, l, l < k ? qk[l] : 0, l < k ? qref[l] : 0,
                      l < k ? (double) a[l] : 0.0, kb ? (double) sk[0] : 0.0, kb ? (double) sref[0] : 0.0,
                      kb ? sumk[0] : 0, kb ? sumref[0] : 0);
            }
          }
        }
        for (size_t b = 0; b < kb; b++) {
          const size_t l0 = b * bs, len = k - l0 < bs ? k - l0 : bs;
          float amax = 0.0f;
          for (size_t l = 0; l < len; l++) amax = fabsf(a[l0 + l]) > amax ? fabsf(a[l0 + l]) : amax;
          int ok = sref[b] == amax / 127.0f;
          for (size_t l = 0; l < len; l++) {
            const int32_t q = qref[l0 + l];
            ok &= q >= -127 && q <= 127;
            if (a[l0 + l] == 0.0f || sref[b] == 0.0f) ok &= q == 0;
            else if (fabsf(a[l0 + l]) == amax) ok &= q == (a[l0 + l] < 0.0f ? -127 : 127);
          }
          if (sref[b] != 0.0f && amax < 0x1p-64f) {
            for (size_t l = 0; l < len; l++) a64[l] = a[l0 + l] * 0x1p64f;
            qdq_reference_nbits_quantize_activations(len, bs, a64, q64, s64, sum64);
            ok &= memcmp(q64, qref + l0, len) == 0 && sum64[0] == sumref[b];
          }
          if (!ok && bad_rule++ < 5) {
            fprintf(stderr, "FAIL B5 rule bs=%zu k=%zu block %zu: amax %a, s %a, sum %d\n", bs, k, b, (double) amax,
                    (double) sref[b], sumref[b]);
          }
          checked++;
        }
      }
    }
  }
  const int bad = bad_kernel + bad_rule;
  *check_passed += checked - (bad > checked ? checked : bad);
  *check_failed += bad;
  /* The audit's case: 1e-38 and 31 zeros. s = 1e-38f / 127 is subnormal; q = 127 and zeros. */
  float a1[32] = {1e-38f};
  qdq_reference_nbits_quantize_activations(32, 32, a1, qref, sref, sumref);
  int zeros = 1;
  for (size_t l = 1; l < 32; l++) zeros &= qref[l] == 0;
  CHECK(qref[0] == 127 && zeros && sumref[0] == 127 && sref[0] == 1e-38f / 127.0f, "1e-38: q %d, sum %d, s %a", qref[0],
        sumref[0], (double) sref[0]);
}

/* B3 on tiny blocks: quantizing does not depend on the exponent range
 * (x and scale times 2^64 give the same q), zeros stay at the zero point
 * (dequantizing to 0), and every q is in range. */
static void test_tiny_weights(void) {
  int bad = 0, checked = 0;
  for (size_t t = 0; t < N_TINY; t++) {
    for (uint32_t flags = 0; flags <= QDQ_NBITS_SYMMETRIC; flags += QDQ_NBITS_SYMMETRIC) {
      for (int bits = 4; bits <= 8; bits += 4) {
        float x[32], w[32], sc[1];
        uint8_t b[32], zp[1] = {0};
        tiny_row(32, 32, t * 5 + flags + (size_t) bits, x);
        if (qdq_quantize_blockwise(1, 32, bits, 32, x, flags, b, sc, zp) != 0) bad++;
        qdq_dequantize_blockwise(1, 32, bits, 32, b, sc, (flags & QDQ_NBITS_SYMMETRIC) ? NULL : zp, w);
        const int32_t z = (flags & QDQ_NBITS_SYMMETRIC) ? 1 << (bits - 1) : (bits == 4 ? zp[0] & 15 : zp[0]);
        for (size_t l = 0; l < 32; l++) {
          const int32_t q = qdq_reference_nbits_quantize_value(x[l], sc[0], z, bits, 0);
          int ok = q == ((bits == 4) ? ((l & 1) ? b[l / 2] >> 4 : b[l / 2] & 15) : b[l]);
          if (x[l] == 0.0f) ok &= w[l] == 0.0f;
          if (sc[0] != 0.0f && fabsf(sc[0]) < 0x1p-64f) {
            ok &= q == qdq_reference_nbits_quantize_value(x[l] * 0x1p64f, sc[0] * 0x1p64f, z, bits, 0);
          }
          checked++;
          if (!ok && bad++ < 5) {
            fprintf(stderr, "FAIL B3 tiny bits=%d flags=%u: x[%zu] = %a, scale %a, zp %d, q %d, w %a\n", bits, flags, l,
                    (double) x[l], (double) sc[0], z, q, (double) w[l]);
          }
        }
      }
    }
  }
  *check_passed += checked - (bad > checked ? checked : bad);
  *check_failed += bad;
}

/* Sizes: bad bits and block sizes, and products past SIZE_MAX, are refused. */
static void test_sizes(void) {
  CHECK(qdq_nbits_packed_size(8, 32, 4, 32) == 16 + 1 * (40 + 128), "packed size 8x32");
  CHECK(qdq_nbits_packed_size(9, 33, 8, 16) == 16 + 2 * 3 * (40 + 128), "packed size 9x33 8-bit");
  CHECK(qdq_nbits_packed_size(8, 32, 3, 32) == 0, "bits 3");
  CHECK(qdq_nbits_packed_size(8, 32, 4, 48) == 0, "block 48");
  CHECK(qdq_nbits_packed_size(SIZE_MAX / 2, 1024, 4, 32) == 0, "overflow n");
  CHECK(qdq_nbits_packed_size(8, SIZE_MAX - 3, 4, 32) == 0, "overflow k");
  CHECK(qdq_dequantize_blockwise(1, 16, 4, 8, NULL, NULL, NULL, NULL) == QDQ_ERROR_BAD_SIZE, "dequantize block 8");
}

/* Round trips: quantize -> DQ layout -> back gives the same bytes, signed or
 * not; dequantized values agree (B8). */
static void test_dq_roundtrip(void) {
  int bad = 0;
  for (int bits = 4; bits <= 8; bits += 4) {
    for (size_t n = 1; n <= 5; n++) {
      for (size_t k = 1; k <= 70; k += 23) {
        const size_t bs = 16, kb = (k + bs - 1) / bs, blob = bs * bits / 8, zrow = bits == 8 ? kb : (kb + 1) / 2;
        float w[5 * 70], w1[5 * 70], w2[5 * 70], sc[5 * 5], sc2[5 * 5], dsc[5 * 5];
        uint8_t b[5 * 5 * 16], b2[5 * 5 * 16], zp[5 * 5], zp2[5 * 5], x[5 * 70], dzp[5 * 5];
        for (size_t i = 0; i < n * k; i++) w[i] = frand(4.0f);
        for (uint32_t flags = 0; flags <= QDQ_NBITS_DQ_SIGNED; flags += QDQ_NBITS_DQ_SIGNED) {
          qdq_quantize_blockwise(n, k, bits, bs, w, 0, b, sc, zp);
          qdq_dequantize_blockwise(n, k, bits, bs, b, sc, zp, w1);
          qdq_nbits_to_dq(n, k, bits, bs, b, sc, zp, flags, x, dsc, dzp);
          qdq_nbits_from_dq(n, k, bits, bs, x, dsc, dzp, flags, b2, sc2, zp2);
          qdq_dequantize_blockwise(n, k, bits, bs, b2, sc2, zp2, w2);
          bad += memcmp(w1, w2, n * k * sizeof(float)) != 0;
          bad += memcmp(zp, zp2, n * zrow) != 0 || memcmp(sc, sc2, n * kb * sizeof(float)) != 0;
          /* The quantizer writes padding as the zero point, as from_dq does. */
          bad += memcmp(b, b2, n * kb * blob) != 0;
        }
      }
    }
  }
  CHECK(bad == 0, "DQ round trips: %d mismatches", bad);
}

static void test_matmul(void) {
  static const size_t ms[] = {1, 2, 3, 4, 5, 9};
  static const size_t ns[] = {1, 7, 8, 9, 17};
  static const size_t bss[] = {16, 32, 64, 128, 256};
  int bad = 0, checked = 0;
  for (int bits = 4; bits <= 8; bits += 4) {
    for (size_t bi = 0; bi < 5; bi++) {
      const size_t bs = bss[bi];
      const size_t ks[] = {1, 4, bs - 1, bs, bs + 1, 2 * bs + 5};
      for (size_t ki = 0; ki < 6; ki++) {
        const size_t k = ks[ki], kb = (k + bs - 1) / bs, blob = bs * bits / 8;
        for (size_t ni = 0; ni < 5; ni++) {
          const size_t n = ns[ni];
          const size_t zrow = bits == 8 ? kb : (kb + 1) / 2;
          uint8_t* b = malloc(n * kb * blob);
          float* sc = malloc(n * kb * sizeof(float));
          uint8_t* zp = malloc(n * zrow);
          float* bias = malloc(n * sizeof(float));
          for (size_t i = 0; i < n * kb * blob; i++) b[i] = (uint8_t) next();
          for (size_t i = 0; i < n * kb; i++) sc[i] = frand(0.1f);
          for (size_t i = 0; i < n * zrow; i++) zp[i] = (uint8_t) next();
          for (size_t j = 0; j < n; j++) bias[j] = frand(2.0f);
          for (int with_zp = 0; with_zp < 2; with_zp++) {
            const size_t psize = qdq_nbits_packed_size(n, k, bits, bs);
            void* packed = malloc(psize);
            qdq_nbits_pack(n, k, bits, bs, b, sc, with_zp ? zp : NULL, packed);
            for (size_t mi = 0; mi < 6; mi++) {
              const size_t m = ms[mi];
              float* a = malloc(m * k * sizeof(float));
              for (size_t i = 0; i < m * k; i++) a[i] = frand(8.0f);
              if (m * k > 2) a[1] = 0.0f; /* zeros and exact-tie neighbours */
              float* ref = malloc(m * n * sizeof(float));
              float* y = malloc((m * n + 1) * sizeof(float));
              for (uint32_t level = 0; level <= QDQ_NBITS_ACCURACY_INT8; level += QDQ_NBITS_ACCURACY_INT8) {
                const float* bp = (mi & 1) ? NULL : bias;
                qdq_reference_nbits_gemm(m, n, k, bits, bs, a, b, sc, with_zp ? zp : NULL, bp, ref, level);
                y[m * n] = 12345.0f;
                const long r = qdq_nbits_matmul(m, n, k, a, packed, bp, y, level);
                checked++;
                if (r != 0 || memcmp(y, ref, m * n * sizeof(float)) != 0 || y[m * n] != 12345.0f) {
                  if (bad++ < 5) {
                    size_t i = 0;
                    while (i + 1 < m * n && memcmp(&y[i], &ref[i], sizeof(float)) == 0) i++;
                    fprintf(stderr, "FAIL nbits matmul bits=%d bs=%zu m=%zu n=%zu k=%zu zp=%d level=%u ret=%ld i=%zu got %.9g want %.9g\n",
                            bits, bs, m, n, k, with_zp, level, r, i, y[i], ref[i]);
                  }
                }
              }
              free(a); free(ref); free(y);
            }
            /* A packed weight of another shape is refused. */
            float y1[32];
            float a1[600] = {0};
            if (qdq_nbits_matmul(1, n + 1, k, a1, packed, NULL, y1, 0) != QDQ_ERROR_BAD_SIZE) bad++;
            free(packed);
          }
          free(b); free(sc); free(zp); free(bias);
        }
      }
    }
  }
  *check_passed += checked - (bad > checked ? checked : bad);
  *check_failed += bad;
  /* k = 0: an empty sum. Level 0 adds the bias to +0 (B7: -0 gives +0), level 4
   * starts from it (B6: -0 stays), as the reference. */
  {
    float bz[1] = {-0.0f}, yz[2], refz[1];
    void* pz = malloc(qdq_nbits_packed_size(1, 0, 4, 16) + 16);
    CHECK(pz != NULL && qdq_nbits_pack(1, 0, 4, 16, NULL, NULL, NULL, pz) == 0, "pack k = 0");
    for (uint32_t level = 0; level <= QDQ_NBITS_ACCURACY_INT8; level += QDQ_NBITS_ACCURACY_INT8) {
      qdq_reference_nbits_gemm(1, 1, 0, 4, 16, NULL, NULL, NULL, NULL, bz, refz, level);
      CHECK(qdq_nbits_matmul(1, 1, 0, yz, pz, bz, yz, level) == 0 && memcmp(yz, refz, sizeof(float)) == 0 &&
                (signbit(yz[0]) != 0) == (level != 0),
            "k = 0 level %u: %g (sign %d), reference %g", level, yz[0], signbit(yz[0]) != 0, refz[0]);
    }
    free(pz);
  }
  /* Level 4 refuses a non-finite activation with its index. */
  uint8_t b[8] = {0};
  float sc[1] = {1.0f}, a[3] = {1.0f, INFINITY, 0.0f}, y[1];
  void* packed = malloc(qdq_nbits_packed_size(1, 3, 4, 16));
  qdq_nbits_pack(1, 3, 4, 16, b, sc, NULL, packed);
  CHECK(qdq_nbits_matmul(1, 1, 3, a, packed, NULL, y, QDQ_NBITS_ACCURACY_INT8) == 2, "inf index");
  free(packed);
}

void qdq_test_nbits(int* passed, int* failed) {
  check_counters(passed, failed);
  test_quantizer();
  test_tiny_activations();
  test_tiny_weights();
  test_sizes();
  test_dq_roundtrip();
  test_matmul();
}
