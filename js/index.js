// qdq-wasm: exact int8/uint8 quantization in WebAssembly SIMD128.
// Each export's path to its C kernel is written at the top of its module.

export { init, initSync, backend, supportsRelaxedSimd, supportsSimd128 } from './runtime/loader.js';
export {
  quantizePerTensor,
  quantizePerChannel,
  dequantize,
  fakeQuantizePerTensor,
  fakeQuantizePerChannel,
} from './ops/quantize.js';
export { quantize } from './ops/quantize-observed.js';
export { quantizeSteps } from './ops/quantize-steps.js';
export { dynamicQuantizeLinear } from './ops/dynamic-quantize.js';
export { errorStats } from './ops/stats.js';
export { calculateQParams } from './ops/qparams.js';
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PerChannelMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver,
  FLOAT32_EPS,
} from './ops/observers.js';
export { HistogramObserver, PercentileObserver, EntropyObserver } from './ops/calibration-observers.js';
export { GEMM_MAX_K } from './runtime/abi.js';
export { matmulInteger, qlinearMatmul } from './ops/matmul.js';
export { PackedMatrix } from './layers/packed-matrix.js';
export { DynamicQuantizedLinear } from './layers/dynamic-linear.js';
export { QuantizedLinear } from './layers/quantized-linear.js';
export { Linear } from './layers/linear.js';
export { readSafetensors, writeSafetensors, readNpy, writeNpy, readNpz, writeNpz } from './io/index.js';
export * as nn from './nn/index.js';
export {
  QConfig,
  getDefaultQConfig,
  getMinMaxQConfig,
  getDefaultQatQConfig,
  FakeQuantize,
  prepareQat,
  QuantStub,
  DeQuantStub,
  Quantize,
  DeQuantize,
  QuantizedLinearModule,
  DynamicQuantizedLinearModule,
  fuseModules,
  prepare,
  convert,
  quantizeDynamic,
  activationObserver,
} from './quantization/index.js';
