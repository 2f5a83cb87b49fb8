/*
 * Stream-read bandwidth probe for bench/nbits.js: sums a buffer with SIMD128
 * loads, four independent accumulators, so that the loop is bound by memory,
 * not by the add chain. Built by bench/nbits.js into build/, never into dist/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <wasm_simd128.h>

uint8_t* probe_alloc(size_t bytes) { return malloc(bytes); }

int32_t probe_read(const uint8_t* p, size_t bytes) {
  v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 64 <= bytes; i += 64) {
    a0 = wasm_i32x4_add(a0, wasm_v128_load(p + i));
    a1 = wasm_i32x4_add(a1, wasm_v128_load(p + i + 16));
    a2 = wasm_i32x4_add(a2, wasm_v128_load(p + i + 32));
    a3 = wasm_i32x4_add(a3, wasm_v128_load(p + i + 48));
  }
  const v128_t s = wasm_i32x4_add(wasm_i32x4_add(a0, a1), wasm_i32x4_add(a2, a3));
  return wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) +
         wasm_i32x4_extract_lane(s, 2) + wasm_i32x4_extract_lane(s, 3);
}
