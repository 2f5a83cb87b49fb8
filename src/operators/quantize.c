/* Operators for quantize, dequantize and fake-quantize (E5-E9). */
#include <math.h>

#include "config.h"
#include "operators/channel-walk.h"

/* Channel runs shorter than this go through the reference scalar path: a
 * kernel call per element (channels innermost) would cost more than it saves. */
#define QDQ_MIN_KERNEL_RUN 8

#define QDQ_FOR_EACH_RUN(r, n, start, channels, inner)                         \
  for (struct qdq_channel_run r = qdq_first_run(n, start, channels, inner);   \
       r.length != 0; r = qdq_next_run(r, n, channels, inner))

int qdq_quantize(const float* x, void* y, size_t n, size_t start, size_t channels,
                 size_t inner, const float* scales, const int32_t* zero_points,
                 int32_t qmin, int32_t qmax, uint32_t flags) {
  const struct qdq_config* config = qdq_config();
  const int divide = (flags & QDQ_FLAG_PYTORCH) == 0;
  const int uint8 = (flags & QDQ_FLAG_UINT8) != 0;
  if (n == 0) return 0;
  QDQ_FOR_EACH_RUN(r, n, start, channels, inner) {
    struct qdq_f32_q8_cvt_params p;
    qdq_init_f32_q8_cvt_params(&p, scales[r.channel], zero_points[r.channel], qmin, qmax, divide);
    if (r.length < QDQ_MIN_KERNEL_RUN) {
      for (size_t i = r.offset; i < r.offset + r.length; i++) {
        const int32_t q = qdq_reference_quantize_value(x[i], &p);
        if (uint8) ((uint8_t*) y)[i] = (uint8_t) q; else ((int8_t*) y)[i] = (int8_t) q;
      }
    } else if (uint8) {
      config->f32_qu8_vcvt(r.length * sizeof(float), x + r.offset, (uint8_t*) y + r.offset, &p);
    } else {
      config->f32_qs8_vcvt(r.length * sizeof(float), x + r.offset, (int8_t*) y + r.offset, &p);
    }
  }
  return 0;
}

int qdq_dequantize(const void* q, float* y, size_t n, size_t start, size_t channels,
                   size_t inner, const float* scales, const int32_t* zero_points,
                   uint32_t flags) {
  const struct qdq_config* config = qdq_config();
  const int uint8 = (flags & QDQ_FLAG_UINT8) != 0;
  if (n == 0) return 0;
  QDQ_FOR_EACH_RUN(r, n, start, channels, inner) {
    struct qdq_q8_f32_cvt_params p;
    qdq_init_q8_f32_cvt_params(&p, scales[r.channel], zero_points[r.channel]);
    if (uint8) {
      config->qu8_f32_vcvt(r.length, (const uint8_t*) q + r.offset, y + r.offset, &p);
    } else {
      config->qs8_f32_vcvt(r.length, (const int8_t*) q + r.offset, y + r.offset, &p);
    }
  }
  return 0;
}

int qdq_fake_quantize(const float* x, float* y, uint8_t* mask, size_t n, size_t start,
                      size_t channels, size_t inner, const float* scales,
                      const int32_t* zero_points, int32_t qmin, int32_t qmax,
                      uint32_t flags) {
  const struct qdq_config* config = qdq_config();
  const int divide = (flags & QDQ_FLAG_PYTORCH) == 0;
  if (n == 0) return 0;
  QDQ_FOR_EACH_RUN(r, n, start, channels, inner) {
    struct qdq_f32_q8_cvt_params p;
    qdq_init_f32_q8_cvt_params(&p, scales[r.channel], zero_points[r.channel], qmin, qmax, divide);
    config->f32_vfakequant(r.length * sizeof(float), x + r.offset, y + r.offset,
                           mask != NULL ? mask + r.offset : NULL, &p);
  }
  return 0;
}

void qdq_quantize_steps(size_t n, const float* x, float scale, uint32_t flags, float* scaled,
                        float* rounded) {
  /* The same expressions as qdq_reference_quantize_value, stopped before the
   * zero point and the clamp. */
  const float inv_scale = 1.0f / scale;
  const int divide = (flags & QDQ_FLAG_PYTORCH) == 0;
  for (size_t i = 0; i < n; i++) {
    scaled[i] = divide ? x[i] / scale : x[i] * inv_scale;
    rounded[i] = nearbyintf(scaled[i]);
  }
}
