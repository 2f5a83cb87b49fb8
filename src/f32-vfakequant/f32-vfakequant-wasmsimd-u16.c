#include <string.h>
#include <wasm_simd128.h>

#include "kernel-common.h"

/* Works in the float domain throughout: r = nearest(v) is integral, so
 * clamp(r, qmin - zp, qmax - zp) * scale is E8 with one rounding, in the
 * multiply. NaN lanes are zeroed first (E6: NaN -> zero point -> 0.0).
 * Adding +0.0 turns the -0.0 that nearest() gives for v in [-0.5, -0] into
 * +0.0: E8 forms q - zero_point as an integer, whose zero has no sign, so
 * the reference, the scalar kernel and PyTorch all return +0.0 there. */
static inline v128_t qdq_f32x4_fakequant(v128_t v, v128_t vlo, v128_t vhi, v128_t vscale,
                                         v128_t* vmask) {
  const v128_t vr = wasm_f32x4_nearest(v);
  *vmask = wasm_v128_and(wasm_f32x4_ge(vr, vlo), wasm_f32x4_le(vr, vhi));
  const v128_t vnotnan = wasm_f32x4_eq(vr, vr);
  const v128_t vc = wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_v128_and(vr, vnotnan), vlo), vhi);
  const v128_t vq = wasm_f32x4_add(vc, wasm_f32x4_const_splat(0.0f)); /* -0.0 -> +0.0 */
  return wasm_f32x4_mul(vq, vscale);
}

static inline void qdq_f32_vfakequant_body(size_t n, const float* restrict input,
                                           float* restrict output, uint8_t* restrict mask,
                                           int divide, v128_t vmul, v128_t vscale, v128_t vlo,
                                           v128_t vhi) {
  const v128_t vone = wasm_i8x16_splat(1);
  for (; n >= 16; n -= 16) {
    v128_t v0 = wasm_v128_load(input);
    v128_t v1 = wasm_v128_load(input + 4);
    v128_t v2 = wasm_v128_load(input + 8);
    v128_t v3 = wasm_v128_load(input + 12);
    input += 16;
    if (divide) {
      v0 = wasm_f32x4_div(v0, vmul);
      v1 = wasm_f32x4_div(v1, vmul);
      v2 = wasm_f32x4_div(v2, vmul);
      v3 = wasm_f32x4_div(v3, vmul);
    } else {
      v0 = wasm_f32x4_mul(v0, vmul);
      v1 = wasm_f32x4_mul(v1, vmul);
      v2 = wasm_f32x4_mul(v2, vmul);
      v3 = wasm_f32x4_mul(v3, vmul);
    }
    v128_t vm0, vm1, vm2, vm3;
    wasm_v128_store(output, qdq_f32x4_fakequant(v0, vlo, vhi, vscale, &vm0));
    wasm_v128_store(output + 4, qdq_f32x4_fakequant(v1, vlo, vhi, vscale, &vm1));
    wasm_v128_store(output + 8, qdq_f32x4_fakequant(v2, vlo, vhi, vscale, &vm2));
    wasm_v128_store(output + 12, qdq_f32x4_fakequant(v3, vlo, vhi, vscale, &vm3));
    output += 16;
    if (mask != NULL) {
      /* All-ones/all-zeros lanes narrow (saturating) to -1/0 bytes. */
      const v128_t vm = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(vm0, vm1),
                                                wasm_i16x8_narrow_i32x4(vm2, vm3));
      wasm_v128_store(mask, wasm_v128_and(vm, vone));
      mask += 16;
    }
  }
}

void qdq_f32_vfakequant_ukernel__wasmsimd_u16(size_t batch, const float* restrict input,
                                              float* restrict output, uint8_t* restrict mask,
                                              const struct qdq_f32_q8_cvt_params* params) {
  assert(batch % sizeof(float) == 0);
  const int divide = params->divide;
  const v128_t vmul = wasm_f32x4_splat(divide ? params->scale : params->inv_scale);
  const v128_t vscale = wasm_f32x4_splat(params->scale);
  const v128_t vlo = wasm_f32x4_splat((float) (params->qmin - params->zero_point));
  const v128_t vhi = wasm_f32x4_splat((float) (params->qmax - params->zero_point));
  const size_t n = batch / sizeof(float);
  const size_t nmain = n & ~(size_t) 15;
  if (divide) {
    qdq_f32_vfakequant_body(nmain, input, output, mask, 1, vmul, vscale, vlo, vhi);
  } else {
    qdq_f32_vfakequant_body(nmain, input, output, mask, 0, vmul, vscale, vlo, vhi);
  }
  const size_t tail = n & 15;
  if (tail != 0) {
    float xtile[16] = {0};
    float ytile[16];
    uint8_t mtile[16];
    memcpy(xtile, input + nmain, tail * sizeof(float));
    qdq_f32_vfakequant_body(16, xtile, ytile, mask != NULL ? mtile : NULL, divide, vmul, vscale,
                            vlo, vhi);
    memcpy(output + nmain, ytile, tail * sizeof(float));
    if (mask != NULL) memcpy(mask + nmain, mtile, tail);
  }
}
