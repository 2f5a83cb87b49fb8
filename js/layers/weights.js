// The checked weights of a quantized Linear: from float (quantized in C) or
// already quantized.
//   fromFloat -> qdq_linear_weight_quantize (src/operators/linear-params.c)

import { WEIGHT_PER_CHANNEL } from '../runtime/abi.js';
import { call, input, output } from '../runtime/binding.js';
import { getRuntime } from '../runtime/loader.js';
import { boolean, typedArray } from '../runtime/validate.js';
import { check, columnScales, depth, dim, floatBias, length } from '../ops/gemm-args.js';

/**
 * @typedef {object} LinearWeights checked int8 weights of a quantized Linear
 * @property {Int8Array} q row-major [outFeatures, inFeatures], zero point 0
 * @property {Float32Array} scales one per output channel
 * @property {Float32Array | null} bias
 * @property {number} inFeatures
 * @property {number} outFeatures
 */

/** @param {Record<string, any>} o @returns {{ inFeatures: number, outFeatures: number }} */
export function features(o) {
  return { inFeatures: depth('inFeatures', o.inFeatures), outFeatures: dim('outFeatures', o.outFeatures) };
}

/**
 * Checks float weights and bias, then quantizes the weights in one call:
 * symmetric int8, per output channel unless o.perChannel is false, as torch's
 * default weight observers and quantize_per_channel.
 * @param {unknown} weight @param {unknown} bias @param {Record<string, any>} o
 * @returns {LinearWeights}
 */
export function weightsFromFloat(weight, bias, o) {
  const { inFeatures, outFeatures } = features(o);
  const w = typedArray('weight', weight, Float32Array);
  length('weight', w, inFeatures * outFeatures, 'outFeatures * inFeatures');
  const perChannel = boolean('perChannel', o.perChannel ?? true);
  const bf = floatBias('bias', bias, outFeatures);
  const r = call(getRuntime(), [
    input('w', w), output('q', Int8Array, inFeatures * outFeatures), output('scales', Float32Array, outFeatures),
  ], (p, c) => c.qdq_linear_weight_quantize(outFeatures, inFeatures, p.w, perChannel ? WEIGHT_PER_CHANNEL : 0, p.q, p.scales));
  check(r.status, 'quantizing the weight');
  if (r.status >= 0) throw new RangeError(`qdq-wasm: weight[${r.status}] is ${w[r.status]}; weights must be finite`);
  return { q: r.q, scales: r.scales, bias: bf, inFeatures, outFeatures };
}

/**
 * Checks int8 weights, their scales and the bias.
 * @param {Record<string, any>} o
 * @returns {LinearWeights}
 */
export function weightsFromQuantized(o) {
  const { inFeatures, outFeatures } = features(o);
  const q = typedArray('weight', o.weight, Int8Array);
  length('weight', q, inFeatures * outFeatures, 'outFeatures * inFeatures');
  const scales = columnScales('weightScales', o.weightScales, outFeatures);
  return { q, scales, bias: floatBias('bias', o.bias, outFeatures), inFeatures, outFeatures };
}
