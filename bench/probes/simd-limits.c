/*
 * What one core can do for a SIMD128 int8 GEMM (bench/probes/simd-limits.js):
 * the clock, i32x4.dot_i16x8_s's throughput alone, and the loop of
 * bench/probes/dot-peak.c, where every dot product needs an i32x4.add
 * (SIMD128 has no dot-accumulate). The first two give the hardware's peak
 * for this instruction, the third what any SIMD128 int8 GEMM (ours, and
 * onnxruntime-web's MLAS loop, which has the same dot + add per 8
 * multiply-adds) can reach of it.
 */
#include <stdint.h>
#include <wasm_simd128.h>

/* `iterations` steps of a 2-operation dependent chain (xor, add): about 2
 * cycles each on any out-of-order core, so steps per second / 2 is the clock. */
uint32_t probe_clock(uint32_t iterations, uint32_t seed) {
  uint32_t x = seed;
  for (uint32_t i = 0; i < iterations; i++) {
    x = (x ^ i) + seed;
    /* Keeps LLVM from folding the chain into closed form. */
    __asm__ volatile("" : "+r"(x));
  }
  return x;
}

/* `iterations` x 12 i32x4.dot_i16x8_s in 12 independent chains (each dot's
 * result is the next one's operand): 12 in flight cover a latency of up to 6
 * cycles at 2 per cycle, so the loop runs at the instruction's throughput. */
int32_t probe_dot_only(uint32_t iterations, int32_t seed) {
  v128_t v[12];
  for (int i = 0; i < 12; i++) v[i] = wasm_i32x4_splat(seed - i);
  const v128_t w = wasm_i16x8_splat((int16_t) (seed | 1));
  for (uint32_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
    for (int i = 0; i < 12; i++) v[i] = wasm_i32x4_dot_i16x8(v[i], w);
    __asm__ volatile("" ::: "memory");
  }
  v128_t s = v[0];
  for (int i = 1; i < 12; i++) s = wasm_v128_xor(s, v[i]);
  return wasm_i32x4_extract_lane(s, 0);
}
