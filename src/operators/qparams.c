/* Quantization parameters from observed ranges (E1-E4), as torch 1.13's
 * MinMaxObserver._calculate_qparams computes them on float32 tensors. */
#include <math.h>

#include "qdq.h"

void qdq_calculate_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin,
                           int32_t qmax, uint32_t flags, float eps, float* scales,
                           int32_t* zero_points, int32_t* zero_points_unclamped) {
  const int symmetric = (flags & QDQ_QPARAMS_SYMMETRIC) != 0;
  const int uint8 = (flags & QDQ_QPARAMS_UINT8) != 0;
  const int custom_range = (flags & QDQ_QPARAMS_CUSTOM_RANGE) != 0;
  const int raw = (flags & QDQ_QPARAMS_RAW_RANGE) != 0;
  for (size_t c = 0; c < n; c++) {
    const float lo = mins[c], hi = maxs[c];
    if (lo == INFINITY && hi == -INFINITY) {
      scales[c] = 1.0f; /* E4: an observer that has seen nothing */
      zero_points[c] = 0;
      if (zero_points_unclamped != NULL) zero_points_unclamped[c] = 0;
      continue;
    }
    const float min_neg = raw || lo < 0.0f ? lo : 0.0f; /* E1 */
    const float max_pos = raw || hi > 0.0f ? hi : 0.0f;
    float scale;
    int32_t zp;
    if (symmetric) {
      const float amax = -min_neg > max_pos ? -min_neg : max_pos;
      scale = amax / ((float) (qmax - qmin) / 2.0f); /* E3 */
      scale = scale > eps ? scale : eps;
      zp = !uint8 ? 0 : custom_range ? (int32_t) floor((qmin + qmax) / 2.0) : 128;
      if (zero_points_unclamped != NULL) zero_points_unclamped[c] = zp;
    } else {
      scale = (max_pos - min_neg) / (float) (qmax - qmin); /* E2 */
      scale = scale > eps ? scale : eps;
      /* With E1, |min' / scale| <= qmax - qmin. A raw range far from 0 can
       * make it huge: clamp in float so the conversion to int stays defined. */
      const float v = nearbyintf(min_neg / scale);
      const float vc = v > 1e9f ? 1e9f : v < -1e9f ? -1e9f : v;
      zp = qmin - (int32_t) vc;
      if (zero_points_unclamped != NULL) zero_points_unclamped[c] = zp;
      zp = zp < qmin ? qmin : zp > qmax ? qmax : zp;
    }
    scales[c] = scale;
    zero_points[c] = zp;
  }
}

void qdq_moving_average_minmax(size_t n, float* mins, float* maxs, const float* batch_mins,
                               const float* batch_maxs, float averaging_constant) {
  for (size_t c = 0; c < n; c++) {
    mins[c] = mins[c] + averaging_constant * (batch_mins[c] - mins[c]);
    maxs[c] = maxs[c] + averaging_constant * (batch_maxs[c] - maxs[c]);
  }
}
