// dynamicQuantizeLinear(): ONNX DynamicQuantizeLinear (opset 11), as
// onnxruntime computes it, built from the library's own operators:
//   range       -> qdq_minmax           (src/operators/statistics.c, via MinMaxObserver)
//   qparams     -> qdq_dynamic_qparams  (src/operators/gemm.c, ONNX flavour)
//   quantize    -> qdq_quantize         (src/operators/quantize.c, x / scale, uint8)

import { FLAG_ONNX_QPARAMS } from '../runtime/abi.js';
import { call, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { MinMaxObserver } from './observers.js';
import { quantizePerTensor } from './quantize.js';
import { lengthOf, options, typedArray } from '../runtime/validate.js';

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
  const o = options('options', opts, ['shape', 'out'], {});
  const obs = new MinMaxObserver();
  obs.observe(x); // rejects NaN and infinities, naming the first
  const [min, max] = lengthOf(x) === 0 ? [0, 0] : [obs.minVal, obs.maxVal];
  const { qp } = call(getRuntime(), [output('qp', Float32Array, 2)], (p, fn) =>
    fn.qdq_dynamic_qparams(min, max, FLAG_ONNX_QPARAMS, p.qp));
  const [scale, zeroPoint] = qp;
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`qdq-wasm: the range [${Math.min(min, 0)}, ${Math.max(max, 0)}] of x gives scale ${scale}, ` +
      'which is not finite and > 0 in float32');
  }
  return quantizePerTensor(x, { scale, zeroPoint, dtype: 'uint8', shape: o.shape, out: o.out });
}
