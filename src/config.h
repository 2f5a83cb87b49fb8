/* The dispatch table: which kernel each operator calls on this build. */
#ifndef QDQ_CONFIG_H
#define QDQ_CONFIG_H

#include "qdq.h"

typedef void (*qdq_f32_qs8_vcvt_fn)(size_t, const float*, int8_t*,
                                    const struct qdq_f32_q8_cvt_params*);
typedef void (*qdq_f32_qs8_vquantblock_fn)(size_t, size_t, const float*, int8_t*, int16_t*, float*,
                                          int32_t*);
typedef void (*qdq_f32_qu8_vcvt_fn)(size_t, const float*, uint8_t*,
                                    const struct qdq_f32_q8_cvt_params*);
typedef void (*qdq_qs8_f32_vcvt_fn)(size_t, const int8_t*, float*,
                                    const struct qdq_q8_f32_cvt_params*);
typedef void (*qdq_qu8_f32_vcvt_fn)(size_t, const uint8_t*, float*,
                                    const struct qdq_q8_f32_cvt_params*);
typedef void (*qdq_f32_vfakequant_fn)(size_t, const float*, float*, uint8_t*,
                                      const struct qdq_f32_q8_cvt_params*);
typedef long (*qdq_f32_rminmax_fn)(size_t, const float*, float*, float*);
typedef void (*qdq_f32_rhistc_fn)(size_t, const float*, float*, const struct qdq_f32_histc_params*);
typedef void (*qdq_f32_f64_rhist_fn)(size_t, const float*, double*, const struct qdq_f32_f64_hist_params*);
typedef void (*qdq_qs8_gemm_fn)(size_t, size_t, size_t, const int8_t*, size_t, const void*,
                                int32_t*, size_t);
typedef void (*qdq_qs16_gemm_fn)(size_t, size_t, size_t, const int16_t*, size_t, const void*,
                                 int32_t*, size_t);
typedef void (*qdq_qs16_gemm_widen_fn)(size_t, size_t, size_t, const int16_t*, size_t, const void*,
                                       int32_t*, size_t, int16_t*);
typedef void (*qdq_f32_gemm_fn)(size_t, size_t, size_t, const float*, size_t, const void*,
                                float*, size_t);

typedef void (*qdq_f32_matmul_fn)(size_t, size_t, size_t, const float*, size_t, size_t, const float*,
                                  size_t, float*, size_t);
typedef void (*qdq_f32_vrelugrad_fn)(size_t, const float*, const float*, float*);
typedef void (*qdq_f32_vsgd_fn)(size_t, float*, const float*, float*, const struct qdq_f32_sgd_params*);

typedef void (*qdq_qs8_qbw_gemm_fn)(size_t, size_t, size_t, size_t, const int8_t*, size_t,
                                    const float*, const int32_t*, size_t, const void*,
                                    const float*, float*, size_t);
typedef void (*qdq_qs16_qbw_gemm_fn)(size_t, size_t, size_t, size_t, const int16_t*, size_t,
                                     const float*, const int32_t*, size_t, const void*,
                                     const float*, float*, size_t);
typedef void (*qdq_f32_qbw_gemm_fn)(size_t, size_t, size_t, size_t, const float*, size_t,
                                    const void*, const float*, float*, size_t);

struct qdq_config {
  qdq_f32_qs8_vcvt_fn f32_qs8_vcvt;
  qdq_f32_qu8_vcvt_fn f32_qu8_vcvt;
  qdq_qs8_f32_vcvt_fn qs8_f32_vcvt;
  qdq_qu8_f32_vcvt_fn qu8_f32_vcvt;
  qdq_f32_vfakequant_fn f32_vfakequant;
  qdq_f32_rminmax_fn f32_rminmax;
  qdq_f32_rhistc_fn f32_rhistc;
  qdq_f32_f64_rhist_fn f32_f64_rhist;
  /* Int8 GEMM (packing NR = 8 and KR = qs8_gemm_kr): the 1-row kernel on
   * int8 activations, and the MR-row kernel on int8 activations (qs8_gemm)
   * or, when qs16_gemm is set, on int16-widened ones. */
  qdq_qs8_gemm_fn qs8_gemm;
  qdq_qs8_gemm_fn qs8_gemm1;
  qdq_qs16_gemm_fn qs16_gemm;
  /* The qs16 kernel on weights widened per column block (same MR), used
   * when several row blocks share each widened block; NULL: never. */
  qdq_qs16_gemm_fn qs16_gemm_xw;
  /* The same from the int8 packing, storing the widened copy as it reads it
   * (set with qs16_gemm_xw). */
  qdq_qs16_gemm_widen_fn qs16_gemm_xwiden;
  uint8_t qs8_gemm_mr;
  uint8_t qs8_gemm_kr;
  /* Kernels for activations in [0, 127] (relaxed SIMD, G7); NULL elsewhere. */
  qdq_qs8_gemm_fn qs8_gemm7;
  qdq_qs8_gemm_fn qs8_gemm7_1;
  uint8_t qs8_gemm7_mr;
  qdq_f32_gemm_fn f32_gemm;
  qdq_f32_gemm_fn f32_gemm1;
  uint8_t f32_gemm_mr;
  /* Blockwise weights (qdq_nbits_matmul): a 1-row and an nbits_mr-row kernel
   * per bit width and accuracy level, all on qdq_nbits_pack's layout. */
  qdq_qs8_qbw_gemm_fn qs8_qb4w_gemm1;
  qdq_qs8_qbw_gemm_fn qs8_qb4w_gemm;
  qdq_qs8_qbw_gemm_fn qs8_qb8w_gemm1;
  qdq_qs8_qbw_gemm_fn qs8_qb8w_gemm;
  /* 4-bit level 4 on int16 pair-permuted activations (qs16-qb4w); when set,
   * the operator stages them and these replace qs8_qb4w_gemm1/qs8_qb4w_gemm
   * (then NULL). */
  qdq_qs16_qbw_gemm_fn qs16_qb4w_gemm1;
  qdq_qs16_qbw_gemm_fn qs16_qb4w_gemm;
  qdq_f32_qbw_gemm_fn f32_qb4w_gemm1;
  qdq_f32_qbw_gemm_fn f32_qb4w_gemm;
  qdq_f32_qbw_gemm_fn f32_qb8w_gemm1;
  qdq_f32_qbw_gemm_fn f32_qb8w_gemm;
  uint8_t nbits_mr;
  /* Level-4 activation staging (B5), one row per call. */
  qdq_f32_qs8_vquantblock_fn f32_qs8_vquantblock;
  /* Training (src/operators/train.c). */
  qdq_f32_matmul_fn f32_matmul;
  uint8_t f32_matmul_mr;
  qdq_f32_vrelugrad_fn f32_vrelugrad;
  qdq_f32_vsgd_fn f32_vsgd;
};

/* The one table for this build; constant, chosen at compile time. */
const struct qdq_config* qdq_config(void);

#endif
