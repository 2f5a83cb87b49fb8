/*
 * The SIMD128 int8 GEMM's arithmetic alone (bench/threads-probe.js --dot runs
 * it): i32x4.dot_i16x8_s then i32x4.add, the pair every SIMD128 int8 GEMM
 * inner loop (ours, onnxruntime-web's MLAS) spends 8 multiply-adds on, in 12
 * independent chains and no memory traffic, so the loop runs at the vector
 * units' throughput. Each chain feeds its own sum back into the dot, which
 * keeps the compiler from hoisting it out of the loop. 2 * 8 * 12 operations
 * per iteration.
 */
#include <stdint.h>
#include <wasm_simd128.h>

int32_t probe_dot_peak(uint32_t iterations, int32_t seed) {
  const v128_t c = wasm_i16x8_splat((int16_t) (seed | 1));
  v128_t v[12];
  for (int i = 0; i < 12; i++) v[i] = wasm_i32x4_splat(seed + i);
  for (uint32_t it = 0; it < iterations; it++) {
#pragma clang loop unroll(full)
    for (int i = 0; i < 12; i++) v[i] = wasm_i32x4_add(v[i], wasm_i32x4_dot_i16x8(v[i], c));
  }
  v128_t s = v[0];
  for (int i = 1; i < 12; i++) s = wasm_v128_xor(s, v[i]);
  return wasm_i32x4_extract_lane(s, 0);
}
