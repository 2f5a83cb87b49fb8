/*
 * Dispatch lives here and only here: kernels never choose. A wasm engine
 * either validates a SIMD128 module or rejects it whole, so the choice is
 * made per build (js/runtime/loader.js picks the build), not at run time.
 */
#include "config.h"

static const struct qdq_config config = {
#if defined(__wasm_simd128__)
    .f32_qs8_vcvt = qdq_f32_qs8_vcvt_ukernel__wasmsimd_u16,
    .f32_qu8_vcvt = qdq_f32_qu8_vcvt_ukernel__wasmsimd_u16,
#if __clang_major__ >= 19
    /* LLVM 19 (the relaxed build) vectorizes the plain kernels: 10.6 Gelem/s
     * in L2 against 9.2 for magic (bench harness, AMD EPYC, Node 22). */
    .qs8_f32_vcvt = qdq_qs8_f32_vcvt_ukernel__wasmsimd_u16,
    .qu8_f32_vcvt = qdq_qu8_f32_vcvt_ukernel__wasmsimd_u16,
#else
    /* LLVM 14 scalarizes the plain kernels (3.1 Gelem/s; see the magic
     * kernel files); the magic-number ones run at 9.1 Gelem/s. */
    .qs8_f32_vcvt = qdq_qs8_f32_vcvt_ukernel__wasmsimd_magic_u16,
    .qu8_f32_vcvt = qdq_qu8_f32_vcvt_ukernel__wasmsimd_magic_u16,
#endif
    .f32_vfakequant = qdq_f32_vfakequant_ukernel__wasmsimd_u16,
    .f32_rminmax = qdq_f32_rminmax_ukernel__wasmsimd_u16,
    .f32_rhistc = qdq_f32_rhistc_ukernel__wasmsimd_u8,
    .f32_f64_rhist = qdq_f32_f64_rhist_ukernel__wasmsimd_u4,
    /* c4 packing in every build (the i7 kernels need it). Blocks of rows run
     * on int16-widened activations (4x8c4: ~96 GOPS kernel-level against ~93
     * for 4x8c2 and ~77 for int8 2x8c4); single rows (GEMV) on int8 ones,
     * whose 1x8c4 kernel streams weights fastest (~62 against ~55 for qs16
     * 1x8c2, 16 MB of weights). */
    .qs8_gemm1 = qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmsimd_dot16x2,
    .qs16_gemm = qdq_qs16_qc8w_gemm_ukernel_4x8c4__wasmsimd_dot16x2,
    .qs16_gemm_xw = qdq_qs16_qc8w_gemm_xw_ukernel_4x8c4__wasmsimd_dot16x2,
    .qs16_gemm_xwiden = qdq_qs16_qc8w_gemm_xwiden_ukernel_4x8c4__wasmsimd_dot16x2,
    .qs8_gemm_mr = 4,
    .qs8_gemm_kr = 4,
#if defined(__wasm_relaxed_simd__)
    .qs8_gemm7 = qdq_qs8_qc8w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7,
    .qs8_gemm7_1 = qdq_qs8_qc8w_gemm_ukernel_1x8c4__wasmrelaxedsimd_rdot7,
    .qs8_gemm7_mr = 4,
#endif
    .f32_gemm = qdq_f32_gemm_ukernel_4x8__wasmsimd_splat,
    .f32_gemm1 = qdq_f32_gemm_ukernel_1x8__wasmsimd_splat,
    .f32_gemm_mr = 4,
#if defined(__wasm_relaxed_simd__)
    /* 4 column groups per pass: ~25% faster GEMV than 1x8 (wasmrelaxedsimd-rdot7-1xg.h). */
    .qs8_qb4w_gemm1 = qdq_qs8_qb4w_gemm_ukernel_1x32c4__wasmrelaxedsimd_rdot7,
    .qs8_qb4w_gemm = qdq_qs8_qb4w_gemm_ukernel_4x8c4__wasmrelaxedsimd_rdot7,
#else
    /* Nibbles unpacked in 16-bit lanes against int16 activations staged once
     * per call: no extends, no transpose; 1.06x (idle) to 1.25x (loaded) the
     * qs8-qb4w dot16x2 kernels, which stay tested but unlinked
     * (bench/probes/qb4w-kernels.js). */
    .qs16_qb4w_gemm1 = qdq_qs16_qb4w_gemm_ukernel_1x8c4__wasmsimd_dot16x2,
    .qs16_qb4w_gemm = qdq_qs16_qb4w_gemm_ukernel_4x8c4__wasmsimd_dot16x2,
#endif
    /* 8-bit values do not fit the relaxed dot's 7-bit operand: SIMD128 in both builds. */
    .qs8_qb8w_gemm1 = qdq_qs8_qb8w_gemm_ukernel_1x8c4__wasmsimd_dot16x2,
    .qs8_qb8w_gemm = qdq_qs8_qb8w_gemm_ukernel_4x8c4__wasmsimd_dot16x2,
    .f32_qb4w_gemm1 = qdq_f32_qb4w_gemm_ukernel_1x8c4__wasmsimd,
    .f32_qb4w_gemm = qdq_f32_qb4w_gemm_ukernel_4x8c4__wasmsimd,
    .f32_qb8w_gemm1 = qdq_f32_qb8w_gemm_ukernel_1x8c4__wasmsimd,
    .f32_qb8w_gemm = qdq_f32_qb8w_gemm_ukernel_4x8c4__wasmsimd,
    .nbits_mr = 4,
    .f32_qs8_vquantblock = qdq_f32_qs8_vquantblock_ukernel__wasmsimd_u16,
    .f32_matmul = qdq_f32_matmul_ukernel_4x8__wasmsimd_splat,
    .f32_matmul_mr = 4,
    .f32_vrelugrad = qdq_f32_vrelugrad_ukernel__wasmsimd_u16,
    .f32_vsgd = qdq_f32_vsgd_ukernel__wasmsimd_u8,
#else
    .f32_qs8_vcvt = qdq_f32_qs8_vcvt_ukernel__scalar_u1,
    .f32_qu8_vcvt = qdq_f32_qu8_vcvt_ukernel__scalar_u1,
    .qs8_f32_vcvt = qdq_qs8_f32_vcvt_ukernel__scalar_u1,
    .qu8_f32_vcvt = qdq_qu8_f32_vcvt_ukernel__scalar_u1,
    .f32_vfakequant = qdq_f32_vfakequant_ukernel__scalar_u1,
    .f32_rminmax = qdq_f32_rminmax_ukernel__scalar_u1,
    .f32_rhistc = qdq_f32_rhistc_ukernel__scalar_u1,
    .f32_f64_rhist = qdq_f32_f64_rhist_ukernel__scalar_u1,
    .qs8_gemm = qdq_qs8_qc8w_gemm_ukernel_4x8c4__scalar,
    .qs8_gemm1 = qdq_qs8_qc8w_gemm_ukernel_1x8c4__scalar,
    .qs8_gemm_mr = 4,
    .qs8_gemm_kr = 4,
    .f32_gemm = qdq_f32_gemm_ukernel_4x8__scalar,
    .f32_gemm1 = qdq_f32_gemm_ukernel_4x8__scalar,
    .f32_gemm_mr = 4,
    /* The int16 staging path, as on SIMD128, so that the native tests (ASan)
     * cover it; the qs8-qb4w scalar kernels are tested through the test builds. */
    .qs16_qb4w_gemm1 = qdq_qs16_qb4w_gemm_ukernel_1x8c4__scalar,
    .qs16_qb4w_gemm = qdq_qs16_qb4w_gemm_ukernel_4x8c4__scalar,
    .qs8_qb8w_gemm1 = qdq_qs8_qb8w_gemm_ukernel_1x8c4__scalar,
    .qs8_qb8w_gemm = qdq_qs8_qb8w_gemm_ukernel_4x8c4__scalar,
    .f32_qb4w_gemm1 = qdq_f32_qb4w_gemm_ukernel_1x8c4__scalar,
    .f32_qb4w_gemm = qdq_f32_qb4w_gemm_ukernel_4x8c4__scalar,
    .f32_qb8w_gemm1 = qdq_f32_qb8w_gemm_ukernel_1x8c4__scalar,
    .f32_qb8w_gemm = qdq_f32_qb8w_gemm_ukernel_4x8c4__scalar,
    .nbits_mr = 4,
    .f32_qs8_vquantblock = qdq_f32_qs8_vquantblock_ukernel__scalar_u1,
    .f32_matmul = qdq_f32_matmul_ukernel_4x8__scalar,
    .f32_matmul_mr = 4,
    .f32_vrelugrad = qdq_f32_vrelugrad_ukernel__scalar_u1,
    .f32_vsgd = qdq_f32_vsgd_ukernel__scalar_u1,
#endif
};

const struct qdq_config* qdq_config(void) { return &config; }

int qdq_isa(void) {
#if defined(__wasm_relaxed_simd__)
  return QDQ_ISA_RELAXED_SIMD;
#elif defined(__wasm_simd128__)
  return QDQ_ISA_SIMD128;
#else
  return QDQ_ISA_SCALAR;
#endif
}
