#include "kernel-common.h"

void qdq_f32_vfakequant_ukernel__scalar_u1(size_t batch, const float* restrict input,
                                           float* restrict output, uint8_t* restrict mask,
                                           const struct qdq_f32_q8_cvt_params* params) {
  assert(batch % sizeof(float) == 0);
  const int divide = params->divide;
  const float vmul = divide ? params->scale : params->inv_scale;
  const float vscale = params->scale;
  const float vlo = (float) (params->qmin - params->zero_point);
  const float vhi = (float) (params->qmax - params->zero_point);
  for (size_t n = batch / sizeof(float); n != 0; n--) {
    const float x = *input++;
    const float v = divide ? x / vmul : x * vmul;
    if (mask != NULL) {
      const float r = nearbyintf(v);
      *mask++ = (uint8_t) (r >= vlo && r <= vhi);
    }
    /* q - zero_point is the clamped rounded value itself (E8). */
    *output++ = (float) qdq_clamp_round(v, vlo, vhi) * vscale;
  }
}
