// quantizeSteps(): the intermediate values of quantization, for teaching.
//   quantizeSteps -> qdq_quantize_steps (src/operators/quantize.c)

import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { compatFlag } from './tensor.js';
import { lengthOf, options, scale, typedArray } from '../runtime/validate.js';

/**
 * The steps of E5 before the zero point and the clamp, computed as the
 * quantize kernels compute them: scaled = x / scale (compat 'onnx', the
 * default) or x * float(1 / scale) (compat 'pytorch'), in float32, then
 * rounded = roundHalfEven(scaled). quantizePerTensor then stores
 * clamp(rounded + zeroPoint, quantMin, quantMax).
 * @param {Float32Array} x
 * @param {{ scale: number, compat?: 'onnx' | 'pytorch' }} opts scale: float32 step (> 0)
 * @returns {{ scaled: Float32Array, rounded: Float32Array }}
 * @example
 * quantizeSteps(Float32Array.of(0.25, 0.75), { scale: 0.5 });
 * // { scaled: [0.5, 1.5], rounded: [0, 2] }: ties go to the even integer
 */
export function quantizeSteps(x, opts) {
  const xv = typedArray('x', x, Float32Array);
  const o = options('options', opts, ['scale', 'compat']);
  const s = scale('scale', o.scale);
  const flags = compatFlag('compat', o.compat);
  const n = lengthOf(xv);
  const r = call(getRuntime(), [input('x', xv), output('scaled', Float32Array, n), output('rounded', Float32Array, n)],
    (p, c) => c.qdq_quantize_steps(n, p.x, s, flags, p.scaled, p.rounded));
  return { scaled: r.scaled, rounded: r.rounded };
}
