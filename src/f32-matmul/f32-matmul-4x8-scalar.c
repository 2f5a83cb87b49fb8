/* Scalar 4x8 float matrix product on unpacked operands: the native build's kernel. One multiply
 * and one add per term, from 0 in l order (-ffp-contract=off), as qdq_reference_f32_matmul. */
#include "kernel-common.h"

void qdq_f32_matmul_ukernel_4x8__scalar(size_t mr, size_t nc, size_t kc, const float* restrict a,
                                        size_t a_stride, size_t ak_stride, const float* restrict b,
                                        size_t b_stride, float* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= 4);
  assert(nc != 0);
  assert(kc % sizeof(float) == 0);
  const size_t k = kc / sizeof(float);
  for (size_t j0 = 0; j0 < nc; j0 += 8) {
    const size_t ncol = nc - j0 < 8 ? nc - j0 : 8;
    float acc[4][8] = {{0.0f}};
    for (size_t l = 0; l < k; l++) {
      const float* bl = (const float*) ((const uint8_t*) b + l * b_stride) + j0;
      for (size_t i = 0; i < mr; i++) {
        const float ai = *(const float*) ((const uint8_t*) a + i * a_stride + l * ak_stride);
        for (size_t j = 0; j < ncol; j++) acc[i][j] = acc[i][j] + ai * bl[j];
      }
    }
    for (size_t i = 0; i < mr; i++) {
      float* ci = (float*) ((uint8_t*) c + i * cm_stride) + j0;
      for (size_t j = 0; j < ncol; j++) ci[j] = acc[i][j];
    }
  }
}
