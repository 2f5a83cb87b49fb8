/* Dequantizes column groups of weights packed by qdq_nbits_pack into the
 * float GEMM's packed layout (qdq_f32_gemm_pack: per 8 columns, 8 biases,
 * then kpad rows of 8 floats), w = (float) (q - zp) * scale as B4, so that
 * level 0 with many rows runs the float GEMM kernels on weights dequantized
 * once per call instead of once per row block. The padded positions hold
 * (float) 0 * scale, the terms B7 adds. */
#include "nbits-layout.h"

void qdq_nbits_unpack_f32(size_t groups, size_t kb, size_t bs, int bits, const void* w,
                          const float* bias, float* out) {
  const uint8_t* wp = (const uint8_t*) w;
  for (size_t g = 0; g < groups; g++) {
    for (size_t c = 0; c < QDQ_NBITS_NR; c++) out[c] = bias != NULL ? bias[g * QDQ_NBITS_NR + c] : 0.0f;
    out += QDQ_NBITS_NR;
    for (size_t b = 0; b < kb; b++) {
      const float* sc = (const float*) wp;
      const uint8_t* zp = wp + QDQ_NBITS_NR * sizeof(float);
      const uint8_t* data = wp + QDQ_NBITS_BLOCK_META_BYTES;
      int32_t z[QDQ_NBITS_NR];
      float s[QDQ_NBITS_NR];
      for (size_t c = 0; c < QDQ_NBITS_NR; c++) {
        z[c] = zp[c];
        s[c] = sc[c];
      }
      for (size_t t = 0; t < bs / 4; t++) {
        for (size_t r = 0; r < 4; r++) {
          for (size_t c = 0; c < QDQ_NBITS_NR; c++) {
            int32_t q;
            if (bits == 4) {
              const uint8_t byte = data[16 * t + 4 * (c & 3) + r];
              q = c < 4 ? byte & 15 : byte >> 4;
            } else {
              q = data[32 * t + 4 * c + r];
            }
            out[c] = (float) (q - z[c]) * s[c];
          }
          out += QDQ_NBITS_NR;
        }
      }
      wp += QDQ_NBITS_BLOCK_META_BYTES + bs * (size_t) bits;
    }
  }
}
