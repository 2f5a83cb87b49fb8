/*
 * Template of the SIMD128 qs16-qb4w kernels (B6; each file defines QDQ_MR
 * and QDQ_NAME). The nibbles are unpacked inside 16-bit lanes, with no
 * widening: lane j of a 16-byte chunk holds bytes 4c + r and 4c + r + 1
 * (c = j / 2, r = 2 (j % 2)), i.e.
 *   bits 0-3: column c at k = r        bits 4-7: column c + 4 at k = r
 *   bits 8-11: column c at k = r + 1   bits 12-15: column c + 4 at k = r + 1
 * so i32x4.dot_i16x8_s of a field against the activations {a0, a2} (fields
 * at k = r) or {a1, a3} (k = r + 1), splatted from the operator's
 * pair-permuted int16 row (one 32-bit load each), sums lanes 2c and 2c + 1,
 * which are both column c (or c + 4): each dot's lane is a column, and the
 * block's sums need no transpose.
 *
 * One row (the GEMV): the two middle fields are masked in place, not shifted
 * down (v & 0x00F0 is 16 n, v & 0x0F00 is 256 n), so 4 vector operations
 * unpack 32 weights; those two accumulators hold 16 and 256 times their sums
 * and are shifted back once per block by an arithmetic shift, which is exact
 * because they are multiples of 16 and 256: |sum| <= (256 / 2) * 128 * 15 < 2^18,
 * times 256 < 2^26. bench/probes/qb4w-gemv.c measures the variants.
 * Several rows: the fields are shifted down (6 operations, shared by the
 * rows), so that each row needs 2 accumulators, not 4 (16 would spill).
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "nbits-layout.h"
#include "wasmsimd-common.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const int16_t* restrict a, size_t a_stride,
              const float* restrict a_scale, const int32_t* restrict a_sum, size_t ap_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
  const int16_t* ap[QDQ_MR];
  const float* asp[QDQ_MR];
  const int32_t* asump[QDQ_MR];
  float* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(asp, a_scale, mr, ap_stride * sizeof(*asp[0]));
  QDQ_ROW_POINTERS(asump, a_sum, mr, ap_stride * sizeof(*asump[0]));
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const v128_t vm0 = wasm_i16x8_const_splat(0x000F);
#if QDQ_MR == 1
  const v128_t vm1 = wasm_i16x8_const_splat(0x00F0);
  const v128_t vm2 = wasm_i16x8_const_splat(0x0F00);
#endif
  const uint8_t* wp = (const uint8_t*) w;
  do {
    v128_t vacc[QDQ_MR][2];
    const v128_t vb0123 = wasm_v128_load(bias);
    const v128_t vb4567 = wasm_v128_load(bias + 4);
    bias += QDQ_NBITS_NR;
#pragma clang loop unroll(full)
    for (size_t i = 0; i < QDQ_MR; i++) {
      vacc[i][0] = vb0123;
      vacc[i][1] = vb4567;
    }
    for (size_t b = 0; b < kb; b++) {
      const float* sc = (const float*) wp;
      const uint8_t* zp = wp + QDQ_NBITS_NR * sizeof(float);
      const uint8_t* data = wp + QDQ_NBITS_BLOCK_META_BYTES;
      wp = data + bs * 4;
      const size_t l0 = b * bs;
      v128_t vd0123[QDQ_MR], vd4567[QDQ_MR];
#if QDQ_MR == 1
      /* Column sums 0-3 (k = r), 256 x 0-3 (k = r + 1), 16 x 4-7 (k = r), 4-7 (k = r + 1). */
      v128_t vd0 = wasm_i32x4_const_splat(0), vd1 = vd0, vd2 = vd0, vd3 = vd0;
      /* One chunk per iteration, not unrolled: unrolled, LLVM hoists the
       * chunks' loads ahead of their arithmetic and V8 spills vectors
       * (bench/probes/qb4w-gemv.js: q4mask1 against q4mask). */
#pragma clang loop unroll(disable)
      for (size_t l = 0; l < bs; l += 4) {
        const v128_t v = wasm_v128_load(data);
        data += 16;
        const v128_t va02 = wasm_v128_load32_splat(ap[0] + l0 + l);
        const v128_t va13 = wasm_v128_load32_splat(ap[0] + l0 + l + 2);
        vd0 = wasm_i32x4_add(vd0, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm0), va02));
        vd1 = wasm_i32x4_add(vd1, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm2), va13));
        vd2 = wasm_i32x4_add(vd2, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm1), va02));
        vd3 = wasm_i32x4_add(vd3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va13));
      }
      vd0123[0] = wasm_i32x4_add(vd0, wasm_i32x4_shr(vd1, 8));
      vd4567[0] = wasm_i32x4_add(wasm_i32x4_shr(vd2, 4), vd3);
#else
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) vd0123[i] = vd4567[i] = wasm_i32x4_const_splat(0);
      for (size_t l = 0; l < bs; l += 4) {
        const v128_t v = wasm_v128_load(data);
        data += 16;
        const v128_t vn0 = wasm_v128_and(v, vm0);                   /* columns 0-3, k = r */
        const v128_t vn2 = wasm_v128_and(wasm_u16x8_shr(v, 8), vm0); /* columns 0-3, k = r + 1 */
        const v128_t vn1 = wasm_v128_and(wasm_u16x8_shr(v, 4), vm0); /* columns 4-7, k = r */
        const v128_t vn3 = wasm_u16x8_shr(v, 12);                    /* columns 4-7, k = r + 1 */
#pragma clang loop unroll(full)
        for (size_t i = 0; i < QDQ_MR; i++) {
          const v128_t va02 = wasm_v128_load32_splat(ap[i] + l0 + l);
          const v128_t va13 = wasm_v128_load32_splat(ap[i] + l0 + l + 2);
          vd0123[i] = wasm_i32x4_add(vd0123[i], wasm_i32x4_dot_i16x8(vn0, va02));
          vd4567[i] = wasm_i32x4_add(vd4567[i], wasm_i32x4_dot_i16x8(vn1, va02));
          vd0123[i] = wasm_i32x4_add(vd0123[i], wasm_i32x4_dot_i16x8(vn2, va13));
          vd4567[i] = wasm_i32x4_add(vd4567[i], wasm_i32x4_dot_i16x8(vn3, va13));
        }
      }
#endif
      /* Zero points as int16 pairs {zp, 0} against a splatted a_sum: zp * a_sum
       * per column in one i32x4.dot_i16x8_s (see qs8-qb4w-gemm/wasmsimd-dot16x2-c4.h). */
      const v128_t vzp16 = wasm_u16x8_load8x8(zp);
      const v128_t vzp0123 = wasm_u32x4_extend_low_u16x8(vzp16);
      const v128_t vzp4567 = wasm_u32x4_extend_high_u16x8(vzp16);
      const v128_t vs0123 = wasm_v128_load(sc);
      const v128_t vs4567 = wasm_v128_load(sc + 4);
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        const v128_t vsum = wasm_i16x8_splat((int16_t) asump[i][b]);
        const v128_t vas = wasm_f32x4_splat(asp[i][b]);
        const v128_t vi0123 = wasm_i32x4_sub(vd0123[i], wasm_i32x4_dot_i16x8(vzp0123, vsum));
        const v128_t vi4567 = wasm_i32x4_sub(vd4567[i], wasm_i32x4_dot_i16x8(vzp4567, vsum));
        vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi0123), vas), vs0123));
        vacc[i][1] = wasm_f32x4_add(vacc[i][1], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi4567), vas), vs4567));
      }
    }
    nc = qdq_wasmsimd_store_tile_8_f32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
