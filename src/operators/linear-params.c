/*
 * The parameters a quantized Linear derives from its float inputs (G4, G8 and
 * torch's weight and bias quantization), computed here once so that js/
 * never repeats quantization arithmetic.
 */
#include <math.h>
#include <stdlib.h>

#include "qdq.h"
#include "size-math.h"

/* onnxruntime's QLinearMatMul (and torch 1.13's XNNPACK path for qint8
 * activations): (a_scale * b_scale) / y_scale, each step rounded to float. */
void qdq_requantization_multipliers(size_t n, float a_scale, const float* b_scales,
                                    float y_scale, float* multipliers) {
  for (size_t j = 0; j < n; j++) multipliers[j] = (a_scale * b_scales[j]) / y_scale;
}

/* torch's QNNPACK generate_requantization_scales (QnnpackUtils.h):
 *   inverse_output_scale = 1.f / output_scale;
 *   requant_scales[i] = (weight_scales[i] * input_scale) * inverse_output_scale;
 * all float. The reciprocal is rounded before the multiply, so near a tie the
 * product can round to the other neighbour of the quotient above. */
void qdq_qnnpack_requantization_multipliers(size_t n, float a_scale, const float* b_scales,
                                            float y_scale, float* multipliers) {
  const float inverse_y_scale = 1.0f / y_scale;
  for (size_t j = 0; j < n; j++) multipliers[j] = (b_scales[j] * a_scale) * inverse_y_scale;
}

long qdq_quantize_bias(size_t n, const float* bias, const float* w_scales, double input_scale,
                       int32_t* out) {
  for (size_t j = 0; j < n; j++) {
    if (!isfinite(bias[j])) return (long) j;
  }
  for (size_t j = 0; j < n; j++) {
    /* torch: the bias scale is weight_scale * input_scale in double (q_scale()
     * is a double), rounded to float when the qint32 tensor is made; then
     * quantize_val multiplies by the float reciprocal. */
    const float bias_scale = (float) ((double) w_scales[j] * input_scale);
    float v = nearbyintf(bias[j] * (1.0f / bias_scale));
    /* A bias scale that underflows to 0 makes 0 * inf = NaN: torch's cast
     * is undefined there; 0 is the value it would mean. Clamp in float so the
     * conversion stays defined (2147483520 is the largest float below 2^31). */
    v = v == v ? v : 0.0f;
    v = v < -2147483648.0f ? -2147483648.0f : v;
    out[j] = v >= 2147483648.0f ? INT32_MAX : (int32_t) v;
  }
  return -1;
}

long qdq_linear_weight_quantize(size_t n, size_t k, const float* w, uint32_t flags, int8_t* q,
                                float* scales) {
  const int per_channel = (flags & QDQ_WEIGHT_PER_CHANNEL) != 0;
  const size_t channels = per_channel ? n : 1;
  size_t count, scratch_bytes;
  if (qdq_mul_overflows(n, k, &count) || qdq_mul_overflows(channels, 12, &scratch_bytes)) {
    return QDQ_ERROR_SIZE_OVERFLOW;
  }
  if (n == 0) return -1;
  /* mins, maxs and zero points, one per channel */
  float* mins = malloc(scratch_bytes);
  if (mins == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
  float* maxs = mins + channels;
  int32_t* zero_points = (int32_t*) (maxs + channels);
  for (size_t c = 0; c < channels; c++) {
    mins[c] = INFINITY;
    maxs[c] = -INFINITY;
  }
  const size_t inner = per_channel ? k : count;
  const long bad = count == 0 ? -1 : qdq_minmax(w, count, 0, channels, inner, mins, maxs);
  if (bad < 0) {
    /* PerChannelMinMaxObserver(qint8, per_channel_symmetric) or
     * MinMaxObserver(qint8, per_tensor_symmetric), then quantize_per_channel /
     * quantize_per_tensor, which multiply by 1 / scale (E5b). */
    qdq_calculate_qparams(channels, mins, maxs, -128, 127, QDQ_QPARAMS_SYMMETRIC, 0x1p-23f,
                          scales, zero_points, NULL);
    qdq_quantize(w, q, count, 0, channels, inner, scales, zero_points, -128, 127,
                 QDQ_FLAG_PYTORCH);
    for (size_t j = channels; j < n; j++) scales[j] = scales[0];
  }
  free(mins);
  return bad;
}
