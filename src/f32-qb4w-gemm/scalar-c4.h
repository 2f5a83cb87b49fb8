/*
 * Template of the scalar blockwise float GEMM kernels (B7), for 4-bit
 * (src/f32-qb4w-gemm/) and 8-bit (src/f32-qb8w-gemm/) weights: each file
 * defines QDQ_MR, QDQ_BITS and QDQ_NAME. Each weight is dequantized as
 * MatMulNBits does, (float) (q - zp) * scale, and each column sums its
 * products in k order from +0, then adds the bias, as every SIMD variant
 * does lane by lane.
 */
#include "kernel-common.h"
#include "nbits-layout.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const float* restrict a, size_t a_stride,
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
      for (size_t j = 0; j < QDQ_NBITS_NR; j++) acc[i][j] = 0.0f;
    }
    for (size_t b = 0; b < kb; b++) {
      const float* sc = (const float*) wp;
      const uint8_t* zp = wp + QDQ_NBITS_NR * sizeof(float);
      const uint8_t* data = wp + QDQ_NBITS_BLOCK_META_BYTES;
      for (size_t t = 0; t < bs / 4; t++) {
        for (size_t r = 0; r < 4; r++) {
          for (size_t j = 0; j < QDQ_NBITS_NR; j++) {
#if QDQ_BITS == 4
            const uint8_t byte = data[16 * t + 4 * (j & 3) + r];
            const int32_t q = j < 4 ? byte & 15 : byte >> 4;
#else
            const int32_t q = data[32 * t + 4 * j + r];
#endif
            const float wv = (float) (q - (int32_t) zp[j]) * sc[j];
            for (size_t i = 0; i < mr; i++) {
              const float* ai = (const float*) ((const uint8_t*) a + i * a_stride);
              acc[i][j] = acc[i][j] + ai[b * bs + 4 * t + r] * wv;
            }
          }
        }
      }
      wp += QDQ_NBITS_BLOCK_META_BYTES + bs * QDQ_BITS;
    }
    for (size_t i = 0; i < mr; i++) {
      float* ci = (float*) ((uint8_t*) c + i * cm_stride);
      for (size_t j = 0; j < cols; j++) ci[j] = acc[i][j] + bias[j];
    }
    c += cols;
    bias += QDQ_NBITS_NR;
    nc -= cols;
  } while (nc != 0);
}
