/* HistogramObserver.calculate_qparams as torch 1.13 computes it (H8):
 * _non_linear_param_search, an L2-error search over bin ranges, then
 * _calculate_qparams (E1-E4). Python floats are doubles; tensor arithmetic
 * is float32 with any Python scalar operand rounded to float first, and
 * comparisons of a float32 tensor with a Python float compare in float32. */
#include <math.h>
#include <stdlib.h>

#include "qdq.h"

/* 2 ** torch.iinfo(dtype).bits for quint8 and qint8, whatever reduce_range
 * or quant_min/quant_max say: torch's destination bin count. */
#define DST_NBINS 256

/* torch.div(a, b, rounding_mode='floor') on float32 (c10's floor division,
 * as Python's): from fmod, so it is exact where floor(a / b) would round. */
static float div_floor(float a, float b) {
  if (b == 0.0f) return a / b;
  const float mod = fmodf(a, b);
  float div = (a - mod) / b;
  if (mod != 0.0f && (b < 0.0f) != (mod < 0.0f)) div -= 1.0f;
  if (div == 0.0f) return copysignf(0.0f, a / b);
  float floordiv = floorf(div);
  if (div - floordiv > 0.5f) floordiv += 1.0f;
  return floordiv;
}

static float clamp_dst(float v) {
  v = v < 0.0f ? 0.0f : v;
  return v > (float) (DST_NBINS - 1) ? (float) (DST_NBINS - 1) : v;
}

/* _get_norm: density * (end^3 - begin^3) / 3, each product in float, left to right. */
static float l2(float begin, float end, float density) {
  return density * ((end * end * end - begin * begin * begin) / 3.0f);
}

/* _compute_quantization_error(start, end) (H8b): the L2 error of mapping
 * source bins [start, end] onto DST_NBINS uniform destination bins. */
static double quantization_error(const float* hist, size_t bins, float min_val, float max_val,
                                 size_t start, size_t end, float* norm) {
  const double bin_width = ((double) max_val - (double) min_val) / (double) bins;
  const double dst_width = bin_width * (double) (end - start + 1) / (double) DST_NBINS;
  if (dst_width == 0.0) return 0.0;
  const float bw = (float) bin_width, dw = (float) dst_width;
  const float half = (float) (dst_width / 2), neg_half = (float) (-dst_width / 2);
  const float middle = (half * half * half - neg_half * neg_half * neg_half) / 3.0f;
  for (size_t i = 0; i < bins; i++) {
    const float src_begin = (float) ((int64_t) i - (int64_t) start) * bw;
    const float src_end = src_begin + bw;
    const float dst_of_begin = clamp_dst(div_floor(src_begin, dw));
    const float dst_of_begin_center = (dst_of_begin + 0.5f) * dw;
    const float dst_of_end = clamp_dst(div_floor(src_end, dw));
    const float density = hist[i] / bw;
    float n = 0.0f;
    n += l2(src_begin - dst_of_begin_center, half, density);
    n += (dst_of_end - dst_of_begin - 1.0f) * (density * middle);
    const float dst_of_end_center = dst_of_end * dw + half;
    n += l2(neg_half, src_end - dst_of_end_center, density);
    norm[i] = n;
  }
  return (double) qdq_torch_sum_f32(bins, norm);
}

int qdq_histogram_observer_qparams(const float* state, size_t bins, int32_t qmin, int32_t qmax,
                                   uint32_t qparams_flags, float eps, float* out,
                                   int32_t* zero_point) {
  const float min_val = state[0], max_val = state[1];
  const float* hist = state + 2;
  float new_min = min_val, new_max = max_val;
  if (!(min_val == INFINITY && max_val == -INFINITY)) {
    float* csum = malloc(2 * bins * sizeof(float));
    if (csum == NULL) return QDQ_ERROR_OUT_OF_MEMORY;
    float* norm = csum + bins;
    const float bin_width = (max_val - min_val) / (float) bins;
    const double total = (double) qdq_torch_sum_f32(bins, hist);
    /* torch.cumsum of float32 accumulates in double (CPU acc_type). */
    double acc = 0.0;
    for (size_t i = 0; i < bins; i++) {
      acc += (double) hist[i];
      csum[i] = (float) acc;
    }
    const double stepsize = 1e-5;
    double alpha = 0.0, beta = 1.0, norm_min = INFINITY;
    size_t start_bin = 0, end_bin = bins - 1;
    while (alpha < beta) {
      const double next_alpha = alpha + stepsize, next_beta = beta - stepsize;
      const float lo_q = (float) (next_alpha * total), hi_q = (float) (next_beta * total);
      size_t l = start_bin, r = end_bin;
      while (l < end_bin && csum[l] < lo_q) l++;
      while (r > start_bin && csum[r] > hi_q) r--;
      size_t next_start = start_bin, next_end = end_bin;
      if (l - start_bin > end_bin - r) {
        next_start = l;
        alpha = next_alpha;
      } else {
        next_end = r;
        beta = next_beta;
      }
      if (next_start == start_bin && next_end == end_bin) continue;
      const double n = quantization_error(hist, bins, min_val, max_val, next_start, next_end, norm);
      if (n > norm_min) break;
      norm_min = n;
      start_bin = next_start;
      end_bin = next_end;
    }
    free(csum);
    new_min = min_val + bin_width * (float) start_bin;
    new_max = min_val + bin_width * (float) (end_bin + 1);
  }
  qdq_calculate_qparams(1, &new_min, &new_max, qmin, qmax, qparams_flags, eps, &out[0], zero_point,
                        NULL);
  out[1] = new_min;
  out[2] = new_max;
  return 0;
}
