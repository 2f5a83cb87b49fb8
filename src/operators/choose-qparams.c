/* torch 1.13's ChooseQuantizationParams (aten/src/ATen/native/quantized/cpu/QuantUtils.h):
 * the qparams of QAT's fused moving-average fake-quantize, formula in src/qdq.h. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../qdq.h"

static void choose_one(float min, float max, int32_t qmin, int32_t qmax, int sparsity, float* scale_out,
                       int32_t* zp_out) {
  const int symmetric = sparsity && min < 0.0f && max > 0.0f;
  if (symmetric) {
    /* Integer halves, as torch: [-128, 127] for a 255-step range. */
    const int32_t sym_qmin = -((qmax - qmin) / 2 + 1);
    const int32_t sym_qmax = (qmax - qmin) / 2;
    const double a = fabs(min / (double) sym_qmin), b = fabs(max / (double) sym_qmax);
    const double max_scale = a > b ? a : b;
    min = (float) (max_scale * sym_qmin);
    max = (float) (max_scale * sym_qmax);
  }
  min = min < 0.0f ? min : 0.0f;
  max = max > 0.0f ? max : 0.0f;
  const float small_scale = 6.1e-5f;
  double scale = ((double) max - min) / (qmax - qmin);
  if ((float) scale == 0.0f || isinf(1.0f / (float) scale)) scale = 0.1;
  if (scale < small_scale) {
    const float org_scale = (float) scale;
    scale = small_scale;
    if (min == 0.0f) {
      max = small_scale * (float) (qmax - qmin);
    } else if (max == 0.0f) {
      min = -small_scale * (float) (qmax - qmin);
    } else {
      const float amplifier = small_scale / org_scale;
      min *= amplifier;
      max *= amplifier;
    }
  }
  const double zp_from_min = qmin - min / scale;
  const double zp_from_max = qmax - max / scale;
  const double zp_from_min_error = fabs((double) qmin) - fabs(min / scale);
  const double zp_from_max_error = fabs((double) qmax) - fabs(max / scale);
  double zp0 = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  if (symmetric) zp0 = (double) (qmin + qmax) / 2;
  int32_t zp;
  if (zp0 < qmin) zp = qmin;
  else if (zp0 > qmax) zp = qmax;
  else zp = (int32_t) nearbyint(zp0);
  *scale_out = (float) scale;
  *zp_out = zp;
}

void qdq_choose_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin, int32_t qmax,
                        uint32_t flags, float* scales, int32_t* zero_points) {
  for (size_t i = 0; i < n; i++) {
    choose_one(mins[i], maxs[i], qmin, qmax, (flags & QDQ_CHOOSE_PRESERVE_SPARSITY) != 0, &scales[i], &zero_points[i]);
  }
}
