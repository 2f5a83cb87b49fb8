/*
 * qdq.h: the one public header of qdq-wasm.
 *
 * Every function documents its exact formula. Equation numbers (E1, E2, ...)
 * refer to docs/quantization.md, which derives them. All arithmetic named
 * "float" is IEEE-754 binary32 with round-to-nearest-even, as WebAssembly
 * and SSE define it; no function depends on excess precision or FMA
 * contraction (the build passes -ffp-contract=off).
 *
 * Memory: no function here allocates, except where it says so. Buffers are
 * owned by the caller. Kernels (the *_ukernel_* functions) may read up to
 * QDQ_EXTRA_BYTES past the end of an input buffer; they never write past
 * the end of an output buffer.
 */
#ifndef QDQ_H
#define QDQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes a kernel may read past the end of its input. The allocator in
 * js/memory.js and every test harness pads buffers by this much. */
#define QDQ_EXTRA_BYTES 16

/* ---------------------------------------------------------------------------
 * Flags shared by the operator entry points.
 * ------------------------------------------------------------------------- */

/* The quantized element type is uint8 ([0, 255]); without it, int8 ([-128, 127]). */
#define QDQ_FLAG_UINT8 1u
/* Scale by x * (1 / scale) in float, as torch.quantize_per_tensor does (E5b).
 * Without it, divide x / scale, as ONNX QuantizeLinear does (E5a). */
#define QDQ_FLAG_PYTORCH 2u

/* ---------------------------------------------------------------------------
 * Kernel parameters. Computed once by the init functions; kernels only load.
 * ------------------------------------------------------------------------- */

/* Parameters of float -> quantized conversion (quantize and fake-quantize). */
struct qdq_f32_q8_cvt_params {
  float scale;        /* step, > 0 and finite */
  float inv_scale;    /* 1.0f / scale, rounded to float (PyTorch's inv_scale) */
  int16_t zero_point; /* within [qmin, qmax] */
  int16_t qmin;
  int16_t qmax;
  uint8_t divide;     /* 1: x / scale (ONNX, E5a); 0: x * inv_scale (PyTorch, E5b) */
};

/* Parameters of quantized -> float conversion. */
struct qdq_q8_f32_cvt_params {
  float scale;
  int16_t zero_point;
};

/// Fills p for quantizing with one scale and zero point.
/// inv_scale = 1.0f / scale in float (E5b). divide selects E5a over E5b.
/// Preconditions (checked by the JS layer): scale > 0 and finite,
/// qmin <= zero_point <= qmax, and [qmin, qmax] within the dtype's range.
void qdq_init_f32_q8_cvt_params(struct qdq_f32_q8_cvt_params* p, float scale,
                                int32_t zero_point, int32_t qmin, int32_t qmax,
                                int divide);

/// Fills p for dequantizing with one scale and zero point.
void qdq_init_q8_f32_cvt_params(struct qdq_q8_f32_cvt_params* p, float scale,
                                int32_t zero_point);

/* ---------------------------------------------------------------------------
 * Reference semantics (src/reference/). Plain loops that define meaning;
 * every kernel is tested against them, bit for bit.
 * ------------------------------------------------------------------------- */

/// Quantize one element (E5):
///   v = divide ? x / scale : x * inv_scale          (float)
///   q = clamp(roundHalfEven(v) + zero_point, qmin, qmax)
/// +Inf gives qmax, -Inf gives qmin, NaN gives zero_point (E6).
int32_t qdq_reference_quantize_value(float x, const struct qdq_f32_q8_cvt_params* p);

/// Dequantize one element (E7): x_hat = (float)(q - zero_point) * scale, in float.
float qdq_reference_dequantize_value(int32_t q, const struct qdq_q8_f32_cvt_params* p);

/// Fake-quantize one element (E8): q as in E5 with bounds [qmin, qmax],
/// then x_hat = (float)(q - zero_point) * scale. Sets *mask to the
/// straight-through gradient mask (E9): 1 when qmin <= roundHalfEven(v) +
/// zero_point <= qmax, else 0 (NaN gives 0).
float qdq_reference_fake_quantize_value(float x, const struct qdq_f32_q8_cvt_params* p,
                                        uint8_t* mask);

/// Reference quantize of n elements to int8 (E5) or uint8.
void qdq_reference_f32_qs8_vcvt(size_t n, const float* x, int8_t* y,
                                const struct qdq_f32_q8_cvt_params* p);
void qdq_reference_f32_qu8_vcvt(size_t n, const float* x, uint8_t* y,
                                const struct qdq_f32_q8_cvt_params* p);
/// Reference dequantize of n elements (E7).
void qdq_reference_qs8_f32_vcvt(size_t n, const int8_t* x, float* y,
                                const struct qdq_q8_f32_cvt_params* p);
void qdq_reference_qu8_f32_vcvt(size_t n, const uint8_t* x, float* y,
                                const struct qdq_q8_f32_cvt_params* p);
/// Reference fake-quantize of n elements (E8, E9). mask may be NULL.
void qdq_reference_f32_vfakequant(size_t n, const float* x, float* y, uint8_t* mask,
                                  const struct qdq_f32_q8_cvt_params* p);
/// Reference min and max of n finite elements, folded into *min and *max.
/// Returns the index of the first NaN or infinity, or -1 when all are finite.
long qdq_reference_f32_rminmax(size_t n, const float* x, float* min, float* max);

/* ---------------------------------------------------------------------------
 * Kernels: one function per file, named
 *   qdq_<in>_<out>_<op>_ukernel__<isa>_u<N>     (elementwise, N per iteration)
 * (docs/naming.md). batch is in bytes of the input. batch may be 0.
 * The lists below are expanded from the family .inc files.
 * ------------------------------------------------------------------------- */

#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* input, int8_t* output, \
            const struct qdq_f32_q8_cvt_params* params);
#include "f32-qs8-vcvt/f32-qs8-vcvt.inc"
#undef QDQ_UKERNEL

#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* input, uint8_t* output, \
            const struct qdq_f32_q8_cvt_params* params);
#include "f32-qu8-vcvt/f32-qu8-vcvt.inc"
#undef QDQ_UKERNEL

#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const int8_t* input, float* output, \
            const struct qdq_q8_f32_cvt_params* params);
#include "qs8-f32-vcvt/qs8-f32-vcvt.inc"
#undef QDQ_UKERNEL

#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const uint8_t* input, float* output, \
            const struct qdq_q8_f32_cvt_params* params);
#include "qu8-f32-vcvt/qu8-f32-vcvt.inc"
#undef QDQ_UKERNEL

/* Fake-quantize: float in, float out, optional uint8 mask out (NULL: none). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* input, float* output, uint8_t* mask, \
            const struct qdq_f32_q8_cvt_params* params);
#include "f32-vfakequant/f32-vfakequant.inc"
#undef QDQ_UKERNEL

/* Min/max reduction: folds the batch into *min, *max; returns the index of
 * the first non-finite element, or -1. */
#define QDQ_UKERNEL(name, ...) \
  long name(size_t batch, const float* input, float* min, float* max);
#include "f32-rminmax/f32-rminmax.inc"
#undef QDQ_UKERNEL

/* ---------------------------------------------------------------------------
 * Operators (src/operators/): what js/ calls. They walk a tensor viewed as
 * [outer, channels, inner] (per-tensor: channels = 1), one chunk at a time,
 * and call the kernels that src/config.c selected. `start` is the flat index
 * of the chunk's first element, so a tensor can be streamed through a small
 * staging buffer: channel(i) = ((start + i) / inner) % channels.
 * scales and zero_points have `channels` entries.
 * ------------------------------------------------------------------------- */

/// Quantize n elements (E5) to int8, or uint8 with QDQ_FLAG_UINT8.
/// QDQ_FLAG_PYTORCH selects E5b. Returns 0.
int qdq_quantize(const float* x, void* y, size_t n, size_t start, size_t channels,
                 size_t inner, const float* scales, const int32_t* zero_points,
                 int32_t qmin, int32_t qmax, uint32_t flags);

/// Dequantize n elements (E7) from int8, or uint8 with QDQ_FLAG_UINT8.
int qdq_dequantize(const void* q, float* y, size_t n, size_t start, size_t channels,
                   size_t inner, const float* scales, const int32_t* zero_points,
                   uint32_t flags);

/// Fake-quantize n elements (E8) and, when mask is not NULL, write the
/// gradient mask (E9). QDQ_FLAG_PYTORCH selects E5b; the dtype flag is unused
/// because [qmin, qmax] carries the range.
int qdq_fake_quantize(const float* x, float* y, uint8_t* mask, size_t n, size_t start,
                      size_t channels, size_t inner, const float* scales,
                      const int32_t* zero_points, int32_t qmin, int32_t qmax,
                      uint32_t flags);

/// Folds n elements into per-channel running minima and maxima
/// (mins[c] = min(mins[c], x), maxs[c] likewise). Returns the chunk-relative
/// index of the first NaN or infinity (nothing is folded then), or -1.
long qdq_minmax(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                float* mins, float* maxs);

/// Accumulates error statistics of x_hat against x, per channel, in double:
///   acc[3c+0] += sum (x - x_hat)^2,  acc[3c+1] += sum x^2,
///   acc[3c+2]  = max(acc[3c+2], max |x - x_hat|)              (E10)
/// MSE, max abs error and SQNR = 10 log10(sum x^2 / sum (x - x_hat)^2) follow.
int qdq_error_stats(const float* x, const float* x_hat, size_t n, size_t start,
                    size_t channels, size_t inner, double* acc);

/* Flags of qdq_calculate_qparams. */
#define QDQ_QPARAMS_SYMMETRIC 1u    /* E3 instead of E2 */
#define QDQ_QPARAMS_UINT8 2u        /* the dtype is uint8 (symmetric zero point 128) */
#define QDQ_QPARAMS_CUSTOM_RANGE 4u /* [qmin, qmax] was given by the user (symmetric uint8 zp) */
#define QDQ_QPARAMS_RAW_RANGE 8u    /* skip E1: use [min, max] as given (for showing why E1 exists) */

/// Quantization parameters from observed ranges, as torch 1.13's
/// MinMaxObserver._calculate_qparams (E1-E4), for each of n channels:
///   min' = min(min, 0), max' = max(max, 0)                         (E1)
///   affine:    scale = max(float(max' - min') / (qmax - qmin), eps) (E2)
///              zp = clamp(qmin - roundHalfEven(min' / scale), qmin, qmax)
///   symmetric: scale = max(max(-min', max') / ((qmax - qmin) / 2), eps) (E3)
///              zp = 0 (int8), 128 (uint8), or (qmin + qmax) / 2 rounded
///              down when QDQ_QPARAMS_CUSTOM_RANGE is set and the dtype is uint8
/// A channel that has seen no data (min = +Inf, max = -Inf) gets scale 1,
/// zero point 0 (E4). All arithmetic is float, as PyTorch's float32 tensors.
/// With QDQ_QPARAMS_RAW_RANGE, min' = min and max' = max (no E1): the affine
/// zero point may then fall outside [qmin, qmax]. zero_points_unclamped (may
/// be NULL) receives the zero point before the clamp. flags: QDQ_QPARAMS_*.
void qdq_calculate_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin,
                           int32_t qmax, uint32_t flags, float eps, float* scales,
                           int32_t* zero_points, int32_t* zero_points_unclamped);

/// Size in bytes of the chunk buffers that js/ streams tensors through.
size_t qdq_staging_elements(void);

#ifdef __cplusplus
}
#endif

#endif /* QDQ_H */
