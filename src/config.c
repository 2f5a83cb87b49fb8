/*
 * Dispatch lives here and only here: kernels never choose. A wasm engine
 * either validates a SIMD128 module or rejects it whole, so the choice is
 * made per build (js/loader.js picks the build), not at run time.
 */
#include "config.h"

static const struct qdq_config config = {
#if defined(__wasm_relaxed_simd__)
    .isa = "wasm-relaxed-simd",
#elif defined(__wasm_simd128__)
    .isa = "wasm-simd128",
#else
    .isa = "scalar",
#endif
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
#else
    .f32_qs8_vcvt = qdq_f32_qs8_vcvt_ukernel__scalar_u1,
    .f32_qu8_vcvt = qdq_f32_qu8_vcvt_ukernel__scalar_u1,
    .qs8_f32_vcvt = qdq_qs8_f32_vcvt_ukernel__scalar_u1,
    .qu8_f32_vcvt = qdq_qu8_f32_vcvt_ukernel__scalar_u1,
    .f32_vfakequant = qdq_f32_vfakequant_ukernel__scalar_u1,
    .f32_rminmax = qdq_f32_rminmax_ukernel__scalar_u1,
#endif
};

const struct qdq_config* qdq_config(void) { return &config; }
