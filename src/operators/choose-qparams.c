/* torch 1.13's ChooseQuantizationParams (aten/src/ATen/native/quantized/cpu/QuantUtils.h):
 * the qparams of QAT's fused moving-average fake-quantize, formula in src/qdq.h (E12).
 * Each line below says which precision torch computes it in: float (binary32,
 * no excess precision on x86-64 or wasm) or double, with C++'s conversions. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../qdq.h"

/* std::min(a, b) and std::max(a, b): (b < a) ? b : a and (a < b) ? b : a, so
 * a NaN or a zero of either sign in `a` is kept. */
static float std_min(float a, float b) { return b < a ? b : a; }
static float std_max(float a, float b) { return a < b ? b : a; }

static void choose_one(float min, float max, int32_t qmin, int32_t qmax, int preserve_sparsity,
                       float* scale_out, int32_t* zp_out) {
  /* reduce_range and force_scale_power_of_two: false in the fused op, not implemented. */
  if (min < 0.0f && max > 0.0f && preserve_sparsity) {
    /* Integer halves, as torch: [-128, 127] for a 255-step range. */
    const int32_t sym_qmin = -((qmax - qmin) / 2 + 1);
    const int32_t sym_qmax = (qmax - qmin) / 2;
    /* fabs(min / symmetric_qmin): a float divided by an int is a float
     * division (the int converts to float, exactly); only the larger quotient
     * is widened to double. */
    const float a = fabsf(min / (float) sym_qmin), b = fabsf(max / (float) sym_qmax);
    const double max_scale = (double) std_max(a, b);
    /* double * int, rounded to float by the assignment. */
    min = (float) (max_scale * sym_qmin);
    max = (float) (max_scale * sym_qmax);
  }
  min = std_min(min, 0.0f);
  max = std_max(max, 0.0f);
  /* double: static_cast<double>(max) - min, over the int range. */
  double scale = ((double) max - (double) min) / (double) (qmax - qmin);
  if ((float) scale == 0.0f || isinf(1.0f / (float) scale)) scale = 0.1;
  /* SMALL_SCALE_THRESHOLD is the float 6.1e-5f; compared with the double scale. */
  const float small_scale = 6.1e-5f;
  if (scale < (double) small_scale) {
    const float org_scale = (float) scale;
    scale = (double) small_scale;
    if (min == 0.0f) {
      max = small_scale * (float) (qmax - qmin); /* float * int: float */
    } else if (max == 0.0f) {
      min = -small_scale * (float) (qmax - qmin);
    } else {
      const float amplifier = small_scale / org_scale; /* float */
      min *= amplifier;
      max *= amplifier;
    }
  }
  /* double, from the adjusted float min and max. */
  const double zp_from_min = (double) qmin - (double) min / scale;
  const double zp_from_max = (double) qmax - (double) max / scale;
  const double zp_from_min_error = fabs((double) qmin) - fabs((double) min / scale);
  const double zp_from_max_error = fabs((double) qmax) - fabs((double) max / scale);
  double zp0 = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  /* torch tests the adjusted min and max again here: a symmetric range whose
   * float quotients both underflowed (max_scale 0: min and max subnormal)
   * became [-0, 0] and keeps zp0. */
  if (min < 0.0f && max > 0.0f && preserve_sparsity) zp0 = (double) (qmin + qmax) / 2;
  int32_t zp;
  if (zp0 < qmin) zp = qmin;
  else if (zp0 > qmax) zp = qmax;
  else if (zp0 == zp0) zp = (int32_t) nearbyint(zp0);
  else zp = qmin; /* NaN: the scale is NaN too (a 1-step symmetric range), where torch raises */
  /* The fused op stores the double scale in a float tensor. */
  *scale_out = (float) scale;
  *zp_out = zp;
}

void qdq_choose_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin, int32_t qmax,
                        uint32_t flags, float* scales, int32_t* zero_points) {
  for (size_t i = 0; i < n; i++) {
    choose_one(mins[i], maxs[i], qmin, qmax, (flags & QDQ_CHOOSE_PRESERVE_SPARSITY) != 0, &scales[i],
               &zero_points[i]);
  }
}
