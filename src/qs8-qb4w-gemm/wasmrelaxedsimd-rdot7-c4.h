/*
 * Template of the relaxed-SIMD blockwise integer GEMM kernels (B6) for 4-bit
 * weights: each file defines QDQ_MR and QDQ_NAME.
 * i16x8.relaxed_dot_i8x16_i7x16_s(a, q) multiplies the 4 splatted int8
 * activations by 16 unsigned nibbles (4 columns x 4 k): the nibbles, in
 * [0, 15], satisfy the i7 operand's [0, 127] requirement, so every engine
 * gives the exact products and pair sums (|pair| <= 2 * 128 * 15 = 3840: no
 * i16 saturation, pmaddubsw or not). Pairs accumulate in int16 for at most 8
 * chunks (8 * 3840 = 30720 < 2^15), then i32x4.extadd_pairwise_i16x8_s
 * folds them into one int32 per column: no reduction after the loop.
 * Not the 3-operand i32x4.relaxed_dot_i8x16_i7x16_add_s: emcc's binaryen 108
 * misreads its opcode and writes a module that does not validate
 * (docs/toolchain.md, "Relaxed SIMD").
 */
#include <wasm_simd128.h>

#include "kernel-common.h"
#include "nbits-layout.h"
#include "wasmsimd-common.h"

void QDQ_NAME(size_t mr, size_t nc, size_t kb, size_t bs, const int8_t* restrict a, size_t a_stride,
              const float* restrict a_scale, const int32_t* restrict a_sum, size_t ap_stride,
              const void* restrict w, const float* restrict bias, float* restrict c,
              size_t cm_stride) {
  assert(mr != 0 && mr <= QDQ_MR);
  assert(nc != 0);
  assert(kb != 0 && bs % 16 == 0);
  assert(a != NULL && w != NULL && bias != NULL && c != NULL);
  const int8_t* ap[QDQ_MR];
  const float* asp[QDQ_MR];
  const int32_t* asump[QDQ_MR];
  float* cp[QDQ_MR];
  QDQ_ROW_POINTERS(ap, a, mr, a_stride);
  QDQ_ROW_POINTERS(asp, a_scale, mr, ap_stride * sizeof(*asp[0]));
  QDQ_ROW_POINTERS(asump, a_sum, mr, ap_stride * sizeof(*asump[0]));
  QDQ_ROW_POINTERS(cp, c, mr, cm_stride);
  const v128_t vmask = wasm_i8x16_splat(0x0F);
  /* Chunks of 4 k-values per int16 run: 8 (32 k), or the whole block of 16. */
  const size_t run = bs < 32 ? bs : 32;
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
      v128_t vd[QDQ_MR][2];
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) vd[i][0] = vd[i][1] = wasm_i32x4_const_splat(0);
      for (size_t l0 = 0; l0 < bs; l0 += run) {
        v128_t vh[QDQ_MR][2];
#pragma clang loop unroll(full)
        for (size_t i = 0; i < QDQ_MR; i++) vh[i][0] = vh[i][1] = wasm_i16x8_const_splat(0);
        /* bs is a multiple of 16: 4 chunks per iteration, no remainder. */
        for (size_t l = l0; l < l0 + run; l += 16) {
#pragma clang loop unroll(full)
          for (size_t u = 0; u < 4; u++) {
            const v128_t v = wasm_v128_load(data + 16 * u);
            const v128_t vlo = wasm_v128_and(v, vmask);
            /* A 16-bit shift and a mask: engines lower i8x16.shr_u to more instructions. */
            const v128_t vhi = wasm_v128_and(wasm_u16x8_shr(v, 4), vmask);
#pragma clang loop unroll(full)
            for (size_t i = 0; i < QDQ_MR; i++) {
              const v128_t va = wasm_v128_load32_splat(ap[i] + b * bs + l + 4 * u);
              vh[i][0] = wasm_i16x8_add(vh[i][0], wasm_i16x8_relaxed_dot_i8x16_i7x16(va, vlo));
              vh[i][1] = wasm_i16x8_add(vh[i][1], wasm_i16x8_relaxed_dot_i8x16_i7x16(va, vhi));
            }
          }
          data += 64;
        }
#pragma clang loop unroll(full)
        for (size_t i = 0; i < QDQ_MR; i++) {
          vd[i][0] = wasm_i32x4_add(vd[i][0], wasm_i32x4_extadd_pairwise_i16x8(vh[i][0]));
          vd[i][1] = wasm_i32x4_add(vd[i][1], wasm_i32x4_extadd_pairwise_i16x8(vh[i][1]));
        }
      }
      const v128_t vzp16 = wasm_u16x8_extend_low_u8x16(wasm_v128_load64_zero(zp));
      /* Zero points as int16 pairs {zp, 0}: i32x4.dot_i16x8_s with a splatted
       * a_sum gives zp * a_sum per column in one instruction (pmaddwd), where
       * i32x4.mul is two. a_sum fits int16: B5 values are in [-127, 127]
       * (|a * r| <= 127 up to rounding), so |a_sum| <= 256 * 127. */
      const v128_t vzp0123 = wasm_u32x4_extend_low_u16x8(vzp16);
      const v128_t vzp4567 = wasm_u32x4_extend_high_u16x8(vzp16);
      const v128_t vs0123 = wasm_v128_load(sc);
      const v128_t vs4567 = wasm_v128_load(sc + 4);
#pragma clang loop unroll(full)
      for (size_t i = 0; i < QDQ_MR; i++) {
        const v128_t vsum = wasm_i16x8_splat((int16_t) asump[i][b]);
        const v128_t vas = wasm_f32x4_splat(asp[i][b]);
        const v128_t vi0123 = wasm_i32x4_sub(vd[i][0], wasm_i32x4_dot_i16x8(vzp0123, vsum));
        const v128_t vi4567 = wasm_i32x4_sub(vd[i][1], wasm_i32x4_dot_i16x8(vzp4567, vsum));
        vacc[i][0] = wasm_f32x4_add(vacc[i][0], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi0123), vas), vs0123));
        vacc[i][1] = wasm_f32x4_add(vacc[i][1], wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_convert_i32x4(vi4567), vas), vs4567));
      }
    }
    nc = qdq_wasmsimd_store_tile_8_f32(QDQ_MR, vacc, cp, nc);
  } while (nc != 0);
}
