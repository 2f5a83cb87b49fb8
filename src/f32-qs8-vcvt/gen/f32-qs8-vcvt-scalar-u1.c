// Auto-generated file. Do not edit!
//   Template: src/f32-qs8-vcvt/scalar.c.in
//   Generator: scripts/gen-kernels.js
/* f32 -> qs8 quantize, fast scalar (E5). */
#include "kernel-common.h"

void qdq_f32_qs8_vcvt_ukernel__scalar_u1(size_t batch, const float* restrict input,
                                         int8_t* restrict output,
                                         const struct qdq_f32_q8_cvt_params* params) {
  assert(batch % sizeof(float) == 0);
  const float vmul = params->divide ? params->scale : params->inv_scale;
  const int divide = params->divide;
  const int32_t vzero_point = params->zero_point;
  const float vlo = (float) (params->qmin - vzero_point);
  const float vhi = (float) (params->qmax - vzero_point);
  for (size_t n = batch / sizeof(float); n != 0; n--) {
    const float x = *input++;
    const float v = divide ? x / vmul : x * vmul;
    *output++ = (int8_t) (qdq_clamp_round(v, vlo, vhi) + vzero_point);
  }
}
