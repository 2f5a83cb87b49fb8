/*
 * Template of the scalar blockwise integer GEMM kernels (B6), for 4-bit
 * (src/qs8-qb4w-gemm/) and 8-bit (src/qs8-qb8w-gemm/) weights: each file
 * defines QDQ_MR, QDQ_BITS and QDQ_NAME. The float combine per block is
 * written exactly as in every SIMD variant: (float) D * a_scale * scale,
 * left to right, so that all builds agree bit for bit.
 */
#include "kernel-common.h"
#include "nbits-layout.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const int8_t* restrict a, size_t a_stride,
              const float* restrict a_scale, const int32_t* restrict a_sum, size_t ap_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
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
#if QDQ_BITS == 4
            const uint8_t byte = data[16 * t + 4 * (j & 3) + r];
            const int32_t q = j < 4 ? byte & 15 : byte >> 4;
#else
            const int32_t q = data[32 * t + 4 * j + r];
#endif
            for (size_t i = 0; i < mr; i++) {
              d[i][j] += (int32_t) a[i * a_stride + b * bs + 4 * t + r] * q;
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
      wp += QDQ_NBITS_BLOCK_META_BYTES + bs * QDQ_BITS;
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
