/*
 * Reference semantics of quantize, dequantize and fake-quantize: one element
 * at a time, no tricks. These loops define what every kernel must produce.
 */
#include <math.h>

#include "qdq.h"

void qdq_init_f32_q8_cvt_params(struct qdq_f32_q8_cvt_params* p, float scale,
                                int32_t zero_point, int32_t qmin, int32_t qmax,
                                int divide) {
  p->scale = scale;
  /* PyTorch's quantize_val: float inv_scale = 1.0f / static_cast<float>(scale). */
  p->inv_scale = 1.0f / scale;
  p->zero_point = zero_point;
  p->qmin = qmin;
  p->qmax = qmax;
  p->divide = (uint8_t) (divide != 0);
}

void qdq_init_q8_f32_cvt_params(struct qdq_q8_f32_cvt_params* p, float scale,
                                int32_t zero_point) {
  p->scale = scale;
  p->zero_point = zero_point;
}

/* v = x / scale (E5a) or x * inv_scale (E5b), rounded half to even. */
static float scaled_rounded(float x, const struct qdq_f32_q8_cvt_params* p) {
  const float v = p->divide ? x / p->scale : x * p->inv_scale;
  return nearbyintf(v);
}

int32_t qdq_reference_quantize_value(float x, const struct qdq_f32_q8_cvt_params* p) {
  const float r = scaled_rounded(x, p);
  if (isnan(r)) {
    return p->zero_point; /* E6: NaN maps to the zero point */
  }
  /* Compare in float: r may be far outside the int32 range (or infinite). */
  if (r <= (float) (p->qmin - p->zero_point)) return p->qmin;
  if (r >= (float) (p->qmax - p->zero_point)) return p->qmax;
  return (int32_t) r + p->zero_point;
}

float qdq_reference_dequantize_value(int32_t q, const struct qdq_q8_f32_cvt_params* p) {
  return (float) (q - p->zero_point) * p->scale;
}

float qdq_reference_fake_quantize_value(float x, const struct qdq_f32_q8_cvt_params* p,
                                        uint8_t* mask) {
  const float r = scaled_rounded(x, p);
  *mask = (uint8_t) (r >= (float) (p->qmin - p->zero_point) &&
                     r <= (float) (p->qmax - p->zero_point));
  const int32_t q = qdq_reference_quantize_value(x, p);
  return (float) (q - p->zero_point) * p->scale;
}

void qdq_reference_f32_qs8_vcvt(size_t n, const float* x, int8_t* y,
                                const struct qdq_f32_q8_cvt_params* p) {
  for (size_t i = 0; i < n; i++) y[i] = (int8_t) qdq_reference_quantize_value(x[i], p);
}

void qdq_reference_f32_qu8_vcvt(size_t n, const float* x, uint8_t* y,
                                const struct qdq_f32_q8_cvt_params* p) {
  for (size_t i = 0; i < n; i++) y[i] = (uint8_t) qdq_reference_quantize_value(x[i], p);
}

void qdq_reference_qs8_f32_vcvt(size_t n, const int8_t* x, float* y,
                                const struct qdq_q8_f32_cvt_params* p) {
  for (size_t i = 0; i < n; i++) y[i] = qdq_reference_dequantize_value(x[i], p);
}

void qdq_reference_qu8_f32_vcvt(size_t n, const uint8_t* x, float* y,
                                const struct qdq_q8_f32_cvt_params* p) {
  for (size_t i = 0; i < n; i++) y[i] = qdq_reference_dequantize_value(x[i], p);
}

void qdq_reference_f32_vfakequant(size_t n, const float* x, float* y, uint8_t* mask,
                                  const struct qdq_f32_q8_cvt_params* p) {
  for (size_t i = 0; i < n; i++) {
    uint8_t m;
    y[i] = qdq_reference_fake_quantize_value(x[i], p, &m);
    if (mask != NULL) mask[i] = m;
  }
}
