// dynamicQuantizeLinear(): ONNX DynamicQuantizeLinear (opset 11), as
// onnxruntime computes it, built from the library's own operators:
//   range       -> qdq_minmax    (src/operators/statistics.c, via MinMaxObserver)
//   quantize    -> qdq_quantize  (src/operators/quantize.c, x / scale, uint8)

import { MinMaxObserver } from './observers.js';
import { quantizePerTensor } from './quantize.js';
import { options, typedArray } from '../runtime/validate.js';

const f = Math.fround;

/** nearbyint in round-half-to-even mode, for finite v. @param {number} v */
function roundHalfEven(v) {
  const r = Math.round(v); // halves go up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantizes x to uint8 with a scale and zero point computed from x itself,
 * exactly as ONNX DynamicQuantizeLinear (opset 11) in onnxruntime, all in
 * float32:
 *   min = min(0, min(x)),  max = max(0, max(x))
 *   scale = max == min ? 1 : (max - min) / 255
 *   zeroPoint = roundHalfEven(clamp(0 - min / scale, 0, 255))
 *   q = clamp(roundHalfEven(x / scale) + zeroPoint, 0, 255)
 * An empty or all-zero x gets scale 1 and zero point 0 (onnxruntime's
 * choice; the ONNX formula would divide by zero).
 * @param {Float32Array} x
 * @param {{ shape?: number[], out?: Uint8Array }} [opts]
 * @returns {import('./quantize.js').QTensorPerTensor} dtype 'uint8', qscheme 'per_tensor_affine'
 * @throws {RangeError} when x holds NaN or an infinity (naming the first), or when its range
 *   makes the scale 0 (all |x| below about 1e-43) or infinite (max - min overflows float32):
 *   ONNX leaves those undefined
 * @example
 * const qt = dynamicQuantizeLinear(new Float32Array([0, 2, -3, -2.5, 1.34, 0.5]));
 * // qt.scale = 0.019607843831181526 (5/255 in float32), qt.zeroPoint = 153,
 * // qt.data = Uint8Array [153, 255, 0, 26, 221, 179]
 */
export function dynamicQuantizeLinear(x, opts) {
  typedArray('x', x, Float32Array);
  const o = options('options', opts, {});
  const obs = new MinMaxObserver();
  obs.observe(x); // rejects NaN and infinities, naming the first
  const min = Math.min(obs.minVal, 0);
  const max = Math.max(obs.maxVal, 0);
  const scale = max === min ? 1 : f(f(max - min) / 255);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`qdq-wasm: the range [${min}, ${max}] of x gives scale ${scale}, which is not finite and > 0 in float32`);
  }
  const zeroPoint = roundHalfEven(Math.max(0, Math.min(255, f(0 - f(min / scale)))));
  return quantizePerTensor(x, { scale, zeroPoint, dtype: 'uint8', shape: o.shape, out: o.out });
}
