/* Scalar 4x8 float GEMM: the native build's kernel; one multiply and one add
 * per term, in k order (-ffp-contract=off), as the reference (G6). */
#include "kernel-common.h"

void qdq_f32_gemm_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, const float* restrict a,
                                      size_t a_stride, const void* restrict w,
                                      float* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc != 0 && kc % sizeof(float) == 0);
  const size_t k = kc / sizeof(float);
  const float* wp = (const float*) w;
  for (;;) {
    float acc[4][8];
    for (size_t i = 0; i < 4; i++) {
      for (size_t j = 0; j < 8; j++) acc[i][j] = wp[j];
    }
    wp += 8;
    for (size_t l = 0; l < k; l++) {
      for (size_t i = 0; i < mr; i++) {
        const float ai = ((const float*) ((const uint8_t*) a + i * a_stride))[l];
        for (size_t j = 0; j < 8; j++) acc[i][j] = acc[i][j] + ai * wp[j];
      }
      wp += 8;
    }
    const size_t ncol = nc < 8 ? nc : 8;
    for (size_t i = 0; i < mr; i++) {
      float* ci = (float*) ((uint8_t*) c + i * cm_stride);
      for (size_t j = 0; j < ncol; j++) ci[j] = acc[i][j];
    }
    if (nc <= 8) break;
    nc -= 8;
    c += 8;
  }
}
