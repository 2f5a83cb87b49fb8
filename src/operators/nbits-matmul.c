/*
 * MatMulNBits against weights packed by qdq_nbits_pack (B6 at accuracy level
 * 4, B7 at level 0): stage the activations (quantized per block at level 4,
 * zero-padded to whole blocks at level 0), then run the build's kernels over
 * column chunks that stay in cache while every block of rows streams past.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nbits-layout.h"

/* Packed bytes of weights per column chunk when several row blocks reuse it. */
#define QDQ_NBITS_CHUNK_BYTES (128 * 1024)
/* Level 0 from this many rows on dequantizes weights to a float panel of
 * about this many bytes and runs the float GEMM kernels: the per-element
 * dequantization then costs once per call, not once per block of 4 rows. */
#define QDQ_NBITS_PANEL_ROWS 8
#define QDQ_NBITS_PANEL_BYTES (256 * 1024)

/* roundf (half away from zero) by truncation, which wasm has as one
 * instruction (musl's roundf is a library call): x - trunc(x) is exact. */
static inline float round_away(float x) {
  const float t = truncf(x);
  return fabsf(x - t) >= 0.5f ? t + copysignf(1.0f, x) : t;
}

/* B5, as qdq_reference_nbits_quantize_activations, for one row of k
 * finite values, zero-padding q to kb * bs. */
static void quantize_row(size_t k, size_t kb, size_t bs, const float* restrict a,
                         int8_t* restrict q, float* restrict scales, int32_t* restrict sums) {
  for (size_t b = 0; b < kb; b++) {
    const size_t l0 = b * bs;
    const size_t len = k - l0 < bs ? k - l0 : bs;
    float amax = 0.0f;
    for (size_t l = 0; l < len; l++) {
      const float v = fabsf(a[l0 + l]);
      amax = amax < v ? v : amax;
    }
    const float s = amax / 127.0f;
    const float r = s != 0.0f ? 1.0f / s : 0.0f;
    int32_t sum = 0;
    for (size_t l = 0; l < len; l++) {
      float v = round_away(a[l0 + l] * r);
      v = v < -128.0f ? -128.0f : v;
      v = v > 127.0f ? 127.0f : v;
      const int32_t qi = (int32_t) v;
      q[l0 + l] = (int8_t) qi;
      sum += qi;
    }
    memset(q + l0 + len, 0, bs - len);
    scales[b] = s;
    sums[b] = sum;
  }
}

/* The qs16-qb4w kernels' activations (qdq.h): int16, k = 4t + r at element
 * 4t + {0, 2, 1, 3}[r], so that a 32-bit load gives the pair {a0, a2} or {a1, a3}. */
static void widen_pairs(size_t kpad, const int8_t* restrict q, int16_t* restrict out) {
  for (size_t l = 0; l < kpad; l += 4) {
    out[l] = q[l];
    out[l + 1] = q[l + 2];
    out[l + 2] = q[l + 1];
    out[l + 3] = q[l + 3];
  }
}

long qdq_nbits_matmul(size_t m, size_t n, size_t k, const float* a, const void* packed,
                      const float* bias, float* y, uint32_t flags) {
  const uint32_t* header = (const uint32_t*) packed;
  const int bits = (int) header[0];
  const size_t bs = header[1];
  if (header[2] != n || header[3] != k) return QDQ_ERROR_BAD_SIZE;
  struct qdq_nbits_shape s;
  const int err = qdq_nbits_shape(n, k, bits, bs, &s);
  if (err != 0) return err;
  size_t mk, mn, kpad;
  if (__builtin_mul_overflow(m, k, &mk) || __builtin_mul_overflow(m, n, &mn) ||
      __builtin_mul_overflow(s.kb, bs, &kpad)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (m == 0 || n == 0) return 0;
  if (k == 0) {
    for (size_t i = 0; i < m; i++) {
      for (size_t j = 0; j < n; j++) y[i * n + j] = bias != NULL ? bias[j] : 0.0f;
    }
    return 0;
  }
  const int int8 = (flags & QDQ_NBITS_ACCURACY_INT8) != 0;
  const struct qdq_config* config = qdq_config();
  /* 4-bit level 4 on int16 pair-permuted activations where the build has such kernels. */
  const int wide = int8 && bits == 4 && config->qs16_qb4w_gemm1 != NULL;
  if (int8) {
    for (size_t i = 0; i < mk; i++) {
      if (!isfinite(a[i])) return 1 + (long) i;
    }
  }
  /* Workspace: padded bias, then the staged activations. */
  const size_t bias_bytes = s.groups * QDQ_NBITS_NR * sizeof(float);
  size_t a_bytes, t;
  if (int8) {
    /* int8 rows, then float scales and int32 sums per row and block, then
     * (wide) the int16 rows. kpad + 8 kb cannot overflow: kpad * sizeof(float)
     * and n * kb * 24 were checked by qdq_nbits_shape. */
    if (__builtin_mul_overflow(m, (wide ? 3 * kpad : kpad) + 8 * s.kb, &a_bytes)) return QDQ_ERROR_SIZE_OVERFLOW;
  } else if (kpad != k) {
    if (__builtin_mul_overflow(m, kpad, &t) || __builtin_mul_overflow(t, sizeof(float), &a_bytes)) {
      return QDQ_ERROR_SIZE_OVERFLOW;
    }
  } else {
    a_bytes = 0; /* rows are read in place */
  }
  if (__builtin_add_overflow(a_bytes, bias_bytes + 16, &t)) return QDQ_ERROR_SIZE_OVERFLOW;
  uint8_t* ws = malloc(t);
  if (ws == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  float* bias_pad = (float*) ws;
  for (size_t j = 0; j < s.groups * QDQ_NBITS_NR; j++) bias_pad[j] = bias != NULL && j < n ? bias[j] : 0.0f;
  uint8_t* stage = ws + bias_bytes;

  const size_t mr = config->nbits_mr;
  const uint8_t* w = (const uint8_t*) packed + QDQ_NBITS_HEADER_BYTES;
  /* One chunk of all columns for a single row block; else cache-sized chunks. */
  size_t nc = s.groups * QDQ_NBITS_NR;
  if (m > mr) {
    const size_t groups = QDQ_NBITS_CHUNK_BYTES / s.group_bytes;
    if (groups != 0 && groups * QDQ_NBITS_NR < nc) nc = groups * QDQ_NBITS_NR;
    if (groups == 0) nc = QDQ_NBITS_NR;
  }
  if (int8) {
    int8_t* aq = (int8_t*) stage;
    float* as = (float*) (stage + m * kpad);
    int32_t* asum = (int32_t*) (as + m * s.kb);
    for (size_t i = 0; i < m; i++) {
      quantize_row(k, s.kb, bs, a + i * k, aq + i * kpad, as + i * s.kb, asum + i * s.kb);
    }
    if (wide) {
      int16_t* aw = (int16_t*) (asum + m * s.kb);
      for (size_t i = 0; i < m; i++) widen_pairs(kpad, aq + i * kpad, aw + i * kpad);
      for (size_t j0 = 0; j0 < n; j0 += nc) {
        const size_t nb = n - j0 < nc ? n - j0 : nc;
        const void* wj = w + (j0 / QDQ_NBITS_NR) * s.group_bytes;
        for (size_t i0 = 0; i0 < m; i0 += mr) {
          const size_t rows = m - i0 < mr ? m - i0 : mr;
          (rows == 1 ? config->qs16_qb4w_gemm1 : config->qs16_qb4w_gemm)(
              rows, nb, s.kb, bs, aw + i0 * kpad, kpad * sizeof(int16_t), as + i0 * s.kb, asum + i0 * s.kb,
              s.kb, wj, bias_pad + j0, y + i0 * n + j0, n * sizeof(float));
        }
      }
      free(ws);
      return 0;
    }
    const qdq_qs8_qbw_gemm_fn gemm1 = bits == 4 ? config->qs8_qb4w_gemm1 : config->qs8_qb8w_gemm1;
    const qdq_qs8_qbw_gemm_fn gemm = bits == 4 ? config->qs8_qb4w_gemm : config->qs8_qb8w_gemm;
    for (size_t j0 = 0; j0 < n; j0 += nc) {
      const size_t nb = n - j0 < nc ? n - j0 : nc;
      const void* wj = w + (j0 / QDQ_NBITS_NR) * s.group_bytes;
      for (size_t i0 = 0; i0 < m; i0 += mr) {
        const size_t rows = m - i0 < mr ? m - i0 : mr;
        (rows == 1 ? gemm1 : gemm)(rows, nb, s.kb, bs, aq + i0 * kpad, kpad, as + i0 * s.kb,
                                   asum + i0 * s.kb, s.kb, wj, bias_pad + j0, y + i0 * n + j0,
                                   n * sizeof(float));
      }
    }
  } else {
    const float* ar = a;
    if (kpad != k) {
      float* af = (float*) stage;
      for (size_t i = 0; i < m; i++) {
        memcpy(af + i * kpad, a + i * k, k * sizeof(float));
        for (size_t l = k; l < kpad; l++) af[i * kpad + l] = 0.0f;
      }
      ar = af;
    }
    const qdq_f32_qbw_gemm_fn gemm1 = bits == 4 ? config->f32_qb4w_gemm1 : config->f32_qb8w_gemm1;
    const qdq_f32_qbw_gemm_fn gemm = bits == 4 ? config->f32_qb4w_gemm : config->f32_qb8w_gemm;
    if (m >= QDQ_NBITS_PANEL_ROWS) {
      /* Dequantize each column chunk once, then the float GEMM: the same
       * products and sums in the same order (B7), so the same bits. */
      const size_t groups = QDQ_NBITS_PANEL_BYTES / (sizeof(float) * QDQ_NBITS_NR * (1 + kpad));
      const size_t pg = groups == 0 ? 1 : groups;
      float* panel = malloc(pg * QDQ_NBITS_NR * (1 + kpad) * sizeof(float));
      if (panel == NULL) {
        free(ws);
        return QDQ_ERROR_OUT_OF_MEMORY;
      }
      for (size_t j0 = 0; j0 < n; j0 += pg * QDQ_NBITS_NR) {
        const size_t nb = n - j0 < pg * QDQ_NBITS_NR ? n - j0 : pg * QDQ_NBITS_NR;
        const size_t g = (nb + QDQ_NBITS_NR - 1) / QDQ_NBITS_NR;
        qdq_nbits_unpack_f32(g, s.kb, bs, bits, w + (j0 / QDQ_NBITS_NR) * s.group_bytes, bias_pad + j0, panel);
        for (size_t i0 = 0; i0 < m; i0 += config->f32_gemm_mr) {
          const size_t rows = m - i0 < config->f32_gemm_mr ? m - i0 : config->f32_gemm_mr;
          (rows == 1 ? config->f32_gemm1 : config->f32_gemm)(rows, nb, kpad * sizeof(float), ar + i0 * kpad,
                                                             kpad * sizeof(float), panel, y + i0 * n + j0,
                                                             n * sizeof(float));
        }
      }
      free(panel);
      free(ws);
      return 0;
    }
    for (size_t j0 = 0; j0 < n; j0 += nc) {
      const size_t nb = n - j0 < nc ? n - j0 : nc;
      const void* wj = w + (j0 / QDQ_NBITS_NR) * s.group_bytes;
      for (size_t i0 = 0; i0 < m; i0 += mr) {
        const size_t rows = m - i0 < mr ? m - i0 : mr;
        (rows == 1 ? gemm1 : gemm)(rows, nb, s.kb, bs, ar + i0 * kpad, kpad * sizeof(float), wj,
                                   bias_pad + j0, y + i0 * n + j0, n * sizeof(float));
      }
    }
  }
  free(ws);
  return 0;
}
