// Auto-generated file. Do not edit!
//   Template: src/qs8-f32-vcvt/scalar.c.in
//   Generator: scripts/gen-kernels.js
/* qs8 -> f32 dequantize, fast scalar (E7). */
#include "kernel-common.h"

void qdq_qs8_f32_vcvt_ukernel__scalar_u1(size_t batch, const int8_t* restrict input,
                                         float* restrict output,
                                         const struct qdq_q8_f32_cvt_params* params) {
  const int32_t vzero_point = params->zero_point;
  const float vscale = params->scale;
  for (size_t n = batch; n != 0; n--) {
    *output++ = (float) ((int32_t) *input++ - vzero_point) * vscale;
  }
}
