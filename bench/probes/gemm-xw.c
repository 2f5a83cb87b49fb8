/*
 * The int8 GEMM's inner kernel at the large shapes (issue 12's target against
 * onnxruntime-web): register tiles of i32x4.dot_i16x8_s on int16 activations
 * and int16 weights, each run the way src/operators/gemm.c runs the "xw"
 * kernel (column blocks of widened weights, every block of rows over each),
 * so that only the tile differs. bench/probes/gemm-xw.js times them.
 *
 *   c4x4x8   the production kernel's tile (qs16-qc8w-gemm-xw 4x8c4): per 4 k,
 *            2 weight loads, 4 64-bit activation splats, 8 dots, 8 adds, in two
 *            4-column passes, lanes reduced by shuffles per tile
 *   c4x4x8u  the same with k unrolled by 2 (loads at constant offsets)
 *   c4x4x8p  c4x4x8 on activations packed per 4 rows (for each 4 k, the 4
 *            rows' 4 int16 in a row: 32 bytes), so one pointer serves the 4
 *            splats at constant offsets (V8 otherwise spends one address
 *            computation per row per step: x64 has no base + base + index)
 *   c4x4x8d  c4x4x8p with each row's 4 values stored twice (64 bytes per 4 k),
 *            so a plain load replaces the 64-bit splat
 *   c4x4x8q  c4x4x8p with the k loop unrolled by 4 steps by hand (fewer
 *            branches and V8 stack checks per step; more live registers)
 *   c2MxN    lanes are columns, 2 k per lane: per 2 k, N/4 weight loads,
 *            M 32-bit activation splats, M*N/4 dots and adds, no reduction
 * Weights: per column block of NB columns, for each 8-column group the
 * layout its tile reads (c4: 8 cols x 4 k per 64 bytes; c2: 8 cols x 2 k per
 * 32 bytes); both are the same bytes, only the order differs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <wasm_simd128.h>

uint8_t* probe_alloc(size_t bytes) { return aligned_alloc(64, (bytes + 63) & ~(size_t) 63); }

static int32_t fold(v128_t v) { return wasm_i32x4_extract_lane(v, 0) ^ wasm_i32x4_extract_lane(v, 3); }

/* m rows (a multiple of MR), n columns (a multiple of 8), k a multiple of 8. */
#define DRIVER(NAME, MR, TILE)                                                                  \
  int32_t NAME(const int16_t* a, const int16_t* w, size_t m, size_t n, size_t k, size_t nc) {   \
    int32_t out = 0;                                                                            \
    for (size_t j0 = 0; j0 < n; j0 += nc) {                                                     \
      const size_t nb = n - j0 < nc ? n - j0 : nc;                                              \
      const int16_t* wb = w + j0 * k;                                                           \
      for (size_t i0 = 0; i0 < m; i0 += MR) {                                                   \
        for (size_t g = 0; g < nb / 8; g++) out ^= TILE(a + i0 * k, k, wb + g * 8 * k);         \
      }                                                                                         \
    }                                                                                           \
    return out;                                                                                 \
  }

static inline int32_t tile_c4_4x8(const int16_t* a, size_t k, const int16_t* w) {
  int32_t out = 0;
  for (size_t half = 0; half < 2; half++) {
    const int16_t* wk = w + 16 * half;
    v128_t acc[4][2];
    for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);
    for (size_t l = 0; l < k; l += 4) {
      const v128_t w01 = wasm_v128_load(wk), w23 = wasm_v128_load(wk + 8);
      wk += 32;
#pragma clang loop unroll(full)
      for (int i = 0; i < 4; i++) {
        const v128_t va = wasm_v128_load64_splat(a + i * k + l);
        acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w01, va));
        acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w23, va));
      }
    }
    for (int i = 0; i < 4; i++) {
      out ^= fold(wasm_i32x4_add(wasm_i32x4_shuffle(acc[i][0], acc[i][1], 0, 2, 4, 6),
                                 wasm_i32x4_shuffle(acc[i][0], acc[i][1], 1, 3, 5, 7)));
    }
  }
  return out;
}

static inline int32_t tile_c4_4x8u(const int16_t* a, size_t k, const int16_t* w) {
  int32_t out = 0;
  for (size_t half = 0; half < 2; half++) {
    const int16_t* wk = w + 16 * half;
    v128_t acc[4][2];
    for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);
    const int16_t* ap = a;
    for (size_t l = 0; l < k; l += 8) {
#pragma clang loop unroll(full)
      for (int u = 0; u < 2; u++) {
        const v128_t w01 = wasm_v128_load(wk + 32 * u), w23 = wasm_v128_load(wk + 32 * u + 8);
#pragma clang loop unroll(full)
        for (int i = 0; i < 4; i++) {
          const v128_t va = wasm_v128_load64_splat(ap + i * k + 4 * u);
          acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w01, va));
          acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w23, va));
        }
      }
      wk += 64;
      ap += 8;
    }
    for (int i = 0; i < 4; i++) {
      out ^= fold(wasm_i32x4_add(wasm_i32x4_shuffle(acc[i][0], acc[i][1], 0, 2, 4, 6),
                                 wasm_i32x4_shuffle(acc[i][0], acc[i][1], 1, 3, 5, 7)));
    }
  }
  return out;
}

/* A c4 tile's 4 rows x 2 accumulators, reduced to 4 x 4 columns and folded. */
static inline int32_t fold_c4(v128_t acc[4][2]) {
  int32_t out = 0;
  for (int i = 0; i < 4; i++) {
    out ^= fold(wasm_i32x4_add(wasm_i32x4_shuffle(acc[i][0], acc[i][1], 0, 2, 4, 6),
                               wasm_i32x4_shuffle(acc[i][0], acc[i][1], 1, 3, 5, 7)));
  }
  return out;
}

/* Activations packed per 4 rows: per 4 k, A_STEP int16, row i's 4 values
 * read by LOAD_A(ap, i) into all 8 lanes. */
#define TILE_C4P(NAME, LOAD_A, A_STEP)                                                  \
  static inline int32_t NAME(const int16_t* a, size_t k, const int16_t* w) {            \
    int32_t out = 0;                                                                    \
    for (size_t half = 0; half < 2; half++) {                                           \
      const int16_t* wk = w + 16 * half;                                                \
      const int16_t* ap = a;                                                            \
      v128_t acc[4][2];                                                                 \
      for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);    \
      for (size_t l = 0; l < k; l += 4) {                                               \
        const v128_t w01 = wasm_v128_load(wk), w23 = wasm_v128_load(wk + 8);            \
        wk += 32;                                                                       \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {                \
          const v128_t va = LOAD_A(ap, i);                                              \
          acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w01, va));         \
          acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w23, va));         \
        }                                                                               \
        ap += A_STEP;                                                                   \
      }                                                                                 \
      out ^= fold_c4(acc);                                                              \
    }                                                                                   \
    return out;                                                                         \
  }
/* p: rows 0-3 x 4 int16 per 4 k (the rows of one 4-row block interleaved),
 * each row's 64 bits splatted. */
#define LOAD_SPLAT(ap, i) wasm_v128_load64_splat((ap) + 4 * (i))
TILE_C4P(tile_c4_4x8p, LOAD_SPLAT, 16)
/* d: each row's 4 values stored twice (64 bytes per 4 k): a plain load. */
#define LOAD_TWICE(ap, i) wasm_v128_load((ap) + 8 * (i))
TILE_C4P(tile_c4_4x8d, LOAD_TWICE, 32)

/* c4x4x8p with the k loop unrolled by 4 steps (16 k) by hand, then single
 * steps: fewer loop branches and stack checks (V8 puts one on every
 * back edge) per step. */
#define STEP_P(OFF)                                                                     \
  {                                                                                     \
    const v128_t w01 = wasm_v128_load(wk + 32 * (OFF)), w23 = wasm_v128_load(wk + 32 * (OFF) + 8); \
    _Pragma("clang loop unroll(full)") for (int i = 0; i < 4; i++) {                    \
      const v128_t va = wasm_v128_load64_splat(ap + 16 * (OFF) + 4 * i);                \
      acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w01, va));             \
      acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w23, va));             \
    }                                                                                   \
  }
static inline int32_t tile_c4_4x8q(const int16_t* a, size_t k, const int16_t* w) {
  int32_t out = 0;
  for (size_t half = 0; half < 2; half++) {
    const int16_t* wk = w + 16 * half;
    const int16_t* ap = a;
    v128_t acc[4][2];
    for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);
    size_t l = 0;
    for (; l + 16 <= k; l += 16) {
      STEP_P(0) STEP_P(1) STEP_P(2) STEP_P(3)
      wk += 128;
      ap += 64;
    }
#pragma clang loop unroll(disable)
    for (; l < k; l += 4) {
      STEP_P(0)
      wk += 32;
      ap += 16;
    }
    out ^= fold_c4(acc);
  }
  return out;
}

#define TILE_C2(NAME, MR)                                                                 \
  static inline int32_t NAME(const int16_t* a, size_t k, const int16_t* w) {              \
    v128_t acc[MR][2];                                                                    \
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);       \
    for (size_t l = 0; l < k; l += 2) {                                                   \
      const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 8);                    \
      w += 16;                                                                            \
      _Pragma("clang loop unroll(full)") for (int i = 0; i < MR; i++) {                   \
        const v128_t va = wasm_v128_load32_splat(a + i * k + l);                          \
        acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w0, va));              \
        acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w1, va));              \
      }                                                                                   \
    }                                                                                     \
    int32_t out = 0;                                                                      \
    for (int i = 0; i < MR; i++) out ^= fold(wasm_i32x4_add(acc[i][0], acc[i][1]));       \
    return out;                                                                           \
  }
TILE_C2(tile_c2_4x8, 4)
TILE_C2(tile_c2_5x8, 5)
TILE_C2(tile_c2_6x8, 6)

/* c2 with k unrolled by 2 (4 k per iteration, constant offsets). */
#define TILE_C2U(NAME, MR)                                                                \
  static inline int32_t NAME(const int16_t* a, size_t k, const int16_t* w) {              \
    v128_t acc[MR][2];                                                                    \
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = wasm_i32x4_const_splat(0);       \
    for (size_t l = 0; l < k; l += 4) {                                                   \
      _Pragma("clang loop unroll(full)") for (int u = 0; u < 2; u++) {                    \
        const v128_t w0 = wasm_v128_load(w + 16 * u), w1 = wasm_v128_load(w + 16 * u + 8); \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < MR; i++) {                 \
          const v128_t va = wasm_v128_load32_splat(a + i * k + l + 2 * u);                \
          acc[i][0] = wasm_i32x4_add(acc[i][0], wasm_i32x4_dot_i16x8(w0, va));            \
          acc[i][1] = wasm_i32x4_add(acc[i][1], wasm_i32x4_dot_i16x8(w1, va));            \
        }                                                                                 \
      }                                                                                   \
      w += 32;                                                                            \
    }                                                                                     \
    int32_t out = 0;                                                                      \
    for (int i = 0; i < MR; i++) out ^= fold(wasm_i32x4_add(acc[i][0], acc[i][1]));       \
    return out;                                                                           \
  }
TILE_C2U(tile_c2_4x8u, 4)
TILE_C2U(tile_c2_6x8u, 6)

DRIVER(probe_c4x4x8, 4, tile_c4_4x8)
DRIVER(probe_c4x4x8u, 4, tile_c4_4x8u)
DRIVER(probe_c4x4x8p, 4, tile_c4_4x8p)
DRIVER(probe_c4x4x8d, 4, tile_c4_4x8d)
DRIVER(probe_c4x4x8q, 4, tile_c4_4x8q)
DRIVER(probe_c2x4x8, 4, tile_c2_4x8)
DRIVER(probe_c2x5x8, 5, tile_c2_5x8)
DRIVER(probe_c2x6x8, 6, tile_c2_6x8)
DRIVER(probe_c2x4x8u, 4, tile_c2_4x8u)
DRIVER(probe_c2x6x8u, 6, tile_c2_6x8u)
