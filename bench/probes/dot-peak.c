/*
 * The SIMD128 int8 GEMM's arithmetic at its throughput (bench/threads-probe.js
 * --dot runs it, and bench/lib/shared-dot.js hands it out as the pool hands
 * out tiles): the 4x8c4 xw kernel's inner step (src/qs16-qc8w-gemm-xw) on a
 * 4 KiB buffer that stays in L1: per step two 16-byte loads of weights, four
 * 64-bit splat loads of activations, and 8 i32x4.dot_i16x8_s + i32x4.add
 * into 8 accumulators, so that only the adds form chains. 2 * 8 * 8
 * operations per step.
 *
 * An earlier version chained each dot into its own input (12 chains of dot
 * then add, no loads). That loop is latency-bound where the dot takes more
 * than 3 cycles (AMD Zen 4: 68-75 GOPS against 84-89 for the kernel in L1),
 * and it hid the limit that matters on a VM whose two vCPUs are at times two
 * hyperthreads of one core: they share its SIMD units, which a latency-bound
 * loop leaves half idle. Measured on such a VM (29 Nov, AMD EPYC), two
 * threads of this loop ran 1.23-1.35x one thread at some moments and
 * 1.9-2.0x at others, while the chains ran 1.76-2.03x throughout
 * (docs/threads-measurements.md, session 14).
 */
#include <stdint.h>
#include <wasm_simd128.h>

/* Steps per pass over the buffer: 64 steps of 64 bytes, 4 KiB. */
#define STEPS 64

/* Runs `iterations` steps (a multiple of STEPS). */
int32_t probe_dot_peak(uint32_t iterations, int32_t seed) {
  /* Operands written here, so the loop cannot be folded; 16-byte aligned. */
  int16_t buf[STEPS * 32] __attribute__((aligned(16)));
  for (int i = 0; i < STEPS * 32; i++) buf[i] = (int16_t) (seed * i + 1);
  v128_t v[8];
  for (int i = 0; i < 8; i++) v[i] = wasm_i32x4_splat(seed - i);
  for (uint32_t it = 0; it < iterations; it += STEPS) {
    const int16_t* p = buf;
    for (int s = 0; s < STEPS; s++) {
      const v128_t w0 = wasm_v128_load(p), w1 = wasm_v128_load(p + 8);
#pragma clang loop unroll(full)
      for (int i = 0; i < 4; i++) {
        const v128_t a = wasm_v128_load64_splat(p + 16 + 4 * i);
        v[2 * i] = wasm_i32x4_add(v[2 * i], wasm_i32x4_dot_i16x8(w0, a));
        v[2 * i + 1] = wasm_i32x4_add(v[2 * i + 1], wasm_i32x4_dot_i16x8(w1, a));
      }
      p += 32;
    }
    /* The buffer may have changed: every pass is computed again. */
    __asm__ volatile("" ::: "memory");
  }
  v128_t s = v[0];
  for (int i = 1; i < 8; i++) s = wasm_v128_xor(s, v[i]);
  return wasm_i32x4_extract_lane(s, 0);
}
