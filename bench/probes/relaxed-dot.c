/*
 * How an engine lowers the relaxed int8 dot products, and what each form
 * costs (bench/probes/relaxed-dot.js runs it in Node and in Chromium).
 *
 * Built by clang-19 and wasm-ld-19 alone: emcc 3.1.6 passes every module
 * through binaryen 108 (wasm-emscripten-finalize, wasm-opt), whose decoder
 * predates the final relaxed-SIMD opcodes and reads 0x113 (the 3-operand
 * i32x4.relaxed_dot_i8x16_i7x16_add_s) as a 2-operand dot, so the module
 * it writes no longer validates (docs/toolchain.md, "Relaxed SIMD").
 *
 * probe_rdot3: the 3-operand form on caller data (the JS side reads the
 * result for activations with the top bit set, where the spec leaves it to
 * the engine: exact u8 x s8 under VNNI's vpdpbusd, i16-saturated pairs under
 * pmaddubsw, s8 x s8 under Arm's sdot).
 * probe_peak_*: one kernel step of each form, 4 rows x 8 columns x 4 k per
 * step as in the 4x8c4 kernels, on operands in L1, 8 accumulators so that
 * only the adds form chains (as bench/probes/dot-peak.c does for the SIMD128
 * step):
 *   dot16: i32x4.dot_i16x8_s + i32x4.add on int16 activations (the xw
 *          kernel), 8 dots = 64 multiply-adds a step;
 *   rdot2: i16x8.relaxed_dot_i8x16_i7x16_s + i32x4.extadd_pairwise_i16x8_s +
 *          i32x4.add (the rdot7 kernels), 8 dots = 128 multiply-adds;
 *   rdot3: i32x4.relaxed_dot_i8x16_i7x16_add_s, 8 dots = 128 multiply-adds,
 *          each accumulator a chain through the dot itself, as in a kernel.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define STEPS 64

void probe_rdot3(const void* w, const void* a, int32_t* out) {
  const v128_t acc = wasm_v128_load(out);
  wasm_v128_store(out, __builtin_wasm_relaxed_dot_i8x16_i7x16_add_s_i32x4(wasm_v128_load(w), wasm_v128_load(a), acc));
}

static int8_t buf[STEPS * 64] __attribute__((aligned(16)));
static int32_t sink[4];

static void fill(int32_t seed) {
  /* Activations (bytes 32..63 of each step) stay in [0, 127]: every form is then exact. */
  for (int i = 0; i < STEPS * 64; i++) buf[i] = (int8_t) ((i & 63) >= 32 ? (seed * i + 1) & 127 : seed * i + 1);
}

static int32_t fold(const v128_t* v) {
  v128_t s = v[0];
  for (int i = 1; i < 8; i++) s = wasm_i32x4_add(s, v[i]);
  wasm_v128_store(sink, s);
  return sink[0] + sink[1] + sink[2] + sink[3];
}

/* One peak loop: `iterations` steps (a multiple of STEPS), each two weight
 * loads, four activation loads (LOAD) and eight dots (STEP(w, a, acc)). */
#define PEAK_LOOP(NAME, LOAD, STEP)                                        \
  int32_t NAME(uint32_t iterations, int32_t seed) {                        \
    fill(seed);                                                            \
    v128_t v[8];                                                           \
    for (int i = 0; i < 8; i++) v[i] = wasm_i32x4_splat(seed - i);        \
    for (uint32_t it = 0; it < iterations; it += STEPS) {                  \
      const int8_t* p = buf;                                               \
      for (int s = 0; s < STEPS; s++, p += 64) {                           \
        const v128_t w0 = wasm_v128_load(p), w1 = wasm_v128_load(p + 16);  \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {   \
          const v128_t a = LOAD;                                           \
          v[2 * i] = STEP(w0, a, v[2 * i]);                                \
          v[2 * i + 1] = STEP(w1, a, v[2 * i + 1]);                        \
        }                                                                  \
      }                                                                    \
    }                                                                      \
    return fold(v);                                                        \
  }

#define DOT16(w, a, acc) wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(w, a))
#define RDOT2(w, a, acc) wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_relaxed_dot_i8x16_i7x16(w, a)))
#define RDOT3(w, a, acc) __builtin_wasm_relaxed_dot_i8x16_i7x16_add_s_i32x4(w, a, acc)

PEAK_LOOP(probe_peak_dot16, wasm_v128_load64_splat(p + 32 + 8 * i), DOT16)
PEAK_LOOP(probe_peak_rdot2, wasm_v128_load32_splat(p + 32 + 4 * i), RDOT2)
PEAK_LOOP(probe_peak_rdot3, wasm_v128_load32_splat(p + 32 + 4 * i), RDOT3)
