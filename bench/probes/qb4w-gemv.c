/*
 * What limits a SIMD128 4-bit GEMV (bench/probes/qb4w-gemv.js runs this):
 * the inner loops of the GEMV kernels alone, on weights laid out as
 * qdq_nbits_pack lays them out within a block (16-byte chunks: byte 4c + r
 * holds column c in the low nibble and column c + 4 in the high one at
 * k = 4t + r), without the per-block scales, zero points and float combine.
 * Each loop sums into int32 accumulators and returns them, so nothing is
 * dead code. Built into build/, never into dist/.
 *
 *   int8      the int8 GEMV's loop (qs8-qc8w 1x8c4 dot16x2): 32 weight bytes
 *             per 8 columns x 4 k, sign-extended to int16, activations
 *             splatted and extended, 4 i32x4.dot_i16x8_s
 *   q4ext     the 4-bit GEMV's loop (qs8-qb4w 1x8c4 dot16x2): one 16-byte
 *             load, AND / 16-bit shift + AND, four u8 -> u16 extends, the
 *             activation splat + extend, 4 dots
 *   q4lane    nibbles unpacked inside the 16-bit lanes (AND, shift + AND,
 *             shift + AND, shift: 6 operations for 4 vectors, no extend),
 *             against activations widened to int16 and permuted once per
 *             GEMV into {a0, a2} and {a1, a3} pairs, so each dot's lane c is
 *             column c directly (no transpose at the end of a block)
 *   q4lane2   q4lane over 2 column groups per pass, sharing the activation loads
 *   q4mask    q4lane with the middle nibbles masked in place instead of shifted
 *             down (v & 0x00F0 is 16 n1, v & 0x0F00 is 256 n2): 4 operations
 *             for 4 vectors; those accumulators hold 16x and 256x the sums,
 *             shifted back once per block (exact: multiples of 16 and 256)
 *   q4maskb   q4mask with a compiler barrier between chunks: LLVM otherwise
 *             hoists the 4 unrolled chunks' loads to the top of the loop body,
 *             and V8's register allocator spills a third of the vectors
 *   q4mask1   q4mask one chunk per iteration (no unrolling)
 *   q4floor   the fewest operations any nibbles-in-16-bit-lanes loop can have:
 *             a layout where the 4 nibbles of a lane are 4 columns at the same
 *             k (16 columns x 2 k per chunk), so one 32-bit activation splat
 *             serves all 4 dots, and one field is used as loaded (its sum is
 *             recoverable from the raw dot minus the other three modulo 2^16
 *             every 16 k): 1 load, 1 splat, 3 unpack operations, 4 dots,
 *             4 adds per 32 weights (13, against q4mask1's 15 and the int8
 *             loop's 16). The recovery is not done, so the sums are not a
 *             GEMV's; the loop bounds any SIMD128 4-bit GEMV from above
 *   dotonly   q4lane without the unpack (the 16-byte chunk used as if it were
 *             already 4 int16 vectors): the multiply-add bound per weight
 *   read      one load and one add per 16 bytes: the memory bound
 */
#include <stdint.h>
#include <stdlib.h>
#include <wasm_simd128.h>

uint8_t* probe_alloc(size_t bytes) { return aligned_alloc(64, (bytes + 63) & ~(size_t) 63); }

static int32_t hsum(v128_t a, v128_t b) {
  const v128_t s = wasm_i32x4_add(a, b);
  return wasm_i32x4_extract_lane(s, 0) ^ wasm_i32x4_extract_lane(s, 1) ^ wasm_i32x4_extract_lane(s, 2) ^
         wasm_i32x4_extract_lane(s, 3);
}

/* groups of 8 columns, k a multiple of 16; w: groups * 8 * k bytes. */
int32_t probe_int8(const int8_t* w, const int8_t* a, size_t groups, size_t k) {
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 16; u += 4) {
        const v128_t w0 = wasm_v128_load(w);
        const v128_t w1 = wasm_v128_load(w + 16);
        w += 32;
        const v128_t va = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(a + l + u));
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(w0), va));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(w0), va));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(w1), va));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(w1), va));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
  }
  return out;
}

/* w: groups * 4 * k bytes (16 per 8 columns x 4 k). */
int32_t probe_q4ext(const uint8_t* w, const int8_t* a, size_t groups, size_t k) {
  const v128_t vmask = wasm_i8x16_splat(0x0F);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 16; u += 4) {
        const v128_t v = wasm_v128_load(w);
        w += 16;
        const v128_t vlo = wasm_v128_and(v, vmask);
        const v128_t vhi = wasm_v128_and(wasm_u16x8_shr(v, 4), vmask);
        const v128_t va = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(a + l + u));
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(vlo), va));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(vlo), va));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(vhi), va));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(vhi), va));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
  }
  return out;
}

/* a16: per 4 k, {a0, a2} x 4 then {a1, a3} x 4 as int16 (16 bytes each): 8 bytes per k. */
int32_t probe_q4lane(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vmask = wasm_i16x8_splat(0x000F);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const int16_t* ap = a16;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 4; u++) {
        const v128_t v = wasm_v128_load(w);
        w += 16;
        const v128_t va02 = wasm_v128_load(ap);
        const v128_t va13 = wasm_v128_load(ap + 8);
        ap += 16;
        const v128_t n0 = wasm_v128_and(v, vmask);                   /* column c, k = r */
        const v128_t n1 = wasm_v128_and(wasm_u16x8_shr(v, 4), vmask); /* column c + 4, k = r */
        const v128_t n2 = wasm_v128_and(wasm_u16x8_shr(v, 8), vmask); /* column c, k = r + 1 */
        const v128_t n3 = wasm_u16x8_shr(v, 12);                     /* column c + 4, k = r + 1 */
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(n0, va02));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(n2, va13));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(n1, va02));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(n3, va13));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
  }
  return out;
}

/* q4lane with two column groups per pass (groups even); the groups' chunks interleave in w. */
int32_t probe_q4lane2(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vmask = wasm_i16x8_splat(0x000F);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g += 2) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    v128_t acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
    const int16_t* ap = a16;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 4; u++) {
        const v128_t v = wasm_v128_load(w);
        const v128_t x = wasm_v128_load(w + 16);
        w += 32;
        const v128_t va02 = wasm_v128_load(ap);
        const v128_t va13 = wasm_v128_load(ap + 8);
        ap += 16;
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vmask), va02));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_and(wasm_u16x8_shr(v, 8), vmask), va13));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_and(wasm_u16x8_shr(v, 4), vmask), va02));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va13));
        acc4 = wasm_i32x4_add(acc4, wasm_i32x4_dot_i16x8(wasm_v128_and(x, vmask), va02));
        acc5 = wasm_i32x4_add(acc5, wasm_i32x4_dot_i16x8(wasm_v128_and(wasm_u16x8_shr(x, 8), vmask), va13));
        acc6 = wasm_i32x4_add(acc6, wasm_i32x4_dot_i16x8(wasm_v128_and(wasm_u16x8_shr(x, 4), vmask), va02));
        acc7 = wasm_i32x4_add(acc7, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(x, 12), va13));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
    out ^= hsum(wasm_i32x4_add(acc4, acc5), wasm_i32x4_add(acc6, acc7));
  }
  return out;
}

/* q4lane with 4 unpack operations: the scaled sums come back by one arithmetic shift per block. */
int32_t probe_q4mask(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vm0 = wasm_i16x8_splat(0x000F);
  const v128_t vm1 = wasm_i16x8_splat(0x00F0);
  const v128_t vm2 = wasm_i16x8_splat(0x0F00);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const int16_t* ap = a16;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 4; u++) {
        const v128_t v = wasm_v128_load(w);
        w += 16;
        const v128_t va02 = wasm_v128_load(ap);
        const v128_t va13 = wasm_v128_load(ap + 8);
        ap += 16;
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm0), va02));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm2), va13));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm1), va02));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va13));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, wasm_i32x4_shr(acc1, 8)), wasm_i32x4_add(wasm_i32x4_shr(acc2, 4), acc3));
  }
  return out;
}

/* A compiler barrier: no load or store moves across it (an empty asm emits no instruction). */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

int32_t probe_q4maskb(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vm0 = wasm_i16x8_splat(0x000F);
  const v128_t vm1 = wasm_i16x8_splat(0x00F0);
  const v128_t vm2 = wasm_i16x8_splat(0x0F00);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const int16_t* ap = a16;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 4; u++) {
        const v128_t v = wasm_v128_load(w);
        w += 16;
        const v128_t va02 = wasm_v128_load(ap);
        const v128_t va13 = wasm_v128_load(ap + 8);
        ap += 16;
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm0), va02));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm2), va13));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm1), va02));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va13));
        BARRIER();
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, wasm_i32x4_shr(acc1, 8)), wasm_i32x4_add(wasm_i32x4_shr(acc2, 4), acc3));
  }
  return out;
}

int32_t probe_q4mask1(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vm0 = wasm_i16x8_splat(0x000F);
  const v128_t vm1 = wasm_i16x8_splat(0x00F0);
  const v128_t vm2 = wasm_i16x8_splat(0x0F00);
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const int16_t* ap = a16;
#pragma clang loop unroll(disable)
    for (size_t l = 0; l < k; l += 4) {
      const v128_t v = wasm_v128_load(w);
      w += 16;
      const v128_t va02 = wasm_v128_load(ap);
      const v128_t va13 = wasm_v128_load(ap + 8);
      ap += 16;
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm0), va02));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm2), va13));
      acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm1), va02));
      acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va13));
    }
    out ^= hsum(wasm_i32x4_add(acc0, wasm_i32x4_shr(acc1, 8)), wasm_i32x4_add(wasm_i32x4_shr(acc2, 4), acc3));
  }
  return out;
}

/* groups of 16 columns; per 2 k one 16-byte chunk; a16: k int16 activations in order. */
int32_t probe_q4floor(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  const v128_t vm1 = wasm_i16x8_splat(0x00F0);
  const v128_t vm2 = wasm_i16x8_splat(0x0F00);
  int32_t out = 0;
  for (size_t g = 0; g < groups / 2; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
#pragma clang loop unroll(disable)
    for (size_t l = 0; l < k; l += 2) {
      const v128_t v = wasm_v128_load(w);
      w += 16;
      const v128_t va = wasm_v128_load32_splat(a16 + l);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(v, va));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm1), va));
      acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_v128_and(v, vm2), va));
      acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_u16x8_shr(v, 12), va));
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
  }
  return out;
}

/* The 4 dots and adds per 16 bytes with no unpack: 2 bytes of the chunk per "weight lane". */
int32_t probe_dotonly(const uint8_t* w, const int16_t* a16, size_t groups, size_t k) {
  int32_t out = 0;
  for (size_t g = 0; g < groups; g++) {
    v128_t acc0 = wasm_i32x4_const_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    const int16_t* ap = a16;
    for (size_t l = 0; l < k; l += 16) {
#pragma clang loop unroll(full)
      for (size_t u = 0; u < 4; u++) {
        const v128_t v = wasm_v128_load(w);
        w += 16;
        const v128_t va02 = wasm_v128_load(ap);
        const v128_t va13 = wasm_v128_load(ap + 8);
        ap += 16;
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(v, va02));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(v, va13));
        acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(va02, va13));
        acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(va13, v));
      }
    }
    out ^= hsum(wasm_i32x4_add(acc0, acc1), wasm_i32x4_add(acc2, acc3));
  }
  return out;
}

int32_t probe_read(const uint8_t* p, size_t bytes) {
  v128_t a0 = wasm_i32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 64 <= bytes; i += 64) {
    a0 = wasm_i32x4_add(a0, wasm_v128_load(p + i));
    a1 = wasm_i32x4_add(a1, wasm_v128_load(p + i + 16));
    a2 = wasm_i32x4_add(a2, wasm_v128_load(p + i + 32));
    a3 = wasm_i32x4_add(a3, wasm_v128_load(p + i + 48));
  }
  return hsum(wasm_i32x4_add(a0, a1), wasm_i32x4_add(a2, a3));
}
