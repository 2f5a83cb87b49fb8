// qdq-wasm: exact int8/uint8 quantization in WebAssembly SIMD128.
// Each export's path to its C kernel is written at the top of its module.

export { init, initSync, backend, supportsRelaxedSimd, supportsSimd128 } from './loader.js';
export {
  quantizePerTensor,
  quantizePerChannel,
  dequantize,
  fakeQuantizePerTensor,
  fakeQuantizePerChannel,
} from './quantize.js';
export { quantize } from './quantize-observed.js';
export { dynamicQuantizeLinear } from './dynamic-quantize.js';
export { errorStats } from './stats.js';
export { calculateQParams } from './qparams.js';
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PerChannelMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver,
  FLOAT32_EPS,
} from './observers.js';
export {
  GEMM_MAX_K,
  PackedMatrix,
  matmulInteger,
  qlinearMatmul,
  DynamicQuantizedLinear,
  QuantizedLinear,
  Linear,
} from './linear.js';
export { readSafetensors, writeSafetensors, readNpy, writeNpy, readNpz, writeNpz } from './io/index.js';
