/*
 * Template of the scalar qs16-qb4w kernels (B6; each file defines QDQ_MR
 * and QDQ_NAME): the definition in plain loops, reading each activation
 * where the pair permutation put it (qdq.h: k = 4t + r is element
 * 4t + {0, 2, 1, 3}[r] of the row). Same float combine, in the same order,
 * as every other B6 kernel, so all agree bit for bit.
 */
#include "kernel-common.h"
#include "nbits-layout.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const int16_t* restrict a, size_t a_stride,
              const float* restrict a_scale, const int32_t* restrict a_sum, size_t ap_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
  static const size_t slot[4] = {0, 2, 1, 3};
  const uint8_t* wp = (const uint8_t*) w;
  do {
    const size_t cols = nc < QDQ_NBITS_NR ? nc : QDQ_NBITS_NR;
    float acc[QDQ_MR][QDQ_NBITS_NR];
    for (size_t i = 0; i < mr; i++) {
      for (size_t j = 0; j < QDQ_NBITS_NR; j++) acc[i][j] = bias[j];
    }
    for (size_t b = 0; b < kb; b++) {
      const float* sc = (const float*) wp;
      const uint8_t* zp = wp + QDQ_NBITS_NR * sizeof(float);
      const uint8_t* data = wp + QDQ_NBITS_BLOCK_META_BYTES;
      int32_t d[QDQ_MR][QDQ_NBITS_NR] = {{0}};
      for (size_t t = 0; t < bs / 4; t++) {
        for (size_t j = 0; j < QDQ_NBITS_NR; j++) {
          for (size_t r = 0; r < 4; r++) {
            const uint8_t byte = data[16 * t + 4 * (j & 3) + r];
            const int32_t q = j < 4 ? byte & 15 : byte >> 4;
            for (size_t i = 0; i < mr; i++) {
              const int16_t* ai = (const int16_t*) ((const uint8_t*) a + i * a_stride);
              d[i][j] += (int32_t) ai[b * bs + 4 * t + slot[r]] * q;
            }
          }
        }
      }
      for (size_t i = 0; i < mr; i++) {
        const int32_t s = a_sum[i * ap_stride + b];
        const float as = a_scale[i * ap_stride + b];
        for (size_t j = 0; j < QDQ_NBITS_NR; j++) {
          const int32_t dd = d[i][j] - (int32_t) zp[j] * s; /* exact: |dd| < 2^24 */
          acc[i][j] = acc[i][j] + (float) dd * as * sc[j];
        }
      }
      wp += QDQ_NBITS_BLOCK_META_BYTES + bs * 4;
    }
    for (size_t i = 0; i < mr; i++) {
      float* ci = (float*) ((uint8_t*) c + i * cm_stride);
      for (size_t j = 0; j < cols; j++) ci[j] = acc[i][j];
    }
    c += cols;
    bias += QDQ_NBITS_NR;
    nc -= cols;
  } while (nc != 0);
}
