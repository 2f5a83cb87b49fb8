// The value passed between the modules of a converted static model.

/**
 * A quantized activation: row-major data with one scale and zero point, what a converted model's
 * Quantize makes, its QuantizedLinear modules pass on, and its DeQuantize turns back into floats.
 * @typedef {object} QuantizedActivation
 * @property {Int8Array | Uint8Array} data
 * @property {number} scale float32 step
 * @property {number} zeroPoint
 * @property {'int8' | 'uint8'} dtype
 */

export {};
