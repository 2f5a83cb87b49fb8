// torch.linspace(start, end, steps) for float32 on CPU, bit for bit, as torch
// 1.13's linspace_kernel (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp)
// computes it with its AVX2 kernels (Vectorized<float> of 8 lanes; this
// machine's torch says "CPU capability usage: AVX2"), on one chunk: one
// thread, or steps <= 32768 (internal::GRAIN_SIZE; more threads split a
// longer range into chunks, each starting its own vector grouping).
// docs/observers.md, H1 and L1-L3. HistogramObserver's histc takes its outer
// bin edges from its first and last elements, which qdq_init_f32_histc_params
// (src/operators/histogram.c) computes in C; this whole-range emulation is the
// tests' reference, checked against torch.
//
// L1  step = fl(fl(end - start) / fl(steps - 1)), start and end rounded to float first
// L2  element i from a base, with the product contracted (FMA, one rounding):
//       base(i) = fl(start + step * i)                  when i <  steps / 2 (integer division)
//               = fl(end - step * (steps - i - 1))      otherwise
// L3  cpu_serial_kernel_vec: elements [0, 16 * floor(steps / 16)) in vectors of
//     8 (two per iteration), each lane k of the vector at i = arange(base(i), step):
//     lane 0 = base(i), lane k = fl(base(i) + fl(k * step)) (not contracted); the
//     rest one by one, element i = base(i).
// Established against torch.linspace on this machine: every element's bits over
// 4,000 random (start, end, steps), steps 0-5,000, magnitudes up to 3.4e38
// (tests/fixtures/gen_observers.py, "linspace").

import { fma32 } from './fma32.js';

export { fma32 };

const f = Math.fround;
/**
 * Element i of torch.linspace(start, end, steps) in float32 (L1-L3).
 * @param {number} start @param {number} end @param {number} steps an integer >= 1 @param {number} i in [0, steps)
 * @returns {number}
 */
export function torchLinspaceF32At(start, end, steps, i) {
  const s = f(start), e = f(end);
  if (steps === 1) return s; // linspace_out fills start
  const step = f(f(e - s) / f(steps - 1));
  const base = (/** @type {number} */ j) => (j < Math.floor(steps / 2) ? fma32(step, f(j), s) : fma32(-step, f(steps - j - 1), e));
  if (i >= steps - (steps % 16)) return base(i);
  const k = i % 8;
  const b = base(i - k);
  return k === 0 ? b : f(b + f(k * step));
}

/**
 * torch.linspace(start, end, steps) in float32 (L1-L3).
 * @param {number} start @param {number} end @param {number} steps an integer >= 0
 * @returns {Float32Array}
 */
export function torchLinspaceF32(start, end, steps) {
  const out = new Float32Array(steps);
  for (let i = 0; i < steps; i++) out[i] = torchLinspaceF32At(start, end, steps, i);
  return out;
}
