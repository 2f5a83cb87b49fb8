/*
 * Template of the relaxed-SIMD 4-bit GEMV kernel (B6): one row against up to
 * 4 column groups of 8 at once (each file defines QDQ_NAME). The arithmetic
 * per group is that of wasmrelaxedsimd-rdot7-c4.h (same exactness argument,
 * same float combine, same bits); running 4 groups per pass shares each
 * activation splat and each block's a_scale and a_sum splats across 32
 * columns and gives the engine 8 independent int16 accumulator chains:
 * ~25% faster than 1x8 at 1x4096x4096 (bench/nbits.js, relaxed build, Node 22).
 * The groups stay where qdq_nbits_pack put them (group_bytes apart), so the
 * kernel streams 4 sequences.
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "nbits-layout.h"
#include "wasmsimd-common.h"

/* c[0 .. 8 * groups) for one row, groups <= 4 (a constant at every call). */
static inline __attribute__((always_inline)) void qdq_qb4w_rdot7_row(
    size_t groups, size_t kb, size_t bs, const int8_t* restrict a, const float* restrict a_scale,
    const int32_t* restrict a_sum, const uint8_t* restrict w, size_t group_bytes,
    const float* restrict bias, v128_t vacc[4][2]) {
  const v128_t vmask = wasm_i8x16_splat(0x0F);
  for (size_t g = 0; g < groups; g++) {
    vacc[g][0] = wasm_v128_load(bias + 8 * g);
    vacc[g][1] = wasm_v128_load(bias + 8 * g + 4);
  }
  /* Chunks of 4 k-values per int16 run: 8 (32 k), or the whole block of 16. */
  const size_t run = bs < 32 ? bs : 32;
  const size_t block_bytes = QDQ_NBITS_BLOCK_META_BYTES + bs * 4;
  for (size_t b = 0; b < kb; b++) {
    const uint8_t* wb = w + b * block_bytes;
    const uint8_t* data[4];
    v128_t vd[4][2];
    for (size_t g = 0; g < groups; g++) {
      data[g] = wb + g * group_bytes + QDQ_NBITS_BLOCK_META_BYTES;
      vd[g][0] = vd[g][1] = wasm_i32x4_const_splat(0);
    }
    for (size_t l0 = 0; l0 < bs; l0 += run) {
      v128_t vh[4][2];
      for (size_t g = 0; g < groups; g++) vh[g][0] = vh[g][1] = wasm_i16x8_const_splat(0);
      /* bs is a multiple of 16: 4 chunks per iteration, no remainder. */
      for (size_t l = l0; l < l0 + run; l += 16) {
#pragma clang loop unroll(full)
        for (size_t u = 0; u < 4; u++) {
          const v128_t va = wasm_v128_load32_splat(a + b * bs + l + 4 * u);
          for (size_t g = 0; g < groups; g++) {
            const v128_t v = wasm_v128_load(data[g] + 16 * u);
            const v128_t vlo = wasm_v128_and(v, vmask);
            const v128_t vhi = wasm_v128_and(wasm_u16x8_shr(v, 4), vmask);
            vh[g][0] = wasm_i16x8_add(vh[g][0], wasm_i16x8_relaxed_dot_i8x16_i7x16(va, vlo));
            vh[g][1] = wasm_i16x8_add(vh[g][1], wasm_i16x8_relaxed_dot_i8x16_i7x16(va, vhi));
          }
        }
        for (size_t g = 0; g < groups; g++) data[g] += 64;
      }
      for (size_t g = 0; g < groups; g++) {
        vd[g][0] = wasm_i32x4_add(vd[g][0], wasm_i32x4_extadd_pairwise_i16x8(vh[g][0]));
        vd[g][1] = wasm_i32x4_add(vd[g][1], wasm_i32x4_extadd_pairwise_i16x8(vh[g][1]));
      }
    }
    /* a_sum as int16 pairs against zero points {zp, 0}: see wasmrelaxedsimd-rdot7-c4.h. */
    const v128_t vsum = wasm_i16x8_splat((int16_t) a_sum[b]);
    const v128_t vas = wasm_f32x4_splat(a_scale[b]);
    for (size_t g = 0; g < groups; g++) {
      const float* sc = (const float*) (wb + g * group_bytes);
      const v128_t vzp16 = wasm_u16x8_load8x8(wb + g * group_bytes + QDQ_NBITS_NR * sizeof(float));
      const v128_t vi0123 = wasm_i32x4_sub(vd[g][0], wasm_i32x4_dot_i16x8(wasm_u32x4_extend_low_u16x8(vzp16), vsum));
      const v128_t vi4567 = wasm_i32x4_sub(vd[g][1], wasm_i32x4_dot_i16x8(wasm_u32x4_extend_high_u16x8(vzp16), vsum));
      vacc[g][0] = wasm_f32x4_add(vacc[g][0], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi0123), vas), wasm_v128_load(sc)));
      vacc[g][1] = wasm_f32x4_add(vacc[g][1], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi4567), vas), wasm_v128_load(sc + 4)));
    }
  }
}

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const int8_t* restrict a, size_t a_stride,
              const float* restrict a_scale, const int32_t* restrict a_sum, size_t ap_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr == 1);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
  (void) mr;
  (void) a_stride;
  (void) ap_stride;
  (void) cm_stride;
  const size_t group_bytes = kb * (QDQ_NBITS_BLOCK_META_BYTES + bs * 4);
  const uint8_t* wp = (const uint8_t*) w;
  float* cp[1] = {c};
  do {
    v128_t vacc[4][2];
    /* Whole passes of 4 groups, then 2, then 1: constant group counts, so
     * each call unrolls. */
    size_t groups;
    if (nc > 24) {
      groups = 4;
      qdq_qb4w_rdot7_row(4, kb, bs, a, a_scale, a_sum, wp, group_bytes, bias, vacc);
    } else if (nc > 8) {
      groups = 2;
      qdq_qb4w_rdot7_row(2, kb, bs, a, a_scale, a_sum, wp, group_bytes, bias, vacc);
    } else {
      groups = 1;
      qdq_qb4w_rdot7_row(1, kb, bs, a, a_scale, a_sum, wp, group_bytes, bias, vacc);
    }
    for (size_t g = 0; g < groups && nc != 0; g++) {
      v128_t vout[1][2] = {{vacc[g][0], vacc[g][1]}};
      nc = qdq_wasmsimd_store_tile_8_f32(1, vout, cp, nc);
    }
    wp += groups * group_bytes;
    bias += groups * QDQ_NBITS_NR;
  } while (nc != 0);
}
