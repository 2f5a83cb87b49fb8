// The qdq-wasm API, shared by the two entry points: js/index.js (the .wasm
// files in dist/) and js/inline.js (embedded). Each export's path to its C
// kernel is written at the top of its module.

export { init, initSync, backend, supportsRelaxedSimd, supportsSimd128, threads, shutdownThreads } from './runtime/loader.js';
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
export {
  BLOCK_SIZES,
  quantizeBlockwise,
  dequantizeBlockwise,
  toDequantizeLinear,
  fromDequantizeLinear,
} from './ops/blockwise.js';
export { MatMulNBits } from './layers/matmul-nbits.js';
export { WeightOnlyQuantizedLinear } from './layers/weight-only-linear.js';
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
  WeightOnlyQConfig,
  getWeightOnlyQConfig,
  WeightOnlyQuantizedLinearModule,
  fuseModules,
  prepare,
  convert,
  quantizeDynamic,
  activationObserver,
  saveModel,
  loadModel,
} from './quantization/index.js';
