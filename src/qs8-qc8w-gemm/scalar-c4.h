/*
 * Template of the scalar MRx8c4 kernels (included by one file per MR, which
 * defines QDQ_MR and QDQ_NAME). Not a kernel by itself.
 * Accumulates in uint32 so that wrap-around is defined: the int32 result is
 * exact modulo 2^32, and exact outright within the bound of G2.
 */
#include "kernel-common.h"

#define QDQ_NR 8
#define QDQ_KR 4

void QDQ_NAME(size_t mr, size_t nc, size_t kc, const int8_t* restrict a, size_t a_stride,
              const void* restrict w, int32_t* restrict c, size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kc != 0);
  assert(a != NULL && w != NULL && c != NULL);
  const size_t kpad = (kc + QDQ_KR - 1) & ~(size_t) (QDQ_KR - 1);
  const uint8_t* wp = (const uint8_t*) w;
  for (;;) {
    uint32_t acc[QDQ_MR][QDQ_NR];
    const int32_t* bias = (const int32_t*) wp;
    for (size_t i = 0; i < QDQ_MR; i++) {
      for (size_t j = 0; j < QDQ_NR; j++) acc[i][j] = (uint32_t) bias[j];
    }
    const int8_t* wk = (const int8_t*) (wp + QDQ_NR * sizeof(int32_t));
    for (size_t l = 0; l < kpad; l += QDQ_KR) {
      for (size_t i = 0; i < mr; i++) {
        const int8_t* ai = (const int8_t*) ((const uint8_t*) a + i * a_stride) + l;
        for (size_t j = 0; j < QDQ_NR; j++) {
          for (size_t r = 0; r < QDQ_KR; r++) {
            /* Past kc the weights are zero-padded; skip the over-read here
             * since scalar code gains nothing from it. */
            if (l + r < kc) acc[i][j] += (uint32_t) ((int32_t) ai[r] * (int32_t) wk[j * QDQ_KR + r]);
          }
        }
      }
      wk += QDQ_NR * QDQ_KR;
    }
    const size_t ncol = nc < QDQ_NR ? nc : QDQ_NR;
    for (size_t i = 0; i < mr; i++) {
      int32_t* ci = (int32_t*) ((uint8_t*) c + i * cm_stride);
      for (size_t j = 0; j < ncol; j++) ci[j] = (int32_t) acc[i][j];
    }
    wp = (const uint8_t*) wk;
    if (nc <= QDQ_NR) break;
    nc -= QDQ_NR;
    c += QDQ_NR;
  }
}
