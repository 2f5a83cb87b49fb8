/*
 * Native tests of the int8 and float GEMM operators with the scalar kernels
 * (the native build's dispatch), under ASan and UBSan: bit-exact against the
 * reference for every m, n, k in 1..17, every dtype combination, per-column
 * B zero points and both B layouts, with a guard after every output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qdq.h"

void qdq_test_gemm(int* passed, int* failed);

static uint32_t rng = 777u;
static uint32_t next(void) { rng = rng * 1664525u + 1013904223u; return rng >> 8; }

void qdq_test_gemm(int* passed, int* failed) {
  enum { MAX = 17, GUARD = 7 };
  int bad = 0, checked = 0;
  for (size_t m = 1; m <= MAX; m++)
    for (size_t n = 1; n <= MAX; n++)
      for (size_t k = 1; k <= MAX; k++) {
        const uint32_t af = (m + n) % 2 ? QDQ_FLAG_UINT8 : 0;
        const uint32_t bf = ((n + k) % 2 ? QDQ_FLAG_UINT8 : 0) | (k % 3 == 0 ? QDQ_FLAG_TRANSPOSED : 0);
        uint8_t a[MAX * MAX + QDQ_EXTRA_BYTES], b[MAX * MAX];
        for (size_t i = 0; i < m * k; i++) a[i] = (uint8_t) next();
        for (size_t i = 0; i < k * n; i++) b[i] = (uint8_t) next();
        const int32_t lo_a = af ? 0 : -128, lo_b = bf & QDQ_FLAG_UINT8 ? 0 : -128;
        const int32_t za = lo_a + (int32_t) (next() % 256);
        int32_t zb[MAX], bias[MAX];
        for (size_t j = 0; j < n; j++) {
          zb[j] = k % 2 ? lo_b + (int32_t) (next() % 256) : (bf & QDQ_FLAG_UINT8 ? 128 : 0);
          bias[j] = (int32_t) next() - (1 << 23);
        }
        const int32_t za_s8 = af ? za - 128 : za;
        void* packed = malloc(qdq_qs8_gemm_packed_size(n, k));
        qdq_qs8_gemm_pack(n, k, b, bf, zb, bias, za_s8, packed);
        int32_t ref[MAX * MAX], y[MAX * MAX + GUARD];
        memset(y, 0x5A, sizeof y);
        qdq_reference_q8_gemm(m, n, k, a, af, za, b, bf, zb, bias, ref);
        qdq_qs8_gemm(m, n, k, a, af, za, packed, y, QDQ_GEMM_OUT_INT32, NULL, NULL, 0, 0, 0);
        checked++;
        if (memcmp(y, ref, m * n * sizeof(int32_t)) != 0 || y[m * n] != 0x5A5A5A5A) {
          if (bad++ < 5) fprintf(stderr, "FAIL gemm int32 m=%zu n=%zu k=%zu\n", m, n, k);
        }
        /* Requantized to uint8: per-column multipliers, against G4 per element. */
        float mult[MAX];
        for (size_t j = 0; j < n; j++) mult[j] = ldexpf(1.0f + (float) (next() % 1000) / 1000.0f, -12);
        uint8_t q[MAX * MAX + GUARD];
        memset(q, 0x5A, sizeof q);
        qdq_qs8_gemm(m, n, k, a, af, za, packed, q, QDQ_GEMM_OUT_UINT8, mult, NULL, 100, 0, 255);
        for (size_t i = 0; i < m * n; i++) {
          const int32_t r = qdq_reference_requantize_value(ref[i], mult[i % n], 100, 0, 255);
          if (q[i] != r && bad++ < 5) fprintf(stderr, "FAIL requant m=%zu n=%zu k=%zu i=%zu\n", m, n, k, i);
        }
        if (q[m * n] != 0x5A && bad++ < 5) fprintf(stderr, "FAIL requant guard\n");
        free(packed);

        float fa[MAX * MAX], fb[MAX * MAX], fbias[MAX], fref[MAX * MAX], fy[MAX * MAX + GUARD];
        for (size_t i = 0; i < m * k; i++) fa[i] = (float) ((int32_t) next() % 1000) / 37.0f;
        for (size_t i = 0; i < k * n; i++) fb[i] = (float) ((int32_t) next() % 1000) / 91.0f;
        for (size_t j = 0; j < n; j++) fbias[j] = (float) j - 3.5f;
        void* fpacked = malloc(qdq_f32_gemm_packed_size(n, k));
        qdq_f32_gemm_pack(n, k, fb, bf & QDQ_FLAG_TRANSPOSED, fbias, fpacked);
        memset(fy, 0x5A, sizeof fy);
        memset(y, 0x5A, sizeof y); /* guard pattern to compare fy's guard with */
        qdq_reference_f32_gemm(m, n, k, fa, fb, bf & QDQ_FLAG_TRANSPOSED, fbias, fref);
        qdq_f32_gemm(m, n, k, fa, fpacked, fy);
        if ((memcmp(fy, fref, m * n * sizeof(float)) != 0 || memcmp(&fy[m * n], &y[m * n], sizeof(float)) != 0) && bad++ < 5)
          fprintf(stderr, "FAIL f32 gemm m=%zu n=%zu k=%zu\n", m, n, k);
        free(fpacked);
      }
  *passed += checked - (bad > checked ? checked : bad);
  *failed += bad;
  /* Property: a build without the xw kernel (this native one) keeps no widened
   * copy: the size is 0 and keeping leaves the trailer's last word (kept) 0. */
  {
    const size_t n = 9, k = 7, size = qdq_qs8_gemm_packed_size(n, k);
    int8_t b[63] = {0};
    int32_t zb[9] = {0};
    void* packed = malloc(size);
    qdq_qs8_gemm_pack(n, k, b, 0, zb, NULL, 0, packed);
    const int32_t* kept = (const int32_t*) ((const uint8_t*) packed + size) - 1;
    if (qdq_qs8_gemm_widened_size(n, k) == 0 && qdq_qs8_gemm_keep_widened(n, k, packed) == 0 && *kept == 0) ++*passed; else ++*failed;
    free(packed);
  }
  /* Property: k above the int32 bound (G2) is refused, not overflowed. */
  if (qdq_qs8_gemm_pack(1, QDQ_GEMM_MAX_K + 1, NULL, 0, NULL, NULL, 0, NULL) == QDQ_ERROR_K_TOO_LARGE) ++*passed; else ++*failed;
  /* Property: ChooseQuantizationParams of [-1, 3]: scale 4/255, zp round(255/4) = 64. */
  float qp[2];
  qdq_dynamic_qparams(-1.0f, 3.0f, 0, qp);
  if (qp[0] == (float) (4.0 / 255.0) && qp[1] == 64.0f) ++*passed; else { ++*failed; fprintf(stderr, "FAIL qparams %g %g\n", qp[0], qp[1]); }
  qdq_dynamic_qparams(0.0f, 0.0f, 0, qp);
  if (qp[0] == 0.1f && qp[1] == 0.0f) ++*passed; else { ++*failed; fprintf(stderr, "FAIL qparams zero %g %g\n", qp[0], qp[1]); }
}
