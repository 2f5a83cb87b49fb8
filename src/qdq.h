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

/* Bytes a kernel may read past the end of its input. js/runtime/binding.js
 * and every test harness pad input buffers by this much. */
#define QDQ_EXTRA_BYTES 16

/* The largest buffer js/ allocates in wasm memory, in bytes. The builds cap
 * memory at 2 GiB (build.sh: -sMAXIMUM_MEMORY), so js/ refuses any tensor or
 * workspace whose byte count exceeds this before it allocates anything. */
#define QDQ_MAX_BUFFER_BYTES 2147483647

/* The widest clamp range [qmin, qmax] fake-quantize accepts (PyTorch takes
 * any quant_min <= zero_point <= quant_max): 2^23, so that qmin - zero_point
 * and qmax - zero_point are exact in float32, where the kernels clamp. */
#define QDQ_QUANT_RANGE_LIMIT 8388608

/* Marks the operator entry points that js/ calls. build.sh exports exactly
 * these (and malloc/free, and Emscripten's _initialize and stack helpers)
 * from the production .wasm files, and
 * scripts/gen-abi.js lists them with every QDQ_ constant in the generated
 * js/runtime/abi.js. Kernels and references are exported only by the test
 * builds. */
#define QDQ_API

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
  int32_t zero_point; /* within [qmin, qmax] */
  int32_t qmin;       /* within [-QDQ_QUANT_RANGE_LIMIT, QDQ_QUANT_RANGE_LIMIT] */
  int32_t qmax;
  uint8_t divide;     /* 1: x / scale (ONNX, E5a); 0: x * inv_scale (PyTorch, E5b) */
};

/* Parameters of quantized -> float conversion. */
struct qdq_q8_f32_cvt_params {
  float scale;
  int32_t zero_point;
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
 * scales and zero_points have `channels` entries. A chunk is processed in
 * blocks of 64 Ki elements of the flat index, which the shared-memory builds
 * share among the host's threads: the same bytes on any thread count.
 * ------------------------------------------------------------------------- */

/// Quantize n elements (E5) to int8, or uint8 with QDQ_FLAG_UINT8.
/// QDQ_FLAG_PYTORCH selects E5b. Returns 0.
QDQ_API int qdq_quantize(const float* x, void* y, size_t n, size_t start, size_t channels,
                 size_t inner, const float* scales, const int32_t* zero_points,
                 int32_t qmin, int32_t qmax, uint32_t flags);

/// Dequantize n elements (E7) from int8, or uint8 with QDQ_FLAG_UINT8.
QDQ_API int qdq_dequantize(const void* q, float* y, size_t n, size_t start, size_t channels,
                   size_t inner, const float* scales, const int32_t* zero_points,
                   uint32_t flags);

/// Fake-quantize n elements (E8) and, when mask is not NULL, write the
/// gradient mask (E9). QDQ_FLAG_PYTORCH selects E5b; the dtype flag is unused
/// because [qmin, qmax] carries the range.
QDQ_API int qdq_fake_quantize(const float* x, float* y, uint8_t* mask, size_t n, size_t start,
                      size_t channels, size_t inner, const float* scales,
                      const int32_t* zero_points, int32_t qmin, int32_t qmax,
                      uint32_t flags);

/// The intermediate values of E5 for teaching (the page's derivation), for
/// i < n: scaled[i] = x[i] / scale (E5a), or x[i] * float(1 / scale) with
/// QDQ_FLAG_PYTORCH (E5b), in float; rounded[i] = roundHalfEven(scaled[i]).
/// q = clamp(rounded + zero_point, qmin, qmax) follows (qdq_quantize).
QDQ_API void qdq_quantize_steps(size_t n, const float* x, float scale, uint32_t flags,
                                float* scaled, float* rounded);

/// Folds n elements into per-channel running minima and maxima
/// (mins[c] = min(mins[c], x), maxs[c] likewise). Returns the chunk-relative
/// index of the first NaN or infinity, or -1; after a NaN or infinity, mins
/// and maxs hold a partial fold: discard them. Threaded by blocks (one
/// channel) or by channels, with the bytes of one thread (docs/threads.md T5).
QDQ_API long qdq_minmax(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                float* mins, float* maxs);

/// qdq_minmax on an x the host streams in (QDQ_FLAG_INPUT_STREAMED's
/// contract: its one region's task t reads input block t), with the same
/// result: the streaming operators' windows (docs/threads.md T5). It keeps
/// every channel run's range until the region ends (16 bytes each, allocated
/// first: QDQ_ERROR_OUT_OF_MEMORY when that fails), so callers keep runs long
/// (js/ops/observers.js: one channel, or inner >= 1024). n spans at most 64
/// blocks of 64 Ki elements, else it returns QDQ_ERROR_SIZE_OVERFLOW. Both
/// errors come before anything is read.
QDQ_API long qdq_minmax_streamed(const float* x, size_t n, size_t start, size_t channels, size_t inner,
                                 float* mins, float* maxs);

/// Accumulates error statistics of x_hat against x, per channel, in double:
///   acc[3c+0] += sum (x - x_hat)^2,  acc[3c+1] += sum x^2,
///   acc[3c+2]  = max(acc[3c+2], max |x - x_hat|)              (E10)
/// MSE, max abs error and SQNR = 10 log10(sum x^2 / sum (x - x_hat)^2) follow.
/// Summation order, whatever the threads: each channel's run within each
/// 64 Ki block of the flat index is summed from 0, and the runs are added to
/// acc in index order (docs/threads.md T5).
QDQ_API int qdq_error_stats(const float* x, const float* x_hat, size_t n, size_t start,
                    size_t channels, size_t inner, double* acc);

/// qdq_error_stats on an x and x_hat the host streams in together
/// (QDQ_FLAG_INPUT_STREAMED's contract, block t of both before task t), with
/// the same result: the streaming operators' windows (docs/threads.md T5).
/// It keeps every channel run's sums until the region ends (32 bytes each,
/// allocated first: QDQ_ERROR_OUT_OF_MEMORY when that fails), so callers keep
/// runs long (js/ops/stats.js: one channel, or inner >= 1024). n spans at most
/// 64 blocks of 64 Ki elements, else it returns QDQ_ERROR_SIZE_OVERFLOW. Both
/// errors come before anything is read.
QDQ_API int qdq_error_stats_streamed(const float* x, const float* x_hat, size_t n, size_t start,
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
QDQ_API void qdq_calculate_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin,
                           int32_t qmax, uint32_t flags, float eps, float* scales,
                           int32_t* zero_points, int32_t* zero_points_unclamped);

/// The moving-average update of torch.ao.quantization's
/// MovingAverage(PerChannel)MinMaxObserver after the first batch, for c < n,
/// each operation in float (as on float32 tensors; the Python averaging
/// constant is cast to float):
///   mins[c] = mins[c] + averaging_constant * (batch_mins[c] - mins[c])
///   maxs[c] likewise.
QDQ_API void qdq_moving_average_minmax(size_t n, float* mins, float* maxs, const float* batch_mins,
                                       const float* batch_maxs, float averaging_constant);

/* What qdq_isa() returns. */
#define QDQ_ISA_SCALAR 0
#define QDQ_ISA_SIMD128 1
#define QDQ_ISA_RELAXED_SIMD 2

/// The instruction set this module was compiled for (QDQ_ISA_*, from
/// src/config.c): js/ reads the build from the instance itself, whatever
/// bytes a caller passed.
QDQ_API int qdq_isa(void);

/// Runs fn(ctx, task, thread): how a thread of js/runtime/pool.js runs one
/// task of an operator's work in the shared-memory builds (qdq-*-mt.wasm).
/// Operators hand the host (fn, ctx, tasks, threads, marks, marks_count)
/// through the imported env.qdq_host_parallelize after allocating every
/// workspace (marks: which leading tasks make which leading bytes of the
/// output final, or 0; src/parallel/parallel.h); every thread,
/// the calling one (thread 0) included, then takes the next task not yet
/// taken until none is left. fn and ctx are only valid during that call.
/// docs/threads.md.
QDQ_API void qdq_parallel_run(void (*fn)(void*, size_t, size_t), void* ctx, size_t task, size_t thread);

/// Elements per chunk of the staging buffers that js/ streams tensors through
/// (64 Ki; 256 Ki in the shared-memory builds; see src/operators/staging.c).
QDQ_API size_t qdq_staging_elements(void);

/* ---------------------------------------------------------------------------
 * Int8 linear algebra (issue 3): GEMM, requantization, quantized Linear.
 * docs/gemm.md derives the formulas; equation numbers G1-G9 refer to it.
 *
 * Shapes: A is [m][k] (activations, row-major), B is [k][n] (ONNX MatMul) or
 * W = B^T is [n][k] (PyTorch Linear weight, "goi"). Y is [m][n].
 * Every quantized operand is converted to the int8 domain on entry: a uint8
 * value u becomes u - 128 (an XOR of the top bit), and so does its zero
 * point, so (u - zp) is unchanged and every kernel sees int8 x int8 only.
 * ------------------------------------------------------------------------- */

/* B (or W) is stored [n][k], as a PyTorch Linear weight, instead of [k][n]. */
#define QDQ_FLAG_TRANSPOSED 4u
/* Dynamic quantization: choose activation qparams as ONNX
 * DynamicQuantizeLinear (x / scale) instead of PyTorch (x * (1 / scale)). */
#define QDQ_FLAG_ONNX_QPARAMS 8u
/* Dynamic quantization: 7-bit activations ([0, 127]), PyTorch's reduce_range. */
#define QDQ_FLAG_REDUCE_RANGE 16u
/* qdq_dynamic_linear, qdq_quantize, qdq_dequantize and qdq_fake_quantize in
 * the shared-memory builds: x is not in memory yet. The host writes it block
 * by block (QDQ_INPUT_BLOCK_BYTES) while the operator's first region runs
 * (min/max over those blocks; the elementwise operators' one region, on all
 * the host's threads, which copies y out as it is finished): task t reads
 * block t once the host has written it (js/runtime/pool.js). For the host
 * only: without a thread pool it is ignored (x must then be in place). */
#define QDQ_FLAG_INPUT_STREAMED 32u
/* Bytes per block of an input the host streams in (QDQ_FLAG_INPUT_STREAMED). */
#define QDQ_INPUT_BLOCK_BYTES 65536u

/* Most threads a pool runs, the calling thread included (js/runtime/pool.js
 * caps numThreads at it; operators size per-thread state by it). */
#define QDQ_MAX_THREADS 64

/* Output kinds of qdq_qs8_gemm. */
#define QDQ_GEMM_OUT_INT32 0u   /* Y itself (G1) */
#define QDQ_GEMM_OUT_INT8 1u    /* requantized (G4) to int8 */
#define QDQ_GEMM_OUT_UINT8 2u   /* requantized (G4) to uint8 */
#define QDQ_GEMM_OUT_FLOAT 3u   /* dequantized (G5): float(Y) * multiplier + bias */

/* Largest k for which int32 accumulation is exact: |a - za| <= 255 and
 * |b - zb| <= 255, so |Y| <= k * 65025 < 2^31 exactly when k <= 33025 (G2).
 * Operators return QDQ_ERROR_K_TOO_LARGE beyond it; js/ throws RangeError. */
#define QDQ_GEMM_MAX_K 33025
#define QDQ_ERROR_K_TOO_LARGE (-2)
#define QDQ_ERROR_OUT_OF_MEMORY (-3)
/* A size computed from the caller's dimensions does not fit size_t. */
#define QDQ_ERROR_SIZE_OVERFLOW (-4)

/// Reference GEMM (G1): for i < m, j < n,
///   Y[i][j] = bias[j] + sum_{l<k} (A[i][l] - a_zero_point) * (B[l][j] - b_zero_points[j])
/// computed in int64 and wrapped to int32. A is int8, or uint8 with
/// QDQ_FLAG_UINT8 in a_flags; B likewise with b_flags, which may also carry
/// QDQ_FLAG_TRANSPOSED (B stored [n][k]). Zero points are in their operand's
/// own dtype. bias (n entries) may be NULL. y is [m][n].
void qdq_reference_q8_gemm(size_t m, size_t n, size_t k, const void* a, uint32_t a_flags,
                           int32_t a_zero_point, const void* b, uint32_t b_flags,
                           const int32_t* b_zero_points, const int32_t* bias, int32_t* y);

/// Reference requantization of one accumulator (G4), as ONNX QLinearMatMul
/// (MLAS) and PyTorch's QNNPACK fp32 requantization:
///   q = clamp(roundHalfEven(float(acc) * multiplier) + zero_point, qmin, qmax)
/// float(acc) rounds to nearest even; the product is one float multiply.
int32_t qdq_reference_requantize_value(int32_t acc, float multiplier, int32_t zero_point,
                                       int32_t qmin, int32_t qmax);

/// Reference float GEMM (G6): Y[i][j] = bias[j] + sum_{l<k} A[i][l] * B[l][j],
/// each product and sum rounded to float in order l = 0, 1, ..., k - 1.
/// bias may be NULL (zero). B is [k][n], or [n][k] with QDQ_FLAG_TRANSPOSED.
void qdq_reference_f32_gemm(size_t m, size_t n, size_t k, const float* a, const float* b,
                            uint32_t b_flags, const float* bias, float* y);

/// Bytes of a packed int8 matrix for n columns and depth k (see
/// qdq_qs8_gemm_pack for the layout), in this build's layout; 0 when the
/// count does not fit size_t (then qdq_qs8_gemm_pack returns
/// QDQ_ERROR_SIZE_OVERFLOW).
QDQ_API size_t qdq_qs8_gemm_packed_size(size_t n, size_t k);
/// The same for an explicit KR (kernel testers pack for every kernel).
size_t qdq_qs8_gemm_packed_size_tile(size_t n, size_t k, size_t kr);

/// Packs B for qdq_qs8_gemm (G3), once per weight matrix. Layout, for each
/// block of NR = 8 columns (the last zero-padded):
///   NR int32 packed biases  pb[j] = bias[j] - za * cs[j] + k * za * zb[j]
///   then, for each chunk of KR rows of B (k zero-padded to a multiple of
///   KR), NR x KR int8: column j's KR values contiguous (the "cKR" order).
///   KR is the build's (src/config.c: qs8_gemm_kr, 4 in every build today);
///   a packed matrix belongs to the module instance that packed it.
/// followed by cs[n] (int32 column sums of B in the int8 domain), zb[n]
/// (int32 zero points in the int8 domain), za (int32, below), and kept
/// (uint32: 0, or the byte offset from packed of the weights' widened copy,
/// qdq_qs8_gemm_keep_widened).
/// cs is kept so that qdq_qs8_gemm can correct for a different activation
/// zero point at run time (dynamic quantization) or a shifted activation
/// (the relaxed-SIMD kernel's 7-bit operand, G7).
/// b: [k][n], or [n][k] with QDQ_FLAG_TRANSPOSED; int8, or uint8 with
/// QDQ_FLAG_UINT8. b_zero_points: n entries in b's dtype. bias: n int32 or
/// NULL. a_zero_point: the activations' zero point, int8 domain (uint8 zero
/// points minus 128). packed: qdq_qs8_gemm_packed_size(n, k) bytes, 4-aligned.
/// Returns 0, or QDQ_ERROR_K_TOO_LARGE when k > QDQ_GEMM_MAX_K.
QDQ_API int qdq_qs8_gemm_pack(size_t n, size_t k, const void* b, uint32_t b_flags,
                      const int32_t* b_zero_points, const int32_t* bias,
                      int32_t a_zero_point, void* packed);
/// qdq_qs8_gemm_pack with an explicit KR (1, 2 or 4), for kernel testers.
int qdq_qs8_gemm_pack_tile(size_t n, size_t k, const void* b, uint32_t b_flags,
                           const int32_t* b_zero_points, const int32_t* bias,
                           int32_t a_zero_point, size_t kr, void* packed);

/// Widens `blocks` consecutive 8-column blocks of c4-packed weights (depth
/// kpad, a multiple of 4) to int16 for the "xw" kernels: each block's 8
/// int32 biases are copied, then its kpad * 8 int8 weights become int16 in the
/// same order. out holds blocks * (32 + 16 * kpad) bytes.
void qdq_qs8_gemm_widen_w(size_t blocks, size_t kpad, const void* packed, void* out);

/// Bytes to allocate after a packed matrix's qdq_qs8_gemm_packed_size(n, k)
/// for qdq_qs8_gemm_keep_widened: up to 15 bytes that align the copy to 16,
/// then ceil(n / 8) * (32 + 16 * kpad) (about 2 bytes a weight). 0 when this
/// build's GEMM never reads widened weights (no "xw" kernel) or the count
/// does not fit size_t: then nothing is to be kept.
QDQ_API size_t qdq_qs8_gemm_widened_size(size_t n, size_t k);

/// Keeps the weights of a packed matrix widened to int16, as
/// qdq_qs8_gemm_widen_w makes them, in the qdq_qs8_gemm_widened_size(n, k)
/// bytes that follow its qdq_qs8_gemm_packed_size(n, k) bytes, and records
/// their offset in the trailer (kept). The operators (qdq_qs8_gemm,
/// qdq_dynamic_linear) then read this copy when a call would widen the
/// weights (m > 16 on the "xw" path), instead of widening them into a
/// workspace on every such call; the results are the same bytes. packed must
/// come from qdq_qs8_gemm_pack with the same n and k. Returns 0, doing
/// nothing when qdq_qs8_gemm_widened_size(n, k) is 0.
QDQ_API int qdq_qs8_gemm_keep_widened(size_t n, size_t k, void* packed);

/// Widens rows (1..4) rows of a (k bytes each, a_stride bytes apart) to
/// int16 in the packed-A layout the "xw" kernels read, padded to kpad (k
/// rounded up to a multiple of 4): for each chunk of 4 k, rows 0..3 x 4
/// values, out[16 c + 4 i + q] = (int8_t) (a[i][4 c + q] ^ flip) for i < rows
/// and 4 c + q < k, else 0. flip 0x80 takes uint8 bytes u to the int8 domain
/// (u - 128); 0 takes int8 bytes as they are. out holds 4 * kpad int16.
void qdq_qs8_gemm_pack_a16(size_t rows, size_t k, size_t kpad, const int8_t* a, size_t a_stride, uint8_t flip,
                           int16_t* out);

/// Int8 GEMM against packed B (G1, then G4 or G5). A is [m][k], int8 or
/// uint8 (QDQ_FLAG_UINT8 in a_flags), zero point a_zero_point in A's dtype.
/// y_kind selects the output:
///   QDQ_GEMM_OUT_INT32: int32 Y (ONNX MatMulInteger)
///   QDQ_GEMM_OUT_INT8 / _UINT8: clamp(roundHalfEven(float(Y) * mult[j]) + y_zero_point,
///                               y_min, y_max)  (QLinearMatMul, quantized Linear)
///   QDQ_GEMM_OUT_FLOAT: float(Y) * mult[j] + bias[j] (bias may be NULL)
/// multipliers: n floats (unused for int32). Returns 0, QDQ_ERROR_K_TOO_LARGE
/// or QDQ_ERROR_OUT_OF_MEMORY. It mallocs, and frees before returning, a
/// workspace of about 3 * m * k bytes (A staged as int8 and int16), 4 * (2 * m + n)
/// bytes of row and column terms, an int32 tile of 4 rows by one column block,
/// and, for m > 16, the weights widened to int16, unless packed keeps them
/// (qdq_qs8_gemm_keep_widened): all of them (2 * n * kpad
/// bytes) when that is at most 8 MiB (QDQ_GEMM_SHARED_WX_BYTES, gemm.c), else one
/// column block (~192 KiB); the tile, and the widened block beyond 8 MiB, once
/// per thread when the shared-memory builds split the call over threads
/// (docs/threads.md), all allocated before the split. Results do not depend
/// on the number of tasks.
QDQ_API int qdq_qs8_gemm(size_t m, size_t n, size_t k, const void* a, uint32_t a_flags,
                 int32_t a_zero_point, const void* packed, void* y, uint32_t y_kind,
                 const float* multipliers, const float* bias, int32_t y_zero_point,
                 int32_t y_min, int32_t y_max);

/// Dynamically quantized Linear (G8), as torch.ao.nn.quantized.dynamic.Linear
/// on QNNPACK, or ONNX DynamicQuantizeMatMul with QDQ_FLAG_ONNX_QPARAMS:
///   1. scale, zp from min/max of all of x (uint8, [0, 255], or [0, 127]
///      with QDQ_FLAG_REDUCE_RANGE), as qdq_dynamic_qparams
///   2. xq = quantize(x) (x * (1 / scale), or x / scale for ONNX)
///   3. y[i][j] = float(Y[i][j]) * float(scale * w_scales[j]) + bias[j]
/// packed holds W (int8, packed with a_zero_point 0). x is [m][k] float,
/// y [m][n] float, bias n floats or NULL. qparams_out (may be NULL) gets
/// {scale, zero_point}. Returns 0, the negative errors of qdq_qs8_gemm, or
/// 1 + the index of the first NaN or infinity in x (nothing is written then).
QDQ_API long qdq_dynamic_linear(size_t m, size_t n, size_t k, const float* x, const void* packed,
                        const float* w_scales, const float* bias, float* y, uint32_t flags,
                        float* qparams_out);

/// Activation qparams of dynamic quantization from the range [min, max]
/// (min <= max, finite). PyTorch (flags without QDQ_FLAG_ONNX_QPARAMS):
/// quant_utils::ChooseQuantizationParams with qmin = 0, qmax = 255 (or 127),
/// in double, scale rounded to float. ONNX DynamicQuantizeLinear:
/// scale = (max' - min') / qmax in float, zp = clamp(roundHalfEven(0 - min' / scale)).
/// Writes {scale, zero_point} to out.
QDQ_API void qdq_dynamic_qparams(float min, float max, uint32_t flags, float* out);

/// torch 1.13's quant_utils::ChooseQuantizationParams (QuantUtils.h), what
/// fused_moving_avg_obs_fake_quant (FusedMovingAvgObsFakeQuantize, QAT) uses,
/// for n ranges [mins[i], maxs[i]] (min <= max, finite) into [qmin, qmax]
/// (E12, docs/quantization.md), each step in torch's precision:
///   1. with QDQ_CHOOSE_PRESERVE_SPARSITY and min < 0 < max, with the integer
///      halves sqmin = -((qmax - qmin) / 2 + 1), sqmax = (qmax - qmin) / 2:
///        max_scale = double(max(|float(min / sqmin)|, |float(max / sqmax)|))
///        (float divisions: the quotients may underflow to 0), then
///        min = float(max_scale * sqmin), max = float(max_scale * sqmax)
///   2. min = std::min(min, 0.f), max = std::max(max, 0.f)      (float)
///   3. scale = (double(max) - min) / (qmax - qmin)             (double); 0.1
///      when float(scale) is 0 or 1.0f / float(scale) overflows
///   4. scale < 6.1e-5f: scale = double(6.1e-5f), and max = 6.1e-5f * (qmax -
///      qmin) when min == 0, else min = -6.1e-5f * (qmax - qmin) when max == 0,
///      else min and max times float(6.1e-5f / float(scale))   (all float)
///   5. zp from min: qmin - min / scale, from max: qmax - max / scale (double);
///      the one whose |q| - |x / scale| is smaller (from max on a tie); or
///      (qmin + qmax) / 2 when preserving sparsity and the adjusted min < 0 <
///      max; clamped to [qmin, qmax], else rounded half to even
///   scales[i] = float(scale) (the fused op's float tensor).
/// force_scale_power_of_two and reduce_range (false in the fused op) are not
/// implemented. Unlike the Python observers (E2, E3), symmetric ranges use
/// 127 / 128 steps, not 127.5. A 1-step symmetric range (qmax - qmin = 1)
/// gives a NaN scale and zero point qmin, where torch raises.
#define QDQ_CHOOSE_PRESERVE_SPARSITY 1u
QDQ_API void qdq_choose_qparams(size_t n, const float* mins, const float* maxs, int32_t qmin, int32_t qmax,
                                uint32_t flags, float* scales, int32_t* zero_points);

/// Bytes of a packed float matrix for n columns and depth k:
/// round_up(n, 8) * (k + 1) * 4; 0 when that does not fit size_t.
QDQ_API size_t qdq_f32_gemm_packed_size(size_t n, size_t k);

/// Packs B (float, [k][n], or [n][k] with QDQ_FLAG_TRANSPOSED) and bias
/// (n floats or NULL) for qdq_f32_gemm: per block of NR = 8 columns,
/// NR float biases then k rows of NR floats.
QDQ_API int qdq_f32_gemm_pack(size_t n, size_t k, const float* b, uint32_t b_flags, const float* bias,
                      void* packed);

/// Float GEMM (G6) against packed B: y[m][n] from a[m][k]. Returns 0.
QDQ_API int qdq_f32_gemm(size_t m, size_t n, size_t k, const float* a, const void* packed, float* y);

/* ---------------------------------------------------------------------------
 * The parameters of quantized Linear layers (src/operators/linear-params.c).
 * ------------------------------------------------------------------------- */

/* qdq_linear_weight_quantize: one scale per output channel (row of W). */
#define QDQ_WEIGHT_PER_CHANNEL 1u

/// Requantization multipliers (G4a), as onnxruntime's QLinearMatMul
/// (ComputeOutputScale) and torch 1.13's XNNPACK fully-connected path (qint8
/// activations, per-tensor weights) build them, for j < n:
///   multipliers[j] = float(float(a_scale * b_scales[j]) / y_scale)
/// Scales are float32 steps (> 0).
QDQ_API void qdq_requantization_multipliers(size_t n, float a_scale, const float* b_scales,
                                            float y_scale, float* multipliers);

/// Requantization multipliers (G4b), as torch's QNNPACK quantized Linear
/// (quint8 activations) builds them in generate_requantization_scales
/// (aten/src/ATen/native/quantized/cpu/QnnpackUtils.h), for j < n:
///   inverse = float(1 / y_scale)
///   multipliers[j] = float(float(b_scales[j] * a_scale) * inverse)
/// The reciprocal is rounded before the multiply: near a .5 tie of
/// float(acc) * multiplier this and G4a round to different integers. torch
/// raises where a multiplier is not a normal float; this computes it anyway.
QDQ_API void qdq_qnnpack_requantization_multipliers(size_t n, float a_scale, const float* b_scales,
                                                    float y_scale, float* multipliers);

/// The int32 bias of a static quantized Linear, as torch quantizes a float
/// bias to qint32 with scale weight_scale * input_scale (G9), for j < n:
///   s = float(double(w_scales[j]) * input_scale)
///   out[j] = clamp(roundHalfEven(bias[j] * float(1 / s)), INT32_MIN, INT32_MAX)
/// (a NaN product, from s = 0, gives 0). input_scale is the caller's double,
/// as torch's q_scale(). Returns -1, or the index of the first NaN or
/// infinite bias (nothing is written then).
QDQ_API long qdq_quantize_bias(size_t n, const float* bias, const float* w_scales,
                               double input_scale, int32_t* out);

/// Symmetric int8 quantization of a Linear weight W [n][k] (row-major, as
/// torch.nn.Linear.weight), as torch's default weight observers then
/// quantize_per_channel / quantize_per_tensor compute it:
///   per channel (QDQ_WEIGHT_PER_CHANNEL): for each row j, [min_j, max_j] of
///   W[j][:], then E1, E3 with qmin = -128, qmax = 127, eps = 2^-23 (zero
///   point 0), then q = E5b (x * (1 / scale)); per tensor: one range for all.
/// q: n * k int8 out. scales: n floats out (per tensor: the one scale,
/// repeated). Returns -1, the index of the first NaN or infinity in W,
/// QDQ_ERROR_SIZE_OVERFLOW, or QDQ_ERROR_OUT_OF_MEMORY (it mallocs 12 bytes per
/// channel of scratch and frees it before returning).
QDQ_API long qdq_linear_weight_quantize(size_t n, size_t k, const float* w, uint32_t flags,
                                        int8_t* q, float* scales);

/* Int8 GEMM microkernels (src/qs8-qc8w-gemm/): int32 accumulators out.
 *   c[i][j] = pb[j] + sum_{l < round_up(kc, 4)} a[i][l] * w[l][j]
 * for i < mr <= MR, j < nc. a rows are a_stride bytes apart; a kernel reads
 * round_up(kc, 4) bytes of each row (up to 3 past kc, which the zero-padded
 * weights cancel). c rows are cm_stride bytes apart. w is packed by
 * qdq_qs8_gemm_pack. The wasmrelaxedsimd kernels require every a in [0, 127]
 * (i7 operand, G7). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const int8_t* a, size_t a_stride, \
            const void* w, int32_t* c, size_t cm_stride);
#include "qs8-qc8w-gemm/qs8-qc8w-gemm.inc"
#undef QDQ_UKERNEL

/* Int8 GEMM microkernels on activations widened to int16 by the operator
 * (src/qs16-qc8w-gemm/): as above, but a is int16 (values in [-128, 127]),
 * a_stride in bytes, and rows are read to round_up(kc, KR) elements.
 * Widening once per row in the operator, instead of once per row per column
 * block in the kernel, lets the activation pair be splatted by one load. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const int16_t* a, size_t a_stride, \
            const void* w, int32_t* c, size_t cm_stride);
#include "qs16-qc8w-gemm/qs16-qc8w-gemm.inc"
#undef QDQ_UKERNEL

/* The same on weights pre-widened to int16 by qdq_qs8_gemm_widen_w and
 * activations packed per 4 rows by qdq_qs8_gemm_pack_a16 (a_stride is
 * ignored; src/qs16-qc8w-gemm-xw/). Rows mr..3 of the packed group are read
 * and their results dropped. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const int16_t* a, size_t a_stride, \
            const void* w, int32_t* c, size_t cm_stride);
#include "qs16-qc8w-gemm-xw/qs16-qc8w-gemm-xw.inc"
#undef QDQ_UKERNEL

/* The xw kernels' arithmetic on the c4 packing of qdq_qs8_gemm_pack (w),
 * writing the widened copy of the nc columns' groups to wx in
 * qdq_qs8_gemm_widen_w's layout as they are read, unless wx is NULL
 * (src/qs16-qc8w-gemm-xwiden/). c is the xw kernel's, bit for bit. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const int16_t* a, size_t a_stride, \
            const void* w, int32_t* c, size_t cm_stride, int16_t* wx);
#include "qs16-qc8w-gemm-xwiden/qs16-qc8w-gemm-xwiden.inc"
#undef QDQ_UKERNEL

/* Float GEMM microkernels (src/f32-gemm/): c[i][j] = bias[j] + sum a*w, in
 * order; kc in bytes (k * 4). Reads exactly kc bytes of each a row. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, \
            const void* w, float* c, size_t cm_stride);
#include "f32-gemm/f32-gemm.inc"
#undef QDQ_UKERNEL

/* ---------------------------------------------------------------------------
 * Calibration observers (issue 9): torch 1.13's HistogramObserver, bit for
 * bit, and the percentile and entropy calibrators of onnxruntime/TensorRT.
 * docs/observers.md derives the formulas; equation numbers H1-H9, P1-P3 and
 * K1-K5 refer to it. All state lives in caller-owned memory (JS owns it).
 * ------------------------------------------------------------------------- */

/* Binning of float32 values into a float32 histogram, as torch.histc on CPU
 * (aten/src/ATen/native/cpu/HistogramKernel.cpp, LINEAR_INTERPOLATION). */
struct qdq_f32_histc_params {
  float left;    /* leftmost bin edge (float) */
  float right;   /* rightmost bin edge (float) */
  float range;   /* right - left, rounded to float */
  float bins;    /* number of bins, as float */
  uint32_t last; /* bins - 1 */
  /* hist holds `copies` interleaved histograms, 1 or 4: element i of a call
   * counts in copy i mod copies, so that runs of one bin (sorted data, ReLU's
   * zeros) add to several counts instead of waiting on one (H2b). */
  uint32_t copies;
};

/// Fills p as torch.histc(x, bins, min=lo, max=hi) sets up its edges (H1),
/// given lo < hi, both finite doubles (the caller applies histc's rules for
/// lo == hi, see qdq_histogram_observer_prepare):
///   lo' = float(lo), hi' = float(hi), step = (hi' - lo') / float(bins)
///   left  = lo' + step * 0
///   right = hi' - step * 0                        if (bins + 1) % 16 != 0
///         = fl(fma(-step, 7, hi') + fl(7 * step))  if (bins + 1) % 16 == 0
/// the first and last elements of torch.linspace(lo, hi, bins + 1) as torch
/// 1.13's 8-lane vector kernel computes them on one thread (docs/observers.md
/// H1, L1-L3): for 15, 31, ..., 2047 bins the last edge is a vector's lane 7,
/// which may lie below hi'. left and right are NaN, and nothing is binned,
/// when hi' - lo' overflows float. 1 <= bins <= 2^24. copies = 1.
void qdq_init_f32_histc_params(struct qdq_f32_histc_params* p, size_t bins, double lo,
                               double hi);

/// Reference binning (H2): for each x = x[i] with left <= x <= right (NaN
/// skipped),
///   v = ((x - left) / range) * bins          (float, in this order: torch 1.13)
///   hist[min(trunc(v), bins - 1) * copies + i mod copies] += 1.0f
/// v NaN gives bin 0 (torch: undefined). Counts are float additions of 1, as
/// torch's single-thread kernel: exact up to 2^24 per bin. With copies, bin
/// b's count is the sum of its copies' counts, capped at 2^24 (H2b).
void qdq_reference_f32_rhistc(size_t n, const float* x, float* hist,
                              const struct qdq_f32_histc_params* p);

/* Histogram binning kernels (src/f32-rhistc/): H2 on batch bytes of input,
 * adding into hist (bins * copies floats, caller-owned). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* input, float* hist, \
            const struct qdq_f32_histc_params* params);
#include "f32-rhistc/f32-rhistc.inc"
#undef QDQ_UKERNEL

/// Bins n elements of x into hist (H2, bins * p->copies floats) with
/// the build's kernel. Returns 0.
int qdq_histc(const float* x, size_t n, const struct qdq_f32_histc_params* p, float* hist);

/// torch.sum of a contiguous float32 tensor on CPU as torch 1.13 computes
/// it (H9): float accumulators, 8 lanes (AVX2 and default builds), four
/// interleaved vector rows, a four-level cascade, then the tail and the
/// lanes in order. The order matters: the observer's search compares sums.
float qdq_torch_sum_f32(size_t n, const float* x);

/* Flags of the histogram observer. */
/* histc over [min, max] as floats, as PyTorch >= 2.0 (pytorch#90355) does,
 * instead of torch 1.13's histc(min=int(min), max=int(max)) (H3). */
#define QDQ_HISTOGRAM_EXACT_BOUNDS 1u

/* What qdq_histogram_observer_commit does with a batch (H4). */
#define QDQ_HISTOGRAM_RESET 0u   /* first batch, or the state's min == max */
#define QDQ_HISTOGRAM_ADD 1u     /* the batch fell inside the state's range */
#define QDQ_HISTOGRAM_COMBINE 2u /* the range grew: resample the old histogram */

/* Errors where torch 1.13 raises. */
#define QDQ_ERROR_HISTOGRAM_INT64 (-5) /* int(min) or int(max) past int64 (truncated bounds) */
#define QDQ_ERROR_HISTOGRAM_RANGE (-6) /* downsample rate not finite or past 2^62 / bins */
#define QDQ_ERROR_HISTOGRAM_SHAPE (-7) /* start_idx + bins * upsample > bins * downsample */

/* One batch's update, filled by prepare and consumed by commit. The caller
 * owns it (qdq_histogram_update_size() bytes); JS treats it as opaque. */
struct qdq_histogram_update {
  struct qdq_f32_histc_params histc; /* how to bin this batch (H1, H3) */
  float min;                         /* the state's min_val after commit */
  float max;                         /* the state's max_val after commit (H5) */
  uint32_t kind;                     /* QDQ_HISTOGRAM_RESET / _ADD / _COMBINE */
  uint32_t flags;
  uint64_t downsample_rate;          /* H5, COMBINE only */
  uint64_t start_idx;                /* H5, COMBINE only */
};

/// sizeof(struct qdq_histogram_update).
size_t qdq_histogram_update_size(void);

/// HistogramObserver.forward, step 1 of 3 (H3-H5). state is the observer,
/// 2 + bins floats, caller-owned:
///   state[0] = min_val, state[1] = max_val, state[2 + i] = histogram[i]
/// (reset: +Inf, -Inf, zeros). x_min, x_max: torch.aminmax of the batch
/// (finite; qdq_minmax computes them). Decides the kind of update, the new
/// range and the histc bounds, into u. The caller then zeroes a scratch
/// histogram of bins floats, bins the batch into it with qdq_histc(...,
/// &u->histc, ...) (in chunks if it likes), and calls commit.
/// flags: QDQ_HISTOGRAM_EXACT_BOUNDS or 0. upsample_rate >= 1 (torch: 128).
/// Returns 0 or a QDQ_ERROR_HISTOGRAM_* code (state untouched).
int qdq_histogram_observer_prepare(const float* state, size_t bins, size_t upsample_rate,
                                   float x_min, float x_max, uint32_t flags,
                                   struct qdq_histogram_update* u);

/// HistogramObserver.forward, step 3 of 3 (H6-H7): merges the batch's
/// histogram (bins floats, from qdq_histc; overwritten) into state:
///   RESET:   histogram = batch
///   ADD:     histogram = batch + histogram                  (float)
///   COMBINE: histogram = batch + resample(histogram)        (H6, H7)
/// then min_val = u->min, max_val = u->max. Returns 0, or
/// QDQ_ERROR_HISTOGRAM_SHAPE where torch raises (state untouched).
int qdq_histogram_observer_commit(float* state, size_t bins, size_t upsample_rate,
                                  const struct qdq_histogram_update* u, float* batch_hist);

/// The whole of HistogramObserver.forward(x) for x in wasm memory (n finite
/// floats; n == 0 does nothing). scratch: bins floats. Returns 0, the errors
/// above, or 1 + the index of the first NaN or infinity in x (torch 1.13
/// fails or produces garbage there; nothing is changed). In the shared-memory
/// builds the batch's histogram may be binned on the host's threads, a
/// histogram each (up to 65536 bins), and where neighbouring elements often
/// share a bin, into 4 interleaved copies (H2b); all summed as min(sum, 2^24):
/// the counts one thread's float additions of 1 give. flags: QDQ_HISTOGRAM_EXACT_BOUNDS, and
/// QDQ_FLAG_INPUT_STREAMED when x arrives through the first region, its
/// min/max, on the threads that then bin it; a zero min or max of the batch
/// may then go into the state with the other sign (the JS API sets it as
/// torch.aminmax does either way), the counts and the rest are the same.
QDQ_API long qdq_histogram_observer_observe(float* state, size_t bins, size_t upsample_rate,
                                            const float* x, size_t n, uint32_t flags, float* scratch);

/// The threads qdq_histogram_observer_observe bins n elements into `bins`
/// bins on (the host's choice; 1 without shared memory): its min/max region
/// runs on as many, so a host streams x in only when this is more than 1
/// (on one thread a streamed region would be the copy plus overhead).
QDQ_API size_t qdq_histogram_observer_threads(size_t n, size_t bins);

/// HistogramObserver.calculate_qparams (H8, then E1-E4): the L2 search of
/// _non_linear_param_search over the histogram gives [new_min, new_max],
/// then qdq_calculate_qparams(qmin, qmax, qparams_flags, eps). out receives
/// {scale, new_min, new_max}; *zero_point the zero point. An unobserved
/// state gives scale 1, zero point 0, range (+Inf, -Inf). Allocates and frees
/// 2 * bins floats. Returns 0 or QDQ_ERROR_OUT_OF_MEMORY.
QDQ_API int qdq_histogram_observer_qparams(const float* state, size_t bins, int32_t qmin, int32_t qmax,
                                           uint32_t qparams_flags, float eps, float* out,
                                           int32_t* zero_point);

/* Percentile and entropy calibration (P1-P3, K1-K5, docs/observers.md), as
 * onnxruntime's HistogramCollector (quantization/calibrate.py) defines them,
 * computed in double. State: doubles, caller-owned, growable:
 *   s[0] = lo (first bin edge), s[1] = width (bin width; edges lo + i * width)
 *   s[2] = min_val, s[3] = max_val (of the raw values seen, float values)
 *   s[4] = bins (current bin count), s[5] = threshold T (without QDQ_CALIB_ABSOLUTE)
 *   s[6 + i] = count of bin i, for i < bins
 * Reset: {0, 0, +Inf, -Inf, num_bins, 0, zeros}. The bin count grows when
 * the range does: call qdq_calib_histogram_bins_after first and give the
 * state room for 6 + that many doubles. */
#define QDQ_CALIB_STATE_HEADER 6
/* Histogram |x| over [min |x|, max |x|] of the first batch, growing on the
 * right (collect_absolute_value: percentile, symmetric). Without it, x over
 * [-T, T], T = max |x|, growing on both sides (collect_value: entropy and
 * asymmetric percentile). */
#define QDQ_CALIB_ABSOLUTE 1u

/* Binning of float32 values into double counts, as onnxruntime's
 * HistogramCollector bins each batch (P2): bins of equal width from a first
 * edge, the top edge closed. */
struct qdq_f32_f64_hist_params {
  double lo;         /* the first edge */
  double width;      /* the bins' width, > 0 */
  uint32_t bins;     /* >= 1 */
  uint32_t absolute; /* nonzero: bin |x| (QDQ_CALIB_ABSOLUTE) */
};

/// Reference binning (P2): for each x, v = (double) x, or fabs((double) x)
/// when absolute, q = (v - lo) / width in double, and when q >= 0 (NaN and
/// values below lo skipped):
///   counts[q >= bins ? bins - 1 : trunc(q)] += 1.0
/// Counts are double additions of 1: exact to 2^53.
void qdq_reference_f32_f64_rhist(size_t n, const float* x, double* counts,
                                 const struct qdq_f32_f64_hist_params* p);

/* Binning kernels (src/f32-f64-rhist/): P2 on batch bytes of input, adding
 * into counts (bins doubles, caller-owned). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* input, double* counts, \
            const struct qdq_f32_f64_hist_params* params);
#include "f32-f64-rhist/f32-f64-rhist.inc"
#undef QDQ_UKERNEL

/// The bin count the state will have after observing a batch whose min and
/// max are x_min, x_max (finite), per P1/P2 (K1 shares P2). 0 when the
/// growth is past 2^40 bins (the caller reports it).
QDQ_API size_t qdq_calib_histogram_bins_after(const double* state, float x_min, float x_max, uint32_t flags);

/// Observes n finite floats x (x_min, x_max their min and max) into state,
/// which must have room for 6 + qdq_calib_histogram_bins_after(...) doubles
/// (P1, P2). Returns 0, or QDQ_ERROR_HISTOGRAM_RANGE when the growth is too
/// large (state untouched). In the shared-memory builds the batch may be
/// binned on the host's threads, counts each (up to 65536 bins), added to the
/// state's: integers in double, exact, so the same bytes as one thread.
/// With QDQ_FLAG_INPUT_STREAMED in flags, x arrives through the binning
/// region (its only pass over x), except for the first batch of a
/// QDQ_CALIB_ABSOLUTE state, which needs x first: QDQ_ERROR_BAD_SIZE then.
QDQ_API int qdq_calib_histogram_observe(double* state, const float* x, size_t n, float x_min, float x_max,
                                        uint32_t flags);

/// The threads qdq_calib_histogram_observe bins n elements into `bins` bins
/// on, x streamed (the host's choice; 1 without shared memory). A host
/// streams x (into the binning, and into the min/max before it) only when
/// this is more than 1: on one thread a streamed region is the copy plus
/// its overhead.
QDQ_API size_t qdq_calib_histogram_threads(size_t n, size_t bins);

/// Percentile range (P3): cdf_i = sum_{j<=i} (h_j / total) in double, in
/// order; idx(v) = the first i with cdf_i >= v. QDQ_CALIB_ABSOLUTE state:
/// t = edge(idx(percentile / 100)), range [-t, t]; otherwise, with
/// c = (100 - percentile) / 200, range [edge(idx(c)), edge(idx(1 - c))]. Both
/// clamped to [min_val, max_val]. out: {lo, hi} as floats. Returns 0, or -1
/// when nothing was observed (out = {+Inf, -Inf}).
QDQ_API int qdq_calib_percentile_range(const double* state, double percentile, uint32_t flags, float* out);

/* Entropy: q averages in double, not truncated to integers as onnxruntime's
 * int64 q array does (TensorRT's calibrator keeps them fractional). */
#define QDQ_ENTROPY_FRACTIONAL_Q 1u

/// Entropy (KL-divergence) range (K2-K5) of a signed state (no
/// QDQ_CALIB_ABSOLUTE), as onnxruntime's get_entropy_threshold: for each
/// half-width i from quantized_bins / 2 to bins / 2, the slice of 2i + 1
/// bins around the zero bin is the reference p (outliers folded into its end
/// bins); the slice merged into quantized_bins bins, each spread back over
/// its source bins as sum / (nonzero bins of p among them), truncated to an
/// integer unless QDQ_ENTROPY_FRACTIONAL_Q, is q; both smoothed (eps = 1e-4);
/// the range of the first i with the least KL(p || q) wins, clamped to
/// [min_val, max_val]. out: {lo, hi}.
/// Allocates 3 * bins doubles. Returns 0, -1 when nothing was observed,
/// QDQ_ERROR_HISTOGRAM_RANGE when quantized_bins is 0 or bins / 2 <
/// quantized_bins / 2 (no candidate), or QDQ_ERROR_OUT_OF_MEMORY.
QDQ_API int qdq_calib_entropy_range(const double* state, size_t quantized_bins, uint32_t flags, float* out);

/* ---------------------------------------------------------------------------
 * Blockwise 4- and 8-bit weights (issue 11): ONNX com.microsoft MatMulNBits
 * and opset-21 blockwise DequantizeLinear. docs/blockwise.md derives the
 * formulas; equation numbers B1-B9 refer to it.
 *
 * Weights W are [n][k] (n output columns, k the reduction depth, as a
 * PyTorch Linear weight and as MatMulNBits's transposed B), quantized in
 * blocks of block_size consecutive elements along k; kb = ceil(k / block_size)
 * blocks per column, the last one short when block_size does not divide k.
 * MatMulNBits layout ("ORT layout"), as onnxruntime stores it:
 *   b            uint8 [n][kb][block_size * bits / 8]; 4 bits: element 2t in
 *                the low nibble of byte t, element 2t + 1 in the high nibble;
 *                elements past k in the last block are ignored on input and
 *                written as the zero point on output
 *   scales       float [n][kb]
 *   zero_points  uint8 [n][ceil(kb / 2)] (4 bits: block 2t low nibble, 2t + 1
 *                high) or [n][kb] (8 bits), unsigned; NULL means the default
 *                2^(bits-1) (8 or 128)
 * Every operator checks its sizes and returns QDQ_ERROR_BAD_SIZE for bits
 * not in {4, 8} or block_size not in {16, 32, 64, 128, 256}, and
 * QDQ_ERROR_SIZE_OVERFLOW for a byte count that does not fit in size_t
 * (wasm32: 32 bits).
 * ------------------------------------------------------------------------- */

/* Unsupported bits or block size, or a packed weight of another shape. Sizes
 * whose byte counts overflow size_t give QDQ_ERROR_SIZE_OVERFLOW. -8: main's
 * histogram observers use -5 to -7. */
#define QDQ_ERROR_BAD_SIZE (-8)

/* Flags of qdq_quantize_blockwise. */
/* No zero points: onnxruntime's range2scale (B2) instead of range2scalezp (B1). */
#define QDQ_NBITS_SYMMETRIC 1u
/* Round half to even (nearbyintf) instead of onnxruntime's roundf (half away
 * from zero): the B3 rounding of the same scales, for users who want ONNX
 * QuantizeLinear's rounding; the result then differs from onnxruntime's
 * quantizer at exact ties only. */
#define QDQ_NBITS_ROUND_EVEN 2u
/* Flags of qdq_nbits_matmul. */
/* Accuracy level 4: activations quantized per block to int8 (B5), integer
 * block dot products (B6). Without it, level 0: float products (B7). */
#define QDQ_NBITS_ACCURACY_INT8 4u
/* Flags of the DequantizeLinear conversions: the DQ element type is signed
 * (int4 / int8, value q - 2^(bits-1)); without it, unsigned (uint4 / uint8). */
#define QDQ_NBITS_DQ_SIGNED 8u

/// Block parameters of one block x[0..len) as onnxruntime's MlasQuantizeBlockwise
/// (q4_dq.cpp), in float, with qmax = 2^bits - 1 and mid = 2^(bits-1):
///   asymmetric (B1, range2scalezp):
///     lo = min(min x, 0), hi = max(max x, 0), scale = (hi - lo) / qmax,
///     zp = scale != 0 ? clamp(roundf(-lo / scale), 0, qmax) : 0
///     (when hi - lo overflows float, scale = 2 ((hi / 2 - lo / 2) / qmax): the
///     same quotient rounded once without float's range, where MLAS's is inf)
///   symmetric (B2, range2scale): v = the x of largest magnitude (the minimum
///     on a tie of magnitudes), scale = -v / mid (so the largest magnitude
///     maps to q = 0 when positive, and the scale is then negative), zp = mid
/// len >= 1 and every x finite. Writes *scale and *zero_point.
void qdq_reference_nbits_block_params(size_t len, const float* x, int bits, uint32_t flags,
                                      float* scale, int32_t* zero_point);

/// Quantizes one value (B3): r = scale != 0 ? 1 / scale : 0 (float),
///   q = clamp(roundf(x * r + zp), 0, 2^bits - 1)
/// with x * r + zp one float multiply then one float add, as onnxruntime;
/// QDQ_NBITS_ROUND_EVEN in flags rounds half to even instead. 1 / scale is
/// rounded to float's 24 bits without float's range limit (it overflows
/// float from |scale| <= 2^-128): for |scale| < 2^-64, x * r is computed as
/// (x * 2^64) * (1 / (scale * 2^64)), the same one rounding of x * r.
int32_t qdq_reference_nbits_quantize_value(float x, float scale, int32_t zero_point, int bits,
                                           uint32_t flags);

/// Level-4 activation quantization of one row (B5), as MLAS QuantizeARow_CompInt8:
/// per block of block_size elements (the last may be short):
///   amax = max |a| (NaN never wins), s = amax / 127, r = s != 0 ? 1 / s' : 0,
///   q[l] = clamp(roundf(a[l] * r), -128, 127)
/// where s' = amax / 127 and 1 / s' are rounded to float's 24 bits without
/// float's range limits: s' = s unless s is subnormal, and 1 / s' never
/// overflows (MLAS's 1 / s does below amax = 127 * 2^-128). For amax < 2^-64
/// this is computed on a * 2^64 and amax * 2^64 (exact), so q is in
/// [-127, 127] for every block and 0 where a is 0.
/// writes q (k elements), scales[b] = s and sums[b] = sum of the block's q.
/// Requires finite a.
void qdq_reference_nbits_quantize_activations(size_t k, size_t block_size, const float* a,
                                              int8_t* q, float* scales, int32_t* sums);

/// Reference MatMulNBits (B4 and B6, or B7), plain loops on the ORT layout:
/// w[j][l] = (float) (q[j][l] - zp[j][b]) * scale[j][b] (B4, b = l / block_size).
/// With QDQ_NBITS_ACCURACY_INT8 (level 4, B6): activations quantized by B5, then
///   y[i][j] = bias[j] (or +0), then for each block b in order:
///   y += ((float) D) * sa[i][b] * sb[j][b]   (left to right, each rounded)
///   D = sum_{l in block} qa[i][l] * (q[j][l] - zp[j][b])   (exact, int32)
/// Without it (level 0, B7): y[i][j] = +0, then for every l in
///   0 .. kb * block_size - 1 in order: y += a[i][l] * w[j][l], with a = +0 and
///   q = zp past k (so the padded terms are products of zeros); then
///   y += bias[j] (when bias is not NULL), as ONNX's A x dequant(B) + bias.
/// a is [m][k] float, y [m][n] float, bias n floats or NULL.
void qdq_reference_nbits_gemm(size_t m, size_t n, size_t k, int bits, size_t block_size,
                              const float* a, const uint8_t* b, const float* scales,
                              const uint8_t* zero_points, const float* bias, float* y,
                              uint32_t flags);

/// Blockwise quantization of w [n][k] to the ORT layout (B1-B3), as
/// MlasQuantizeBlockwise<float, bits> (columnwise). zero_points is written
/// unless QDQ_NBITS_SYMMETRIC (then it may be NULL). Elements past k in the
/// last block are written as the block's zero point. Returns 0,
/// QDQ_ERROR_BAD_SIZE, QDQ_ERROR_SIZE_OVERFLOW, or 1 + the index of the first non-finite w (nothing
/// is written then). This, qdq_dequantize_blockwise, qdq_blockwise_error_stats
/// and qdq_nbits_pack split their columns over the shared-memory builds'
/// threads (docs/threads.md T6): the same bytes on any thread count.
QDQ_API long qdq_quantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const float* w,
                            uint32_t flags, uint8_t* b, float* scales, uint8_t* zero_points);

/// Dequantization (B4) of the ORT layout to w [n][k]:
/// w = (float) (q - zp) * scale. zero_points may be NULL (default 2^(bits-1)).
/// Returns 0, QDQ_ERROR_BAD_SIZE or QDQ_ERROR_SIZE_OVERFLOW.
QDQ_API int qdq_dequantize_blockwise(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                             const float* scales, const uint8_t* zero_points, float* w);

/// Per-block error statistics (E10 per block) of w_hat against w, both [n][k]:
/// for block (j, b), in double: acc[3(j kb + b) + 0] = sum (w - w_hat)^2,
/// + 1 = sum w^2, + 2 = max |w - w_hat|. Overwrites acc (3 n kb doubles).
QDQ_API int qdq_blockwise_error_stats(size_t n, size_t k, size_t block_size, const float* w,
                              const float* w_hat, double* acc);

/// Converts the ORT layout to opset-21 blockwise DequantizeLinear inputs for
/// the MatMul weight B = W^T [k][n], axis 0, block_size (B8):
///   x [k][n] of int4/uint4 (two per byte, element i of the flat tensor in
///   byte i / 2, low nibble first) or int8/uint8, signed with
///   QDQ_NBITS_DQ_SIGNED (x = q - 2^(bits-1), zp likewise);
///   dq_scales float [kb][n]; dq_zero_points [kb][n] in x's type, packed like x
///   (may be NULL). Dequantized values are equal (B8): same integers minus the
///   same zero points times the same scales.
QDQ_API int qdq_nbits_to_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                    const float* scales, const uint8_t* zero_points, uint32_t flags, uint8_t* x,
                    float* dq_scales, uint8_t* dq_zero_points);

/// The inverse of qdq_nbits_to_dq: DequantizeLinear x [k][n], dq_scales
/// [kb][n] and dq_zero_points [kb][n] (NULL: 0, the DQ default) to the ORT
/// layout (zero_points always written). Returns 0, QDQ_ERROR_BAD_SIZE or
/// QDQ_ERROR_SIZE_OVERFLOW.
QDQ_API int qdq_nbits_from_dq(size_t n, size_t k, int bits, size_t block_size, const uint8_t* x,
                      const float* dq_scales, const uint8_t* dq_zero_points, uint32_t flags,
                      uint8_t* b, float* scales, uint8_t* zero_points);

/// Bytes of the packed form of an n x k weight (see qdq_nbits_pack), or 0
/// when the parameters are invalid or the size overflows size_t.
QDQ_API size_t qdq_nbits_packed_size(size_t n, size_t k, int bits, size_t block_size);

/// Packs MatMulNBits weights (ORT layout, zero_points NULL for the default)
/// for qdq_nbits_matmul, once per weight. Layout (NR = 8 columns per group):
///   header: uint32 {bits, block_size, n, k}
///   per group of 8 columns (n zero-padded to a multiple of 8), per block b:
///     float scale[8]; uint8 zp[8];
///     block_size / 4 chunks of 4 k-values: 4 bits: 16 bytes, byte 4c + r
///     holding column c (low nibble) and column c + 4 (high nibble) at
///     k = 4t + r; 8 bits: 32 bytes, byte 4c + r holding column c (c < 8).
///   Elements past k, and padded columns, hold the zero point (their terms
///   are zero); padded columns have scale 0.
/// The same layout serves every kernel and both builds. The zero point stays
/// per column and block: the integer kernels subtract zp * sum(qa) per block
/// (B6), exactly. packed: qdq_nbits_packed_size bytes, 4-aligned.
/// Returns 0, QDQ_ERROR_BAD_SIZE or QDQ_ERROR_SIZE_OVERFLOW.
QDQ_API int qdq_nbits_pack(size_t n, size_t k, int bits, size_t block_size, const uint8_t* b,
                   const float* scales, const uint8_t* zero_points, void* packed);

/// MatMulNBits: y [m][n] = a [m][k] x W^T + bias, with W the packed weight
/// (B6 with QDQ_NBITS_ACCURACY_INT8 in flags, else B7), bit for bit equal to
/// qdq_reference_nbits_gemm in every build. bias: n floats or NULL.
/// Returns 0, QDQ_ERROR_BAD_SIZE (n or k differ from the packed ones),
/// QDQ_ERROR_SIZE_OVERFLOW, QDQ_ERROR_OUT_OF_MEMORY, or, at level 4, 1 + the index
/// of the first NaN or infinity in a (nothing is written then). It mallocs,
/// and frees before returning, about m * (k + 8 * kb) + 4 * n bytes (m * (3 * k + 8 * kb)
/// + 4 * n for 4-bit weights at level 4 on builds that stage int16 activations);
/// at level 0, 4 * m * kb * block_size bytes when k is not a multiple of the
/// block, and from 8 rows a dequantized panel of about 256 KiB per task. The
/// shared-memory builds split the staging by rows and the kernels by column
/// groups of 8 over threads (docs/threads.md T6), everything allocated before
/// the split; results do not depend on the number of tasks.
QDQ_API long qdq_nbits_matmul(size_t m, size_t n, size_t k, const float* a, const void* packed,
                      const float* bias, float* y, uint32_t flags);

/* Blockwise integer GEMM microkernels (src/qs8-qb4w-gemm/, src/qs8-qb8w-gemm/),
 * level 4 (B6): for i < mr <= MR, j < nc, on weights packed by qdq_nbits_pack
 * (w at a column group's start; groups of 8 columns follow each other):
 *   c[i][j] = bias[j], then per block b < kb in order:
 *   c += ((float) (sum_l a[i][l] q[j][l] - zp[j][b] * a_sum[i][b])) * a_scale[i][b] * scale[j][b]
 * a rows (kb * bs int8 values in [-127, 127], as B5 gives them; the SIMD
 * kernels take a block's a_sum as int16) are a_stride bytes apart; a_scale and a_sum rows are
 * ap_stride elements apart; bias has round_up(nc, 8) floats; c rows are
 * cm_stride bytes apart, and only nc columns are written. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kb, size_t bs, const int8_t* a, size_t a_stride, \
            const float* a_scale, const int32_t* a_sum, size_t ap_stride, const void* w, \
            const float* bias, float* c, size_t cm_stride);
#include "qs8-qb4w-gemm/qs8-qb4w-gemm.inc"
#include "qs8-qb8w-gemm/qs8-qb8w-gemm.inc"
#undef QDQ_UKERNEL

/* Level-4 activation staging (src/f32-qs8-vquantblock/): B5 on one row of k
 * finite floats in blocks of block_size (16-256, a multiple of 16), as
 * qdq_reference_nbits_quantize_activations (1 / s' without overflow, for
 * blocks below max|a| = 2^-64 from a and max|a| scaled by 2^64), bit for bit:
 * q gets kb * block_size int8 (zero
 * past k), scales[b] = max|a| / 127 and sums[b] = the block's sum of q for each
 * of the kb = ceil(k / block_size) blocks; q16, unless NULL, gets the same
 * kb * block_size values as int16 pair-permuted for the qs16-qb4w kernels
 * (k = 4t + r at element 4t + {0, 2, 1, 3}[r]). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t k, size_t block_size, const float* a, int8_t* q, int16_t* q16, float* scales, \
            int32_t* sums);
#include "f32-qs8-vquantblock/f32-qs8-vquantblock.inc"
#undef QDQ_UKERNEL

/* Blockwise integer GEMM microkernels on int16 activations (src/qs16-qb4w-gemm/),
 * level 4 (B6): as the qs8-qb4w kernels above, with each row of a widened to
 * int16 and pair-permuted within each chunk of 4: k = 4t + r is element
 * 4t + {0, 2, 1, 3}[r] of the row (a0, a2, a1, a3), so that a 32-bit load
 * splats {a0, a2} or {a1, a3} against the nibbles of columns unpacked in
 * 16-bit lanes (src/qs16-qb4w-gemm/wasmsimd-dot16x2-c4.h). a rows (kb * bs
 * int16 values in [-127, 127]) are a_stride bytes apart. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kb, size_t bs, const int16_t* a, size_t a_stride, \
            const float* a_scale, const int32_t* a_sum, size_t ap_stride, const void* w, \
            const float* bias, float* c, size_t cm_stride);
#include "qs16-qb4w-gemm/qs16-qb4w-gemm.inc"
#undef QDQ_UKERNEL

/* Blockwise float GEMM microkernels (src/f32-qb4w-gemm/, src/f32-qb8w-gemm/),
 * level 0 (B7): c[i][j] = +0, then for l < kb * bs in order:
 * c += a[i][l] * ((float) (q[j][l] - zp[j][b]) * scale[j][b]), then c += bias[j].
 * a rows hold kb * bs floats (zero past k), a_stride bytes apart. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kb, size_t bs, const float* a, size_t a_stride, \
            const void* w, const float* bias, float* c, size_t cm_stride);
#include "f32-qb4w-gemm/f32-qb4w-gemm.inc"
#include "f32-qb8w-gemm/f32-qb8w-gemm.inc"
#undef QDQ_UKERNEL

/* ---------------------------------------------------------------------------
 * Float training (src/operators/train.c): the products of a Linear's backward
 * pass on unpacked operands, ReLU backward and the SGD step. Every operation
 * is one float32 multiply or add, rounded in the order written, except the
 * two fma() of T3, each rounded once (src/fma-f32.h):
 *   T1  Y[i][j] = sum_{l<k} op(A)[i][l] * B[l][j], from 0.0f, l = 0, 1, ...
 *       op(A) = A ([m][k]) or, with QDQ_FLAG_TRANSPOSED, A^T of A stored [k][m].
 *       For y = x W^T + b: dX = dY W (A = dY, B = W [out][in]) and
 *       dW = dY^T X (A = dY [batch][out] transposed, B = X [batch][in]).
 *   T2  dx[i] = y[i] > 0 ? dy[i] : +0 (y the ReLU's output; NaN gives +0).
 *   T3  torch.optim.SGD (dampening 0, not Nesterov), per element, as torch
 *       1.13's add(x, y, alpha) kernel computes x + alpha * y (fused):
 *       d = weight_decay != 0 ? fma(weight_decay, p, g) : g
 *       b = momentum != 0 and not the first step ? momentum * buf + d : d
 *       buf = b (when buf is not NULL);  p = fma(-lr, b, p)
 * ------------------------------------------------------------------------- */

/* qdq_sgd_step: the first step with this momentum buffer (torch starts it at d). */
#define QDQ_SGD_FIRST_STEP 1u

/* Derived SGD constants (qdq_init_f32_sgd_params): read_buffer is 1 when
 * momentum != 0 and this is not the first step. */
struct qdq_f32_sgd_params {
  float lr;
  float momentum;
  float weight_decay;
  uint32_t read_buffer;
};

/// Fills params for the f32-vsgd kernels from torch.optim.SGD's lr, momentum
/// and weight_decay (float32) and QDQ_SGD_* flags (T3).
void qdq_init_f32_sgd_params(struct qdq_f32_sgd_params* params, float lr, float momentum,
                             float weight_decay, uint32_t flags);

/// Reference T1: y [m][n] = op(A) B, B [k][n] row-major; a_flags may hold
/// QDQ_FLAG_TRANSPOSED (A stored [k][m]).
void qdq_reference_f32_matmul(size_t m, size_t n, size_t k, const float* a, uint32_t a_flags,
                              const float* b, float* y);
/// Reference T2 over n elements.
void qdq_reference_f32_relu_backward(size_t n, const float* y, const float* dy, float* dx);
/// Reference T3 over n elements; buffer may be NULL when params->read_buffer is 0.
void qdq_reference_f32_sgd(size_t n, float* param, const float* grad, float* buffer,
                           const struct qdq_f32_sgd_params* params);

/* Matrix-product microkernels (src/f32-matmul/): for i < mr, j < nc,
 * c[i][j] = T1 over l < kc / 4, where A's element (i, l) is at byte offset
 * i * a_stride + l * ak_stride of a, B's (l, j) at l * b_stride + 4 j of b
 * (unpacked, read up to 12 bytes past column nc), c rows cm_stride bytes
 * apart. kc may be 0 (c = +0). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, size_t ak_stride, \
            const float* b, size_t b_stride, float* c, size_t cm_stride);
#include "f32-matmul/f32-matmul.inc"
#undef QDQ_UKERNEL

/* ReLU backward (T2): batch bytes of y and dy in, dx out. */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, const float* y, const float* dy, float* dx);
#include "f32-vrelugrad/f32-vrelugrad.inc"
#undef QDQ_UKERNEL

/* SGD step (T3) over batch bytes, param updated in place; buffer may be NULL
 * when params->read_buffer is 0 (then it is not written). */
#define QDQ_UKERNEL(name, ...) \
  void name(size_t batch, float* param, const float* grad, float* buffer, \
            const struct qdq_f32_sgd_params* params);
#include "f32-vsgd/f32-vsgd.inc"
#undef QDQ_UKERNEL

/// T1: y [m][n] = op(A) B in float32, B [k][n] row-major and unpacked (no
/// packing step: training changes B every step). a_flags: 0 (A [m][k]) or
/// QDQ_FLAG_TRANSPOSED (A stored [k][m]). k = 0 gives zeros. In the
/// shared-memory builds, split by column groups of 8 over the host's threads
/// (the same kernel calls per element: the same bytes). Returns 0, or
/// QDQ_ERROR_SIZE_OVERFLOW when a byte count does not fit size_t.
QDQ_API int qdq_f32_matmul(size_t m, size_t n, size_t k, const float* a, uint32_t a_flags,
                           const float* b, float* y);

/// T2 over n elements: dx = dL/dx of y = relu(x) from y and dy = dL/dy. Returns 0.
QDQ_API int qdq_relu_backward(size_t n, const float* y, const float* dy, float* dx);

/// T3 over n elements, param updated in place, momentum_buffer (n floats,
/// caller-owned; NULL only with momentum 0) updated when not NULL. flags:
/// QDQ_SGD_FIRST_STEP on the buffer's first step. Returns 0.
QDQ_API int qdq_sgd_step(size_t n, float* param, const float* grad, float* momentum_buffer, float lr,
                         float momentum, float weight_decay, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* QDQ_H */
